//! Row-at-a-time construction of trade tables, for readers of small and medium files and tests.
//! Readers of very large files (BACI) build Arrow arrays directly.

use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int32Builder, UInt16Builder};
use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, Int8Array, RecordBatch, StringArray};
use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::model::{canonical_schema, Flow, ReadReport, TableMeta, TradeTable, ValueBasis};

/// One trade record, borrowed.
///
/// ```
/// use tradedep::model::{Flow, TradeRow};
/// let mut row = TradeRow::new(2023, 643, 156, Flow::Import, "850760", 2.5e6);
/// row.quantity = Some(1200.0);
/// row.quantity_unit = Some("kg");
/// assert_eq!(row.product, "850760");
/// assert!(!row.estimated);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRow<'a> {
    pub period: i32,
    pub reporter: u16,
    pub partner: u16,
    pub flow: Flow,
    pub product: &'a str,
    pub value: f64,
    pub value_basis: Option<ValueBasis>,
    pub quantity: Option<f64>,
    pub quantity_unit: Option<&'a str>,
    pub net_weight_kg: Option<f64>,
    pub estimated: bool,
}

impl<'a> TradeRow<'a> {
    /// A 128-bit fingerprint of every field: equal rows give equal fingerprints, and two
    /// different rows the same one with odds of about n^2 / 2^129 for n rows (1e-25 for 11 M),
    /// which lets readers find exact duplicates without keeping the rows.
    ///
    /// ```
    /// use tradedep::model::{Flow, TradeRow};
    /// let a = TradeRow::new(2023, 643, 156, Flow::Import, "8542", 1.0);
    /// let b = TradeRow::new(2023, 643, 156, Flow::Import, "8542", 1.0);
    /// let c = TradeRow::new(2023, 643, 156, Flow::Import, "8542", 2.0);
    /// assert_eq!(a.fingerprint(), b.fingerprint());
    /// assert_ne!(a.fingerprint(), c.fingerprint());
    /// ```
    pub fn fingerprint(&self) -> u128 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let half = |seed: u64| {
            let mut h = foldhash::quality::FixedState::with_seed(seed).build_hasher();
            (self.period, self.reporter, self.partner, self.flow as u8, self.product).hash(&mut h);
            self.value.to_bits().hash(&mut h);
            self.value_basis.map(|b| b as u8).hash(&mut h);
            self.quantity.map(f64::to_bits).hash(&mut h);
            self.quantity_unit.hash(&mut h);
            self.net_weight_kg.map(f64::to_bits).hash(&mut h);
            self.estimated.hash(&mut h);
            h.finish()
        };
        ((half(0x9E37_79B9_7F4A_7C15) as u128) << 64) | half(0xD1B5_4A32_D192_ED03) as u128
    }

    /// A row with only the required fields set.
    ///
    /// ```
    /// use tradedep::model::{Flow, TradeRow};
    /// let row = TradeRow::new(2023, 643, 156, Flow::Import, "8542", 1.0);
    /// assert_eq!((row.quantity, row.value_basis), (None, None));
    /// ```
    pub fn new(period: i32, reporter: u16, partner: u16, flow: Flow, product: &'a str, value: f64) -> Self {
        TradeRow {
            period,
            reporter,
            partner,
            flow,
            product,
            value,
            value_basis: None,
            quantity: None,
            quantity_unit: None,
            net_weight_kg: None,
            estimated: false,
        }
    }
}

/// Builds a [`TradeTable`] row by row, in batches of `batch_size` rows.
///
/// ```
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
/// let mut b = TradeTableBuilder::new("my.csv", TableMeta::new(Freq::Monthly, "EUR", None));
/// assert!(b.is_empty());
/// b.push(TradeRow::new(202301, 276, 156, Flow::Import, "8542", 4.0))?;
/// b.push(TradeRow::new(202302, 276, 156, Flow::Import, "8542", 6.0))?;
/// b.report_mut().rows_read = 3;
/// b.report_mut().set_aside("bad value", 3, || "x".into());
/// assert_eq!(b.len(), 2);
/// let t = b.finish()?;
/// assert_eq!(t.num_rows(), 2);
/// assert!(t.report().is_balanced());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub struct TradeTableBuilder {
    meta: TableMeta,
    report: ReadReport,
    source: String,
    batch_size: usize,
    batches: Vec<RecordBatch>,
    period: Int32Builder,
    reporter: UInt16Builder,
    partner: UInt16Builder,
    flow: Vec<i8>,
    product_keys: Vec<i32>,
    products: HashMap<String, i32>,
    value: Float64Builder,
    basis: Vec<Option<i8>>,
    quantity: Float64Builder,
    unit_keys: Vec<Option<i8>>,
    units: HashMap<String, i8>,
    weight: Float64Builder,
    estimated: BooleanBuilder,
}

