//! Several importers against one basket, side by side: e.g. how dependent Russia and Ukraine
//! are on China for drone components.
//!
//! One row per (time key, supplier); for each importer `L` two columns `value_L` and `share_L`.
//! A supplier an importer did not buy from has value 0 and share 0 when that importer imported
//! anything in the period, null when it imported nothing at all (a gap, not a zero). With
//! `top = n`, suppliers outside every importer's n largest are summed into `Rest of world`.
//!
//! | column | type | meaning |
//! |---|---|---|
//! | time key (`period`/`year`/`quarter`, + `n_months` of all importers' rows) | | as in supplier shares |
//! | `supplier`, `supplier_code` | Utf8, UInt16 | supplier, group or `Rest of world` |
//! | `value_<L>`, `share_<L>` | Float64 | per importer label `L`, in the order given |
//! | `n_rows` | UInt64 | table rows summed into the row, all importers |
//! | `source` | Utf8 | reported, mirror or mixed over the row's table rows |

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt16Array, UInt64Array};
use arrow_schema::{DataType, Field};
use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::group::{Acc, Importer, ImporterSlots, SupplierKeys, REST_OF_WORLD};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::{By, TimeKey};
use crate::model::{Freq, TradeTable};

/// Arguments of [`compare`].
///
/// ```
/// use arrow_array::cast::AsArray;
/// use tradedep::metrics::{compare, By, CompareOptions, Importer};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8542", 70.0))?;
/// b.push(TradeRow::new(2023, 643, 792, Flow::Import, "8542", 20.0))?;
/// b.push(TradeRow::new(2023, 643, 276, Flow::Import, "8542", 10.0))?;
/// b.push(TradeRow::new(2023, 804, 276, Flow::Import, "8542", 30.0))?;
/// let mut opts = CompareOptions::new(vec![Importer::country(643), Importer::country(804)]);
/// assert_eq!(opts.by, [By::Period]);
/// opts.top = Some(1); // China (Russia's largest) and Germany (Ukraine's) kept
/// let out = compare(&b.finish()?, &opts)?;
/// let suppliers: Vec<_> = out.column_by_name("supplier").unwrap().as_string::<i32>().iter().flatten().collect();
/// assert_eq!(suppliers.len(), 3);
/// assert!(suppliers.contains(&"CHN") && suppliers.contains(&"DEU") && suppliers.contains(&"Rest of world"));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CompareOptions {
    /// The importers side by side, in column order (labels must differ).
    pub importers: Vec<Importer>,
    /// Which of their imports count: products, supplier groups, source.
    pub imports: ImportSelection,
    /// Time key only (period, year, quarter), or none.
    pub by: Vec<By>,
    /// Keep the suppliers among any importer's `n` largest; sum the others into `Rest of world`.
    pub top: Option<usize>,
}

impl CompareOptions {
    /// `importers` by period, reported data, every product, every supplier.
    ///
    /// ```
    /// use tradedep::metrics::{By, CompareOptions, Importer};
    /// let opts = CompareOptions::new(vec![Importer::country(643), Importer::country(804)]);
    /// assert_eq!((opts.by, opts.top), (vec![By::Period], None));
    /// assert_eq!(opts.importers[1].label, "UKR");
    /// ```
    pub fn new(importers: Vec<Importer>) -> Self {
        CompareOptions {
            importers,
            imports: ImportSelection::default(),
            by: vec![By::Period],
            top: None,
        }
    }
}

