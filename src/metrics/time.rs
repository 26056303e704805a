//! Time series of imports: monthly, quarterly or annual, with year-on-year change, an index
//! against a baseline (e.g. the 2017-2021 average) and rolling 12-month (or 4-quarter) sums.
//!
//! Calendar gaps are explicit: every series runs over the same complete calendar, from the
//! first to the last period seen in the result. A period without rows is 0 where the series'
//! reporting side reported other flows in it (the importer for reported imports; the supplier,
//! or any exporter for a total, for mirror data; see [`reporting`](crate::metrics::reporting)),
//! and a gap (`value` null, `gap = true`, never a silent zero) where that side reported nothing.
//! In quarters and years of a monthly table, a month counts (`n_months`, `complete`) when it
//! has rows or its reporting side reported in it. Derived numbers that would need a missing or
//! incomplete period are null.
//!
//! Columns (bracketed ones when asked for):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `importer` | Utf8 | importer label |
//! | \[`product`\] | Utf8 | with `by_product` |
//! | \[`supplier`\], \[`supplier_code`\] | Utf8, UInt16 | with `by_supplier` (groups and labels as in shares) |
//! | `period` / `quarter` / `year` | Int32 / Utf8 / Int32 | the calendar |
//! | \[`n_months`\] | UInt32 | months with rows or a declared zero, when months are summed into quarters or years |
//! | `value` | Float64 | imports (0 where the reporting side reported other flows); null in a gap |
//! | `gap` | Boolean | the reporting side reported nothing in this period |
//! | `complete` | Boolean | not a gap, and every month of a quarter/year present |
//! | `yoy` | Float64 | value / value a year earlier - 1 (null when either is missing, incomplete or 0) |
//! | `rolling_year` | Float64 | sum of the last 12 months / 4 quarters / 1 year; null if any is missing or incomplete |
//! | \[`index`\] | Float64 | 100 x value / mean of the complete baseline periods, with `baseline` |
//! | `source` | Utf8 | reported, mirror or mixed; null in a gap or a declared zero |
//! | `n_rows` | UInt64 | table rows summed |

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt16Array, UInt64Array};
use arrow_schema::{DataType, Field};
use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::group::{
    Acc, Importer, ImporterSlots, SupplierGroup, SupplierKeys, GROUP_BASE, NO_PRODUCT, REST_OF_WORLD,
};
use crate::metrics::reporting::{months_of, Reporting};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::{By, TimeKey};
use crate::metrics::view::Source;
use crate::model::{Freq, TradeTable};

/// Calendar of a series.
///
/// ```
/// use tradedep::metrics::SeriesFreq;
/// assert_eq!(SeriesFreq::parse("Q")?, SeriesFreq::Quarter);
/// assert_eq!(SeriesFreq::parse("annual")?, SeriesFreq::Year);
/// assert_eq!(SeriesFreq::parse("monthly")?, SeriesFreq::Month);
/// assert!(SeriesFreq::parse("weekly").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesFreq {
    /// The table's months (monthly tables only).
    Month,
    /// Quarters (months summed).
    Quarter,
    /// Calendar years.
    Year,
}

impl SeriesFreq {
    /// Parses `month` (`m`, `monthly`), `quarter` (`q`) or `year` (`y`, `a`, `annual`).
    ///
    /// ```
    /// use tradedep::metrics::SeriesFreq;
    /// assert_eq!(SeriesFreq::parse("Y")?, SeriesFreq::Year);
    /// assert_eq!(SeriesFreq::parse(" m ")?, SeriesFreq::Month);
    /// assert!(SeriesFreq::parse("d").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<SeriesFreq> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m" | "month" | "monthly" => Ok(SeriesFreq::Month),
            "q" | "quarter" | "quarterly" => Ok(SeriesFreq::Quarter),
            "a" | "y" | "year" | "annual" | "yearly" => Ok(SeriesFreq::Year),
            other => Err(Error::invalid_argument(
                format!("unknown series frequency {other:?}"),
                "use \"month\", \"quarter\" or \"year\"",
            )),
        }
    }
}

