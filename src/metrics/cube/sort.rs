//! Stage 3 of the cube: each thread's records put in key order where they lie, then read as
//! one sequence by merging the threads' runs.
//!
//! Why not one parallel sort of everything: gathering the threads' runs into one vector first
//! copied the records (a BACI year is 11M records of 32 bytes; `perf` put 6% of the
//! concentration call in that copy and more in its page faults). Each thread now sorts its own
//! run right after scanning it, by most-significant-digit radix: digits are prefixes of the key,
//! so bucket order is key order, and each pass moves records within ever smaller buckets that
//! soon fit in the CPU's caches. On one core it measured a little faster than the standard
//! library's unstable sort (5.5M records: 265-280 ms against 330 ms). The first digit of a
//! large run is moved out of place ([`sort_scanned`]), the scanned records given back piece by
//! piece: in place it cost a cache miss per record.

use super::scan::{Narrow, Record};

/// A key whose top bits choose a bucket.
pub(crate) trait RadixKey: Copy + Ord + Send + Sync {
    /// The key shifted right by `shift` bits, as a bucket number.
    fn bucket(self, shift: u32) -> usize;
}

impl RadixKey for u64 {
    #[inline]
    fn bucket(self, shift: u32) -> usize {
        self.checked_shr(shift).unwrap_or(0) as usize
    }
}

impl RadixKey for u128 {
    #[inline]
    fn bucket(self, shift: u32) -> usize {
        self.checked_shr(shift).unwrap_or(0) as usize
    }
}

/// A record sorted by its key: the full [`Record`] or the 16-byte [`Narrow`] one.
pub(crate) trait Sortable: Copy + Send + Sync {
    type K: RadixKey;
    fn key(&self) -> Self::K;
}

impl<K: RadixKey> Sortable for Record<K> {
    type K = K;
    #[inline]
    fn key(&self) -> K {
        self.key
    }
}

impl Sortable for Narrow {
    type K = u64;
    #[inline]
    fn key(&self) -> u64 {
        self.key
    }
}

/// Sorts one thread's records by key, in place (no second buffer: a BACI year's records are
/// 350 MB). `used_bits`: how many low bits of a key can be set.
pub(crate) fn sort_run<R: Sortable>(run: &mut [R], used_bits: u32) {
    radix_sort(run, used_bits, TOP_BITS.min(used_bits));
}

