//! Concentration of imports over suppliers (or over products): HHI, normalized HHI, CR1, CR3,
//! CRn, Shannon entropy, equivalent number of suppliers, number of suppliers, top supplier.
//!
//! Output columns (bracketed ones only when asked for):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `importer` | Utf8 | importer label |
//! | \[`period`/`year`/`quarter`\], \[`n_months`\], \[`product`\], \[`partner`\] | | the `by` keys, as in supplier shares |
//! | `total_value` | Float64 | imports summed over the items |
//! | `n_suppliers` / `n_products` | UInt32 | items with a positive value |
//! | `hhi` | Float64 | Σ s² |
//! | `hhi_norm` | Float64 | (hhi - 1/n) / (1 - 1/n); 1 when n = 1 |
//! | `cr1`, `cr3`, \[`cr<n>`\] | Float64 | sum of the 1, 3, n largest shares |
//! | `entropy` | Float64 | -Σ s ln s |
//! | `n_equivalent` | Float64 | 1 / hhi |
//! | `top` | Utf8 | largest supplier (or product) |
//! | `top_code` | UInt16 | its numeric code (null for groups and products) |
//! | `top_share` | Float64 | its share |
//! | `source`, `estimated`, `n_rows`, \[`rows`\] | | as in supplier shares |
//!
//! Cells whose total is 0 have null statistics.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, ListBuilder, StringBuilder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field};

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::group::{Acc, Importer, ImporterSlots, SupplierKeys, NO_PARTNER};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::{By, TimeKey};
use crate::metrics::stats::Concentration;
use crate::metrics::view::{Cols, Source};
use crate::model::{Flow, Freq, TradeTable};

/// What the shares are taken over.
///
/// ```
/// use tradedep::metrics::Over;
/// assert_eq!(Over::parse("Products")?, Over::Product);
/// assert_eq!(Over::parse("supplier")?, Over::Partner);
/// assert_eq!(Over::default(), Over::Partner);
/// assert!(Over::parse("hs").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Over {
    /// Suppliers of each importer (and product, period ...).
    #[default]
    Partner,
    /// Products in each importer's imports (product diversification).
    Product,
}

impl Over {
    /// Parses `partner` (`supplier`) or `product`, singular or plural.
    ///
    /// ```
    /// use tradedep::metrics::Over;
    /// assert_eq!(Over::parse(" partners ")?, Over::Partner);
    /// assert!(Over::parse("importer").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Over> {
        match s.trim().to_ascii_lowercase().as_str() {
            "partner" | "supplier" | "partners" | "suppliers" => Ok(Over::Partner),
            "product" | "products" => Ok(Over::Product),
            other => Err(Error::invalid_argument(
                format!("cannot measure concentration over {other:?}"),
                "use over=\"partner\" or over=\"product\"",
            )),
        }
    }
}

/// Arguments of [`concentration`].
///
/// ```
/// use arrow_array::{cast::AsArray, types::{Float64Type, UInt32Type}};
/// use tradedep::metrics::{concentration, By, ConcentrationOptions, Importer, Over};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8542", 60.0))?;
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8471", 25.0))?;
/// b.push(TradeRow::new(2023, 643, 792, Flow::Import, "8471", 15.0))?;
/// b.push(TradeRow::new(2023, 398, 156, Flow::Import, "8542", 5.0))?; // Kazakhstan: not asked for
/// let opts = ConcentrationOptions {
///     importers: Some(vec![Importer::country(643)]),
///     by: vec![By::Period],
///     over: Over::Product, // how diversified Russia's imports are across products
///     ..Default::default()
/// };
/// let out = concentration(&b.finish()?, &opts)?;
/// assert_eq!(out.num_rows(), 1);
/// assert_eq!(out.column_by_name("n_products").unwrap().as_primitive::<UInt32Type>().value(0), 2);
/// // Shares 0.6 (8542) and 0.4 (8471): HHI 0.36 + 0.16.
/// let hhi = out.column_by_name("hhi").unwrap().as_primitive::<Float64Type>().value(0);
/// assert!((hhi - 0.52).abs() < 1e-12);
/// assert_eq!(out.column_by_name("top").unwrap().as_string::<i32>().value(0), "8542");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConcentrationOptions {
    /// `None`: every importer of the table, each on its own.
    pub importers: Option<Vec<Importer>>,
    /// Which imports count (products, supplier groups, source).
    pub imports: ImportSelection,
    /// Cells: time key, [`By::Product`] (over partners) or [`By::Partner`] (over products).
    pub by: Vec<By>,
    /// Shares of suppliers or of products.
    pub over: Over,
    /// Extra concentration ratio `cr<n>` besides CR1 and CR3 (skipped when 1 or 3).
    pub crn: usize,
    /// Add the `rows` column listing contributing table rows.
    pub explain: bool,
}

