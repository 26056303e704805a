//! Python bindings of tradedep: conversions and thin wrappers only; domain logic lives in the
//! core crate. Each concept registers its functions from its own module.

use pyo3::prelude::*;

mod cancel;
mod classify;
mod complexity;
mod countries;
mod coverage;
mod errors;
mod gacc;
mod io;
mod metrics;
mod readers_stats;
mod rerouting;
mod table;

// One file per concept: io (BACI, generic CSV/Parquet/Arrow), readers_stats (Comtrade, Comext),
// countries, classify, metrics, complexity, rerouting.

#[pymodule]
fn _tradedep(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("_debug_build", cfg!(debug_assertions))?;
    errors::register(m)?;
    table::register(m)?;
    io::register(m)?;
    readers_stats::register(m)?;
    countries::register(m)?;
    classify::register(m)?;
    metrics::register(m)?;
    complexity::register(m)?;
    rerouting::register(m)?;
    gacc::register(m)?;
    coverage::register(m)?;
    Ok(())
}
