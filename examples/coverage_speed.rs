//! Times the coverage check that runs before every metric called from Python
//! (`check_selection`, every importer, mirror source) on one BACI file in a release build:
//!
//! ```sh
//! cargo build --release --example coverage_speed
//! target/release/examples/coverage_speed FILE [REPS]
//! ```

mod timing;

use std::time::Instant;

use tradedep::metrics::{check_selection, ImportSelection, Source};

fn main() -> tradedep::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: coverage_speed FILE [REPS]");
    let reps: usize = args.next().map(|r| r.parse().expect("REPS is a number")).unwrap_or(5);
    let table = timing::read_hs2017(&path)?;
    let sel = ImportSelection {
        source: Source::Mirror,
        ..Default::default()
    };
    let mut times = vec![];
    for _ in 0..reps {
        let t0 = Instant::now();
        let cov = check_selection(&table, None, &sel)?;
        times.push(t0.elapsed().as_secs_f64());
        println!(
            "call_s {:.3} records {} suppliers {} importers {}",
            times.last().unwrap(),
            cov.records_mirror,
            cov.suppliers.len(),
            cov.importers.len()
        );
    }
    println!("median_s {:.3}", timing::median(&mut times));
    Ok(())
}
