//! Times the streamed every-importer x product workload (`importer_product_concentration(path)`:
//! one pass in CEPII's order, the general kernel otherwise) on one BACI file in a release build
//! (not a test):
//!
//! ```sh
//! cargo build --release --example ipc_speed
//! target/release/examples/ipc_speed FILE [REPS]
//! ```
//!
//! Prints each call's wall time, their median, and the result's rows and summed total value (for
//! two builds to be compared).

mod timing;

use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use tradedep::metrics::kernel::importer_product_concentration_baci;

fn main() -> tradedep::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: ipc_speed FILE [REPS]");
    let reps: usize = args.next().map(|r| r.parse().expect("REPS is a number")).unwrap_or(5);
    let opts = timing::baci_hs2017()?;
    let mut times = vec![];
    let mut last = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let (out, _) = importer_product_concentration_baci(path.as_ref(), &opts)?;
        times.push(t0.elapsed().as_secs_f64());
        last = Some(out);
    }
    let out = last.expect("at least one repetition");
    let total: f64 = out
        .column_by_name("total_value")
        .expect("total_value column")
        .as_primitive::<Float64Type>()
        .values()
        .iter()
        .sum();
    println!("times_s {times:.3?}");
    println!("median_s {:.3}", timing::median(&mut times));
    println!("rows {} total_value {total:.6e}", out.num_rows());
    Ok(())
}
