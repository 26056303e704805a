//! GeoDep's finish over the import cells: C1 per (importer, product, year) run of suppliers,
//! C2 once per (product, year), labels and C3 reasons once per (importer, year), C4 from the
//! previous cells of the same (importer, product). Columns in the module docs of
//! [`flags`](crate::metrics::flags).

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field};
use hashbrown::{HashMap, HashSet};

use crate::error::Result;
use crate::metrics::columns::record_batch;
use crate::metrics::flags::cells::{Exports, ImportCells};
use crate::metrics::flags::{all3, source, FlagOptions, NO_EXPORTS_RATIO};
use crate::metrics::stats::hhi;
use crate::metrics::view::{country_label, CANCEL_CHECK_ROWS};
use crate::metrics::world::{no_exports_reason, WorldCoverage};

/// Reason strings, each built once and referred to by number.
#[derive(Default)]
struct Reasons {
    text: Vec<String>,
}

impl Reasons {
    fn add(&mut self, s: String) -> u32 {
        self.text.push(s);
        self.text.len() as u32 - 1
    }
    fn column(&self, ids: &[Option<u32>]) -> StringArray {
        let bytes = ids.iter().flatten().map(|i| self.text[*i as usize].len()).sum();
        let mut b = StringBuilder::with_capacity(ids.len(), bytes);
        for i in ids {
            b.append_option(i.map(|i| self.text[i as usize].as_str()));
        }
        b.finish()
    }
}

/// C2 per (product, year): the world-export HHI, or the reason it is null.
struct C2 {
    /// Years of the exports, and per (product, year) slot the sum of positive exports and the
    /// HHI over them.
    min_year: i32,
    n_years: usize,
    total: Vec<f64>,
    hhi: Vec<f64>,
    /// Per year of the cells: the table is not the world (reason id), or the "no exports" reason id.
    years: HashMap<i32, (Option<u32>, Option<u32>)>,
}

impl C2 {
    fn new(x: &Exports, n_products: usize) -> C2 {
        let (lo, hi) = x
            .year
            .iter()
            .fold((i32::MAX, i32::MIN), |(lo, hi), y| (lo.min(*y), hi.max(*y)));
        let n_years = if lo > hi {
            0
        } else {
            (hi as i64 - lo as i64 + 1) as usize
        };
        let slot = |i: usize| x.product[i] as usize * n_years + (x.year[i] - lo) as usize;
        // As `Concentration::of`: shares of the positive values, summed squares.
        let mut total = vec![0.0; n_products * n_years];
        for (i, v) in x.value.iter().enumerate() {
            if *v > 0.0 {
                total[slot(i)] += v;
            }
        }
        let mut hhi = vec![0.0; n_products * n_years];
        for (i, v) in x.value.iter().enumerate() {
            if *v > 0.0 {
                let s = v / total[slot(i)];
                hhi[slot(i)] += s * s;
            }
        }
        C2 {
            min_year: lo,
            n_years,
            total,
            hhi,
            years: HashMap::new(),
        }
    }

    fn hhi(&self, p: u32, y: i32) -> Option<f64> {
        let k = y as i64 - self.min_year as i64;
        if k < 0 || k >= self.n_years as i64 {
            return None;
        }
        let slot = p as usize * self.n_years + k as usize;
        let t = self.total[slot];
        (t > 0.0 && t.is_finite()).then_some(self.hhi[slot])
    }

    fn get(&mut self, p: u32, y: i32, cov: &WorldCoverage, reasons: &mut Reasons) -> std::result::Result<f64, u32> {
        let h = self.hhi(p, y);
        let year = self
            .years
            .entry(y)
            .or_insert_with(|| (cov.world(y).err().map(|r| reasons.add(r)), None));
        match (year.0, h) {
            (Some(not_world), _) => Err(not_world),
            (None, Some(h)) => Ok(h),
            (None, None) => Err(*year
                .1
                .get_or_insert_with(|| reasons.add(format!("no exports of the product in {} in {y}", cov.label)))),
        }
    }
}

/// C3's inputs per (importer, year): exports complete (`Ok` with the reason id for 9999) or not
/// (`Err` with the reason id).
type Complete = std::result::Result<u32, u32>;

