//! Python bindings: classify (product codes, nomenclatures, concordances, lists, baskets,
//! classify, explain). Conversions and thin wrappers only.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::cancel::run_cancellable;
use crate::errors::InvalidArgumentError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3_arrow::PyTable;
use tradedep::classify::list::{CsvListOptions, ListEntry};
use tradedep::classify::{
    self as core, basket, chpl, dual_use, Basket, Concordances, Correlation, Nomenclature, ProductList, Weighting,
};
use tradedep::{ProductCode, Vintage};

use crate::errors::{py_result, to_py};
use crate::table::PyTradeTable;

fn vintage(s: &str) -> PyResult<Vintage> {
    py_result(Vintage::parse(s))
}

fn opt_vintage(s: Option<&str>) -> PyResult<Option<Vintage>> {
    s.map(vintage).transpose()
}

/// `None`/"continuity" -> continuity (the default); "equal" -> equal split; a TradeTable -> its
/// trade shares over `base_from..=base_to`; a dict code -> value -> shares of those values
/// (codes of `dict_vintage`).
fn weighting(
    w: Option<&Bound<'_, PyAny>>,
    base_from: Option<i32>,
    base_to: Option<i32>,
    dict_vintage: Vintage,
) -> PyResult<Weighting> {
    let Some(w) = w else { return Ok(Weighting::default()) };
    if w.is_none() {
        return Ok(Weighting::default());
    }
    if let Ok(s) = w.extract::<String>() {
        return match s.as_str() {
            "continuity" => Ok(Weighting::Continuity),
            "equal" => Ok(Weighting::Equal),
            _ => Err(to_py(tradedep::Error::invalid_argument(
                format!("unknown weighting {s:?}"),
                "use \"continuity\" (the default), \"equal\", a TradeTable of a base period, or a dict code -> base-period value",
            ))),
        };
    }
    if let Ok(t) = w.cast::<PyTradeTable>() {
        return py_result(Weighting::trade_shares(&t.get().inner, base_from, base_to));
    }
    if let Ok(values) = w.extract::<HashMap<String, f64>>() {
        return Ok(Weighting::TradeShares {
            vintage: dict_vintage.hs_base(),
            values,
            base: "base-period values given by the caller".into(),
        });
    }
    Err(InvalidArgumentError::new_err(
        "weighting is \"continuity\" (the default), \"equal\", a TradeTable (base period) or a dict code -> value",
    ))
}

/// The caller's tables, else the UNSD tables of every HS edition embedded in tradedep (the one
/// documented default: no state kept between calls).
fn concordances_or_default(_py: Python<'_>, c: Option<PyRef<'_, PyConcordances>>) -> PyResult<Concordances> {
    Ok(match c {
        Some(c) => c.inner.clone(),
        None => Concordances::embedded(),
    })
}

// ---- product codes ------------------------------------------------------------------------

/// A product code with its vintage: `hs("854231")`.
#[pyclass(name = "ProductCode", module = "tradedep._tradedep", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash, Clone)]
pub struct PyProductCode {
    inner: ProductCode,
}

