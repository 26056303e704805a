//! The flags' one aggregation step: import sums per (importer, product, year, supplier) in flat
//! columns sorted by those keys, so that each (importer, product, year) cell is a contiguous run
//! of suppliers. Input: a table and the import view's options; output: [`ImportCells`], filled
//! from the import cube (`metrics::cube`), the engine of every aggregating metric.

use crate::error::{Error, Result};
use crate::metrics::concentration::importer_codes_in;
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::group::{Importer, ImporterSlots, SupplierKeys};
use crate::metrics::selection::ImportSelection;
use crate::metrics::view::ViewOptions;
use crate::model::TradeTable;

/// Import sums per (importer, product, year, supplier), sorted by those keys, one entry per
/// key (packed in an integer, see [`Keys`]); products are ids into `products`, in code order.
#[derive(Debug, Clone)]
pub(crate) struct ImportCells {
    keys: Keys,
    /// (packed key, value) per entry.
    entries: Vec<(u64, f64)>,
    /// View rows summed into each (importer, product, year) cell, and how many of them were
    /// mirrored: per cell, as the flags report them (per entry they took 8 bytes for each of a
    /// BACI year's 11 million suppliers' sums).
    pub n_rows: Vec<u64>,
    pub n_mirrored: Vec<u64>,
    pub products: Vec<String>,
    /// First entry of each (importer, product, year) cell.
    pub starts: Vec<u32>,
}

/// One thread's share of [`ImportCells`] while the cube is read (keys and products are set
/// when the shares are joined).
#[derive(Default)]
struct CellsPart {
    entries: Vec<(u64, f64)>,
    n_rows: Vec<u64>,
    n_mirrored: Vec<u64>,
    starts: Vec<u32>,
}

impl ImportCells {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// (importer, product, year, supplier) of entry `i`.
    #[inline]
    pub fn key(&self, i: usize) -> (u16, u32, i32, u16) {
        self.keys.unpack(self.entries[i].0)
    }

    #[inline]
    pub fn value(&self, i: usize) -> f64 {
        self.entries[i].1
    }

    /// Values of the entries in `r`.
    pub fn values(&self, r: std::ops::Range<usize>) -> impl Iterator<Item = f64> + Clone + '_ {
        self.entries[r].iter().map(|e| e.1)
    }

    /// Ranges of entries with the same (importer, product, year), in order.
    pub fn runs(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let ends = self.starts.iter().skip(1).map(|e| *e as usize).chain([self.len()]);
        self.starts.iter().zip(ends).map(|(s, e)| *s as usize..e)
    }

    /// Smallest year, if any.
    pub fn first_year(&self) -> Option<i32> {
        (!self.entries.is_empty()).then_some(self.keys.min_year)
    }
}

/// Country codes present, numbered densely in code order.
#[derive(Debug, Clone)]
struct Ranks {
    rank: Vec<u16>,
    codes: Vec<u16>,
}

impl Ranks {
    fn of(codes: impl Iterator<Item = u16>) -> Ranks {
        let mut seen = vec![false; 1 << 16];
        codes.for_each(|c| seen[c as usize] = true);
        let mut rank = vec![0u16; 1 << 16];
        let mut list = vec![];
        for (c, s) in seen.iter().enumerate() {
            if *s {
                rank[c] = list.len() as u16;
                list.push(c as u16);
            }
        }
        Ranks { rank, codes: list }
    }
    fn bits(&self) -> u32 {
        bits_for(self.codes.len())
    }
}

/// Bits that hold the numbers `0..n`.
fn bits_for(n: usize) -> u32 {
    64 - (n.max(1) as u64 - 1).leading_zeros()
}

/// Packs (a, b, year, c) into one integer that sorts like the tuple, each field in as many bits
/// as its values need: `a` and `c` are country codes (numbered among those present), `b` a
/// product id below `n_products`, years within the range given.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    a: Ranks,
    c: Ranks,
    min_year: i32,
    /// Shifts of a, b and year; bits of year and c.
    shift: (u32, u32, u32),
    bits: u32,
}

