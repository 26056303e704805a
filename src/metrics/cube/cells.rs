//! Stage 3 of the cube, the finish's input: sorted records summed per (cell, item), handed to
//! the metric one cell at a time. Only the current cell's items are ever built, so a BACI year
//! (one record per importer, product and supplier) costs the records and one cell, not one
//! accumulator per record.

use super::key::KeyLayout;
use super::scan::Record;
use super::CubeShape;
use crate::cancel::Cancellation;
use crate::error::Result;
use crate::metrics::group::{Acc, CellKey, NO_PARTNER, NO_PRODUCT};
use crate::metrics::view::CANCEL_CHECK_ROWS;

/// A metric's finish step: one cell and its items.
pub(crate) type Finish<'f> = dyn FnMut(CellKey, &mut [(u32, Acc)]) -> Result<()> + 'f;

/// The sorted records under either key width.
pub(crate) enum Keyed {
    U64(Vec<Record<u64>>),
    U128(Vec<Record<u128>>),
}

/// Calls `f` with each cell (in key order: importer slot, time key, product, partner) and its
/// items (supplier keys, or product ids over products) in key order with their sums; `f` may
/// reorder the items (e.g. largest first).
pub(crate) fn for_each_cell(
    keyed: &Keyed,
    layout: &KeyLayout,
    shape: CubeShape,
    cancel: &Cancellation,
    f: &mut Finish<'_>,
) -> Result<()> {
    match keyed {
        Keyed::U64(r) => walk(r, |k| layout.unpack64(k), shape, cancel, f),
        Keyed::U128(r) => walk(r, |k| layout.unpack128(k), shape, cancel, f),
    }
}

fn walk<K: Copy + Eq>(
    rec: &[Record<K>],
    unpack: impl Fn(K) -> (u16, i32, u32, u32),
    shape: CubeShape,
    cancel: &Cancellation,
    f: &mut Finish<'_>,
) -> Result<()> {
    let mut items: Vec<(u32, Acc)> = vec![];
    let mut last_key: Option<K> = None;
    let mut cell: Option<(u16, i32, u32)> = None;
    let cell_key = |(slot, time, third): (u16, i32, u32)| {
        let (product, partner) = if shape.over_product {
            (NO_PRODUCT, third)
        } else {
            (third, NO_PARTNER)
        };
        CellKey {
            importer: slot,
            period: time,
            product,
            partner,
        }
    };
    for (n, r) in rec.iter().enumerate() {
        let key = r.key;
        if n % CANCEL_CHECK_ROWS == 0 {
            cancel.check()?;
        }
        if last_key != Some(key) {
            last_key = Some(key);
            let (slot, time, third, item) = unpack(key);
            if cell != Some((slot, time, third)) {
                if let Some(c) = cell {
                    f(cell_key(c), &mut items)?;
                    items.clear();
                }
                cell = Some((slot, time, third));
            }
            items.push((item, Acc::default()));
        }
        let acc = &mut items.last_mut().expect("an item is open").1;
        let flags = r.flags;
        acc.value += r.value;
        acc.qty = acc.qty.add(r.quantity, r.unit, r.value);
        acc.n_rows += 1;
        acc.n_mirrored += (flags & 1) as u64;
        acc.n_estimated += ((flags >> 1) & 1) as u64;
        if flags & 0x08 != 0 {
            acc.months |= 1u16 << (flags >> 4);
        }
        if shape.explain {
            acc.rows.push(r.row as u64);
        }
    }
    if let Some(c) = cell {
        f(cell_key(c), &mut items)?;
    }
    Ok(())
}
