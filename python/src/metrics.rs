//! Python bindings: metrics. Conversions of arguments into the core's option structs and of
//! the resulting RecordBatch into an Arrow table; no domain logic.

use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use tradedep::metrics::{
    self, AsymmetryOptions, By, CompareOptions, ConcentrationOptions, FlagMethod, FlagOptions, ImportSelection,
    Importer, Membership, MirrorOptions, Over, SeriesFreq, SeriesOptions, SharesOptions, Source, SupplierGroup,
    UnitValueOptions,
};
use tradedep::model::{Flow, Freq, ProductSelection, TableMeta, TradeRow, TradeTableBuilder, Vintage};

use crate::cancel::run_with;
use crate::errors::py_result;
use crate::table::PyTradeTable;

/// `(label or None, codes or None)`: codes None = a named group resolved per period in the core;
/// label None = one country labelled by the core.
pub(crate) type ImporterArg = (Option<String>, Option<Vec<u16>>);

pub(crate) fn importers(args: Vec<ImporterArg>) -> PyResult<Vec<Importer>> {
    args.into_iter()
        .map(|(label, codes)| match (label, codes) {
            (None, Some(c)) if c.len() == 1 => Ok(Importer::country(c[0])),
            (Some(l), Some(c)) => Ok(Importer {
                label: l,
                members: Membership::Countries(c),
            }),
            (Some(l), None) => Ok(Importer::group(&l)),
            _ => Err(crate::errors::InvalidArgumentError::new_err(
                "an importer needs a label or exactly one code",
            )),
        })
        .collect()
}

pub(crate) fn selection(
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

/// Whose imports, and which of them, a metric counts: the arguments the metrics share, as
/// `_metrics._selection` builds them once (a dict with every key).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct SelectionArg {
    /// `None`: every importer of the table (concentration, dependency flags).
    importers: Option<Vec<ImporterArg>>,
    products: Option<Vec<(String, f64)>>,
    products_name: String,
    vintage: Option<String>,
    groups: Vec<(String, Vec<u16>)>,
    source: String,
    cif_fob: f64,
    include_intra_group: bool,
}

impl SelectionArg {
    /// The importers and the core's [`ImportSelection`]; a bad `source` names itself and the
    /// allowed values.
    pub(crate) fn convert(self) -> PyResult<(Option<Vec<Importer>>, ImportSelection)> {
        let importers = self.importers.map(importers).transpose()?;
        let imports = ImportSelection {
            products: selection(self.products, &self.products_name, self.vintage)?,
            groups: supplier_groups(self.groups),
            source: py_result(Source::parse(&self.source))?,
            cif_fob: self.cif_fob,
            include_intra_group: self.include_intra_group,
            cancel: Default::default(),
        };
        Ok((importers, imports))
    }

    /// As [`SelectionArg::convert`], for the metrics that need importers named.
    fn with_importers(self) -> PyResult<(Vec<Importer>, ImportSelection)> {
        let (importers, imports) = self.convert()?;
        let importers = importers.ok_or_else(|| {
            crate::errors::InvalidArgumentError::new_err(
                "importer=None: name an importer (a code, a name, a group, a list of them or {label: codes})",
            )
        })?;
        Ok((importers, imports))
    }
}

pub(crate) fn to_table(batch: arrow_array::RecordBatch) -> PyResult<PyTable> {
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)
}

#[pyfunction]
fn _supplier_shares(
    py: Python<'_>,
    table: &PyTradeTable,
    selection: SelectionArg,
    by: Vec<String>,
    top: Option<usize>,
    explain: bool,
) -> PyResult<PyTable> {
    let (importers, imports) = selection.with_importers()?;
    let opts = SharesOptions {
        importers,
        imports,
        by: by_keys(by)?,
        top,
        explain,
    };
    to_table(run_with(py, opts.imports.cancel.clone(), |_| {
        metrics::supplier_shares(&table.inner, &opts)
    })?)
}

#[pyfunction]
fn _concentration(
    py: Python<'_>,
    table: &PyTradeTable,
    selection: SelectionArg,
    by: Vec<String>,
    over: &str,
    crn: usize,
    explain: bool,
) -> PyResult<PyTable> {
    let (importers, imports) = selection.convert()?;
    let opts = ConcentrationOptions {
        importers,
        imports,
        by: by_keys(by)?,
        over: py_result(Over::parse(over))?,
        crn,
        explain,
    };
    to_table(run_with(py, opts.imports.cancel.clone(), |_| {
        metrics::concentration(&table.inner, &opts)
    })?)
}

