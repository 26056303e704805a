//! Throughput of the BACI reader on a generated file shaped like a real BACI year (quoted
//! header, CRLF, right-aligned quoted quantities, ~5% `NA`). Set `BACI_BENCH_ROWS` to change
//! the size (default 2,000,000 rows, ~80 MB); `BACI_BENCH_FILE` to time a real file instead.

use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tradedep::io::baci::{read_baci, BaciOptions};

/// Comtrade/BACI codes of real countries, so rows pass the country check.
const COUNTRIES: [u16; 40] = [
    4, 8, 12, 24, 32, 36, 40, 56, 76, 124, 152, 156, 170, 203, 208, 251, 276, 300, 344, 348, 381, 392, 410, 484, 490,
    528, 579, 616, 643, 699, 710, 724, 752, 757, 764, 784, 792, 804, 826, 842,
];

/// Writes `rows` BACI rows to `path` with a fixed pseudo-random sequence.
pub fn generate(path: &Path, rows: usize) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    w.write_all(b"\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n")?;
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    for _ in 0..rows {
        let r = next();
        let i = COUNTRIES[(r % 40) as usize];
        let j = COUNTRIES[((r >> 8) % 40) as usize];
        let k = 10_000 + (r >> 16) % 960_000;
        let v = ((r >> 24) % 10_000_000) as f64 / 1000.0;
        if (r >> 50) % 20 == 0 {
            writeln!(w, "2021,{i},{j},{k},{v},\"           NA\"\r")?;
        } else {
            let q = ((r >> 40) % 1_000_000) as f64 / 1000.0;
            writeln!(w, "2021,{i},{j},{k},{v},\"{q:>13.3}\"\r")?;
        }
    }
    w.flush()
}

fn input() -> (PathBuf, Option<tempfile::TempDir>) {
    if let Some(f) = std::env::var_os("BACI_BENCH_FILE") {
        return (PathBuf::from(f), None);
    }
    let rows = std::env::var("BACI_BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("BACI_HS17_Y2021_V202401.csv");
    generate(&path, rows).expect("writing the bench file");
    (path, Some(dir))
}

fn bench(c: &mut Criterion) {
    let (path, _dir) = input();
    let bytes = std::fs::metadata(&path).expect("bench file").len();
    let mut group = c.benchmark_group("read_baci");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function("csv", |b| {
        b.iter(|| {
            read_baci(&path, &BaciOptions::default())
                .expect("bench file reads")
                .num_rows()
        })
    });
    // The README's form for questions about a few importers: the other rows are scanned only.
    group.bench_function("csv, importers RUS and UKR", |b| {
        let opts = BaciOptions {
            importers: Some(&[643, 804]),
            ..Default::default()
        };
        b.iter(|| read_baci(&path, &opts).expect("bench file reads").num_rows())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
