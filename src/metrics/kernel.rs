//! The streaming kernel for the heavy workload: for every importer, product and period, the
//! total, the supplier HHI, the top supplier and its share, over a whole BACI year or panel.
//!
//! It consumes record batches as a reader produces them and keeps only partial aggregates:
//! per (importer, period, product, supplier) the summed value and row count, 16 bytes each,
//! spread over 256 partitions by cell. Sums per supplier are what is mergeable; HHI is computed
//! once at the end, so a supplier reported in several rows (batches, files) counts once with its
//! total. When the buffer grows past its budget, partitions are compacted in parallel (sorted,
//! duplicates summed); at the end each partition is sorted and reduced in parallel (rayon),
//! cache-local because a partition holds whole cells.
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
use arrow_array::{
    Array, ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field};
use hashbrown::HashMap;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::sorted_exports::SortedExports;
use crate::metrics::view::Source;
use crate::model::schema::canonical_fields;
use crate::model::{Flow, TradeTable};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

// Entry key layout, most significant first: importer (10 bits, dense id), period (12 bits, id),
// product (22 bits, id), supplier (10 bits, dense id), row count (10 bits). Sorting entries by
// key groups them by cell, then supplier; the count rides along in the low bits.
const COUNT_BITS: u32 = 10;
const SUP_BITS: u32 = 10;
const PROD_BITS: u32 = 22;
const PER_BITS: u32 = 12;
const CELL_SHIFT: u32 = COUNT_BITS + SUP_BITS;
const MAX_COUNTRIES: usize = 1 << 10;
const MAX_PERIODS: usize = 1 << PER_BITS;
const MAX_PRODUCTS: usize = 1 << PROD_BITS;
const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;
const PARTITIONS: usize = 256;
/// Numeric product codes of at most 6 digits, for [`ImporterProductConcentration::push_exports`].
const PRODUCT_CODES: usize = 1_000_000;
/// Buffered entries (16 bytes each) before partitions are compacted (sorted, duplicates summed).
const FIRST_COMPACTION: usize = 16 << 20;

/// One partial aggregate: (cell, supplier, rows) key and the summed value.
#[derive(Clone, Copy)]
struct Entry {
    key: u64,
    value: f64,
}

/// Sorts a partition and sums entries of the same (cell, supplier) while their row count fits.
fn compact(part: &mut Vec<Entry>) {
    part.sort_unstable_by_key(|e| e.key >> COUNT_BITS);
    let mut w = 0usize;
    for r in 0..part.len() {
        let e = part[r];
        if w > 0 {
            let last = &mut part[w - 1];
            let n = (last.key & COUNT_MASK) + (e.key & COUNT_MASK);
            if last.key >> COUNT_BITS == e.key >> COUNT_BITS && n <= COUNT_MASK {
                last.key = (last.key & !COUNT_MASK) | n;
                last.value += e.value;
                continue;
            }
        }
        part[w] = e;
        w += 1;
    }
    part.truncate(w);
    part.shrink_to(w + w / 4);
}

/// Streaming aggregation of importer x product x period supplier concentration.
///
/// Rows are turned into 16-byte partial aggregates keyed by (cell, supplier) and spread over
/// partitions by cell; partitions are compacted (sorted, duplicates summed) when the buffer
/// grows, and reduced in parallel at the end. Limits: 1,024 distinct countries, 4,096
/// periods, 4 million product codes.
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
/// # use arrow_array::{cast::AsArray, types::{Float64Type, UInt16Type}};
/// let hhi = out.column_by_name("hhi").unwrap().as_primitive::<Float64Type>().value(0);
/// assert_eq!(hhi, 0.625); // 0.75² + 0.25²
/// assert_eq!(out.column_by_name("top_code").unwrap().as_primitive::<UInt16Type>().value(0), 156);
/// ```
pub struct ImporterProductConcentration {
    source: Source,
    parts: Vec<Vec<Entry>>,
    /// Per-thread partition buffers, reused from batch to batch.
    locals: Vec<Vec<Vec<Entry>>>,
    buffered: usize,
    next_compaction: usize,
    /// Country code -> dense id (u16::MAX = none yet), and back.
    dense: Vec<u16>,
    codes: Vec<u16>,
    products: FastMap<String, u32>,
    periods: FastMap<i32, u16>,
    period_list: Vec<i32>,
    /// Numeric product code -> product id (`u64::MAX` = none yet), for [`Self::push_exports`].
    product_by_code: Vec<u64>,
}

impl ImporterProductConcentration {
    /// `source` is [`Source::Reported`] (rows with flow import) or [`Source::Mirror`] (rows with
    /// flow export, partner as importer). [`Source::Auto`] needs two passes: use
    /// [`mod@crate::metrics::concentration`].
    ///
    /// ```
    /// use tradedep::metrics::{ImporterProductConcentration, Source};
    /// assert!(ImporterProductConcentration::new(Source::Mirror).is_ok());
    /// assert!(ImporterProductConcentration::new(Source::Auto).is_err()); // needs two passes
    /// ```
    pub fn new(source: Source) -> Result<Self> {
        if source == Source::Auto {
            return Err(Error::invalid_argument(
                "the streaming kernel cannot choose reported or mirror data per importer",
                "use source reported or mirror here, or metrics::concentration with source auto",
            ));
        }
        Ok(ImporterProductConcentration {
            source,
            parts: (0..PARTITIONS).map(|_| Vec::new()).collect(),
            locals: vec![],
            buffered: 0,
            next_compaction: FIRST_COMPACTION,
            dense: vec![u16::MAX; 1 << 16],
            codes: vec![],
            products: FastMap::default(),
            periods: FastMap::default(),
            period_list: vec![],
            product_by_code: vec![],
        })
    }

