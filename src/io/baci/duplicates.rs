//! Duplicate rows in a BACI read: a row equal to an earlier one in year, exporter, importer,
//! product, value and quantity is set aside as
//! [`REASON_DUPLICATE`](crate::io::baci::REASON_DUPLICATE) (counted, with a note), as in every
//! reader. Rows of one key with other numbers are kept (metrics sum them, as for any table).
//!
//! Cost: files in CEPII's order (keys strictly increasing) are checked in one parallel pass;
//! other orders sort the 8-byte keys once (8 bytes a row for the time of the sort).
//!
//! The pieces ([`row_key`], [`repeated_keys`], [`FirstRows`]) are shared with the streaming
//! kernel ([`crate::metrics::kernel::importer_product_concentration_baci`]), which builds no table.

use rayon::prelude::*;

use super::{ChunkOut, REASON_DUPLICATE};
use crate::model::ReadReport;

/// `(year, exporter, importer, product)` in one integer that sorts like the tuple.
pub(crate) fn row_key(year: i32, exporter: u16, importer: u16, product: i32) -> u64 {
    let t = year.clamp(0, 0xFFF) as u64;
    (t << 52) | ((exporter as u64) << 36) | ((importer as u64) << 20) | (product as u64 & 0xF_FFFF)
}

fn key(c: &ChunkOut, r: usize) -> u64 {
    let t = c.period.get(r).copied().or(c.year).unwrap_or(0);
    row_key(t, c.reporter[r], c.partner[r], c.product[r])
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

/// The keys that occur more than once among `keys` (sorted in place, in parallel).
pub(crate) fn repeated_keys(mut keys: Vec<u64>) -> hashbrown::HashSet<u64> {
    keys.par_sort_unstable();
    keys.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect()
}

/// First occurrence of each (key, value, quantity) seen, by data row; what is found again is a
/// duplicate, set aside in the report. Only rows whose key repeats need to be offered.
#[derive(Default)]
pub(crate) struct FirstRows {
    first: hashbrown::HashMap<(u64, u64, u64), u64>,
    dropped: u64,
}

impl FirstRows {
    /// `true` (and the row set aside in `report`) when data row `row` repeats an earlier row
    /// in every value. `quantity` is NaN when missing.
    pub(crate) fn is_duplicate(
        &mut self,
        k: u64,
        value: f64,
        quantity: f64,
        row: u64,
        report: &mut ReadReport,
    ) -> bool {
        match self.first.entry((k, value.to_bits(), quantity.to_bits())) {
            hashbrown::hash_map::Entry::Vacant(e) => {
                e.insert(row);
                false
            }
            hashbrown::hash_map::Entry::Occupied(e) => {
                let f = *e.get();
                report.set_aside(REASON_DUPLICATE, row, || {
                    format!("{} (same as data row {f})", describe(k))
                });
                self.dropped += 1;
                true
            }
        }
    }

    /// Forgets the rows seen (their set-aside count stays): for a caller that offers rows one
    /// key at a time, in key order.
    pub(crate) fn clear(&mut self) {
        self.first.clear();
    }

    /// Takes the rows set aside off `rows_kept` and says so in the notes.
    pub(crate) fn finish(self, report: &mut ReadReport) {
        let dropped = self.dropped;
        if dropped > 0 {
            report.rows_kept -= dropped;
            report.note(format!(
                "{dropped} duplicate row(s) (equal to an earlier row in year, exporter, importer, product, value and quantity) set aside"
            ));
        }
    }
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
    let keys: Vec<u64> = chunks
        .par_iter()
        .flat_map_iter(|c| (0..c.value.len()).map(move |r| key(c, r)))
        .collect();
    let repeated = repeated_keys(keys);
    if repeated.is_empty() {
        return;
    }
    let mut first = FirstRows::default();
    let mut row0 = 0u64;
    for c in chunks.iter_mut() {
        let mut keep = vec![true; c.value.len()];
        for (r, keep_r) in keep.iter_mut().enumerate() {
            let k = key(c, r);
            if !repeated.contains(&k) {
                continue;
            }
            let q = c.quantity.get(r).copied().unwrap_or(0.0);
            *keep_r = !first.is_duplicate(k, c.value[r], q, row0 + r as u64 + 1, report);
        }
        row0 += c.value.len() as u64;
        if keep.iter().any(|k| !*k) {
            retain_rows(c, &keep);
        }
    }
    first.finish(report);
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
