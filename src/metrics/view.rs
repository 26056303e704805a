//! The import view: one row per (importer, supplier, product, period) record, taken either from
//! importers' reported imports or rebuilt from partners' exports (mirror data).
//!
//! Every metric starts here, so the choice of source is made once and said in the output:
//! - [`Source::Reported`]: rows with `flow = import`; the reporter is the importer, the
//!   partner the supplier.
//! - [`Source::Mirror`]: rows with `flow = export`; the partner is the importer, the reporter
//!   the supplier. Values are FOB at the exporter's border; `cif_fob` multiplies them (e.g.
//!   1.05 for an assumed 5% freight and insurance margin; 1.0 keeps FOB). Mirror rows count as
//!   estimated.
//! - [`Source::Auto`]: reported rows where the importer reported any import in that period
//!   (any product of the table), mirror rows for the other (importer, period) pairs — e.g.
//!   Russia after 2021.
//!
//! Re-imports and re-exports are not part of the view.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int8Type, UInt16Type};
use arrow_array::{Array, RecordBatch};
use hashbrown::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::model::{Flow, ProductSelection, TradeTable};

/// Where import rows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// Importers' own reported imports.
    #[default]
    Reported,
    /// Imports rebuilt from partners' reported exports.
    Mirror,
    /// Reported where the importer reported in that period, mirror otherwise.
    Auto,
}

impl Source {
    /// Parses `reported`, `mirror` or `auto`.
    pub fn parse(s: &str) -> Result<Source> {
        match s.trim().to_ascii_lowercase().as_str() {
            "reported" | "importer" | "import" | "imports" => Ok(Source::Reported),
            "mirror" | "mirrored" | "exports" => Ok(Source::Mirror),
            "auto" => Ok(Source::Auto),
            other => Err(Error::invalid_argument(
                format!("unknown source {other:?}"),
                "use \"reported\" (importer-reported imports), \"mirror\" (partners' exports) or \"auto\"",
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Reported => "reported",
            Source::Mirror => "mirror",
            Source::Auto => "auto",
        }
    }
}

/// What goes into the view.
#[derive(Debug, Clone)]
pub struct ViewOptions<'a> {
    pub source: Source,
    /// Multiplies mirror values (FOB) to approximate CIF; 1.0 leaves them FOB.
    pub cif_fob: f64,
    /// Only these products (weights multiply value and quantity); `None` keeps every product.
    pub products: Option<&'a ProductSelection>,
    /// Only these importers; `None` keeps every importer.
    pub importers: Option<&'a [u16]>,
    /// Checked every 65,536 table rows; `None` runs to the end.
    pub cancel: Option<&'a crate::cancel::Cancellation>,
}

impl Default for ViewOptions<'_> {
    fn default() -> Self {
        ViewOptions {
            source: Source::Reported,
            cif_fob: 1.0,
            products: None,
            importers: None,
            cancel: None,
        }
    }
}

/// Rows between two looks at a [`crate::cancel::Cancellation`] in the loops over rows.
pub const CANCEL_CHECK_ROWS: usize = 1 << 16;

/// Marker for "no unit" in [`ImportView::unit`].
pub const NO_UNIT: u16 = u16::MAX;

/// Import records in columns, ready for group-bys with integer keys.
#[derive(Debug, Default, Clone)]
pub struct ImportView {
    pub importer: Vec<u16>,
    pub supplier: Vec<u16>,
    /// Index into [`ImportView::products`].
    pub product: Vec<u32>,
    pub products: Vec<String>,
    pub period: Vec<i32>,
    /// Value after selection weight and CIF/FOB factor.
    pub value: Vec<f64>,
    /// Quantity after selection weight; NaN where unknown.
    pub quantity: Vec<f64>,
    /// Index into [`ImportView::units`], or [`NO_UNIT`].
    pub unit: Vec<u16>,
    pub units: Vec<String>,
    /// Row came from a partner's export (mirror).
    pub mirrored: Vec<bool>,
    /// Row was mirrored or flagged estimated in the table.
    pub estimated: Vec<bool>,
    /// 0-based row number in the table (batches counted in order).
    pub row: Vec<u64>,
}