    /// Compacts the buffered partial aggregates whenever `entries` (16 bytes each) are
    /// buffered, then whenever the buffer doubles. The default is 16 Mi entries (256 MiB).
    ///
    /// ```
    /// use arrow_array::{cast::AsArray, types::Float64Type};
    /// use tradedep::metrics::{ImporterProductConcentration, Source};
    /// // Compacted on every push: China's two rows are summed before the HHI, as in one buffer.
    /// let mut k = ImporterProductConcentration::new(Source::Mirror)?.with_compaction_budget(1);
    /// k.reserve(3);
    /// k.push_exports(&[2021, 2021], &[156, 792], &[643, 643], &[854231, 854231], &[20.0, 10.0])?;
    /// k.push_exports(&[2021], &[156], &[643], &[854231], &[10.0])?;
    /// let out = k.finish()?;
    /// let hhi = out.column_by_name("hhi").unwrap().as_primitive::<Float64Type>().value(0);
    /// assert!((hhi - 0.625).abs() < 1e-12); // China 30 of 40, Türkiye 10: 0.75² + 0.25²
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn with_compaction_budget(mut self, entries: usize) -> Self {
        self.next_compaction = entries.max(1);
        self
    }

    /// Reserves room for about `rows` more rows (a hint: a good guess saves the partitions'
    /// regrowth, its copies and the memory left behind by it; room never used costs no memory
    /// on systems that allocate pages lazily).
    ///
    /// ```
    /// use arrow_array::{cast::AsArray, types::UInt64Type};
    /// use tradedep::metrics::{ImporterProductConcentration, Source};
    /// let mut k = ImporterProductConcentration::new(Source::Mirror)?;
    /// k.reserve(1_000); // more than will come: no harm
    /// k.push_exports(&[2022], &[156], &[643], &[854231], &[3.0])?;
    /// let out = k.finish()?;
    /// assert_eq!(out.column_by_name("n_rows").unwrap().as_primitive::<UInt64Type>().values().to_vec(), [1]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn reserve(&mut self, rows: usize) {
        let per = rows / PARTITIONS + rows / PARTITIONS / 8 + 64;
        for p in &mut self.parts {
            p.reserve(per);
        }
    }

    fn dense_id(&mut self, code: u16) -> Result<u64> {
        let d = self.dense[code as usize];
        if d != u16::MAX {
            return Ok(d as u64);
        }
        if self.codes.len() >= MAX_COUNTRIES {
            return Err(Error::invalid_argument(
                "more than 1,024 distinct country codes",
                "split the input by importer",
            ));
        }
        let id = self.codes.len() as u16;
        self.codes.push(code);
        self.dense[code as usize] = id;
        Ok(id as u64)
    }

    /// Adds one batch in the canonical schema (checked by column name and type).
    ///
    /// ```
    /// use arrow_array::{cast::AsArray, types::Float64Type};
    /// use tradedep::metrics::{ImporterProductConcentration, Source};
    /// use tradedep::model::*;
    /// let table = |rows: &[(u16, f64)]| {
    ///     let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
    ///     for (partner, value) in rows {
    ///         b.push(TradeRow::new(2021, 643, *partner, Flow::Import, "854231", *value))?;
    ///     }
    ///     b.finish()
    /// };
    /// let mut k = ImporterProductConcentration::new(Source::Reported)?;
    /// k.push(&table(&[(156, 30.0)])?.batches()[0])?;
    /// k.push(&table(&[(156, 10.0), (792, 10.0)])?.batches()[0])?;
    /// let out = k.finish()?;
    /// // China's 30 + 10 count as one supplier: 0.8² + 0.2².
    /// let hhi = out.column_by_name("hhi").unwrap().as_primitive::<Float64Type>().value(0);
    /// assert!((hhi - 0.68).abs() < 1e-12);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn push(&mut self, batch: &RecordBatch) -> Result<()> {
        let expected = canonical_fields();
        let col = |i: usize| -> Result<&ArrayRef> {
            let f = &expected[i];
            let c = batch.column_by_name(f.name()).ok_or_else(|| {
                Error::schema(
                    format!("batch has no column {:?}", f.name()),
                    "pass batches in the canonical trade schema (a TradeTable or a reader's batches)",
                )
            })?;
            if c.data_type() != f.data_type() {
                return Err(Error::schema(
                    format!(
                        "column {:?} is {} where {} was expected",
                        f.name(),
                        c.data_type(),
                        f.data_type()
                    ),
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
        if period.null_count()
            + reporter.null_count()
            + partner.null_count()
            + flow.null_count()
            + product.null_count()
            + value.null_count()
            > 0
        {
            return Err(Error::schema(
                "nulls in a key or value column",
                "build batches through TradeTable so that keys and values are complete",
            ));
        }
        let names = product.values().as_string::<i32>();
        let mut pmap: Vec<u64> = Vec::with_capacity(names.len());
        for k in 0..names.len() {
            pmap.push(self.product_id(names.value(k))?);
        }
        let want = if self.source == Source::Mirror {
            Flow::Export as i8
        } else {
            Flow::Import as i8
        };
        let (imp, sup) = if self.source == Source::Mirror {
            (partner.values(), reporter.values())
        } else {
            (reporter.values(), partner.values())
        };
        self.ingest(
            period.values(),
            imp,
            sup,
            Some((flow.keys().values(), want)),
            product.keys().values(),
            &pmap,
            value.values(),
        )
    }

    fn product_id(&mut self, name: &str) -> Result<u64> {
        let next = self.products.len() as u32;
        let id = *self.products.entry_ref(name).or_insert(next);
        if id as usize >= MAX_PRODUCTS {
            return Err(Error::invalid_argument(
                "more than 4 million distinct product codes",
                "split the input by product",
            ));
        }
        Ok(id as u64)
    }

    /// Adds rows given as plain columns, every row a trade of `exporter` to `importer` (as
    /// mirror data is read): a reader streaming its parsed chunks feeds the kernel this way,
    /// without building record batches. `product` holds numeric codes below 1,000,000,
    /// named by their 6-digit form (`10121` -> `"010121"`); `value` the trade values.
    /// Only for kernels made with [`Source::Mirror`].
    ///
    /// ```
    /// use arrow_array::{cast::AsArray, types::UInt16Type};
    /// use tradedep::metrics::{ImporterProductConcentration, Source};
    /// let mut k = ImporterProductConcentration::new(Source::Mirror)?;
    /// // Germany (276) exports product 010121 to Russia (643) and to Kazakhstan (398).
    /// k.push_exports(&[2021, 2021], &[276, 276], &[643, 398], &[10121, 10121], &[5.0, 2.0])?;
    /// assert!(k.push_exports(&[2021], &[276], &[643], &[1_000_000], &[1.0]).is_err()); // 7 digits
    /// let out = k.finish()?;
    /// let importers = out.column_by_name("importer").unwrap().as_primitive::<UInt16Type>();
    /// assert_eq!(importers.values().to_vec(), [398, 643]); // by importer code
    /// assert_eq!(out.column_by_name("product").unwrap().as_string::<i32>().value(0), "010121");
    /// let reported = ImporterProductConcentration::new(Source::Reported)?.push_exports(&[2021], &[276], &[643], &[10121], &[1.0]);
    /// assert!(reported.is_err()); // rows of exports make mirror data only
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn push_exports(
        &mut self,
        period: &[i32],
        exporter: &[u16],
        importer: &[u16],
        product: &[i32],
        value: &[f64],
    ) -> Result<()> {
        let n = value.len();
        if self.source != Source::Mirror
            || period.len() != n
            || exporter.len() != n
            || importer.len() != n
            || product.len() != n
        {
            return Err(Error::invalid_argument(
                "push_exports needs a mirror kernel and columns of one length",
                "make the kernel with Source::Mirror and pass whole columns",
            ));
        }
        const NONE: u64 = u64::MAX;
        let mut by_code = std::mem::take(&mut self.product_by_code);
        if by_code.is_empty() {
            by_code = vec![NONE; PRODUCT_CODES];
        }
        for &k in product {
            let Some(slot) = usize::try_from(k).ok().and_then(|k| by_code.get(k)) else {
                self.product_by_code = by_code;
                return Err(Error::invalid_argument(
                    format!("product code {k} is not 0..999999"),
                    "pass numeric HS codes of at most 6 digits",
                ));
            };
            if *slot == NONE {
                let name = format!("{k:06}");
                let id = match self.product_id(&name) {
                    Ok(id) => id,
                    Err(e) => {
                        self.product_by_code = by_code;
                        return Err(e);
                    }
                };
                by_code[k as usize] = id;
            }
        }
        let r = self.ingest(period, importer, exporter, None, product, &by_code, value);
        self.product_by_code = by_code;
        r
    }

    /// The row loop shared by [`Self::push`] and [`Self::push_exports`]: `pmap` maps every
    /// product key in `pkeys` to a product id; rows whose flow key is not `flows.1` are skipped.
    #[allow(clippy::too_many_arguments)]
    fn ingest(
        &mut self,
        periods: &[i32],
        imp: &[u16],
        sup: &[u16],
        flows: Option<(&[i8], i8)>,
        pkeys: &[i32],
        pmap: &[u64],
        values: &[f64],
    ) -> Result<()> {
        let n = values.len();
        // Register new countries and periods first, so the row loop below is pure arithmetic
        // and can run in parallel.
        for i in 0..n {
            if flows.is_none_or(|(f, want)| f[i] == want) {
                self.dense_id(imp[i])?;
                self.dense_id(sup[i])?;
            }
        }
        let mut last = None;
        for p in periods {
            if last == Some(*p) || self.periods.contains_key(p) {
                last = Some(*p);
                continue;
            }
            if self.period_list.len() >= MAX_PERIODS {
                return Err(Error::invalid_argument(
                    "more than 4,096 periods",
                    "aggregate periods first",
                ));
            }
            self.periods.insert(*p, self.period_list.len() as u16);
            self.period_list.push(*p);
            last = Some(*p);
        }
        let dense = &self.dense;
        let period_ids = &self.periods;
        // Each chunk of rows fills its own partition buffers (cache-local writes), which are
        // then appended to the partitions.
        let fill = |range: std::ops::Range<usize>, local: &mut Vec<Vec<Entry>>| {
            local.resize_with(PARTITIONS, Vec::new);
            let mut last: Option<(i32, u64)> = None;
            for i in range {
                if let Some((f, want)) = flows {
                    if f[i] != want {
                        continue;
                    }
                }
                let Some(pid) = pmap.get(pkeys[i] as usize).copied() else {
                    continue;
                };
                let per = match last {
                    Some((p, id)) if p == periods[i] => id,
                    _ => {
                        let id = period_ids.get(&periods[i]).copied().unwrap_or(0) as u64;
                        last = Some((periods[i], id));
                        id
                    }
                };
                let cell = ((dense[imp[i] as usize] as u64) << (PER_BITS + PROD_BITS)) | (per << PROD_BITS) | pid;
                let key = (cell << CELL_SHIFT) | ((dense[sup[i] as usize] as u64) << COUNT_BITS) | 1;
                let part = (cell.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
                local[part].push(Entry { key, value: values[i] });
            }
        };
        let threads = if n >= 16_384 {
            rayon::current_num_threads().max(1)
        } else {
            1
        };
        let mut locals = std::mem::take(&mut self.locals);
        locals.resize_with(threads, Vec::new);
        let step = n.div_ceil(threads).max(1);
        if threads > 1 {
            locals
                .par_iter_mut()
                .enumerate()
                .for_each(|(t, local)| fill((t * step).min(n)..((t + 1) * step).min(n), local));
        } else {
            fill(0..n, &mut locals[0]);
        }
        for local in locals.iter_mut() {
            for (part, entries) in self.parts.iter_mut().zip(local.iter_mut()) {
                part.extend_from_slice(entries);
                entries.clear();
            }
        }
        self.locals = locals;
        self.buffered += n;
        if self.buffered >= self.next_compaction {
            self.parts.par_iter_mut().for_each(compact);
            let kept: usize = self.parts.iter().map(|p| p.len()).sum();
            self.buffered = kept;
            self.next_compaction = (2 * kept).max(self.next_compaction);
        }
        Ok(())
    }

    /// Reduces every cell with `f` over its suppliers' `(code, summed value)` (by code). Returns the cells sorted by importer code, period and product code, and the
    /// product codes (indexed by `ReducedCell::product`).
    pub(crate) fn reduce<T, F>(self, f: F) -> (Vec<ReducedCell<T>>, Vec<String>)
    where
        T: Send,
        F: Fn(&[(u16, f64)]) -> T + Sync + Send,
    {
        let mut names: Vec<(String, u32)> = self.products.into_iter().collect();
        names.sort_unstable();
        let mut rank = vec![0u32; names.len()];
        for (r, (_, id)) in names.iter().enumerate() {
            rank[*id as usize] = r as u32;
        }
        let period_list = &self.period_list;
        let rank = &rank;
        let codes = &self.codes;
        let f = &f;
        // Sort order of periods (ids are in order of appearance).
        let mut by_value: Vec<(i32, usize)> = period_list.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        by_value.sort_unstable();
        let mut period_rank = vec![0u64; period_list.len()];
        for (r, (_, i)) in by_value.iter().enumerate() {
            period_rank[*i] = r as u64;
        }
        let period_rank = &period_rank;
        let rows: Vec<(u64, ReducedCell<T>)> = self
            .parts
            .into_par_iter()
            .flat_map_iter(|part| {
                // Group the partition's entries by cell with a counting sort (a partition holds a
                // few thousand cells: the id map stays in cache), then order each small cell by
                // supplier.
                let mut ids: FastMap<u64, u32> = FastMap::default();
                let mut cell_keys: Vec<u64> = Vec::new();
                let mut counts: Vec<u32> = Vec::new();
                let mut id_of: Vec<u32> = Vec::with_capacity(part.len());
                for e in &part {
                    let cell = e.key >> CELL_SHIFT;
                    let next = cell_keys.len() as u32;
                    let id = *ids.entry(cell).or_insert(next);
                    if id == next {
                        cell_keys.push(cell);
                        counts.push(0);
                    }
                    counts[id as usize] += 1;
                    id_of.push(id);
                }
                drop(ids);
                let mut offsets: Vec<u32> = Vec::with_capacity(counts.len() + 1);
                let mut acc = 0u32;
                for c in &counts {
                    offsets.push(acc);
                    acc += c;
                }
                offsets.push(acc);
                let mut cursor = offsets.clone();
                // Scatter in place of the partition's own buffer: reuse its pages.
                let mut grouped: Vec<Entry> = Vec::with_capacity(part.len());
                grouped.resize(part.len(), Entry { key: 0, value: 0.0 });
                for (e, id) in part.iter().zip(&id_of) {
                    let slot = &mut cursor[*id as usize];
                    grouped[*slot as usize] = *e;
                    *slot += 1;
                }
                drop(part);
                drop(id_of);
                let mut out: Vec<(u64, ReducedCell<T>)> = Vec::with_capacity(cell_keys.len());
                let mut sup: Vec<(u16, f64)> = Vec::new();
                // Supplier dense id -> (cell stamp, slot in `sup`): sums without sorting the cell.
                let mut seen: Vec<(u32, u32)> = vec![(u32::MAX, 0); MAX_COUNTRIES];
                for (c, cell) in cell_keys.iter().enumerate() {
                    let entries = &grouped[offsets[c] as usize..offsets[c + 1] as usize];
                    let mut n_rows = 0u64;
                    sup.clear();
                    for e in entries {
                        let d = ((e.key >> COUNT_BITS) & ((1 << SUP_BITS) - 1)) as usize;
                        n_rows += e.key & COUNT_MASK;
                        let (stamp, slot) = seen[d];
                        if stamp == c as u32 {
                            sup[slot as usize].1 += e.value;
                        } else {
                            seen[d] = (c as u32, sup.len() as u32);
                            sup.push((codes[d], e.value));
                        }
                    }
                    if sup.len() > 1 {
                        sup.sort_unstable_by_key(|s| s.0);
                    }
                    let importer = codes[(cell >> (PER_BITS + PROD_BITS)) as usize];
                    let period_id = ((cell >> PROD_BITS) & ((1 << PER_BITS) - 1)) as usize;
                    let product = rank[(cell & ((1 << PROD_BITS) - 1)) as usize];
                    // Output order (importer code, period, product code) as one integer.
                    let order = ((importer as u64) << 48) | (period_rank[period_id] << PROD_BITS) | product as u64;
                    out.push((
                        order,
                        ReducedCell {
                            importer,
                            period: period_list[period_id],
                            product,
                            n_rows,
                            stat: f(&sup),
                        },
                    ));
                }
                out.into_iter()
            })
            .collect();
        // Sorted in place (no second copy of the cells).
        let mut rows = rows;
        rows.par_sort_unstable_by_key(|r| r.0);
        let cells = rows.into_iter().map(|(_, c)| c).collect();
        (cells, names.into_iter().map(|(n, _)| n).collect())
    }

    /// Computes the statistics of every cell (see the module docs for the columns).
    ///
    /// ```
    /// use arrow_array::{cast::AsArray, types::{Float64Type, UInt32Type}, Array};
    /// use tradedep::metrics::{ImporterProductConcentration, Source};
    /// let mut k = ImporterProductConcentration::new(Source::Mirror)?;
    /// // Russia: 8542 from China and Türkiye; 8471 from China at value 0 (no supplier).
    /// k.push_exports(&[2021; 3], &[156, 792, 156], &[643; 3], &[854200, 854200, 847100], &[60.0, 40.0, 0.0])?;
    /// let out = k.finish()?;
    /// let text = |c: &str| out.column_by_name(c).unwrap().as_string::<i32>().iter().flatten().collect::<Vec<_>>();
    /// assert_eq!(text("product"), ["847100", "854200"]); // by importer, period, product
    /// let n = out.column_by_name("n_suppliers").unwrap().as_primitive::<UInt32Type>();
    /// assert_eq!(n.values().to_vec(), [0, 2]);
    /// let top_share = out.column_by_name("top_share").unwrap().as_primitive::<Float64Type>();
    /// assert!(top_share.is_null(0)); // a total of 0 has no statistics
    /// assert_eq!(top_share.value(1), 0.6);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn finish(self) -> Result<RecordBatch> {
        let (cells, names) = self.reduce(|sup| {
            let mut acc = SupplierSums::default();
            for &(code, v) in sup {
                acc.add(code, v);
            }
            acc.stat()
        });
        let mut out = CellColumns::with_capacity(cells.len());
        for c in &cells {
            out.push(c.importer, c.period, &names[c.product as usize], c.n_rows, &c.stat);
        }
        out.finish()
    }
}

/// Running sums over a cell's suppliers, each supplier added once with its whole value.
#[derive(Clone, Copy)]
pub(crate) struct SupplierSums {
    total: f64,
    sum_sq: f64,
    top_value: f64,
    /// The top supplier's code, meaningful when `n > 0`.
    top: u16,
    n: u32,
    /// Calls to [`Self::add`]: the rows of a cell when each row is a supplier (a cell has at
    /// most one row per country of the country table, a few hundred). 32 bytes in all.
    pub(crate) rows: u16,
}

impl Default for SupplierSums {
    fn default() -> Self {
        SupplierSums {
            total: 0.0,
            sum_sq: 0.0,
            top_value: 0.0,
            top: u16::MAX,
            n: 0,
            rows: 0,
        }
    }
}

impl SupplierSums {
    /// Adds supplier `code` with value `v`; values <= 0 are not suppliers. Adding in order of
    /// code gives the same sums, to the bit, whichever kernel does it. Written with selects,
    /// not branches: whether a supplier is the new top is a coin toss the branch predictor
    /// loses.
    #[inline(always)]
    pub(crate) fn add(&mut self, code: u16, v: f64) {
        self.rows = self.rows.wrapping_add(1);
        let supplier = v > 0.0;
        let w = if supplier { v } else { 0.0 };
        self.total += w;
        self.sum_sq += w * w;
        self.n += supplier as u32;
        let better = supplier & ((v > self.top_value) | ((v == self.top_value) & (code < self.top)));
        self.top = if better { code } else { self.top };
        self.top_value = if better { v } else { self.top_value };
    }

    pub(crate) fn stat(&self) -> CellStat {
        let ok = self.total > 0.0;
        let top = (self.n > 0).then_some(self.top);
        CellStat {
            total: self.total,
            n: self.n,
            hhi: ok.then(|| self.sum_sq / (self.total * self.total)),
            top,
            top_share: top.filter(|_| ok).map(|_| self.top_value / self.total),
        }
    }
}

/// One part's slice of [`CellColumns::filled_in_parallel`], written front to back.
pub(crate) struct CellSlots<'a> {
    at: usize,
    importer: &'a mut [u16],
    period: &'a mut [i32],
    product: &'a mut [u8],
    total: &'a mut [f64],
    n: &'a mut [u32],
    hhi: &'a mut [f64],
    top: &'a mut [u16],
    top_share: &'a mut [f64],
    n_rows: &'a mut [u64],
    valid: &'a mut [bool],
}

impl CellSlots<'_> {
    /// Writes the next cell; cells beyond the part's count are ignored (a caller's bug that
    /// the row count of the result would show, never a panic).
    #[inline]
    pub(crate) fn push(&mut self, importer: u16, period: i32, product: &[u8; 6], n_rows: u64, stat: &CellStat) {
        let r = self.at;
        let (Some(code), Some(slot)) = (self.product.get_mut(6 * r..6 * r + 6), self.importer.get_mut(r)) else {
            return;
        };
        code.copy_from_slice(product);
        *slot = importer;
        self.period[r] = period;
        self.total[r] = stat.total;
        self.n[r] = stat.n;
        (self.hhi[r], self.top[r], self.top_share[r], self.valid[r]) = stat.nullable();
        self.n_rows[r] = n_rows;
        self.at += 1;
    }
}

