//! Exact duplicates of the typed fast path: a row is one when it equals an earlier row of the
//! file in every column. Each kept row leaves a 64-bit hash of its values and its row (12 bytes)
//! in one of 512 buckets by the hash's top bits; each bucket is checked in file order by one
//! worker with a table small enough for the CPU's cache, and rows of equal hash are compared
//! column by column, so two different rows are never taken for one (the 128-bit fingerprints
//! this replaces could, with odds of about n^2 / 2^129, and took 20 bytes a row).

use hashbrown::hash_map::Entry;
use hashbrown::HashMap;
use rayon::prelude::*;

use super::Chunk;

/// Buckets of hashes (by their top bits): 512, so that one bucket's table of an 11-million row
/// file (about 21,000 rows) stays in L2 cache while it is checked (64 took 4 % of a read in
/// lookups that missed the cache).
const BUCKET_BITS: u32 = 9;
const BUCKETS: usize = 1 << BUCKET_BITS;

/// A kept row's hash and its row in the chunk: 12 bytes (aligned to 4, read by copy).
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
pub(super) struct Keyed {
    pub hash: u64,
    pub row: u32,
}

const _: () = assert!(std::mem::size_of::<Keyed>() == 12);

/// A chunk's row hashes by bucket: bucket `b` is `keyed[starts[b]..starts[b + 1]]`, its rows
/// in row order.
#[derive(Default)]
pub(super) struct Buckets {
    keyed: Vec<Keyed>,
    starts: Vec<u32>,
}

impl Buckets {
    /// Rows' hashes (in row order) sorted into buckets by their top bits: a counting sort.
    pub fn of(hashes: &[u64]) -> Buckets {
        let bucket = |h: u64| (h >> (64 - BUCKET_BITS)) as usize;
        let mut starts = vec![0u32; BUCKETS + 1];
        for &h in hashes {
            starts[bucket(h) + 1] += 1;
        }
        for b in 0..BUCKETS {
            starts[b + 1] += starts[b];
        }
        let mut next = starts.clone();
        // Written once each, not zeroed first (a pass over 12 bytes a row).
        let mut keyed: Vec<Keyed> = Vec::with_capacity(hashes.len());
        let places = &mut keyed.spare_capacity_mut()[..hashes.len()];
        for (row, &hash) in hashes.iter().enumerate() {
            let at = &mut next[bucket(hash)];
            places[*at as usize].write(Keyed { hash, row: row as u32 });
            *at += 1;
        }
        // Bucket `b`'s places run from `starts[b]` to `starts[b + 1]` and each of its rows took
        // the next one: every place below `hashes.len()` was written exactly once.
        assert!(
            (0..BUCKETS).all(|b| next[b] == starts[b + 1]),
            "every row has its place"
        );
        // SAFETY: the first `hashes.len()` elements are initialised (above).
        unsafe { keyed.set_len(hashes.len()) };
        Buckets { keyed, starts }
    }

    /// The hashes of bucket `b` (none in an empty `Buckets`).
    pub fn get(&self, b: usize) -> &[Keyed] {
        match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&s), Some(&e)) => &self.keyed[s as usize..e as usize],
            _ => &[],
        }
    }
}

/// A hash of a kept row's values (products and units by [`text_hash`]; equal rows, equal words).
#[inline]
pub(super) fn row_hash(words: [u64; 7]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = foldhash::quality::FixedState::with_seed(0x9E37_79B9_7F4A_7C15).build_hasher();
    for w in words {
        h.write_u64(w);
    }
    h.finish()
}

/// A hash of a product code or unit, the same in every worker.
pub(super) fn text_hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x2545_F491_4F6C_DD1D).hash_one(s)
}

/// Whether row `i` of `a` equals row `j` of `b` in every column (amounts bit for bit, as the
/// general path's fingerprint takes them; missing quantities and weights are the same NaN).
fn same_row(a: &Chunk, i: usize, b: &Chunk, j: usize) -> bool {
    let bits = |v: &[f64], k: usize| v.get(k).map(|x| x.to_bits());
    a.period[i] == b.period[j]
        && a.reporter[i] == b.reporter[j]
        && a.partner[i] == b.partner[j]
        && a.flow[i] == b.flow[j]
        && a.value[i].to_bits() == b.value[j].to_bits()
        && a.products[a.product[i] as usize] == b.products[b.product[j] as usize]
        && bits(&a.quantity, i) == bits(&b.quantity, j)
        && a.unit[i].map(|k| &a.units[k as usize]) == b.unit[j].map(|k| &b.units[k as usize])
        && a.basis.get(i) == b.basis.get(j)
        && bits(&a.weight, i) == bits(&b.weight, j)
        && a.estimated.get(i) == b.estimated.get(j)
}

