//! Python bindings: the coverage check run before a metric (`metrics::check_selection`), its
//! facts returned as a dict for the result's notes and `method`. No domain logic.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tradedep::metrics::{self, country_label};

use crate::metrics::SelectionArg;
use crate::table::PyTradeTable;

fn labels(codes: &[u16]) -> Vec<String> {
    codes.iter().map(|c| country_label(*c)).collect()
}

/// Checks a selection (raises when it selects nothing) and returns what it covers.
#[pyfunction]
fn _coverage<'py>(py: Python<'py>, table: &PyTradeTable, selection: SelectionArg) -> PyResult<Bound<'py, PyDict>> {
    let (importers, imports) = selection.convert()?;
    let c = crate::cancel::run_with(py, imports.cancel.clone(), |_| {
        metrics::check_selection(&table.inner, importers.as_deref(), &imports)
    })?;
    coverage_dict(py, &c)
}

/// A [`metrics::Coverage`] as the dict `tradedep._method.describe` reads.
pub(crate) fn coverage_dict<'py>(py: Python<'py>, c: &metrics::Coverage) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("source_used", c.source_used.as_str())?;
    d.set_item("importers_reporting", labels(&c.importers_reporting))?;
    d.set_item("exporters_reporting", labels(&c.exporters_reporting))?;
    d.set_item("records_reported", c.records_reported)?;
    d.set_item("records_mirror", c.records_mirror)?;
    d.set_item("value_reported", c.value_reported)?;
    d.set_item("value_mirror", c.value_mirror)?;
    d.set_item("value_with_quantity", c.value_with_quantity)?;
    d.set_item("quantity_share", c.quantity_share())?;
    d.set_item("importers", labels(&c.importers))?;
    d.set_item("suppliers", labels(&c.suppliers))?;
    d.set_item("products_asked", c.products_asked)?;
    d.set_item("products_absent", &c.products_absent)?;
    d.set_item("products_selected", c.products_selected)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_coverage, m)?)?;
    Ok(())
}
