//! Robustness of the Comtrade and Comext readers on damaged real files: the bytes of the files
//! in shared/data (and the bulk .dat fixture) are truncated at random offsets, have bytes
//! flipped, inserted or deleted, and have delimiters, quotes and line ends swapped. Whatever the
//! damage, a reader returns a valid, balanced table or a typed [`Error`] that names the file;
//! it never panics (a panic fails the property). Compressed inputs (`.gz`, `.7z`) are damaged
//! too, since their decoders sit in front of the parsers.
//!
//! The fuzz targets in fuzz/ explore the same space with coverage guidance; this test runs in
//! every `cargo test` and starts from real files rather than from nothing.

use crate::common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tradedep::io::comext::{read_comext, read_comext_reader, ComextLevel, ComextOptions};
use tradedep::io::comtrade::{read_comtrade, read_comtrade_bytes, Breakdown, CommodityLevel, ComtradeOptions};
use tradedep::model::Freq;
use tradedep::{Error, TradeTable};

/// One change to a byte string. Positions are taken modulo the current length, so a mutation
/// applies to any input.
#[derive(Debug, Clone)]
enum Mutation {
    /// Keep the first `at` bytes.
    Truncate { at: usize },
    /// XOR the byte at `at` with `mask` (non-zero).
    Flip { at: usize, mask: u8 },
    /// Insert `bytes` before `at`.
    Insert { at: usize, bytes: Vec<u8> },
    /// Remove `len` bytes from `at`.
    Delete { at: usize, len: usize },
    /// Replace every `from` by `to` from `at` to the end (`at` 0: the whole file, header too).
    Swap { from: u8, to: u8, at: usize },
}

/// Bytes that structure CSV and JSON: delimiters, quotes, line ends, brackets.
const STRUCTURAL: &[u8] = b",;\t|\"'\n\r {}[]:.-0";

fn structural() -> impl Strategy<Value = u8> {
    proptest::sample::select(STRUCTURAL)
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        at.prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..8),
                proptest::collection::vec(structural(), 1..4)
            ]
        )
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (structural(), structural(), prop_oneof![Just(0usize), any::<usize>()])
            .prop_map(|(from, to, at)| Mutation::Swap { from, to, at }),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..5)
}

fn apply(bytes: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for m in muts {
        let n = b.len();
        let pos = |at: usize| if n == 0 { 0 } else { at % (n + 1) };
        match m {
            Mutation::Truncate { at } => b.truncate(pos(*at)),
            Mutation::Flip { at, mask } => {
                if n > 0 {
                    b[at % n] ^= mask;
                }
            }
            Mutation::Insert { at, bytes } => {
                let p = pos(*at);
                b.splice(p..p, bytes.iter().copied());
            }
            Mutation::Delete { at, len } => {
                let p = pos(*at);
                b.drain(p..(p + len).min(n));
            }
            Mutation::Swap { from, to, at } => {
                for x in b.iter_mut().skip(pos(*at)) {
                    if x == from {
                        *x = *to;
                    }
                }
            }
        }
    }
    b
}

/// Outcomes of the damaged reads of one test: tables, and errors by kind.
#[derive(Default, Debug)]
struct Outcomes {
    tables: u32,
    errors: std::collections::BTreeMap<&'static str, u32>,
}

fn record(seen: &std::cell::RefCell<Outcomes>, result: &tradedep::error::Result<TradeTable>) {
    let mut o = seen.borrow_mut();
    match result {
        Ok(_) => o.tables += 1,
        Err(e) => *o.errors.entry(kind(e)).or_default() += 1,
    }
}

fn kind(e: &Error) -> &'static str {
    match e {
        Error::Io { .. } => "Io",
        Error::Format { .. } => "Format",
        Error::Parse { .. } => "Parse",
        Error::InvalidData { .. } => "InvalidData",
        Error::UnknownCountry { .. } => "UnknownCountry",
        Error::InvalidProduct { .. } => "InvalidProduct",
        Error::Schema { .. } => "Schema",
        Error::InvalidArgument { .. } => "InvalidArgument",
        _ => "other",
    }
}

