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
///
/// ```
/// use tradedep::metrics::Source;
/// assert_eq!(Source::parse(" Mirror ")?, Source::Mirror);
/// assert_eq!(Source::parse("imports")?, Source::Reported);
/// assert_eq!(Source::parse("auto")?.as_str(), "auto");
/// assert_eq!(Source::default(), Source::Reported);
/// assert!(Source::parse("both").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
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
    ///
    /// ```
    /// use tradedep::metrics::Source;
    /// assert_eq!(Source::parse("MIRRORED")?, Source::Mirror);
    /// assert!(Source::parse("world").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
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
    /// The name [`Source::parse`] reads back: `reported`, `mirror` or `auto`.
    ///
    /// ```
    /// use tradedep::metrics::Source;
    /// for s in [Source::Reported, Source::Mirror, Source::Auto] {
    ///     assert_eq!(Source::parse(s.as_str())?, s);
    /// }
    /// assert_eq!(Source::Reported.as_str(), "reported");
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Reported => "reported",
            Source::Mirror => "mirror",
            Source::Auto => "auto",
        }
    }
}

/// What goes into the view.
///
/// ```
/// use tradedep::cancel::Cancellation;
/// use tradedep::metrics::view::CANCEL_CHECK_ROWS;
/// use tradedep::metrics::{ImportView, Source, ViewOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "854231", 100.0))?; // China to Russia
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "870323", 50.0))?;
/// b.push(TradeRow::new(2021, 156, 398, Flow::Export, "854231", 30.0))?; // to Kazakhstan
/// let table = b.finish()?;
/// let chips = ProductSelection::from_codes("chips", ["8542"], None);
/// let opts = ViewOptions {
///     source: Source::Mirror,
///     cif_fob: 1.05,
///     products: Some(&chips),
///     importers: Some(&[643]),
///     cancel: None,
/// };
/// let view = ImportView::build(&table, &opts)?;
/// // Russia's imports of chips from China: 100 FOB x 1.05.
/// assert_eq!((view.importer[0], view.supplier[0], view.value[0]), (643, 156, 105.0));
/// assert_eq!(view.len(), 1);
/// let cancel = Cancellation::new();
/// cancel.cancel(); // looked at before each block of CANCEL_CHECK_ROWS (65,536) rows
/// assert_eq!(CANCEL_CHECK_ROWS, 1 << 16);
/// assert!(ImportView::build(&table, &ViewOptions { cancel: Some(&cancel), ..opts }).is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ViewOptions<'a> {
    /// Reported imports, mirrored exports, or both ([`Source::Auto`]).
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
///
/// ```
/// use tradedep::metrics::view::NO_UNIT;
/// use tradedep::metrics::{ImportView, ViewOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// let row = TradeRow::new(2021, 643, 156, Flow::Import, "8542", 10.0);
/// b.push(TradeRow { quantity: Some(2.0), quantity_unit: Some("kg"), ..row })?;
/// b.push(TradeRow::new(2021, 643, 792, Flow::Import, "8471", 5.0))?;
/// b.push(TradeRow::new(2021, 643, 156, Flow::Export, "8542", 7.0))?; // Russia's exports: not imports
/// let view = ImportView::build(&b.finish()?, &ViewOptions::default())?;
/// assert_eq!((view.len(), view.is_empty()), (2, false));
/// assert_eq!((view.importer.as_slice(), view.supplier.as_slice()), (&[643, 643][..], &[156, 792][..]));
/// assert_eq!(view.products, ["8471", "8542"]); // product ids in code order
/// assert_eq!(view.product, [1, 0]);
/// assert_eq!((view.units[view.unit[0] as usize].as_str(), view.quantity[0]), ("kg", 2.0));
/// assert!(view.unit[1] == NO_UNIT && view.quantity[1].is_nan());
/// assert_eq!((view.row.as_slice(), view.mirrored.as_slice()), (&[0, 1][..], &[false, false][..]));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct ImportView {
    /// Importer codes.
    pub importer: Vec<u16>,
    /// Supplier codes.
    pub supplier: Vec<u16>,
    /// Index into [`ImportView::products`].
    pub product: Vec<u32>,
    /// Product codes by id, in code order.
    pub products: Vec<String>,
    /// The table's period codes (YYYY or YYYYMM).
    pub period: Vec<i32>,
    /// Value after selection weight and CIF/FOB factor.
    pub value: Vec<f64>,
    /// Quantity after selection weight; NaN where unknown.
    pub quantity: Vec<f64>,
    /// Index into [`ImportView::units`], or [`NO_UNIT`].
    pub unit: Vec<u16>,
    /// Unit names by id.
    pub units: Vec<String>,
    /// Row came from a partner's export (mirror).
    pub mirrored: Vec<bool>,
    /// Row was mirrored or flagged estimated in the table.
    pub estimated: Vec<bool>,
    /// 0-based row number in the table (batches counted in order).
    pub row: Vec<u64>,
}