#[pyfunction]
#[pyo3(signature = (table, source="reported"))]
fn _importer_product_concentration(py: Python<'_>, table: &PyTradeTable, source: &str) -> PyResult<PyTable> {
    let imports = metrics::ImportSelection {
        source: py_result(Source::parse(source))?,
        ..Default::default()
    };
    to_table(run_with(py, imports.cancel.clone(), |_| {
        metrics::importer_product_concentration_selected(&table.inner, &imports)
    })?)
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
    let (batch, report) = crate::cancel::run_cancellable(py, |cancel| {
        let options = tradedep::io::baci::BaciOptions {
            vintage,
            years: years.as_deref(),
            on_unknown_country,
            cancel: Some(cancel),
            ..Default::default()
        };
        metrics::importer_product_concentration_baci(&path, &options)
    })?;
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
        return Err(crate::errors::InvalidArgumentError::new_err(
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

pub(crate) fn one_importer(arg: ImporterArg) -> PyResult<Importer> {
    importers(vec![arg])?
        .pop()
        .ok_or_else(|| crate::errors::InvalidArgumentError::new_err("no importer"))
}

// Dependency flags take no supplier groups: the selection must come without them.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _dependency_flags(
    py: Python<'_>,
    table: &PyTradeTable,
    selection: SelectionArg,
    method: &str,
    hhi: f64,
    world_hhi: f64,
    ratio: f64,
    share: f64,
    persistence: u32,
    window: u32,
    world: Option<PyRef<'_, PyTradeTable>>,
    world_min_countries: usize,
) -> PyResult<PyTable> {
    let (importers, imports) = selection.convert()?;
    if !imports.groups.is_empty() || imports.include_intra_group {
        return py_result(Err(tradedep::Error::invalid_argument(
            "dependency flags take no supplier groups",
            "leave groups and include_intra_group out",
        )));
    }
    let opts = FlagOptions {
        method: py_result(FlagMethod::parse(method))?,
        source: imports.source,
        cif_fob: imports.cif_fob,
        products: imports.products,
        importers,
        hhi,
        world_hhi,
        ratio,
        share,
        persistence,
        window,
        world_min_countries,
        cancel: imports.cancel,
    };
    let world = world.as_ref().map(|w| &w.inner);
    to_table(run_with(py, opts.cancel.clone(), |_| {
        metrics::dependency_flags_with_world(&table.inner, world, &opts)
    })?)
}

#[pyfunction]
fn _import_series(
    py: Python<'_>,
    table: &PyTradeTable,
    selection: SelectionArg,
    freq: &str,
    by_supplier: bool,
    by_product: bool,
    baseline: Option<(i32, i32)>,
) -> PyResult<PyTable> {
    let (importers, imports) = selection.with_importers()?;
    let opts = SeriesOptions {
        importers,
        imports,
        by_supplier,
        by_product,
        freq: py_result(SeriesFreq::parse(freq))?,
        baseline,
    };
    to_table(run_with(py, opts.imports.cancel.clone(), |_| {
        metrics::import_series(&table.inner, &opts)
    })?)
}

#[pyfunction]
fn _unit_values(py: Python<'_>, table: &PyTradeTable, selection: SelectionArg, by: Vec<String>) -> PyResult<PyTable> {
    let (importers, imports) = selection.with_importers()?;
    let opts = UnitValueOptions {
        importers,
        imports,
        by: by_keys(by)?,
    };
    to_table(run_with(py, opts.imports.cancel.clone(), |_| {
        metrics::unit_values(&table.inner, &opts)
    })?)
}

#[pyfunction]
#[pyo3(signature = (table, a, b, products=None, products_name="products".to_string(), vintage=None, by=vec!["period".to_string()], source="reported", cif_fob=1.0))]
#[allow(clippy::too_many_arguments)]
fn _bilateral_asymmetry(
    py: Python<'_>,
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
        cancel: Default::default(),
    };
    to_table(run_with(py, opts.cancel.clone(), |_| {
        metrics::bilateral_asymmetry(&table.inner, &opts)
    })?)
}

#[pyfunction]
fn _compare(
    py: Python<'_>,
    table: &PyTradeTable,
    selection: SelectionArg,
    by: Vec<String>,
    top: Option<usize>,
) -> PyResult<PyTable> {
    let (importers, imports) = selection.with_importers()?;
    let opts = CompareOptions {
        importers,
        imports,
        by: by_keys(by)?,
        top,
    };
    to_table(run_with(py, opts.imports.cancel.clone(), |_| {
        metrics::compare(&table.inner, &opts)
    })?)
}

#[pyfunction]
#[pyo3(signature = (table, by=vec!["period".to_string()], products=None, products_name="products".to_string(), vintage=None, importers=None, exporters=None))]
#[allow(clippy::too_many_arguments)]
fn _mirror_gap(
    py: Python<'_>,
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
        cancel: Default::default(),
    };
    to_table(run_with(py, opts.cancel.clone(), |_| {
        metrics::mirror_gap(&table.inner, &opts)
    })?)
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
