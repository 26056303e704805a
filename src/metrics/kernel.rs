//! The streaming kernel for the heavy workload: for every importer, product and period, the
//! total, the supplier HHI, the top supplier and its share, over a whole BACI year or panel.
//!
//! It consumes record batches as a reader produces them and keeps only partial aggregates:
//! per (importer, product, period) cell, the suppliers seen and their summed values (10 bytes a
//! supplier). Sums per supplier are what is mergeable; HHI is computed once at the end, so a
//! supplier reported in several rows (several batches, files or years summed) counts once with
//! its total. Cells are sharded by importer and shards are filled in parallel (rayon).
//!
//! Output columns (one row per cell, sorted by importer, period, product):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `importer` | UInt16 | numeric code of the importer |
//! | `period` | Int32 | the table's period |
//! | `product` | Utf8 | product code |
//! | `total_value` | Float64 | imports from all suppliers |
//! | `n_suppliers` | UInt32 | suppliers with a positive value |
//! | `hhi` | Float64 | Σ s² over suppliers (null when the total is 0) |
//! | `top_code` | UInt16 | largest supplier (ties: lowest code; null when the total is 0) |
//! | `top_share` | Float64 | its share |
//! | `n_rows` | UInt64 | table rows summed into the cell |

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int8Type, UInt16Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray, UInt16Array, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use hashbrown::HashMap;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::metrics::view::Source;
use crate::model::schema::canonical_fields;
use crate::model::{Flow, TradeTable};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

#[derive(Default)]
struct Cell {
    suppliers: Vec<u16>,
    values: Vec<f64>,
    n_rows: u64,
}

#[derive(Default)]
struct Shard {
    index: FastMap<u64, u32>,
    cells: Vec<Cell>,
    keys: Vec<u64>,
}

impl Shard {
    #[inline]
    fn add(&mut self, key: u64, supplier: u16, value: f64) {
        let next = self.cells.len() as u32;
        let idx = *self.index.entry(key).or_insert(next) as usize;
        if idx == self.cells.len() {
            self.cells.push(Cell::default());
            self.keys.push(key);
        }
        let cell = &mut self.cells[idx];
        cell.n_rows += 1;
        match cell.suppliers.iter().position(|s| *s == supplier) {
            Some(p) => cell.values[p] += value,
            None => {
                cell.suppliers.push(supplier);
                cell.values.push(value);
            }
        }
    }
}

/// Streaming aggregation of importer x product x period supplier concentration.
///
/// ```
/// use tradedep::model::*;
/// use tradedep::metrics::{kernel::ImporterProductConcentration, Source};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "854231", 75.0)).unwrap();
/// b.push(TradeRow::new(2021, 643, 792, Flow::Import, "854231", 25.0)).unwrap();
/// let table = b.finish().unwrap();
/// let mut k = ImporterProductConcentration::new(Source::Reported).unwrap();
/// for batch in table.batches() { k.push(batch).unwrap(); }
/// let out = k.finish().unwrap();
/// assert_eq!(out.num_rows(), 1);
/// ```
pub struct ImporterProductConcentration {
    source: Source,
    shards: Vec<Shard>,
    products: FastMap<String, u32>,
    periods: FastMap<i32, u16>,
    period_list: Vec<i32>,
}

impl ImporterProductConcentration {
    /// `source` is [`Source::Reported`] (rows with flow import) or [`Source::Mirror`] (rows with
    /// flow export, partner as importer). [`Source::Auto`] needs two passes: use
    /// [`crate::metrics::concentration`].
    pub fn new(source: Source) -> Result<Self> {
        if source == Source::Auto {
            return Err(Error::invalid_argument(
                "the streaming kernel cannot choose reported or mirror data per importer",
                "use source reported or mirror here, or metrics::concentration with source auto",
            ));
        }
        let n = rayon::current_num_threads().clamp(1, 64);
        Ok(ImporterProductConcentration {
            source,
            shards: (0..n).map(|_| Shard::default()).collect(),
            products: FastMap::default(),
            periods: FastMap::default(),
            period_list: vec![],
        })
    }

