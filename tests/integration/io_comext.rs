//! Comext reader: the long table in shared/data (checked against an independent csv-crate
//! computation), a bulk .dat of our own and a .7z built here.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int8Type, UInt16Type};
use tradedep::io::comext::{read_comext, ComextLevel, ComextOptions};
use tradedep::io::comtrade::{read_comtrade, ComtradeOptions};
use tradedep::model::{Freq, Vintage};
use tradedep::{Error, TradeTable};

/// (period, reporter, partner, flow, product, value)
fn rows(t: &TradeTable) -> Vec<(i32, u16, u16, String, String, f64)> {
    let mut out = vec![];
    for b in t.batches() {
        let p = b.column(0).as_primitive::<Int32Type>();
        let r = b.column(1).as_primitive::<UInt16Type>();
        let q = b.column(2).as_primitive::<UInt16Type>();
        let f = b.column(3).as_dictionary::<Int8Type>();
        let fv = f.values().as_string::<i32>();
        let k = b.column(4).as_dictionary::<Int32Type>();
        let kv = k.values().as_string::<i32>();
        let v = b.column(5).as_primitive::<Float64Type>();
        for i in 0..b.num_rows() {
            out.push((
                p.value(i),
                r.value(i),
                q.value(i),
                fv.value(f.keys().value(i) as usize).to_string(),
                kv.value(k.keys().value(i) as usize).to_string(),
                v.value(i),
            ));
        }
    }
    out
}

