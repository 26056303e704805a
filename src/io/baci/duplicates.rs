//! Duplicate rows in a BACI read: a row equal to an earlier one in year, exporter, importer,
//! product, value and quantity is set aside as
//! [`REASON_DUPLICATE`](crate::io::baci::REASON_DUPLICATE) (counted, with a note), as in every
//! reader. Rows of one key with other numbers are kept (metrics sum them, as for any table).
//!
//! Cost: files in CEPII's order (keys strictly increasing) are checked in one parallel pass;
//! other orders spread the 8-byte keys over buckets by a hash of the key (two parallel passes,
//! 8 bytes a row while the check runs), and each bucket, small enough for the CPU's cache, is
//! checked with a small hash table: no sort (a parallel sort of every key took a fifth of a
//! shuffled read).
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

#[inline]
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

/// The keys that occur more than once among `keys`.
pub(crate) fn repeated_keys(keys: Vec<u64>) -> hashbrown::HashSet<u64> {
    const PART: usize = 1 << 20;
    let lens: Vec<usize> = keys.chunks(PART).map(<[u64]>::len).collect();
    repeated_keys_in(&lens, |p, r| keys[p * PART + r])
}

/// Keys in a bucket on average (its hash table, two to four slots a key, stays in L2 cache);
/// at most 512 buckets: the spread writes to fewer places at once (measured on 11M keys, 2
/// threads: 150 ms of CPU against 320 for the parallel sort; 2048 buckets 180).
const KEYS_PER_BUCKET: usize = 16_384;
const MAX_BUCKET_BITS: u32 = 9;

