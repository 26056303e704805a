//! Duplicate rows in a BACI read: a row equal to an earlier one in year, exporter, importer,
//! product, value and quantity is set aside as
//! [`REASON_DUPLICATE`](crate::io::baci::REASON_DUPLICATE) (counted, with a note), as in every
//! reader. Rows of one key with other numbers are kept (metrics sum them, as for any table).
//!
//! Cost: files in CEPII's order (keys strictly increasing) are checked in one parallel pass;
//! other orders sort the 8-byte keys once (8 bytes a row for the time of the sort).

use rayon::prelude::*;

use super::{ChunkOut, REASON_DUPLICATE};
use crate::model::ReadReport;

/// `(year, exporter, importer, product)` in one integer that sorts like the tuple.
fn key(c: &ChunkOut, r: usize) -> u64 {
    let t = c.period.get(r).copied().or(c.year).unwrap_or(0).clamp(0, 0xFFF) as u64;
    (t << 52) | ((c.reporter[r] as u64) << 36) | ((c.partner[r] as u64) << 20) | (c.product[r] as u64 & 0xF_FFFF)
}

fn describe(k: u64) -> String {
    format!(
        "year {}, exporter {}, importer {}, product {:06}",
        k >> 52,
        (k >> 36) & 0xFFFF,
        (k >> 20) & 0xFFFF,
        k & 0xF_FFFF
    )
}

/// Sets aside exact duplicate rows (products still raw `k`), or errors on conflicting ones.
pub(super) fn set_aside_duplicates(chunks: &mut [ChunkOut], report: &mut ReadReport) {
    // In CEPII's order every key is above the one before: no duplicate, nothing to sort.
    let sorted_within = chunks
        .par_iter()
        .all(|c| (1..c.value.len()).all(|r| key(c, r - 1) < key(c, r)));
    let mut last: Option<u64> = None;
    let mut sorted = sorted_within;
    for c in chunks.iter().filter(|c| !c.value.is_empty()) {
        if last.is_some_and(|l| l >= key(c, 0)) {
            sorted = false;
        }
        last = Some(key(c, c.value.len() - 1));
    }
    if sorted {
        return;
    }
    let mut keys: Vec<u64> = chunks
        .par_iter()
        .flat_map_iter(|c| (0..c.value.len()).map(move |r| key(c, r)))
        .collect();
    keys.par_sort_unstable();
    let repeated: hashbrown::HashSet<u64> = keys.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(keys);
    if repeated.is_empty() {
        return;
    }
    // First occurrence of each (repeated key, value, quantity): its data row.
    let mut first: hashbrown::HashMap<(u64, u64, u64), u64> = hashbrown::HashMap::new();
    let mut row0 = 0u64;
    let mut dropped = 0u64;
    for c in chunks.iter_mut() {
        let mut keep = vec![true; c.value.len()];
        for (r, keep_r) in keep.iter_mut().enumerate() {
            let k = key(c, r);
            if !repeated.contains(&k) {
                continue;
            }
            let row = row0 + r as u64 + 1;
            let q = c.quantity.get(r).map_or(0, |q| q.to_bits());
            match first.entry((k, c.value[r].to_bits(), q)) {
                hashbrown::hash_map::Entry::Vacant(e) => {
                    e.insert(row);
                }
                hashbrown::hash_map::Entry::Occupied(e) => {
                    *keep_r = false;
                    let f = *e.get();
                    report.set_aside(REASON_DUPLICATE, row, || {
                        format!("{} (same as data row {f})", describe(k))
                    });
                }
            }
        }
        row0 += c.value.len() as u64;
        let removed = keep.iter().filter(|k| !**k).count();
        if removed > 0 {
            retain_rows(c, &keep);
            dropped += removed as u64;
        }
    }
    if dropped > 0 {
        report.rows_kept -= dropped;
        report.note(format!(
            "{dropped} duplicate row(s) (equal to an earlier row in year, exporter, importer, product, value and quantity) set aside"
        ));
    }
}

fn retain_rows(c: &mut ChunkOut, keep: &[bool]) {
    fn retain<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
        if v.len() == keep.len() {
            let mut it = keep.iter();
            v.retain(|_| *it.next().unwrap_or(&true));
        }
    }
    retain(&mut c.period, keep);
    retain(&mut c.reporter, keep);
    retain(&mut c.partner, keep);
    retain(&mut c.product, keep);
    retain(&mut c.value, keep);
    retain(&mut c.quantity, keep);
    c.rows = c.value.len();
    c.quantity_nulls = c.quantity.iter().filter(|q| q.is_nan()).count();
}