const LONG: &str =
    "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz";

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn processors_to_russia_and_kazakhstan_match_an_independent_sum() {
    let path = data_or_skip!(LONG);
    let t = read_comext(&path, &ComextOptions::default()).unwrap();
    assert_eq!(t.meta().currency, "EUR");
    assert_eq!(t.meta().freq, Freq::Monthly);
    assert_eq!(t.meta().vintage, Some(Vintage::Cn(2020)));
    let r = t.report();
    assert!(r.is_balanced(), "{r}");
    assert!(
        r.notes.iter().any(|n| n.contains("CN2020") && n.contains("2020-2022")),
        "{:?}",
        r.notes
    );

    // Ours: CN 85423190, by partner and year, summed over the 27 reporters.
    let mut ours: BTreeMap<(u16, i32), f64> = BTreeMap::new();
    for (p, _, partner, flow, product, v) in rows(&t) {
        assert_eq!(flow, "export");
        if product == "85423190" {
            *ours.entry((partner, p / 100)).or_default() += v;
        }
    }
    // Theirs: csv crate over the raw file, CN8 rows only.
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut theirs: BTreeMap<(String, i32), f64> = BTreeMap::new();
    let mut cn8 = 0u64;
    let mut hs4 = 0u64;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        match &rec[3] {
            "CN8" => cn8 += 1,
            _ => hs4 += 1,
        }
        if &rec[2] == "85423190" && &rec[3] == "CN8" {
            *theirs
                .entry((rec[1].to_string(), rec[4][..4].parse().unwrap()))
                .or_default() += rec[5].parse::<f64>().unwrap();
        }
    }
    assert_eq!(t.num_rows() as u64, cn8);
    assert_eq!(r.rows_read, cn8 + hs4);
    for ((iso, year), v) in &theirs {
        let code = match iso.as_str() {
            "RU" => 643,
            "KZ" => 398,
            "AM" => 51,
            "KG" => 417,
            "BY" => 112,
            "GE" => 268,
            "UZ" => 860,
            _ => panic!("unexpected partner {iso}"),
        };
        let o = ours.get(&(code, *year)).copied().unwrap_or(0.0);
        assert!((o - v).abs() < 1e-3, "{iso} {year}: reader {o} vs csv {v}");
    }
    // The done-when figures, in millions of EUR.
    let m = |code: u16, y: i32| (ours[&(code, y)] / 1e5).round() / 10.0;
    assert_eq!(m(643, 2021), 465.7);
    assert_eq!(m(643, 2022), 79.1);
    assert_eq!(m(398, 2021), 2.7);
    assert_eq!(m(398, 2022), 7.3);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn hs4_level_and_vintage_are_chosen_by_the_caller() {
    let path = data_or_skip!(LONG);
    let t = read_comext(
        &path,
        &ComextOptions {
            level: ComextLevel::Hs4,
            vintage: Some(Vintage::Cn(2022)),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(t.meta().vintage, Some(Vintage::Cn(2022)));
    assert!(rows(&t).iter().all(|r| r.4.len() == 4));
    assert!(t.report().set_aside.values().sum::<u64>() > 0);
    assert!(t.report().is_balanced());
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn other_files_of_the_folder_are_refused_with_a_reason() {
    for f in [
        "eu27_total_exports_by_partner_annual.csv",
        "eu_member_total_trade_with_ru_neighbours_monthly_2019_2024.csv",
    ] {
        let path = data_or_skip!(format!("eurostat_comext_ru_neighbours/{f}"));
        let e = read_comext(&path, &ComextOptions::default()).unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{e}");
        assert!(e.to_string().contains("total trade (all products)"), "{e}");
    }
}

fn sample_dat() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/comext/full202201_sample.dat")
}

fn check_sample(t: &TradeTable) {
    // Hand-worked: DE->RU 85423190 regimes 1+2 = 1,500,000; EL(=GR 300)->KZ 80,000;
    // FR->RU 88073000 export 52,000 and import 7,000. Set aside: 8542XXXX, chapter 85, QQ.
    let mut r = rows(t);
    r.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(
        r,
        vec![
            (202201, 251, 643, "export".to_string(), "88073000".to_string(), 52000.0),
            (202201, 251, 643, "import".to_string(), "88073000".to_string(), 7000.0),
            (
                202201,
                276,
                643,
                "export".to_string(),
                "85423190".to_string(),
                1_500_000.0
            ),
            (202201, 300, 398, "export".to_string(), "85423190".to_string(), 80000.0),
        ]
    );
    let rep = t.report();
    assert_eq!(rep.rows_read, 8);
    assert!(rep.is_balanced(), "{rep}");
    assert_eq!(t.meta().currency, "EUR");
    assert_eq!(t.meta().vintage, Some(Vintage::Cn(2022)));
    assert!(rep.notes.iter().any(|n| n.contains("45000 EUR")), "{:?}", rep.notes);
}

#[test]
fn bulk_dat_file() {
    let t = read_comext(&sample_dat(), &ComextOptions::default()).unwrap();
    check_sample(&t);
}

#[test]
fn bulk_7z_archive_built_here() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("full202201.7z");
    let mut w = sevenz_rust2::ArchiveWriter::create(&archive).unwrap();
    w.push_archive_entry(
        sevenz_rust2::ArchiveEntry::new_file("full202201.dat"),
        Some(std::fs::File::open(sample_dat()).unwrap()),
    )
    .unwrap();
    w.finish().unwrap();
    let t = read_comext(&archive, &ComextOptions::default()).unwrap();
    check_sample(&t);
    assert!(t.report().sources[0].contains("full202201.7z:full202201.dat"));
}

#[test]
fn eur_table_does_not_combine_with_a_usd_table() {
    let eur = read_comext(&sample_dat(), &ComextOptions::default()).unwrap();
    let usd = read_comtrade(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/comtrade/api_response_hs6.json"),
        &ComtradeOptions::default(),
    )
    .unwrap();
    let e = TradeTable::concat(vec![eur, usd]).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }));
    assert!(e.to_string().contains("EUR") && e.to_string().contains("USD"), "{e}");
}

mod never_panics {
    use proptest::prelude::*;
    use tradedep::io::comext::{read_comext_reader, ComextOptions};

    const GOOD: &str = "DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,PRODUCT_CPA2002,PRODUCT_CPA2008,PRODUCT_CPA2_1,PRODUCT_BEC,PRODUCT_SECTION,FLOW,STAT_REGIME,SUPP_UNIT,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY\n004,DE,0075,RU,E,85423190,77641,3210,2611,2611,322,16,2,1,A,202201,1200000,150,5000\n004,DE,0075,RU,E,85423190,77641,3210,2611,2611,322,16,2,2,A,202201,300000,30,900\n";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_comext_reader(&data[..], "fuzz.dat", &ComextOptions::default());
        }

        #[test]
        fn one_field_replaced(line in 1usize..3, col in 0usize..19, value in "\\PC{0,12}") {
            let mut lines: Vec<Vec<String>> = GOOD.lines().map(|l| l.split(',').map(String::from).collect()).collect();
            lines[line][col] = value.replace([',', '"', '\n', '\r'], "");
            let text = lines.iter().map(|l| l.join(",")).collect::<Vec<_>>().join("\n");
            if let Ok(t) = read_comext_reader(text.as_bytes(), "fuzz.dat", &ComextOptions::default()) {
                prop_assert!(t.report().is_balanced());
            }
        }
    }
}

