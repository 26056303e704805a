//! Benches of the metrics kernels on generated BACI-shaped data: one year, ~230 exporters x
//! ~230 importers x 5,000 HS6 products, rows in 64k batches as a reader emits them.
//!
//! - `cargo bench --bench metrics`: criterion timings on TRADEDEP_BENCH_ROWS rows in memory
//!   (default 2,000,000; a full BACI year is ~11,000,000).
//! - `TRADEDEP_BENCH_ONCE=<rows> cargo bench --bench metrics`: one streaming run of the
//!   importer x product workload over lazily generated batches (as a reader would hand them
//!   over), printing wall time and peak resident memory (VmHWM).
//! - `TRADEDEP_BENCH_CSV=<BACI-style csv: t,i,j,k,v,q> cargo bench --bench metrics`: the same
//!   workload with the read included, the CSV parsed here into canonical batches with the csv
//!   crate (a stand-in until the BACI reader lands), printing time and peak memory.
//!   benches/metrics_compare.py runs polars, DuckDB and pandas on the same file.

use std::sync::Arc;
use std::time::Instant;

use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int8Array, RecordBatch, StringArray, UInt16Array,
};
use criterion::{criterion_group, Criterion};
use tradedep::metrics::{concentration, importer_product_concentration, ConcentrationOptions, Source};
use tradedep::model::{canonical_schema, Flow, Freq, ReadReport, TableMeta, Vintage};
use tradedep::TradeTable;

fn meta() -> TableMeta {
    TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017)))
}

/// A canonical batch of export rows (BACI rows are exporter -> importer flows).
fn batch(
    period: Vec<i32>,
    exp: Vec<u16>,
    imp: Vec<u16>,
    product_keys: Vec<i32>,
    products: Arc<StringArray>,
    val: Vec<f64>,
) -> RecordBatch {
    let n = exp.len();
    let dict = |keys: Vec<i8>, values: &[&str]| -> ArrayRef {
        Arc::new(
            DictionaryArray::<Int8Type>::try_new(Int8Array::from(keys), Arc::new(StringArray::from(values.to_vec())))
                .unwrap(),
        )
    };
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(period)),
        Arc::new(UInt16Array::from(exp)),
        Arc::new(UInt16Array::from(imp)),
        dict(vec![Flow::Export as i8; n], &Flow::DICTIONARY),
        Arc::new(DictionaryArray::<Int32Type>::try_new(Int32Array::from(product_keys), products).unwrap()),
        Arc::new(Float64Array::from(val)),
        dict(vec![1i8; n], &["CIF", "FOB"]),
        Arc::new(Float64Array::from(vec![None; n])),
        Arc::new(
            DictionaryArray::<Int8Type>::try_new(
                Int8Array::from(vec![None; n]),
                Arc::new(StringArray::from(vec!["t"])),
            )
            .unwrap(),
        ),
        Arc::new(Float64Array::from(vec![None; n])),
        Arc::new(BooleanArray::from(vec![false; n])),
        dict(vec![0; n], &["bench"]),
    ];
    RecordBatch::try_new(canonical_schema(&meta()), cols).unwrap()
}

/// Lazily generated batches: the generator holds one batch at a time, like a streaming reader.
fn generated(rows: usize) -> impl Iterator<Item = RecordBatch> {
    let products: Arc<StringArray> = Arc::new(StringArray::from_iter_values(
        (0..5000).map(|k| format!("{:06}", 10000 + k * 17)),
    ));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut left = rows;
    std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let n = left.min(65_536);
        left -= n;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut exp, mut imp, mut prod, mut val) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for _ in 0..n {
            // Skewed exporters, like real trade: a few big ones.
            let e = 1 + ((next() % 230) * (next() % 230) / 230) as u16;
            exp.push(e * 4);
            imp.push(4 + (next() % 230) as u16 * 4);
            prod.push((next() % 5000) as i32);
            val.push((next() % 10_000_000) as f64 / 1000.0);
        }
        Some(batch(vec![2021; n], exp, imp, prod, products.clone(), val))
    })
}

