//! The streaming kernel against an independent computation (plain BTreeMap sums, HHI by hand)
//! and against `metrics::concentration`, on generated BACI-shaped data with duplicate rows
//! spread over several batches.

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt16Type, UInt32Type, UInt64Type};
use arrow_array::RecordBatch;
use tradedep::metrics::{
    concentration, importer_product_concentration, importer_product_concentration_table, ConcentrationOptions,
    ImporterProductConcentration, Source,
};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder, Vintage};
use tradedep::TradeTable;

/// 30 BACI country codes known to the country table.
const CODES: [u16; 30] = [
    4, 8, 12, 24, 32, 36, 40, 50, 56, 76, 124, 152, 156, 170, 203, 208, 246, 251, 276, 300, 344, 356, 360, 372, 376,
    381, 392, 410, 484, 528,
];

/// Deterministic pseudo-random BACI-like rows: (year, exporter, importer, product, value).
fn generate(n: usize, seed: u64) -> Vec<(i32, u16, u16, String, f64)> {
    generate_with(n, seed, 40)
}

/// [`generate`] over `products` product codes.
fn generate_with(n: usize, seed: u64, products: u64) -> Vec<(i32, u16, u16, String, f64)> {
    let mut x = seed;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|_| {
            let year = 2020 + (next() % 2) as i32;
            // Real country codes (the table checks them): 30 exporters, the first 20 also importers.
            let exp = CODES[(next() % 30) as usize];
            let imp = CODES[(next() % 20) as usize];
            let product = format!("{:06}", 10000 + next() % products);
            let value = (next() % 1_000_000) as f64 / 1000.0;
            (year, exp, imp, product, value)
        })
        .collect()
}