/// Rows (per chunk, ascending) equal to an earlier row of the file.
pub(super) fn duplicate_rows(chunks: &[Chunk]) -> Vec<Vec<usize>> {
    let found: Vec<Vec<(usize, usize)>> = (0..BUCKETS)
        .into_par_iter()
        .map(|b| {
            let n: usize = chunks.iter().map(|c| c.buckets.get(b).len()).sum();
            // The first row of each hash; `more`: later rows of a hash that differ from every
            // earlier row of it (two different rows of one hash: about n^2 / 2^65, nearly never).
            let mut first: HashMap<u64, (u32, u32)> = HashMap::with_capacity(n);
            let mut more: Vec<(u64, u32, u32)> = Vec::new();
            let mut dups = Vec::new();
            for (ci, c) in chunks.iter().enumerate() {
                for e in c.buckets.get(b) {
                    let Keyed { hash, row } = *e;
                    match first.entry(hash) {
                        Entry::Vacant(v) => {
                            v.insert((ci as u32, row));
                        }
                        Entry::Occupied(o) => {
                            let (fc, fr) = *o.get();
                            let r = row as usize;
                            let equal = |(k, kr): (u32, u32)| same_row(&chunks[k as usize], kr as usize, c, r);
                            if equal((fc, fr)) || more.iter().any(|&(h, k, kr)| h == hash && equal((k, kr))) {
                                dups.push((ci, r));
                            } else {
                                more.push((hash, ci as u32, row));
                            }
                        }
                    }
                }
            }
            dups
        })
        .collect();
    let mut out = vec![Vec::new(); chunks.len()];
    for (ci, r) in found.into_iter().flatten() {
        out[ci].push(r);
    }
    for d in out.iter_mut() {
        d.sort_unstable();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk of `rows` (value, quantity, product), each given `hash`.
    fn chunk(rows: &[(f64, f64, &str)], hash: u64) -> Chunk {
        let mut c = Chunk {
            units: vec!["t".into()],
            ..Chunk::default()
        };
        for (r, (v, q, p)) in rows.iter().enumerate() {
            let k = match c.products.iter().position(|x| **x == **p) {
                Some(k) => k,
                None => {
                    c.products.push((*p).into());
                    c.products.len() - 1
                }
            };
            c.period.push(2021);
            c.reporter.push(251);
            c.partner.push(156);
            c.flow.push(0);
            c.product.push(k as i32);
            c.value.push(*v);
            c.quantity.push(*q);
            c.unit.push((!q.is_nan()).then_some(0));
            c.jumps.push((r as u32, r as u32 + 1));
        }
        c.buckets = Buckets::of(&vec![hash; rows.len()]);
        c
    }

    #[test]
    fn rows_of_one_hash_are_compared_column_by_column() {
        // Every row shares one hash (as colliding rows would): only equal rows are duplicates,
        // the first of them is kept, and a row equal to a later one of the hash is found too.
        let a = chunk(&[(1.0, 2.0, "010121"), (1.0, 3.0, "010121"), (1.0, 2.0, "010122")], 7);
        let b = chunk(
            &[
                (1.0, 3.0, "010121"),
                (1.0, f64::NAN, "010121"),
                (1.0, f64::NAN, "010121"),
                (1.0, 2.0, "010121"),
            ],
            7,
        );
        assert_eq!(duplicate_rows(&[a, b]), vec![vec![], vec![0, 2, 3]]);
    }

    #[test]
    fn product_keys_of_different_chunks_are_compared_by_code() {
        // Key 0 is another code in each chunk; equal codes under other keys are equal.
        let a = chunk(&[(1.0, 2.0, "010121"), (1.0, 2.0, "020110")], 9);
        let b = chunk(&[(1.0, 2.0, "020110"), (1.0, 2.0, "010121"), (-0.0, 2.0, "010121")], 9);
        let c = chunk(&[(0.0, 2.0, "010121"), (-0.0, 2.0, "010121")], 9);
        assert_eq!(duplicate_rows(&[a, b, c]), vec![vec![], vec![0, 1], vec![1]]);
    }

    #[test]
    fn buckets_hold_every_row_once_by_top_bits_in_row_order() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let hashes: Vec<u64> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            })
            .collect();
        let buckets = Buckets::of(&hashes);
        let mut seen = vec![false; hashes.len()];
        for b in 0..BUCKETS {
            let rows: Vec<u32> = buckets.get(b).iter().map(|k| k.row).collect();
            assert!(rows.windows(2).all(|w| w[0] < w[1]), "bucket {b} in row order");
            for k in buckets.get(b) {
                let (hash, row) = (k.hash, k.row as usize);
                assert_eq!((hash, (hash >> (64 - BUCKET_BITS)) as usize), (hashes[row], b));
                assert!(!std::mem::replace(&mut seen[row], true));
            }
        }
        assert!(seen.iter().all(|s| *s));
        assert!(Buckets::default().get(3).is_empty() && Buckets::of(&[]).get(0).is_empty());
    }
}