/// Importers side by side (see the module docs for the columns).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type, Array};
/// use tradedep::metrics::{compare, CompareOptions, Importer};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8542", 75.0))?; // Russia
/// b.push(TradeRow::new(2023, 643, 792, Flow::Import, "8542", 25.0))?;
/// b.push(TradeRow::new(2023, 398, 156, Flow::Import, "8542", 10.0))?; // Kazakhstan, from China only
/// let opts = CompareOptions::new(vec![Importer::country(643), Importer::country(398)]);
/// let out = compare(&b.finish()?, &opts)?;
/// let col = |c: &str| out.column_by_name(c).unwrap().as_primitive::<Float64Type>().clone();
/// // China first (largest shares), then Türkiye, from which Kazakhstan bought nothing (0, not null).
/// assert_eq!(out.column_by_name("supplier").unwrap().as_string::<i32>().value(0), "CHN");
/// assert_eq!((col("share_RUS").value(0), col("share_KAZ").value(0)), (0.75, 1.0));
/// assert_eq!((col("value_RUS").value(1), col("value_KAZ").value(1)), (25.0, 0.0));
/// assert!(!col("share_KAZ").is_null(1));
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn compare(table: &TradeTable, opts: &CompareOptions) -> Result<RecordBatch> {
    if opts.by.iter().any(|b| matches!(b, By::Product | By::Partner)) {
        return Err(Error::invalid_argument(
            "compare is broken down by time only",
            "use by=[\"period\"], [\"year\"] or []; select products with products=",
        ));
    }
    let mut labels = BTreeSet::new();
    for i in &opts.importers {
        if !labels.insert(i.label.clone()) {
            return Err(Error::invalid_argument(
                format!("importer {:?} given twice", i.label),
                "give each importer once",
            ));
        }
    }
    let freq = table.meta().freq;
    let time = TimeKey::from_by(&opts.by, freq)?;
    let suppliers = SupplierKeys::new(&opts.imports.groups)?;
    let slots = ImporterSlots::new(opts.importers.clone(), freq)?;
    let cube = ImportCube::build(
        table,
        &slots,
        &opts.imports,
        &opts.by,
        Detail::Values,
        &suppliers,
        false,
    )?;
    crate::metrics::coverage::refuse_empty(cube.is_empty(), table, Some(&opts.importers), &opts.imports)?;
    let n_imp = opts.importers.len();
    // time -> supplier -> per-importer sums; (time, importer) -> total
    let mut cells: BTreeMap<i32, HashMap<u32, Vec<Acc>>> = BTreeMap::new();
    let mut totals: HashMap<(i32, u16), f64> = HashMap::new();
    let mut keep: HashMap<i32, BTreeSet<u32>> = HashMap::new();
    cube.for_each_cell(|cell, items| {
        let t = cell.period;
        *totals.entry((t, cell.importer)).or_default() += items.iter().map(|(_, a)| a.value).sum::<f64>();
        items.sort_by(|a, b| b.1.value.total_cmp(&a.1.value).then(a.0.cmp(&b.0)));
        let kept = keep.entry(t).or_default();
        for (rank, (sup, acc)) in items.iter().enumerate() {
            if opts.top.is_none_or(|n| rank < n) {
                kept.insert(*sup);
            }
            let per = cells
                .entry(t)
                .or_default()
                .entry(*sup)
                .or_insert_with(|| vec![Acc::default(); n_imp]);
            per[cell.importer as usize].merge(acc);
        }
        Ok(())
    })?;
    let mut time_keys = vec![];
    let mut months = vec![];
    let mut sup_label = vec![];
    let mut sup_code = vec![];
    let mut values: Vec<Vec<Option<f64>>> = vec![vec![]; n_imp];
    let mut shares: Vec<Vec<Option<f64>>> = vec![vec![]; n_imp];
    let mut n_rows = vec![];
    let mut source = vec![];
    for (t, sups) in cells {
        let kept = keep.remove(&t).unwrap_or_default();
        let mut rows: BTreeMap<u32, Vec<Acc>> = BTreeMap::new();
        for (sup, per) in sups {
            let key = if kept.contains(&sup) { sup } else { REST_OF_WORLD };
            let row = rows.entry(key).or_insert_with(|| vec![Acc::default(); n_imp]);
            for (r, a) in row.iter_mut().zip(per.iter()) {
                r.merge(a);
            }
        }
        // Largest total share first, rest of world last.
        let mut ordered: Vec<(u32, Vec<Acc>)> = rows.into_iter().collect();
        let score = |per: &Vec<Acc>| -> f64 {
            per.iter()
                .enumerate()
                .map(|(i, a)| {
                    totals
                        .get(&(t, i as u16))
                        .map(|tot| if *tot > 0.0 { a.value / tot } else { 0.0 })
                        .unwrap_or(0.0)
                })
                .sum()
        };
        ordered.sort_by(|a, b| {
            (a.0 == REST_OF_WORLD)
                .cmp(&(b.0 == REST_OF_WORLD))
                .then(score(&b.1).total_cmp(&score(&a.1)))
                .then(a.0.cmp(&b.0))
        });
        for (sup, per) in ordered {
            let mut all = Acc::default();
            for a in &per {
                all.merge(a);
            }
            time_keys.push(t);
            months.push(all.months);
            let (l, c) = suppliers.label(sup);
            sup_label.push(l);
            sup_code.push(c);
            for (i, a) in per.iter().enumerate() {
                let total = totals.get(&(t, i as u16)).copied();
                values[i].push(total.map(|_| a.value));
                shares[i].push(total.filter(|x| *x > 0.0).map(|x| a.value / x));
            }
            n_rows.push(all.n_rows);
            source.push(all.source());
        }
    }
    let mut cols: Vec<(Field, ArrayRef)> = time.columns(&time_keys, &months, freq == Freq::Monthly);
    cols.push((
        Field::new("supplier", DataType::Utf8, false),
        Arc::new(StringArray::from(sup_label)),
    ));
    cols.push((
        Field::new("supplier_code", DataType::UInt16, true),
        Arc::new(UInt16Array::from(sup_code)),
    ));
    for (i, imp) in opts.importers.iter().enumerate() {
        cols.push((
            Field::new(format!("value_{}", imp.label), DataType::Float64, true),
            Arc::new(Float64Array::from(std::mem::take(&mut values[i]))),
        ));
        cols.push((
            Field::new(format!("share_{}", imp.label), DataType::Float64, true),
            Arc::new(Float64Array::from(std::mem::take(&mut shares[i]))),
        ));
    }
    cols.push((
        Field::new("n_rows", DataType::UInt64, false),
        Arc::new(UInt64Array::from(n_rows)),
    ));
    cols.push((
        Field::new("source", DataType::Utf8, false),
        Arc::new(StringArray::from(source)),
    ));
    record_batch(cols, "assembling comparison")
}