pub(crate) fn geodep(cells: &ImportCells, x: &Exports, cov: &WorldCoverage, opts: &FlagOptions) -> Result<RecordBatch> {
    let wanted: Option<HashSet<u16>> = opts.importers.as_ref().map(|imps| {
        imps.iter()
            .flat_map(|i| match &i.members {
                crate::metrics::group::Membership::Countries(c) => c.clone(),
                crate::metrics::group::Membership::Group(_) => vec![],
            })
            .collect()
    });
    let first_year = cells.first_year().unwrap_or(0);
    let mut reasons = Reasons::default();
    let mut c2 = C2::new(x, cells.products.len());
    let mut cols = GeoCols::with_capacity(cells.starts.len());
    // Per importer: its label and, per year, whether its exports are complete.
    let mut who = (u16::MAX, String::new());
    let mut complete: HashMap<i32, Complete> = HashMap::new();
    // Merge-join pointer into the exports, sorted like the cells by (country, product, year).
    let mut j = 0;
    for (n, run) in cells.runs().enumerate() {
        if n % (CANCEL_CHECK_ROWS / 16) == 0 {
            opts.cancel.check()?;
        }
        let (c, p, y, _) = cells.key(run.start);
        if wanted.as_ref().is_some_and(|w| !w.contains(&c)) {
            continue;
        }
        if who.0 != c {
            who = (c, country_label(c));
            complete.clear();
        }
        let imports: f64 = cells.values(run.clone()).sum();
        let (n_rows, n_mirrored) = (cells.n_rows[n], cells.n_mirrored[n]);
        let c1 = hhi(cells.values(run.clone()));
        let c2v = c2.get(p, y, cov, &mut reasons);
        let comp = *complete
            .entry(y)
            .or_insert_with(|| match cov.exports_complete(&[c], y, &who.1) {
                Ok(()) => Ok(reasons.add(no_exports_reason(&who.1, y, cov.label))),
                Err(r) => Err(reasons.add(r)),
            });
        while j < x.value.len() && (x.exporter[j], x.product[j], x.year[j]) < (c, p, y) {
            j += 1;
        }
        let exported = (j < x.value.len() && (x.exporter[j], x.product[j], x.year[j]) == (c, p, y)).then(|| x.value[j]);
        let (exports, c3, c3_reason) = match comp {
            Err(r) => (None, None, Some(r)),
            Ok(zero) => match exported.unwrap_or(0.0) {
                e if e > 0.0 => (Some(e), Some(imports / e), None),
                e => (Some(e), Some(NO_EXPORTS_RATIO), Some(zero)),
            },
        };
        let (c1f, c2f, c3f) = (
            c1.map(|h| h > opts.hhi),
            c2v.ok().map(|h| h > opts.world_hhi),
            c3.map(|r| r > opts.ratio),
        );
        let holds = all3(c1f, c2f, c3f);
        // C4: this cell and the previous ones of the same (importer, product) in the window.
        let (mut years, mut unknown) = (0u32, 0u32);
        let mut k = cols.c123.len();
        let mut state = Some(holds);
        loop {
            match state {
                Some(Some(true)) => years += 1,
                Some(None) => unknown += 1,
                _ => {}
            }
            if k == 0 {
                break;
            }
            k -= 1;
            let back = cols.importer[k] == c && cols.product_id[k] == p && cols.year[k] > y - opts.window as i32;
            if !back {
                break;
            }
            state = Some(cols.c123[k]);
        }
        let window_known = y - (opts.window as i32 - 1) >= first_year;
        cols.importer.push(c);
        cols.year.push(y);
        cols.product_id.push(p);
        cols.imports.push(imports);
        cols.exports.push(exports);
        cols.c1_hhi.push(c1);
        cols.c1.push(c1f);
        cols.c2_hhi.push(c2v.ok());
        cols.c2.push(c2f);
        cols.c2_reason.push(c2v.err());
        cols.c3_ratio.push(c3);
        cols.c3.push(c3f);
        cols.c3_reason.push(c3_reason);
        cols.c123.push(holds);
        cols.c4_years.push(years);
        cols.c4.push(if years >= opts.persistence {
            Some(true)
        } else if window_known && years + unknown < opts.persistence {
            Some(false)
        } else {
            None
        });
        cols.source.push(source(n_rows, n_mirrored));
        cols.n_rows.push(n_rows);
    }
    cols.finish(&cells.products, &reasons)
}

