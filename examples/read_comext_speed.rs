//! Times `read_comext` on one file in a release build (not a test):
//!
//! ```sh
//! cargo build --release --example read_comext_speed
//! target/release/examples/read_comext_speed FILE [REPS]
//! ```
//!
//! Prints each read's wall time, the median, and what was read (rows, value sum, report
//! counts) so that two builds can be checked to read the same thing.

mod timing;

use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use tradedep::io::comext::{read_comext, ComextOptions};

fn main() -> tradedep::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: read_comext_speed FILE [REPS]");
    let reps: usize = args.next().map(|r| r.parse().expect("REPS is a number")).unwrap_or(5);
    let mut times = vec![];
    let mut last = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let t = read_comext(path.as_ref(), &ComextOptions::default())?;
        times.push(t0.elapsed().as_secs_f64());
        last = Some(t);
    }
    let t = last.expect("at least one repetition");
    let mut value = 0.0;
    for b in t.batches() {
        let v = b
            .column_by_name("value")
            .expect("value column")
            .as_primitive::<Float64Type>();
        value += v.values().iter().sum::<f64>();
    }
    println!("times_s {times:.3?}");
    println!("median_s {:.3}", timing::median(&mut times));
    println!("rows {} value_sum {value}", t.num_rows());
    let r = t.report();
    println!("rows_read {} set_aside {:?}", r.rows_read, r.set_aside);
    for n in &r.notes {
        println!("note {n}");
    }
    Ok(())
}