#[pymethods]
impl PyProductCode {
    #[new]
    #[pyo3(signature = (code, vintage="HS2022"))]
    fn new(code: &str, vintage: &str) -> PyResult<Self> {
        Ok(PyProductCode {
            inner: py_result(ProductCode::new(code, self::vintage(vintage)?))?,
        })
    }
    #[getter]
    fn digits(&self) -> &str {
        self.inner.digits()
    }
    #[getter]
    fn vintage(&self) -> String {
        self.inner.vintage().name()
    }
    /// The HS edition the code's nomenclature is built on (CN2023 -> HS2022).
    #[getter]
    fn hs_vintage(&self) -> String {
        self.inner.vintage().hs_base().name()
    }
    #[getter]
    fn chapter(&self) -> &str {
        self.inner.chapter()
    }
    #[getter]
    fn heading(&self) -> Option<&str> {
        self.inner.heading()
    }
    #[getter]
    fn subheading(&self) -> Option<&str> {
        self.inner.subheading()
    }
    #[getter]
    fn national_extension(&self) -> Option<&str> {
        self.inner.national_extension()
    }
    #[getter]
    fn level(&self) -> &'static str {
        self.inner.level().as_str()
    }
    fn parent(&self) -> Option<PyProductCode> {
        self.inner.parent().map(|inner| PyProductCode { inner })
    }
    fn ancestors(&self) -> Vec<PyProductCode> {
        self.inner
            .ancestors()
            .into_iter()
            .map(|inner| PyProductCode { inner })
            .collect()
    }
    fn is_within(&self, other: &PyProductCode) -> bool {
        self.inner.is_within(&other.inner)
    }
    fn __str__(&self) -> &str {
        self.inner.digits()
    }
    fn __repr__(&self) -> String {
        format!(
            "ProductCode('{}', vintage='{}')",
            self.inner.digits(),
            self.inner.vintage()
        )
    }
}

/// `hs("854231", "HS2022")`: a checked product code.
#[pyfunction]
#[pyo3(signature = (code, vintage="HS2022"))]
fn hs(code: &str, vintage: &str) -> PyResult<PyProductCode> {
    PyProductCode::new(code, vintage)
}

// ---- nomenclature -------------------------------------------------------------------------

#[pyclass(name = "Nomenclature", module = "tradedep._tradedep", frozen)]
pub struct PyNomenclature {
    inner: Nomenclature,
}

#[pymethods]
impl PyNomenclature {
    #[staticmethod]
    #[pyo3(signature = (path, vintage=None))]
    fn load(path: PathBuf, vintage: Option<&str>) -> PyResult<Self> {
        Ok(PyNomenclature {
            inner: py_result(Nomenclature::load(path, opt_vintage(vintage)?))?,
        })
    }
    #[getter]
    fn vintage(&self) -> String {
        self.inner.vintage().name()
    }
    #[getter]
    fn source(&self) -> &str {
        self.inner.source()
    }
    fn __len__(&self) -> usize {
        self.inner.len()
    }
    fn __contains__(&self, code: &str) -> bool {
        self.inner.contains(code)
    }
    fn describe(&self, code: &str) -> PyResult<String> {
        py_result(self.inner.describe(code))
    }
    fn description(&self, code: &str) -> Option<String> {
        self.inner.get(code).map(|e| e.description.clone())
    }
    /// `(known codes, [(code, reason)])`: nothing is dropped.
    fn check(&self, codes: Vec<String>) -> (Vec<String>, Vec<(String, String)>) {
        let c = self.inner.check(codes);
        (c.known, c.unknown)
    }
    fn __repr__(&self) -> String {
        format!(
            "Nomenclature({}, {} codes, from {})",
            self.inner.vintage(),
            self.inner.len(),
            self.inner.source()
        )
    }
}

// ---- concordances -------------------------------------------------------------------------

#[pyclass(name = "Concordances", module = "tradedep._tradedep")]
pub struct PyConcordances {
    inner: Concordances,
}

fn split_dict<'py>(py: Python<'py>, s: core::Split) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("code", s.code)?;
    d.set_item("from", s.from.name())?;
    d.set_item("to", s.to.name())?;
    d.set_item("parts", s.parts)?;
    d.set_item("weighting", s.weighting)?;
    d.set_item("path", s.path)?;
    Ok(d)
}

