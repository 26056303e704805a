//! Writes a synthetic, BACI-shaped trade year for benchmarks: fixed seed, same bytes on every machine.
//!
//! ```text
//! cargo run --release --example gen_baci -- --rows 11000000 --out benches/data/
//! # or, without building the tradedep library (std only, seconds to compile):
//! rustc -O --edition 2021 examples/gen_baci.rs -o target/gen_baci && target/gen_baci --rows 2000 --out /tmp/
//! ```
//!
//! The file copies the byte layout of a real BACI V202301 file (see `../shared/data/baci_sample/`):
//! quoted header `"t","i","j","k","v","q"`, CRLF line ends, rows sorted by exporter, importer, product,
//! `i` = exporter and `j` = importer as BACI/Comtrade numeric country codes, `k` = HS6 code written as an
//! integer (chapters 01-09 lose their leading zero), `v` = value in thousands of USD with at most three
//! decimals and trailing zeros dropped (`2.41`, `11`), `q` = metric tons right-aligned to 13 characters in
//! quotes (`"        1.854"`), `"           NA"` where unknown. Every (i, j, k) appears at most once.
//!
//! How the numbers are drawn (a gravity-like shape, heavy tails everywhere):
//! - each country gets a log-normal size; the number of products a pair (i, j) trades grows with
//!   (size_i * size_j)^0.6, capped at the product count, scaled so the file has exactly `--rows` rows;
//! - products are picked without replacement with log-normal popularity weights;
//! - `v` is log-normal (median about 15 thousand USD, long right tail) shifted by pair and product size;
//! - `q` is `v` divided by a log-normal unit price; about 3 % of `q` are `NA`.
//!
//! Country codes: the 229 codes of BACI's V202301 country list that exist after 1993 (typed below);
//! `--country-codes FILE` reads another BACI country list instead. Product codes: the 5,384 HS2017 codes
//! of BACI's product list, read from `--product-codes FILE` or found in the shared data folder
//! (`hs_nomenclature/baci_product_codes_HS17_V202301.csv`); without it, 5,384 HS-shaped codes are made up
//! (the run says which). A `<file>.meta.json` beside the CSV records the parameters and checksums
//! (row count, exact sum of `v`, number of `NA`) that benchmark scripts check every reader against.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// BACI V202301 country list without entities that stopped existing before 1994 (Belgium-Luxembourg 58,
/// Czechoslovakia 200, the two former Germanies 278/280, Netherlands Antilles 530, Southern African
/// Customs Union 711, former Sudan 736, USSR 810, Serbia and Montenegro 891).
const COUNTRY_CODES: [u16; 229] = [
    4, 8, 12, 16, 20, 24, 28, 31, 32, 36, 40, 44, 48, 50, 51, 52, 56, 60, 64, 68, 70, 72, 76, 84, 86, 90, 92, 96, 100,
    104, 108, 112, 116, 120, 124, 132, 136, 140, 144, 148, 152, 156, 162, 166, 170, 174, 175, 178, 180, 184, 188, 191,
    192, 196, 203, 204, 208, 212, 214, 218, 222, 226, 231, 232, 233, 238, 242, 246, 251, 258, 260, 262, 266, 268, 270,
    275, 276, 288, 292, 296, 300, 304, 308, 316, 320, 324, 328, 332, 340, 344, 348, 352, 360, 364, 368, 372, 376, 380,
    384, 388, 392, 398, 400, 404, 408, 410, 414, 417, 418, 422, 426, 428, 430, 434, 440, 442, 446, 450, 454, 458, 462,
    466, 470, 478, 480, 484, 490, 496, 498, 499, 500, 504, 508, 512, 516, 520, 524, 528, 531, 533, 534, 535, 540, 548,
    554, 558, 562, 566, 570, 574, 579, 580, 583, 584, 585, 586, 591, 598, 600, 604, 608, 612, 616, 620, 624, 626, 634,
    642, 643, 646, 652, 654, 659, 660, 662, 666, 670, 674, 678, 682, 686, 688, 690, 694, 697, 699, 702, 703, 704, 705,
    706, 710, 716, 724, 728, 729, 740, 748, 752, 757, 760, 762, 764, 768, 772, 776, 780, 784, 788, 792, 795, 796, 798,
    800, 804, 807, 818, 826, 834, 842, 849, 854, 858, 860, 862, 876, 882, 887, 894,
];