/// Arguments of [`import_series`].
///
/// ```
/// use tradedep::metrics::{Importer, SeriesFreq, SeriesOptions};
/// let mut opts = SeriesOptions::new(vec![Importer::group("EU27")], SeriesFreq::Quarter);
/// assert!(!opts.by_supplier && !opts.by_product && opts.baseline.is_none());
/// opts.by_supplier = true; // one series per supplier
/// opts.baseline = Some((2017, 2021)); // index 100 = the mean of 2017-2021's quarters
/// ```
#[derive(Debug, Clone)]
pub struct SeriesOptions {
    /// Whose imports, one series (or set of series) per importer.
    pub importers: Vec<Importer>,
    /// Which of their imports count: products, supplier groups, source.
    pub imports: ImportSelection,
    /// One series per supplier (or group) instead of the importer's total.
    pub by_supplier: bool,
    /// One series per product instead of the selection's total.
    pub by_product: bool,
    /// The calendar.
    pub freq: SeriesFreq,
    /// Inclusive years whose mean is the index base (e.g. `(2017, 2021)`).
    pub baseline: Option<(i32, i32)>,
}

impl SeriesOptions {
    /// Each importer's total imports, reported data, every product, no baseline.
    ///
    /// ```
    /// use tradedep::metrics::{Importer, SeriesFreq, SeriesOptions, Source};
    /// let opts = SeriesOptions::new(vec![Importer::country(643)], SeriesFreq::Month);
    /// assert_eq!((opts.freq, opts.baseline, opts.imports.source), (SeriesFreq::Month, None, Source::Reported));
    /// ```
    pub fn new(importers: Vec<Importer>, freq: SeriesFreq) -> Self {
        SeriesOptions {
            importers,
            imports: ImportSelection::default(),
            by_supplier: false,
            by_product: false,
            freq,
            baseline: None,
        }
    }
}

/// Steps through a calendar of time keys (shared with re-routing, which walks a table's own periods).
#[derive(Clone, Copy)]
pub(crate) struct Calendar {
    key: TimeKey,
    monthly_source: bool,
}

impl Calendar {
    /// The calendar of a table's own periods (years, or months of a monthly table).
    pub(crate) fn of_table(freq: Freq) -> Calendar {
        Calendar {
            key: TimeKey::Period,
            monthly_source: freq == Freq::Monthly,
        }
    }
    fn per_year(self) -> i32 {
        match (self.key, self.monthly_source) {
            (TimeKey::Period, true) => 12,
            (TimeKey::Quarter, _) => 4,
            _ => 1,
        }
    }
    /// Every key from `lo` to `hi` inclusive (empty when `lo > hi`): gaps become explicit.
    pub(crate) fn span(self, lo: i32, hi: i32) -> Vec<i32> {
        let mut out = vec![];
        let mut k = lo;
        while k <= hi {
            out.push(k);
            k = self.next(k);
        }
        out
    }
    pub(crate) fn next(self, k: i32) -> i32 {
        match self.per_year() {
            12 => {
                if k % 100 == 12 {
                    (k / 100 + 1) * 100 + 1
                } else {
                    k + 1
                }
            }
            4 => {
                if k % 10 == 4 {
                    (k / 10 + 1) * 10 + 1
                } else {
                    k + 1
                }
            }
            _ => k + 1,
        }
    }
    fn year_before(self, k: i32) -> i32 {
        match self.per_year() {
            12 => k - 100,
            4 => k - 10,
            _ => k - 1,
        }
    }
    pub(crate) fn year(self, k: i32) -> i32 {
        match self.per_year() {
            12 => k / 100,
            4 => k / 10,
            _ => k,
        }
    }
    /// Months a complete period has (1 for a table's own annual periods: nothing to check).
    fn months(self) -> u32 {
        match (self.key, self.monthly_source) {
            (TimeKey::Year, true) => 12,
            (TimeKey::Quarter, true) => 3,
            _ => 0,
        }
    }
}

