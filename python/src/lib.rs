//! Python bindings of tradedep: conversions and thin wrappers only; domain logic lives in the
//! core crate. Each concept registers its functions from its own module.

use pyo3::prelude::*;

mod errors;
mod table;

// One line per concept module; keep them in this order so parallel work merges cleanly.
// io: readers
// countries: country lookup and groups
// classify: product codes, lists, baskets
// metrics: shares, concentration, flags

#[pymodule]
fn _tradedep(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("_debug_build", cfg!(debug_assertions))?;
    errors::register(m)?;
    table::register(m)?;
    // register: io
    // register: countries
    // register: classify
    // register: metrics
    Ok(())
}