impl ImportView {
    /// Number of records.
    ///
    /// ```
    /// use tradedep::metrics::{ImportView, Source, ViewOptions};
    /// use tradedep::model::*;
    /// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
    /// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "8542", 1.0))?;
    /// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "8542", 1.0))?;
    /// b.push(TradeRow::new(2021, 156, 398, Flow::Export, "8542", 1.0))?;
    /// let t = b.finish()?;
    /// let len = |source| ImportView::build(&t, &ViewOptions { source, ..Default::default() }).map(|v| v.len());
    /// assert_eq!((len(Source::Reported)?, len(Source::Mirror)?, len(Source::Auto)?), (1, 2, 2));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.value.len()
    }
    /// True when no row of the table is an import under the options.
    ///
    /// ```
    /// use tradedep::metrics::{ImportView, ViewOptions};
    /// use tradedep::model::*;
    /// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
    /// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "8542", 1.0))?;
    /// assert!(ImportView::build(&b.finish()?, &ViewOptions::default())?.is_empty()); // exports only
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Builds the view of `table` under `opts`.
    ///
    /// ```
    /// use tradedep::metrics::{ImportView, Source, ViewOptions};
    /// use tradedep::model::*;
    /// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
    /// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "8542", 100.0))?;
    /// let t = b.finish()?;
    /// let v = ImportView::build(&t, &ViewOptions { source: Source::Mirror, cif_fob: 1.1, ..Default::default() })?;
    /// assert_eq!((v.importer[0], v.supplier[0], v.mirrored[0], v.estimated[0]), (643, 156, true, true));
    /// assert!((v.value[0] - 110.0).abs() < 1e-9);
    /// assert!(ImportView::build(&t, &ViewOptions { cif_fob: 0.0, ..Default::default() }).is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
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
///
/// ```
/// use tradedep::metrics::view::{for_each_row, ViewRow};
/// use tradedep::metrics::{Source, ViewOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "8542", 60.0))?; // Russia reports
/// let row = TradeRow::new(2021, 156, 398, Flow::Export, "8542", 40.0); // Kazakhstan does not
/// b.push(TradeRow { quantity: Some(8.0), quantity_unit: Some("u"), ..row })?;
/// let mut seen = vec![];
/// let opts = ViewOptions { source: Source::Auto, ..Default::default() };
/// for_each_row(&b.finish()?, &opts, |r: ViewRow<'_>| {
///     let unit = r.unit.map(String::from); // borrowed from the table for the call only
///     seen.push((r.importer, r.supplier, r.value, r.quantity, unit, r.mirrored, r.estimated, r.row))
/// })?;
/// assert_eq!(seen, [
///     (643, 156, 60.0, None, None, false, false, 0),
///     (398, 156, 40.0, Some(8.0), Some("u".to_string()), true, true, 1),
/// ]);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ViewRow<'a> {
    /// Importer code.
    pub importer: u16,
    /// Supplier code.
    pub supplier: u16,
    /// Id of the product code (index into the names [`for_each_row`] returns).
    pub product: u32,
    /// The table's period code.
    pub period: i32,
    /// Value after selection weight and CIF/FOB factor.
    pub value: f64,
    /// Quantity after selection weight, where the row has one with a unit.
    pub quantity: Option<f64>,
    /// The quantity's unit.
    pub unit: Option<&'a str>,
    /// Id of the unit, the same for the same name within one call (index into
    /// [`ImportView::units`] in a built view), [`NO_UNIT`] where there is no quantity.
    pub unit_id: u16,
    /// The row is a partner's export (mirror).
    pub mirrored: bool,
    /// Mirrored or flagged estimated in the table.
    pub estimated: bool,
    /// 0-based row number in the table (batches counted in order).
    pub row: u64,
}