/// The fast splitter (by hand, chunk by chunk, handing over to the csv crate where it must)
/// and the csv crate alone read the same rows, report and errors.
mod splitters {
    use std::io::Read;

    use tradedep::io::comext::{read_comext_split, ComextOptions, Splitter};

    /// The outcome of one read, comparable across splitters: batches, meta and report, or
    /// the error's text.
    pub(super) fn outcome(bytes: &[u8], splitter: Splitter) -> Result<String, String> {
        read_comext_split(bytes, "x.csv", &ComextOptions::default(), splitter)
            .map(|t| {
                // Columns and sorted schema metadata (its HashMap prints in any order).
                let columns: Vec<_> = t.batches().iter().map(|b| format!("{:?}", b.columns())).collect();
                let meta: std::collections::BTreeMap<_, _> =
                    t.batches().iter().flat_map(|b| b.schema().metadata().clone()).collect();
                format!("{columns:?}\n{meta:?}\n{:?}\n{:?}", t.meta(), t.report())
            })
            .map_err(|e| e.to_string())
    }

    fn same_everywhere(bytes: &[u8]) -> Result<String, String> {
        let csv = outcome(bytes, Splitter::Csv);
        for chunk in [1, 7, 64, 1 << 20] {
            assert_eq!(
                outcome(bytes, Splitter::Fast { chunk }),
                csv,
                "chunk {chunk}: {:?}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            );
        }
        csv
    }

    const LONG_HEADER: &str = "reporter_iso2,partner_iso2,product_code,level,period,value_eur\n";
    const BULK_HEADER: &str = "DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,PRODUCT_CPA2002,PRODUCT_CPA2008,PRODUCT_CPA2_1,PRODUCT_BEC,PRODUCT_SECTION,FLOW,STAT_REGIME,SUPP_UNIT,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY\n";

    #[test]
    fn hand_made_inputs_read_alike() {
        let good = "DE,RU,85423190,CN8,2021-01,10\nEL,KZ,8542,HS4,2021-02,15\nFR,BY,85423190,cn8,2022-03,2.5e3\n";
        let mut oks = 0;
        let bodies: Vec<String> = vec![
            good.to_string(),
            format!("\n\n{good}\n  \n"),
            format!("\u{feff}{good}"),
            good.trim_end().to_string(),
            // quotes: the csv crate takes over, in the first chunk or later
            format!("{good}\"DE\",RU,85423191,CN8,2021-01,10\n"),
            format!("{good}DE,RU,\"8542\n3192\",CN8,2021-01,10\n"),
            // a carriage return inside a line ends a record for the csv crate
            format!("{good}DE,RU\r,85423192,CN8,2021-01,10\n"),
            // duplicates: exact (set aside), conflicting (refused)
            format!("{good}DE,RU,85423190,CN8,2021-01,10\n"),
            format!("{good}DE,RU,85423190,CN8,2021-01,11\n"),
            // located errors
            format!("{good}DE,RU,85423190,CN8,2021-13,10\n"),
            format!("{good}DE,RU,85423190,CN8,2021-01,ten\n"),
            format!("{good}DE,RU,85423190,CN8,2021-01,-1\n"),
            format!("{good}DE,RU,8542319,CN8,2021-01,1\n"),
            format!("{good}DE,RU,85423190,CN9,2021-01,1\n"),
            format!("{good}DE,RU,85423190,CN8,2021-01\n"),
            format!("{good}DE,RU,85423190,CN8,2021-01,1,\n"),
            format!("{good}QS,RU,85423190,CN8,2021-01,1\nDE,EU27_2020,85423190,CN8,2021-01,1\n"),
            format!("{good}DE,RU,85423190,CN8,2021-01,\n"),
            format!("{good}DE,RU,85423190,CN8,2021-01,999999999999999\nDE,RU,85423191,CN8,2021-01,9999999999999999\n"),
        ];
        for body in &bodies {
            oks += same_everywhere(format!("{LONG_HEADER}{body}").as_bytes()).is_ok() as usize;
        }
        assert!(oks >= 8, "most inputs read: {oks}");
        // CRLF line ends: the fast splitter gives the true line of the HS4 row (3); the csv
        // crate said 2 there (its record positions drift on CRLF text).
        let crlf = format!("{LONG_HEADER}{}", good.replace('\n', "\r\n"));
        let fast = read_comext_split(
            crlf.as_bytes(),
            "x.csv",
            &ComextOptions::default(),
            Splitter::Fast { chunk: 64 },
        )
        .unwrap();
        assert_eq!(fast.num_rows(), 2);
        assert_eq!(fast.report().examples.values().next().unwrap()[0].0, 3);
        // Not UTF-8, a line longer than any chunk, an empty file, blank lines only.
        let mut bad = format!("{LONG_HEADER}DE,RU,").into_bytes();
        bad.extend_from_slice(b"8542\xff190,CN8,2021-01,1\n");
        assert!(same_everywhere(&bad).unwrap_err().contains("line 2"));
        let long_line = format!("{LONG_HEADER}DE,RU,85423190,CN8,2021-01,{}\n", "1".repeat(3000));
        assert!(same_everywhere(long_line.as_bytes()).is_err());
        assert!(same_everywhere(b"").unwrap_err().contains("empty file"));
        assert!(same_everywhere(b"\n\n").unwrap_err().contains("empty file"));
        // Bulk files: regimes summed, aggregates and confidential codes set aside, units kept.
        let bulk = "004,DE,0075,RU,E,85076000,,,,,,,2,1,A,202201,1000,10,5000\n\
                    004,DE,0075,RU,E,85076000,,,,,,,2,2,A,202201,500,5,900\n\
                    004,DE,0075,RU,E,8542XXXX,,,,,,,2,1,,202201,70,1,\n\
                    004,DE,0075,RU,E,TOTAL,,,,,,,2,1,,202201,99999,1,\n\
                    009,EL,0075,RU,E,85423190,,,,,,,1,TOTAL,,202201,300,,\n\
                    009,EL,0075,RU,E,85423190,,,,,,,1,1,,202201,200,,\n";
        same_everywhere(format!("{BULK_HEADER}{bulk}").as_bytes()).unwrap();
        let e = same_everywhere(
            format!("{BULK_HEADER}{bulk}004,DE,0075,RU,E,85076000,,,,,,,7,1,A,202201,1,1,1\n").as_bytes(),
        );
        assert!(e.unwrap_err().contains("line 8"));
    }

    #[test]
    fn the_bad_input_corpus_reads_alike() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                same_everywhere(&std::fs::read(&path).unwrap()).ok();
                n += 1;
            }
        }
        assert!(n >= 10, "{n} files");
    }

    #[test]
    fn the_shared_long_table_reads_alike() {
        let path = data_or_skip!(super::LONG);
        let mut text = vec![];
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut text)
            .unwrap();
        let csv = outcome(&text, Splitter::Csv).unwrap();
        assert_eq!(outcome(&text, Splitter::Fast { chunk: 1 << 20 }).unwrap(), csv);
        assert_eq!(outcome(&text, Splitter::Fast { chunk: 4099 }).unwrap(), csv);
        // A quote near the end: the csv crate takes over for the last chunk.
        let mut quoted = text.clone();
        let at = quoted.len() - 10;
        let nl = at + quoted[at..].iter().position(|b| *b == b'\n').unwrap();
        quoted.splice(nl + 1..nl + 1, b"\"DE\",RU,01012100,CN8,2022-11,1\n".iter().copied());
        assert_eq!(
            outcome(&quoted, Splitter::Fast { chunk: 1 << 20 }),
            outcome(&quoted, Splitter::Csv)
        );
    }
}