impl Default for ConcentrationOptions {
    fn default() -> Self {
        ConcentrationOptions {
            importers: None,
            imports: ImportSelection::default(),
            by: vec![By::Period, By::Product],
            over: Over::Partner,
            crn: 3,
            explain: false,
        }
    }
}

/// Every importer appearing in `table` under `source`, each as its own [`Importer`], by code.
///
/// ```
/// use tradedep::metrics::concentration::importers_in;
/// use tradedep::metrics::{Importer, Source};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "8542", 1.0))?; // Russia reports imports
/// b.push(TradeRow::new(2021, 156, 398, Flow::Export, "8542", 1.0))?; // China's exports to Kazakhstan
/// let t = b.finish()?;
/// assert_eq!(importers_in(&t, Source::Reported), [Importer::country(643)]);
/// assert_eq!(importers_in(&t, Source::Mirror), [Importer::country(398)]);
/// assert_eq!(importers_in(&t, Source::Auto), [Importer::country(398), Importer::country(643)]);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn importers_in(table: &TradeTable, source: Source) -> Vec<Importer> {
    importer_codes_in(table, source)
        .into_iter()
        .map(Importer::country)
        .collect()
}

/// The codes of [`importers_in`], sorted (a flag per possible code, not a hash set: this runs
/// over every row of the calls on every importer).
pub(crate) fn importer_codes_in(table: &TradeTable, source: Source) -> Vec<u16> {
    let mut seen = vec![false; 1 << 16];
    for batch in table.batches() {
        let c = Cols::of(batch);
        for i in 0..batch.num_rows() {
            let f = c.flow[i];
            if f == Flow::Import as i8 && source != Source::Mirror {
                seen[c.reporter[i] as usize] = true;
            } else if f == Flow::Export as i8 && source != Source::Reported {
                seen[c.partner[i] as usize] = true;
            }
        }
    }
    (0..=u16::MAX).filter(|c| seen[*c as usize]).collect()
}

