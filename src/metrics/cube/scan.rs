//! Stage 2 of the cube, the map: row ranges read through the import view into partial
//! aggregates, on rayon's threads, then merged.
//!
//! Each (cell, item) is one `u128` key: importer slot (16 bits), time key (32), product or
//! partner (32), item (32), so that the key order is the output order and a cell's items are
//! neighbours once sorted ([`super::cells`]).

use foldhash::fast::RandomState;
use hashbrown::HashMap;
use rayon::prelude::*;

use super::slots::SlotLookup;
use super::CubeShape;
use crate::cancel::Cancellation;
use crate::error::Result;
use crate::metrics::group::{Acc, SupplierKeys, NO_PARTNER, NO_PRODUCT};
use crate::metrics::view::{ViewPlan, ViewRow, CANCEL_CHECK_ROWS};
use crate::model::TradeTable;

/// Packs a cube key; `third` is the product id, or the partner key over products.
#[inline]
pub(crate) fn pack(slot: u16, time: i32, third: u32, item: u32) -> u128 {
    ((slot as u128) << 96) | (((time as u32) ^ 0x8000_0000) as u128) << 64 | ((third as u128) << 32) | item as u128
}

/// Unpacks [`pack`]: (slot, time, third, item).
#[inline]
pub(crate) fn unpack(key: u128) -> (u16, i32, u32, u32) {
    (
        (key >> 96) as u16,
        (((key >> 64) as u32) ^ 0x8000_0000) as i32,
        (key >> 32) as u32,
        key as u32,
    )
}

/// Sums of the entries seen by one thread: key -> index into `entries`.
#[derive(Default)]
pub(crate) struct Partial {
    index: HashMap<u128, u32, RandomState>,
    pub entries: Vec<(u128, Acc)>,
}

impl Partial {
    #[inline]
    fn add(&mut self, key: u128, r: &ViewRow<'_>, month_bit: u16, explain: bool) {
        let n = self.entries.len() as u32;
        let idx = *self.index.entry(key).or_insert(n);
        if idx == n {
            self.entries.push((key, Acc::default()));
        }
        self.entries[idx as usize].1.add_record(r, explain, month_bit);
    }

    /// Adds `other`'s sums into `self` (exact: integer counts, f64 sums, units compared).
    fn merge(mut self, other: Partial) -> Partial {
        if other.entries.len() > self.entries.len() {
            return other.merge(self);
        }
        for (key, acc) in other.entries {
            let n = self.entries.len() as u32;
            let idx = *self.index.entry(key).or_insert(n);
            if idx == n {
                self.entries.push((key, acc));
            } else {
                self.entries[idx as usize].1.merge(&acc);
            }
        }
        self
    }
}

/// Reads every import record of `table` (through `plan`) into one merged [`Partial`].
pub(crate) fn scan(
    table: &TradeTable,
    plan: &ViewPlan<'_>,
    lookup: &SlotLookup,
    suppliers: &SupplierKeys,
    shape: CubeShape,
    exclude_intra: bool,
    cancel: &Cancellation,
) -> Result<Partial> {
    // Work units of at most CANCEL_CHECK_ROWS rows, cut into one contiguous block per thread so
    // that each thread fills one partial (fewer, larger partials merge faster).
    let mut units: Vec<(usize, std::ops::Range<usize>)> = vec![];
    for (b, batch) in table.batches().iter().enumerate() {
        for start in (0..batch.num_rows()).step_by(CANCEL_CHECK_ROWS) {
            units.push((b, start..(start + CANCEL_CHECK_ROWS).min(batch.num_rows())));
        }
    }
    let threads = rayon::current_num_threads().max(1);
    let block = units.len().div_ceil(threads).max(1);
    let partials: Vec<Result<Partial>> = units
        .par_chunks(block)
        .map(|chunk| {
            let mut p = Partial::default();
            for (b, rows) in chunk {
                cancel.check()?;
                scan_range(plan, *b, rows.clone(), lookup, suppliers, shape, exclude_intra, &mut p);
            }
            Ok(p)
        })
        .collect();
    let mut out = Partial::default();
    for p in partials {
        out = out.merge(p?);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
#[inline]
fn scan_range(
    plan: &ViewPlan<'_>,
    b: usize,
    rows: std::ops::Range<usize>,
    lookup: &SlotLookup,
    suppliers: &SupplierKeys,
    shape: CubeShape,
    exclude_intra: bool,
    p: &mut Partial,
) {
    let mut last: Option<(i32, super::slots::PeriodSlots<'_>)> = None;
    plan.scan(b, rows, |r| {
        let slots = match last {
            Some((period, s)) if period == r.period => s,
            _ => {
                let s = lookup.period(r.period);
                last = Some((r.period, s));
                s
            }
        };
        let time = shape.time.key(r.period);
        let month_bit = if shape.monthly {
            1u16 << ((r.period % 100 - 1).clamp(0, 15))
        } else {
            0
        };
        let supplier = suppliers.key(r.supplier);
        let (third, item) = if shape.over_product {
            (if shape.by_partner { supplier } else { NO_PARTNER }, r.product)
        } else {
            (if shape.by_product { r.product } else { NO_PRODUCT }, supplier)
        };
        slots.for_each(r.importer, |slot| {
            if exclude_intra && slots.is_intra(slot, r.supplier) {
                return;
            }
            p.add(pack(slot, time, third, item), &r, month_bit, shape.explain);
        });
    });
}