/// The reporting side of a series and the months of a calendar period in which it reported
/// (metrics::reporting's rule).
struct ReportingSide<'a> {
    reporting: &'a Reporting,
    source: Source,
    groups: &'a [SupplierGroup],
    quarter: bool,
    year_of_months: bool,
    monthly: bool,
}

impl ReportingSide<'_> {
    /// Month bits (bit m-1 for month m; bit 0 for a table's own annual period) of the table
    /// periods inside calendar key `k` in which the series' reporting side reported.
    fn reported_months(
        &self,
        k: i32,
        imp: u16,
        sup: u32,
        by_supplier: bool,
        slots: &ImporterSlots,
        members: &mut HashMap<i32, Vec<Vec<u16>>>,
    ) -> Result<u16> {
        let mut bits = 0u16;
        for p in months_of(k, self.quarter, self.year_of_months) {
            if !members.contains_key(&p) {
                members.insert(p, slots.members(p)?);
            }
            let importer_reported = members[&p][imp as usize].iter().any(|m| self.reporting.imports(*m, p));
            let partners_reported = || {
                if !by_supplier || sup == u32::MAX || sup == REST_OF_WORLD {
                    self.reporting.any_exports(p)
                } else if sup >= GROUP_BASE {
                    self.groups
                        .get((sup - GROUP_BASE) as usize)
                        .is_some_and(|g| g.members.iter().any(|m| self.reporting.exports(*m, p)))
                } else {
                    self.reporting.exports(sup as u16, p)
                }
            };
            let reported = match self.source {
                Source::Reported => importer_reported,
                Source::Mirror => partners_reported(),
                Source::Auto => importer_reported || partners_reported(),
            };
            if reported {
                bits |= if self.monthly { 1 << ((p % 100) - 1) } else { 1 };
            }
        }
        Ok(bits)
    }
}