#[pymethods]
impl PyConcordances {
    #[new]
    fn new() -> Self {
        PyConcordances {
            inner: Concordances::new(),
        }
    }
    /// The UNSD correlation tables of every HS edition (HS1992 ... HS2022) built into tradedep.
    #[staticmethod]
    fn embedded() -> Self {
        PyConcordances {
            inner: Concordances::embedded(),
        }
    }
    /// These tables plus the embedded ones for every pair of editions they do not cover.
    fn with_embedded(&self) -> Self {
        PyConcordances {
            inner: self.inner.clone().with_embedded(),
        }
    }
    /// The direct successors of `code` (edition `from_`) in edition `to` (one table, no chain):
    /// the same code when it continues and the codes that correspond to it alone.
    fn successors(&self, code: &str, from_: &str, to: &str) -> PyResult<Vec<String>> {
        let steps = py_result(self.inner.path(vintage(from_)?, vintage(to)?))?;
        match steps.as_slice() {
            [(t, a, _)] => py_result(t.successors(code, *a)),
            _ => Err(to_py(tradedep::Error::invalid_argument(
                format!("no direct table between {from_} and {to}"),
                "ask for editions with a direct table (Concordances.tables())",
            ))),
        }
    }
    /// Every correlation table (CSV or UNSD .xlsx) of a folder.
    #[staticmethod]
    fn load_dir(path: PathBuf) -> PyResult<Self> {
        Ok(PyConcordances {
            inner: py_result(Concordances::load_dir(path))?,
        })
    }
    /// Adds one correlation table (CSV or the UNSD workbook).
    fn add(&mut self, path: PathBuf) -> PyResult<()> {
        let c = py_result(Correlation::load(path))?;
        self.inner.add(c);
        Ok(())
    }
    /// `[(vintage a, vintage b, source)]`.
    fn tables(&self) -> Vec<(String, String, String)> {
        self.inner
            .tables()
            .map(|t| (t.vintages().0.name(), t.vintages().1.name(), t.source().to_string()))
            .collect()
    }
    /// Sources of the tables from `from_` to `to` (a chain when no direct table exists).
    fn path(&self, from_: &str, to: &str) -> PyResult<Vec<String>> {
        Ok(py_result(self.inner.path(vintage(from_)?, vintage(to)?))?
            .iter()
            .map(|(t, _, _)| t.source().to_string())
            .collect())
    }
    /// How `code` of `from_` divides among codes of `to`: `{"code", "from", "to", "parts",
    /// "weighting", "path"}`. `weighting`: None/"continuity" (default), "equal", a base-period
    /// TradeTable or a dict code -> value; `"weighting"` in the answer is the one applied.
    #[pyo3(signature = (code, from_, to, weighting=None, base_from=None, base_to=None))]
    #[allow(clippy::too_many_arguments)]
    fn split<'py>(
        &self,
        py: Python<'py>,
        code: &str,
        from_: &str,
        to: &str,
        weighting: Option<&Bound<'py, PyAny>>,
        base_from: Option<i32>,
        base_to: Option<i32>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let to = vintage(to)?;
        let w = self::weighting(weighting, base_from, base_to, to)?;
        split_dict(py, py_result(self.inner.split(code, vintage(from_)?, to, &w))?)
    }
    /// The table in HS edition `to` (weighting as in `split`; the report's notes name it).
    #[pyo3(signature = (table, to, weighting=None, base_from=None, base_to=None))]
    fn convert_table(
        &self,
        py: Python<'_>,
        table: &PyTradeTable,
        to: &str,
        weighting: Option<&Bound<'_, PyAny>>,
        base_from: Option<i32>,
        base_to: Option<i32>,
    ) -> PyResult<PyTradeTable> {
        let to = vintage(to)?;
        let w = self::weighting(weighting, base_from, base_to, to)?;
        let converted = run_cancellable(py, |_| self.inner.convert_table(&table.inner, to, &w))?;
        Ok(PyTradeTable::new(converted))
    }
    fn __repr__(&self) -> String {
        let t: Vec<String> = self
            .inner
            .tables()
            .map(|t| format!("{}-{}", t.vintages().0, t.vintages().1))
            .collect();
        format!("Concordances([{}])", t.join(", "))
    }
}

// ---- lists --------------------------------------------------------------------------------

#[pyclass(name = "ProductList", module = "tradedep._tradedep", frozen)]
pub struct PyProductList {
    pub inner: ProductList,
}