/// The fast path parses chunks on several threads and adds them to the read in file order:
/// every split of the text into chunks, with any number of threads, reads as one pass of the
/// `csv` crate does (table, report with its examples and notes, or the first error's text).
mod parallel_chunks {
    use std::io::Read;

    use super::splitters::outcome;
    use tradedep::io::comext::{read_comext_split, ComextOptions, Splitter};

    /// Reads `bytes` in chunks of one line up to several lines, on 1 to 3 threads, and checks
    /// each read against the csv crate's; returns that.
    fn alike(bytes: &[u8]) -> Result<String, String> {
        let csv = outcome(bytes, Splitter::Csv);
        for chunk in [1, 40, 97, 1000, 1 << 20] {
            for workers in [1, 2, 3] {
                assert_eq!(
                    outcome(bytes, Splitter::Parallel { chunk, workers }),
                    csv,
                    "chunk {chunk}, {workers} workers"
                );
            }
        }
        csv
    }

    const LONG_HEADER: &str = "reporter_iso2,partner_iso2,product_code,level,period,value_eur\n";
    const BULK_HEADER: &str = "DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,PRODUCT_CPA2002,PRODUCT_CPA2008,PRODUCT_CPA2_1,PRODUCT_BEC,PRODUCT_SECTION,FLOW,STAT_REGIME,SUPP_UNIT,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY\n";

