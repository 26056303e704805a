//! One pass over export rows in (year, exporter, importer, product) order, as CEPII writes
//! BACI: the importer x product concentration of [`super::kernel`] without grouping the rows.
//!
//! The general kernel must sum each supplier's rows before it can square shares, so it keeps
//! a 16-byte partial aggregate per row and groups them at the end. When the rows arrive in
//! strictly increasing (year, exporter, importer, product) order, no (year, exporter,
//! importer, product) can repeat, so every row *is* its supplier's whole value in the cell and
//! the cell's sums can be updated in place: per importer, blocks of cells indexed by product,
//! filled while the reader parses the next chunks (rows wait in a short buffer per importer so
//! that each importer's cells are updated while they are in cache). The order is checked on every row; the
//! first row out of order (or a second row of one key with other numbers) ends the pass and the
//! caller falls back to the general kernel, so the result never depends on the order of the
//! input, only the speed. A row equal in every value to an earlier row of its key (adjacent in
//! this order) is set aside as a duplicate, by the reader's rule ([`FirstRows`]).
//!
//! Suppliers of a cell arrive in increasing exporter code, the order in which the general
//! kernel adds them, so both give the same sums to the bit.

use crate::error::Result;
use crate::io::baci::duplicates::{row_key, FirstRows};
use crate::io::baci::BaciChunk;
use crate::metrics::kernel::{CellColumns, SupplierSums};
use crate::model::ReadReport;
use arrow_array::RecordBatch;
use rayon::prelude::*;

/// Numeric product codes (HS6 without the leading zero) are below this.
const PRODUCT_CODES: usize = 1_000_000;
/// No slot yet; also the most distinct products a pass takes (more: the general kernel).
const NONE: u16 = u16::MAX;

/// A cell's running sums (its row count among them).
type Cell = SupplierSums;

/// A row waiting in its importer's buffer.
#[derive(Clone, Copy)]
struct Pending {
    product: u32,
    exporter: u16,
    year: u16,
    value: f64,
}

/// Rows buffered per importer before they are added to its cells (16 bytes each).
const FLUSH_ROWS: usize = 8192;

/// Cells of one importer and year are kept in blocks of this many product slots, allocated when
/// a product of the block first arrives: a row of cells never moves, where one growing `Vec`
/// would be copied (and its pages faulted in again) each time new products appear.
const BLOCK: usize = 256;
type Block = Box<[Cell; BLOCK]>;

/// One importer's cells: year slot -> block of product slots -> cell, and the rows not yet added.
struct ImporterCells {
    cells: Vec<Vec<Option<Block>>>,
    pending: Vec<Pending>,
    /// Cells with at least one row, over all years: the importer's rows of output.
    filled: usize,
}

impl ImporterCells {
    fn new() -> Self {
        // At full size from the start: grown by doubling, the buffers of 229 importers would
        // copy and fault in twice the memory they end with.
        ImporterCells {
            cells: Vec::new(),
            pending: Vec::with_capacity(FLUSH_ROWS),
            filled: 0,
        }
    }

    /// Adds the pending rows to the cells. One importer's cells are a few hundred KB, so
    /// this runs in cache; updating cells row by row in file order would jump across every
    /// importer's cells and miss the cache on almost every row.
    fn flush(&mut self) {
        // Read the cells front to back first: the prefetcher streams them into cache at memory
        // speed, where the updates in row order would wait for one miss after another.
        let mut warm = 0u16;
        for block in self.cells.iter().flatten().flatten() {
            for c in block.iter().step_by(2) {
                warm ^= c.rows;
            }
        }
        std::hint::black_box(warm);
        for p in self.pending.drain(..) {
            let year = p.year as usize;
            if self.cells.len() <= year {
                self.cells.resize_with(year + 1, Vec::new);
            }
            let row = &mut self.cells[year];
            let (b, slot) = (p.product as usize / BLOCK, p.product as usize % BLOCK);
            if row.len() <= b {
                row.resize_with(b + 1, || None);
            }
            let block = row[b].get_or_insert_with(|| Box::new([Cell::default(); BLOCK]));
            self.filled += (block[slot].rows == 0) as usize;
            block[slot].add(p.exporter, p.value);
        }
    }