/// Concentration statistics per importer and `by` cell (see the module docs for the columns).
///
/// ```
/// use tradedep::model::*;
/// use tradedep::metrics::{concentration, ConcentrationOptions};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "854231", 80.0)).unwrap();
/// b.push(TradeRow::new(2023, 643, 792, Flow::Import, "854231", 20.0)).unwrap();
/// let out = concentration(&b.finish().unwrap(), &ConcentrationOptions::default()).unwrap();
/// let hhi = out.column_by_name("hhi").unwrap();
/// # use arrow_array::cast::AsArray;
/// assert!((hhi.as_primitive::<arrow_array::types::Float64Type>().value(0) - 0.68).abs() < 1e-12);
/// ```
pub fn concentration(table: &TradeTable, opts: &ConcentrationOptions) -> Result<RecordBatch> {
    let over_product = opts.over == Over::Product;
    if !over_product && opts.by.contains(&By::Partner) {
        return Err(Error::invalid_argument(
            "concentration over partners cannot be broken down by partner",
            "drop \"partner\" from by, or use over=\"product\"",
        ));
    }
    if over_product && opts.by.contains(&By::Product) {
        return Err(Error::invalid_argument(
            "concentration over products cannot be broken down by product",
            "drop \"product\" from by, or use over=\"partner\"",
        ));
    }
    if opts.crn == 0 {
        return Err(Error::invalid_argument(
            "crn=0 is not a concentration ratio",
            "use crn >= 1",
        ));
    }
    let importers = match &opts.importers {
        Some(i) => i.clone(),
        None => importers_in(table, opts.imports.source),
    };
    let suppliers = SupplierKeys::new(&opts.imports.groups)?;
    let time = TimeKey::from_by(&opts.by, table.meta().freq)?;
    let monthly = table.meta().freq == Freq::Monthly;
    let by_product = opts.by.contains(&By::Product);
    let by_partner = opts.by.contains(&By::Partner);
    if importers.is_empty() {
        // No importer under the source: the selection's check says why (never an empty table).
        crate::metrics::coverage::refuse_empty(true, table, opts.importers.as_deref(), &opts.imports)?;
        return ConcColumns::new(opts.explain).finish(time, monthly, by_product, by_partner, over_product, opts.crn);
    }
    let slots = ImporterSlots::new(importers, table.meta().freq)?;
    let view = ImportCube::build(
        table,
        &slots,
        &opts.imports,
        &opts.by,
        Detail::Values.or_rows(opts.explain),
        &suppliers,
        over_product,
    )?;
    crate::metrics::coverage::refuse_empty(view.is_empty(), table, opts.importers.as_deref(), &opts.imports)?;
    // Each thread finishes its own consecutive cells into its own columns, joined in order.
    let parts = view.for_each_cell_parallel(
        || (ConcColumns::new(opts.explain), Vec::<f64>::new()),
        |(out, values), cell, items| {
            let mut total = Acc::default();
            values.clear();
            for (_, a) in items.iter() {
                total.merge(a);
                values.push(a.value);
            }
            let stats = Concentration::of(values, opts.crn);
            let top = stats.map(|s| {
                let key = items[s.top].0;
                if over_product {
                    (view.products.get(key as usize).map_or("", String::as_str).into(), None)
                } else {
                    suppliers.label_str(key)
                }
            });
            out.importer
                .append_value(&slots.importers[cell.importer as usize].label);
            out.time.push(cell.period);
            out.months.push(total.months);
            out.product
                .append_option(by_product.then(|| view.products.get(cell.product as usize).map_or("", String::as_str)));
            out.partner
                .append_option((by_partner && cell.partner != NO_PARTNER).then(|| suppliers.label_str(cell.partner).0));
            out.push_stats(stats.as_ref(), top, &total);
            Ok(())
        },
    )?;
    drop(view); // the records go before the parts are joined
    let batches = parts
        .into_iter()
        .map(|(out, _)| out.finish(time, monthly, by_product, by_partner, over_product, opts.crn))
        .collect::<Result<Vec<_>>>()?;
    crate::metrics::cube::concat_parts(batches)
}

pub(crate) struct ConcColumns {
    pub importer: StringBuilder,
    pub time: Vec<i32>,
    pub months: Vec<u16>,
    pub product: StringBuilder,
    pub partner: StringBuilder,
    total: Float64Builder,
    n: UInt32Builder,
    hhi: Float64Builder,
    hhi_norm: Float64Builder,
    cr1: Float64Builder,
    cr3: Float64Builder,
    crn: Float64Builder,
    entropy: Float64Builder,
    n_eq: Float64Builder,
    top: StringBuilder,
    top_code: UInt16Builder,
    top_share: Float64Builder,
    source: StringBuilder,
    estimated: BooleanBuilder,
    n_rows: UInt64Builder,
    rows: Option<ListBuilder<UInt64Builder>>,
}

impl ConcColumns {
    pub fn new(explain: bool) -> Self {
        ConcColumns {
            importer: StringBuilder::new(),
            time: vec![],
            months: vec![],
            product: StringBuilder::new(),
            partner: StringBuilder::new(),
            total: Float64Builder::new(),
            n: UInt32Builder::new(),
            hhi: Float64Builder::new(),
            hhi_norm: Float64Builder::new(),
            cr1: Float64Builder::new(),
            cr3: Float64Builder::new(),
            crn: Float64Builder::new(),
            entropy: Float64Builder::new(),
            n_eq: Float64Builder::new(),
            top: StringBuilder::new(),
            top_code: UInt16Builder::new(),
            top_share: Float64Builder::new(),
            source: StringBuilder::new(),
            estimated: BooleanBuilder::new(),
            n_rows: UInt64Builder::new(),
            rows: explain.then(|| ListBuilder::new(UInt64Builder::new())),
        }
    }