/// The statistics of one (importer, period, product) cell.
pub(crate) struct CellStat {
    total: f64,
    n: u32,
    hhi: Option<f64>,
    top: Option<u16>,
    top_share: Option<f64>,
}

impl CellStat {
    /// HHI, top supplier and its share as stored, and whether they are valid: a cell without
    /// a positive total has them null (the stored values are then zeros).
    fn nullable(&self) -> (f64, u16, f64, bool) {
        (
            self.hhi.unwrap_or(0.0),
            self.top.unwrap_or(0),
            self.top_share.unwrap_or(0.0),
            self.hhi.is_some() && self.top.is_some(),
        )
    }
}

/// The output table of the module docs, built column by column as cells come (in output
/// order: importer, period, product).
pub(crate) struct CellColumns {
    importer: Vec<u16>,
    period: Vec<i32>,
    product_offsets: Vec<i32>,
    product_bytes: Vec<u8>,
    total: Vec<f64>,
    n: Vec<u32>,
    hhi: Vec<f64>,
    top: Vec<u16>,
    top_share: Vec<f64>,
    /// False for cells without a positive total (hhi, top and its share are null there).
    valid: Vec<bool>,
    n_rows: Vec<u64>,
}

impl CellColumns {
    pub(crate) fn with_capacity(n: usize) -> Self {
        let mut product_offsets = Vec::with_capacity(n + 1);
        product_offsets.push(0);
        CellColumns {
            importer: Vec::with_capacity(n),
            period: Vec::with_capacity(n),
            product_offsets,
            product_bytes: Vec::with_capacity(n * 6),
            total: Vec::with_capacity(n),
            n: Vec::with_capacity(n),
            hhi: Vec::with_capacity(n),
            top: Vec::with_capacity(n),
            top_share: Vec::with_capacity(n),
            valid: Vec::with_capacity(n),
            n_rows: Vec::with_capacity(n),
        }
    }