/// BACI-style CSV (`t,i,j,k,v,q`) to canonical batches, streamed: a reader thread takes
/// 16 MiB chunks in turn and parses each in parallel slices while the caller consumes earlier
/// batches (a stand-in for the BACI reader of the io module).
fn csv_batches(path: &str) -> impl Iterator<Item = tradedep::Result<RecordBatch>> + use<> {
    use rayon::prelude::*;
    use std::io::Read;
    let mut file = std::fs::File::open(path).expect("open csv");
    let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(8);
    std::thread::spawn(move || {
        let mut carry: Vec<u8> = vec![];
        let mut header = true;
        loop {
            let mut buf = std::mem::take(&mut carry);
            let start = buf.len();
            buf.resize(start + (16 << 20), 0);
            let n = file.read(&mut buf[start..]).expect("read csv");
            buf.truncate(start + n);
            let eof = n == 0;
            if !eof {
                if let Some(last) = memchr::memrchr(b'\n', &buf) {
                    carry = buf[last + 1..].to_vec();
                    buf.truncate(last + 1);
                }
            }
            let mut text: &[u8] = &buf;
            if header {
                header = false;
                let nl = memchr::memchr(b'\n', text).map(|p| p + 1).unwrap_or(text.len());
                text = &text[nl..];
            }
            let parts = rayon::current_num_threads().max(1) * 2;
            let mut slices = vec![];
            let mut rest = text;
            for k in (1..=parts).rev() {
                let cut = if k == 1 {
                    rest.len()
                } else {
                    memchr::memchr(b'\n', &rest[rest.len() / k..])
                        .map(|i| rest.len() / k + i + 1)
                        .unwrap_or(rest.len())
                };
                slices.push(&rest[..cut]);
                rest = &rest[cut..];
            }
            let batches: Vec<RecordBatch> = slices
                .into_par_iter()
                .filter(|s| !s.is_empty())
                .map(parse_slice)
                .collect();
            for b in batches {
                if tx.send(b).is_err() {
                    return;
                }
            }
            if eof {
                return;
            }
        }
    });
    rx.into_iter().map(Ok)
}