impl TradeTableBuilder {
    /// `source` names the file or reader; it fills the `source` column and the report.
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta, TradeTableBuilder};
    /// let b = TradeTableBuilder::new("my.csv", TableMeta::new(Freq::Annual, "USD", None));
    /// assert_eq!(b.len(), 0);
    /// ```
    pub fn new(source: &str, meta: TableMeta) -> Self {
        TradeTableBuilder {
            meta,
            report: ReadReport::new(source),
            source: source.to_string(),
            batch_size: 65_536,
            batches: vec![],
            period: Int32Builder::new(),
            reporter: UInt16Builder::new(),
            partner: UInt16Builder::new(),
            flow: vec![],
            product_keys: vec![],
            products: HashMap::new(),
            value: Float64Builder::new(),
            basis: vec![],
            quantity: Float64Builder::new(),
            unit_keys: vec![],
            units: HashMap::new(),
            weight: Float64Builder::new(),
            estimated: BooleanBuilder::new(),
        }
    }

    /// The report the reader fills while it reads.
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta, TradeTableBuilder};
    /// let mut b = TradeTableBuilder::new("my.csv", TableMeta::new(Freq::Annual, "USD", None));
    /// b.report_mut().note("kept totals");
    /// assert_eq!(b.finish()?.report().notes, ["kept totals"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn report_mut(&mut self) -> &mut ReadReport {
        &mut self.report
    }

    /// Rows pushed so far.
    ///
    /// ```
    /// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
    /// let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", None));
    /// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8542", 1.0))?;
    /// assert_eq!(b.len(), 1);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum::<usize>() + self.flow.len()
    }
    /// True before the first row.
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta, TradeTableBuilder};
    /// assert!(TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", None)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a row; a quantity without a unit is an error.
    ///
    /// ```
    /// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
    /// let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", None));
    /// let mut row = TradeRow::new(2023, 643, 156, Flow::Import, "8542", 1.0);
    /// row.quantity = Some(5.0);
    /// assert!(b.push(row.clone()).is_err());
    /// row.quantity_unit = Some("u");
    /// b.push(row)?;
    /// assert_eq!(b.len(), 1);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn push(&mut self, row: TradeRow<'_>) -> Result<()> {
        if row.quantity.is_some() && row.quantity_unit.is_none() {
            return Err(Error::invalid_argument(
                format!(
                    "quantity {} of product {} has no unit",
                    row.quantity.unwrap_or_default(),
                    row.product
                ),
                "give every quantity a unit",
            ));
        }
        self.period.append_value(row.period);
        self.reporter.append_value(row.reporter);
        self.partner.append_value(row.partner);
        self.flow.push(row.flow as i8);
        let next = self.products.len() as i32;
        let key = match self.products.get(row.product) {
            Some(k) => *k,
            None => {
                self.products.insert(row.product.to_string(), next);
                next
            }
        };
        self.product_keys.push(key);
        self.value.append_value(row.value);
        self.basis.push(row.value_basis.map(|b| b as i8));
        self.quantity.append_option(row.quantity);
        let unit_key = match row.quantity_unit {
            None => None,
            Some(u) => {
                let next = self.units.len();
                if next >= i8::MAX as usize && !self.units.contains_key(u) {
                    return Err(Error::invalid_argument(
                        "more than 127 quantity units",
                        "normalise unit names",
                    ));
                }
                Some(*self.units.entry(u.to_string()).or_insert(next as i8))
            }
        };
        self.unit_keys.push(unit_key);
        self.weight.append_option(row.net_weight_kg);
        self.estimated.append_value(row.estimated);
        if self.flow.len() >= self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.flow.is_empty() {
            return Ok(());
        }
        let n = self.flow.len();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.period.finish()),
            Arc::new(self.reporter.finish()),
            Arc::new(self.partner.finish()),
            fixed_dict(
                std::mem::take(&mut self.flow).into_iter().map(Some).collect(),
                &Flow::DICTIONARY,
            ),
            {
                let mut values = vec![""; self.products.len()];
                for (k, v) in &self.products {
                    values[*v as usize] = k.as_str();
                }
                let keys = Int32Array::from(std::mem::take(&mut self.product_keys));
                Arc::new(
                    DictionaryArray::<Int32Type>::try_new(keys, Arc::new(StringArray::from(values)))
                        .map_err(|e| Error::arrow("building product column", e))?,
                )
            },
            Arc::new(self.value.finish()),
            fixed_dict(std::mem::take(&mut self.basis), &ValueBasis::DICTIONARY),
            Arc::new(self.quantity.finish()),
            {
                let mut values = vec![""; self.units.len()];
                for (k, v) in &self.units {
                    values[*v as usize] = k.as_str();
                }
                let values: Vec<&str> = values;
                fixed_dict(std::mem::take(&mut self.unit_keys), &values)
            },
            Arc::new(self.weight.finish()),
            Arc::new(self.estimated.finish()),
            fixed_dict(vec![Some(0); n], &[self.source.as_str()]),
        ];
        let batch = RecordBatch::try_new(canonical_schema(&self.meta), columns)
            .map_err(|e| Error::arrow("assembling a trade batch", e))?;
        self.batches.push(batch);
        Ok(())
    }

    /// Finishes and validates the table. `rows_kept` of the report is set to the row count.
    ///
    /// ```
    /// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
    /// let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", None));
    /// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8542", 1.0))?;
    /// let t = b.finish()?;
    /// assert_eq!(t.report().rows_kept, 1);
    /// // Validation happens here: 999 is not a country code.
    /// let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", None));
    /// b.push(TradeRow::new(2023, 999, 156, Flow::Import, "8542", 1.0))?;
    /// assert!(b.finish().is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn finish(mut self) -> Result<TradeTable> {
        self.flush()?;
        self.report.rows_kept = self.batches.iter().map(|b| b.num_rows() as u64).sum();
        if self.report.rows_read < self.report.rows_kept + self.report.rows_set_aside() {
            self.report.rows_read = self.report.rows_kept + self.report.rows_set_aside();
        }
        TradeTable::from_batches(self.batches, self.meta, self.report)
    }
}

