//! Supplier shares: each supplier's (or supplier group's) share of an importer's imports.
//!
//! The total is the sum of the partner rows in the view (never a reporter's own "World" row).
//! When the importer is a group (EU27), imports from its own members in that period are left
//! out unless `include_intra_group` is set: the shares are then shares of extra-group imports.
//!
//! Output columns, in this order (bracketed ones only when asked for):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `importer` | Utf8 | importer label (ISO3, code, or group name) |
//! | \[`period`\] / \[`year`\] / \[`quarter`\] | Int32 / Int32 / Utf8 | the time key of `by` ([`By::Period`], [`By::Year`], [`By::Quarter`]) |
//! | \[`n_months`\] | UInt32 | months present in the cell, when months of a monthly table are summed (gaps show as < 12) |
//! | \[`product`\] | Utf8 | product code, when `by` has [`By::Product`] |
//! | `supplier` | Utf8 | supplier label, group name, or `Rest of world` |
//! | `supplier_code` | UInt16 | numeric code; null for groups and the rest of the world |
//! | `rank` | UInt32 | 1 = largest supplier in the cell; null for the rest of the world |
//! | `value` | Float64 | imports from the supplier |
//! | `total_value` | Float64 | imports from all suppliers |
//! | `share` | Float64 | value / total_value (null when the total is 0) |
//! | `quantity` | Float64 | quantity summed over the rows that have one, in one unit; null when no row has one or units differ |
//! | `quantity_unit` | Utf8 | the unit; `mixed` when units differ; null when no quantities |
//! | `quantity_value_share` | Float64 | share of `value` in rows with a quantity (1: complete; null for mixed units or value 0) |
//! | `total_quantity`, `total_quantity_value_share` | Float64 | all suppliers' quantity and its coverage, same rule |
//! | `quantity_share` | Float64 | quantity / total_quantity when both exist in the same unit |
//! | `source` | Utf8 | `reported`, `mirror` or `mixed`: where the rows came from |
//! | `estimated` | Boolean | some contributing row was mirrored or estimated |
//! | `n_rows` | UInt64 | table rows summed into `value` |
//! | \[`rows`\] | List(UInt64) | those rows' 0-based numbers in the table, with `explain` |

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, ListBuilder, StringBuilder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow_array::{Array, ArrayRef, Int32Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};

use crate::error::{Error, Result};
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::group::{Acc, Importer, ImporterSlots, Qty, SupplierKeys, NO_PERIOD, REST_OF_WORLD};
use crate::metrics::selection::ImportSelection;
use crate::model::{Freq, TradeTable};

/// A key a metric can break its results down by (the importer is always a key).
///
/// ```
/// use tradedep::metrics::By;
/// assert_eq!(By::parse(" Supplier ")?, Some(By::Partner));
/// assert_eq!(By::parse("year")?, Some(By::Year));
/// assert_eq!(By::parse("hs")?, Some(By::Product));
/// assert_eq!(By::parse("importer")?, None); // always a key
/// assert!(By::parse("hs6").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum By {
    /// The table's own period (YYYY or YYYYMM): column `period`.
    Period,
    /// Calendar year: column `year` (an annual table's period; in a monthly table its months
    /// summed, plus `n_months`).
    Year,
    /// Quarter of a monthly table: column `quarter` (`2021-Q1`), plus `n_months`.
    Quarter,
    /// The product code: column `product`.
    Product,
    /// The partner (only where partners are not what is measured, e.g. concentration over products).
    Partner,
}

