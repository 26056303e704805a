//! Python bindings: metrics. Conversions of arguments into the core's option structs and of
//! the resulting RecordBatch into an Arrow table; no domain logic.

use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use tradedep::metrics::{
    self, AsymmetryOptions, By, CompareOptions, ConcentrationOptions, FlagMethod, FlagOptions, Importer, Membership,
    MirrorOptions, Over, SeriesFreq, SeriesOptions, SharesOptions, Source, SupplierGroup, UnitValueOptions,
};
use tradedep::model::{Flow, Freq, ProductSelection, TableMeta, TradeRow, TradeTableBuilder, Vintage};

use crate::errors::py_result;
use crate::table::PyTradeTable;

/// `(label or None, codes or None)`: codes None = a named group resolved per period in the core;
/// label None = one country labelled by the core.
type ImporterArg = (Option<String>, Option<Vec<u16>>);

fn importers(args: Vec<ImporterArg>) -> PyResult<Vec<Importer>> {
    args.into_iter()
        .map(|(label, codes)| match (label, codes) {
            (None, Some(c)) if c.len() == 1 => Ok(Importer::country(c[0])),
            (Some(l), Some(c)) => Ok(Importer {
                label: l,
                members: Membership::Countries(c),
            }),
            (Some(l), None) => Ok(Importer::group(&l)),
            _ => Err(pyo3::exceptions::PyValueError::new_err(
                "an importer needs a label or exactly one code",
            )),
        })
        .collect()
}

fn selection(
    products: Option<Vec<(String, f64)>>,
    name: &str,
    vintage: Option<String>,
) -> PyResult<Option<ProductSelection>> {
    let vintage = py_result(vintage.map(|v| Vintage::parse(&v)).transpose())?;
    Ok(products.map(|entries| ProductSelection {
        name: name.to_string(),
        vintage,
        entries,
    }))
}

fn by_keys(by: Vec<String>) -> PyResult<Vec<By>> {
    let mut out = vec![];
    for b in by {
        if let Some(k) = py_result(By::parse(&b))? {
            out.push(k);
        }
    }
    Ok(out)
}

fn to_table(batch: arrow_array::RecordBatch) -> PyResult<PyTable> {
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)
}

#[pyfunction]
#[pyo3(signature = (table, importers, products=None, products_name="products".to_string(), vintage=None, groups=vec![], by=vec!["period".to_string()], source="reported", cif_fob=1.0, top=None, include_intra_group=false, explain=false))]
#[allow(clippy::too_many_arguments)]
fn _supplier_shares(
    table: &PyTradeTable,
    importers: Vec<ImporterArg>,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    groups: Vec<(String, Vec<u16>)>,
    by: Vec<String>,
    source: &str,
    cif_fob: f64,
    top: Option<usize>,
    include_intra_group: bool,
    explain: bool,
) -> PyResult<PyTable> {
    let opts = SharesOptions {
        importers: self::importers(importers)?,
        products: selection(products, &products_name, vintage)?,
        groups: groups.into_iter().map(|(n, m)| SupplierGroup::new(&n, m)).collect(),
        by: by_keys(by)?,
        source: py_result(Source::parse(source))?,
        cif_fob,
        top,
        include_intra_group,
        explain,
    };
    to_table(py_result(metrics::supplier_shares(&table.inner, &opts))?)
}

#[pyfunction]
#[pyo3(signature = (table, importers=None, products=None, products_name="products".to_string(), vintage=None, groups=vec![], by=vec!["period".to_string(), "product".to_string()], over="partner", source="reported", cif_fob=1.0, crn=3, include_intra_group=false, explain=false))]
#[allow(clippy::too_many_arguments)]
fn _concentration(
    table: &PyTradeTable,
    importers: Option<Vec<ImporterArg>>,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    groups: Vec<(String, Vec<u16>)>,
    by: Vec<String>,
    over: &str,
    source: &str,
    cif_fob: f64,
    crn: usize,
    include_intra_group: bool,
    explain: bool,
) -> PyResult<PyTable> {
    let opts = ConcentrationOptions {
        importers: importers.map(self::importers).transpose()?,
        products: selection(products, &products_name, vintage)?,
        groups: groups.into_iter().map(|(n, m)| SupplierGroup::new(&n, m)).collect(),
        by: by_keys(by)?,
        over: py_result(Over::parse(over))?,
        source: py_result(Source::parse(source))?,
        cif_fob,
        crn,
        include_intra_group,
        explain,
    };
    to_table(py_result(metrics::concentration(&table.inner, &opts))?)
}

#[pyfunction]
#[pyo3(signature = (table, source="reported"))]
fn _importer_product_concentration(py: Python<'_>, table: &PyTradeTable, source: &str) -> PyResult<PyTable> {
    let source = py_result(Source::parse(source))?;
    let batch = py.detach(|| metrics::importer_product_concentration_table(&table.inner, source));
    to_table(py_result(batch)?)
}

