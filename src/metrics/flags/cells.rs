//! The flags' one aggregation step: import sums per (importer, product, year, supplier) in flat
//! columns sorted by those keys, so that each (importer, product, year) cell is a contiguous run
//! of suppliers. Input: a table and the import view's options; output: [`ImportCells`]. (The
//! shared import cube of `metrics::cube` is meant to take this step's place.)

use crate::error::{Error, Result};
use crate::metrics::flags::year_of;
use crate::metrics::view::{for_each_row, ViewOptions, CANCEL_CHECK_ROWS};
use crate::model::TradeTable;

/// Import sums per (importer, product, year, supplier), sorted by (importer, product, year,
/// supplier); products are ids into `products`, which are in code order.
#[derive(Debug, Default, Clone)]
pub(crate) struct ImportCells {
    pub importer: Vec<u16>,
    pub product: Vec<u32>,
    pub year: Vec<i32>,
    pub supplier: Vec<u16>,
    pub value: Vec<f64>,
    /// View rows summed into the entry, and how many of them were mirrored.
    pub n_rows: Vec<u32>,
    pub n_mirrored: Vec<u32>,
    pub products: Vec<String>,
}

impl ImportCells {
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// Ranges of entries with the same (importer, product, year), in order.
    pub fn runs(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let mut start = 0;
        std::iter::from_fn(move || {
            if start >= self.len() {
                return None;
            }
            let key = (self.importer[start], self.product[start], self.year[start]);
            let mut end = start + 1;
            while end < self.len() && (self.importer[end], self.product[end], self.year[end]) == key {
                end += 1;
            }
            let r = start..end;
            start = end;
            Some(r)
        })
    }

    /// Smallest year, if any.
    pub fn first_year(&self) -> Option<i32> {
        self.year.iter().copied().min()
    }
}

/// Packs (a, b, year, c) into one integer that sorts like the tuple: `a` and `c` are country
/// codes (16 bits each), `b` a product id below `n_products`, years within `min..min + n_years`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keys {
    n_products: u64,
    min_year: i32,
    n_years: u64,
}