impl ImportView {
    pub fn len(&self) -> usize {
        self.value.len()
    }
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Builds the view of `table` under `opts`.
    pub fn build(table: &TradeTable, opts: &ViewOptions<'_>) -> Result<ImportView> {
        let mut v = ImportView::default();
        let plan = ViewPlan::new(table, opts)?;
        for (b, batch) in table.batches().iter().enumerate() {
            for start in (0..batch.num_rows()).step_by(CANCEL_CHECK_ROWS) {
                opts.cancel.map_or(Ok(()), |c| c.check())?;
                plan.scan(b, start..(start + CANCEL_CHECK_ROWS).min(batch.num_rows()), |r| {
                    v.importer.push(r.importer);
                    v.supplier.push(r.supplier);
                    v.product.push(r.product);
                    v.period.push(r.period);
                    v.value.push(r.value);
                    v.quantity.push(r.quantity.unwrap_or(f64::NAN));
                    v.unit.push(r.unit_id);
                    v.mirrored.push(r.mirrored);
                    v.estimated.push(r.estimated);
                    v.row.push(r.row);
                });
            }
        }
        let product_names = plan.products;
        let unit_names = plan.units;
        // Product ids in code order, so results come out sorted by product.
        let mut names: Vec<(String, u32)> = product_names.into_iter().zip(0u32..).collect();
        names.sort_unstable();
        let mut remap = vec![0u32; names.len()];
        for (rank, (_, id)) in names.iter().enumerate() {
            remap[*id as usize] = rank as u32;
        }
        for p in v.product.iter_mut() {
            *p = remap[*p as usize];
        }
        v.products = names.into_iter().map(|(n, _)| n).collect();
        v.units = unit_names;
        Ok(v)
    }
}

/// One record of the import view, as [`for_each_row`] hands it over.
#[derive(Debug, Clone, Copy)]
pub struct ViewRow<'a> {
    pub importer: u16,
    pub supplier: u16,
    /// Id of the product code (index into the names [`for_each_row`] returns).
    pub product: u32,
    pub period: i32,
    /// Value after selection weight and CIF/FOB factor.
    pub value: f64,
    /// Quantity after selection weight, where the row has one with a unit.
    pub quantity: Option<f64>,
    pub unit: Option<&'a str>,
    /// Id of the unit (index into [`ViewPlan::units`]), [`NO_UNIT`] where there is no quantity.
    pub unit_id: u16,
    pub mirrored: bool,
    /// Mirrored or flagged estimated in the table.
    pub estimated: bool,
    /// 0-based row number in the table (batches counted in order).
    pub row: u64,
}

/// Calls `f` on every record of the import view of `table` under `opts`, without building the
/// view; returns the product codes by id (first-seen order). The one place that decides which
/// rows are imports under a [`Source`] ([`ImportView::build`], the coverage scan and the import
/// cube use it, the cube through [`ViewPlan`] to scan row ranges in parallel).
pub fn for_each_row(table: &TradeTable, opts: &ViewOptions<'_>, mut f: impl FnMut(ViewRow<'_>)) -> Result<Vec<String>> {
    let plan = ViewPlan::new(table, opts)?;
    for (b, batch) in table.batches().iter().enumerate() {
        for start in (0..batch.num_rows()).step_by(CANCEL_CHECK_ROWS) {
            opts.cancel.map_or(Ok(()), |c| c.check())?;
            plan.scan(b, start..(start + CANCEL_CHECK_ROWS).min(batch.num_rows()), &mut f);
        }
    }
    Ok(plan.products)
}