/// A dictionary column with Int8 keys over a small fixed set of values.
///
/// ```
/// use arrow_array::{cast::AsArray, types::Int8Type, Array};
/// let col = tradedep::model::builder::fixed_dict(vec![Some(1), None, Some(0)], &["CIF", "FOB"]);
/// let dict = col.as_dictionary::<Int8Type>();
/// assert_eq!(dict.len(), 3);
/// assert_eq!(dict.values().as_string::<i32>().value(dict.keys().value(0) as usize), "FOB");
/// assert!(dict.is_null(1));
/// ```
pub fn fixed_dict(keys: Vec<Option<i8>>, values: &[&str]) -> ArrayRef {
    fixed_dict_of(Int8Array::from(keys), values)
}

/// [`fixed_dict`] over keys already in an array (`Int8Array::from(Vec<i8>)` takes the vector
/// as it is, where a `Vec<Option<i8>>` is read key by key).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Int8Type, Array, Int8Array};
/// let col = tradedep::model::builder::fixed_dict_of(Int8Array::from(vec![0, 0, 1]), &["import", "export"]);
/// let dict = col.as_dictionary::<Int8Type>();
/// assert_eq!(dict.values().as_string::<i32>().value(dict.keys().value(2) as usize), "export");
/// assert_eq!(dict.null_count(), 0);
/// ```
pub fn fixed_dict_of(keys: Int8Array, values: &[&str]) -> ArrayRef {
    let values = Arc::new(StringArray::from(values.to_vec()));
    Arc::new(DictionaryArray::<Int8Type>::try_new(keys, values).expect("keys are built from the values list"))
}