fn entry_dict<'py>(py: Python<'py>, e: &ListEntry) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("code", &e.code)?;
    d.set_item("tier", &e.attrs.tier)?;
    d.set_item("category", &e.attrs.category)?;
    d.set_item("control_entries", &e.attrs.control_entries)?;
    d.set_item("description", &e.attrs.description)?;
    d.set_item("line", e.line)?;
    for (k, v) in &e.attrs.extra {
        d.set_item(k, v)?;
    }
    Ok(d)
}

fn weights_dict(sel: tradedep::model::ProductSelection) -> HashMap<String, f64> {
    sel.entries.into_iter().collect()
}

#[pymethods]
impl PyProductList {
    /// A user list from .toml / .json, or .csv with name, version and vintage given here.
    #[staticmethod]
    #[pyo3(signature = (path, name=None, version=None, vintage=None, effective=None, tiers=None))]
    fn load(
        path: PathBuf,
        name: Option<String>,
        version: Option<String>,
        vintage: Option<&str>,
        effective: Option<String>,
        tiers: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let opts = match (&name, &version, vintage) {
            (Some(n), Some(v), Some(vt)) => Some(CsvListOptions {
                name: n.clone(),
                version: v.clone(),
                effective,
                vintage: self::vintage(vt)?,
                tiers: tiers.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(PyProductList {
            inner: py_result(ProductList::load(path, opts.as_ref()))?,
        })
    }
    #[staticmethod]
    fn chpl() -> Self {
        PyProductList { inner: chpl::chpl() }
    }
    #[staticmethod]
    #[pyo3(signature = (path, version="2022-10-07", cn_year=2022))]
    fn eu833(path: PathBuf, version: &str, cn_year: u16) -> PyResult<Self> {
        Ok(PyProductList {
            inner: py_result(ProductList::from_eu833_csv(path, version, cn_year))?,
        })
    }
    #[staticmethod]
    fn dual_use_correlation(path: PathBuf, cn_year: u16, version: &str) -> PyResult<Self> {
        Ok(PyProductList {
            inner: py_result(dual_use::load_correlation(path, cn_year, version))?,
        })
    }
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }
    #[getter]
    fn version(&self) -> &str {
        self.inner.version()
    }
    #[getter]
    fn effective(&self) -> Option<String> {
        self.inner.meta.effective.clone()
    }
    #[getter]
    fn source(&self) -> &str {
        &self.inner.meta.source
    }
    #[getter]
    fn vintage(&self) -> String {
        self.inner.vintage().name()
    }
    fn tiers(&self) -> Vec<String> {
        self.inner.tiers()
    }
    fn tier(&self, tier: &str) -> PyResult<Self> {
        Ok(PyProductList {
            inner: py_result(self.inner.tier(tier))?,
        })
    }
    fn codes(&self) -> Vec<String> {
        self.inner.codes().map(String::from).collect()
    }
    fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .entries()
            .iter()
            .map(|e| entry_dict(py, e))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }
    fn __len__(&self) -> usize {
        self.inner.len()
    }
    fn __contains__(&self, code: &str) -> bool {
        self.inner.lookup(code).is_some()
    }
    /// The entry `code` (same HS edition) falls under, with `match` = exact/prefix, or None.
    fn lookup<'py>(&self, py: Python<'py>, code: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        match self.inner.lookup(code) {
            None => Ok(None),
            Some((e, k)) => {
                let d = entry_dict(py, e)?;
                d.set_item("match", k.as_str())?;
                Ok(Some(d))
            }
        }
    }
    /// Changes from `older` to this version.
    /// Raises when a code does not exist in `nomenclature` (the list's HS edition).
    fn check(&self, nomenclature: &PyNomenclature) -> PyResult<()> {
        py_result(self.inner.check_against(&nomenclature.inner))
    }
    fn diff<'py>(&self, py: Python<'py>, older: &PyProductList) -> PyResult<Bound<'py, PyDict>> {
        let d = self.inner.diff(&older.inner);
        let out = PyDict::new(py);
        out.set_item("old_version", &d.old_version)?;
        out.set_item("new_version", &d.new_version)?;
        out.set_item("added", &d.added)?;
        out.set_item("removed", &d.removed)?;
        out.set_item("changed", &d.changed)?;
        out.set_item("text", d.to_string())?;
        Ok(out)
    }
    /// Code or prefix -> weight for data of `vintage` (None: the list's own).
    #[pyo3(signature = (vintage=None, concordances=None, weighting=None, base_from=None, base_to=None))]
    fn _product_weights(
        &self,
        py: Python<'_>,
        vintage: Option<&str>,
        concordances: Option<PyRef<'_, PyConcordances>>,
        weighting: Option<&Bound<'_, PyAny>>,
        base_from: Option<i32>,
        base_to: Option<i32>,
    ) -> PyResult<HashMap<String, f64>> {
        let w = self::weighting(weighting, base_from, base_to, self.inner.vintage())?;
        let c = concordances_or_default(py, concordances)?;
        Ok(weights_dict(py_result(self.inner.to_selection(
            opt_vintage(vintage)?,
            &c,
            &w,
        ))?))
    }
    /// `(lower, upper)` code -> weight for data of `vintage`: exact codes only / every linked
    /// code whole (see `tradedep::classify::list::bounds`).
    #[pyo3(signature = (vintage, concordances=None))]
    fn _product_bounds(
        &self,
        py: Python<'_>,
        vintage: &str,
        concordances: Option<PyRef<'_, PyConcordances>>,
    ) -> PyResult<(HashMap<String, f64>, HashMap<String, f64>)> {
        let c = concordances_or_default(py, concordances)?;
        let (lo, hi) = py_result(self.inner.bounds(self::vintage(vintage)?, &c))?;
        Ok((weights_dict(lo), weights_dict(hi)))
    }
    /// `[{"code", "weight", "entries", "weighting"}]`: the codes of `vintage` standing for the list.
    #[pyo3(signature = (vintage, concordances=None, weighting=None, base_from=None, base_to=None))]
    fn map_to<'py>(
        &self,
        py: Python<'py>,
        vintage: &str,
        concordances: Option<PyRef<'py, PyConcordances>>,
        weighting: Option<&Bound<'py, PyAny>>,
        base_from: Option<i32>,
        base_to: Option<i32>,
    ) -> PyResult<Bound<'py, PyList>> {
        let w = self::weighting(weighting, base_from, base_to, self.inner.vintage())?;
        let c = concordances_or_default(py, concordances)?;
        let m = py_result(self.inner.map_to(self::vintage(vintage)?, &c, &w))?;
        let items = m
            .codes
            .iter()
            .map(|c| {
                let d = PyDict::new(py);
                d.set_item("code", &c.code)?;
                d.set_item("weight", c.weight)?;
                let via: Vec<(String, f64)> = c
                    .via
                    .iter()
                    .filter_map(|(i, w)| self.inner.entries().get(*i).map(|e| (e.code.clone(), *w)))
                    .collect();
                d.set_item("entries", via)?;
                d.set_item("weighting", &c.weighting)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }
    fn __repr__(&self) -> String {
        format!(
            "ProductList('{}', version='{}', vintage='{}', {} entries)",
            self.inner.name(),
            self.inner.version(),
            self.inner.vintage(),
            self.inner.len()
        )
    }
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        slf.py()
            .import("tradedep._classify")?
            .getattr("_list_html")?
            .call1((slf,))?
            .extract()
    }
}

