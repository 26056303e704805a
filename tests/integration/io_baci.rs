//! BACI reader against independent computations: the real sample parsed with std's parser,
//! and small files and archives written by the tests themselves.

use std::io::{Read, Write};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt16Type};
use arrow_array::Array;
use tradedep::io::baci::{read_baci, read_baci_bytes, BaciOptions, OnUnknownCountry, REASON_YEAR};
use tradedep::{Error, TradeTable, Vintage};

/// Rows of the table as (period, reporter, partner, product, value, quantity).
pub(crate) fn rows(t: &TradeTable) -> Vec<(i32, u16, u16, String, f64, Option<f64>)> {
    let mut out = Vec::new();
    for b in t.batches() {
        let period = b.column(0).as_primitive::<Int32Type>();
        let rep = b.column(1).as_primitive::<UInt16Type>();
        let par = b.column(2).as_primitive::<UInt16Type>();
        let prod = b.column(4).as_dictionary::<Int32Type>();
        let prod_values = prod.values().as_string::<i32>();
        let value = b.column(5).as_primitive::<Float64Type>();
        let qty = b.column(7).as_primitive::<Float64Type>();
        for r in 0..b.num_rows() {
            out.push((
                period.value(r),
                rep.value(r),
                par.value(r),
                prod_values.value(prod.keys().value(r) as usize).to_string(),
                value.value(r),
                qty.is_valid(r).then(|| qty.value(r)),
            ));
        }
    }
    out
}

