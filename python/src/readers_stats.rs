//! Python bindings: readers of statistics offices' files (UN Comtrade, Eurostat Comext).
//! Argument conversion only; the readers live in `tradedep::io::{comtrade, comext}`.

use std::path::PathBuf;

use pyo3::prelude::*;
use tradedep::io::comext::{read_comext as core_read_comext, ComextLevel, ComextOptions};
use tradedep::io::comtrade::{read_comtrade as core_read_comtrade, Breakdown, CommodityLevel, ComtradeOptions};
use tradedep::model::{Freq, Vintage};

use crate::cancel::run_cancellable;
use crate::errors::py_result;
use crate::table::PyTradeTable;

fn parse_freq(freq: Option<&str>) -> PyResult<Option<Freq>> {
    py_result(freq.map(Freq::parse).transpose())
}

fn parse_vintage(vintage: Option<&str>) -> PyResult<Option<Vintage>> {
    py_result(vintage.map(Vintage::parse).transpose())
}

/// A Comtrade commodity level as Python gives it: `6` or `"TOTAL"`.
#[derive(FromPyObject)]
enum LevelArg {
    Digits(i64),
    Name(String),
}

fn parse_level(level: Option<LevelArg>) -> PyResult<Option<CommodityLevel>> {
    let parsed = match level {
        None => None,
        Some(LevelArg::Digits(n)) => Some(CommodityLevel::parse(&n.to_string())),
        Some(LevelArg::Name(s)) => Some(CommodityLevel::parse(&s)),
    };
    py_result(parsed.transpose())
}

/// Reads a UN Comtrade CSV (Comtrade Plus or legacy names, optionally .gz) or API JSON.
#[pyfunction]
#[pyo3(signature = (path, breakdown="totals", level=None, freq=None, vintage=None))]
fn _read_comtrade(
    py: Python<'_>,
    path: PathBuf,
    breakdown: &str,
    level: Option<LevelArg>,
    freq: Option<&str>,
    vintage: Option<&str>,
) -> PyResult<PyTradeTable> {
    let opts = ComtradeOptions {
        breakdown: py_result(Breakdown::parse(breakdown))?,
        level: parse_level(level)?,
        freq: parse_freq(freq)?,
        vintage: parse_vintage(vintage)?,
        cancel: Default::default(),
    };
    let table = run_cancellable(py, |cancel| {
        let opts = ComtradeOptions {
            cancel: cancel.clone(),
            ..opts
        };
        core_read_comtrade(&path, &opts)
    })?;
    Ok(PyTradeTable::new(table))
}

/// Reads a Eurostat Comext bulk file (.7z, .dat, .csv, optionally .gz) or long table, in EUR.
#[pyfunction]
#[pyo3(signature = (path, level="CN8", freq=None, vintage=None))]
fn _read_comext(
    py: Python<'_>,
    path: PathBuf,
    level: &str,
    freq: Option<&str>,
    vintage: Option<&str>,
) -> PyResult<PyTradeTable> {
    let opts = ComextOptions {
        level: py_result(ComextLevel::parse(level))?,
        freq: parse_freq(freq)?,
        vintage: parse_vintage(vintage)?,
        cancel: Default::default(),
    };
    let table = run_cancellable(py, |cancel| {
        let opts = ComextOptions {
            cancel: cancel.clone(),
            ..opts
        };
        core_read_comext(&path, &opts)
    })?;
    Ok(PyTradeTable::new(table))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_read_comtrade, m)?)?;
    m.add_function(wrap_pyfunction!(_read_comext, m)?)?;
    Ok(())
}
