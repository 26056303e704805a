//! Python bindings: the China customs (GACC) reader and currency conversion.
//! Conversions and thin wrappers only; the logic lives in `tradedep::io::gacc` and
//! `tradedep::model::currency`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatch;
use tradedep::io::gacc::{parse_period, read_gacc, GaccEncoding, GaccOptions, GaccTableKind};
use tradedep::model::currency::convert;
use tradedep::Flow;

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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_read_gacc, m)?)?;
    m.add_function(wrap_pyfunction!(_gacc_partners, m)?)?;
    m.add_function(wrap_pyfunction!(_to_currency, m)?)?;
    Ok(())
}
