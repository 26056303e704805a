//! The Python `TradeTable`: a handle on a core `TradeTable`, Arrow out through the PyCapsule
//! interface without copies.

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};
use pyo3_arrow::PyTable;
use tradedep::model::{Filter, Flow, Period};
use tradedep::TradeTable;

use crate::errors::py_result;

#[pyclass(name = "TradeTable", module = "tradedep._tradedep", frozen)]
pub struct PyTradeTable {
    pub inner: TradeTable,
}

impl PyTradeTable {
    pub fn new(inner: TradeTable) -> Self {
        PyTradeTable { inner }
    }
    pub fn to_pytable(&self) -> PyResult<PyTable> {
        PyTable::try_new(self.inner.batches().to_vec(), self.inner.schema())
    }
}

/// The report of a read as a plain dict (rows_read, rows_kept, set_aside, examples, notes, sources).
pub fn report_dict<'py>(py: Python<'py>, r: &tradedep::ReadReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("sources", r.sources.clone())?;
    d.set_item("rows_read", r.rows_read)?;
    d.set_item("rows_kept", r.rows_kept)?;
    d.set_item("rows_set_aside", r.rows_set_aside())?;
    d.set_item(
        "set_aside",
        r.set_aside
            .clone()
            .into_iter()
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )?;
    d.set_item("examples", r.examples.clone())?;
    d.set_item("notes", r.notes.clone())?;
    Ok(d)
}

#[pymethods]
impl PyTradeTable {
    #[getter]
    fn num_rows(&self) -> usize {
        self.inner.num_rows()
    }
    fn __len__(&self) -> usize {
        self.inner.num_rows()
    }
    /// What the reader did: rows read, kept, set aside by reason, notes.
    #[getter]
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        report_dict(py, self.inner.report())
    }
    /// The report as readable text.
    #[getter]
    fn report_text(&self) -> String {
        self.inner.report().to_string()
    }
    #[getter]
    fn currency(&self) -> String {
        self.inner.meta().currency.clone()
    }
    #[getter]
    fn freq(&self) -> &'static str {
        self.inner.meta().freq.as_str()
    }
    #[getter]
    fn vintage(&self) -> Option<String> {
        self.inner.meta().vintage.map(|v| v.name())
    }
    /// The importers a restricted read kept (`read_baci(importers=...)`), ISO3 codes where
    /// known; `None` for a table of every importer.
    #[getter]
    fn importers_read(&self) -> Option<Vec<String>> {
        let codes = self.inner.meta().importers.as_ref()?;
        Some(codes.iter().map(|c| tradedep::metrics::country_label(*c)).collect())
    }
    /// The restriction in words, as notes give it; `None` for a table of every importer.
    #[getter]
    fn restriction(&self) -> Option<String> {
        self.inner.meta().restriction()
    }
    /// `[(year, vintage)]` of a table whose codes change nomenclature with the period; empty
    /// when one vintage holds for every period.
    #[getter]
    fn period_vintages(&self) -> Vec<(i32, String)> {
        self.inner
            .meta()
            .period_vintages
            .iter()
            .map(|(y, v)| (*y, v.name()))
            .collect()
    }
    /// The same rows with per-year vintages `[(year, vintage)]` (the read report gains a note).
    fn with_period_vintages(&self, years: Vec<(i32, String)>) -> PyResult<PyTradeTable> {
        let years: Vec<(i32, tradedep::Vintage)> = years
            .into_iter()
            .map(|(y, v)| Ok((y, py_result(tradedep::Vintage::parse(&v))?)))
            .collect::<PyResult<_>>()?;
        let text: Vec<String> = years.iter().map(|(y, v)| format!("{y}={v}")).collect();
        let meta = self.inner.meta().clone().with_period_vintages(years);
        let mut report = self.inner.report().clone();
        report.note(format!("vintages per period set by the caller: {}", text.join(", ")));
        Ok(PyTradeTable::new(py_result(TradeTable::from_validated_batches(
            self.inner.batches().to_vec(),
            meta,
            report,
        ))?))
    }
    /// The table as an Arrow table (arro3-compatible, usable by pyarrow/polars/duckdb without copy).
    fn _arrow_table(&self) -> PyResult<PyTable> {
        self.to_pytable()
    }
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = self.to_pytable()?.into_pyobject(py)?;
        t.call_method1("__arrow_c_stream__", (requested_schema,))
    }
    #[pyo3(signature = (reporters=None, partners=None, flows=None, products=None, period_from=None, period_to=None))]
    fn _filter(
        &self,
        reporters: Option<Vec<u16>>,
        partners: Option<Vec<u16>>,
        flows: Option<Vec<String>>,
        products: Option<Vec<String>>,
        period_from: Option<String>,
        period_to: Option<String>,
    ) -> PyResult<PyTradeTable> {
        let flows = flows
            .map(|fs| fs.iter().map(|f| Flow::parse(f)).collect::<Result<Vec<_>, _>>())
            .transpose();
        let mut filter = Filter {
            reporters,
            partners,
            flows: py_result(flows)?,
            products,
            ..Default::default()
        };
        filter.period_from = py_result(period_from.map(|p| Period::parse(&p).map(|p| p.code())).transpose())?;
        filter.period_to = py_result(period_to.map(|p| Period::parse(&p).map(|p| p.code())).transpose())?;
        Ok(PyTradeTable::new(py_result(self.inner.filter(&filter))?))
    }
}

/// The small SYNTHETIC demo table (monthly imports of Russia and Ukraine, HS2022, USD).
#[pyfunction]
fn demo_table() -> PyResult<PyTradeTable> {
    Ok(PyTradeTable::new(py_result(tradedep::demo::demo_table())?))
}

/// Appends tables of one frequency, currency and vintage (`TradeTable::concat`); batches are
/// shared, not copied.
#[pyfunction]
fn concat(tables: Vec<PyRef<'_, PyTradeTable>>) -> PyResult<PyTradeTable> {
    let inner = tables.iter().map(|t| t.inner.clone()).collect();
    Ok(PyTradeTable::new(py_result(TradeTable::concat(inner))?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTradeTable>()?;
    m.add_function(wrap_pyfunction!(demo_table, m)?)?;
    m.add_function(wrap_pyfunction!(concat, m)?)?;
    Ok(())
}