/// Calls `f` on every record of the import view of `table` under `opts`, without building the
/// view; returns the product codes by id (first-seen order). The one place that decides which
/// rows are imports under a [`Source`] ([`ImportView::build`], the coverage scan and the import
/// cube use it, the cube through the same per-table plan to scan row ranges in parallel).
///
/// ```
/// use tradedep::metrics::view::for_each_row;
/// use tradedep::metrics::{Source, ViewOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "8542", 100.0))?;
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "8471", 20.0))?;
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "8542", 90.0))?; // not mirror
/// let mut total = 0.0;
/// let opts = ViewOptions { source: Source::Mirror, cif_fob: 1.05, ..Default::default() };
/// let products = for_each_row(&b.finish()?, &opts, |r| total += r.value)?;
/// assert_eq!(products, ["8542", "8471"]); // first seen first
/// assert!((total - 126.0).abs() < 1e-9); // (100 + 20) x 1.05
/// # Ok::<(), tradedep::Error>(())
/// ```
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

/// The units of [`row_units`] grouped into one contiguous block per rayon thread: the cube's
/// scan, where each thread fills and sorts one run.
pub(crate) fn row_blocks(table: &TradeTable) -> Vec<Vec<(usize, std::ops::Range<usize>)>> {
    let units = row_units(table);
    let block = units.len().div_ceil(rayon::current_num_threads().max(1)).max(1);
    units.chunks(block).map(<[_]>::to_vec).collect()
}