/// An independent reading of BACI text: std's split and `str::parse::<f64>`.
pub(crate) fn reference_rows(text: &str) -> Vec<(i32, u16, u16, String, f64, Option<f64>)> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<String> = l
                .trim_end_matches('\r')
                .split(',')
                .map(|s| s.trim().trim_matches('"').trim().to_string())
                .collect();
            let q = match f[5].as_str() {
                "" | "NA" => None,
                q => Some(q.parse::<f64>().unwrap()),
            };
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                format!("{:0>6}", f[3]),
                f[4].parse::<f64>().unwrap() * 1000.0,
                q,
            )
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn real_sample_matches_an_independent_parse() {
    let path = data_or_skip!("baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz");
    let table = read_baci(&path, &BaciOptions::default()).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let expected = reference_rows(&text);
    assert_eq!(table.num_rows(), expected.len());
    assert_eq!(table.num_rows(), 71192, "PROVENANCE.md says 71,192 rows");
    let got = rows(&table);
    assert_eq!(got, expected);
    let sum_got: f64 = got.iter().map(|r| r.4).sum();
    let sum_expected: f64 = expected.iter().map(|r| r.4).sum();
    assert_eq!(sum_got, sum_expected);
    assert_eq!(table.meta().vintage, Some(Vintage::Hs(1992)));
    assert_eq!(table.meta().currency, "USD");
    let r = table.report();
    assert_eq!((r.rows_read, r.rows_kept), (71192, 71192));
    assert!(r.is_balanced());
    // Every table invariant holds (known codes, 6-digit products, quantities with unit).
    table.validate().unwrap();
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn real_sample_with_small_chunks_is_the_same_table() {
    let path = data_or_skip!("baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz");
    let whole = read_baci(&path, &BaciOptions::default()).unwrap();
    let chunked = read_baci(
        &path,
        &BaciOptions {
            chunk_bytes: 100_000,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(chunked.batches().len() > 10);
    assert_eq!(rows(&whole), rows(&chunked));
}

const SMALL: &str = "\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n\
2021,4,24,382390,52.051,\"       13.235\"\r\n\
2021,4,36,10121,11.581,\"           NA\"\r\n\
2021,710,643,854231,0.1,\"        0.022\"\r\n\
2021,710,156,90111,3.403,\r\n";

#[test]
fn small_file_maps_to_canonical_columns() {
    let t = read_baci_bytes(SMALL.as_bytes(), "BACI_HS17_Y2021_V202401.csv", &BaciOptions::default()).unwrap();
    let r = rows(&t);
    assert_eq!(r[0], (2021, 4, 24, "382390".into(), 52051.0, Some(13.235)));
    assert_eq!(r[1], (2021, 4, 36, "010121".into(), 11581.0, None));
    assert_eq!(r[2].4, 0.1 * 1000.0);
    assert_eq!(r[3].3, "090111");
    assert_eq!(r[3].5, None);
    let b = &t.batches()[0];
    let flow = b.column(3).as_dictionary::<arrow_array::types::Int8Type>();
    let flow_values = flow.values().as_string::<i32>();
    assert!((0..4).all(|i| flow_values.value(flow.keys().value(i) as usize) == "export"));
    let unit = b.column(8).as_dictionary::<arrow_array::types::Int8Type>();
    assert_eq!(
        unit.values().as_string::<i32>().value(unit.keys().value(0) as usize),
        "t"
    );
    assert!(unit.is_null(1));
    let basis = b.column(6).as_dictionary::<arrow_array::types::Int8Type>();
    assert_eq!(
        basis.values().as_string::<i32>().value(basis.keys().value(0) as usize),
        "FOB"
    );
    let source = b.column(11).as_dictionary::<arrow_array::types::Int8Type>();
    assert_eq!(source.values().as_string::<i32>().value(0), "BACI");
    assert_eq!(t.meta().vintage, Some(Vintage::Hs(2017)));
    t.validate().unwrap();
}

#[test]
fn vintage_comes_from_argument_when_the_name_lacks_it() {
    let err = read_baci_bytes(SMALL.as_bytes(), "trade.csv", &BaciOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }));
    assert!(err.to_string().contains("vintage="), "{err}");
    let t = read_baci_bytes(
        SMALL.as_bytes(),
        "trade.csv",
        &BaciOptions {
            vintage: Some(Vintage::Hs(2012)),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(t.meta().vintage, Some(Vintage::Hs(2012)));
}

#[test]
fn years_option_sets_rows_aside_with_a_reason() {
    let text = format!("{SMALL}2020,4,24,382390,1.0,NA\n");
    let years = [2020];
    let t = read_baci_bytes(
        text.as_bytes(),
        "baci_hs17_mixed.csv",
        &BaciOptions {
            years: Some(&years),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(t.num_rows(), 1);
    let r = t.report();
    assert_eq!(r.rows_read, 5);
    assert_eq!(r.set_aside.get(REASON_YEAR), Some(&4));
    assert!(r.is_balanced());
}

#[test]
fn unknown_country_is_an_error_or_set_aside() {
    let text = "t,i,j,k,v,q\n2021,4,24,382390,1.0,NA\n2021,4,0,382390,1.0,NA\n";
    let err = read_baci_bytes(text.as_bytes(), "BACI_HS17_Y2021_V202401.csv", &BaciOptions::default()).unwrap_err();
    assert!(matches!(err, Error::UnknownCountry { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("line 3") && msg.contains("column 'j'") && msg.contains("\"0\""),
        "{msg}"
    );
    let t = read_baci_bytes(
        text.as_bytes(),
        "BACI_HS17_Y2021_V202401.csv",
        &BaciOptions {
            on_unknown_country: OnUnknownCountry::SetAside,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(t.num_rows(), 1);
    assert_eq!(t.report().examples.get("unknown country code").unwrap()[0].0, 3);
}

#[test]
fn error_line_numbers_are_right_across_chunks() {
    let mut text = String::from("t,i,j,k,v,q\n");
    for n in 0..500 {
        text.push_str(&format!("2021,4,24,{},{}.5,NA\n", 100000 + n, n));
    }
    text.push_str("2021,4,24,382390,abc,NA\n");
    let opts = BaciOptions {
        chunk_bytes: 256,
        ..Default::default()
    };
    let err = read_baci_bytes(text.as_bytes(), "BACI_HS17_Y2021_V202401.csv", &opts).unwrap_err();
    assert!(matches!(err, Error::Parse { .. }));
    assert!(err.to_string().contains("line 502"), "{err}");
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn progress_reaches_the_total() {
    let path = data_or_skip!("baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz");
    let size = std::fs::metadata(&path).unwrap().len();
    let last = std::sync::Mutex::new((0u64, 0u64));
    let cb = |done: u64, total: u64| *last.lock().unwrap() = (done, total);
    read_baci(
        &path,
        &BaciOptions {
            progress: Some(&cb),
            chunk_bytes: 200_000,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(*last.lock().unwrap(), (size, size));
}

// ---- archives ------------------------------------------------------------------------------

fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in members {
            w.start_file(*name, opts).unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

const Y2017: &str = "t,i,j,k,v,q\n2017,4,24,10121,1.5,2\n2017,710,643,854231,2.25,NA\n";
const Y2018: &str = "t,i,j,k,v,q\n2018,4,24,10121,4,NA\n";
const COUNTRIES: &str = "country_code,country_name,country_iso2,country_iso3\n4,Afghanistan,AF,AFG\n24,Angola,AO,AGO\n643,Russian Federation,RU,RUS\n710,South Africa,ZA,ZAF\n";
const PRODUCTS: &str = "code,description\n010121,Horses\n";

#[test]
fn archive_reads_all_years_or_those_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("BACI_HS17_V202401.zip");
    std::fs::write(
        &path,
        zip_of(&[
            ("BACI_HS17_Y2018_V202401.csv", Y2018),
            ("BACI_HS17_Y2017_V202401.csv", Y2017),
            ("country_codes_V202401.csv", COUNTRIES),
            ("product_codes_HS17_V202401.csv", PRODUCTS),
        ]),
    )
    .unwrap();
    let t = read_baci(&path, &BaciOptions::default()).unwrap();
    let r = rows(&t);
    assert_eq!(r.len(), 3);
    // Members are read in year order whatever their order in the archive.
    assert_eq!(r.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2017, 2017, 2018]);
    assert_eq!(r[1].4, 2250.0);
    assert_eq!(t.meta().vintage, Some(Vintage::Hs(2017)));
    assert_eq!(
        t.report().sources,
        vec!["BACI_HS17_Y2017_V202401.csv", "BACI_HS17_Y2018_V202401.csv"]
    );
    // 854231 is not in the (hand-made, one-line) product codes file: the report says so.
    assert!(
        t.report()
            .notes
            .iter()
            .any(|n| n.contains("854231") && n.contains("product_codes_HS17_V202401.csv")),
        "{:?}",
        t.report().notes
    );

    let years = [2018];
    let t = read_baci(
        &path,
        &BaciOptions {
            years: Some(&years),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(t.num_rows(), 1);
    let years = [2019];
    let err = read_baci(
        &path,
        &BaciOptions {
            years: Some(&years),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("2019") && err.to_string().contains("2017, 2018"),
        "{err}"
    );
}

#[test]
fn archive_country_file_is_checked_against_our_table() {
    let countries = format!("{COUNTRIES}0,World,,WLD\n");
    let bytes = zip_of(&[
        ("BACI_HS17_Y2017_V202401.csv", Y2017),
        ("country_codes_V202401.csv", &countries),
    ]);
    let t = read_baci_bytes(&bytes, "BACI_HS17_V202401.zip", &BaciOptions::default()).unwrap();
    assert!(
        t.report().notes.iter().any(|n| n.contains("unknown to tradedep: 0")),
        "{:?}",
        t.report().notes
    );
}

#[test]
fn archive_with_two_vintages_is_refused() {
    let bytes = zip_of(&[
        ("BACI_HS17_Y2017_V202401.csv", Y2017),
        ("BACI_HS22_Y2022_V202401.csv", Y2018),
    ]);
    let err = read_baci_bytes(&bytes, "mixed.zip", &BaciOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidData { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("HS2017") && msg.contains("HS2022") && msg.contains("mixed.zip"),
        "{msg}"
    );
}

#[test]
fn gz_and_plain_give_the_same_table() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(SMALL.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let name = "BACI_HS17_Y2021_V202401.csv";
    let a = read_baci_bytes(SMALL.as_bytes(), name, &BaciOptions::default()).unwrap();
    let b = read_baci_bytes(&gz, &format!("{name}.gz"), &BaciOptions::default()).unwrap();
    assert_eq!(rows(&a), rows(&b));
}

mod agreement {
    //! Well-formed rows in every spelling BACI uses (quoted or not, padded, CRLF, NA, blank)
    //! read the same as the independent reference parse, whichever internal path they take.
    use super::*;
    use proptest::prelude::*;

    fn field(digits: String, quote: bool, pad: usize) -> String {
        let padded = format!("{}{digits}", " ".repeat(pad));
        if quote {
            format!("\"{padded}\"")
        } else {
            digits
        }
    }

    prop_compose! {
        fn row()(i in prop::sample::select(vec![4u16, 24, 36, 156, 643, 710, 842]),
                 j in prop::sample::select(vec![4u16, 24, 36, 156, 643, 710, 842]),
                 k in 10_000u32..1_000_000,
                 v_int in 0u64..100_000_000, v_frac in 0u32..1000, v_dec in 0usize..4,
                 q in prop::option::of((0u64..10_000_000, 0u32..1000)),
                 q_style in 0u8..4, quote_ints in any::<bool>(), pad in 0usize..12, crlf in any::<bool>())
                 -> String {
            let v = match v_dec { 0 => v_int.to_string(), n => format!("{v_int}.{:0width$}", v_frac % 10u32.pow(n as u32), width = n) };
            let q = match (q, q_style) {
                (None, 0) => "\"           NA\"".to_string(),
                (None, 1) => "NA".to_string(),
                (None, _) => String::new(),
                (Some((a, b)), 0 | 1) => field(format!("{a}.{b:03}"), true, pad),
                (Some((a, b)), _) => format!("{a}.{b:03}"),
            };
            format!("{},{},{},{},{},{}{}",
                field("2021".into(), quote_ints, 0), field(i.to_string(), quote_ints, 0),
                field(j.to_string(), false, 0), k, v, q, if crlf { "\r\n" } else { "\n" })
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_spelling_reads_like_the_reference(rows in prop::collection::vec(row(), 1..60), chunk in 0usize..3) {
            let text = format!("\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n{}", rows.concat());
            let options = BaciOptions { chunk_bytes: [0, 300, 1000][chunk], ..Default::default() };
            let t = read_baci_bytes(text.as_bytes(), "BACI_HS17_Y2021_V202401.csv", &options).unwrap();
            prop_assert_eq!(super::rows(&t), reference_rows(&text));
        }
    }
}

#[test]
fn years_within_one_file_stay_on_their_rows() {
    // A panel file: years change inside chunks and at chunk boundaries, and come back. A
    // one-year chunk shares a constant year column; the others write each row's year.
    let mut text = String::from("\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n");
    for r in 0..3_000u32 {
        let t = [2019, 2020, 2021, 2020][(r / 700) as usize % 4];
        let q = if r % 9 == 0 {
            "NA".to_string()
        } else {
            format!("{}.125", r % 50)
        };
        text.push_str(&format!("{t},4,24,{},{}.5,\"{q:>13}\"\r\n", 10121 + r, r % 97));
    }
    let expected = reference_rows(&text);
    for chunk_bytes in [0usize, 1000, 7000, 50_000] {
        let opts = BaciOptions {
            chunk_bytes,
            ..Default::default()
        };
        let t = read_baci_bytes(text.as_bytes(), "BACI_HS17_V202401.csv", &opts).unwrap();
        assert_eq!(rows(&t), expected, "chunk_bytes {chunk_bytes}");
    }
    // And a one-year file of many chunks: every batch has the year.
    let one_year: String = text
        .lines()
        .enumerate()
        .map(|(n, l)| {
            if n == 0 {
                l.to_string()
            } else {
                format!("2021{}", &l[4..])
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let t = read_baci_bytes(
        one_year.as_bytes(),
        "BACI_HS17_Y2021_V202401.csv",
        &BaciOptions {
            chunk_bytes: 1000,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(t.batches().len() > 10);
    assert!(rows(&t).iter().all(|r| r.0 == 2021));
    assert_eq!(t.num_rows(), 3_000);
}

#[test]
fn a_mapped_file_reads_as_the_same_bytes_streamed() {
    // Plain files on disk are mapped window by window (offsets on 64 KB boundaries, chunks
    // ending at line breaks anywhere; the first chunks 1 MB, 2 MB... up to the chunk size);
    // bytes in memory and gzip are streamed. Same rows.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n");
    for r in 0..80_000u32 {
        let q = if r % 11 == 0 {
            "NA".to_string()
        } else {
            format!("{}.{:03}", r % 777, r % 1000)
        };
        text.push_str(&format!(
            "2021,{},842,{},{}.25,\"{q:>13}\"\r\n",
            [4, 251, 710][r as usize % 3],
            10121 + r,
            r
        ));
    }
    // No line break after the last row.
    text.push_str("2021,4,24,382390,52.051,\"       13.235\"");
    let path = dir.path().join("BACI_HS17_Y2021_V202401.csv");
    std::fs::write(&path, &text).unwrap();
    let expected = reference_rows(&text);
    assert!(text.len() > 3 << 20);
    for chunk_bytes in [0usize, 3_000, 65_536, 65_537, 200_000, 8 << 20] {
        let opts = BaciOptions {
            chunk_bytes,
            ..Default::default()
        };
        let mapped = read_baci(&path, &opts).unwrap();
        assert_eq!(rows(&mapped), expected, "chunk_bytes {chunk_bytes}");
        let streamed = read_baci_bytes(text.as_bytes(), "BACI_HS17_Y2021_V202401.csv", &opts).unwrap();
        assert_eq!(mapped.report().rows_read, streamed.report().rows_read);
    }
    // An error deep in the file names the same line either way.
    let bad = text.replacen(",10133,", ",1x133,", 1);
    std::fs::write(&path, &bad).unwrap();
    let opts = BaciOptions {
        chunk_bytes: 3_000,
        ..Default::default()
    };
    let mapped = read_baci(&path, &opts).unwrap_err().to_string();
    let streamed = read_baci_bytes(bad.as_bytes(), "BACI_HS17_Y2021_V202401.csv", &opts)
        .unwrap_err()
        .to_string();
    assert_eq!(mapped, streamed);
    assert!(mapped.contains("line 14"), "{mapped}");
}