impl By {
    /// Parses `period`, `product`, `partner` (`supplier` is an alias). `importer` is accepted
    /// and ignored by the caller: importers are always a key.
    ///
    /// ```
    /// use tradedep::metrics::By;
    /// let by: Vec<By> = ["importer", "Quarter", "product"].iter().filter_map(|s| By::parse(s).transpose()).collect::<Result<_, _>>()?;
    /// assert_eq!(by, [By::Quarter, By::Product]);
    /// assert!(By::parse("week").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Option<By>> {
        match s.trim().to_ascii_lowercase().as_str() {
            "period" | "month" => Ok(Some(By::Period)),
            "year" | "annual" => Ok(Some(By::Year)),
            "quarter" => Ok(Some(By::Quarter)),
            "product" | "code" | "hs" => Ok(Some(By::Product)),
            "partner" | "supplier" => Ok(Some(By::Partner)),
            "importer" | "reporter" => Ok(None),
            other => Err(Error::invalid_argument(
                format!("cannot break results down by {other:?}"),
                "use any of \"period\", \"year\", \"quarter\", \"product\", \"partner\" (the importer is always a key)",
            )),
        }
    }
}

/// How periods are keyed in a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeKey {
    /// All periods summed.
    None,
    Period,
    Year,
    Quarter,
}

impl TimeKey {
    pub fn from_by(by: &[By], freq: Freq) -> Result<TimeKey> {
        let keys: Vec<TimeKey> = by
            .iter()
            .filter_map(|b| match b {
                By::Period => Some(TimeKey::Period),
                By::Year => Some(TimeKey::Year),
                By::Quarter => Some(TimeKey::Quarter),
                _ => None,
            })
            .collect();
        match keys.as_slice() {
            [] => Ok(TimeKey::None),
            [TimeKey::Quarter] if freq == Freq::Annual => Err(Error::invalid_argument(
                "quarters of an annual table",
                "break an annual table down by \"period\" (years)",
            )),
            [k] => Ok(*k),
            _ => Err(Error::invalid_argument(
                "more than one time key in by",
                "use one of \"period\", \"year\", \"quarter\"",
            )),
        }
    }

    /// The cell key of a stored period.
    #[inline]
    pub fn key(self, period: i32) -> i32 {
        match self {
            TimeKey::None => NO_PERIOD,
            TimeKey::Period => period,
            // An annual table's period is the year itself (YYYY); a month is YYYYMM.
            TimeKey::Year if period < 100_000 => period,
            TimeKey::Year => period / 100,
            TimeKey::Quarter => (period / 100) * 10 + ((period % 100) - 1) / 3 + 1,
        }
    }

    /// Output columns for the keys (and `n_months` where months are summed in a monthly table).
    pub fn columns(self, keys: &[i32], months: &[u16], monthly: bool) -> Vec<(Field, ArrayRef)> {
        let mut out: Vec<(Field, ArrayRef)> = vec![];
        match self {
            TimeKey::None => {}
            TimeKey::Period => out.push((
                Field::new("period", DataType::Int32, false),
                Arc::new(Int32Array::from(keys.to_vec())),
            )),
            TimeKey::Year => out.push((
                Field::new("year", DataType::Int32, false),
                Arc::new(Int32Array::from(keys.to_vec())),
            )),
            TimeKey::Quarter => out.push((
                Field::new("quarter", DataType::Utf8, false),
                Arc::new(StringArray::from(
                    keys.iter()
                        .map(|k| format!("{}-Q{}", k / 10, k % 10))
                        .collect::<Vec<_>>(),
                )),
            )),
        }
        if monthly && self != TimeKey::Period {
            out.push((
                Field::new("n_months", DataType::UInt32, false),
                Arc::new(UInt32Array::from(
                    months.iter().map(|m| m.count_ones()).collect::<Vec<_>>(),
                )),
            ));
        }
        out
    }
}

