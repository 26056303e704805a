//! Stage 3 of the cube, the finish's input: sorted records summed per (cell, item), handed to
//! the metric one cell at a time. Only the current cell's items are ever built, so a BACI year
//! (one record per importer, product and supplier) costs the records and one cell, not one
//! accumulator per record.

use rayon::prelude::*;

use super::combine::Summed;
use super::key::KeyLayout;
use super::scan::{flag_counts, Narrow, Record};
use super::sort::{merged, split_at_cells, RadixKey};
use super::CubeShape;
use crate::cancel::Cancellation;
use crate::error::Result;
use crate::metrics::group::{Acc, CellKey, NO_PARTNER, NO_PRODUCT};
use crate::metrics::view::CANCEL_CHECK_ROWS;

/// A metric's finish step: one cell and its items.
pub(crate) type Finish<'f> = dyn FnMut(CellKey, &mut [(u32, Acc)]) -> Result<()> + 'f;

/// A finish step run on every thread: one cell and its items, written into the thread's state.
pub(crate) type PartFinish<'f, S> = dyn Fn(&mut S, CellKey, &mut [(u32, Acc)]) -> Result<()> + Sync + 'f;

/// The records under either key width (one run per scanning thread, each sorted by key), or
/// their narrow form (values only; the flag bits below the key), or, for a cube of few keys,
/// their sums per key ([`super::combine`]).
pub(crate) enum Keyed {
    U64(Vec<Vec<Record<u64>>>),
    U128(Vec<Vec<Record<u128>>>),
    Narrow { runs: Vec<Vec<Narrow>>, flag_bits: u32 },
    Summed(Summed),
}

impl Keyed {
    /// Whether no record was aggregated (the view selected nothing).
    pub fn is_empty(&self) -> bool {
        match self {
            Keyed::U64(r) => r.iter().all(Vec::is_empty),
            Keyed::U128(r) => r.iter().all(Vec::is_empty),
            Keyed::Narrow { runs, .. } => runs.iter().all(Vec::is_empty),
            Keyed::Summed(s) => s.keys.is_empty(),
        }
    }
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
        Keyed::U64(r) => walk_records(&slices(r), |k| layout.unpack64(k), shape, cancel, f),
        Keyed::U128(r) => walk_records(&slices(r), |k| layout.unpack128(k), shape, cancel, f),
        Keyed::Narrow { runs, flag_bits } => {
            walk_narrow(&slices(runs), *flag_bits, |k| layout.unpack64(k), shape, cancel, f)
        }
        Keyed::Summed(s) => walk_summed(&s.keys, &s.accs, |k| layout.unpack64(k), shape, cancel, f),
    }
}

fn slices<R>(runs: &[Vec<R>]) -> Vec<&[R]> {
    runs.iter().map(Vec::as_slice).collect()
}

/// [`for_each_cell`] on every thread: the cells are split into consecutive parts, each part's
/// finish writes into its own state (`init`), and the states come back in key order for the
/// metric to join.
pub(crate) fn for_each_cell_parallel<S: Send>(
    keyed: &Keyed,
    layout: &KeyLayout,
    shape: CubeShape,
    cancel: &Cancellation,
    init: &(dyn Fn() -> S + Sync),
    f: &PartFinish<'_, S>,
) -> Result<Vec<S>> {
    // A few parts per thread, so that a thread with cheap cells takes another part.
    let n = rayon::current_num_threads().max(1) * 4;
    match keyed {
        Keyed::U64(r) => {
            let parts = split_at_cells(&slices(r), n, |k| layout.cell_floor64(k));
            finish_parts(parts, |k| layout.unpack64(k), shape, cancel, init, f)
        }
        Keyed::U128(r) => {
            let parts = split_at_cells(&slices(r), n, |k| layout.cell_floor128(k));
            finish_parts(parts, |k| layout.unpack128(k), shape, cancel, init, f)
        }
        Keyed::Narrow { runs, flag_bits } => {
            let fb = *flag_bits;
            split_at_cells(&slices(runs), n, |k| layout.cell_floor64(k >> fb) << fb)
                .into_par_iter()
                .map(|runs| {
                    let mut state = init();
                    walk_narrow(&runs, fb, |k| layout.unpack64(k), shape, cancel, &mut |cell, items| {
                        f(&mut state, cell, items)
                    })?;
                    Ok(state)
                })
                .collect()
        }
        Keyed::Summed(s) => s
            .split_at_cells(n, |k| layout.cell_floor64(k))
            .into_par_iter()
            .map(|(keys, accs)| {
                let mut state = init();
                walk_summed(keys, accs, |k| layout.unpack64(k), shape, cancel, &mut |cell, items| {
                    f(&mut state, cell, items)
                })?;
                Ok(state)
            })
            .collect(),
    }
}