/// Both outcomes occur: damage that leaves rows readable gives tables, other damage errors.
/// (A run where every case errors would mean the mutations never reach the row parsing.)
fn assert_both(cell: &std::cell::RefCell<Outcomes>, test: &str) {
    let o = cell.borrow();
    eprintln!("{test}: {o:?}");
    assert!(o.tables > 0 && !o.errors.is_empty(), "{test}: {o:?}");
}

/// Ok: a valid table whose report accounts for every row. Err: a typed error, and the errors
/// about the file's content name the file.
fn check(
    result: tradedep::error::Result<TradeTable>,
    name: &str,
    seen: &std::cell::RefCell<Outcomes>,
) -> Result<(), TestCaseError> {
    record(seen, &result);
    match result {
        Ok(t) => {
            prop_assert!(t.report().is_balanced(), "{}", t.report());
            prop_assert_eq!(t.report().rows_kept as usize, t.num_rows());
            if let Err(e) = t.validate() {
                return Err(TestCaseError::fail(format!(
                    "a reader returned a table that fails validation: {e}"
                )));
            }
        }
        Err(e) => {
            let msg = e.to_string();
            match &e {
                Error::Format { .. } | Error::Parse { .. } | Error::InvalidData { .. } | Error::Io { .. } => {
                    prop_assert!(msg.contains(name), "error does not name the file {name}: {msg}");
                }
                Error::InvalidProduct { .. }
                | Error::UnknownCountry { .. }
                | Error::Schema { .. }
                | Error::InvalidArgument { .. } => {
                    prop_assert!(!msg.is_empty());
                }
                other => {
                    return Err(TestCaseError::fail(format!(
                        "unexpected error kind for damaged input: {other:?}"
                    )))
                }
            }
        }
    }
    Ok(())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// The first `max` bytes of a file (decompressed), cut after a line end.
fn head(path: &Path, max: usize) -> Vec<u8> {
    let mut bytes = vec![];
    let f = std::fs::File::open(path).unwrap();
    if path.extension().map(|e| e == "gz").unwrap_or(false) {
        flate2::read::GzDecoder::new(f)
            .take(max as u64)
            .read_to_end(&mut bytes)
            .unwrap();
    } else {
        f.take(max as u64).read_to_end(&mut bytes).unwrap();
    }
    if bytes.len() == max {
        if let Some(end) = bytes.iter().rposition(|b| *b == b'\n') {
            bytes.truncate(end + 1);
        }
    }
    bytes
}

fn comtrade_seeds(data: &Path) -> Vec<(String, Vec<u8>)> {
    [
        "comtrade_plus/SamiNakibETU__comtrade_imports_chn_from_rus_2017_2024.csv",
        "comtrade_plus/comtradr__api_response_CHN_ARG_DEU_2010_TOTAL.json",
        "comtrade_plus/laureleallen__semiconductor_trade_CHN_imports_8542_from_USA_2010_2024.csv",
        "comtrade_plus/tvyal__armenia_851713_smartphones_trade_by_partner_monthly_2022_2024_RENAMED_COLS.csv",
        "comtrade_plus/liadslnt__TradeData_4_22_2026_12_19_27_lithium_carbonate_283691_monthly_2024.csv",
        "comtrade_armenia_georgia/comtrade_armenia_hs8703_monthly_2017_2023.csv.gz",
    ]
    .iter()
    .map(|rel| {
        let name = Path::new(rel)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".gz")
            .to_string();
        (name, head(&data.join(rel), 40_000))
    })
    .collect()
}

