//! Times `complexity` (RCA, ECI and PCI) on one BACI file in a release build (not a test):
//!
//! ```sh
//! cargo build --release --example complexity_speed
//! target/release/examples/complexity_speed FILE [REPS] [DIGITS]
//! ```
//!
//! Prints the read time, each call's wall time, their median, and the result's sizes and summed
//! ECI (for two builds to be compared). `benches/complexity_compare.py` compares the same call
//! with the `ecomplexity` package.

mod timing;

use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use tradedep::metrics::{complexity, ComplexityOptions, RcaOptions};

fn main() -> tradedep::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: complexity_speed FILE [REPS] [DIGITS]");
    let reps: usize = args.next().map(|r| r.parse().expect("REPS is a number")).unwrap_or(5);
    let digits: Option<usize> = args.next().map(|d| d.parse().expect("DIGITS is a number"));
    let table = timing::read_hs2017(&path)?;
    let co = ComplexityOptions {
        rca: RcaOptions {
            digits,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut times = vec![];
    for _ in 0..reps {
        let t0 = Instant::now();
        let out = complexity(&table, &co)?;
        times.push(t0.elapsed().as_secs_f64());
        let eci: f64 = out
            .eci
            .column_by_name("eci")
            .map(|c| c.as_primitive::<Float64Type>().iter().flatten().sum())
            .unwrap_or(f64::NAN);
        println!(
            "call_s {:.3} rca {} eci {} pci {} eci_sum {eci:.12e}",
            times.last().unwrap(),
            out.rca.num_rows(),
            out.eci.num_rows(),
            out.pci.num_rows()
        );
    }
    println!("median_s {:.3}", timing::median(&mut times));
    Ok(())
}
