//! Stage 2 of the cube, the map: row ranges read through the import view on rayon's threads,
//! each record becoming a key ([`super::key`]) and its numbers; then one parallel sort by key.
//!
//! Sorting instead of hashing: a BACI year has about one record per (importer, product,
//! supplier), so a hash aggregate would hold one entry per row in random order; a sort of the
//! records (32 bytes with a 64-bit key) reads and writes memory in order and needs no resizing.

use rayon::prelude::*;

use super::slots::{PeriodSlots, SlotLookup};
use super::CubeShape;
use crate::cancel::Cancellation;
use crate::error::Result;
use crate::metrics::group::{SupplierKeys, NO_PARTNER, NO_PRODUCT};
use crate::metrics::view::{ViewPlan, CANCEL_CHECK_ROWS, NO_UNIT};
use crate::model::TradeTable;

/// One import record: its key and numbers, sorted together (no gather afterwards: reading
/// numbers from scan order after the sort cost a cache miss per record).
#[derive(Clone, Copy)]
pub(crate) struct Record<K> {
    pub key: K,
    pub value: f64,
    /// NaN where unknown.
    pub quantity: f64,
    /// 0-based table row, for `explain` (32 bits keep a record at 32 bytes; `build` refuses
    /// `explain` on a table of more rows).
    pub row: u32,
    /// Unit id, [`NO_UNIT`] where unknown.
    pub unit: u16,
    /// bit 0 mirrored, bit 1 estimated, bit 3 month known, bits 4-7 month - 1 (monthly tables).
    pub flags: u8,
}

/// Everything a record needs to become a key.
pub(crate) struct KeyMaker<'a> {
    pub lookup: &'a SlotLookup,
    pub suppliers: &'a SupplierKeys,
    /// Product id -> rank of its code (ids come from the dictionaries, ranks are code order).
    pub rank: &'a [u32],
    pub shape: CubeShape,
    pub exclude_intra: bool,
}

/// Reads every import record of `table` (through `plan`), sorted by key; `pack` makes the key
/// of (slot, time, product or partner, item) (generic so that it inlines).
pub(crate) fn scan<K: Copy + Ord + Send + Sync, P: Fn(u16, i32, u32, u32) -> K + Sync>(
    table: &TradeTable,
    plan: &ViewPlan<'_>,
    maker: &KeyMaker<'_>,
    pack: P,
    cancel: &Cancellation,
) -> Result<Vec<Record<K>>> {
    let (units, block) = blocks(table);
    let parts: Vec<Result<Vec<Record<K>>>> = units
        .par_chunks(block)
        .map(|chunk| {
            // Room for every row of the block: pages are only touched when written.
            let rows: usize = chunk.iter().map(|(_, r)| r.len()).sum();
            let mut out = Vec::with_capacity(rows);
            for (b, range) in chunk {
                cancel.check()?;
                scan_range(plan, *b, range.clone(), maker, &pack, &mut out);
            }
            Ok(out)
        })
        .collect();
    let mut out: Vec<Record<K>> = vec![];
    for p in parts {
        let mut p = p?;
        if out.is_empty() {
            out = p;
        } else {
            out.append(&mut p);
        }
    }
    cancel.check()?;
    out.par_sort_unstable_by_key(|r| r.key);
    Ok(out)
}

/// The table's row ranges of [`CANCEL_CHECK_ROWS`] rows (batch, rows), and how many make one
/// thread's contiguous block.
pub(crate) fn blocks(table: &TradeTable) -> (Vec<(usize, std::ops::Range<usize>)>, usize) {
    let mut units: Vec<(usize, std::ops::Range<usize>)> = vec![];
    for (b, batch) in table.batches().iter().enumerate() {
        for start in (0..batch.num_rows()).step_by(CANCEL_CHECK_ROWS) {
            units.push((b, start..(start + CANCEL_CHECK_ROWS).min(batch.num_rows())));
        }
    }
    // One contiguous block of units per thread: each fills its own columns.
    let threads = rayon::current_num_threads().max(1);
    let block = units.len().div_ceil(threads).max(1);
    (units, block)
}

/// Folds the import records of `table` (through `plan`) on rayon's threads: each thread one
/// contiguous block of rows into its own `T` from `init`; the partials come back in row order,
/// for the caller to merge. For metrics whose result is a handful of sums, where sorting
/// records into cells would be wasted work.
pub(crate) fn fold<T: Send>(
    table: &TradeTable,
    plan: &ViewPlan<'_>,
    cancel: &Cancellation,
    init: impl Fn() -> T + Sync,
    f: impl Fn(&mut T, crate::metrics::view::ViewRow<'_>) + Sync,
) -> Result<Vec<T>> {
    let (units, block) = blocks(table);
    units
        .par_chunks(block)
        .map(|chunk| {
            let mut acc = init();
            for (b, range) in chunk {
                cancel.check()?;
                plan.scan(*b, range.clone(), |r| f(&mut acc, r));
            }
            Ok(acc)
        })
        .collect()
}

#[inline]
fn scan_range<K, P: Fn(u16, i32, u32, u32) -> K>(
    plan: &ViewPlan<'_>,
    b: usize,
    rows: std::ops::Range<usize>,
    m: &KeyMaker<'_>,
    pack: &P,
    out: &mut Vec<Record<K>>,
) {
    let shape = m.shape;
    let mut last: Option<(i32, PeriodSlots<'_>)> = None;
    plan.scan(b, rows, |r| {
        let slots = match last {
            Some((period, s)) if period == r.period => s,
            _ => {
                let s = m.lookup.period(r.period);
                last = Some((r.period, s));
                s
            }
        };
        let time = shape.time.key(r.period);
        let month = if shape.monthly {
            0x08 | (((r.period % 100 - 1).clamp(0, 15) as u8) << 4)
        } else {
            0
        };
        // An exports cube: the exporter holds the slot, the importer is the item.
        let (who, partner) = if shape.exports {
            (r.supplier, r.importer)
        } else {
            (r.importer, r.supplier)
        };
        let supplier = m.suppliers.key(partner);
        // Two sides summed over products: one item per side, not per product.
        let product = if shape.sides && shape.over_product && !shape.by_product {
            0
        } else {
            m.rank[r.product as usize]
        };
        let (third, item) = if shape.over_product {
            (if shape.by_partner { supplier } else { NO_PARTNER }, product)
        } else {
            (if shape.by_product { product } else { NO_PRODUCT }, supplier)
        };
        let item = if shape.sides {
            item << 1 | r.mirrored as u32
        } else {
            item
        };
        slots.for_each(who, |slot| {
            if m.exclude_intra && slots.is_intra(slot, partner) {
                return;
            }
            let (quantity, unit) = match r.quantity {
                Some(q) => (q, r.unit_id),
                None => (f64::NAN, NO_UNIT),
            };
            out.push(Record {
                key: pack(slot, time, third, item),
                value: r.value,
                quantity,
                row: r.row as u32,
                unit,
                flags: r.mirrored as u8 | (r.estimated as u8) << 1 | month,
            });
        });
    });
}
