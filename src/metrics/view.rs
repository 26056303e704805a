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
}

impl Default for ViewOptions<'_> {
    fn default() -> Self {
        ViewOptions {
            source: Source::Reported,
            cif_fob: 1.0,
            products: None,
            importers: None,
        }
    }
}

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
        // Auto: which (importer, period) pairs reported imports at all.
        let reported_pairs: HashSet<(u16, i32)> = if opts.source == Source::Auto {
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
        } else {
            HashSet::new()
        };
        let mut v = ImportView::default();
        let mut product_ids: HashMap<String, u32> = HashMap::new();
        let mut unit_ids: HashMap<String, u16> = HashMap::new();
        let mut row0: u64 = 0;
        for batch in table.batches() {
            let c = Cols::of(batch);
            // Per dictionary entry: global product id and selection weight.
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
            let unit_dict = batch.column(8).as_dictionary::<Int8Type>();
            let unit_names = unit_dict.values().as_string::<i32>();
            let unit_map: Vec<u16> = (0..unit_names.len())
                .map(|k| {
                    let next = unit_ids.len() as u16;
                    *unit_ids.entry_ref(unit_names.value(k)).or_insert(next)
                })
                .collect();
            let qty = batch.column(7).as_primitive::<Float64Type>();
            for i in 0..batch.num_rows() {
                let flow = c.flow[i];
                let (importer, supplier, mirrored) = if flow == Flow::Import as i8 {
                    (c.reporter[i], c.partner[i], false)
                } else if flow == Flow::Export as i8 {
                    (c.partner[i], c.reporter[i], true)
                } else {
                    continue;
                };
                let keep = match opts.source {
                    Source::Reported => !mirrored,
                    Source::Mirror => mirrored,
                    Source::Auto => !mirrored || !reported_pairs.contains(&(importer, c.period[i])),
                };
                if !keep || importer_mask.as_ref().is_some_and(|m| !m[importer as usize]) {
                    continue;
                }
                let Some((pid, w)) = dict_map.get(c.product_key[i] as usize).copied().flatten() else {
                    continue;
                };
                let factor = if mirrored { w * opts.cif_fob } else { w };
                v.importer.push(importer);
                v.supplier.push(supplier);
                v.product.push(pid);
                v.period.push(c.period[i]);
                v.value.push(c.value[i] * factor);
                if qty.is_valid(i) && unit_dict.is_valid(i) {
                    v.quantity.push(qty.value(i) * w);
                    let uk = unit_dict.keys().value(i) as usize;
                    v.unit.push(unit_map.get(uk).copied().unwrap_or(NO_UNIT));
                } else {
                    v.quantity.push(f64::NAN);
                    v.unit.push(NO_UNIT);
                }
                v.mirrored.push(mirrored);
                v.estimated.push(mirrored || c.estimated.value(i));
                v.row.push(row0 + i as u64);
            }
            row0 += batch.num_rows() as u64;
        }
        // Product ids in code order, so results come out sorted by product.
        let mut names: Vec<(String, u32)> = product_ids.into_iter().collect();
        names.sort_unstable();
        let mut remap = vec![0u32; names.len()];
        for (rank, (_, id)) in names.iter().enumerate() {
            remap[*id as usize] = rank as u32;
        }
        for p in v.product.iter_mut() {
            *p = remap[*p as usize];
        }
        v.products = names.into_iter().map(|(n, _)| n).collect();
        v.units = vec![String::new(); unit_ids.len()];
        for (k, id) in unit_ids {
            v.units[id as usize] = k;
        }
        Ok(v)
    }
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
    crate::reference::countries::by_code(code)
        .map(|c| c.iso3.to_string())
        .unwrap_or_else(|| code.to_string())
}