const PRODUCT_FILE_IN_SHARED_DATA: &str = "hs_nomenclature/baci_product_codes_HS17_V202301.csv";
const SYNTHETIC_PRODUCT_COUNT: usize = 5384;

struct Args {
    rows: u64,
    out: PathBuf,
    seed: u64,
    year: u16,
    countries: Option<usize>,
    products: Option<usize>,
    na_share: f64,
    plain_header: bool,
    lf: bool,
    country_codes: Option<PathBuf>,
    product_codes: Option<PathBuf>,
}

const USAGE: &str = "gen_baci [--rows N=11000000] [--out DIR/|FILE=benches/data/] [--seed N=2021]
         [--year YYYY=2021] [--countries N (first N codes)] [--products N (first N codes)]
         [--na-share F=0.03] [--plain-header] [--lf]
         [--country-codes BACI_country_codes.csv] [--product-codes BACI_product_codes.csv]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        rows: 11_000_000,
        out: PathBuf::from("benches/data/"),
        seed: 2021,
        year: 2021,
        countries: None,
        products: None,
        na_share: 0.03,
        plain_header: false,
        lf: false,
        country_codes: None,
        product_codes: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let num = |name: &str, v: String| -> Result<u64, String> {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{name}: expected a whole number, got {v:?}"))
        };
        match flag.as_str() {
            "--rows" => a.rows = num("--rows", value("--rows")?)?,
            "--out" => a.out = PathBuf::from(value("--out")?),
            "--seed" => a.seed = num("--seed", value("--seed")?)?,
            "--year" => {
                let y = num("--year", value("--year")?)?;
                a.year = u16::try_from(y).map_err(|_| format!("--year: {y} is not a year"))?;
            }
            "--countries" => a.countries = Some(num("--countries", value("--countries")?)? as usize),
            "--products" => a.products = Some(num("--products", value("--products")?)? as usize),
            "--na-share" => {
                let v = value("--na-share")?;
                a.na_share = v
                    .parse()
                    .map_err(|_| format!("--na-share: expected a number in [0, 1], got {v:?}"))?;
                if !(0.0..=1.0).contains(&a.na_share) {
                    return Err(format!("--na-share: {} is outside [0, 1]", a.na_share));
                }
            }
            "--plain-header" => a.plain_header = true,
            "--lf" => a.lf = true,
            "--country-codes" => a.country_codes = Some(PathBuf::from(value("--country-codes")?)),
            "--product-codes" => a.product_codes = Some(PathBuf::from(value("--product-codes")?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(a)
}

/// xoshiro256** seeded through SplitMix64: small, fast, and the same stream everywhere (no crate
/// version can change the file).
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the tiny bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
    /// Standard normal (Box-Muller; one of the pair is dropped to keep the stream simple).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Walker's alias table: draws an index with probability proportional to its weight in O(1).
struct Alias {
    prob: Vec<f64>,
    alias: Vec<usize>,
}

impl Alias {
    fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut prob = vec![1.0; n];
        let mut alias: Vec<usize> = (0..n).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = scaled[s];
            alias[s] = l;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Alias { prob, alias }
    }
    fn draw(&self, rng: &mut Rng) -> usize {
        let i = rng.below(self.prob.len());
        if rng.uniform() < self.prob[i] {
            i
        } else {
            self.alias[i]
        }
    }
}

/// The shared data folder, found the way the tests find it.
fn shared_data() -> Option<PathBuf> {
    // Under cargo, relative to the checkout; compiled with plain rustc, relative to the working directory.
    let here = Path::new(option_env!("CARGO_MANIFEST_DIR").unwrap_or("."));
    [
        std::env::var_os("TRADEDEP_SHARED_DATA").map(PathBuf::from),
        Some(here.join("../shared/data")),
        Some(here.join("../../shared/data")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.join("README.md").exists())
}

/// First column of a BACI code list (`code;...` or `"code","..."`), as numbers, header skipped.
fn read_code_column(path: &Path) -> Result<Vec<u32>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut codes = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let first = line
            .split([';', ','])
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .trim();
        if first.is_empty() {
            continue;
        }
        let code = first.parse::<u32>().map_err(|_| {
            format!(
                "{}:{}: first column {first:?} is not a numeric code",
                path.display(),
                n + 1
            )
        })?;
        codes.push(code);
    }
    if codes.is_empty() {
        return Err(format!("{}: no codes found", path.display()));
    }
    codes.sort_unstable();
    codes.dedup();
    Ok(codes)
}

