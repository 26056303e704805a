//! Python bindings: io (BACI, generic CSV/Parquet, Arrow input, Parquet output).
//! Conversions and thin wrappers only; the readers live in `tradedep::io`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3_arrow::input::AnyRecordBatch;
use tradedep::io::arrow_input::{from_record_batches_cancellable, ColumnMapping, CountryCoding};
use tradedep::io::baci::{read_baci, BaciOptions, OnUnknownCountry};
use tradedep::io::generic::{read_csv, read_parquet_cancellable, write_parquet, CsvOptions};
use tradedep::model::ValueBasis;
use tradedep::{Flow, Freq, Vintage};

use crate::cancel::run_cancellable;
use crate::errors::py_result;
use crate::table::PyTradeTable;

pub(crate) fn parse_vintage(v: Option<&str>) -> PyResult<Option<Vintage>> {
    py_result(v.map(Vintage::parse).transpose())
}

pub(crate) fn parse_on_unknown_country(s: &str) -> PyResult<OnUnknownCountry> {
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
#[pyo3(signature = (path, vintage=None, years=None, on_unknown_country="error", progress=None, importers=None))]
#[allow(clippy::too_many_arguments)]
fn _read_baci(
    py: Python<'_>,
    path: PathBuf,
    vintage: Option<&str>,
    years: Option<Vec<i32>>,
    on_unknown_country: &str,
    progress: Option<Py<PyAny>>,
    importers: Option<Vec<u16>>,
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
    let table = run_cancellable(py, |cancel| {
        let options = BaciOptions {
            vintage,
            years: years.as_deref(),
            importers: importers.as_deref(),
            on_unknown_country,
            progress: Some(&callback),
            cancel: Some(cancel),
            ..Default::default()
        };
        read_baci(&path, &options)
    })?;
    Ok(PyTradeTable::new(table))
}

/// How to read a table of the user's layout: the column mapping and the keyword arguments that go
/// with it, as `_io._mapping` builds them once for `from_arrow`, `read_csv` and `read_parquet`
/// (a dict with every key).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct MappingArg {
    columns: BTreeMap<String, String>,
    flow: Option<String>,
    freq: Option<String>,
    currency: String,
    vintage: Option<String>,
    unit: Option<String>,
    value_scale: f64,
    value_basis: Option<String>,
    country_coding: String,
    on_unknown_country: String,
    /// Name in the `source` column and the report; `None` keeps the core's default.
    source: Option<String>,
    /// Importers to keep (numeric codes, resolved by `_io._resolve_importers`); `None`: all.
    #[pyo3(default)]
    importers: Option<Vec<u16>>,
}

impl MappingArg {
    /// The core's column mapping, checked; a bad value names itself and the allowed ones.
    fn into_mapping(self) -> PyResult<ColumnMapping> {
        let mut m = ColumnMapping::new();
        m.columns = self.columns;
        m.flow = py_result(self.flow.as_deref().map(Flow::parse).transpose())?;
        m.freq = py_result(self.freq.as_deref().map(Freq::parse).transpose())?;
        m.currency = self.currency.to_ascii_uppercase();
        m.vintage = parse_vintage(self.vintage.as_deref())?;
        m.quantity_unit = self.unit;
        m.value_scale = self.value_scale;
        m.value_basis = match self.value_basis.map(|b| b.to_ascii_uppercase()) {
            None => None,
            Some(b) if b == "CIF" => Some(ValueBasis::Cif),
            Some(b) if b == "FOB" => Some(ValueBasis::Fob),
            Some(b) => {
                return py_result(Err(tradedep::Error::invalid_argument(
                    format!("value_basis={b:?}"),
                    "use \"CIF\" or \"FOB\"",
                )))
            }
        };
        m.country_coding = py_result(CountryCoding::parse(&self.country_coding))?;
        m.on_unknown_country = parse_on_unknown_country(&self.on_unknown_country)?;
        if let Some(s) = self.source {
            m.source = s;
        }
        if let Some(codes) = self.importers {
            m = m.importers(codes);
        }
        py_result(m.check())?;
        Ok(m)
    }
}

/// A TradeTable from any Arrow stream or batch (`__arrow_c_stream__` / `__arrow_c_array__`).
#[pyfunction]
fn _from_arrow(py: Python<'_>, data: AnyRecordBatch, mapping: MappingArg) -> PyResult<PyTradeTable> {
    let m = mapping.into_mapping()?;
    let reader = data.into_reader()?;
    let schema = reader.schema();
    let mut batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| crate::errors::to_py(tradedep::Error::arrow("reading the Arrow stream", e)))?;
    if batches.is_empty() {
        // A stream of no batches still has a schema: check it as the core checks batches.
        batches.push(arrow_array::RecordBatch::new_empty(schema));
    }
    let table = run_cancellable(py, |cancel| from_record_batches_cancellable(batches, &m, cancel))?;
    Ok(PyTradeTable::new(table))
}

#[pyfunction]
#[pyo3(signature = (path, mapping, delimiter=","))]
fn _read_csv(py: Python<'_>, path: PathBuf, mapping: MappingArg, delimiter: &str) -> PyResult<PyTradeTable> {
    let m = mapping.into_mapping()?;
    let delimiter = match delimiter.as_bytes() {
        [d] => *d,
        _ => {
            return py_result(Err(tradedep::Error::invalid_argument(
                format!("delimiter={delimiter:?}"),
                "pass one ASCII character such as \",\" or \";\"",
            )))
        }
    };
    let table = run_cancellable(py, |cancel| {
        let options = CsvOptions {
            delimiter,
            cancel: cancel.clone(),
        };
        read_csv(&path, &m, &options)
    })?;
    Ok(PyTradeTable::new(table))
}

/// `mapping=None` reads a file written by `write_parquet` (its metadata says how).
#[pyfunction]
#[pyo3(signature = (path, mapping=None))]
fn _read_parquet(py: Python<'_>, path: PathBuf, mapping: Option<MappingArg>) -> PyResult<PyTradeTable> {
    let m = mapping.map(MappingArg::into_mapping).transpose()?;
    let table = run_cancellable(py, |cancel| read_parquet_cancellable(&path, m.as_ref(), cancel))?;
    Ok(PyTradeTable::new(table))
}

#[pyfunction]
fn _write_parquet(py: Python<'_>, table: PyRef<'_, PyTradeTable>, path: PathBuf) -> PyResult<()> {
    let inner = &table.inner;
    run_cancellable(py, |_| write_parquet(inner, &path))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_read_baci, m)?)?;
    m.add_function(wrap_pyfunction!(_from_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(_read_csv, m)?)?;
    m.add_function(wrap_pyfunction!(_read_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(_write_parquet, m)?)?;
    Ok(())
}