struct GeoCols {
    importer: Vec<u16>,
    year: Vec<i32>,
    product_id: Vec<u32>,
    imports: Vec<f64>,
    exports: Vec<Option<f64>>,
    c1_hhi: Vec<Option<f64>>,
    c1: Vec<Option<bool>>,
    c2_hhi: Vec<Option<f64>>,
    c2: Vec<Option<bool>>,
    c2_reason: Vec<Option<u32>>,
    c3_ratio: Vec<Option<f64>>,
    c3: Vec<Option<bool>>,
    c3_reason: Vec<Option<u32>>,
    c123: Vec<Option<bool>>,
    c4_years: Vec<u32>,
    c4: Vec<Option<bool>>,
    source: Vec<&'static str>,
    n_rows: Vec<u64>,
}

impl GeoCols {
    fn with_capacity(n: usize) -> GeoCols {
        GeoCols {
            importer: Vec::with_capacity(n),
            year: Vec::with_capacity(n),
            product_id: Vec::with_capacity(n),
            imports: Vec::with_capacity(n),
            exports: Vec::with_capacity(n),
            c1_hhi: Vec::with_capacity(n),
            c1: Vec::with_capacity(n),
            c2_hhi: Vec::with_capacity(n),
            c2: Vec::with_capacity(n),
            c2_reason: Vec::with_capacity(n),
            c3_ratio: Vec::with_capacity(n),
            c3: Vec::with_capacity(n),
            c3_reason: Vec::with_capacity(n),
            c123: Vec::with_capacity(n),
            c4_years: Vec::with_capacity(n),
            c4: Vec::with_capacity(n),
            source: Vec::with_capacity(n),
            n_rows: Vec::with_capacity(n),
        }
    }

    fn finish(self, products: &[String], reasons: &Reasons) -> Result<RecordBatch> {
        let bytes = self.product_id.iter().map(|p| products[*p as usize].len()).sum();
        let mut product = StringBuilder::with_capacity(self.product_id.len(), bytes);
        for p in &self.product_id {
            product.append_value(&products[*p as usize]);
        }
        let product = product.finish();
        let f = |name: &str, t: DataType, nullable: bool| Field::new(name, t, nullable);
        let cols: Vec<(Field, ArrayRef)> = vec![
            (
                f("importer", DataType::UInt16, false),
                Arc::new(UInt16Array::from(self.importer)),
            ),
            (f("year", DataType::Int32, false), Arc::new(Int32Array::from(self.year))),
            (f("product", DataType::Utf8, false), Arc::new(product)),
            (
                f("imports", DataType::Float64, false),
                Arc::new(Float64Array::from(self.imports)),
            ),
            (
                f("exports", DataType::Float64, true),
                Arc::new(Float64Array::from(self.exports)),
            ),
            (
                f("c1_hhi", DataType::Float64, true),
                Arc::new(Float64Array::from(self.c1_hhi)),
            ),
            (f("c1", DataType::Boolean, true), Arc::new(BooleanArray::from(self.c1))),
            (
                f("c2_hhi", DataType::Float64, true),
                Arc::new(Float64Array::from(self.c2_hhi)),
            ),
            (f("c2", DataType::Boolean, true), Arc::new(BooleanArray::from(self.c2))),
            (
                f("c2_reason", DataType::Utf8, true),
                Arc::new(reasons.column(&self.c2_reason)),
            ),
            (
                f("c3_ratio", DataType::Float64, true),
                Arc::new(Float64Array::from(self.c3_ratio)),
            ),
            (f("c3", DataType::Boolean, true), Arc::new(BooleanArray::from(self.c3))),
            (
                f("c3_reason", DataType::Utf8, true),
                Arc::new(reasons.column(&self.c3_reason)),
            ),
            (
                f("c123", DataType::Boolean, true),
                Arc::new(BooleanArray::from(self.c123)),
            ),
            (
                f("c4_years", DataType::UInt32, false),
                Arc::new(UInt32Array::from(self.c4_years)),
            ),
            (f("c4", DataType::Boolean, true), Arc::new(BooleanArray::from(self.c4))),
            (
                f("source", DataType::Utf8, false),
                Arc::new(StringArray::from(self.source)),
            ),
            (
                f("n_rows", DataType::UInt64, false),
                Arc::new(UInt64Array::from(self.n_rows)),
            ),
        ];
        record_batch(cols, "assembling dependency flags")
    }
}