/// What [`for_each_row`] decides once per table before looking at rows: per batch, each
/// product dictionary entry's id and selection weight and each unit's id; the importers kept;
/// where `auto` takes reported rows. Then [`ViewPlan::scan`] reads any range of rows of any
/// batch on its own, so ranges can be read on several threads.
pub(crate) struct ViewPlan<'t> {
    table: &'t TradeTable,
    source: Source,
    cif_fob: f64,
    importer_mask: Option<Vec<bool>>,
    reported_pairs: HashSet<(u16, i32)>,
    /// Per batch: dictionary key -> (product id, weight), `None` when not selected.
    dict_maps: Vec<Vec<Option<(u32, f64)>>>,
    /// Per batch: unit dictionary key -> unit id.
    unit_maps: Vec<Vec<u16>>,
    /// 0-based table row of each batch's first row.
    row0: Vec<u64>,
    /// Product codes by id (first seen in the dictionaries, batch by batch).
    pub products: Vec<String>,
    /// Unit names by id.
    pub units: Vec<String>,
}

impl<'t> ViewPlan<'t> {
    pub fn new(table: &'t TradeTable, opts: &ViewOptions<'_>) -> Result<ViewPlan<'t>> {
        if !(opts.cif_fob.is_finite() && opts.cif_fob > 0.0) {
            return Err(Error::invalid_argument(
                format!("cif_fob factor {} is not a positive number", opts.cif_fob),
                "use 1.0 to keep mirror values FOB, or e.g. 1.05 for a 5% CIF margin",
            ));
        }
        let importer_mask: Option<Vec<bool>> = opts.importers.map(|codes| {
            let mut m = vec![false; 1 << 16];
            for c in codes {
                m[*c as usize] = true;
            }
            m
        });
        let reported_pairs = if opts.source == Source::Auto {
            reporting_importers(table)
        } else {
            HashSet::new()
        };
        let mut product_ids: HashMap<String, u32> = HashMap::new();
        let mut unit_ids: HashMap<String, u16> = HashMap::new();
        let (mut dict_maps, mut unit_maps, mut row0) = (vec![], vec![], vec![]);
        let mut next_row = 0u64;
        for batch in table.batches() {
            let dict = batch.column(4).as_dictionary::<Int32Type>();
            let names = dict.values().as_string::<i32>();
            let mut dict_map: Vec<Option<(u32, f64)>> = Vec::with_capacity(names.len());
            for k in 0..names.len() {
                let code = if names.is_valid(k) { names.value(k) } else { "" };
                let w = match opts.products {
                    None => Some(1.0),
                    Some(sel) => sel.weight(code),
                };
                dict_map.push(w.map(|w| {
                    let next = product_ids.len() as u32;
                    let id = *product_ids.entry_ref(code).or_insert(next);
                    (id, w)
                }));
            }
            let unit_names = batch.column(8).as_dictionary::<Int8Type>().values().as_string::<i32>();
            let unit_map: Vec<u16> = (0..unit_names.len())
                .map(|k| {
                    let next = unit_ids.len() as u16;
                    *unit_ids.entry_ref(unit_names.value(k)).or_insert(next)
                })
                .collect();
            dict_maps.push(dict_map);
            unit_maps.push(unit_map);
            row0.push(next_row);
            next_row += batch.num_rows() as u64;
        }
        let mut products = vec![String::new(); product_ids.len()];
        for (code, id) in product_ids {
            products[id as usize] = code;
        }
        let mut units = vec![String::new(); unit_ids.len()];
        for (name, id) in unit_ids {
            units[id as usize] = name;
        }
        Ok(ViewPlan {
            table,
            source: opts.source,
            cif_fob: opts.cif_fob,
            importer_mask,
            reported_pairs,
            dict_maps,
            unit_maps,
            row0,
            products,
            units,
        })
    }

    /// Calls `f` on the import records among rows `rows` of batch `b`.
    #[inline]
    pub fn scan(&self, b: usize, rows: std::ops::Range<usize>, mut f: impl FnMut(ViewRow<'_>)) {
        let batch = &self.table.batches()[b];
        let c = Cols::of(batch);
        let dict_map = &self.dict_maps[b];
        let unit_dict = batch.column(8).as_dictionary::<Int8Type>();
        let unit_names = unit_dict.values().as_string::<i32>();
        let qty = batch.column(7).as_primitive::<Float64Type>();
        for i in rows {
            let flow = c.flow[i];
            let (importer, supplier, mirrored) = if flow == Flow::Import as i8 {
                (c.reporter[i], c.partner[i], false)
            } else if flow == Flow::Export as i8 {
                (c.partner[i], c.reporter[i], true)
            } else {
                continue;
            };
            let keep = match self.source {
                Source::Reported => !mirrored,
                Source::Mirror => mirrored,
                Source::Auto => !mirrored || !self.reported_pairs.contains(&(importer, c.period[i])),
            };
            if !keep || self.importer_mask.as_ref().is_some_and(|m| !m[importer as usize]) {
                continue;
            }
            let Some((pid, w)) = dict_map.get(c.product_key[i] as usize).copied().flatten() else {
                continue;
            };
            let factor = if mirrored { w * self.cif_fob } else { w };
            let known = qty.is_valid(i) && unit_dict.is_valid(i);
            let unit_key = if known { unit_dict.keys().value(i) as usize } else { 0 };
            f(ViewRow {
                importer,
                supplier,
                product: pid,
                period: c.period[i],
                value: c.value[i] * factor,
                quantity: known.then(|| qty.value(i) * w),
                unit: known.then(|| unit_names.value(unit_key)),
                unit_id: if known { self.unit_maps[b][unit_key] } else { NO_UNIT },
                mirrored,
                estimated: mirrored || c.estimated.value(i),
                row: self.row0[b] + i as u64,
            });
        }
    }
}