// ---- baskets ------------------------------------------------------------------------------

#[pyclass(name = "Basket", module = "tradedep._tradedep", frozen)]
pub struct PyBasket {
    pub inner: Basket,
}

#[pymethods]
impl PyBasket {
    #[new]
    #[pyo3(signature = (name, codes, vintage="HS2022", reasoning=""))]
    fn new(name: &str, codes: Vec<String>, vintage: &str, reasoning: &str) -> PyResult<Self> {
        Ok(PyBasket {
            inner: py_result(Basket::new(name, codes, self::vintage(vintage)?))?.with_reasoning(reasoning),
        })
    }
    /// A shipped basket: drone_components, microelectronics, cnc_machine_tools.
    #[staticmethod]
    fn builtin(name: &str) -> PyResult<Self> {
        Ok(PyBasket {
            inner: py_result(basket::builtin(name))?,
        })
    }
    /// The codes of some tiers of a list (all when `tiers` is empty).
    #[staticmethod]
    #[pyo3(signature = (list, tiers=Vec::new()))]
    fn from_list(list: &PyProductList, tiers: Vec<String>) -> PyResult<Self> {
        let t: Vec<&str> = tiers.iter().map(|s| s.as_str()).collect();
        Ok(PyBasket {
            inner: py_result(Basket::from_list(&list.inner, &t))?,
        })
    }
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    #[getter]
    fn vintage(&self) -> String {
        self.inner.vintage.name()
    }
    #[getter]
    fn reasoning(&self) -> &str {
        &self.inner.reasoning
    }
    fn prefixes(&self) -> Vec<String> {
        self.inner.prefixes().map(String::from).collect()
    }
    fn __len__(&self) -> usize {
        self.inner.len()
    }
    fn __contains__(&self, code: &str) -> bool {
        self.inner.contains(code)
    }
    fn union(&self, other: &PyBasket) -> PyResult<Self> {
        Ok(PyBasket {
            inner: py_result(self.inner.union(&other.inner))?,
        })
    }
    fn intersection(&self, other: &PyBasket) -> PyResult<Self> {
        Ok(PyBasket {
            inner: py_result(self.inner.intersection(&other.inner))?,
        })
    }
    fn difference(&self, other: &PyBasket) -> PyResult<Self> {
        Ok(PyBasket {
            inner: py_result(self.inner.difference(&other.inner))?,
        })
    }
    fn __or__(&self, other: &PyBasket) -> PyResult<Self> {
        self.union(other)
    }
    fn __and__(&self, other: &PyBasket) -> PyResult<Self> {
        self.intersection(other)
    }
    fn __sub__(&self, other: &PyBasket) -> PyResult<Self> {
        self.difference(other)
    }
    /// The basket as a list without tiers (what classify and explain take).
    fn to_list(&self) -> PyProductList {
        PyProductList {
            inner: self.inner.to_list(),
        }
    }
    #[pyo3(signature = (vintage=None, concordances=None, weighting=None, base_from=None, base_to=None))]
    fn _product_weights(
        &self,
        py: Python<'_>,
        vintage: Option<&str>,
        concordances: Option<PyRef<'_, PyConcordances>>,
        weighting: Option<&Bound<'_, PyAny>>,
        base_from: Option<i32>,
        base_to: Option<i32>,
    ) -> PyResult<HashMap<String, f64>> {
        let w = self::weighting(weighting, base_from, base_to, self.inner.vintage)?;
        let c = concordances_or_default(py, concordances)?;
        Ok(weights_dict(py_result(self.inner.to_selection(
            opt_vintage(vintage)?,
            &c,
            &w,
        ))?))
    }
    fn __repr__(&self) -> String {
        let p: Vec<&str> = self.inner.prefixes().collect();
        format!(
            "Basket('{}', [{}], vintage='{}')",
            self.inner.name,
            p.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", "),
            self.inner.vintage
        )
    }
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        slf.py()
            .import("tradedep._classify")?
            .getattr("_basket_html")?
            .call1((slf,))?
            .extract()
    }
}