/// Arguments of [`supplier_shares`].
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::metrics::{supplier_shares, By, Importer, SharesOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8542", 60.0))?;
/// b.push(TradeRow::new(2023, 643, 792, Flow::Import, "8542", 25.0))?;
/// b.push(TradeRow::new(2023, 643, 276, Flow::Import, "8542", 15.0))?;
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8471", 10.0))?;
/// let mut opts = SharesOptions::new(vec![Importer::country(643)]);
/// assert_eq!((opts.by.as_slice(), opts.top), (&[By::Period][..], None));
/// opts.by = vec![By::Product]; // periods summed, one cell per product
/// opts.top = Some(1);
/// let out = supplier_shares(&b.finish()?, &opts)?;
/// let text = |c: &str| out.column_by_name(c).unwrap().as_string::<i32>().iter().map(Option::unwrap).collect::<Vec<_>>();
/// assert_eq!(text("product"), ["8471", "8542", "8542"]);
/// // 8542: China 60 of 100; Türkiye 25 and Germany 15 summed into the rest of the world.
/// assert_eq!(text("supplier"), ["CHN", "CHN", "Rest of world"]);
/// let share = out.column_by_name("share").unwrap().as_primitive::<Float64Type>();
/// assert_eq!(share.values().to_vec(), [1.0, 0.6, 0.4]);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SharesOptions {
    /// Whose imports, one result per importer.
    pub importers: Vec<Importer>,
    /// Which of their imports count: products, supplier groups, source.
    pub imports: ImportSelection,
    /// Time key and/or [`By::Product`]; every period summed when no time key is given.
    pub by: Vec<By>,
    /// Keep the `n` largest suppliers per cell and sum the others into one `Rest of world` row.
    pub top: Option<usize>,
    /// Add the `rows` column listing contributing table rows.
    pub explain: bool,
}

impl SharesOptions {
    /// Shares of `importers`' imports by period, reported data, every product.
    ///
    /// ```
    /// use tradedep::metrics::{By, Importer, SharesOptions, Source};
    /// let opts = SharesOptions::new(vec![Importer::country(643)]);
    /// assert_eq!((opts.by, opts.top, opts.explain), (vec![By::Period], None, false));
    /// assert!(opts.imports.products.is_none() && opts.imports.source == Source::Reported);
    /// ```
    pub fn new(importers: Vec<Importer>) -> Self {
        SharesOptions {
            importers,
            imports: ImportSelection::default(),
            by: vec![By::Period],
            top: None,
            explain: false,
        }
    }
}

/// Each supplier's share of each importer's imports, per cell of `by` (see the module docs
/// for the columns).
///
/// ```
/// use tradedep::model::*;
/// use tradedep::metrics::{supplier_shares, SharesOptions, Importer, SupplierGroup};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "854231", 60.0)).unwrap();
/// b.push(TradeRow::new(2023, 643, 344, Flow::Import, "854231", 15.0)).unwrap();
/// b.push(TradeRow::new(2023, 643, 792, Flow::Import, "854231", 25.0)).unwrap();
/// let mut opts = SharesOptions::new(vec![Importer::country(643)]);
/// opts.imports.groups = vec![SupplierGroup::new("China+HK", [156, 344])];
/// let out = supplier_shares(&b.finish().unwrap(), &opts).unwrap();
/// assert_eq!(out.num_rows(), 2);
/// # use arrow_array::{cast::AsArray, types::Float64Type};
/// let supplier = out.column_by_name("supplier").unwrap().as_string::<i32>();
/// let share = out.column_by_name("share").unwrap().as_primitive::<Float64Type>();
/// assert_eq!((supplier.value(0), share.value(0)), ("China+HK", 0.75)); // (60 + 15) / 100
/// assert_eq!((supplier.value(1), share.value(1)), ("TUR", 0.25));
/// ```
pub fn supplier_shares(table: &TradeTable, opts: &SharesOptions) -> Result<RecordBatch> {
    if opts.by.contains(&By::Partner) {
        return Err(Error::invalid_argument(
            "supplier shares cannot be broken down by partner",
            "partners are the rows of the result; use by=[\"period\", \"product\"]",
        ));
    }
    if opts.top == Some(0) {
        return Err(Error::invalid_argument(
            "top=0 keeps no supplier",
            "use top=n with n >= 1, or no top",
        ));
    }
    let suppliers = SupplierKeys::new(&opts.imports.groups)?;
    let slots = ImporterSlots::new(opts.importers.clone(), table.meta().freq)?;
    let cube = ImportCube::build(
        table,
        &slots,
        &opts.imports,
        &opts.by,
        Detail::Quantities.or_rows(opts.explain),
        &suppliers,
        false,
    )?;
    crate::metrics::coverage::refuse_empty(cube.is_empty(), table, Some(&opts.importers), &opts.imports)?;
    let time = TimeKey::from_by(&opts.by, table.meta().freq)?;
    let by_product = opts.by.contains(&By::Product);
    let mut out = SharesColumns::new(opts.explain);
    cube.for_each_cell(|cell, items| {
        let mut total = Acc::default();
        for (_, a) in items.iter() {
            total.merge(a);
        }
        // Largest first; ties by supplier key so output is deterministic.
        items.sort_by(|a, b| b.1.value.total_cmp(&a.1.value).then(a.0.cmp(&b.0)));
        let keep = opts.top.unwrap_or(usize::MAX).min(items.len());
        let rest: Option<Acc> = (keep < items.len()).then(|| {
            let mut r = Acc::default();
            for (_, a) in &items[keep..] {
                r.merge(a);
            }
            r
        });
        let label = &slots.importers[cell.importer as usize].label;
        let period = (cell.period, total.months);
        let product = by_product.then(|| {
            cube.products
                .get(cell.product as usize)
                .map(String::as_str)
                .unwrap_or("")
        });
        for (rank, (key, acc)) in items.iter().take(keep).enumerate() {
            out.push(
                label,
                period,
                product,
                suppliers.label(*key),
                Some(rank as u32 + 1),
                acc,
                &total,
                &cube.units,
            );
        }
        if let Some(r) = rest {
            out.push(
                label,
                period,
                product,
                suppliers.label(REST_OF_WORLD),
                None,
                &r,
                &total,
                &cube.units,
            );
        }
        Ok(())
    })?;
    out.finish(time, table.meta().freq == Freq::Monthly, by_product)
}

