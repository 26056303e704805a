//! Stage 3 of the cube: entries in key order, cut into cells whose items are contiguous.

use super::scan::{pack, unpack, Partial};
use super::CubeShape;
use crate::metrics::group::{Acc, CellKey, NO_PARTNER, NO_PRODUCT};

/// Cells in key order (importer slot, time key, product, partner), each with its items (supplier
/// keys, or product ids over products) in key order and their sums.
#[derive(Default)]
pub struct Grouped {
    /// Each cell's key and the end of its items in `items`.
    cells: Vec<(CellKey, usize)>,
    items: Vec<(u32, Acc)>,
}

impl Grouped {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Each cell with its items.
    pub fn iter(&self) -> impl Iterator<Item = (CellKey, &[(u32, Acc)])> + '_ {
        let mut start = 0;
        self.cells.iter().map(move |&(key, end)| {
            let items = &self.items[start..end];
            start = end;
            (key, items)
        })
    }

    /// Each cell with its items, which the caller may reorder (e.g. largest first).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (CellKey, &mut [(u32, Acc)])> + '_ {
        let mut rest: &mut [(u32, Acc)] = &mut self.items;
        let mut start = 0;
        self.cells.iter().map(move |&(key, end)| {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(end - start);
            rest = tail;
            start = end;
            (key, head)
        })
    }

    /// Sorts the merged entries into cells. Product ids (first seen in the table's
    /// dictionaries) become ranks of the codes in `products`, so products come out in code order.
    pub(crate) fn from_partial(partial: Partial, products: &[String], shape: CubeShape) -> Grouped {
        let mut order: Vec<u32> = (0..products.len() as u32).collect();
        order.sort_unstable_by(|a, b| products[*a as usize].cmp(&products[*b as usize]));
        let mut rank = vec![0u32; products.len()];
        for (r, id) in order.into_iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let rank_of = |id: u32| if id == NO_PRODUCT { id } else { rank[id as usize] };
        let mut entries = partial.entries;
        let mut keys: Vec<(u128, u32)> = entries
            .iter()
            .enumerate()
            .map(|(i, (key, _))| {
                let (slot, time, third, item) = unpack(*key);
                let key = if shape.over_product {
                    pack(slot, time, third, rank_of(item))
                } else {
                    pack(slot, time, rank_of(third), item)
                };
                (key, i as u32)
            })
            .collect();
        keys.sort_unstable_by_key(|k| k.0);
        let mut out = Grouped {
            cells: vec![],
            items: Vec::with_capacity(keys.len()),
        };
        let mut current: Option<u128> = None;
        for (key, i) in keys {
            let (slot, time, third, item) = unpack(key);
            let cell_bits = key >> 32;
            if current != Some(cell_bits) {
                if current.is_some() {
                    let end = out.items.len();
                    out.cells.last_mut().expect("a cell is open").1 = end;
                }
                current = Some(cell_bits);
                let (product, partner) = if shape.over_product {
                    (NO_PRODUCT, third)
                } else {
                    (third, NO_PARTNER)
                };
                out.cells.push((
                    CellKey {
                        importer: slot,
                        period: time,
                        product,
                        partner,
                    },
                    0,
                ));
            }
            out.items.push((item, std::mem::take(&mut entries[i as usize].1)));
        }
        if let Some(last) = out.cells.last_mut() {
            last.1 = out.items.len();
        }
        out
    }
}
