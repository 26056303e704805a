//! Criterion bench of the metrics kernels on generated BACI-shaped data: one year, ~230
//! exporters x ~230 importers x ~5,000 HS6 products, rows in 64k batches as a reader emits them.
//! Rows: TRADEDEP_BENCH_ROWS (default 2,000,000; a full BACI year is ~11,000,000).
//!
//! `cargo bench --bench metrics`

use std::sync::Arc;

use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::{ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int8Array, RecordBatch, StringArray, UInt16Array};
use criterion::{criterion_group, criterion_main, Criterion};
use tradedep::metrics::{concentration, importer_product_concentration, ConcentrationOptions, Source};
use tradedep::model::{canonical_schema, Flow, Freq, ReadReport, TableMeta, Vintage};
use tradedep::TradeTable;

fn generate(rows: usize) -> TradeTable {
    let meta = TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017)));
    let schema = canonical_schema(&meta);
    let products: Arc<StringArray> = Arc::new(StringArray::from_iter_values((0..5000).map(|k| format!("{:06}", 10000 + k * 17))));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut batches = vec![];
    let mut left = rows;
    while left > 0 {
        let n = left.min(65_536);
        left -= n;
        let mut exp = Vec::with_capacity(n);
        let mut imp = Vec::with_capacity(n);
        let mut prod = Vec::with_capacity(n);
        let mut val = Vec::with_capacity(n);
        for _ in 0..n {
            // Skewed partners, like real trade: a few big exporters.
            let e = 1 + ((next() % 230) * (next() % 230) / 230) as u16;
            exp.push(e * 4);
            imp.push(1 + (next() % 230) as u16 * 4);
            prod.push((next() % 5000) as i32);
            val.push((next() % 10_000_000) as f64 / 1000.0);
        }
        let dict = |keys: Vec<i8>, values: &[&str]| -> ArrayRef {
            Arc::new(DictionaryArray::<Int8Type>::try_new(Int8Array::from(keys), Arc::new(StringArray::from(values.to_vec()))).unwrap())
        };
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(vec![2021; n])),
            Arc::new(UInt16Array::from(exp)),
            Arc::new(UInt16Array::from(imp)),
            dict(vec![Flow::Export as i8; n], &Flow::DICTIONARY),
            Arc::new(DictionaryArray::<Int32Type>::try_new(Int32Array::from(prod), products.clone()).unwrap()),
            Arc::new(Float64Array::from(val)),
            dict(vec![1i8; n], &["CIF", "FOB"]),
            Arc::new(Float64Array::from(vec![None; n])),
            Arc::new(DictionaryArray::<Int8Type>::try_new(Int8Array::from(vec![None; n]), Arc::new(StringArray::from(vec!["t"]))).unwrap()),
            Arc::new(Float64Array::from(vec![None; n])),
            Arc::new(BooleanArray::from(vec![false; n])),
            dict(vec![0; n], &["bench"]),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), cols).unwrap());
    }
    TradeTable::from_validated_batches(batches, meta, ReadReport::default()).unwrap()
}

fn bench(c: &mut Criterion) {
    let rows: usize = std::env::var("TRADEDEP_BENCH_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(2_000_000);
    let table = generate(rows);
    let mut g = c.benchmark_group(format!("metrics_{rows}_rows"));
    g.sample_size(10);
    g.bench_function("importer_product_concentration (streaming kernel)", |b| {
        b.iter(|| importer_product_concentration(table.batches().iter().cloned().map(Ok), Source::Mirror).unwrap())
    });
    g.bench_function("concentration (general path, by period+product)", |b| {
        let opts = ConcentrationOptions { source: Source::Mirror, ..Default::default() };
        b.iter(|| concentration(&table, &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