// ---- classify and explain -----------------------------------------------------------------

/// Tags rows of a TradeTable or any Arrow table with the lists; returns (table, notes).
#[pyfunction]
#[pyo3(signature = (table, lists, product="product", vintage=None, concordances=None, weighting=None, base_from=None, base_to=None))]
#[allow(clippy::too_many_arguments)]
fn _classify(
    py: Python<'_>,
    table: &Bound<'_, PyAny>,
    lists: Vec<PyRef<'_, PyProductList>>,
    product: &str,
    vintage: Option<&str>,
    concordances: Option<PyRef<'_, PyConcordances>>,
    weighting: Option<&Bound<'_, PyAny>>,
    base_from: Option<i32>,
    base_to: Option<i32>,
) -> PyResult<(PyTable, Vec<String>)> {
    let Some(first) = lists.first() else {
        return Err(to_py(tradedep::Error::invalid_argument(
            "no lists given",
            "pass a ProductList, a Basket or a list of them",
        )));
    };
    let w = self::weighting(weighting, base_from, base_to, first.inner.vintage())?;
    let c = concordances_or_default(py, concordances)?;
    let refs: Vec<&ProductList> = lists.iter().map(|l| &l.inner).collect();
    let out = if let Ok(t) = table.cast::<PyTradeTable>() {
        let t = &t.get().inner;
        let v = opt_vintage(vintage)?.or(t.meta().vintage);
        run_cancellable(py, |_| {
            core::classify::classify_batches(&t.schema(), t.batches(), product, v, &refs, &c, &w)
        })?
    } else {
        let t: PyTable = table.extract().map_err(|_| {
            InvalidArgumentError::new_err(
                "table is a td.TradeTable or an Arrow table (pyarrow, polars, pandas via pyarrow)",
            )
        })?;
        let (batches, schema) = t.into_inner();
        let meta_v = schema.metadata().get("tradedep.vintage").cloned();
        let v = match opt_vintage(vintage)? {
            Some(v) => Some(v),
            None => opt_vintage(meta_v.as_deref())?,
        };
        run_cancellable(py, |_| {
            core::classify::classify_batches(&schema, &batches, product, v, &refs, &c, &w)
        })?
    };
    Ok((PyTable::try_new(out.batches, out.schema)?, out.notes))
}

