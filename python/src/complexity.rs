//! Python bindings: economic complexity (RCA, ECI, PCI). Arguments into the core's options,
//! RecordBatches into Arrow tables; no domain logic.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::PyTable;
use tradedep::metrics::{self, ComplexityOptions, ExportSource, PciScale, RcaOptions};

use crate::cancel::run_with;
use crate::coverage::coverage_dict;
use crate::errors::py_result;
use crate::metrics::to_table;
use crate::table::PyTradeTable;

fn rca_options(exports: &str, digits: Option<usize>, threshold: f64) -> PyResult<RcaOptions> {
    Ok(RcaOptions {
        exports: py_result(ExportSource::parse(exports))?,
        digits,
        threshold,
        cancel: Default::default(),
    })
}

/// The RCA table, its notes and what the export view covers (as `_coverage` gives it).
#[pyfunction]
#[pyo3(signature = (table, exports="reported", digits=None, threshold=1.0))]
fn _rca<'py>(
    py: Python<'py>,
    table: &PyTradeTable,
    exports: &str,
    digits: Option<usize>,
    threshold: f64,
) -> PyResult<(PyTable, Vec<String>, Bound<'py, PyDict>)> {
    let opts = rca_options(exports, digits, threshold)?;
    let out = run_with(py, opts.cancel.clone(), |_| metrics::rca(&table.inner, &opts))?;
    Ok((to_table(out.table)?, out.notes, coverage_dict(py, &out.coverage)?))
}

/// RCA, ECI and PCI tables, notes, and the coverage dict of the export view.
type ComplexityOut<'py> = (PyTable, PyTable, PyTable, Vec<String>, Bound<'py, PyDict>);

/// The RCA, ECI and PCI tables, their notes and what the export view covers.
#[pyfunction]
#[pyo3(signature = (table, exports="reported", digits=None, threshold=1.0, pci_scale="eci"))]
fn _complexity<'py>(
    py: Python<'py>,
    table: &PyTradeTable,
    exports: &str,
    digits: Option<usize>,
    threshold: f64,
    pci_scale: &str,
) -> PyResult<ComplexityOut<'py>> {
    let opts = ComplexityOptions {
        rca: rca_options(exports, digits, threshold)?,
        pci_scale: py_result(PciScale::parse(pci_scale))?,
    };
    let out = run_with(py, opts.rca.cancel.clone(), |_| {
        metrics::complexity(&table.inner, &opts)
    })?;
    Ok((
        to_table(out.rca)?,
        to_table(out.eci)?,
        to_table(out.pci)?,
        out.notes,
        coverage_dict(py, &out.coverage)?,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_rca, m)?)?;
    m.add_function(wrap_pyfunction!(_complexity, m)?)?;
    Ok(())
}