fn finish_parts<K: RadixKey, S: Send>(
    parts: Vec<Vec<&[Record<K>]>>,
    unpack: impl Fn(K) -> (u16, i32, u32, u32) + Sync,
    shape: CubeShape,
    cancel: &Cancellation,
    init: &(dyn Fn() -> S + Sync),
    f: &PartFinish<'_, S>,
) -> Result<Vec<S>> {
    parts
        .into_par_iter()
        .map(|runs| {
            let mut state = init();
            walk_records(&runs, &unpack, shape, cancel, &mut |cell, items| {
                f(&mut state, cell, items)
            })?;
            Ok(state)
        })
        .collect()
}

/// The cell of a key's (slot, time, third part).
fn cell_key(shape: CubeShape, (slot, time, third): (u16, i32, u32)) -> CellKey {
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
}

/// Adds one record to its (cell, item)'s sums.
#[inline]
pub(super) fn add_record<K>(acc: &mut Acc, r: &Record<K>, explain: bool) {
    acc.qty = acc.qty.add(r.quantity, r.unit, r.value);
    add_row(acc, r.value, r.flags);
    if explain {
        acc.rows.push(r.row as u64);
    }
}

/// Adds one row of `value` and [`Record::flags`] `flags`.
#[inline]
fn add_row(acc: &mut Acc, value: f64, flags: u8) {
    let (mirrored, estimated, month) = flag_counts(flags);
    acc.value += value;
    acc.n_rows += 1;
    acc.n_mirrored += u64::from(mirrored);
    acc.n_estimated += u64::from(estimated);
    acc.months |= month;
}

/// Groups `entries` (in key order; equal keys are neighbours) into cells and items: each
/// entry is added to its key's item with `add`, and each cell's items handed to `f`.
fn walk<K: RadixKey, E>(
    entries: impl Iterator<Item = (K, E)>,
    unpack: impl Fn(K) -> (u16, i32, u32, u32),
    shape: CubeShape,
    cancel: &Cancellation,
    add: impl Fn(&mut Acc, E),
    f: &mut Finish<'_>,
) -> Result<()> {
    let mut items: Vec<(u32, Acc)> = vec![];
    let mut last_key: Option<K> = None;
    let mut cell: Option<(u16, i32, u32)> = None;
    for (n, (key, entry)) in entries.enumerate() {
        if n % CANCEL_CHECK_ROWS == 0 {
            cancel.check()?;
        }
        if last_key != Some(key) {
            last_key = Some(key);
            let (slot, time, third, item) = unpack(key);
            if cell != Some((slot, time, third)) {
                if let Some(c) = cell {
                    f(cell_key(shape, c), &mut items)?;
                    items.clear();
                }
                cell = Some((slot, time, third));
            }
            items.push((item, Acc::default()));
        }
        add(&mut items.last_mut().expect("an item is open").1, entry);
    }
    if let Some(c) = cell {
        f(cell_key(shape, c), &mut items)?;
    }
    Ok(())
}

/// [`walk`] over sorted records, each added as one row.
fn walk_records<K: RadixKey>(
    runs: &[&[Record<K>]],
    unpack: impl Fn(K) -> (u16, i32, u32, u32),
    shape: CubeShape,
    cancel: &Cancellation,
    f: &mut Finish<'_>,
) -> Result<()> {
    let entries = merged(runs).map(|r| (r.key, r));
    walk(
        entries,
        unpack,
        shape,
        cancel,
        |acc, r| add_record(acc, r, shape.explain),
        f,
    )
}

/// [`walk`] over sorted [`Narrow`] records: the key above the `flag_bits`, each added as one
/// row with the flags below them.
fn walk_narrow(
    runs: &[&[Narrow]],
    flag_bits: u32,
    unpack: impl Fn(u64) -> (u16, i32, u32, u32),
    shape: CubeShape,
    cancel: &Cancellation,
    f: &mut Finish<'_>,
) -> Result<()> {
    let mask = (1u64 << flag_bits) - 1;
    let entries = merged(runs).map(|r| (r.key >> flag_bits, r));
    walk(
        entries,
        unpack,
        shape,
        cancel,
        |acc, r| add_row(acc, r.value, (r.key & mask) as u8),
        f,
    )
}

/// [`walk`] over sums already made per key (`keys` sorted, each once).
fn walk_summed(
    keys: &[u64],
    accs: &[Acc],
    unpack: impl Fn(u64) -> (u16, i32, u32, u32),
    shape: CubeShape,
    cancel: &Cancellation,
    f: &mut Finish<'_>,
) -> Result<()> {
    let entries = keys.iter().copied().zip(accs);
    walk(entries, unpack, shape, cancel, |acc, sums| acc.merge(sums), f)
}