    /// Adds one batch in the canonical schema (checked by column name and type).
    pub fn push(&mut self, batch: &RecordBatch) -> Result<()> {
        let expected = canonical_fields();
        let col = |i: usize| -> Result<&ArrayRef> {
            let f = &expected[i];
            let c = batch.column_by_name(f.name()).ok_or_else(|| {
                Error::schema(format!("batch has no column {:?}", f.name()), "pass batches in the canonical trade schema (a TradeTable or a reader's batches)")
            })?;
            if c.data_type() != f.data_type() {
                return Err(Error::schema(
                    format!("column {:?} is {} where {} was expected", f.name(), c.data_type(), f.data_type()),
                    "pass batches in the canonical trade schema",
                ));
            }
            Ok(c)
        };
        let period = col(0)?.as_primitive::<Int32Type>();
        let reporter = col(1)?.as_primitive::<UInt16Type>();
        let partner = col(2)?.as_primitive::<UInt16Type>();
        let flow = col(3)?.as_dictionary::<Int8Type>();
        let product = col(4)?.as_dictionary::<Int32Type>();
        let value = col(5)?.as_primitive::<Float64Type>();
        if period.null_count() + reporter.null_count() + partner.null_count() + flow.null_count() + product.null_count() + value.null_count() > 0 {
            return Err(Error::schema("nulls in a key or value column", "build batches through TradeTable so that keys and values are complete"));
        }
        let names = product.values().as_string::<i32>();
        let pmap: Vec<u32> = (0..names.len())
            .map(|k| {
                let next = self.products.len() as u32;
                *self.products.entry_ref(names.value(k)).or_insert(next)
            })
            .collect();
        // Period ids for the rows of this batch (periods are few).
        let mut period_id: Vec<u16> = Vec::with_capacity(batch.num_rows());
        for p in period.values().iter() {
            let next = self.period_list.len();
            let id = match self.periods.get(p) {
                Some(id) => *id,
                None => {
                    if next >= u16::MAX as usize {
                        return Err(Error::invalid_argument("more than 65535 periods", "aggregate periods first"));
                    }
                    self.periods.insert(*p, next as u16);
                    self.period_list.push(*p);
                    next as u16
                }
            };
            period_id.push(id);
        }
        let want = if self.source == Source::Mirror { Flow::Export as i8 } else { Flow::Import as i8 };
        let (imp, sup) = if self.source == Source::Mirror { (partner.values(), reporter.values()) } else { (reporter.values(), partner.values()) };
        let flows = flow.keys().values();
        let pkeys = product.keys().values();
        let values = value.values();
        let n_shards = self.shards.len();
        let pmap = &pmap;
        let period_id = &period_id;
        let body = |(s, shard): (usize, &mut Shard)| {
            for i in 0..flows.len() {
                let importer = imp[i];
                if flows[i] != want || importer as usize % n_shards != s {
                    continue;
                }
                let Some(pid) = pmap.get(pkeys[i] as usize) else { continue };
                let key = ((importer as u64) << 48) | ((period_id[i] as u64) << 32) | *pid as u64;
                shard.add(key, sup[i], values[i]);
            }
        };
        if n_shards > 1 && batch.num_rows() >= 4096 {
            self.shards.par_iter_mut().enumerate().for_each(body);
        } else {
            self.shards.iter_mut().enumerate().for_each(body);
        }
        Ok(())
    }

    /// Computes the statistics of every cell (see the module docs for the columns).
    pub fn finish(self) -> Result<RecordBatch> {
        let mut names: Vec<(String, u32)> = self.products.into_iter().collect();
        names.sort_unstable();
        let mut rank = vec![0u32; names.len()];
        for (r, (_, id)) in names.iter().enumerate() {
            rank[*id as usize] = r as u32;
        }
        let period_list = &self.period_list;
        let rank = &rank;
        struct Row {
            importer: u16,
            period: i32,
            product: u32,
            total: f64,
            n: u32,
            hhi: Option<f64>,
            top: Option<u16>,
            top_share: Option<f64>,
            n_rows: u64,
        }
        let mut rows: Vec<Row> = self
            .shards
            .into_par_iter()
            .flat_map_iter(|shard| {
                shard.keys.into_iter().zip(shard.cells).map(move |(key, cell)| {
                    let mut total = 0.0;
                    let mut sum_sq = 0.0;
                    let mut n = 0u32;
                    let mut top: Option<(u16, f64)> = None;
                    for (s, v) in cell.suppliers.iter().zip(cell.values.iter()) {
                        if *v > 0.0 {
                            total += v;
                            sum_sq += v * v;
                            n += 1;
                            top = match top {
                                Some((ts, tv)) if tv > *v || (tv == *v && ts < *s) => Some((ts, tv)),
                                _ => Some((*s, *v)),
                            };
                        }
                    }
                    let ok = total > 0.0;
                    Row {
                        importer: (key >> 48) as u16,
                        period: period_list[((key >> 32) & 0xffff) as usize],
                        product: rank[(key & 0xffff_ffff) as usize],
                        total,
                        n,
                        hhi: ok.then(|| sum_sq / (total * total)),
                        top: top.map(|t| t.0),
                        top_share: top.filter(|_| ok).map(|t| t.1 / total),
                        n_rows: cell.n_rows,
                    }
                })
            })
            .collect();
        rows.par_sort_unstable_by_key(|r| (r.importer, r.period, r.product));
        let cols: Vec<(Field, ArrayRef)> = vec![
            (Field::new("importer", DataType::UInt16, false), Arc::new(UInt16Array::from_iter_values(rows.iter().map(|r| r.importer)))),
            (Field::new("period", DataType::Int32, false), Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.period)))),
            (Field::new("product", DataType::Utf8, false), Arc::new(StringArray::from_iter_values(rows.iter().map(|r| names[r.product as usize].0.as_str())))),
            (Field::new("total_value", DataType::Float64, false), Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.total)))),
            (Field::new("n_suppliers", DataType::UInt32, false), Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.n)))),
            (Field::new("hhi", DataType::Float64, true), Arc::new(rows.iter().map(|r| r.hhi).collect::<Float64Array>())),
            (Field::new("top_code", DataType::UInt16, true), Arc::new(rows.iter().map(|r| r.top).collect::<UInt16Array>())),
            (Field::new("top_share", DataType::Float64, true), Arc::new(rows.iter().map(|r| r.top_share).collect::<Float64Array>())),
            (Field::new("n_rows", DataType::UInt64, false), Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.n_rows)))),
        ];
        let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = cols.into_iter().unzip();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| Error::arrow("assembling importer-product concentration", e))
    }
}

/// Runs [`ImporterProductConcentration`] over batches as they arrive (e.g. from a reader's
/// iterator); the first error stops the stream and is returned.
pub fn importer_product_concentration<I>(batches: I, source: Source) -> Result<RecordBatch>
where
    I: IntoIterator<Item = Result<RecordBatch>>,
{
    let mut k = ImporterProductConcentration::new(source)?;
    for b in batches {
        k.push(&b?)?;
    }
    k.finish()
}

/// The same workload on a table already in memory (its batches are read, not copied).
pub fn importer_product_concentration_table(table: &TradeTable, source: Source) -> Result<RecordBatch> {
    importer_product_concentration(table.batches().iter().cloned().map(Ok), source)
}