    /// Year slot `year`'s cells by product slot (empty cells where no block was needed).
    fn row(&self, year: usize) -> impl Iterator<Item = (usize, &Cell)> {
        let blocks = self.cells.get(year).map(|r| r.as_slice()).unwrap_or(&[]);
        blocks.iter().enumerate().flat_map(|(b, block)| {
            block
                .iter()
                .flat_map(|cells| cells.iter())
                .enumerate()
                .map(move |(i, c)| (b * BLOCK + i, c))
        })
    }
}

/// The one-pass kernel. [`Self::push`] answers `false` at the first row out of order.
pub(crate) struct SortedExports {
    /// Years in order of appearance.
    years: Vec<i32>,
    /// (year, exporter, importer, product) of the last row, packed so that order is `<`.
    last: Option<u64>,
    /// Importer code -> slot (`u16::MAX`: none yet), and back.
    importer_slot: Vec<u16>,
    importers: Vec<(u16, ImporterCells)>,
    /// Product code -> slot (`NONE`: none yet), and back.
    product_slot: Vec<u16>,
    products: Vec<u32>,
    /// Data rows offered so far, the last one's value and quantity, and the duplicates found
    /// among the rows of one key (set aside in `duplicates`).
    rows_seen: u64,
    last_numbers: (f64, f64),
    first: FirstRows,
    /// Whether `first` holds rows of the current key.
    first_in_use: bool,
    duplicates: ReadReport,
}

/// (year, exporter, importer, product) in one integer ordered as the tuple: year - 1900 in
/// 9 bits (the reader keeps 1900..=2200), codes in 16 bits each, product in 20.
#[inline(always)]
fn order_key(year: i32, exporter: u16, importer: u16, product: u32) -> u64 {
    ((year - 1900) as u64) << 52 | (exporter as u64) << 36 | (importer as u64) << 20 | product as u64
}

impl SortedExports {
    pub(crate) fn new() -> Self {
        SortedExports {
            years: Vec::new(),
            last: None,
            importer_slot: vec![u16::MAX; 1 << 16],
            importers: Vec::new(),
            product_slot: vec![NONE; PRODUCT_CODES],
            products: Vec::new(),
            rows_seen: 0,
            last_numbers: (f64::NAN, f64::NAN),
            first: FirstRows::default(),
            first_in_use: false,
            duplicates: ReadReport::default(),
        }
    }

    /// Adds a parsed chunk; `false` (and nothing added from the offending row on) when a row
    /// is before the one before it, has its key with other numbers, or is outside what the
    /// order key can hold. A row equal in every value to an earlier one is set aside.
    pub(crate) fn push(&mut self, c: &BaciChunk<'_>) -> bool {
        let n = c.value.len();
        let mut year_slot = 0u16;
        let mut year = i32::MIN;
        let mut last = self.last;
        for r in 0..n {
            let (t, i, j, k, v) = (c.period[r], c.exporter[r], c.importer[r], c.product[r], c.value[r]);
            let q = c.quantity.get(r).copied().unwrap_or(f64::NAN);
            if !(1900..=2200).contains(&t) || !(0..PRODUCT_CODES as i32).contains(&k) {
                return false;
            }
            let key = order_key(t, i, j, k as u32);
            let numbers = std::mem::replace(&mut self.last_numbers, (v, q));
            if last.is_some_and(|l| key < l) {
                return false;
            }
            if last == Some(key) {
                // Same key as the row before: a duplicate is set aside, other numbers need the
                // general kernel (the supplier's rows must be summed before its share).
                let (row, rk) = (self.rows_seen + r as u64 + 1, row_key(t, i, j, k));
                if !self.first_in_use {
                    self.first.clear();
                    self.first
                        .is_duplicate(rk, numbers.0, numbers.1, row - 1, &mut self.duplicates);
                    self.first_in_use = true;
                }
                if self.first.is_duplicate(rk, v, q, row, &mut self.duplicates) {
                    continue;
                }
                return false;
            }
            self.first_in_use = false;
            last = Some(key);
            if t != year {
                year = t;
                year_slot = match self.years.iter().position(|y| *y == t) {
                    Some(p) => p as u16,
                    None => {
                        self.years.push(t);
                        (self.years.len() - 1) as u16
                    }
                };
            }
            let mut imp = self.importer_slot[j as usize];
            if imp == u16::MAX {
                imp = self.importers.len() as u16;
                self.importers.push((j, ImporterCells::new()));
                self.importer_slot[j as usize] = imp;
            }
            let mut prod = self.product_slot[k as usize];
            if prod == NONE {
                if self.products.len() >= NONE as usize {
                    return false;
                }
                prod = self.products.len() as u16;
                self.products.push(k as u32);
                self.product_slot[k as usize] = prod;
            }
            let cells = &mut self.importers[imp as usize].1;
            cells.pending.push(Pending {
                product: prod as u32,
                exporter: i,
                year: year_slot,
                value: v,
            });
        }
        self.last = last;
        self.rows_seen += n as u64;
        // Importers with full buffers are flushed in parallel: done row by row on the caller's
        // thread, the updates would make it the slowest stage of the read.
        self.importers
            .par_iter_mut()
            .filter(|(_, c)| c.pending.len() >= FLUSH_ROWS)
            .for_each(|(_, c)| c.flush());
        true
    }

