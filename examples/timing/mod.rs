//! What the timing examples share (`mod timing;` in each): the BACI-shaped benchmark year read
//! with its HS vintage, and the median of a run's call times. Not an example itself (no
//! `main.rs`).

// Each example uses the part it needs.
#![allow(dead_code)]

use std::time::Instant;

use tradedep::io::{read_baci, BaciOptions};
use tradedep::model::Vintage;
use tradedep::TradeTable;

/// Reading options for the benchmark files: their names carry no HS vintage, their codes are
/// HS2017.
pub fn baci_hs2017() -> tradedep::Result<BaciOptions<'static>> {
    Ok(BaciOptions {
        vintage: Some(Vintage::parse("HS2017")?),
        ..Default::default()
    })
}

/// The year at `path` read as [`baci_hs2017`]; prints the read's time and rows (`read_s`).
pub fn read_hs2017(path: &str) -> tradedep::Result<TradeTable> {
    let t0 = Instant::now();
    let table = read_baci(path.as_ref(), &baci_hs2017()?)?;
    println!("read_s {:.3} rows {}", t0.elapsed().as_secs_f64(), table.num_rows());
    Ok(table)
}

/// The median of `times` (sorted in place; at least one).
pub fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