/// Mixes every bit of a key into the high bits (MurmurHash3's finalizer): the bucket is taken
/// from the top bits, the slot in the bucket's table from the bits below them.
fn mix(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// The keys that occur more than once among the rows of several parts (`lens[p]` rows in part
/// `p`, `key(p, r)` the key of row `r`), without a copy of every key in file order.
///
/// Each part spreads its keys over buckets by hash (a counting sort, parts in parallel); each
/// bucket gathers its keys from every part and puts them in a hash table of its own (buckets in
/// parallel): a key found already there is repeated.
pub(crate) fn repeated_keys_in(lens: &[usize], key: impl Fn(usize, usize) -> u64 + Sync) -> hashbrown::HashSet<u64> {
    let total: usize = lens.iter().sum();
    let bits = (total / KEYS_PER_BUCKET)
        .next_power_of_two()
        .trailing_zeros()
        .min(MAX_BUCKET_BITS);
    let buckets = 1usize << bits;
    let bucket = |h: u64| if bits == 0 { 0 } else { (h >> (64 - bits)) as usize };
    // Per part: its keys grouped by bucket, and where each bucket starts.
    let spread: Vec<(Vec<u64>, Vec<u32>)> = (0..lens.len())
        .into_par_iter()
        .map(|p| {
            let mut start = vec![0u32; buckets + 1];
            for r in 0..lens[p] {
                start[bucket(mix(key(p, r))) + 1] += 1;
            }
            for b in 0..buckets {
                start[b + 1] += start[b];
            }
            let mut at = start.clone();
            let mut out = vec![0u64; lens[p]];
            for r in 0..lens[p] {
                let k = key(p, r);
                let b = bucket(mix(k));
                out[at[b] as usize] = k;
                at[b] += 1;
            }
            (out, start)
        })
        .collect();
    (0..buckets)
        .into_par_iter()
        .map_init(Vec::new, |table: &mut Vec<u64>, b| {
            let n: usize = spread.iter().map(|(_, s)| (s[b + 1] - s[b]) as usize).sum();
            let keys = spread
                .iter()
                .flat_map(|(out, s)| &out[s[b] as usize..s[b + 1] as usize]);
            repeated_in_bucket(keys, n, bits, table)
        })
        .flatten_iter()
        .collect::<Vec<u64>>()
        .into_iter()
        .collect()
}

/// The repeated keys among the `n` keys of one bucket, with `table` as scratch space (open
/// addressing, linear probing; `u64::MAX` marks an empty slot, so that key is counted aside).
fn repeated_in_bucket<'a>(
    keys: impl Iterator<Item = &'a u64>,
    n: usize,
    bucket_bits: u32,
    table: &mut Vec<u64>,
) -> Vec<u64> {
    const EMPTY: u64 = u64::MAX;
    let slot_bits = (2 * n).next_power_of_two().max(16).trailing_zeros();
    let mask = (1usize << slot_bits) - 1;
    table.clear();
    table.resize(1 << slot_bits, EMPTY);
    let mut repeated = Vec::new();
    let mut empty_key_seen = false;
    for &k in keys {
        if k == EMPTY {
            if empty_key_seen {
                repeated.push(EMPTY);
            }
            empty_key_seen = true;
            continue;
        }
        let mut s = ((mix(k) << bucket_bits) >> (64 - slot_bits)) as usize;
        loop {
            match table[s] {
                EMPTY => {
                    table[s] = k;
                    break;
                }
                t if t == k => {
                    repeated.push(k);
                    break;
                }
                _ => s = (s + 1) & mask,
            }
        }
    }
    repeated
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
    let lens: Vec<usize> = chunks.iter().map(|c| c.value.len()).collect();
    let repeated = repeated_keys_in(&lens, |p, r| key(&chunks[p], r));
    if repeated.is_empty() {
        return;
    }
    // The rows whose key repeats (found in parallel), then compared in file order.
    let candidates: Vec<Vec<usize>> = chunks
        .par_iter()
        .map(|c| (0..c.value.len()).filter(|r| repeated.contains(&key(c, *r))).collect())
        .collect();
    let mut first = FirstRows::default();
    let mut row0 = 0u64;
    for (c, rows) in chunks.iter_mut().zip(candidates) {
        let mut keep = vec![true; c.value.len()];
        for r in rows {
            let q = c.quantity.get(r).copied().unwrap_or(0.0);
            keep[r] = !first.is_duplicate(key(c, r), c.value[r], q, row0 + r as u64 + 1, report);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: sort every key, report those equal to their neighbour.
    fn by_sorting(mut keys: Vec<u64>) -> hashbrown::HashSet<u64> {
        keys.sort_unstable();
        keys.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect()
    }

    #[test]
    fn repeated_keys_are_those_a_sort_finds() {
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 11
        };
        for n in [0usize, 1, 2, 17, 5_000, 100_000] {
            // Keys of the reader's shape, one in ~50 copied later (some twice), and the
            // marker of an empty slot among them.
            let mut keys: Vec<u64> = (0..n)
                .map(|_| {
                    row_key(
                        2000 + (next() % 3) as i32,
                        (next() % 900) as u16,
                        (next() % 900) as u16,
                        (next() % 999_999) as i32,
                    )
                })
                .collect();
            for i in 0..n / 50 {
                let k = keys[(next() % n as u64) as usize];
                keys.push(k);
                if i % 3 == 0 {
                    keys.push(k);
                }
            }
            if n > 2 {
                keys.push(u64::MAX);
                keys.push(u64::MAX);
                keys.push(0);
            }
            for i in (1..keys.len()).rev() {
                keys.swap(i, (next() % (i as u64 + 1)) as usize);
            }
            let expected = by_sorting(keys.clone());
            assert!(n < 100 || expected.len() >= n / 60, "{n}: the test made repeats");
            assert_eq!(repeated_keys(keys.clone()), expected, "{n} keys");
            // In uneven parts, as the reader's chunks are.
            let cut = keys.len() / 3;
            let parts = [
                &keys[..cut],
                &keys[cut..cut + 1.min(keys.len() - cut)],
                &keys[(cut + 1).min(keys.len())..],
            ];
            let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
            assert_eq!(
                repeated_keys_in(&lens, |p, r| parts[p][r]),
                expected,
                "{n} keys in parts"
            );
        }
    }
}
