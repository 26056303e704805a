//! [`TradeTable`]: trade records as Arrow record batches with a validated canonical schema.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int8Type};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, DictionaryArray, Int8Array, RecordBatch, StringArray};
use arrow_schema::SchemaRef;

use crate::error::{Error, Location, Result};
use crate::model::schema::{canonical_fields, canonical_schema, col, TableMeta};
use crate::model::{product::is_table_code, Flow, ReadReport};
use crate::reference::countries;

/// Trade records in the canonical schema (see [`crate::model::schema`]).
///
/// A table is a list of Arrow record batches sharing one schema; batches are never copied when
/// the table is handed to Python or to another Arrow consumer. Construction validates the data,
/// so every `TradeTable` has known country codes, well-formed product codes, non-negative
/// values and a unit for every quantity.
///
/// ```
/// use tradedep::model::{TradeRow, TradeTableBuilder, TableMeta, Freq, Flow, Vintage};
/// let mut b = TradeTableBuilder::new("example", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "854231", 1.5e6)).unwrap();
/// let table = b.finish().unwrap();
/// assert_eq!(table.num_rows(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct TradeTable {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    meta: TableMeta,
    report: ReadReport,
}

impl TradeTable {
    /// Builds a table from batches already in the canonical schema and validates every row.
    ///
    /// ```
    /// use tradedep::model::{Flow, Freq, ReadReport, TableMeta, TradeRow, TradeTable, TradeTableBuilder, Vintage};
    /// let meta = TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022)));
    /// let mut b = TradeTableBuilder::new("example", meta.clone());
    /// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "854231", 10.0))?;
    /// let batches = b.finish()?.into_batches();
    /// let table = TradeTable::from_batches(batches, meta, ReadReport::new("rebuilt"))?;
    /// assert_eq!(table.num_rows(), 1);
    /// assert_eq!(table.report().sources, ["rebuilt"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn from_batches(batches: Vec<RecordBatch>, meta: TableMeta, report: ReadReport) -> Result<Self> {
        let schema = canonical_schema(&meta);
        let mut out = Vec::with_capacity(batches.len());
        for batch in batches {
            check_fields(&batch)?;
            let columns = with_canonical_flow_keys(&batch)?;
            // Re-label with the canonical schema so metadata is uniform across batches.
            let batch = RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| Error::arrow("attaching the canonical schema", e))?;
            out.push(batch);
        }
        let table = TradeTable {
            schema,
            batches: out,
            meta,
            report,
        };
        table.validate()?;
        Ok(table)
    }

    /// Builds a table without row validation. For readers that already validated every value
    /// while parsing (and reported what they set aside); the schema is still checked.
    ///
    /// ```
    /// use tradedep::model::{Flow, Freq, ReadReport, TableMeta, TradeRow, TradeTable, TradeTableBuilder};
    /// let meta = TableMeta::new(Freq::Annual, "USD", None);
    /// let mut b = TradeTableBuilder::new("example", meta.clone());
    /// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "8542", 10.0))?;
    /// b.push(TradeRow::new(2023, 643, 344, Flow::Import, "8542", 5.0))?;
    /// let batches = b.finish()?.into_batches();
    /// let table = TradeTable::from_validated_batches(batches, meta, ReadReport::default())?;
    /// assert_eq!(table.num_rows(), 2);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn from_validated_batches(batches: Vec<RecordBatch>, meta: TableMeta, report: ReadReport) -> Result<Self> {
        let schema = canonical_schema(&meta);
        let mut out = Vec::with_capacity(batches.len());
        for batch in batches {
            check_fields(&batch)?;
            out.push(
                RecordBatch::try_new(schema.clone(), batch.columns().to_vec())
                    .map_err(|e| Error::arrow("attaching the canonical schema", e))?,
            );
        }
        Ok(TradeTable {
            schema,
            batches: out,
            meta,
            report,
        })
    }

    /// An empty table with `meta`.
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta, TradeTable};
    /// let table = TradeTable::empty(TableMeta::new(Freq::Monthly, "eur", None));
    /// assert_eq!(table.num_rows(), 0);
    /// assert_eq!(table.meta().currency, "EUR");
    /// ```
    pub fn empty(meta: TableMeta) -> Self {
        TradeTable {
            schema: canonical_schema(&meta),
            batches: vec![],
            meta,
            report: ReadReport::default(),
        }
    }

    /// The Arrow schema of every batch, with the [`TableMeta`] in its metadata.
    ///
    /// ```
    /// let t = tradedep::demo::demo_table()?;
    /// assert_eq!(t.schema().field(0).name(), "period");
    /// assert_eq!(t.schema().metadata()["tradedep.currency"], "USD");
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    /// The record batches, in order.
    ///
    /// ```
    /// let t = tradedep::demo::demo_table()?;
    /// let rows: usize = t.batches().iter().map(|b| b.num_rows()).sum();
    /// assert_eq!(rows, t.num_rows());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }
    /// The record batches, consuming the table (no copy).
    ///
    /// ```
    /// let t = tradedep::demo::demo_table()?;
    /// let n = t.num_rows();
    /// let batches = t.into_batches();
    /// assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), n);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn into_batches(self) -> Vec<RecordBatch> {
        self.batches
    }
    /// Frequency, currency and vintage of the whole table.
    ///
    /// ```
    /// use tradedep::model::{Freq, Vintage};
    /// let t = tradedep::demo::demo_table()?;
    /// assert_eq!(t.meta().freq, Freq::Monthly);
    /// assert_eq!(t.meta().vintage, Some(Vintage::Hs(2022)));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn meta(&self) -> &TableMeta {
        &self.meta
    }
    /// What the reader did: rows read, kept and set aside.
    ///
    /// ```
    /// let t = tradedep::demo::demo_table()?;
    /// assert!(t.report().is_balanced());
    /// assert_eq!(t.report().rows_kept, t.num_rows() as u64);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn report(&self) -> &ReadReport {
        &self.report
    }
    /// The report, to add notes about what was done to the table.
    ///
    /// ```
    /// let mut t = tradedep::demo::demo_table()?;
    /// t.report_mut().note("converted from EUR at 1.08");
    /// assert_eq!(t.report().notes.last().unwrap(), "converted from EUR at 1.08");
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn report_mut(&mut self) -> &mut ReadReport {
        &mut self.report
    }
    /// Rows of all batches.
    ///
    /// ```
    /// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
    /// let mut b = TradeTableBuilder::new("example", TableMeta::new(Freq::Annual, "USD", None));
    /// for partner in [156, 344, 276] {
    ///     b.push(TradeRow::new(2023, 643, partner, Flow::Import, "8542", 1.0))?;
    /// }
    /// assert_eq!(b.finish()?.num_rows(), 3);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    /// Same data, new batches list (e.g. after filtering). Batches must be canonical.
    pub(crate) fn with_batches(&self, batches: Vec<RecordBatch>) -> TradeTable {
        TradeTable {
            schema: self.schema.clone(),
            batches,
            meta: self.meta.clone(),
            report: self.report.clone(),
        }
    }

    /// Appends the rows of `other`. Frequency, currency and vintage must agree: mixing them
    /// silently is the error this crate exists to prevent.
    ///
    /// ```
    /// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTable, TradeTableBuilder};
    /// let one = |partner| {
    ///     let mut b = TradeTableBuilder::new("example", TableMeta::new(Freq::Annual, "USD", None));
    ///     b.push(TradeRow::new(2023, 643, partner, Flow::Import, "8542", 1.0))?;
    ///     b.finish()
    /// };
    /// let both = TradeTable::concat(vec![one(156)?, one(344)?])?;
    /// assert_eq!(both.num_rows(), 2);
    /// // A table in EUR does not mix with one in USD.
    /// let eur = TradeTable::empty(TableMeta::new(Freq::Annual, "EUR", None));
    /// assert!(TradeTable::concat(vec![one(156)?, eur]).is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn concat(tables: Vec<TradeTable>) -> Result<TradeTable> {
        let mut it = tables.into_iter();
        let Some(mut first) = it.next() else {
            return Err(Error::invalid_argument(
                "no tables to concatenate",
                "pass at least one table",
            ));
        };
        let importers_before = first.meta.importers.clone();
        for t in it {
            // A restricted read covers its importers only: together, tables cover the importers
            // every one of them covers.
            let importers = match (&first.meta.importers, &t.meta.importers) {
                (Some(a), Some(b)) => Some(a.iter().copied().filter(|c| b.binary_search(c).is_ok()).collect()),
                (a, b) => a.clone().or_else(|| b.clone()),
            };
            if t.meta.clone().with_importers(None) != first.meta.clone().with_importers(None) {
                return Err(Error::invalid_argument(
                    format!(
                        "cannot combine a table of {} {} {} with one of {} {} {}",
                        first.meta.freq.as_str(),
                        first.meta.currency,
                        first
                            .meta
                            .vintage
                            .map(|v| v.name())
                            .unwrap_or_else(|| "unknown vintage".into()),
                        t.meta.freq.as_str(),
                        t.meta.currency,
                        t.meta
                            .vintage
                            .map(|v| v.name())
                            .unwrap_or_else(|| "unknown vintage".into()),
                    ),
                    "convert currency, frequency (metrics::time) or vintage (classify::convert) first",
                ));
            }
            let (a, b) = (first.product_levels(), t.product_levels());
            if (a.0 && b.1) || (a.1 && b.0) {
                return Err(Error::invalid_argument(
                    "cannot combine all-commodity TOTAL rows with rows of detailed product codes: the totals already contain them",
                    "keep one aggregation level (read_comtrade(level=...)) before concatenating",
                ));
            }
            first.meta.importers = importers;
            first.report.merge(t.report);
            first.batches.extend(t.batches);
        }
        if first.meta.importers != importers_before {
            // The schema carries the metadata: every batch takes the combined one.
            return TradeTable::from_validated_batches(first.batches, first.meta, first.report);
        }
        Ok(first)
    }

    /// `(has TOTAL rows, has detailed product codes)`, from the product dictionaries' values
    /// that rows actually use.
    fn product_levels(&self) -> (bool, bool) {
        let (mut total, mut detailed) = (false, false);
        for batch in &self.batches {
            let dict = batch.column(4).as_dictionary::<Int32Type>();
            let values = dict.values().as_string::<i32>();
            let mut used = vec![false; values.len()];
            for k in dict.keys().values().iter() {
                if let Some(u) = used.get_mut(*k as usize) {
                    *u = true;
                }
            }
            for (i, v) in values.iter().enumerate() {
                if used[i] {
                    match v {
                        Some(crate::model::product::TOTAL) => total = true,
                        Some(_) => detailed = true,
                        None => {}
                    }
                }
            }
        }
        (total, detailed)
    }

    /// Checks the domain rules on every row; the first violation is returned with its row.
    ///
    /// ```
    /// let t = tradedep::demo::demo_table()?;
    /// assert!(t.validate().is_ok());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn validate(&self) -> Result<()> {
        use rayon::prelude::*;
        let source = self.report.sources.first().cloned().unwrap_or_else(|| "table".into());
        // Batches are checked in parallel; the first violation in row order is reported.
        let mut row0s = Vec::with_capacity(self.batches.len());
        let mut rows: u64 = 0;
        for b in &self.batches {
            row0s.push(rows);
            rows += b.num_rows() as u64;
        }
        let checked: Vec<Result<()>> = self
            .batches
            .par_iter()
            .zip(row0s)
            .map(|(batch, row0)| self.validate_batch(batch, row0, &source))
            .collect();
        checked.into_iter().collect()
    }

    /// [`TradeTable::validate`] of one batch, whose first row is row `row0 + 1` of the table.
    fn validate_batch(&self, batch: &RecordBatch, row0: u64, source: &str) -> Result<()> {
        let loc = |row: usize, column: &str, value: String| {
            Location::file(source)
                .line(row0 + row as u64 + 1)
                .column(column)
                .value(value)
        };
        let period = batch.column(0).as_primitive::<arrow_array::types::Int32Type>();
        for (i, p) in period.values().iter().enumerate() {
            if crate::model::Period::from_code(*p, self.meta.freq).is_none() {
                return Err(Error::invalid_data(
                    format!("period {p} is not a {} period", self.meta.freq.as_str()),
                    loc(i, col::PERIOD, p.to_string()),
                    "periods are YYYY in annual tables and YYYYMM (month 01-12) in monthly ones",
                ));
            }
        }
        let reporter = batch.column(1).as_primitive::<arrow_array::types::UInt16Type>();
        let partner = batch.column(2).as_primitive::<arrow_array::types::UInt16Type>();
        for (name, arr) in [(col::REPORTER, reporter), (col::PARTNER, partner)] {
            for (i, c) in arr.values().iter().enumerate() {
                if !countries::is_known_code(*c) {
                    return Err(Error::invalid_data(
                            format!("unknown {name} country code {c}"),
                            loc(i, name, c.to_string()),
                            "use Comtrade/BACI numeric codes (td.country(...) resolves names and ISO codes); 0 (World) is not a partner",
                        ));
                }
            }
        }
        let product = batch.column(4).as_dictionary::<Int32Type>();
        let values = product.values().as_string::<i32>();
        for (k, v) in values.iter().enumerate() {
            let v = v.unwrap_or("");
            if !is_table_code(v) {
                let row = product.keys().values().iter().position(|key| *key as usize == k);
                if let Some(row) = row {
                    return Err(Error::InvalidProduct {
                        code: v.to_string(),
                        context: format!(" at {}", loc(row, col::PRODUCT, v.to_string())),
                        hint:
                            "product codes are 2, 4, 6, 8 or 10 digits with leading zeros (or TOTAL for all products)"
                                .into(),
                    });
                }
            }
        }
        let value = batch.column(5).as_primitive::<arrow_array::types::Float64Type>();
        for (i, v) in value.values().iter().enumerate() {
            // NaN and infinities are not finite.
            if !v.is_finite() || *v < 0.0 {
                return Err(Error::invalid_data(
                    "negative or non-finite trade value",
                    loc(i, col::VALUE, v.to_string()),
                    "trade values are amounts, never negative; fix the input or set the row aside",
                ));
            }
        }
        let qty = batch.column(7).as_primitive::<arrow_array::types::Float64Type>();
        let unit = batch.column(8).as_dictionary::<Int8Type>();
        for i in 0..batch.num_rows() {
            if qty.is_valid(i) {
                if qty.value(i) < 0.0 || !qty.value(i).is_finite() {
                    return Err(Error::invalid_data(
                        "negative or non-finite quantity",
                        loc(i, col::QUANTITY, qty.value(i).to_string()),
                        "quantities are never negative; leave unknown quantities null",
                    ));
                }
                if unit.is_null(i) {
                    return Err(Error::invalid_data(
                        "quantity without a unit",
                        loc(i, col::QUANTITY_UNIT, "null".into()),
                        "declare the unit of every quantity (kg, t, m, km, u ...)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Returns a single column of every batch.
    ///
    /// ```
    /// use arrow_array::cast::AsArray;
    /// use arrow_array::types::Float64Type;
    /// let t = tradedep::demo::demo_table()?;
    /// let total: f64 = t.column("value")?.iter().map(|a| a.as_primitive::<Float64Type>().values().iter().sum::<f64>()).sum();
    /// assert!(total > 0.0);
    /// assert!(t.column("no such column").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn column(&self, name: &str) -> Result<Vec<ArrayRef>> {
        let idx = self.schema.index_of(name).map_err(|_| {
            Error::schema(
                format!("no column {name:?}"),
                format!("columns are {}", col::ALL.join(", ")),
            )
        })?;
        Ok(self.batches.iter().map(|b| b.column(idx).clone()).collect())
    }
}

/// The batch's columns with the `flow` dictionary in the canonical order (keys = [`Flow`]
/// discriminants, which the kernels read directly). A batch from elsewhere (Parquet, another
/// Arrow producer) may hold only the flows it uses, e.g. `["export"]` with key 0: read as is,
/// every export would count as an import.
fn with_canonical_flow_keys(batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
    let mut columns = batch.columns().to_vec();
    let i = batch
        .schema()
        .index_of(col::FLOW)
        .map_err(|e| Error::arrow("finding the flow column", e))?;
    let flow = columns[i].as_dictionary::<Int8Type>();
    let values = flow.values().as_string::<i32>();
    if values.len() <= Flow::DICTIONARY.len() && values.iter().zip(Flow::DICTIONARY).all(|(v, c)| v == Some(c)) {
        return Ok(columns);
    }
    let key_of = (0..values.len())
        .map(|j| Flow::parse(values.value(j)).map(|f| f as i8))
        .collect::<Result<Vec<i8>>>()?;
    let keys: Int8Array = flow.keys().iter().map(|k| k.map(|k| key_of[k as usize])).collect();
    let dictionary: ArrayRef = Arc::new(StringArray::from(Flow::DICTIONARY.to_vec()));
    let recoded = DictionaryArray::<Int8Type>::try_new(keys, dictionary)
        .map_err(|e| Error::arrow("recoding the flow column", e))?;
    columns[i] = Arc::new(recoded);
    Ok(columns)
}

fn check_fields(batch: &RecordBatch) -> Result<()> {
    let expected = canonical_fields();
    let schema = batch.schema();
    if schema.fields().len() != expected.len() {
        return Err(Error::schema(
            format!(
                "batch has columns [{}], expected [{}]",
                schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                col::ALL.join(", ")
            ),
            "map your columns with TradeTable.from_arrow(obj, columns={...})",
        ));
    }
    for (f, e) in schema.fields().iter().zip(expected.iter()) {
        if f.name() != e.name() || f.data_type() != e.data_type() {
            return Err(Error::schema(
                format!(
                    "column {:?} of type {} where {:?} of type {} was expected",
                    f.name(),
                    f.data_type(),
                    e.name(),
                    e.data_type()
                ),
                "build batches with TradeTableBuilder or map columns with from_arrow",
            ));
        }
        if !e.is_nullable() && batch.column_by_name(e.name()).map(|c| c.null_count()).unwrap_or(0) > 0 {
            return Err(Error::schema(
                format!("column {:?} has nulls", e.name()),
                "fill or drop rows with missing values",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Flow, Freq, TradeRow, TradeTableBuilder};

    fn one(product: &str, value: f64) -> TradeTable {
        let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
        b.push(TradeRow::new(2022, 156, 643, Flow::Import, product, value))
            .unwrap();
        b.finish().unwrap()
    }

    #[test]
    fn concat_refuses_totals_next_to_detailed_codes() {
        let err = TradeTable::concat(vec![one("TOTAL", 100.0), one("2709", 60.0)]).unwrap_err();
        assert!(err.to_string().contains("TOTAL"), "{err}");
        let err = TradeTable::concat(vec![one("2709", 60.0), one("TOTAL", 100.0)]).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }));
    }

    #[test]
    fn concat_adds_rows_of_one_level() {
        let t = TradeTable::concat(vec![one("TOTAL", 100.0), one("TOTAL", 50.0)]).unwrap();
        assert_eq!(t.num_rows(), 2);
        let t = TradeTable::concat(vec![one("2709", 1.0), one("854231", 2.0)]).unwrap();
        assert_eq!(t.num_rows(), 2);
    }

    #[test]
    fn validate_names_the_first_bad_row_of_the_table_whatever_batch_holds_it() {
        // Four batches of 3 rows; a negative value at table row 8 (batch 2) and row 11 (batch 3).
        let meta = TableMeta::new(Freq::Annual, "USD", None);
        let mut batches = vec![];
        for _ in 0..4 {
            let mut builder = TradeTableBuilder::new("t", meta.clone());
            for r in 0..3 {
                builder
                    .push(TradeRow::new(2022, 156, 643, Flow::Import, "2709", 1.0 + r as f64))
                    .unwrap();
            }
            batches.extend(builder.finish().unwrap().into_batches());
        }
        let negate = |batch: &RecordBatch, row: usize| {
            let mut columns = batch.columns().to_vec();
            let mut v = columns[5]
                .as_primitive::<arrow_array::types::Float64Type>()
                .values()
                .to_vec();
            v[row] = -1.0;
            columns[5] = Arc::new(arrow_array::Float64Array::from(v));
            RecordBatch::try_new(batch.schema(), columns).unwrap()
        };
        batches[2] = negate(&batches[2], 1);
        batches[3] = negate(&batches[3], 1);
        let err = TradeTable::from_batches(batches.clone(), meta.clone(), ReadReport::new("f.csv")).unwrap_err();
        assert!(err.to_string().contains("line 8"), "{err}");
        batches[2] = batches[1].clone();
        let err = TradeTable::from_batches(batches, meta, ReadReport::new("f.csv")).unwrap_err();
        assert!(err.to_string().contains("line 11"), "{err}");
    }
}