/// The same workload streamed from a BACI file (never materialised); returns the result and the
/// read report's text.
#[pyfunction]
#[pyo3(signature = (path, vintage=None, years=None, on_unknown_country="error"))]
fn _importer_product_concentration_baci(
    py: Python<'_>,
    path: std::path::PathBuf,
    vintage: Option<&str>,
    years: Option<Vec<i32>>,
    on_unknown_country: &str,
) -> PyResult<(PyTable, String)> {
    let vintage = crate::io::parse_vintage(vintage)?;
    let on_unknown_country = crate::io::parse_on_unknown_country(on_unknown_country)?;
    let out = py.detach(|| {
        let options = tradedep::io::baci::BaciOptions {
            vintage,
            years: years.as_deref(),
            on_unknown_country,
            ..Default::default()
        };
        metrics::importer_product_concentration_baci(&path, &options)
    });
    let (batch, report) = py_result(out)?;
    Ok((to_table(batch)?, report.to_string()))
}

/// Builds a TradeTable from plain columns (tests and small examples; readers are the real way in).
#[pyfunction]
#[pyo3(signature = (period, reporter, partner, flow, product, value, quantity=None, quantity_unit=None, freq="A", currency="USD", vintage=None, source="python"))]
#[allow(clippy::too_many_arguments)]
fn _trade_table_from_columns(
    period: Vec<i32>,
    reporter: Vec<u16>,
    partner: Vec<u16>,
    flow: Vec<String>,
    product: Vec<String>,
    value: Vec<f64>,
    quantity: Option<Vec<Option<f64>>>,
    quantity_unit: Option<Vec<Option<String>>>,
    freq: &str,
    currency: &str,
    vintage: Option<String>,
    source: &str,
) -> PyResult<PyTradeTable> {
    let n = period.len();
    let lens = [reporter.len(), partner.len(), flow.len(), product.len(), value.len()];
    if lens.iter().any(|l| *l != n)
        || quantity.as_ref().is_some_and(|q| q.len() != n)
        || quantity_unit.as_ref().is_some_and(|q| q.len() != n)
    {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "all columns must have the same length",
        ));
    }
    let vintage = py_result(vintage.map(|v| Vintage::parse(&v)).transpose())?;
    let meta = TableMeta::new(py_result(Freq::parse(freq))?, currency, vintage);
    let mut b = TradeTableBuilder::new(source, meta);
    let flows: Vec<Flow> = py_result(flow.iter().map(|f| Flow::parse(f)).collect())?;
    for i in 0..n {
        let mut row = TradeRow::new(period[i], reporter[i], partner[i], flows[i], &product[i], value[i]);
        row.quantity = quantity.as_ref().and_then(|q| q[i]);
        row.quantity_unit = quantity_unit.as_ref().and_then(|q| q[i].as_deref());
        py_result(b.push(row))?;
    }
    Ok(PyTradeTable::new(py_result(b.finish())?))
}

fn supplier_groups(groups: Vec<(String, Vec<u16>)>) -> Vec<SupplierGroup> {
    groups.into_iter().map(|(n, m)| SupplierGroup::new(&n, m)).collect()
}

fn one_importer(arg: ImporterArg) -> PyResult<Importer> {
    importers(vec![arg])?
        .pop()
        .ok_or_else(|| pyo3::exceptions::PyValueError::new_err("no importer"))
}

#[pyfunction]
#[pyo3(signature = (table, method="geodep", importers=None, products=None, products_name="products".to_string(), vintage=None, source="reported", cif_fob=1.0, hhi=0.4, world_hhi=0.4, ratio=1.0, share=0.5, persistence=2, window=3))]
#[allow(clippy::too_many_arguments)]
fn _dependency_flags(
    table: &PyTradeTable,
    method: &str,
    importers: Option<Vec<ImporterArg>>,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    source: &str,
    cif_fob: f64,
    hhi: f64,
    world_hhi: f64,
    ratio: f64,
    share: f64,
    persistence: u32,
    window: u32,
) -> PyResult<PyTable> {
    let opts = FlagOptions {
        method: py_result(FlagMethod::parse(method))?,
        source: py_result(Source::parse(source))?,
        cif_fob,
        products: selection(products, &products_name, vintage)?,
        importers: importers.map(self::importers).transpose()?,
        hhi,
        world_hhi,
        ratio,
        share,
        persistence,
        window,
    };
    to_table(py_result(metrics::dependency_flags(&table.inner, &opts))?)
}