    /// Columns for `counts.iter().sum()` cells with 6-character product codes, filled in
    /// parallel: `fill(part, slots)` writes part `part`'s `counts[part]` cells, in order, into
    /// its own slice of every column (the output's pages are first touched by both cores,
    /// and no part is copied twice).
    pub(crate) fn filled_in_parallel<F>(counts: &[usize], fill: F) -> CellColumns
    where
        F: Fn(usize, &mut CellSlots<'_>) + Sync,
    {
        let n: usize = counts.iter().sum();
        let mut importer = vec![0u16; n];
        let mut period = vec![0i32; n];
        let mut product_bytes = vec![0u8; 6 * n];
        let mut total = vec![0f64; n];
        let mut n_sup = vec![0u32; n];
        let mut hhi = vec![0f64; n];
        let mut top = vec![0u16; n];
        let mut top_share = vec![0f64; n];
        let mut n_rows = vec![0u64; n];
        let mut valid = vec![true; n];
        let mut slots: Vec<CellSlots<'_>> = Vec::with_capacity(counts.len());
        {
            let (mut a, mut b, mut c, mut d) = (
                &mut importer[..],
                &mut period[..],
                &mut product_bytes[..],
                &mut total[..],
            );
            let (mut e, mut f, mut g, mut h) = (&mut n_sup[..], &mut hhi[..], &mut top[..], &mut top_share[..]);
            let (mut i, mut j) = (&mut n_rows[..], &mut valid[..]);
            for k in counts {
                let k = *k;
                let (a0, a1) = std::mem::take(&mut a).split_at_mut(k);
                let (b0, b1) = std::mem::take(&mut b).split_at_mut(k);
                let (c0, c1) = std::mem::take(&mut c).split_at_mut(6 * k);
                let (d0, d1) = std::mem::take(&mut d).split_at_mut(k);
                let (e0, e1) = std::mem::take(&mut e).split_at_mut(k);
                let (f0, f1) = std::mem::take(&mut f).split_at_mut(k);
                let (g0, g1) = std::mem::take(&mut g).split_at_mut(k);
                let (h0, h1) = std::mem::take(&mut h).split_at_mut(k);
                let (i0, i1) = std::mem::take(&mut i).split_at_mut(k);
                let (j0, j1) = std::mem::take(&mut j).split_at_mut(k);
                slots.push(CellSlots {
                    at: 0,
                    importer: a0,
                    period: b0,
                    product: c0,
                    total: d0,
                    n: e0,
                    hhi: f0,
                    top: g0,
                    top_share: h0,
                    n_rows: i0,
                    valid: j0,
                });
                (a, b, c, d, e, f, g, h, i, j) = (a1, b1, c1, d1, e1, f1, g1, h1, i1, j1);
            }
        }
        slots.par_iter_mut().enumerate().for_each(|(part, s)| fill(part, s));
        drop(slots);
        CellColumns {
            importer,
            period,
            product_offsets: (0..=n as i32).map(|i| 6 * i).collect(),
            product_bytes,
            total,
            n: n_sup,
            hhi,
            top,
            top_share,
            valid,
            n_rows,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, importer: u16, period: i32, product: &str, n_rows: u64, stat: &CellStat) {
        let (hhi, top, top_share, valid) = stat.nullable();
        self.importer.push(importer);
        self.period.push(period);
        self.product_bytes.extend_from_slice(product.as_bytes());
        self.product_offsets.push(self.product_bytes.len() as i32);
        self.total.push(stat.total);
        self.n.push(stat.n);
        self.hhi.push(hhi);
        self.top.push(top);
        self.top_share.push(top_share);
        self.valid.push(valid);
        self.n_rows.push(n_rows);
    }

    pub(crate) fn finish(self) -> Result<RecordBatch> {
        if self.product_bytes.len() > i32::MAX as usize {
            return Err(Error::invalid_argument(
                "more than 2 GB of product codes in one result",
                "split the input by importer",
            ));
        }
        // Null where the cell has no positive total, as the module docs say.
        let nulls = self.valid.contains(&false).then(|| NullBuffer::from(self.valid));
        let products = StringArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(self.product_offsets)),
            Buffer::from_vec(self.product_bytes),
            None,
        )
        .map_err(|e| Error::arrow("assembling importer-product concentration", e))?;
        let cols: Vec<(Field, ArrayRef)> = vec![
            (
                Field::new("importer", DataType::UInt16, false),
                Arc::new(UInt16Array::from(self.importer)),
            ),
            (
                Field::new("period", DataType::Int32, false),
                Arc::new(Int32Array::from(self.period)),
            ),
            (Field::new("product", DataType::Utf8, false), Arc::new(products)),
            (
                Field::new("total_value", DataType::Float64, false),
                Arc::new(Float64Array::from(self.total)),
            ),
            (
                Field::new("n_suppliers", DataType::UInt32, false),
                Arc::new(UInt32Array::from(self.n)),
            ),
            (
                Field::new("hhi", DataType::Float64, true),
                Arc::new(Float64Array::new(ScalarBuffer::from(self.hhi), nulls.clone())),
            ),
            (
                Field::new("top_code", DataType::UInt16, true),
                Arc::new(UInt16Array::new(ScalarBuffer::from(self.top), nulls.clone())),
            ),
            (
                Field::new("top_share", DataType::Float64, true),
                Arc::new(Float64Array::new(ScalarBuffer::from(self.top_share), nulls)),
            ),
            (
                Field::new("n_rows", DataType::UInt64, false),
                Arc::new(UInt64Array::from(self.n_rows)),
            ),
        ];
        record_batch(cols, "assembling importer-product concentration")
    }
}

