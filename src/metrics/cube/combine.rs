//! Stage 2, second form: a cube of few keys summed while it is read.
//!
//! Every importer by year, one importer's suppliers, both sides of every pair: such cubes have
//! far fewer (cell, item) keys than rows (22 million rows of both sides of a BACI year fall
//! into about 100,000 keys). Keeping one 32-byte record per row and sorting them costs memory
//! and time that summing each row into a small hash table of its key does not. The scan
//! therefore chooses: when the most keys the cube can have (importer slots × time keys ×
//! products or partners × items, from the table's own counts) is at most [`MAX_KEYS`], rows
//! are summed per key in blocks of rows ([`ViewPlan::fold`]: fixed blocks merged in row order,
//! so the sums do not depend on the number of threads); otherwise records are sorted
//! ([`super::sort`]). Both give the same sums per key to the finish.

use rayon::prelude::*;

use super::scan::{flag_counts, records_of, KeyMaker, Record};
use super::slots::PeriodSlots;
use super::CubeShape;
use crate::cancel::Cancellation;
use crate::error::Result;
use crate::metrics::group::{Acc, Qty};
use crate::metrics::view::{Cols, ViewPlan};
use crate::model::TradeTable;

/// The most (cell, item) keys a cube may have for its rows to be summed while read: the hash
/// table of a block then stays within a few megabytes.
pub(crate) const MAX_KEYS: u64 = 1 << 18;

/// The sums of every key, in key order, each key once.
pub(crate) struct Summed {
    pub keys: Vec<u64>,
    pub accs: Vec<Acc>,
}

impl Summed {
    /// About `n` parts of consecutive keys, never cutting a cell (`floor`: the smallest key of
    /// a key's cell).
    pub fn split_at_cells(&self, n: usize, floor: impl Fn(u64) -> u64) -> Vec<(&[u64], &[Acc])> {
        let mut cuts: Vec<usize> = (1..n.max(1))
            .filter_map(|i| self.keys.get(self.keys.len() * i / n))
            .map(|k| {
                let f = floor(*k);
                self.keys.partition_point(|x| *x < f)
            })
            .collect();
        cuts.dedup();
        let mut parts = vec![];
        let mut start = 0;
        for end in cuts.into_iter().chain([self.keys.len()]) {
            if end > start {
                parts.push((&self.keys[start..end], &self.accs[start..end]));
                start = end;
            }
        }
        parts
    }
}

/// True when a cube of `shape` over `slots` importer slots, `times` time keys and `products`
/// products has at most [`MAX_KEYS`] keys; `countries` (the distinct country codes, which bound
/// suppliers and partners) is only asked when the other counts leave room.
pub(crate) fn has_few_keys(
    shape: CubeShape,
    slots: usize,
    times: usize,
    products: usize,
    countries: impl FnOnce() -> usize,
) -> bool {
    if shape.explain {
        return false; // the rows of every key would be kept anyway
    }
    let products = products.max(1) as u64;
    let side = if shape.sides { 2 } else { 1 };
    // (third part, item) counts without and with the countries.
    let (third, item, by_country) = if shape.over_product {
        let items = if shape.sides && !shape.by_product { 1 } else { products };
        (1, items, shape.by_partner)
    } else {
        (if shape.by_product { products } else { 1 }, 1, true)
    };
    let without = (slots.max(1) as u64)
        .saturating_mul(times.max(1) as u64)
        .saturating_mul(third)
        .saturating_mul(item)
        .saturating_mul(side);
    if without > MAX_KEYS {
        return false;
    }
    !by_country || without.saturating_mul(countries().max(1) as u64) <= MAX_KEYS
}

/// About how many distinct country codes (reporters and partners) `table` has, counted on
/// every [`COUNT_STRIDE`]th row: it only chooses the map stage's form (a code missed makes the
/// hash table grow, never a different sum), and counting every row cost 0.13 CPU s a cube on
/// 22M rows.
pub(crate) fn distinct_countries(table: &TradeTable) -> usize {
    let seen = table
        .batches()
        .par_iter()
        .map(|batch| {
            let c = Cols::of(batch);
            let mut bits = vec![0u64; 1 << 10];
            for codes in [c.reporter, c.partner] {
                for &code in codes.iter().step_by(COUNT_STRIDE) {
                    bits[code as usize >> 6] |= 1 << (code & 63);
                }
            }
            bits
        })
        .reduce(
            || vec![0u64; 1 << 10],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                a
            },
        );
    seen.iter().map(|w| w.count_ones() as usize).sum()
}

/// Rows between two rows whose countries [`distinct_countries`] counts.
const COUNT_STRIDE: usize = 8;