    /// 600 long-table rows: every tenth an HS4 row, every 37th without value, every 53rd an
    /// unknown partner, and rows 450.. repeating rows 0..150 exactly (129 of them kept rows:
    /// duplicates many chunks apart).
    fn long_rows() -> Vec<String> {
        let mut rows: Vec<String> = (0..450)
            .map(|i| {
                let partner = if i % 53 == 0 { "QS" } else { ["RU", "KZ", "AM"][i % 3] };
                let value = if i % 37 == 0 {
                    String::new()
                } else {
                    format!("{}", i * 7 + 1)
                };
                let (product, level) = if i % 10 == 0 {
                    (format!("{:04}", 8400 + i % 90), "HS4")
                } else {
                    (format!("{:08}", 85000000 + i * 13), "CN8")
                };
                format!("DE,{partner},{product},{level},2021-{:02},{value}", 1 + i % 12)
            })
            .collect();
        let repeats: Vec<String> = rows[..150].to_vec();
        rows.extend(repeats);
        rows
    }

    #[test]
    fn duplicates_examples_and_sums_across_chunk_borders() {
        let text = format!("{LONG_HEADER}{}\n", long_rows().join("\n"));
        let out = alike(text.as_bytes()).unwrap();
        // The duplicates are set aside with the line of their first row; examples are the
        // first five of each reason in file order.
        assert!(out.contains("\"duplicate row\": 129"), "{out}");
        assert!(out.contains("\"duplicate row\": [(453, \"same as line 3\")"), "{out}");
        assert!(
            out.contains("product of the other level than the one kept (level=)\": [(2, \"8400\"), (12, \"8410\")"),
            "{out}"
        );
    }

    #[test]
    fn the_first_error_in_file_order_wins() {
        let rows = long_rows();
        // A conflicting repeat (line 402) before a bad period (line 452): the conflict.
        let mut a = rows[..400].to_vec();
        a.push(rows[5].replace(&format!(",{}", 5 * 7 + 1), ",1"));
        a.extend(rows[400..449].iter().cloned());
        a.push("DE,RU,85423190,CN8,2021-13,1".into());
        let e = alike(format!("{LONG_HEADER}{}\n", a.join("\n")).as_bytes()).unwrap_err();
        assert!(e.contains("line 402") && e.contains("first at line 7"), "{e}");
        // A bad period (line 302) before a conflicting repeat (line 452): the period.
        let mut b = rows[..300].to_vec();
        b.push("DE,RU,85423190,CN8,2021-13,1".into());
        b.extend(rows[300..450].iter().cloned());
        b.push(rows[5].replace(&format!(",{}", 5 * 7 + 1), ",1"));
        let e = alike(format!("{LONG_HEADER}{}\n", b.join("\n")).as_bytes()).unwrap_err();
        assert!(e.contains("line 302") && e.contains("2021-13"), "{e}");
        // Blank lines and CRLF ends keep every line number true.
        let c = format!(
            "\n{LONG_HEADER}\n{}\r\n\r\nDE,RU,8542319,CN8,2021-01,1\n",
            rows[..200].join("\r\n")
        );
        let fast = outcome(c.as_bytes(), Splitter::Parallel { chunk: 64, workers: 3 }).unwrap_err();
        assert!(fast.contains("line 205"), "{fast}");
    }