fn comtrade_options() -> impl Strategy<Value = ComtradeOptions> {
    let level = prop_oneof![
        Just(None),
        Just(Some(CommodityLevel::Total)),
        Just(Some(CommodityLevel::Hs4)),
        Just(Some(CommodityLevel::Hs6))
    ];
    let freq = prop_oneof![Just(None), Just(Some(Freq::Annual)), Just(Some(Freq::Monthly))];
    let breakdown = prop_oneof![Just(Breakdown::Totals), Just(Breakdown::Sum)];
    (breakdown, level, freq).prop_map(|(breakdown, level, freq)| ComtradeOptions {
        breakdown,
        level,
        freq,
        vintage: None,
        cancel: Default::default(),
    })
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn comtrade_reader_survives_damaged_real_files() {
    let data = match common::shared_data() {
        Some(d) => d,
        None => return,
    };
    let seeds = comtrade_seeds(&data);
    // The seeds themselves read (each checked against csv/pandas in io_comtrade.rs).
    for (name, bytes) in &seeds {
        assert!(
            read_comtrade_bytes(bytes, name, &ComtradeOptions::default()).is_ok(),
            "{name}"
        );
    }
    let seen = Default::default();
    runner(600)
        .run(&(0..seeds.len(), mutations(), comtrade_options()), |(i, muts, opts)| {
            let (name, bytes) = &seeds[i];
            check(read_comtrade_bytes(&apply(bytes, &muts), name, &opts), name, &seen)
        })
        .unwrap();
    assert_both(&seen, "comtrade");
}

fn comext_seeds(data: Option<PathBuf>) -> Vec<(String, Vec<u8>)> {
    let dat = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/comext/full202201_sample.dat");
    let mut seeds = vec![("full202201_sample.dat".to_string(), std::fs::read(dat).unwrap())];
    if let Some(d) = data {
        let long = d.join("eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz");
        seeds.push(("eu27_exports_to_ru_sanctioned_cn8_head.csv".into(), head(&long, 30_000)));
    }
    seeds
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn comext_reader_survives_damaged_real_files() {
    let seeds = comext_seeds(common::shared_data());
    for (name, bytes) in &seeds {
        assert!(
            read_comext_reader(&bytes[..], name, &ComextOptions::default()).is_ok(),
            "{name}"
        );
    }
    let opts = (
        prop_oneof![Just(ComextLevel::Cn8), Just(ComextLevel::Hs4)],
        prop_oneof![Just(None), Just(Some(Freq::Monthly))],
    )
        .prop_map(|(level, freq)| ComextOptions {
            level,
            freq,
            vintage: None,
            cancel: Default::default(),
        });
    let seen = Default::default();
    runner(600)
        .run(&(0..seeds.len(), mutations(), opts), |(i, muts, opts)| {
            let (name, bytes) = &seeds[i];
            check(read_comext_reader(&apply(bytes, &muts)[..], name, &opts), name, &seen)
        })
        .unwrap();
    assert_both(&seen, "comext");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Damaged `.gz` files through the path readers: a truncated or corrupted stream is an error
/// naming the file, never a panic and never a silently shorter table taken for the whole (the
/// gzip checksum catches changed data: a table read from a damaged file is the whole table).
#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn damaged_gzip_files_give_errors_not_panics() {
    let Some(data) = common::shared_data() else { return };
    let comtrade_text = comtrade_seeds(&data).remove(0).1;
    let comext_text = comext_seeds(Some(data)).remove(1).1;
    let whole_comtrade = read_comtrade_bytes(&comtrade_text, "x", &ComtradeOptions::default())
        .unwrap()
        .num_rows();
    let whole_comext = read_comext_reader(&comext_text[..], "x", &ComextOptions::default())
        .unwrap()
        .num_rows();
    let (comtrade, comext) = (gzip(&comtrade_text), gzip(&comext_text));
    let dir = tempfile::tempdir().unwrap();
    // Damage the checksum cannot see (the header's modification time) leaves the whole table.
    let p = dir.path().join("mtime.csv.gz");
    let mut touched = comtrade.clone();
    touched[4] ^= 0xff;
    std::fs::write(&p, &touched).unwrap();
    assert_eq!(
        read_comtrade(&p, &ComtradeOptions::default()).unwrap().num_rows(),
        whole_comtrade
    );
    let seen = Default::default();
    runner(150)
        .run(&(any::<bool>(), mutations()), |(is_comtrade, muts)| {
            let (name, bytes) = if is_comtrade {
                ("damaged_comtrade.csv.gz", &comtrade)
            } else {
                ("damaged_comext.csv.gz", &comext)
            };
            let p = dir.path().join(name);
            std::fs::write(&p, apply(bytes, &muts)).unwrap();
            let (result, whole) = if is_comtrade {
                (read_comtrade(&p, &ComtradeOptions::default()), whole_comtrade)
            } else {
                (read_comext(&p, &ComextOptions::default()), whole_comext)
            };
            if let Ok(t) = &result {
                prop_assert_eq!(t.num_rows(), whole, "a damaged .gz gave a partial table");
            }
            check(result, name, &seen)
        })
        .unwrap();
    // Random damage to a compressed stream almost always breaks it: errors only are expected.
    let o = seen.borrow();
    eprintln!("gzip: {o:?}");
    assert!(!o.errors.is_empty(), "{o:?}");
}

/// Damaged `.7z` archives (Eurostat's bulk format) through `read_comext`.
#[test]
fn damaged_7z_archives_give_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.7z");
    let mut w = sevenz_rust2::ArchiveWriter::create(&good).unwrap();
    let dat = comext_seeds(None).remove(0).1;
    w.push_archive_entry(sevenz_rust2::ArchiveEntry::new_file("full202201.dat"), Some(&dat[..]))
        .unwrap();
    w.finish().unwrap();
    let archive = std::fs::read(&good).unwrap();
    assert!(read_comext(&good, &ComextOptions::default()).is_ok());
    let seen = Default::default();
    runner(300)
        .run(&mutations(), |muts| {
            let name = "full202201.7z";
            let p = dir.path().join(name);
            std::fs::write(&p, apply(&archive, &muts)).unwrap();
            check(read_comext(&p, &ComextOptions::default()), name, &seen)
        })
        .unwrap();
    // Random damage to a compressed archive rarely leaves a readable table (7 in 300 in one run),
    // so requiring one would make this test flaky; the property checked is "typed error, no panic".
    let o = seen.borrow();
    eprintln!("7z: {o:?}");
    assert!(!o.errors.is_empty(), "7z: {o:?}");
}

#[test]
fn mutations_do_what_they_say() {
    let s = b"a,b\n1,2\n";
    assert_eq!(apply(s, &[Mutation::Truncate { at: 3 }]), b"a,b");
    assert_eq!(
        apply(
            s,
            &[Mutation::Swap {
                from: b',',
                to: b';',
                at: 0
            }]
        ),
        b"a;b\n1;2\n"
    );
    assert_eq!(
        apply(
            s,
            &[Mutation::Swap {
                from: b',',
                to: b';',
                at: 4
            }]
        ),
        b"a,b\n1;2\n"
    );
    assert_eq!(apply(s, &[Mutation::Flip { at: 0, mask: 0x20 }]), b"A,b\n1,2\n");
    assert_eq!(apply(s, &[Mutation::Delete { at: 3, len: 100 }]), b"a,b");
    assert_eq!(
        apply(
            s,
            &[Mutation::Insert {
                at: 0,
                bytes: b"\"".to_vec()
            }]
        ),
        b"\"a,b\n1,2\n"
    );
    assert_eq!(
        apply(
            b"",
            &[Mutation::Flip { at: 5, mask: 1 }, Mutation::Delete { at: 9, len: 3 }]
        ),
        b""
    );
}
