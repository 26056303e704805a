//! Python bindings: the China customs (GACC) reader, currency conversion and the import panel.
//! Conversions and thin wrappers only; the logic lives in `tradedep::io::gacc` and
//! `tradedep::model::currency`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatch;
use tradedep::io::gacc::{parse_period, read_gacc, GaccEncoding, GaccOptions, GaccTableKind};
use tradedep::metrics::panel::{import_panel, PanelOptions};
use tradedep::model::currency::convert;
use tradedep::{Flow, Vintage};

use crate::errors::py_result;
use crate::io::{parse_on_unknown_country, parse_vintage};
use crate::table::PyTradeTable;

/// Reads a GACC export; returns `(table, details)` with `details` row-aligned.
#[pyfunction]
#[pyo3(signature = (path, period=None, flow=None, table=None, vintage=None, encoding="auto", on_unknown_country="error"))]
#[allow(clippy::too_many_arguments)]
fn _read_gacc(
    py: Python<'_>,
    path: PathBuf,
    period: Option<&str>,
    flow: Option<&str>,
    table: Option<&str>,
    vintage: Option<&str>,
    encoding: &str,
    on_unknown_country: &str,
) -> PyResult<(PyTradeTable, PyRecordBatch)> {
    let period = match period {
        None => None,
        Some(p) => Some(py_result(parse_period(p).ok_or_else(|| {
            tradedep::Error::invalid_argument(
                format!("period {p:?}"),
                "use \"YYYY-MM\" (a month) or \"YYYY\" (a year)",
            )
        }))?),
    };
    let opts = GaccOptions {
        period,
        flow: py_result(flow.map(Flow::parse).transpose())?,
        kind: py_result(table.map(GaccTableKind::parse).transpose())?,
        vintage: parse_vintage(vintage)?,
        encoding: py_result(GaccEncoding::parse(encoding))?,
        on_unknown_country: parse_on_unknown_country(on_unknown_country)?,
    };
    let read = py_result(py.detach(|| read_gacc(&path, &opts)))?;
    Ok((PyTradeTable::new(read.table), PyRecordBatch::new(read.details)))
}

/// The embedded GACC partner table: `(gacc code, English, Chinese, Comtrade code)` rows.
#[pyfunction]
fn _gacc_partners() -> Vec<(u16, &'static str, &'static str, u16)> {
    tradedep::io::gacc::partners::table().collect()
}

/// `table` converted to `to` at `rates[period]` (units of `to` per unit of the table's currency);
/// `how` names the rates' source and averaging (kept in the report's notes).
#[pyfunction]
fn _to_currency(table: &PyTradeTable, to: &str, rates: BTreeMap<i32, f64>, how: &str) -> PyResult<PyTradeTable> {
    Ok(PyTradeTable::new(py_result(convert(&table.inner, to, &rates, how))?))
}

/// The import panel of `importer` from `(name, table)` sources in order of priority:
/// `(table, overlaps, missing, expected partners, notes)`.
#[pyfunction]
#[pyo3(signature = (sources, importer, vintage, expected=None))]
#[allow(clippy::type_complexity)]
fn _import_panel(
    py: Python<'_>,
    sources: Vec<(String, PyRef<'_, PyTradeTable>)>,
    importer: u16,
    vintage: &str,
    expected: Option<Vec<u16>>,
) -> PyResult<(PyTradeTable, PyRecordBatch, PyRecordBatch, Vec<u16>, Vec<String>)> {
    let sources: Vec<(String, tradedep::TradeTable)> = sources.into_iter().map(|(n, t)| (n, t.inner.clone())).collect();
    let opts = PanelOptions {
        importer,
        vintage: py_result(Vintage::parse(vintage))?,
        expected,
    };
    let p = py_result(py.detach(|| import_panel(&sources, &opts)))?;
    Ok((
        PyTradeTable::new(p.table),
        PyRecordBatch::new(p.overlaps),
        PyRecordBatch::new(p.missing),
        p.expected,
        p.notes,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_read_gacc, m)?)?;
    m.add_function(wrap_pyfunction!(_gacc_partners, m)?)?;
    m.add_function(wrap_pyfunction!(_to_currency, m)?)?;
    m.add_function(wrap_pyfunction!(_import_panel, m)?)?;
    Ok(())
}
