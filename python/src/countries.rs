//! Python bindings: countries and groups (conversions and thin wrappers over
//! `tradedep::reference::{countries, groups}`).

use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use tradedep::reference::countries::{self, Country};
use tradedep::reference::groups::{self, Date};

use crate::errors::{py_result, InvalidArgumentError};

/// A country or trade area: ISO codes, the Comtrade/BACI code found in trade data, a short name.
#[pyclass(name = "Country", module = "tradedep._tradedep", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyCountry {
    inner: Country,
}

#[pymethods]
impl PyCountry {
    /// ISO 3166-1 alpha-2 ("US"); "" for areas without one.
    #[getter]
    fn iso2(&self) -> &'static str {
        self.inner.iso2
    }
    /// ISO 3166-1 alpha-3 ("USA"); "" for areas without one.
    #[getter]
    fn iso3(&self) -> &'static str {
        self.inner.iso3
    }
    /// ISO 3166-1 numeric (840 for the USA); 0 when the area has none.
    #[getter]
    fn iso_numeric(&self) -> u16 {
        self.inner.iso_numeric
    }
    /// Comtrade/BACI numeric code (842 for the USA); 0 when trade data has no code of its own.
    #[getter]
    fn comtrade(&self) -> u16 {
        self.inner.comtrade
    }
    /// Short English name.
    #[getter]
    fn name(&self) -> &'static str {
        self.inner.name
    }
    /// "country", "alias", "former", "nes", "special" or "no_own_code".
    #[getter]
    fn kind(&self) -> &'static str {
        countries::area_of(&self.inner)
            .map(|a| a.kind.as_str())
            .unwrap_or("country")
    }
    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!(
            "Country(iso3={:?}, iso2={:?}, iso_numeric={}, comtrade={}, name={:?})",
            c.iso3, c.iso2, c.iso_numeric, c.comtrade, c.name
        )
    }
    fn __str__(&self) -> String {
        self.inner.name.to_string()
    }
}

fn wrap(c: &Country) -> PyCountry {
    PyCountry { inner: *c }
}

/// Text of a str-or-int argument (ints are codes).
fn query_text(x: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = x.extract::<String>() {
        return Ok(s);
    }
    if let Ok(i) = x.extract::<i64>() {
        return Ok(i.to_string());
    }
    Err(InvalidArgumentError::new_err(format!(
        "invalid argument: expected a country name, ISO code or numeric code, got {}",
        x.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    )))
}

/// A date argument: "2019-06-30" / "2019-06" / "2019", a year int (1 July), or a datetime.date.
fn date_arg(x: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Date>> {
    let Some(x) = x else { return Ok(None) };
    if x.is_none() {
        return Ok(None);
    }
    if let Ok(s) = x.extract::<String>() {
        return py_result(Date::parse(&s)).map(Some);
    }
    if let Ok(y) = x.extract::<i32>() {
        return py_result(Date::parse(&format!("{y:04}"))).map(Some);
    }
    if x.hasattr("year")? && x.hasattr("month")? && x.hasattr("day")? {
        let d = Date::new(
            x.getattr("year")?.extract()?,
            x.getattr("month")?.extract()?,
            x.getattr("day")?.extract()?,
        );
        return Ok(Some(d));
    }
    Err(InvalidArgumentError::new_err(
        "invalid argument: date must be \"2019-06-30\", a year like 2019 or a datetime.date",
    ))
}

#[pyfunction]
fn _country(query: &Bound<'_, PyAny>) -> PyResult<PyCountry> {
    let q = query_text(query)?;
    py_result(countries::country(&q)).map(wrap)
}

#[pyfunction]
#[pyo3(signature = (name, date=None))]
fn _group(name: &str, date: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PyCountry>> {
    let day = date_arg(date)?;
    let g = py_result(groups::group(name))?;
    Ok(g.countries_on(day).into_iter().map(wrap).collect())
}

#[pyfunction]
#[pyo3(signature = (name, date=None))]
fn _group_codes(name: &str, date: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u16>> {
    let day = date_arg(date)?;
    let g = py_result(groups::group(name))?;
    Ok(g.codes_on(day))
}

#[pyfunction]
fn _define_group(name: &str, members: Vec<Bound<'_, PyAny>>) -> PyResult<Vec<PyCountry>> {
    let texts = members.iter().map(query_text).collect::<PyResult<Vec<String>>>()?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let g = py_result(groups::define_group(name, &refs))?;
    Ok(g.countries_on(None).into_iter().map(wrap).collect())
}

/// (name, aliases, description, source, builtin) of every group.
#[pyfunction]
fn _groups() -> Vec<(String, Vec<String>, String, String, bool)> {
    let user: Vec<groups::Group> = groups::GroupRegistry::global()
        .read()
        .map(|r| r.groups().cloned().collect())
        .unwrap_or_default();
    groups::builtin_groups()
        .iter()
        .chain(user.iter())
        .map(|g| {
            (
                g.name.clone(),
                g.aliases.clone(),
                g.description.clone(),
                g.source.clone(),
                g.builtin,
            )
        })
        .collect()
}

#[pyfunction]
fn _resolve_country_codes(item: &Bound<'_, PyAny>) -> PyResult<Vec<u16>> {
    let q = query_text(item)?;
    py_result(countries::resolve(&q))
}

#[pyfunction]
fn _countries_table() -> PyResult<PyTable> {
    let batch = py_result(countries::table())?;
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)
}

#[pyfunction]
fn _is_known_code(code: i64) -> bool {
    u16::try_from(code).is_ok_and(countries::is_known_code)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCountry>()?;
    m.add_function(wrap_pyfunction!(_country, m)?)?;
    m.add_function(wrap_pyfunction!(_group, m)?)?;
    m.add_function(wrap_pyfunction!(_group_codes, m)?)?;
    m.add_function(wrap_pyfunction!(_define_group, m)?)?;
    m.add_function(wrap_pyfunction!(_groups, m)?)?;
    m.add_function(wrap_pyfunction!(_resolve_country_codes, m)?)?;
    m.add_function(wrap_pyfunction!(_countries_table, m)?)?;
    m.add_function(wrap_pyfunction!(_is_known_code, m)?)?;
    Ok(())
}
