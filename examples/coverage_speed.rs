//! Times the coverage check that runs before every metric called from Python
//! (`check_selection`, every importer, mirror source) on one BACI file in a release build:
//!
//! ```sh
//! cargo build --release --example coverage_speed
//! target/release/examples/coverage_speed FILE [REPS]
//! ```

use std::time::Instant;

use tradedep::io::{read_baci, BaciOptions};
use tradedep::metrics::{check_selection, ImportSelection, Source};
use tradedep::model::Vintage;

fn main() -> tradedep::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: coverage_speed FILE [REPS]");
    let reps: usize = args.next().map(|r| r.parse().expect("REPS is a number")).unwrap_or(5);
    let opts = BaciOptions {
        vintage: Some(Vintage::parse("HS2017")?),
        ..Default::default()
    };
    let table = read_baci(path.as_ref(), &opts)?;
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
    times.sort_by(f64::total_cmp);
    println!("median_s {:.3}", times[times.len() / 2]);
    Ok(())
}