/// One reduced cell of [`ImporterProductConcentration::reduce`].
pub(crate) struct ReducedCell<T> {
    pub importer: u16,
    pub period: i32,
    /// Index into the product codes returned with the cells.
    pub product: u32,
    pub n_rows: u64,
    pub stat: T,
}

/// Runs [`ImporterProductConcentration`] over batches as they arrive (e.g. from a reader's
/// iterator); the first error stops the stream and is returned.
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::metrics::{importer_product_concentration, Source};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "854231", 75.0))?;
/// b.push(TradeRow::new(2021, 643, 792, Flow::Import, "854231", 25.0))?;
/// b.push(TradeRow::new(2021, 398, 156, Flow::Import, "854231", 10.0))?;
/// let table = b.finish()?;
/// let out = importer_product_concentration(table.batches().iter().cloned().map(Ok), Source::Reported)?;
/// // Kazakhstan (398) first: one supplier; Russia: 0.75² + 0.25².
/// let hhi = out.column_by_name("hhi").unwrap().as_primitive::<Float64Type>();
/// assert_eq!(hhi.values().to_vec(), [1.0, 0.625]);
/// let failing = vec![Err(tradedep::Error::invalid_argument("a reader failed", "fix the file"))];
/// assert!(importer_product_concentration(failing, Source::Reported).is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
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
///
/// ```
/// use arrow_array::{cast::AsArray, types::{Float64Type, UInt16Type}};
/// use tradedep::metrics::{importer_product_concentration_table, Source};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "854231", 30.0))?; // China's exports to Russia
/// b.push(TradeRow::new(2021, 792, 643, Flow::Export, "854231", 10.0))?; // Türkiye's
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "854231", 99.0))?; // not mirror data
/// let out = importer_product_concentration_table(&b.finish()?, Source::Mirror)?;
/// assert_eq!(out.column_by_name("importer").unwrap().as_primitive::<UInt16Type>().value(0), 643);
/// assert_eq!(out.column_by_name("total_value").unwrap().as_primitive::<Float64Type>().value(0), 40.0);
/// assert_eq!(out.column_by_name("top_share").unwrap().as_primitive::<Float64Type>().value(0), 0.75);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn importer_product_concentration_table(table: &TradeTable, source: Source) -> Result<RecordBatch> {
    let imports = crate::metrics::selection::ImportSelection {
        source,
        ..Default::default()
    };
    crate::metrics::importer_product::importer_product_concentration_selected(table, &imports)
}

