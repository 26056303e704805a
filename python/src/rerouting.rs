//! Python bindings: re-routing detection. One dict of arguments (built by
//! `tradedep._rerouting._arguments`) into the core's options, four RecordBatches into Arrow
//! tables; no domain logic.

use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use tradedep::metrics::{self, ExportSource, ReroutingOptions};

use crate::errors::py_result;
use crate::metrics::{one_importer, selection, to_table, ImporterArg};
use crate::table::PyTradeTable;

/// The arguments of `td.rerouting`, one dict with every key.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct ReroutingArg {
    origin: ImporterArg,
    hubs: Vec<u16>,
    target: u16,
    controls: Option<Vec<u16>>,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    by_product: bool,
    baseline: (i32, i32),
    after: Option<(i32, i32)>,
    exports: String,
    hub_exports: String,
    cif_fob: f64,
}

impl ReroutingArg {
    fn convert(self) -> PyResult<ReroutingOptions> {
        Ok(ReroutingOptions {
            origin: one_importer(self.origin)?,
            hubs: self.hubs,
            target: self.target,
            controls: self.controls,
            products: selection(self.products, &self.products_name, self.vintage)?,
            by_product: self.by_product,
            baseline: self.baseline,
            after: self.after,
            exports: py_result(ExportSource::parse(&self.exports))?,
            hub_exports: py_result(ExportSource::parse(&self.hub_exports))?,
            cif_fob: self.cif_fob,
            cancel: Default::default(),
        })
    }
}

/// The controls used, whether by the default rule, the sanctioned destinations left out, and
/// the dominant controls (code, product, share of the controls' baseline).
type ControlsFacts = (Vec<u16>, bool, Vec<u16>, Vec<(u16, Option<String>, f64)>);

/// The flows, summary, hub -> target and ghost tables, their notes and the controls' facts.
#[pyfunction]
fn _rerouting(
    py: Python<'_>,
    table: &PyTradeTable,
    arguments: ReroutingArg,
) -> PyResult<(PyTable, PyTable, PyTable, PyTable, Vec<String>, ControlsFacts)> {
    let opts = arguments.convert()?;
    let out = crate::cancel::run_with(py, opts.cancel.clone(), |_| metrics::rerouting(&table.inner, &opts))?;
    Ok((
        to_table(out.flows)?,
        to_table(out.summary)?,
        to_table(out.hub_target)?,
        to_table(out.ghost)?,
        out.notes,
        (
            out.controls,
            out.controls_default,
            out.sanctioned_left_out,
            out.dominant_controls,
        ),
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_rerouting, m)?)?;
    Ok(())
}
