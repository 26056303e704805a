//! Stage 2 of the cube, the map: row ranges read through the import view on rayon's threads,
//! each record becoming a key ([`super::key`]) and its numbers; then put in key order
//! ([`super::sort`]).
//!
//! Sorting instead of hashing: a BACI year has about one record per (importer, product,
//! supplier), so a hash aggregate would hold one entry per row in random order; a sort of the
//! records (32 bytes with a 64-bit key) reads and writes memory in order and needs no resizing.

use rayon::prelude::*;

use super::slots::{PeriodSlots, SlotLookup};
use super::sort::Sortable;
use super::CubeShape;
use crate::cancel::Cancellation;
use crate::error::Result;
use crate::metrics::group::{SupplierKeys, NO_PARTNER, NO_PRODUCT};
use crate::metrics::view::{row_blocks, ViewPlan, ViewRow, NO_UNIT};
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

/// What a [`Record::flags`] byte counts: mirrored (0 or 1), estimated (0 or 1), and the bit
/// of its month (`1 << (month - 1)`; 0 where no month is known). The one decoder of the
/// byte that [`records_of`] writes, for every form that sums records.
#[inline]
pub(super) fn flag_counts(flags: u8) -> (u8, u8, u16) {
    let month = if flags & 0x08 != 0 { 1u16 << (flags >> 4) } else { 0 };
    (flags & 1, (flags >> 1) & 1, month)
}

/// A record of a cube whose finish reads values only ([`super::Detail::Values`]): half the
/// bytes of a [`Record`] to write, sort and read. The key is the [`Record`]'s key shifted left
/// by [`narrow_flag_bits`] with the record's flags below it, so records of one (cell, item)
/// stay neighbours when sorted; quantities and table rows are not kept.
#[derive(Clone, Copy)]
pub(crate) struct Narrow {
    pub key: u64,
    pub value: f64,
}

/// Flag bits a [`Narrow`] key carries: mirrored and estimated; on monthly tables also the
/// month (the [`Record::flags`] byte whole).
pub(crate) fn narrow_flag_bits(monthly: bool) -> u32 {
    if monthly {
        8
    } else {
        2
    }
}

impl Narrow {
    /// The narrow form of `r`, whose key fits with `flag_bits` more bits.
    #[inline]
    pub fn of(r: Record<u64>, flag_bits: u32) -> Narrow {
        let flags = (r.flags as u64) & ((1 << flag_bits) - 1);
        Narrow {
            key: r.key << flag_bits | flags,
            value: r.value,
        }
    }
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

/// Reads every import record of `table` (through `plan`) into one run per thread, each sorted
/// by key ([`super::sort::merged`] reads them in key order); `pack` makes the key
/// of (slot, time, product or partner, item) (generic so that it inlines), `keep` the record
/// kept ([`Record`] itself, or [`Narrow`]), whose key sets at most the low `used_bits` bits.
pub(crate) fn scan<K, R, P, W>(
    table: &TradeTable,
    plan: &ViewPlan<'_>,
    maker: &KeyMaker<'_>,
    pack: P,
    keep: W,
    used_bits: u32,
    cancel: &Cancellation,
) -> Result<Vec<Vec<R>>>
where
    R: Sortable,
    P: Fn(u16, i32, u32, u32) -> K + Sync,
    W: Fn(Record<K>) -> R + Sync,
{
    // One contiguous block of rows per thread: each fills and sorts its own run.
    let parts: Vec<Result<Vec<R>>> = row_blocks(table)
        .into_par_iter()
        .map(|chunk| {
            // Room for every row of the block: pages are only touched when written.
            let rows: usize = chunk.iter().map(|(_, r)| r.len()).sum();
            let mut out = Vec::with_capacity(rows);
            for (b, range) in chunk {
                cancel.check()?;
                scan_range(plan, b, range, maker, &pack, &keep, &mut out);
            }
            cancel.check()?;
            Ok(super::sort::sort_scanned(out, used_bits))
        })
        .collect();
    parts.into_iter().collect()
}

#[inline]
fn scan_range<'a, K, R, P: Fn(u16, i32, u32, u32) -> K, W: Fn(Record<K>) -> R>(
    plan: &ViewPlan<'_>,
    b: usize,
    rows: std::ops::Range<usize>,
    m: &KeyMaker<'a>,
    pack: &P,
    keep: &W,
    out: &mut Vec<R>,
) {
    let mut last = None;
    plan.scan(b, rows, |r| {
        records_of(&r, m, pack, &mut last, &mut |rec| out.push(keep(rec)))
    });
}

/// The records of one view row, one per importer slot it counts for, handed to `emit`.
/// `last` keeps the slots of the previous row's period (rows of a period are neighbours).
#[inline]
pub(super) fn records_of<'a, K, P: Fn(u16, i32, u32, u32) -> K>(
    r: &ViewRow<'_>,
    m: &KeyMaker<'a>,
    pack: &P,
    last: &mut Option<(i32, PeriodSlots<'a>)>,
    emit: &mut impl FnMut(Record<K>),
) {
    let shape = m.shape;
    let slots = match *last {
        Some((period, s)) if period == r.period => s,
        _ => {
            let s = m.lookup.period(r.period);
            *last = Some((r.period, s));
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
        emit(Record {
            key: pack(slot, time, third, item),
            value: r.value,
            quantity,
            row: r.row as u32,
            unit,
            flags: r.mirrored as u8 | (r.estimated as u8) << 1 | month,
        });
    });
}