    #[test]
    fn bulk_regimes_and_units_across_chunks() {
        // Regime rows of one trade 150 lines apart (product i % 50, flow i % 2, month i % 3);
        // units first seen in later chunks.
        let mut rows = vec![];
        for i in 0..300 {
            let unit = ["", "A", "M", "NAR"][i % 4];
            let q = if unit.is_empty() { String::new() } else { format!("{i}") };
            rows.push(format!(
                "004,DE,0075,RU,E,{:08},,,,,,,{},1,{unit},2022{:02},{},{},{q}",
                85000000 + i % 50,
                1 + i % 2,
                1 + i % 3,
                1000 + i,
                i
            ));
        }
        rows.push("004,DE,0075,RU,E,8542XXXX,,,,,,,2,1,,202201,70,1,".into());
        rows.push("004,DE,0075,RU,E,85000001,,,,,,,2,TOTAL,A,202202,5,1,1".into());
        let text = format!("{BULK_HEADER}{}\n", rows.join("\n"));
        let out = alike(text.as_bytes()).unwrap();
        assert!(out.contains("supp_unit:A, supp_unit:M, supp_unit:NAR"), "{out}");
        assert!(
            out.contains("statistical regime row summed into the trade's total"),
            "{out}"
        );
    }

    #[test]
    fn text_beyond_ascii_reads_alike() {
        // A chunk of valid UTF-8 is checked once and read as text; one with a byte that is not
        // UTF-8 field by field: Unicode spaces trimmed, a non-digit letter refused, a bad byte
        // named with its line, in the first chunk or a later one.
        let rows = long_rows();
        let ok = format!(
            "{LONG_HEADER}{}\n\u{a0}DE\u{a0},RU,85423190,CN8,2021-01,10\n",
            rows[300..400].join("\n")
        );
        assert!(alike(ok.as_bytes()).is_ok());
        let letter = format!(
            "{LONG_HEADER}{}\nDE,RU,8542319\u{c9},CN8,2021-01,10\n",
            rows[300..400].join("\n")
        );
        assert!(alike(letter.as_bytes()).unwrap_err().contains("line 102"));
        let mut bad = format!("{LONG_HEADER}{}\nDE,RU,", rows[300..400].join("\n")).into_bytes();
        bad.extend_from_slice(b"8542\xff190,CN8,2021-01,1\n");
        bad.extend_from_slice(format!("{}\n", rows[400..450].join("\n")).as_bytes());
        assert!(alike(&bad).unwrap_err().contains("line 102"));
    }

    #[test]
    fn a_read_error_after_a_bad_row_reports_the_row() {
        /// Good text, then an I/O error.
        struct Failing(std::io::Cursor<Vec<u8>>);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.read(buf)? {
                    0 => Err(std::io::Error::other("disk gone")),
                    n => Ok(n),
                }
            }
        }
        let rows = long_rows();
        let good = format!("{LONG_HEADER}{}\n", rows[..300].join("\n"));
        // The bad row's chunk is read whole before the input fails (rows follow it).
        let bad = format!(
            "{LONG_HEADER}{}\nDE,RU,85423190,CN8,2021-13,1\n{}\n",
            rows[..100].join("\n"),
            rows[100..200].join("\n")
        );
        let opts = ComextOptions::default();
        for workers in [1, 2, 3] {
            let read = |text: &str| {
                let input = Failing(std::io::Cursor::new(text.as_bytes().to_vec()));
                read_comext_split(input, "x.csv", &opts, Splitter::Parallel { chunk: 97, workers })
                    .unwrap_err()
                    .to_string()
            };
            assert!(read(&good).contains("disk gone"), "{}", read(&good));
            let e = read(&bad);
            assert!(e.contains("line 102") && e.contains("2021-13"), "{e}");
        }
    }

    #[test]
    #[cfg_attr(
        not(shared_data),
        ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
    )]
    fn the_shared_long_table_reads_alike_on_three_threads() {
        let path = data_or_skip!(super::LONG);
        let mut text = vec![];
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut text)
            .unwrap();
        let csv = outcome(&text, Splitter::Csv).unwrap();
        for (chunk, workers) in [(1 << 20, 3), (65_537, 2), (1 << 20, 1)] {
            assert_eq!(
                outcome(&text, Splitter::Parallel { chunk, workers }).unwrap(),
                csv,
                "{chunk} {workers}"
            );
        }
    }
}