/// Quantity and its unit as output columns.
pub(crate) fn qty_parts(q: Qty, units: &[String]) -> (Option<f64>, Option<String>) {
    match q {
        Qty::Unit(u, s, _) => (Some(s), units.get(u as usize).cloned()),
        Qty::Mixed => (None, Some("mixed".into())),
        Qty::Empty => (None, None),
    }
}

struct SharesColumns {
    importer: StringBuilder,
    time: Vec<i32>,
    months: Vec<u16>,
    product: StringBuilder,
    supplier: StringBuilder,
    supplier_code: UInt16Builder,
    rank: UInt32Builder,
    value: Float64Builder,
    total_value: Float64Builder,
    share: Float64Builder,
    quantity: Float64Builder,
    quantity_unit: StringBuilder,
    quantity_value_share: Float64Builder,
    total_quantity: Float64Builder,
    total_quantity_value_share: Float64Builder,
    quantity_share: Float64Builder,
    source: StringBuilder,
    estimated: BooleanBuilder,
    n_rows: UInt64Builder,
    rows: Option<ListBuilder<UInt64Builder>>,
}

impl SharesColumns {
    fn new(explain: bool) -> Self {
        SharesColumns {
            importer: StringBuilder::new(),
            time: vec![],
            months: vec![],
            product: StringBuilder::new(),
            supplier: StringBuilder::new(),
            supplier_code: UInt16Builder::new(),
            rank: UInt32Builder::new(),
            value: Float64Builder::new(),
            total_value: Float64Builder::new(),
            share: Float64Builder::new(),
            quantity: Float64Builder::new(),
            quantity_unit: StringBuilder::new(),
            quantity_value_share: Float64Builder::new(),
            total_quantity: Float64Builder::new(),
            total_quantity_value_share: Float64Builder::new(),
            quantity_share: Float64Builder::new(),
            source: StringBuilder::new(),
            estimated: BooleanBuilder::new(),
            n_rows: UInt64Builder::new(),
            rows: explain.then(|| ListBuilder::new(UInt64Builder::new())),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        importer: &str,
        period: (i32, u16),
        product: Option<&str>,
        supplier: (String, Option<u16>),
        rank: Option<u32>,
        acc: &Acc,
        total: &Acc,
        units: &[String],
    ) {
        self.importer.append_value(importer);
        self.time.push(period.0);
        self.months.push(period.1);
        self.product.append_option(product);
        self.supplier.append_value(&supplier.0);
        self.supplier_code.append_option(supplier.1);
        self.rank.append_option(rank);
        self.value.append_value(acc.value);
        self.total_value.append_value(total.value);
        self.share
            .append_option((total.value > 0.0).then(|| acc.value / total.value));
        let (q, u) = qty_parts(acc.qty, units);
        let (tq, tu) = qty_parts(total.qty, units);
        self.quantity.append_option(q);
        self.quantity_unit.append_option(u.as_deref());
        self.quantity_value_share.append_option(acc.quantity_value_share());
        self.total_quantity.append_option(tq);
        self.total_quantity_value_share
            .append_option(total.quantity_value_share());
        let qs = match (q, tq) {
            (Some(q), Some(t)) if u == tu && t > 0.0 => Some(q / t),
            _ => None,
        };
        self.quantity_share.append_option(qs);
        self.source.append_value(acc.source());
        self.estimated.append_value(acc.n_estimated > 0);
        self.n_rows.append_value(acc.n_rows);
        if let Some(rows) = &mut self.rows {
            let mut r = acc.rows.clone();
            r.sort_unstable();
            rows.append_value(r.into_iter().map(Some));
        }
    }

    fn finish(mut self, time: TimeKey, monthly: bool, by_product: bool) -> Result<RecordBatch> {
        let mut fields = vec![Field::new("importer", DataType::Utf8, false)];
        let mut cols: Vec<ArrayRef> = vec![Arc::new(self.importer.finish())];
        for (f, c) in time.columns(&self.time, &self.months, monthly) {
            fields.push(f);
            cols.push(c);
        }
        if by_product {
            fields.push(Field::new("product", DataType::Utf8, true));
            cols.push(Arc::new(self.product.finish()));
        }
        let rest: Vec<(Field, ArrayRef)> = vec![
            (
                Field::new("supplier", DataType::Utf8, false),
                Arc::new(self.supplier.finish()),
            ),
            (
                Field::new("supplier_code", DataType::UInt16, true),
                Arc::new(self.supplier_code.finish()),
            ),
            (Field::new("rank", DataType::UInt32, true), Arc::new(self.rank.finish())),
            (
                Field::new("value", DataType::Float64, false),
                Arc::new(self.value.finish()),
            ),
            (
                Field::new("total_value", DataType::Float64, false),
                Arc::new(self.total_value.finish()),
            ),
            (
                Field::new("share", DataType::Float64, true),
                Arc::new(self.share.finish()),
            ),
            (
                Field::new("quantity", DataType::Float64, true),
                Arc::new(self.quantity.finish()),
            ),
            (
                Field::new("quantity_unit", DataType::Utf8, true),
                Arc::new(self.quantity_unit.finish()),
            ),
            (
                Field::new("quantity_value_share", DataType::Float64, true),
                Arc::new(self.quantity_value_share.finish()),
            ),
            (
                Field::new("total_quantity", DataType::Float64, true),
                Arc::new(self.total_quantity.finish()),
            ),
            (
                Field::new("total_quantity_value_share", DataType::Float64, true),
                Arc::new(self.total_quantity_value_share.finish()),
            ),
            (
                Field::new("quantity_share", DataType::Float64, true),
                Arc::new(self.quantity_share.finish()),
            ),
            (
                Field::new("source", DataType::Utf8, false),
                Arc::new(self.source.finish()),
            ),
            (
                Field::new("estimated", DataType::Boolean, false),
                Arc::new(self.estimated.finish()),
            ),
            (
                Field::new("n_rows", DataType::UInt64, false),
                Arc::new(self.n_rows.finish()),
            ),
        ];
        for (f, c) in rest {
            fields.push(f);
            cols.push(c);
        }
        if let Some(mut rows) = self.rows {
            let arr = rows.finish();
            fields.push(Field::new("rows", arr.data_type().clone(), false));
            cols.push(Arc::new(arr));
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
            .map_err(|e| Error::arrow("assembling supplier shares", e))
    }
}