    /// Puts the duplicate rows set aside into the read's report (call once, before `finish`).
    pub(crate) fn report_duplicates(&mut self, report: &mut ReadReport) {
        report.merge(std::mem::take(&mut self.duplicates));
        std::mem::take(&mut self.first).finish(report);
    }

    /// The output of [`super::kernel::ImporterProductConcentration::finish`], sorted by
    /// importer code, year and product code.
    pub(crate) fn finish(mut self) -> Result<RecordBatch> {
        self.importers.par_iter_mut().for_each(|(_, c)| c.flush());
        let mut product_order: Vec<u32> = (0..self.products.len() as u32).collect();
        product_order.sort_unstable_by_key(|p| self.products[*p as usize]);
        // Codes are below 1,000,000 (checked in `push`): always six digits.
        let names: Vec<[u8; 6]> = product_order
            .iter()
            .map(|p| {
                let k = self.products[*p as usize];
                std::array::from_fn(|d| b'0' + (k / 10u32.pow(5 - d as u32) % 10) as u8)
            })
            .collect();
        let mut year_order: Vec<usize> = (0..self.years.len()).collect();
        year_order.sort_unstable_by_key(|y| self.years[*y]);
        self.importers.sort_unstable_by_key(|(code, _)| *code);
        // Slot -> rank of its product code, so that a row is turned into code order by one
        // sequential read (reading it in code order directly would miss the cache per cell).
        let mut rank_of_slot = vec![0u32; product_order.len()];
        for (rank, slot) in product_order.iter().enumerate() {
            rank_of_slot[*slot as usize] = rank as u32;
        }
        let counts: Vec<usize> = self.importers.iter().map(|(_, c)| c.filled).collect();
        let (importers, years, rank_of_slot) = (&self.importers, &self.years, &rank_of_slot);
        let out = CellColumns::filled_in_parallel(&counts, |part, slots| {
            let (code, c) = &importers[part];
            let mut ordered: Vec<Cell> = Vec::new();
            for y in &year_order {
                if c.cells.get(*y).is_none() {
                    continue;
                }
                ordered.clear();
                ordered.resize(rank_of_slot.len(), Cell::default());
                // Slots past the last product (the end of a block) are empty and have no rank.
                for (slot, cell) in c.row(*y).filter(|(_, c)| c.rows > 0) {
                    ordered[rank_of_slot[slot] as usize] = *cell;
                }
                for (cell, name) in ordered.iter().zip(&names) {
                    if cell.rows > 0 {
                        slots.push(*code, years[*y], name, cell.rows as u64, &cell.stat());
                    }
                }
            }
        });
        out.finish()
    }
}
