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