/// Decimal number without exponent, exactly rounded (Clinger's fast path), else `str::parse`.
fn parse_f64(field: &[u8]) -> f64 {
    let (mut m, mut frac, mut seen_dot, mut digits) = (0u64, 0i32, false, 0);
    for &b in field {
        match b {
            b'0'..=b'9' => {
                m = m.wrapping_mul(10).wrapping_add((b - b'0') as u64);
                digits += 1;
                if seen_dot {
                    frac += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return std::str::from_utf8(field).unwrap().trim().parse().unwrap(),
        }
    }
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    if digits <= 15 && frac <= 22 {
        m as f64 / POW10[frac as usize]
    } else {
        std::str::from_utf8(field).unwrap().trim().parse().unwrap()
    }
}

fn parse_slice(text: &[u8]) -> RecordBatch {
    let cap = text.len() / 30;
    let (mut t, mut e, mut i, mut keys, mut v) = (
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
    );
    let mut dict: hashbrown::HashMap<u32, i32> = hashbrown::HashMap::new();
    let mut names: Vec<String> = vec![];
    let mut pos = 0usize;
    let n = text.len();
    // Integer field up to the next ',' (quotes and spaces skipped).
    let int = |pos: &mut usize| -> u32 {
        let mut x = 0u32;
        while *pos < n && text[*pos] != b',' && text[*pos] != b'\n' {
            let b = text[*pos];
            if b.is_ascii_digit() {
                x = x * 10 + (b - b'0') as u32;
            }
            *pos += 1;
        }
        *pos += 1;
        x
    };
    while pos < n {
        if text[pos] == b'\n' {
            pos += 1;
            continue;
        }
        t.push(int(&mut pos) as i32);
        e.push(int(&mut pos) as u16);
        i.push(int(&mut pos) as u16);
        let k = int(&mut pos);
        let next = dict.len() as i32;
        keys.push(*dict.entry(k).or_insert_with(|| {
            names.push(format!("{k:06}"));
            next
        }));
        let start = pos;
        while pos < n && text[pos] != b',' && text[pos] != b'\n' {
            pos += 1;
        }
        v.push(parse_f64(&text[start..pos]));
        // Skip the rest of the line (q).
        pos = memchr::memchr(b'\n', &text[pos..]).map(|p| pos + p + 1).unwrap_or(n);
    }
    batch(t, e, i, keys, Arc::new(StringArray::from(names)), v)
}

/// CPU seconds (user + system) used by this process so far, from /proc/self/stat.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            let ticks: f64 = rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn bench(c: &mut Criterion) {
    let rows: usize = std::env::var("TRADEDEP_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let table = TradeTable::from_validated_batches(generated(rows).collect(), meta(), ReadReport::default()).unwrap();
    let mut g = c.benchmark_group(format!("metrics_{rows}_rows"));
    g.sample_size(10);
    g.bench_function("importer_product_concentration (streaming kernel)", |b| {
        b.iter(|| importer_product_concentration(table.batches().iter().cloned().map(Ok), Source::Mirror).unwrap())
    });
    g.bench_function("concentration() on the import cube (every importer, mirror)", |b| {
        let mut opts = ConcentrationOptions::default();
        opts.imports.source = Source::Mirror;
        b.iter(|| concentration(&table, &opts).unwrap())
    });
    g.bench_function("concentration() on the import cube (every importer, auto)", |b| {
        let mut opts = ConcentrationOptions::default();
        opts.imports.source = Source::Auto;
        b.iter(|| concentration(&table, &opts).unwrap())
    });
    g.bench_function("concentration() on the import cube (importers named)", |b| {
        let all = tradedep::metrics::concentration::importers_in(&table, Source::Mirror);
        let mut opts = ConcentrationOptions {
            importers: Some(all),
            ..Default::default()
        };
        opts.imports.source = Source::Mirror;
        b.iter(|| concentration(&table, &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(path) = std::env::var("TRADEDEP_BENCH_CSV") {
        if std::env::var("TRADEDEP_BENCH_PARSE_ONLY").is_ok() {
            let start = Instant::now();
            let rows: usize = csv_batches(&path).map(|b| b.unwrap().num_rows()).sum();
            println!(
                "parse only: {rows} rows in {:.2} s ({:.2} s CPU), peak RSS {:.0} MB",
                start.elapsed().as_secs_f64(),
                cpu_seconds(),
                peak_rss_mb()
            );
            return;
        }
        let start = Instant::now();
        let out = importer_product_concentration(csv_batches(&path), Source::Mirror).unwrap();
        if std::env::var("TRADEDEP_BENCH_CHECK").is_ok() {
            use arrow_array::cast::AsArray;
            let sum = |c: &str| {
                out.column_by_name(c)
                    .unwrap()
                    .as_primitive::<arrow_array::types::Float64Type>()
                    .values()
                    .iter()
                    .sum::<f64>()
            };
            println!(
                "check: sum(total_value) = {:.3}, sum(hhi) = {:.9}, sum(top_share) = {:.9}",
                sum("total_value"),
                sum("hhi"),
                sum("top_share")
            );
        }
        println!(
            "csv {path}: {} cells in {:.2} s ({:.2} s CPU), peak RSS {:.0} MB",
            out.num_rows(),
            start.elapsed().as_secs_f64(),
            cpu_seconds(),
            peak_rss_mb()
        );
        return;
    }
    if let Some(rows) = std::env::var("TRADEDEP_BENCH_ONCE")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    {
        let gen_start = Instant::now();
        let n: usize = generated(rows).map(|b| b.num_rows()).sum();
        let gen_cpu = cpu_seconds();
        println!(
            "generating {n} rows alone: {:.2} s ({gen_cpu:.2} s CPU)",
            gen_start.elapsed().as_secs_f64()
        );
        if std::env::var("TRADEDEP_BENCH_PHASES").is_ok() {
            let batches: Vec<RecordBatch> = generated(rows).collect();
            let (c0, t0) = (cpu_seconds(), Instant::now());
            let mut k = tradedep::metrics::ImporterProductConcentration::new(Source::Mirror).unwrap();
            for b in &batches {
                k.push(b).unwrap();
            }
            let (c1, t1) = (cpu_seconds(), Instant::now());
            let out = k.finish().unwrap();
            println!(
                "push {:.2} s ({:.2} CPU), finish {:.2} s ({:.2} CPU), {} cells",
                (t1 - t0).as_secs_f64(),
                c1 - c0,
                t1.elapsed().as_secs_f64(),
                cpu_seconds() - c1,
                out.num_rows()
            );
            return;
        }
        let start = Instant::now();
        let out = importer_product_concentration(generated(rows).map(Ok), Source::Mirror).unwrap();
        println!(
            "{rows} generated rows streamed: {} cells in {:.2} s ({:.2} s CPU incl. generating again), peak RSS {:.0} MB",
            out.num_rows(),
            start.elapsed().as_secs_f64(),
            cpu_seconds() - gen_cpu,
            peak_rss_mb()
        );
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