/// What [`for_each_row`] decides once per table before looking at rows: per batch, each
/// product dictionary entry's id and selection weight and each unit's id; the importers kept;
/// where `auto` takes reported rows. Then [`ViewPlan::scan`] reads any range of rows of any
/// batch on its own, so ranges can be read on several threads.
pub(crate) struct ViewPlan<'t> {
    table: &'t TradeTable,
    source: Source,
    /// Every import and export row, whatever `source` says (the cube's reported vs mirror sides).
    both_flows: bool,
    cif_fob: f64,
    importer_mask: Option<Vec<bool>>,
    reported_pairs: HashSet<(u16, i32)>,
    /// Per batch: dictionary key -> (product id, weight), product id [`NOT_SELECTED`] when not
    /// selected (16 bytes an entry, not an `Option`'s 24: looked up on every row).
    dict_maps: Vec<Vec<(u32, f64)>>,
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
            let mut dict_map: Vec<(u32, f64)> = Vec::with_capacity(names.len());
            for k in 0..names.len() {
                let code = if names.is_valid(k) { names.value(k) } else { "" };
                let w = match opts.products {
                    None => Some(1.0),
                    Some(sel) => sel.weight(code),
                };
                dict_map.push(w.map_or((NOT_SELECTED, 0.0), |w| {
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
            both_flows: false,
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

    /// With `both`, [`ViewPlan::scan`] hands over the rows of both flows (reported imports and
    /// partners' exports, `mirrored` telling them apart), whatever the source.
    pub fn with_both_flows(mut self, both: bool) -> Self {
        self.both_flows = both;
        self
    }

    /// Reads every record on rayon's threads in blocks of [`FOLD_BLOCK_UNITS`] units of
    /// [`row_units`] (about a million rows), each block into its own `T` (`init`, then `add` per
    /// record in row order), and merges the blocks in row order (`merge(earlier, later)`).
    /// Blocks are fixed runs of rows, so the result does not depend on the number of threads;
    /// they run in waves of one per thread, so at most one `T` per thread and the merged one
    /// exist. Looks at `cancel` before each unit.
    pub fn fold<T: Send>(
        &self,
        cancel: Option<&crate::cancel::Cancellation>,
        init: impl Fn() -> T + Sync,
        add: impl Fn(&mut T, ViewRow<'_>) + Sync,
        mut merge: impl FnMut(&mut T, T),
    ) -> Result<T> {
        use rayon::prelude::*;
        let units = row_units(self.table);
        let blocks: Vec<_> = units.chunks(FOLD_BLOCK_UNITS).collect();
        let mut out = init();
        for wave in blocks.chunks(rayon::current_num_threads().max(1)) {
            let parts: Vec<Result<T>> = wave
                .par_iter()
                .map(|block| {
                    let mut acc = init();
                    for (b, rows) in block.iter() {
                        cancel.map_or(Ok(()), |c| c.check())?;
                        self.scan(*b, rows.clone(), |r| add(&mut acc, r));
                    }
                    Ok(acc)
                })
                .collect();
            for part in parts {
                merge(&mut out, part?);
            }
        }
        Ok(out)
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
            let keep = self.both_flows
                || match self.source {
                    Source::Reported => !mirrored,
                    Source::Mirror => mirrored,
                    Source::Auto => !mirrored || !self.reported_pairs.contains(&(importer, c.period[i])),
                };
            if !keep || self.importer_mask.as_ref().is_some_and(|m| !m[importer as usize]) {
                continue;
            }
            let Some(&(pid, w)) = dict_map.get(c.product_key[i] as usize) else {
                continue;
            };
            if pid == NOT_SELECTED {
                continue;
            }
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

/// Product id of a dictionary entry the selection leaves out.
const NOT_SELECTED: u32 = u32::MAX;

/// Units of [`row_units`] per block of [`ViewPlan::fold`].
pub(crate) const FOLD_BLOCK_UNITS: usize = 16;

/// Row ranges of at most [`CANCEL_CHECK_ROWS`] rows, never across batches, in table order: the
/// units that scans read on rayon's threads.
pub(crate) fn row_units(table: &TradeTable) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut units = vec![];
    for (b, batch) in table.batches().iter().enumerate() {
        for start in (0..batch.num_rows()).step_by(CANCEL_CHECK_ROWS) {
            units.push((b, start..(start + CANCEL_CHECK_ROWS).min(batch.num_rows())));
        }
    }
    units
}

/// The (importer, period) pairs in which the importer reported any import: where
/// [`Source::Auto`] takes reported rows.
///
/// ```
/// use tradedep::metrics::view::reporting_importers;
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "8542", 1.0))?;
/// b.push(TradeRow::new(2022, 156, 643, Flow::Export, "8542", 1.0))?; // Russia silent in 2022
/// b.push(TradeRow::new(2022, 398, 156, Flow::Import, "8542", 1.0))?;
/// let pairs = reporting_importers(&b.finish()?);
/// assert_eq!(pairs.len(), 2);
/// assert!(pairs.contains(&(643, 2021)) && pairs.contains(&(398, 2022)));
/// # Ok::<(), tradedep::Error>(())
/// ```
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
///
/// ```
/// use tradedep::metrics::country_label;
/// assert_eq!(country_label(643), "RUS");
/// assert_eq!(country_label(697), "697"); // Europe EFTA nes: no ISO3 code
/// assert_eq!(country_label(9999), "9999"); // unknown
/// ```
pub fn country_label(code: u16) -> String {
    // Areas without an ISO3 code (697 Europe EFTA nes, 849 US Misc. Pacific Isds ...) keep their
    // number: an empty label would merge them with each other in the output keys.
    crate::reference::countries::label(code)
}