/// Why `code` is or is not on `list`: a dict with `text` and the parts of the answer.
#[pyfunction]
#[pyo3(signature = (code, list, vintage=None, concordances=None, weighting=None, base_from=None, base_to=None))]
#[allow(clippy::too_many_arguments)]
fn _explain<'py>(
    py: Python<'py>,
    code: &str,
    list: &PyProductList,
    vintage: Option<&str>,
    concordances: Option<PyRef<'py, PyConcordances>>,
    weighting: Option<&Bound<'py, PyAny>>,
    base_from: Option<i32>,
    base_to: Option<i32>,
) -> PyResult<Bound<'py, PyDict>> {
    let w = self::weighting(weighting, base_from, base_to, list.inner.vintage())?;
    let c = concordances_or_default(py, concordances)?;
    let e = py_result(core::explain(code, opt_vintage(vintage)?, &list.inner, &c, &w))?;
    let d = PyDict::new(py);
    d.set_item("text", e.to_string())?;
    d.set_item("code", &e.code)?;
    d.set_item("vintage", e.vintage.name())?;
    d.set_item("list", &e.list)?;
    d.set_item("list_version", &e.list_version)?;
    d.set_item("list_vintage", e.list_vintage.name())?;
    d.set_item("listed", e.listed)?;
    d.set_item("match", e.kind.map(|k| k.as_str()))?;
    d.set_item("weight", e.weight)?;
    let entries: Vec<(String, Option<String>, f64)> = e
        .entries
        .iter()
        .map(|x| (x.entry.clone(), x.tier.clone(), x.weight))
        .collect();
    d.set_item("entries", entries)?;
    d.set_item("path", &e.path)?;
    d.set_item("weighting", &e.weighting)?;
    d.set_item("counterparts", &e.counterparts)?;
    d.set_item("nearby", &e.nearby)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProductCode>()?;
    m.add_class::<PyNomenclature>()?;
    m.add_class::<PyConcordances>()?;
    m.add_class::<PyProductList>()?;
    m.add_class::<PyBasket>()?;
    m.add_function(wrap_pyfunction!(hs, m)?)?;
    m.add_function(wrap_pyfunction!(_classify, m)?)?;
    m.add_function(wrap_pyfunction!(_explain, m)?)?;
    Ok(())
}