/// Sums every import record of `plan` per key (`pack`, as for sorted records).
pub(crate) fn scan<P: Fn(u16, i32, u32, u32) -> u64 + Sync>(
    plan: &ViewPlan<'_>,
    maker: &KeyMaker<'_>,
    pack: P,
    cancel: &Cancellation,
) -> Result<Summed> {
    struct Block<'a> {
        sums: SumTable,
        last: Option<(i32, PeriodSlots<'a>)>,
    }
    let block = plan.fold(
        Some(cancel),
        || Block {
            sums: SumTable::new(),
            last: None,
        },
        |b, r| {
            let sums = &mut b.sums;
            records_of(&r, maker, &pack, &mut b.last, &mut |rec| sums.add(rec));
        },
        |a, mut b| {
            b.sums.flush();
            a.sums.merge(b.sums)
        },
    )?;
    let mut sums = block.sums;
    sums.flush();
    Ok(sums.into_sorted())
}

/// A key and its sums in one cache line (an [`Acc`], with its list of explained rows, takes two).
/// Counts are 32-bit: the combine form is only chosen for tables of at most `u32::MAX` rows
/// ([`fits_counts`]). `n_rows` 0 marks an empty place of the table.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Entry {
    key: u64,
    value: f64,
    qty: Qty,
    n_rows: u32,
    n_mirrored: u32,
    n_estimated: u32,
    months: u16,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 64);

const EMPTY: Entry = Entry {
    key: 0,
    value: 0.0,
    qty: Qty::Empty,
    n_rows: 0,
    n_mirrored: 0,
    n_estimated: 0,
    months: 0,
};

impl Entry {
    /// A record's numbers added, as [`super::cells::add_record`] adds them to an [`Acc`].
    #[inline]
    fn add<K>(&mut self, r: &Record<K>) {
        let (mirrored, estimated, month) = flag_counts(r.flags);
        self.value += r.value;
        self.qty = self.qty.add(r.quantity, r.unit, r.value);
        self.n_rows += 1;
        self.n_mirrored += u32::from(mirrored);
        self.n_estimated += u32::from(estimated);
        self.months |= month;
    }

    /// A later block's sums of the same key added, as [`Acc::merge`] adds them.
    fn merge(&mut self, o: &Entry) {
        self.value += o.value;
        self.qty = self.qty.merge(o.qty);
        self.n_rows += o.n_rows;
        self.n_mirrored += o.n_mirrored;
        self.n_estimated += o.n_estimated;
        self.months |= o.months;
    }

    fn acc(&self) -> Acc {
        Acc {
            value: self.value,
            qty: self.qty,
            n_rows: u64::from(self.n_rows),
            n_mirrored: u64::from(self.n_mirrored),
            n_estimated: u64::from(self.n_estimated),
            months: self.months,
            ..Acc::default()
        }
    }
}

/// Whether a table of `rows` rows can be summed in [`Entry`]'s 32-bit counts.
pub(crate) fn fits_counts(rows: usize) -> bool {
    u32::try_from(rows).is_ok()
}

/// Records waiting to be added while their keys' places are fetched into cache: on rows in
/// random order (a shuffled file) each place is a cache miss, and waiting for one at a time
/// left the CPU idle.
const AHEAD: usize = 16;

/// Sums per key: open addressing over the entries themselves (one cache line a key, its place
/// prefetched [`AHEAD`] records before it is added); sorted once at the end.
struct SumTable {
    places: Vec<Entry>,
    /// 64 - log2(places.len()): a key's place is the top bits of its multiplicative hash.
    shift: u32,
    len: usize,
    /// Records whose places were asked for, oldest at `head`.
    ring: [Option<Record<u64>>; AHEAD],
    head: usize,
}

impl SumTable {
    fn new() -> SumTable {
        SumTable::with_places(1 << 10)
    }

    fn with_places(places: usize) -> SumTable {
        SumTable {
            places: vec![EMPTY; places],
            shift: 64 - places.trailing_zeros(),
            len: 0,
            ring: [None; AHEAD],
            head: 0,
        }
    }