impl Keys {
    /// `None` when the keys would not fit 63 bits (one is kept spare).
    pub fn new(
        a: impl Iterator<Item = u16>,
        n_products: usize,
        years: impl Iterator<Item = i32>,
        c: impl Iterator<Item = u16>,
    ) -> Option<Keys> {
        let (mut lo, mut hi) = (i32::MAX, i32::MIN);
        for y in years {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        let n_years = if lo > hi {
            1
        } else {
            (hi as i64 - lo as i64 + 1) as usize
        };
        let (a, c) = (Ranks::of(a), Ranks::of(c));
        let (bc, by, bp) = (c.bits(), bits_for(n_years), bits_for(n_products));
        let bits = a.bits() + bp + by + bc;
        (bits <= 63).then_some(Keys {
            a,
            c,
            min_year: lo.min(hi),
            shift: (bp + by + bc, by + bc, bc),
            bits,
        })
    }
    /// Bits the keys use.
    pub fn bits(&self) -> u32 {
        self.bits
    }
    #[inline]
    pub fn pack(&self, a: u16, b: u32, year: i32, c: u16) -> u64 {
        ((self.a.rank[a as usize] as u64) << self.shift.0)
            | ((b as u64) << self.shift.1)
            | (((year - self.min_year) as u64) << self.shift.2)
            | self.c.rank[c as usize] as u64
    }
    #[inline]
    pub fn unpack(&self, k: u64) -> (u16, u32, i32, u16) {
        let mask = |bits: u32| (1u64 << bits) - 1;
        (
            self.a.codes[(k >> self.shift.0) as usize],
            ((k >> self.shift.1) & mask(self.shift.0 - self.shift.1)) as u32,
            ((k >> self.shift.2) & mask(self.shift.1 - self.shift.2)) as i32 + self.min_year,
            self.c.codes[(k & mask(self.shift.2)) as usize],
        )
    }
}

/// Sorts entries by key: least-significant-digit radix sort over the `bits` the keys use.
pub(crate) fn radix_sort(v: &mut Vec<(u64, f64)>, bits: u32) {
    let passes = bits.div_ceil(11).max(1);
    let digit = bits.div_ceil(passes).max(1);
    let buckets = 1usize << digit;
    let mut buf: Vec<(u64, f64)> = vec![(0, 0.0); v.len()];
    let mut counts = vec![0usize; buckets];
    for pass in 0..passes {
        let shift = pass * digit;
        counts.iter_mut().for_each(|c| *c = 0);
        for e in v.iter() {
            counts[((e.0 >> shift) as usize) & (buckets - 1)] += 1;
        }
        if counts.contains(&v.len()) {
            continue; // one digit value throughout: the pass would not move anything
        }
        let mut at = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = at;
            at += n;
        }
        for e in v.iter() {
            let d = ((e.0 >> shift) as usize) & (buckets - 1);
            buf[counts[d]] = *e;
            counts[d] += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

pub(crate) fn too_many_keys() -> Error {
    Error::invalid_argument(
        "the table's countries, products and years do not fit the 63-bit keys of the flags",
        "pass fewer products (products=) or a table of fewer years",
    )
}

/// The aggregation step, on the import cube: the imports of `table` under `opts` (every
/// importer of the view) summed per (importer, product, year, supplier), cells in that order
/// ([`ImportCube::build_by_product_year`]: one importer's years of a product are neighbours).
pub(crate) fn import_cells(table: &TradeTable, opts: &ViewOptions<'_>) -> Result<ImportCells> {
    let codes = match opts.importers {
        Some(codes) => codes.to_vec(),
        None => importer_codes_in(table, opts.source),
    };
    let importers: Vec<Importer> = codes.iter().map(|c| Importer::country(*c)).collect();
    if importers.is_empty() {
        let keys =
            Keys::new(std::iter::empty(), 0, std::iter::empty(), std::iter::empty()).ok_or_else(too_many_keys)?;
        return Ok(ImportCells {
            keys,
            entries: vec![],
            n_rows: vec![],
            n_mirrored: vec![],
            products: vec![],
            starts: vec![],
        });
    }
    let imports = ImportSelection {
        source: opts.source,
        cif_fob: opts.cif_fob,
        products: opts.products.cloned(),
        groups: vec![],
        include_intra_group: false,
        cancel: opts.cancel.cloned().unwrap_or_default(),
    };
    let slots = ImporterSlots::new(importers, table.meta().freq)?;
    let cube = ImportCube::build_by_product_year(table, &slots, &imports, &SupplierKeys::new(&[])?, Detail::Values)?;
    // Keys from what may occur (every country of the table as a supplier, the table's years),
    // so that each thread packs its cells' entries straight from the cube.
    let (y0, y1) = cube.time_span().unwrap_or((0, 0));
    let keys = Keys::new(
        codes.iter().copied(),
        cube.products.len(),
        [y0, y1].into_iter(),
        countries_in(table),
    )
    .ok_or_else(too_many_keys)?;
    let parts = cube.for_each_cell_parallel(CellsPart::default, |part: &mut CellsPart, cell, items| {
        part.starts.push(part.entries.len() as u32);
        let importer = codes[cell.importer as usize];
        let (mut n_rows, mut n_mirrored) = (0, 0);
        for (sup, acc) in items.iter() {
            part.entries
                .push((keys.pack(importer, cell.product, cell.period, *sup as u16), acc.value));
            n_rows += acc.n_rows;
            n_mirrored += acc.n_mirrored;
        }
        part.n_rows.push(n_rows);
        part.n_mirrored.push(n_mirrored);
        Ok(())
    })?;
    // The records are no longer needed: let them go before the parts are joined.
    let products = cube.into_products();
    let mut parts = parts.into_iter();
    let mut cells = parts.next().unwrap_or_default();
    for mut part in parts {
        let offset = cells.entries.len() as u32;
        cells.starts.extend(part.starts.iter().map(|s| s + offset));
        cells.entries.append(&mut part.entries);
        cells.n_rows.append(&mut part.n_rows);
        cells.n_mirrored.append(&mut part.n_mirrored);
    }
    Ok(ImportCells {
        keys,
        entries: cells.entries,
        n_rows: cells.n_rows,
        n_mirrored: cells.n_mirrored,
        products,
        starts: cells.starts,
    })
}

/// Every country code of `table`, as reporter or partner.
fn countries_in(table: &TradeTable) -> impl Iterator<Item = u16> + '_ {
    // Repeats are fine: `Keys` numbers the codes it sees once each.
    table.batches().iter().flat_map(|batch| {
        let c = crate::metrics::view::Cols::of(batch);
        c.reporter.iter().chain(c.partner.iter()).copied()
    })
}

/// Exports per (exporter, product, year) of the world cells, sorted by those keys; world
/// products are mapped to `products` (in code order) by code, others left out.
pub(crate) struct Exports {
    pub exporter: Vec<u16>,
    pub product: Vec<u32>,
    pub year: Vec<i32>,
    pub value: Vec<f64>,
}

pub(crate) fn world_exports(world: &ImportCells, products: &[String]) -> Result<Exports> {
    let to_main = product_map(world, products);
    let keys = Keys::new(
        (0..world.len()).map(|i| world.key(i).3),
        products.len(),
        (0..world.len()).map(|i| world.key(i).2),
        std::iter::once(0),
    )
    .ok_or_else(too_many_keys)?;
    let n = 1usize.checked_shl(keys.bits()).unwrap_or(usize::MAX);
    Ok(if n <= (2 * world.len()).max(1 << 16) {
        summed_in_place(world, &to_main, &keys, n)
    } else {
        summed_by_sort(world, &to_main, &keys)
    })
}

/// [`world_exports`] by sorting the cells' keys (a panel whose keys' range is far above the
/// cells).
fn summed_by_sort(world: &ImportCells, to_main: &[Option<u32>], keys: &Keys) -> Exports {
    let mut packed: Vec<(u64, f64)> = Vec::with_capacity(world.len());
    for i in 0..world.len() {
        let (_, p, y, s) = world.key(i);
        if let Some(p) = to_main[p as usize] {
            packed.push((keys.pack(s, p, y, 0), world.value(i)));
        }
    }
    sorted_exports(packed, keys)
}

/// Exports of `packed` (key, value) pairs: sorted by key (stable), equal keys summed in order.
fn sorted_exports(mut packed: Vec<(u64, f64)>, keys: &Keys) -> Exports {
    radix_sort(&mut packed, keys.bits());
    let mut x = Exports::with_capacity(packed.len());
    let mut last = u64::MAX;
    for (k, v) in packed {
        if k == last {
            *x.value.last_mut().expect("an entry before") += v;
            continue;
        }
        last = k;
        x.push(keys.unpack(k), v);
    }
    x
}

/// [`world_exports`] where the keys' range is at most about twice the cells: each cell added
/// at its key's place (in cell order, as the stable radix sort would add them), then the places
/// present read in key order. A BACI year: 11M cells into 1.2M places.
///
/// The places put the exporter lowest: the world's cells come by importer, product and year,
/// their suppliers together, so one cell's suppliers land on neighbouring places. Keyed with the
/// exporter highest (the order the result needs), each of the 11M cells was a cache miss (a
/// tenth of `dependency_flags` on a BACI year, on one thread); the 1.2M sums are sorted into
/// that order instead.
fn summed_in_place(world: &ImportCells, to_main: &[Option<u32>], keys: &Keys, n: usize) -> Exports {
    // Key: exporter above `below` bits (product, year; no item). Place: the same, rotated.
    let below = keys.shift.0;
    let exporter_bits = keys.bits - below;
    let place = |k: u64| ((k & ((1u64 << below) - 1)) << exporter_bits) | (k >> below);
    let key = |t: u64| ((t & ((1u64 << exporter_bits) - 1)) << below) | (t >> exporter_bits);
    let mut sum = vec![0.0f64; n];
    let mut present = vec![0u64; n.div_ceil(64)];
    for i in 0..world.len() {
        let (_, p, y, s) = world.key(i);
        if let Some(p) = to_main[p as usize] {
            let t = place(keys.pack(s, p, y, 0)) as usize;
            sum[t] += world.value(i);
            present[t >> 6] |= 1 << (t & 63);
        }
    }
    let count = present.iter().map(|w| w.count_ones() as usize).sum();
    let mut sums: Vec<(u64, f64)> = Vec::with_capacity(count);
    for (w, bits) in present.iter().enumerate() {
        let mut b = *bits;
        while b != 0 {
            let t = w * 64 + b.trailing_zeros() as usize;
            sums.push((key(t as u64), sum[t]));
            b &= b - 1;
        }
    }
    drop(sum);
    // Each key once: nothing is summed here, only ordered.
    sorted_exports(sums, keys)
}

impl Exports {
    fn with_capacity(n: usize) -> Exports {
        Exports {
            exporter: Vec::with_capacity(n),
            product: Vec::with_capacity(n),
            year: Vec::with_capacity(n),
            value: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, (e, p, y, _): (u16, u32, i32, u16), v: f64) {
        self.exporter.push(e);
        self.product.push(p);
        self.year.push(y);
        self.value.push(v);
    }

    /// The exports with product ids into `from` (sorted codes) turned into ids into `to` (sorted
    /// codes), products absent from `to` left out. Both lists are in code order, so the exports
    /// stay sorted.
    pub fn onto(self, from: &[String], to: &[String]) -> Exports {
        let map = code_map(from, to);
        let mut x = Exports::with_capacity(self.value.len());
        for i in 0..self.value.len() {
            if let Some(p) = map[self.product[i] as usize] {
                x.push((self.exporter[i], p, self.year[i], 0), self.value[i]);
            }
        }
        x
    }
}

/// The id in `products` (sorted codes) of each product of `world`, `None` where absent.
fn product_map(world: &ImportCells, products: &[String]) -> Vec<Option<u32>> {
    code_map(&world.products, products)
}

/// The id in `to` (sorted codes) of each code of `from`, `None` where absent.
fn code_map(from: &[String], to: &[String]) -> Vec<Option<u32>> {
    from.iter()
        .map(|p| to.binary_search(p).ok().map(|i| i as u32))
        .collect()
}

/// Whether the view of `table` under `source` is its `Source::Auto` view: when the table holds
/// only the flow that source takes (no importer reported where mirror rows would be replaced).
pub(crate) fn view_is_auto(table: &TradeTable, source: crate::metrics::view::Source) -> bool {
    use crate::metrics::view::Source;
    use crate::model::Flow;
    let other = match source {
        Source::Auto => return true,
        Source::Mirror => Flow::Import as i8,
        Source::Reported => Flow::Export as i8,
    };
    table
        .batches()
        .iter()
        .all(|b| !crate::metrics::view::Cols::of(b).flow.contains(&other))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_exports_in_place_equal_those_by_sort() {
        use crate::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
        let codes = [156u16, 251, 276, 344, 398, 643, 804];
        let products = ["8471", "8517", "8542", "850760", "9013"];
        let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..2000u64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let (r, q) = (codes[(state % 7) as usize], codes[(state / 7 % 7) as usize]);
            if r == q {
                continue;
            }
            let year = 2018 + (state / 49 % 4) as i32;
            let product = products[(state / 196 % 5) as usize];
            let mut row = TradeRow::new(year, r, q, Flow::Export, product, (state % 10_000) as f64 / 7.0);
            row.net_weight_kg = Some(i as f64); // equal rows are not duplicates here
            b.push(row).unwrap();
        }
        let t = b.finish().unwrap();
        let opts = ViewOptions {
            source: crate::metrics::view::Source::Mirror,
            ..Default::default()
        };
        let cells = import_cells(&t, &opts).unwrap();
        assert!(cells.len() > 300);
        // A products list missing one of the world's products: its cells are left out.
        let main: Vec<String> = cells.products.iter().filter(|p| *p != "8517").cloned().collect();
        let to_main = product_map(&cells, &main);
        let keys = Keys::new(
            (0..cells.len()).map(|i| cells.key(i).3),
            main.len(),
            (0..cells.len()).map(|i| cells.key(i).2),
            std::iter::once(0),
        )
        .unwrap();
        let a = summed_in_place(&cells, &to_main, &keys, 1 << keys.bits());
        let b = summed_by_sort(&cells, &to_main, &keys);
        assert!(a.value.len() > 50);
        assert_eq!((&a.exporter, &a.product, &a.year), (&b.exporter, &b.product, &b.year));
        // Same cells added in the same order: bit for bit.
        assert_eq!(a.value, b.value);
        let x = world_exports(&cells, &main).unwrap();
        assert_eq!(x.value, a.value);
        // Summed over the world's own products first and then moved onto the main list (the
        // flags' order when the world's cells go before the flags' own are built): the same.
        let own = world_exports(&cells, &cells.products).unwrap();
        assert!(own.value.len() > x.value.len());
        let moved = own.onto(&cells.products, &main);
        assert_eq!(
            (&moved.exporter, &moved.product, &moved.year),
            (&x.exporter, &x.product, &x.year)
        );
        assert_eq!(moved.value, x.value);
    }

    #[test]
    fn keys_sort_like_tuples_and_round_trip() {
        let tuples = [
            (4u16, 0u32, 2019, 9u16),
            (4, 0, 2019, 65535),
            (4, 0, 2021, 0),
            (4, 6, 2019, 1),
            (65535, 6, 2021, 65535),
        ];
        let k = Keys::new(
            tuples.iter().map(|t| t.0),
            7,
            [2019, 2021].into_iter(),
            tuples.iter().map(|t| t.3),
        )
        .unwrap();
        assert_eq!(k.bits(), 1 + 3 + 2 + 2);
        let packed: Vec<u64> = tuples.iter().map(|t| k.pack(t.0, t.1, t.2, t.3)).collect();
        assert!(packed.windows(2).all(|w| w[0] < w[1]));
        for (t, p) in tuples.iter().zip(&packed) {
            assert_eq!(k.unpack(*p), *t);
        }
        let all = 0..=u16::MAX;
        assert!(Keys::new(all.clone(), 1 << 20, [0, 1 << 12].into_iter(), all).is_none());
    }

    #[test]
    fn radix_sort_sorts_and_keeps_pairs() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut v: Vec<(u64, f64)> = (0..5000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let k = state & ((1 << 37) - 1);
                (k, (k % 1000) as f64 + i as f64 * 0.0)
            })
            .collect();
        let mut want = v.clone();
        want.sort_by_key(|e| e.0);
        radix_sort(&mut v, 37);
        assert_eq!(v, want);
        let mut one = vec![(3u64, 1.0), (3, 2.0)];
        radix_sort(&mut one, 2);
        assert_eq!(one, vec![(3, 1.0), (3, 2.0)]);
    }
}