/// Sorts one thread's scanned records by key into a new run without holding two copies: the
/// first digit (the key's top [`SCATTER_BITS`]) is counted, then the records are moved into
/// their buckets' places from the end of `scanned`, a piece of [`PIECE`] records at a time,
/// each moved piece's memory handed back to the system at once; each bucket is then sorted
/// in place by comparison, in cache. The in-place first pass of [`sort_run`] followed a cycle
/// through the whole run, one cache miss per record: on a shuffled BACI year, `concentration`
/// by importer and product spent a third of its time there.
pub(crate) fn sort_scanned<R: Sortable>(mut scanned: Vec<R>, used_bits: u32) -> Vec<R> {
    let n = scanned.len();
    if n < SCATTER_MIN || used_bits <= SCATTER_BITS {
        sort_run(&mut scanned, used_bits);
        return scanned;
    }
    let shift = used_bits - SCATTER_BITS;
    let buckets = 1usize << SCATTER_BITS;
    let bucket = |r: &R| r.key().bucket(shift) & (buckets - 1);
    let mut starts = vec![0usize; buckets + 1];
    for r in &scanned {
        starts[bucket(r) + 1] += 1;
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    let mut next = starts[..buckets].to_vec();
    let mut run: Vec<R> = Vec::with_capacity(n);
    let places = run.spare_capacity_mut();
    while !scanned.is_empty() {
        let from = scanned.len().saturating_sub(PIECE);
        for r in &scanned[from..] {
            let b = bucket(r);
            places[next[b]].write(*r);
            next[b] += 1;
        }
        scanned.truncate(from);
        crate::memory::release_spare(&mut scanned);
    }
    drop(scanned);
    // Every place was written once: the counts gave each bucket's size and `next[b]` walked
    // bucket b's places exactly that many times (the bucket of a record never changes).
    let written = next.iter().zip(&starts[1..]).all(|(a, b)| a == b);
    if !written {
        unreachable!("a record changed bucket between the count and the move");
    }
    // SAFETY: all `n` places hold a record written above (checked just now).
    unsafe { run.set_len(n) };
    // Buckets of a BACI year hold about a thousand records each: a comparison sort in cache
    // measured 5 % faster than more radix passes over them.
    for b in 0..buckets {
        run[starts[b]..starts[b + 1]].sort_unstable_by_key(|r| r.key());
    }
    run
}

/// Bits of the first digit of [`sort_scanned`]: 4,096 buckets, whose write positions stay in
/// the CPU's caches (10 and 14 bits measured within a few % of it on a BACI year).
const SCATTER_BITS: u32 = 12;
/// Records moved per piece by [`sort_scanned`] (1 MB of [`Narrow`] records).
const PIECE: usize = 1 << 16;
/// Below this many records [`sort_scanned`] sorts in place (the run fits in cache anyway).
const SCATTER_MIN: usize = 1 << 16;

/// Bits of the first digit: 4,096 buckets split a BACI year by importer and product range.
const TOP_BITS: u32 = 12;
/// Bits of every later digit (a count table that stays in L1).
const DIGIT_BITS: u32 = 8;
/// Below this many records a comparison sort is cheaper than another radix pass.
const SMALL: usize = 48;

/// Sorts `run`, whose keys agree above bit `end`, by the bits below `end`: an American flag
/// sort on the digit of `digit` bits just below `end` (each record moved once into its
/// bucket's place), then each bucket the same way on the next digit.
fn radix_sort<R: Sortable>(run: &mut [R], end: u32, digit: u32) {
    if run.len() <= SMALL || end == 0 {
        if end > 0 {
            run.sort_unstable_by_key(|r| r.key());
        }
        return;
    }
    let shift = end - digit;
    let mask = (1usize << digit) - 1;
    let bucket = |r: &R| r.key().bucket(shift) & mask;
    let mut starts = vec![0usize; mask + 2];
    for r in run.iter() {
        starts[bucket(r) + 1] += 1;
    }
    for b in 0..=mask {
        starts[b + 1] += starts[b];
    }
    // next[b]: the first position of bucket b not yet holding one of its records.
    let mut next = starts[..=mask].to_vec();
    for b in 0..=mask {
        let end_b = starts[b + 1];
        while next[b] < end_b {
            // Follow the cycle from this position: each record goes to the next free place of
            // its bucket, taking out the record that was there, until one belongs to `b`.
            let mut r = run[next[b]];
            let mut d = bucket(&r);
            while d != b {
                let place = next[d];
                next[d] += 1;
                std::mem::swap(&mut r, &mut run[place]);
                d = bucket(&r);
            }
            run[next[b]] = r;
            next[b] += 1;
        }
    }
    for b in 0..=mask {
        radix_sort(&mut run[starts[b]..starts[b + 1]], shift, DIGIT_BITS.min(shift));
    }
}

/// The records of sorted `runs` in key order (ties: the earlier run first).
pub(crate) fn merged<'r, R: Sortable>(runs: &[&'r [R]]) -> Merged<'r, R> {
    match runs {
        [] => Merged::Two(&[], &[]),
        [a] => Merged::Two(a, &[]),
        [a, b] => Merged::Two(a, b),
        _ => Merged::Many(runs.to_vec(), vec![0; runs.len()]),
    }
}

/// [`merged`]'s iterator: two runs (one per thread on a two-core machine, the common case)
/// take one comparison per record; more runs look at every run's head.
pub(crate) enum Merged<'r, R> {
    Two(&'r [R], &'r [R]),
    Many(Vec<&'r [R]>, Vec<usize>),
}

impl<'r, R: Sortable> Iterator for Merged<'r, R> {
    type Item = &'r R;

