//! Python bindings: io (BACI, generic CSV/Parquet, Arrow input, Parquet output).
//! Conversions and thin wrappers only; the readers live in `tradedep::io`.

use std::path::PathBuf;

use pyo3::prelude::*;
use tradedep::io::baci::{read_baci, BaciOptions, OnUnknownCountry};
use tradedep::Vintage;

use crate::errors::py_result;
use crate::table::PyTradeTable;

pub(crate) fn parse_vintage(v: Option<&str>) -> PyResult<Option<Vintage>> {
    py_result(v.map(Vintage::parse).transpose())
}

fn parse_on_unknown_country(s: &str) -> PyResult<OnUnknownCountry> {
    match s {
        "error" => Ok(OnUnknownCountry::Error),
        "set_aside" => Ok(OnUnknownCountry::SetAside),
        other => py_result(Err(tradedep::Error::invalid_argument(
            format!("on_unknown_country={other:?}"),
            "use \"error\" or \"set_aside\"",
        ))),
    }
}

/// Reads a BACI file (.csv, .csv.gz or CEPII's .zip). `progress(done, total)` is called from
/// the reading thread with the GIL taken for the call only.
#[pyfunction]
#[pyo3(signature = (path, vintage=None, years=None, on_unknown_country="error", progress=None))]
fn _read_baci(
    py: Python<'_>,
    path: PathBuf,
    vintage: Option<&str>,
    years: Option<Vec<i32>>,
    on_unknown_country: &str,
    progress: Option<Py<PyAny>>,
) -> PyResult<PyTradeTable> {
    let vintage = parse_vintage(vintage)?;
    let on_unknown_country = parse_on_unknown_country(on_unknown_country)?;
    let callback = move |done: u64, total: u64| {
        if let Some(cb) = &progress {
            // A failing progress bar must not stop the read.
            Python::attach(|py| {
                let _ = cb.call1(py, (done, total));
            });
        }
    };
    let table = py.detach(|| {
        let options = BaciOptions {
            vintage,
            years: years.as_deref(),
            on_unknown_country,
            progress: Some(&callback),
            ..Default::default()
        };
        read_baci(&path, &options)
    });
    Ok(PyTradeTable::new(py_result(table)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_read_baci, m)?)?;
    Ok(())
}