impl Keys {
    /// `None` when the keys would not fit 64 bits (beyond 2^31 product-years, with a spare bit).
    pub fn new(n_products: usize, years: impl Iterator<Item = i32>) -> Option<Keys> {
        let (mut lo, mut hi) = (i32::MAX, i32::MIN);
        for y in years {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        let n_years = if lo > hi { 1 } else { (hi as i64 - lo as i64 + 1) as u64 };
        let n_products = (n_products as u64).max(1);
        (n_products.checked_mul(n_years)? <= 1 << 31).then_some(Keys {
            n_products,
            min_year: lo.min(hi),
            n_years,
        })
    }
    #[inline]
    pub fn pack(&self, a: u16, b: u32, year: i32, c: u16) -> u64 {
        let py = (a as u64 * self.n_products + b as u64) * self.n_years + (year - self.min_year) as u64;
        (py << 16) | c as u64
    }
    #[inline]
    pub fn unpack(&self, k: u64) -> (u16, u32, i32, u16) {
        let c = (k & 0xffff) as u16;
        let rest = k >> 16;
        let year = (rest % self.n_years) as i32 + self.min_year;
        let rest = rest / self.n_years;
        (
            (rest / self.n_products) as u16,
            (rest % self.n_products) as u32,
            year,
            c,
        )
    }
}

pub(crate) fn too_many_keys() -> Error {
    Error::invalid_argument(
        "the table spans more than 2^31 product-years",
        "pass fewer products (products=) or a table of fewer years",
    )
}

/// The aggregation step: the import view of `table` under `opts` (cancellation checked every
/// [`CANCEL_CHECK_ROWS`] rows) summed per (importer, product, year, supplier).
pub(crate) fn import_cells(table: &TradeTable, opts: &ViewOptions<'_>) -> Result<ImportCells> {
    let freq = table.meta().freq;
    // (importer, supplier, first-seen product id, year, value, mirrored) per view row.
    let mut rows: Vec<(u16, u16, u32, i32, f64, bool)> = Vec::new();
    let names = for_each_row(table, opts, |r| {
        rows.push((
            r.importer,
            r.supplier,
            r.product,
            year_of(r.period, freq),
            r.value,
            r.mirrored,
        ))
    })?;
    // Product ids in code order, so that results come out sorted by product.
    let mut order: Vec<(String, u32)> = names.into_iter().zip(0u32..).collect();
    order.sort_unstable();
    let mut rank = vec![0u32; order.len()];
    for (r, (_, id)) in order.iter().enumerate() {
        rank[*id as usize] = r as u32;
    }
    let products: Vec<String> = order.into_iter().map(|(n, _)| n).collect();
    let keys = Keys::new(products.len(), rows.iter().map(|r| r.3)).ok_or_else(too_many_keys)?;
    // The mirrored flag rides in the key's lowest bit; entries differ by key >> 1.
    let mut packed: Vec<(u64, f64)> = Vec::with_capacity(rows.len());
    for (i, (imp, sup, p, y, v, m)) in rows.into_iter().enumerate() {
        if i % CANCEL_CHECK_ROWS == 0 {
            opts.cancel.map_or(Ok(()), |c| c.check())?;
        }
        packed.push(((keys.pack(imp, rank[p as usize], y, sup) << 1) | m as u64, v));
    }
    packed.sort_unstable_by_key(|e| e.0);
    opts.cancel.map_or(Ok(()), |c| c.check())?;
    let mut out = ImportCells {
        products,
        ..Default::default()
    };
    let mut last = u64::MAX;
    for (k, v) in packed {
        let (key, mirrored) = (k >> 1, (k & 1) as u32);
        if key == last {
            let n = out.value.len() - 1;
            out.value[n] += v;
            out.n_rows[n] += 1;
            out.n_mirrored[n] += mirrored;
            continue;
        }
        last = key;
        let (imp, p, y, sup) = keys.unpack(key);
        out.importer.push(imp);
        out.product.push(p);
        out.year.push(y);
        out.supplier.push(sup);
        out.value.push(v);
        out.n_rows.push(1);
        out.n_mirrored.push(mirrored);
    }
    Ok(out)
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
    let keys = Keys::new(products.len(), world.year.iter().copied()).ok_or_else(too_many_keys)?;
    let mut packed: Vec<(u64, f64)> = (0..world.len())
        .filter_map(|i| {
            let p = to_main[world.product[i] as usize]?;
            Some((keys.pack(world.supplier[i], p, world.year[i], 0), world.value[i]))
        })
        .collect();
    packed.sort_unstable_by_key(|e| e.0);
    let mut x = Exports {
        exporter: vec![],
        product: vec![],
        year: vec![],
        value: vec![],
    };
    let mut last = u64::MAX;
    for (k, v) in packed {
        if k == last {
            *x.value.last_mut().expect("an entry before") += v;
            continue;
        }
        last = k;
        let (e, p, y, _) = keys.unpack(k);
        x.exporter.push(e);
        x.product.push(p);
        x.year.push(y);
        x.value.push(v);
    }
    Ok(x)
}

/// The id in `products` (sorted codes) of each product of `world`, `None` where absent.
pub(crate) fn product_map(world: &ImportCells, products: &[String]) -> Vec<Option<u32>> {
    world
        .products
        .iter()
        .map(|p| products.binary_search(p).ok().map(|i| i as u32))
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
    fn keys_sort_like_tuples_and_round_trip() {
        let k = Keys::new(7, [2019, 2021].into_iter()).unwrap();
        let tuples = [
            (4u16, 0u32, 2019, 9u16),
            (4, 0, 2019, 65535),
            (4, 0, 2021, 0),
            (4, 6, 2019, 1),
            (65535, 6, 2021, 65535),
        ];
        let packed: Vec<u64> = tuples.iter().map(|t| k.pack(t.0, t.1, t.2, t.3)).collect();
        assert!(packed.windows(2).all(|w| w[0] < w[1]));
        for (t, p) in tuples.iter().zip(&packed) {
            assert_eq!(k.unpack(*p), *t);
        }
        assert!((packed[4] << 1) >> 1 == packed[4], "room for the spare bit");
        assert!(Keys::new(1 << 20, [0, 1 << 12].into_iter()).is_none());
    }
}