/// Import series per importer (and product, supplier) on a complete calendar (see module docs).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type, Array};
/// use tradedep::metrics::{import_series, Importer, SeriesFreq, SeriesOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2019, 643, 156, Flow::Import, "8542", 100.0))?;
/// b.push(TradeRow::new(2020, 643, 156, Flow::Import, "8542", 150.0))?;
/// // 2021: Russia reports nothing (a gap); 2022: only other products (a zero).
/// b.push(TradeRow::new(2021, 398, 156, Flow::Import, "8542", 7.0))?;
/// b.push(TradeRow::new(2022, 643, 156, Flow::Import, "8471", 9.0))?;
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8542", 75.0))?;
/// let mut opts = SeriesOptions::new(vec![Importer::country(643)], SeriesFreq::Year);
/// opts.imports.products = Some(ProductSelection::from_codes("chips", ["8542"], None));
/// opts.baseline = Some((2019, 2020)); // mean 125
/// let out = import_series(&b.finish()?, &opts)?;
/// let col = |c: &str| out.column_by_name(c).unwrap().as_primitive::<Float64Type>().clone();
/// let value = col("value");
/// assert_eq!(value.iter().collect::<Vec<_>>(), [Some(100.0), Some(150.0), None, Some(0.0), Some(75.0)]);
/// assert_eq!(out.column_by_name("gap").unwrap().as_boolean().value(2), true);
/// let yoy = col("yoy");
/// assert_eq!(yoy.value(1), 0.5); // 150 / 100 - 1
/// assert!(yoy.is_null(2) && yoy.is_null(3) && yoy.is_null(4)); // after a gap, and over a zero
/// let index = col("index");
/// assert!((index.value(0) - 80.0).abs() < 1e-9 && (index.value(4) - 60.0).abs() < 1e-9);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn import_series(table: &TradeTable, opts: &SeriesOptions) -> Result<RecordBatch> {
    let monthly = table.meta().freq == Freq::Monthly;
    let time_by = match opts.freq {
        SeriesFreq::Month if !monthly => {
            return Err(Error::invalid_argument(
                "monthly series of an annual table",
                "use freq=\"year\" for an annual table",
            ))
        }
        SeriesFreq::Month => By::Period,
        SeriesFreq::Quarter => By::Quarter,
        SeriesFreq::Year => By::Year,
    };
    let mut by = vec![time_by];
    if opts.by_product {
        by.push(By::Product);
    }
    let key = TimeKey::from_by(&by, table.meta().freq)?;
    let cal = Calendar {
        key,
        monthly_source: monthly,
    };
    let suppliers = SupplierKeys::new(&opts.imports.groups)?;
    let slots = ImporterSlots::new(opts.importers.clone(), table.meta().freq)?;
    let view = ImportCube::build(table, &slots, &opts.imports, &by, Detail::Values, &suppliers, false)?;
    // A calendar of zeros for a selection that matches nothing would look like an answer.
    crate::metrics::coverage::refuse_empty(view.is_empty(), table, Some(&opts.importers), &opts.imports)?;
    // (importer, product, supplier) -> time -> sums
    const ALL: u32 = u32::MAX;
    let mut series: BTreeMap<(u16, u32, u32), BTreeMap<i32, Acc>> = BTreeMap::new();
    let (mut lo, mut hi) = (i32::MAX, i32::MIN);
    view.for_each_cell(|cell, items| {
        lo = lo.min(cell.period);
        hi = hi.max(cell.period);
        for (sup, acc) in items.iter() {
            let s = if opts.by_supplier { *sup } else { ALL };
            series
                .entry((cell.importer, cell.product, s))
                .or_default()
                .entry(cell.period)
                .or_default()
                .merge(acc);
        }
        Ok(())
    })?;
    let calendar = cal.span(lo, hi);
    let pos_of: HashMap<i32, usize> = calendar.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let ppy = cal.per_year();
    let full = cal.months();
    // The one rule for gaps and zeros (metrics::reporting): a period without rows is 0 where
    // the reporting side reported other flows in it, a gap where it reported nothing.
    let reporting = Reporting::of(table);
    let side = ReportingSide {
        reporting: &reporting,
        source: opts.imports.source,
        groups: &opts.imports.groups,
        quarter: key == TimeKey::Quarter,
        year_of_months: key == TimeKey::Year && monthly,
        monthly,
    };
    let mut members: HashMap<i32, Vec<Vec<u16>>> = HashMap::new();
    let mut c = SeriesCols::default();
    for ((imp, prod, sup), points) in &series {
        // Per calendar period: the sums (rows, or a declared zero) and the months they cover.
        let mut cells: Vec<Option<(Acc, u16)>> = Vec::with_capacity(calendar.len());
        for k in &calendar {
            let bits = side.reported_months(*k, *imp, *sup, opts.by_supplier, &slots, &mut members)?;
            cells.push(match points.get(k) {
                Some(a) => Some((a.clone(), a.months | bits)),
                None if bits != 0 => Some((Acc::default(), bits)),
                None => None,
            });
        }
        let at = |k: i32| pos_of.get(&k).and_then(|p| cells[*p].as_ref());
        let complete = |k: i32| at(k).is_some_and(|(_, m)| full == 0 || m.count_ones() == full);
        let base = opts.baseline.map(|(from, to)| {
            let vals: Vec<f64> = calendar
                .iter()
                .filter(|k| (from..=to).contains(&cal.year(**k)) && complete(**k))
                .map(|k| at(*k).map(|(a, _)| a.value).unwrap_or(0.0))
                .collect();
            (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
        });
        let value = |k: i32| at(k).map(|(a, _)| a.value).unwrap_or(0.0);
        for (pos, k) in calendar.iter().enumerate() {
            let cell = cells[pos].as_ref();
            let acc = cell.map(|(a, _)| a);
            c.importer.push(slots.importers[*imp as usize].label.clone());
            c.product
                .push((*prod != NO_PRODUCT).then(|| view.products.get(*prod as usize).cloned().unwrap_or_default()));
            let (label, code) = if *sup == ALL {
                (String::new(), None)
            } else {
                suppliers.label(*sup)
            };
            c.supplier.push(label);
            c.supplier_code.push(code);
            c.time.push(*k);
            c.months.push(cell.map(|(_, m)| *m).unwrap_or(0));
            c.value.push(acc.map(|a| a.value));
            c.gap.push(cell.is_none());
            c.complete.push(complete(*k));
            let prior = cal.year_before(*k);
            c.yoy.push(match (complete(*k), complete(prior)) {
                (true, true) if value(prior) > 0.0 => Some(value(*k) / value(prior) - 1.0),
                _ => None,
            });
            let window = (pos + 1 >= ppy as usize).then(|| &calendar[pos + 1 - ppy as usize..=pos]);
            c.rolling.push(window.and_then(|w| {
                w.iter()
                    .all(|k| complete(*k))
                    .then(|| w.iter().map(|k| value(*k)).sum())
            }));
            c.index.push(match (base.flatten(), acc) {
                (Some(b), Some(a)) if b > 0.0 => Some(100.0 * a.value / b),
                _ => None,
            });
            c.source.push(acc.filter(|a| a.n_rows > 0).map(|a| a.source()));
            c.n_rows.push(acc.map(|a| a.n_rows).unwrap_or(0));
        }
    }
    let mut cols: Vec<(Field, ArrayRef)> = vec![(
        Field::new("importer", DataType::Utf8, false),
        Arc::new(StringArray::from(c.importer)),
    )];
    if opts.by_product {
        cols.push((
            Field::new("product", DataType::Utf8, true),
            Arc::new(StringArray::from(c.product)),
        ));
    }
    if opts.by_supplier {
        cols.push((
            Field::new("supplier", DataType::Utf8, false),
            Arc::new(StringArray::from(c.supplier)),
        ));
        cols.push((
            Field::new("supplier_code", DataType::UInt16, true),
            Arc::new(UInt16Array::from(c.supplier_code)),
        ));
    }
    cols.extend(key.columns(&c.time, &c.months, monthly));
    cols.push((
        Field::new("value", DataType::Float64, true),
        Arc::new(Float64Array::from(c.value)),
    ));
    cols.push((
        Field::new("gap", DataType::Boolean, false),
        Arc::new(BooleanArray::from(c.gap)),
    ));
    cols.push((
        Field::new("complete", DataType::Boolean, false),
        Arc::new(BooleanArray::from(c.complete)),
    ));
    cols.push((
        Field::new("yoy", DataType::Float64, true),
        Arc::new(Float64Array::from(c.yoy)),
    ));
    cols.push((
        Field::new("rolling_year", DataType::Float64, true),
        Arc::new(Float64Array::from(c.rolling)),
    ));
    if opts.baseline.is_some() {
        cols.push((
            Field::new("index", DataType::Float64, true),
            Arc::new(Float64Array::from(c.index)),
        ));
    }
    cols.push((
        Field::new("source", DataType::Utf8, true),
        Arc::new(StringArray::from(c.source)),
    ));
    cols.push((
        Field::new("n_rows", DataType::UInt64, false),
        Arc::new(UInt64Array::from(c.n_rows)),
    ));
    record_batch(cols, "assembling import series")
}

#[derive(Default)]
struct SeriesCols {
    importer: Vec<String>,
    product: Vec<Option<String>>,
    supplier: Vec<String>,
    supplier_code: Vec<Option<u16>>,
    time: Vec<i32>,
    months: Vec<u16>,
    value: Vec<Option<f64>>,
    gap: Vec<bool>,
    complete: Vec<bool>,
    yoy: Vec<Option<f64>>,
    rolling: Vec<Option<f64>>,
    index: Vec<Option<f64>>,
    source: Vec<Option<&'static str>>,
    n_rows: Vec<u64>,
}