/// The (importer, period) pairs in which the importer reported any import: where
/// [`Source::Auto`] takes reported rows.
pub fn reporting_importers(table: &TradeTable) -> HashSet<(u16, i32)> {
    let mut s = HashSet::new();
    for batch in table.batches() {
        let c = Cols::of(batch);
        for i in 0..batch.num_rows() {
            if c.flow[i] == Flow::Import as i8 {
                s.insert((c.reporter[i], c.period[i]));
            }
        }
    }
    s
}

/// Typed views of the canonical columns of one batch.
pub(crate) struct Cols<'a> {
    pub period: &'a [i32],
    pub reporter: &'a [u16],
    pub partner: &'a [u16],
    pub flow: &'a [i8],
    pub product_key: &'a [i32],
    pub value: &'a [f64],
    pub estimated: &'a arrow_array::BooleanArray,
}

impl<'a> Cols<'a> {
    /// The batch must be canonical (a [`TradeTable`] batch); columns are taken by position.
    pub fn of(batch: &'a RecordBatch) -> Cols<'a> {
        Cols {
            period: batch.column(0).as_primitive::<Int32Type>().values(),
            reporter: batch.column(1).as_primitive::<UInt16Type>().values(),
            partner: batch.column(2).as_primitive::<UInt16Type>().values(),
            flow: batch.column(3).as_dictionary::<Int8Type>().keys().values(),
            product_key: batch.column(4).as_dictionary::<Int32Type>().keys().values(),
            value: batch.column(5).as_primitive::<Float64Type>().values(),
            estimated: batch.column(10).as_boolean(),
        }
    }
}

/// A readable label for a country code: ISO3 when the country table knows it, the number otherwise.
pub fn country_label(code: u16) -> String {
    // Areas without an ISO3 code (697 Europe EFTA nes, 849 US Misc. Pacific Isds ...) keep their
    // number: an empty label would merge them with each other in the output keys.
    crate::reference::countries::by_code(code)
        .map(|c| c.iso3)
        .filter(|iso3| !iso3.is_empty())
        .map_or_else(|| code.to_string(), str::to_string)
}