    #[inline]
    fn place(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Adds `rec` a few records later (in the order given); [`SumTable::flush`] adds the rest.
    #[inline]
    fn add(&mut self, rec: Record<u64>) {
        crate::prefetch::prefetch(&self.places, self.place(rec.key));
        if let Some(old) = self.ring[self.head].replace(rec) {
            self.entry(old.key).add(&old);
        }
        self.head = (self.head + 1) % AHEAD;
    }

    /// Adds the records still waiting, oldest first.
    fn flush(&mut self) {
        for k in 0..AHEAD {
            let at = (self.head + k) % AHEAD;
            if let Some(old) = self.ring[at].take() {
                self.entry(old.key).add(&old);
            }
        }
    }

    /// The sums of `key`, a new (empty) entry the first time.
    #[inline]
    fn entry(&mut self, key: u64) -> &mut Entry {
        let mask = self.places.len() - 1;
        let mut i = self.place(key);
        loop {
            let e = &self.places[i];
            if e.n_rows == 0 || e.key == key {
                break;
            }
            i = (i + 1) & mask;
        }
        if self.places[i].n_rows == 0 {
            if (self.len + 1) * 2 > self.places.len() {
                // At most half full, so that probes stay short.
                self.grow();
                return self.entry(key);
            }
            self.len += 1;
            self.places[i].key = key;
        }
        &mut self.places[i]
    }

    fn grow(&mut self) {
        let mut bigger = SumTable::with_places(self.places.len() * 2);
        let mask = bigger.places.len() - 1;
        for e in self.places.iter().filter(|e| e.n_rows > 0) {
            let mut i = bigger.place(e.key);
            while bigger.places[i].n_rows != 0 {
                i = (i + 1) & mask;
            }
            bigger.places[i] = *e;
        }
        self.places = bigger.places;
        self.shift = bigger.shift;
    }

    /// Adds a later block's sums (flushed) to these.
    fn merge(&mut self, later: SumTable) {
        for e in later.places.iter().filter(|e| e.n_rows > 0) {
            self.entry(e.key).merge(e);
        }
    }

    fn into_sorted(self) -> Summed {
        let mut entries: Vec<Entry> = self.places.into_iter().filter(|e| e.n_rows > 0).collect();
        entries.sort_unstable_by_key(|e| e.key);
        Summed {
            keys: entries.iter().map(|e| e.key).collect(),
            accs: entries.iter().map(Entry::acc).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_per_key_across_growth_and_merge() {
        let mut a = SumTable::new();
        let mut b = SumTable::new();
        // More keys than the first table's places: it grows several times.
        let rec = |key: u64, value: f64| Record {
            key,
            value,
            quantity: f64::NAN,
            row: 0,
            unit: crate::metrics::view::NO_UNIT,
            flags: 0,
        };
        for k in 0..5000u64 {
            a.add(rec(k * 7919 % 100_003, 1.0));
            b.add(rec(k * 7919 % 100_003, 2.0));
        }
        a.add(rec(0, 10.0)); // key 0 is k = 0's
        a.flush();
        b.flush();
        a.merge(b);
        let s = a.into_sorted();
        assert_eq!(s.keys.len(), 5000);
        assert!(s.keys.windows(2).all(|w| w[0] < w[1]));
        for (k, acc) in s.keys.iter().zip(&s.accs) {
            assert_eq!(acc.value, if *k == 0 { 13.0 } else { 3.0 }, "key {k}");
            assert_eq!(acc.n_rows, if *k == 0 { 3 } else { 2 }, "key {k}");
        }
    }

    #[test]
    fn parts_never_cut_a_cell() {
        // Cells are keys >> 4; each cell has items 0..3.
        let keys: Vec<u64> = (0..100u64).flat_map(|c| (0..3).map(move |i| c << 4 | i)).collect();
        let accs = keys.iter().map(|_| Acc::default()).collect();
        let s = Summed { keys, accs };
        for n in [1, 2, 3, 7, 500] {
            let parts = s.split_at_cells(n, |k| k >> 4 << 4);
            assert_eq!(parts.iter().map(|p| p.0.len()).sum::<usize>(), 300);
            for w in parts.windows(2) {
                assert_ne!(w[0].0.last().unwrap() >> 4, w[1].0[0] >> 4, "n={n}");
            }
        }
    }

    fn shape(over_product: bool, by_product: bool, by_partner: bool, sides: bool) -> CubeShape {
        CubeShape {
            time: crate::metrics::shares::TimeKey::Year,
            by_product,
            by_partner,
            over_product,
            monthly: false,
            explain: false,
            values_only: false,
            product_major: false,
            exports: false,
            sides,
        }
    }

    #[test]
    fn few_keys_counts_the_cube_it_will_build() {
        // Every importer by year over suppliers: 229 x 1 x 229 keys.
        assert!(has_few_keys(shape(false, false, false, false), 229, 1, 5384, || 229));
        // By product: 229 x 5384 x 229, never asks for the countries.
        assert!(!has_few_keys(
            shape(false, true, false, false),
            229,
            1,
            5384,
            || unreachable!()
        ));
        // Both sides of every pair by year: 229 x 229 partners x 2 sides.
        assert!(has_few_keys(shape(true, false, true, true), 229, 1, 5384, || 229));
        assert!(!has_few_keys(shape(true, false, true, true), 229, 10, 5384, || 229));
        // Over products without partners: slots x products.
        assert!(has_few_keys(
            shape(true, false, false, false),
            1,
            12,
            5384,
            || unreachable!()
        ));
        let mut explain = shape(false, false, false, false);
        explain.explain = true;
        assert!(!has_few_keys(explain, 1, 1, 1, || 1));
    }
}
