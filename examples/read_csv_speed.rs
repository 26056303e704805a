//! Times `read_csv` on a BACI-shaped file read as the importers' own reports (the mapping of
//! `benches/every_path.py`'s reported path) in a release build (not a test):
//!
//! ```sh
//! cargo build --release --example read_csv_speed
//! target/release/examples/read_csv_speed FILE [REPS] [IMPORTERS]
//! ```
//!
//! IMPORTERS (numeric codes, e.g. `643` or `643,804`) reads the rows of those importers only
//! (`ColumnMapping::importers`).
//!
//! Prints each read's wall time, the median, and what was read (rows, value sum, report
//! counts) so that two builds can be checked to read the same thing.

mod timing;

use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use tradedep::io::{read_csv, ColumnMapping, CsvOptions};
use tradedep::model::Vintage;
use tradedep::Flow;

fn main() -> tradedep::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: read_csv_speed FILE [REPS]");
    let reps: usize = args.next().map(|r| r.parse().expect("REPS is a number")).unwrap_or(5);
    let importers: Option<Vec<u16>> = args.next().map(|list| {
        list.split(',')
            .map(|c| c.parse().expect("IMPORTERS are numeric codes"))
            .collect()
    });
    let mut mapping = ColumnMapping::new()
        .column("period", "t")
        .column("reporter", "j")
        .column("partner", "i")
        .column("product", "k")
        .column("value", "v")
        .column("quantity", "q")
        .flow(Flow::Import)
        .vintage(Vintage::Hs(2017));
    mapping.value_scale = 1000.0;
    mapping.quantity_unit = Some("t".into());
    if let Some(codes) = importers {
        mapping = mapping.importers(codes);
    }
    let mut times = vec![];
    let mut last = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let t = read_csv(path.as_ref(), &mapping, &CsvOptions::default())?;
        times.push(t0.elapsed().as_secs_f64());
        last = Some(t);
    }
    let t = last.expect("at least one repetition");
    let value: f64 = t
        .batches()
        .iter()
        .map(|b| {
            let v = b.column_by_name("value").expect("value column");
            v.as_primitive::<Float64Type>().values().iter().sum::<f64>()
        })
        .sum();
    println!("times_s {times:.3?}");
    println!("median_s {:.3}", timing::median(&mut times));
    let r = t.report();
    println!(
        "rows {} value {value:.6e} read {} kept {} set_aside {:?}",
        t.num_rows(),
        r.rows_read,
        r.rows_kept,
        r.set_aside
    );
    Ok(())
}