#[pyfunction]
#[pyo3(signature = (table, importers, freq="month", products=None, products_name="products".to_string(), vintage=None, groups=vec![], by_supplier=false, by_product=false, baseline=None, source="reported", cif_fob=1.0, include_intra_group=false))]
#[allow(clippy::too_many_arguments)]
fn _import_series(
    table: &PyTradeTable,
    importers: Vec<ImporterArg>,
    freq: &str,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    groups: Vec<(String, Vec<u16>)>,
    by_supplier: bool,
    by_product: bool,
    baseline: Option<(i32, i32)>,
    source: &str,
    cif_fob: f64,
    include_intra_group: bool,
) -> PyResult<PyTable> {
    let opts = SeriesOptions {
        importers: self::importers(importers)?,
        products: selection(products, &products_name, vintage)?,
        groups: supplier_groups(groups),
        by_supplier,
        by_product,
        freq: py_result(SeriesFreq::parse(freq))?,
        baseline,
        source: py_result(Source::parse(source))?,
        cif_fob,
        include_intra_group,
    };
    to_table(py_result(metrics::import_series(&table.inner, &opts))?)
}

#[pyfunction]
#[pyo3(signature = (table, importers, products=None, products_name="products".to_string(), vintage=None, groups=vec![], by=vec!["period".to_string()], source="reported", cif_fob=1.0, include_intra_group=false))]
#[allow(clippy::too_many_arguments)]
fn _unit_values(
    table: &PyTradeTable,
    importers: Vec<ImporterArg>,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    groups: Vec<(String, Vec<u16>)>,
    by: Vec<String>,
    source: &str,
    cif_fob: f64,
    include_intra_group: bool,
) -> PyResult<PyTable> {
    let opts = UnitValueOptions {
        importers: self::importers(importers)?,
        products: selection(products, &products_name, vintage)?,
        groups: supplier_groups(groups),
        by: by_keys(by)?,
        source: py_result(Source::parse(source))?,
        cif_fob,
        include_intra_group,
    };
    to_table(py_result(metrics::unit_values(&table.inner, &opts))?)
}

#[pyfunction]
#[pyo3(signature = (table, a, b, products=None, products_name="products".to_string(), vintage=None, by=vec!["period".to_string()], source="reported", cif_fob=1.0))]
#[allow(clippy::too_many_arguments)]
fn _bilateral_asymmetry(
    table: &PyTradeTable,
    a: ImporterArg,
    b: ImporterArg,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    by: Vec<String>,
    source: &str,
    cif_fob: f64,
) -> PyResult<PyTable> {
    let opts = AsymmetryOptions {
        a: one_importer(a)?,
        b: one_importer(b)?,
        products: selection(products, &products_name, vintage)?,
        by: by_keys(by)?,
        source: py_result(Source::parse(source))?,
        cif_fob,
    };
    to_table(py_result(metrics::bilateral_asymmetry(&table.inner, &opts))?)
}

#[pyfunction]
#[pyo3(signature = (table, importers, products=None, products_name="products".to_string(), vintage=None, groups=vec![], by=vec!["period".to_string()], source="reported", cif_fob=1.0, top=None, include_intra_group=false))]
#[allow(clippy::too_many_arguments)]
fn _compare(
    table: &PyTradeTable,
    importers: Vec<ImporterArg>,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    groups: Vec<(String, Vec<u16>)>,
    by: Vec<String>,
    source: &str,
    cif_fob: f64,
    top: Option<usize>,
    include_intra_group: bool,
) -> PyResult<PyTable> {
    let opts = CompareOptions {
        importers: self::importers(importers)?,
        products: selection(products, &products_name, vintage)?,
        groups: supplier_groups(groups),
        by: by_keys(by)?,
        source: py_result(Source::parse(source))?,
        cif_fob,
        top,
        include_intra_group,
    };
    to_table(py_result(metrics::compare(&table.inner, &opts))?)
}

#[pyfunction]
#[pyo3(signature = (table, by=vec!["period".to_string()], products=None, products_name="products".to_string(), vintage=None, importers=None, exporters=None))]
#[allow(clippy::too_many_arguments)]
fn _mirror_gap(
    table: &PyTradeTable,
    by: Vec<String>,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    importers: Option<Vec<u16>>,
    exporters: Option<Vec<u16>>,
) -> PyResult<PyTable> {
    let opts = MirrorOptions {
        by: by_keys(by)?,
        products: selection(products, &products_name, vintage)?,
        importers,
        exporters,
    };
    to_table(py_result(metrics::mirror_gap(&table.inner, &opts))?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_mirror_gap, m)?)?;
    m.add_function(wrap_pyfunction!(_dependency_flags, m)?)?;
    m.add_function(wrap_pyfunction!(_import_series, m)?)?;
    m.add_function(wrap_pyfunction!(_unit_values, m)?)?;
    m.add_function(wrap_pyfunction!(_bilateral_asymmetry, m)?)?;
    m.add_function(wrap_pyfunction!(_compare, m)?)?;
    m.add_function(wrap_pyfunction!(_supplier_shares, m)?)?;
    m.add_function(wrap_pyfunction!(_concentration, m)?)?;
    m.add_function(wrap_pyfunction!(_importer_product_concentration, m)?)?;
    m.add_function(wrap_pyfunction!(_importer_product_concentration_baci, m)?)?;
    m.add_function(wrap_pyfunction!(_trade_table_from_columns, m)?)?;
    Ok(())
}