    #[inline]
    fn next(&mut self) -> Option<&'r R> {
        match self {
            Merged::Two(a, b) => {
                let take_a = match (a.first(), b.first()) {
                    (Some(x), Some(y)) => x.key() <= y.key(),
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                let run = if take_a { a } else { b };
                let (first, rest) = run.split_first()?;
                *run = rest;
                Some(first)
            }
            Merged::Many(runs, at) => {
                let mut best: Option<(usize, R::K)> = None;
                for (i, run) in runs.iter().enumerate() {
                    if let Some(r) = run.get(at[i]) {
                        if best.is_none_or(|(_, k)| r.key() < k) {
                            best = Some((i, r.key()));
                        }
                    }
                }
                let (i, _) = best?;
                at[i] += 1;
                Some(&runs[i][at[i] - 1])
            }
        }
    }
}

/// Splits sorted `runs` into about `n` parts of consecutive keys for the finish's threads,
/// never inside a cell (`floor`: the smallest key of a key's cell). Part `i` holds, from every
/// run, the records of keys in `[split_i, split_i+1)`.
pub(crate) fn split_at_cells<'r, R: Sortable>(
    runs: &[&'r [R]],
    n: usize,
    floor: impl Fn(R::K) -> R::K,
) -> Vec<Vec<&'r [R]>> {
    // Split keys taken at even positions of the longest run, moved down to their cell's start.
    let longest = runs.iter().max_by_key(|r| r.len()).copied().unwrap_or(&[]);
    let mut splits: Vec<R::K> = (1..n.max(1))
        .filter_map(|i| longest.get(longest.len() * i / n).map(|r| floor(r.key())))
        .collect();
    splits.dedup();
    let mut parts: Vec<Vec<&'r [R]>> = vec![];
    let mut starts: Vec<usize> = vec![0; runs.len()];
    for bound in splits.into_iter().map(Some).chain([None]) {
        let part = runs
            .iter()
            .zip(starts.iter_mut())
            .map(|(run, start)| {
                let end = match bound {
                    Some(k) => *start + run[*start..].partition_point(|r| r.key() < k),
                    None => run.len(),
                };
                let piece = &run[*start..end];
                *start = end;
                piece
            })
            .collect();
        parts.push(part);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(key: u64, value: f64) -> Record<u64> {
        Record {
            key,
            value,
            quantity: f64::NAN,
            row: 0,
            unit: 0,
            flags: 0,
        }
    }

    fn sorted(parts: Vec<Vec<Record<u64>>>, used_bits: u32) -> Vec<Record<u64>> {
        let mut parts = parts;
        for p in &mut parts {
            sort_run(p, used_bits);
        }
        let runs: Vec<&[Record<u64>]> = parts.iter().map(|p| p.as_slice()).collect();
        merged(&runs).copied().collect()
    }

    /// A deterministic stream of pseudo-random numbers (a linear congruential generator).
    fn lcg(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state
        }
    }

    #[test]
    fn runs_in_any_order_come_out_sorted_with_their_numbers() {
        // Keys over 20 bits, spread over buckets and repeated across runs.
        let mut random = lcg(12345);
        let mut next = || (random() >> 33) & 0xF_FFFF;
        let parts: Vec<Vec<Record<u64>>> = (0..3)
            .map(|_| {
                (0..5000)
                    .map(|_| {
                        let k = next();
                        rec(k, k as f64 * 0.5)
                    })
                    .collect()
            })
            .collect();
        let mut expected: Vec<u64> = parts.iter().flatten().map(|r| r.key).collect();
        expected.sort_unstable();
        let sorted = sorted(parts, 20);
        let keys: Vec<u64> = sorted.iter().map(|r| r.key).collect();
        assert_eq!(keys, expected);
        assert!(sorted.iter().all(|r| r.value == r.key as f64 * 0.5));
    }

    #[test]
    fn scanned_records_sorted_in_pieces_keep_every_record() {
        // More than one piece and more than the in-place minimum; keys over 30 and 44 bits,
        // many repeated (equal keys keep their values, in some order).
        let mut random = lcg(99);
        let mut next = || random() >> 20;
        for (bits, n) in [
            (30u32, PIECE + 12_345),
            (44, 2 * PIECE + 7),
            (11, SCATTER_MIN + 1),
            (30, 1000),
        ] {
            let scanned: Vec<Record<u64>> = (0..n)
                .map(|i| {
                    let k = if i % 5 == 0 { 12345 } else { next() } & ((1u64 << bits) - 1);
                    rec(k, k as f64 + (i % 3) as f64)
                })
                .collect();
            let mut expected: Vec<(u64, u64)> = scanned.iter().map(|r| (r.key, r.value.to_bits())).collect();
            expected.sort_unstable();
            let run = sort_scanned(scanned, bits);
            assert!(run.windows(2).all(|w| w[0].key <= w[1].key), "{bits} bits, {n} records");
            let mut got: Vec<(u64, u64)> = run.iter().map(|r| (r.key, r.value.to_bits())).collect();
            got.sort_unstable();
            assert_eq!(got, expected, "{bits} bits, {n} records");
        }
    }

    #[test]
    fn few_key_bits_and_empty_runs() {
        let parts = vec![
            vec![rec(3, 1.0), rec(1, 2.0)],
            vec![],
            vec![rec(2, 3.0), rec(0, 4.0), rec(1, 5.0)],
        ];
        let got: Vec<(u64, f64)> = sorted(parts, 2).iter().map(|r| (r.key, r.value)).collect();
        // Ties in key: the earlier run first.
        assert_eq!(got, vec![(0, 4.0), (1, 2.0), (1, 5.0), (2, 3.0), (3, 1.0)]);
        assert!(sorted(vec![], 0).is_empty());
        // No key bits at all: one bucket.
        assert_eq!(sorted(vec![vec![rec(0, 1.0), rec(0, 2.0)]], 0).len(), 2);
    }

    #[test]
    fn many_equal_keys_and_wide_keys() {
        // 1,000 copies each of a few 39-bit keys: recursion runs out of bits, not records.
        let keys = [(1u64 << 38) + 5, 7, 1 << 20, (1u64 << 38) + 4];
        let run: Vec<Record<u64>> = (0..4000).map(|i| rec(keys[i % 4], 1.0)).collect();
        let got: Vec<u64> = sorted(vec![run], 39).iter().map(|r| r.key).collect();
        assert_eq!(got.len(), 4000);
        assert!(got.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(got[0], 7);
        assert_eq!(got[3999], (1u64 << 38) + 5);
        // u128 keys (the wide layout: slot above bit 96).
        let mut wide: Vec<Record<u128>> = (0..300u128)
            .map(|i| Record {
                key: ((i % 3) << 96) | (299 - i),
                value: 0.0,
                quantity: 0.0,
                row: 0,
                unit: 0,
                flags: 0,
            })
            .collect();
        sort_run(&mut wide, 98);
        assert!(wide.windows(2).all(|w| w[0].key < w[1].key));
    }

    #[test]
    fn split_at_cells_covers_every_record_once() {
        let mut a: Vec<Record<u64>> = (0..1000u64).map(|k| rec(k * 3, 1.0)).collect();
        let mut b: Vec<Record<u64>> = (0..700u64).map(|k| rec(k * 5 + 1, 1.0)).collect();
        sort_run(&mut a, 12);
        sort_run(&mut b, 12);
        // Cells: keys that agree above the low 4 bits.
        let floor = |k: u64| k >> 4 << 4;
        let parts = split_at_cells(&[a.as_slice(), b.as_slice()], 5, floor);
        assert_eq!(parts.iter().flatten().map(|s| s.len()).sum::<usize>(), 1700);
        let mut last_cell = None;
        for part in &parts {
            let keys: Vec<u64> = merged(part).map(|r| r.key).collect();
            assert!(keys.windows(2).all(|w| w[0] <= w[1]));
            if let (Some(prev), Some(first)) = (last_cell, keys.first()) {
                assert!(floor(*first) > prev, "a cell split across parts");
            }
            if let Some(k) = keys.last() {
                last_cell = Some(floor(*k));
            }
        }
    }
}