/// HS-shaped six-digit codes (chapters 1-97 without 77), used when no real product list is at hand.
fn synthetic_products(n: usize) -> Vec<u32> {
    let chapters: Vec<u32> = (1..=97).filter(|&c| c != 77).collect();
    let mut codes: Vec<u32> = (0..n)
        .map(|idx| {
            let chapter = chapters[idx * chapters.len() / n];
            let within = (idx * chapters.len()) % n; // spreads codes inside the chapter
            let heading = 1 + (within * 7) % 90;
            let sub = 10 + (within * 13) % 90;
            chapter * 10_000 + heading as u32 * 100 + sub as u32
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Appends `n` in decimal.
fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends thousandths `m` as BACI writes `v`: `11`, `2.41`, `0.001` (trailing zeros dropped).
fn push_value(buf: &mut Vec<u8>, m: u64) {
    push_u64(buf, m / 1000);
    let mut frac = m % 1000;
    if frac != 0 {
        let mut digits = 3;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        buf.push(b'.');
        let s = frac.to_string();
        for _ in s.len()..digits {
            buf.push(b'0');
        }
        buf.extend_from_slice(s.as_bytes());
    }
}

/// Appends thousandths `m` as BACI writes `q`: quoted, three decimals, right-aligned to 13 characters.
fn push_quantity(buf: &mut Vec<u8>, m: Option<u64>) {
    let mut field = Vec::with_capacity(16);
    match m {
        Some(m) => {
            push_u64(&mut field, m / 1000);
            field.push(b'.');
            let frac = m % 1000;
            field.push(b'0' + (frac / 100) as u8);
            field.push(b'0' + (frac / 10 % 10) as u8);
            field.push(b'0' + (frac % 10) as u8);
        }
        None => field.extend_from_slice(b"NA"),
    }
    buf.push(b'"');
    for _ in field.len()..13 {
        buf.push(b' ');
    }
    buf.extend_from_slice(&field);
    buf.push(b'"');
}

/// Picks how many products each ordered pair trades so that the counts add up to exactly `rows`.
fn products_per_pair(sizes: &[f64], n_products: usize, rows: u64) -> Result<Vec<u32>, String> {
    let n = sizes.len();
    let cap = n_products as f64;
    let capacity = (n * (n - 1)) as u64 * n_products as u64;
    if rows > capacity {
        return Err(format!(
            "--rows {rows} is more than {n} countries x {} partners x {n_products} products = {capacity} rows",
            n - 1
        ));
    }
    let mut attraction = Vec::with_capacity(n * n);
    for i in 0..n {
        for j in 0..n {
            attraction.push(if i == j { 0.0 } else { (sizes[i] * sizes[j]).powf(0.6) });
        }
    }
    let expected = |scale: f64| -> f64 { attraction.iter().map(|a| (a * scale).min(cap)).sum() };
    // Bisection on the scale: the capped sum grows with it.
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while expected(hi) < rows as f64 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if expected(mid) < rows as f64 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let real: Vec<f64> = attraction.iter().map(|a| (a * hi).min(cap)).collect();
    let mut counts: Vec<u32> = real.iter().map(|r| r.floor() as u32).collect();
    let assigned: u64 = counts.iter().map(|&c| c as u64).sum();
    // Largest remainders first, never above the cap, until the total is exact.
    let mut order: Vec<usize> = (0..real.len()).filter(|&p| attraction[p] > 0.0).collect();
    order.sort_by(|&a, &b| {
        (real[b] - real[b].floor())
            .total_cmp(&(real[a] - real[a].floor()))
            .then(a.cmp(&b))
    });
    let mut missing = rows.saturating_sub(assigned);
    while missing > 0 {
        let before = missing;
        for &p in &order {
            if missing == 0 {
                break;
            }
            if (counts[p] as usize) < n_products {
                counts[p] += 1;
                missing -= 1;
            }
        }
        if missing == before {
            return Err("internal: could not place all rows".into());
        }
    }
    Ok(counts)
}

fn run(a: Args) -> Result<(), String> {
    let started = Instant::now();
    let mut countries: Vec<u32> = match &a.country_codes {
        Some(p) => read_code_column(p)?,
        None => COUNTRY_CODES.iter().map(|&c| c as u32).collect(),
    };
    if let Some(n) = a.countries {
        countries.truncate(n);
    }
    if countries.len() < 2 {
        return Err("need at least 2 countries".into());
    }
    let product_file = a.product_codes.clone().or_else(|| {
        shared_data()
            .map(|d| d.join(PRODUCT_FILE_IN_SHARED_DATA))
            .filter(|p| p.exists())
    });
    let (mut products, product_source) = match &product_file {
        Some(p) => (
            read_code_column(p)?,
            p.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
        None => (
            synthetic_products(SYNTHETIC_PRODUCT_COUNT),
            "synthetic HS-shaped codes".to_string(),
        ),
    };
    if let Some(n) = a.products {
        products.truncate(n);
    }
    if products.is_empty() {
        return Err("need at least 1 product".into());
    }

    let out = if a.out.is_dir() || a.out.to_string_lossy().ends_with('/') {
        std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {e}", a.out.display()))?;
        a.out
            .join(format!("BACI_synthetic_Y{}_{}rows_seed{}.csv", a.year, a.rows, a.seed))
    } else {
        a.out.clone()
    };

    let mut rng = Rng::new(a.seed);
    let nc = countries.len();
    let np = products.len();
    // Log-normal sizes: a few giants, many small economies.
    let sizes: Vec<f64> = (0..nc).map(|_| (1.6 * rng.normal()).exp()).collect();
    let popularity: Vec<f64> = (0..np).map(|_| (1.0 * rng.normal()).exp()).collect();
    let log_pop: Vec<f64> = popularity.iter().map(|p| p.ln()).collect();
    let alias = Alias::new(&popularity);
    let counts = products_per_pair(&sizes, np, a.rows)?;

    let file = File::create(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut w = BufWriter::with_capacity(8 << 20, file);
    let eol: &[u8] = if a.lf { b"\n" } else { b"\r\n" };
    let header: &[u8] = if a.plain_header {
        b"t,i,j,k,v,q"
    } else {
        b"\"t\",\"i\",\"j\",\"k\",\"v\",\"q\""
    };
    let io_err = |e: std::io::Error| format!("cannot write {}: {e}", out.display());
    w.write_all(header).map_err(io_err)?;
    w.write_all(eol).map_err(io_err)?;

    let mut stamp = vec![u32::MAX; np]; // stamp[k] == pair id: product k already chosen for this pair
    let mut chosen: Vec<usize> = Vec::with_capacity(np);
    let mut line = Vec::with_capacity(64);
    let mut buf = Vec::with_capacity(1 << 20);
    let (mut rows_written, mut value_sum_millis, mut na_count) = (0u64, 0u128, 0u64);
    let mut year = Vec::new();
    push_u64(&mut year, a.year as u64);

    for i in 0..nc {
        for j in 0..nc {
            let pair = i * nc + j;
            let n = counts[pair] as usize;
            if n == 0 {
                continue;
            }
            chosen.clear();
            let tag = pair as u32;
            if n * 2 <= np {
                // Weighted draws without replacement; after many misses fall back to a uniform scan.
                let mut tries = 0usize;
                while chosen.len() < n && tries < 64 * n + 1000 {
                    let k = alias.draw(&mut rng);
                    tries += 1;
                    if stamp[k] != tag {
                        stamp[k] = tag;
                        chosen.push(k);
                    }
                }
                let mut k = rng.below(np);
                while chosen.len() < n {
                    if stamp[k] != tag {
                        stamp[k] = tag;
                        chosen.push(k);
                    }
                    k = (k + 1) % np;
                }
            } else {
                // Dense pair: drop np - n products uniformly, keep the rest.
                let mut dropped = 0;
                while dropped < np - n {
                    let k = rng.below(np);
                    if stamp[k] != tag {
                        stamp[k] = tag;
                        dropped += 1;
                    }
                }
                chosen.extend((0..np).filter(|&k| stamp[k] != tag));
            }
            chosen.sort_unstable();
            let pair_effect = 0.35 * (sizes[i] * sizes[j]).ln();
            for &k in &chosen {
                let log_v = 2.7 + pair_effect + 0.5 * log_pop[k] + 2.6 * rng.normal();
                let v = (log_v.exp() * 1000.0).round().clamp(1.0, 2.0e11) as u64; // thousandths, <= 200 bn USD
                let q = if rng.uniform() < a.na_share {
                    na_count += 1;
                    None
                } else {
                    let price = (1.6 + 1.5 * rng.normal()).exp(); // thousand USD per ton
                    Some((v as f64 / price).round().min(9.0e12) as u64)
                };
                line.clear();
                line.extend_from_slice(&year);
                line.push(b',');
                push_u64(&mut line, countries[i] as u64);
                line.push(b',');
                push_u64(&mut line, countries[j] as u64);
                line.push(b',');
                push_u64(&mut line, products[k] as u64);
                line.push(b',');
                push_value(&mut line, v);
                line.push(b',');
                push_quantity(&mut line, q);
                line.extend_from_slice(eol);
                buf.extend_from_slice(&line);
                rows_written += 1;
                value_sum_millis += v as u128;
            }
            if buf.len() > (1 << 20) - 4096 {
                w.write_all(&buf).map_err(io_err)?;
                buf.clear();
            }
        }
    }
    w.write_all(&buf).map_err(io_err)?;
    w.flush().map_err(io_err)?;
    drop(w);
    let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);

    let meta = format!(
        "{{\n  \"generator\": \"examples/gen_baci.rs\",\n  \"file\": \"{}\",\n  \"rows\": {rows_written},\n  \
         \"bytes\": {bytes},\n  \"seed\": {},\n  \"year\": {},\n  \"countries\": {nc},\n  \"products\": {np},\n  \
         \"product_codes\": \"{}\",\n  \"value_sum_thousandths\": {value_sum_millis},\n  \"q_na\": {na_count},\n  \
         \"plain_header\": {},\n  \"crlf\": {}\n}}\n",
        out.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        a.seed,
        a.year,
        product_source.replace('\\', "/").replace('"', "'"),
        a.plain_header,
        !a.lf
    );
    let meta_path = PathBuf::from(format!("{}.meta.json", out.display()));
    std::fs::write(&meta_path, meta).map_err(|e| format!("cannot write {}: {e}", meta_path.display()))?;
    eprintln!(
        "wrote {} ({rows_written} rows, {:.1} MB, {nc} countries, {np} products from {product_source}) in {:.1} s",
        out.display(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    println!("{}", out.display());
    Ok(())
}

fn main() -> ExitCode {
    match parse_args().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("gen_baci: {msg}");
            }
            eprintln!("usage: {USAGE}");
            if msg.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
    }
}