/// The workload straight from a BACI file (`.csv`, `.csv.gz`, CEPII `.zip`), streaming: the
/// reader's parsed chunks feed the kernel as they come ([`crate::io::baci::scan_baci`]), so the
/// table is never built. Files in CEPII's order (year, exporter, importer, product) take one
/// pass that updates each cell in place (the report says "one pass"); any other order, or a
/// second row of one key with other numbers, is found on its first such row and the file is
/// read again through [`ImporterProductConcentration`] (the report says "read twice"; a
/// progress bar restarts). Exact duplicate rows are set aside and counted as
/// [`read_baci`](crate::io::baci::read_baci) does (docs/methods/bad_inputs.md); a file out of
/// order that holds some is read a third time without them. Same result as
/// [`crate::io::baci::read_baci`] then [`importer_product_concentration_table`] with
/// [`Source::Mirror`] (every BACI row is an export of `i` to `j`); returns it with the read
/// report.
///
/// ```no_run
/// use tradedep::io::baci::BaciOptions;
/// use tradedep::metrics::kernel::importer_product_concentration_baci;
/// let (out, report) = importer_product_concentration_baci("BACI_HS17_Y2021_V202401.csv".as_ref(), &BaciOptions::default()).unwrap();
/// println!("{} cells from {} rows", out.num_rows(), report.rows_kept);
/// ```
pub fn importer_product_concentration_baci(
    path: &std::path::Path,
    options: &crate::io::baci::BaciOptions<'_>,
) -> Result<(RecordBatch, crate::model::ReadReport)> {
    use crate::io::baci::duplicates::{repeated_keys, row_key, FirstRows};
    // BACI as CEPII writes it is in (year, exporter, importer, product) order: one pass with
    // the cells updated in place. Any other order is found on its first row out of order,
    // and the general kernel reads the file again.
    let mut sorted = SortedExports::new();
    let mut out_of_order = false;
    let first = crate::io::baci::scan_baci(path, options, &mut |c| {
        if sorted.push(&c) {
            Ok(())
        } else {
            out_of_order = true;
            Err(Error::invalid_argument(
                "rows out of order",
                "read again with the general kernel",
            ))
        }
    });
    match first {
        Ok(mut report) => {
            sorted.report_duplicates(&mut report);
            report.note("rows in (year, exporter, importer, product) order, one row per key: one pass");
            return Ok((sorted.finish()?, report));
        }
        Err(e) if !out_of_order => return Err(e),
        Err(_) => drop(sorted),
    }
    // Plain BACI text is 30-45 bytes a row: room for the rows of a plain file (compressed files
    // grow the partitions as needed), at most 64 million rows.
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let new_kernel = || -> Result<ImporterProductConcentration> {
        let mut k = ImporterProductConcentration::new(Source::Mirror)?;
        k.reserve(usize::try_from(bytes / 30).unwrap_or(0).min(64 << 20));
        Ok(k)
    };
    // The keys (8 bytes a row) tell whether any row may be a duplicate, as in read_baci.
    let mut k = new_kernel()?;
    let mut keys: Vec<u64> = Vec::new();
    let mut report = crate::io::baci::scan_baci(path, options, &mut |c| {
        keys.extend((0..c.value.len()).map(|r| row_key(c.period[r], c.exporter[r], c.importer[r], c.product[r])));
        k.push_exports(c.period, c.exporter, c.importer, c.product, c.value)
    })?;
    let repeated = repeated_keys(keys);
    let mut how = "the file was read twice";
    if !repeated.is_empty() {
        // Rows of a repeated key are compared in every value; the kernel is fed without the
        // duplicates.
        drop(k);
        k = new_kernel()?;
        let mut first = FirstRows::default();
        let mut dups = crate::model::ReadReport::default();
        let mut row0 = 0u64;
        report = crate::io::baci::scan_baci(path, options, &mut |c| {
            let n = c.value.len() as u64;
            let mut keep: Vec<usize> = Vec::new();
            for r in 0..c.value.len() {
                let rk = row_key(c.period[r], c.exporter[r], c.importer[r], c.product[r]);
                let q = c.quantity.get(r).copied().unwrap_or(f64::NAN);
                let dup =
                    repeated.contains(&rk) && first.is_duplicate(rk, c.value[r], q, row0 + r as u64 + 1, &mut dups);
                if !dup {
                    keep.push(r);
                }
            }
            row0 += n;
            if keep.len() == c.value.len() {
                return k.push_exports(c.period, c.exporter, c.importer, c.product, c.value);
            }
            let pick = |v: &[i32]| keep.iter().map(|r| v[*r]).collect::<Vec<i32>>();
            let pick16 = |v: &[u16]| keep.iter().map(|r| v[*r]).collect::<Vec<u16>>();
            let value: Vec<f64> = keep.iter().map(|r| c.value[*r]).collect();
            k.push_exports(
                &pick(c.period),
                &pick16(c.exporter),
                &pick16(c.importer),
                &pick(c.product),
                &value,
            )
        })?;
        report.merge(dups);
        first.finish(&mut report);
        how = "the file was read three times: out of order, with duplicate rows";
    }
    report.note(format!(
        "rows not in (year, exporter, importer, product) order, or a key in several rows: each supplier's rows \
         summed first ({how})"
    ));
    Ok((k.finish()?, report))
}
