//! Times `concentration` by importer and product (the README's every-importer call) on one
//! BACI file in a release build (not a test):
//!
//! ```sh
//! cargo build --release --example conc_speed
//! target/release/examples/conc_speed FILE [REPS] [SOURCE]
//! ```
//!
//! SOURCE is `mirror` (default), `reported` or `auto`. Prints the read time, each call's wall
//! time, their median, and the result's rows and summed total value (for two builds to be
//! compared).

mod timing;

use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use tradedep::metrics::{concentration, By, ConcentrationOptions, Source};

fn main() -> tradedep::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: conc_speed FILE [REPS] [SOURCE]");
    let reps: usize = args.next().map(|r| r.parse().expect("REPS is a number")).unwrap_or(5);
    let source = Source::parse(&args.next().unwrap_or_else(|| "mirror".into()))?;
    let table = timing::read_hs2017(&path)?;
    let mut co = ConcentrationOptions {
        by: vec![By::Product],
        ..Default::default()
    };
    co.imports.source = source;
    let mut times = vec![];
    for _ in 0..reps {
        let t0 = Instant::now();
        let out = concentration(&table, &co)?;
        times.push(t0.elapsed().as_secs_f64());
        let total: f64 = out
            .column_by_name("total_value")
            .map(|c| c.as_primitive::<Float64Type>().values().iter().sum())
            .unwrap_or(f64::NAN);
        println!(
            "call_s {:.3} rows {} total {total:.6e}",
            times.last().unwrap(),
            out.num_rows()
        );
    }
    println!("median_s {:.3}", timing::median(&mut times));
    Ok(())
}