    pub fn push_stats(
        &mut self,
        s: Option<&Concentration>,
        top: Option<(std::borrow::Cow<'_, str>, Option<u16>)>,
        total: &Acc,
    ) {
        self.total.append_value(total.value);
        self.n.append_value(s.map(|s| s.n as u32).unwrap_or(0));
        self.hhi.append_option(s.map(|s| s.hhi));
        self.hhi_norm.append_option(s.map(|s| s.hhi_norm));
        self.cr1.append_option(s.map(|s| s.cr1));
        self.cr3.append_option(s.map(|s| s.cr3));
        self.crn.append_option(s.map(|s| s.crn));
        self.entropy.append_option(s.map(|s| s.entropy));
        self.n_eq.append_option(s.map(|s| s.n_equivalent));
        self.top.append_option(top.as_ref().map(|t| t.0.as_ref()));
        self.top_code.append_option(top.and_then(|t| t.1));
        self.top_share.append_option(s.map(|s| s.top_share));
        self.source.append_value(total.source());
        self.estimated.append_value(total.n_estimated > 0);
        self.n_rows.append_value(total.n_rows);
        if let Some(rows) = &mut self.rows {
            let mut r = total.rows.clone();
            r.sort_unstable();
            rows.append_value(r.into_iter().map(Some));
        }
    }

    pub fn finish(
        mut self,
        time: TimeKey,
        monthly: bool,
        by_product: bool,
        by_partner: bool,
        over_product: bool,
        crn: usize,
    ) -> Result<RecordBatch> {
        let mut cols: Vec<(Field, ArrayRef)> = vec![(
            Field::new("importer", DataType::Utf8, false),
            Arc::new(self.importer.finish()),
        )];
        cols.extend(time.columns(&self.time, &self.months, monthly));
        if by_product {
            cols.push((
                Field::new("product", DataType::Utf8, true),
                Arc::new(self.product.finish()),
            ));
        }
        if by_partner {
            cols.push((
                Field::new("partner", DataType::Utf8, true),
                Arc::new(self.partner.finish()),
            ));
        }
        let n_name = if over_product { "n_products" } else { "n_suppliers" };
        cols.push((
            Field::new("total_value", DataType::Float64, false),
            Arc::new(self.total.finish()),
        ));
        cols.push((Field::new(n_name, DataType::UInt32, false), Arc::new(self.n.finish())));
        cols.push((Field::new("hhi", DataType::Float64, true), Arc::new(self.hhi.finish())));
        cols.push((
            Field::new("hhi_norm", DataType::Float64, true),
            Arc::new(self.hhi_norm.finish()),
        ));
        cols.push((Field::new("cr1", DataType::Float64, true), Arc::new(self.cr1.finish())));
        cols.push((Field::new("cr3", DataType::Float64, true), Arc::new(self.cr3.finish())));
        let crn_col = self.crn.finish();
        if crn != 1 && crn != 3 {
            cols.push((
                Field::new(format!("cr{crn}"), DataType::Float64, true),
                Arc::new(crn_col),
            ));
        }
        cols.push((
            Field::new("entropy", DataType::Float64, true),
            Arc::new(self.entropy.finish()),
        ));
        cols.push((
            Field::new("n_equivalent", DataType::Float64, true),
            Arc::new(self.n_eq.finish()),
        ));
        cols.push((Field::new("top", DataType::Utf8, true), Arc::new(self.top.finish())));
        cols.push((
            Field::new("top_code", DataType::UInt16, true),
            Arc::new(self.top_code.finish()),
        ));
        cols.push((
            Field::new("top_share", DataType::Float64, true),
            Arc::new(self.top_share.finish()),
        ));
        cols.push((
            Field::new("source", DataType::Utf8, false),
            Arc::new(self.source.finish()),
        ));
        cols.push((
            Field::new("estimated", DataType::Boolean, false),
            Arc::new(self.estimated.finish()),
        ));
        cols.push((
            Field::new("n_rows", DataType::UInt64, false),
            Arc::new(self.n_rows.finish()),
        ));
        if let Some(mut rows) = self.rows {
            let arr = rows.finish();
            cols.push((Field::new("rows", arr.data_type().clone(), false), Arc::new(arr)));
        }
        record_batch(cols, "assembling concentration")
    }
}