fn build(rows: &[(i32, u16, u16, String, f64)], flow: Flow) -> TradeTable {
    let mut b = TradeTableBuilder::new("gen", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    for (y, e, i, p, v) in rows {
        let (rep, par) = if flow == Flow::Export { (*e, *i) } else { (*i, *e) };
        b.push(TradeRow::new(*y, rep, par, flow, p, *v)).unwrap();
    }
    b.finish().unwrap()
}

#[test]
fn kernel_matches_plain_sums_in_both_directions() {
    check_against_plain_sums(&generate(20_000, 7));
}

/// Runs of more than 65,536 records per thread, with too many possible keys (20 x 2 x 3,000 x
/// 30) to be summed while read: the cube's sort moves the first digit out of place, piece by
/// piece (`cube/sort.rs`, `sort_scanned`).
#[test]
fn large_runs_give_the_same_cells_as_plain_sums() {
    check_against_plain_sums(&generate_with(400_000, 9, 3_000));
}

fn check_against_plain_sums(rows: &[(i32, u16, u16, String, f64)]) {
    // Independent: sums per (importer, year, product, supplier), then HHI by hand.
    let mut sums: BTreeMap<(u16, i32, String), BTreeMap<u16, f64>> = BTreeMap::new();
    for (y, e, i, p, v) in rows {
        *sums.entry((*i, *y, p.clone())).or_default().entry(*e).or_default() += v;
    }
    for flow in [Flow::Import, Flow::Export] {
        let t = build(rows, flow);
        let source = if flow == Flow::Import {
            Source::Reported
        } else {
            Source::Mirror
        };
        let out = importer_product_concentration_table(&t, source).unwrap();
        assert_eq!(out.num_rows(), sums.len());
        let imp = out.column_by_name("importer").unwrap().as_primitive::<UInt16Type>();
        let per = out.column_by_name("period").unwrap().as_primitive::<Int32Type>();
        let prod = out.column_by_name("product").unwrap().as_string::<i32>();
        let hhi = out.column_by_name("hhi").unwrap().as_primitive::<Float64Type>();
        let total = out.column_by_name("total_value").unwrap().as_primitive::<Float64Type>();
        let top = out.column_by_name("top_code").unwrap().as_primitive::<UInt16Type>();
        let top_share = out.column_by_name("top_share").unwrap().as_primitive::<Float64Type>();
        let n = out.column_by_name("n_suppliers").unwrap().as_primitive::<UInt32Type>();
        let n_rows = out.column_by_name("n_rows").unwrap().as_primitive::<UInt64Type>();
        assert_eq!(n_rows.values().iter().sum::<u64>(), rows.len() as u64);
        for (k, ((i, y, p), sup)) in sums.iter().enumerate() {
            assert_eq!((imp.value(k), per.value(k), prod.value(k)), (*i, *y, p.as_str()));
            let t: f64 = sup.values().filter(|v| **v > 0.0).sum();
            let h: f64 = sup.values().filter(|v| **v > 0.0).map(|v| (v / t).powi(2)).sum();
            assert!((total.value(k) - t).abs() < 1e-6);
            assert!((hhi.value(k) - h).abs() < 1e-12);
            let (best, bv) = sup
                .iter()
                .fold((0u16, -1.0), |acc, (s, v)| if *v > acc.1 { (*s, *v) } else { acc });
            assert_eq!(top.value(k), best);
            assert!((top_share.value(k) - bv / t).abs() < 1e-12);
            assert_eq!(n.value(k) as usize, sup.values().filter(|v| **v > 0.0).count());
        }
    }
}

#[test]
fn kernel_agrees_with_general_concentration() {
    let t = build(&generate(5_000, 11), Flow::Import);
    let fast = importer_product_concentration_table(&t, Source::Reported).unwrap();
    // Naming the importers: the same import cube, the concentration finish.
    let all = tradedep::metrics::concentration::importers_in(&t, Source::Reported);
    let general = concentration(
        &t,
        &ConcentrationOptions {
            importers: Some(all),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(fast.num_rows(), general.num_rows());
    let a = fast.column_by_name("hhi").unwrap().as_primitive::<Float64Type>();
    let b = general.column_by_name("hhi").unwrap().as_primitive::<Float64Type>();
    for k in 0..fast.num_rows() {
        assert!((a.value(k) - b.value(k)).abs() < 1e-12);
    }
    // concentration() without importers runs on the kernel: every column must match the
    // general path.
    let kernel_path = concentration(
        &t,
        &ConcentrationOptions {
            crn: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let all = tradedep::metrics::concentration::importers_in(&t, Source::Reported);
    let general = concentration(
        &t,
        &ConcentrationOptions {
            crn: 5,
            importers: Some(all),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(kernel_path.schema(), general.schema());
    for (name, (x, y)) in general
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .zip(kernel_path.columns().iter().zip(general.columns()))
    {
        if let (Some(x), Some(y)) = (x.as_primitive_opt::<Float64Type>(), y.as_primitive_opt::<Float64Type>()) {
            for k in 0..x.len() {
                assert!(
                    (x.value(k) - y.value(k)).abs() <= 1e-12 * y.value(k).abs().max(1.0),
                    "{name} row {k}"
                );
            }
        } else {
            assert_eq!(x, y, "{name}");
        }
    }
}

#[test]
fn kernel_streams_and_rejects_foreign_batches() {
    let t = build(&generate(1_000, 3), Flow::Import);
    let stream = t.batches().iter().cloned().map(Ok);
    assert_eq!(
        importer_product_concentration(stream, Source::Reported)
            .unwrap()
            .num_rows(),
        importer_product_concentration_table(&t, Source::Reported)
            .unwrap()
            .num_rows()
    );
    let foreign =
        RecordBatch::try_from_iter([("x", std::sync::Arc::new(arrow_array::Int32Array::from(vec![1])) as _)]).unwrap();
    let err = importer_product_concentration([Ok(foreign)], Source::Reported).unwrap_err();
    assert!(err.to_string().contains("period"), "{err}");
    assert!(importer_product_concentration(Vec::<tradedep::Result<RecordBatch>>::new(), Source::Auto).is_err());
}

#[test]
fn compaction_keeps_sums_and_row_counts_exact() {
    // Few keys, many duplicate rows (more than the 10-bit row count holds per entry).
    let mut rows = generate(30_000, 5);
    for r in rows.iter_mut() {
        r.1 = CODES[(r.1 % 3) as usize];
        r.2 = CODES[(r.2 % 2) as usize];
        r.3 = format!("{:06}", 10000 + (r.3.parse::<u32>().unwrap() % 2));
    }
    let t = build(&rows, Flow::Import);
    let reference = importer_product_concentration_table(&t, Source::Reported).unwrap();
    let mut k = ImporterProductConcentration::new(Source::Reported)
        .unwrap()
        .with_compaction_budget(100);
    for b in t.batches() {
        // Re-slice so compaction runs many times.
        for off in (0..b.num_rows()).step_by(500) {
            k.push(&b.slice(off, 500.min(b.num_rows() - off))).unwrap();
        }
    }
    let out = k.finish().unwrap();
    assert_eq!(out.num_rows(), reference.num_rows());
    let n_rows = out.column_by_name("n_rows").unwrap().as_primitive::<UInt64Type>();
    assert_eq!(n_rows.values().iter().sum::<u64>(), rows.len() as u64);
    assert!(
        n_rows.values().iter().any(|n| *n > 1023),
        "some cell must exceed the per-entry count"
    );
    for c in ["hhi", "total_value", "top_share"] {
        let a = out.column_by_name(c).unwrap().as_primitive::<Float64Type>();
        let b = reference.column_by_name(c).unwrap().as_primitive::<Float64Type>();
        for i in 0..a.len() {
            assert!(
                (a.value(i) - b.value(i)).abs() <= 1e-9 * b.value(i).abs().max(1.0),
                "{c} row {i}"
            );
        }
    }
}
