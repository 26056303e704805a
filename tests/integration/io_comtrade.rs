//! Comtrade reader against the real files in shared/data, each checked against an independent
//! computation with the csv crate (not against numbers copied from the reader's output).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int8Type, UInt16Type};
use arrow_array::Array;
use tradedep::io::comtrade::{read_comtrade, Breakdown, CommodityLevel, ComtradeOptions};
use tradedep::model::{Freq, Vintage};
use tradedep::TradeTable;

/// Rows of a table as (period, reporter, partner, flow, product, value, quantity, unit, net weight).
type Row = (
    i32,
    u16,
    u16,
    String,
    String,
    f64,
    Option<f64>,
    Option<String>,
    Option<f64>,
);

fn rows(t: &TradeTable) -> Vec<Row> {
    let mut out = vec![];
    for b in t.batches() {
        let period = b.column(0).as_primitive::<Int32Type>();
        let rep = b.column(1).as_primitive::<UInt16Type>();
        let par = b.column(2).as_primitive::<UInt16Type>();
        let flow = b.column(3).as_dictionary::<Int8Type>();
        let flow_v = flow.values().as_string::<i32>();
        let prod = b.column(4).as_dictionary::<Int32Type>();
        let prod_v = prod.values().as_string::<i32>();
        let val = b.column(5).as_primitive::<Float64Type>();
        let qty = b.column(7).as_primitive::<Float64Type>();
        let unit = b.column(8).as_dictionary::<Int8Type>();
        let unit_v = unit.values().as_string::<i32>();
        let w = b.column(9).as_primitive::<Float64Type>();
        for i in 0..b.num_rows() {
            out.push((
                period.value(i),
                rep.value(i),
                par.value(i),
                flow_v.value(flow.keys().value(i) as usize).to_string(),
                prod_v.value(prod.keys().value(i) as usize).to_string(),
                val.value(i),
                qty.is_valid(i).then(|| qty.value(i)),
                unit.is_valid(i)
                    .then(|| unit_v.value(unit.keys().value(i) as usize).to_string()),
                w.is_valid(i).then(|| w.value(i)),
            ));
        }
    }
    out
}

/// The file as records of strings keyed by header name, read with the csv crate only.
fn csv_records(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut bytes = vec![];
    let f = std::fs::File::open(path).unwrap();
    if path.extension().map(|e| e == "gz").unwrap_or(false) {
        flate2::read::GzDecoder::new(f).read_to_end(&mut bytes).unwrap();
    } else {
        std::io::BufReader::new(f).read_to_end(&mut bytes).unwrap();
    }
    // Latin-1 decoding of every byte is enough here: only ASCII columns are compared.
    let text: String = bytes.iter().map(|b| char::from(*b)).collect();
    let text = text.trim_start_matches("\u{ef}\u{bb}\u{bf}");
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(|s| s.to_string()).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            header.iter().cloned().zip(r.iter().map(|s| s.to_string())).collect()
        })
        .collect()
}

fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn armenia_car_exports_to_russia_per_year_match_a_csv_computation() {
    let path = data_or_skip!("comtrade_armenia_georgia/comtrade_armenia_hs8703_monthly_2017_2023.csv.gz");
    let t = read_comtrade(&path, &ComtradeOptions::default()).unwrap();
    assert_eq!(t.meta().freq, Freq::Monthly);
    assert_eq!(t.meta().currency, "USD");
    assert!(t.report().is_balanced(), "{}", t.report());
    let mut ours: BTreeMap<i32, f64> = BTreeMap::new();
    for r in rows(&t) {
        if r.2 == 643 && r.3 == "export" && r.4.starts_with("8703") {
            assert_eq!(r.4.len(), 6, "default keeps the most detailed level (HS6)");
            *ours.entry(r.0 / 100).or_default() += r.5;
        }
    }
    // Independent: HS6 rows, exports, partner 643, every mode of transport (the file has no
    // motCode 0 totals, so the parts are the whole).
    let mut theirs: BTreeMap<i32, f64> = BTreeMap::new();
    let mut theirs4: BTreeMap<i32, f64> = BTreeMap::new();
    for rec in csv_records(&path) {
        if rec["trade_code"] == "X" && rec["partner_code"] == "643" {
            let v: f64 = rec["trade_value_us"].parse().unwrap();
            let y: i32 = rec["year"].parse().unwrap();
            match rec["aggregate_level"].as_str() {
                "6" => *theirs.entry(y).or_default() += v,
                "4" => *theirs4.entry(y).or_default() += v,
                _ => {}
            }
        }
    }
    assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>());
    for (y, v) in &theirs {
        assert!(approx(ours[y], *v), "{y}: reader {} vs csv {}", ours[y], v);
    }
    // The provenance's spot checks (HS6, millions of USD) hold too.
    assert_eq!((theirs[&2022] / 1e5).round() / 10.0, 236.8);
    assert_eq!((theirs[&2023] / 1e5).round() / 10.0, 354.0);
    // No motCode 0 rows: every total was built from transport-mode rows, and said so.
    assert!(
        t.report()
            .notes
            .iter()
            .any(|n| n.contains("built") && n.contains("mode of transport")),
        "{:?}",
        t.report().notes
    );
    assert!(t
        .report()
        .notes
        .iter()
        .any(|n| n.contains("4-digit") && n.contains("6-digit")));

    let t4 = read_comtrade(
        &path,
        &ComtradeOptions {
            level: Some(CommodityLevel::Hs4),
            ..Default::default()
        },
    )
    .unwrap();
    let mut ours4: BTreeMap<i32, f64> = BTreeMap::new();
    for r in rows(&t4) {
        if r.2 == 643 && r.3 == "export" {
            assert_eq!(r.4, "8703");
            *ours4.entry(r.0 / 100).or_default() += r.5;
        }
    }
    for (y, v) in &theirs4 {
        assert!(approx(ours4[y], *v), "HS4 {y}: reader {} vs csv {}", ours4[y], v);
    }
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn lithium_carbonate_website_export_latin1_trailing_comma() {
    let path =
        data_or_skip!("comtrade_plus/liadslnt__TradeData_4_22_2026_12_19_27_lithium_carbonate_283691_monthly_2024.csv");
    let t = read_comtrade(&path, &ComtradeOptions::default()).unwrap();
    let r = t.report();
    assert_eq!(r.rows_read, 4947);
    assert!(r.is_balanced(), "{r}");
    assert_eq!(t.meta().vintage, Some(Vintage::Hs(2022)));
    assert!(r.notes.iter().any(|n| n.contains("trailing comma")), "{:?}", r.notes);
    assert!(r.notes.iter().any(|n| n.contains("Latin-1")), "{:?}", r.notes);
    let recs = csv_records(&path);
    let world = recs.iter().filter(|x| x["partnerCode"] == "0").count() as u64;
    assert_eq!(
        r.set_aside["World total row (partnerCode 0): World is never a partner"],
        world
    );
    let h5 = recs
        .iter()
        .filter(|x| x["partnerCode"] != "0" && x["classificationCode"] == "H5")
        .count() as u64;
    assert_eq!(
        r.set_aside["reported in another HS edition than the table's (vintage=)"],
        h5
    );
    // China's exports to Russia, February 2024: value, weight and quantity as in the file.
    let ours: Vec<Row> = rows(&t)
        .into_iter()
        .filter(|x| x.0 == 202402 && x.1 == 156 && x.2 == 643 && x.3 == "export")
        .collect();
    let theirs: Vec<_> = recs
        .iter()
        .filter(|x| {
            x["period"] == "202402" && x["reporterCode"] == "156" && x["partnerCode"] == "643" && x["flowCode"] == "X"
        })
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(theirs.len(), 1);
    assert!(approx(ours[0].5, theirs[0]["primaryValue"].parse().unwrap()));
    assert_eq!(ours[0].8, Some(theirs[0]["netWgt"].parse::<f64>().unwrap()));
    assert_eq!(ours[0].7.as_deref(), Some("kg"));
    // Totals by flow over partner rows of the kept edition.
    let mut theirs_sum = 0.0;
    for x in &recs {
        if x["partnerCode"] != "0" && x["classificationCode"] == "H6" {
            theirs_sum += x["primaryValue"].parse::<f64>().unwrap();
        }
    }
    let ours_sum: f64 = rows(&t).iter().map(|x| x.5).sum();
    assert!(approx(ours_sum, theirs_sum), "{ours_sum} vs {theirs_sum}");
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn api_json_of_totals_reads_into_total_rows() {
    let path = data_or_skip!("comtrade_plus/comtradr__api_response_CHN_ARG_DEU_2010_TOTAL.json");
    let t = read_comtrade(&path, &ComtradeOptions::default()).unwrap();
    // Independent: the records of the response, read with serde_json only.
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let data = v["data"].as_array().unwrap();
    assert_eq!(t.report().rows_read, data.len() as u64);
    assert!(t.report().is_balanced(), "{}", t.report());
    assert_eq!(t.num_rows(), data.len(), "{}", t.report());
    assert_eq!(t.meta().vintage, None);
    assert_eq!(t.meta().freq, Freq::Annual);
    let mut theirs: BTreeMap<(u16, String), f64> = BTreeMap::new();
    for r in data {
        assert_eq!(r["cmdCode"], "TOTAL");
        let flow = if r["flowCode"] == "M" { "import" } else { "export" };
        theirs.insert(
            (r["partnerCode"].as_u64().unwrap() as u16, flow.to_string()),
            r["primaryValue"].as_f64().unwrap(),
        );
    }
    let ours: BTreeMap<(u16, String), f64> = rows(&t)
        .into_iter()
        .map(|r| {
            assert_eq!((r.0, r.1, r.4.as_str()), (2010, 156, "TOTAL"));
            ((r.2, r.3), r.5)
        })
        .collect();
    assert_eq!(ours, theirs);
    // level= TOTAL is the level present; a detailed level is refused with the levels named.
    let same = read_comtrade(
        &path,
        &ComtradeOptions {
            level: Some(CommodityLevel::Total),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(same.num_rows(), t.num_rows());
    let e = read_comtrade(
        &path,
        &ComtradeOptions {
            level: Some(CommodityLevel::Hs6),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("TOTAL"), "{e}");
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn china_imports_from_russia_per_year_total_rows_match_a_csv_computation() {
    let path = data_or_skip!("comtrade_plus/SamiNakibETU__comtrade_imports_chn_from_rus_2017_2024.csv");
    let t = read_comtrade(&path, &ComtradeOptions::default()).unwrap();
    assert!(t.report().is_balanced(), "{}", t.report());
    assert_eq!(t.meta().freq, Freq::Monthly);
    assert_eq!(t.meta().vintage, None, "H5 and H6 totals are kept together");
    let recs = csv_records(&path);
    assert_eq!(t.num_rows(), recs.len(), "{}", t.report());
    let mut theirs: BTreeMap<i32, f64> = BTreeMap::new();
    for r in &recs {
        assert_eq!(
            (
                r["cmdCode"].as_str(),
                r["reporterCode"].as_str(),
                r["partnerCode"].as_str()
            ),
            ("TOTAL", "156", "643")
        );
        *theirs.entry(r["refYear"].parse().unwrap()).or_default() += r["primaryValue"].parse::<f64>().unwrap();
    }
    let mut ours: BTreeMap<i32, f64> = BTreeMap::new();
    for r in rows(&t) {
        assert_eq!((r.1, r.2, r.3.as_str(), r.4.as_str()), (156, 643, "import", "TOTAL"));
        assert_eq!((r.6, r.8), (None, None), "no quantity or weight for all goods");
        *ours.entry(r.0 / 100).or_default() += r.5;
    }
    assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>());
    for (y, v) in &theirs {
        assert!(approx(ours[y], *v), "{y}: reader {} vs csv {}", ours[y], v);
    }
    // The provenance's spot checks (billions of USD, one decimal).
    for (y, bn) in [(2021, 79.6), (2022, 114.4), (2024, 129.9)] {
        assert_eq!((theirs[&y] / 1e8).round() / 10.0, bn, "{y}");
    }
    assert!(rows(&t).iter().any(|r| r.0 == 202203 && r.5 == 8_250_669_891.0));
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn totals_and_detailed_rows_keep_the_detailed_level_unless_asked() {
    // No shared file holds both levels, so build one from the real totals: every row twice,
    // once as TOTAL and once relabelled HS 2709 (same trade at a detailed level).
    let path = data_or_skip!("comtrade_plus/SamiNakibETU__comtrade_imports_chn_from_rus_2017_2024.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let body: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let mut mixed = format!("{header}\n");
    for l in &body {
        mixed.push_str(l);
        mixed.push('\n');
        mixed.push_str(&l.replace(",TOTAL,", ",2709,"));
        mixed.push('\n');
    }
    let opts = ComtradeOptions::default();
    let detailed = tradedep::io::comtrade::read_comtrade_bytes(mixed.as_bytes(), "mixed.csv", &opts).unwrap();
    assert!(detailed.report().is_balanced());
    // 2709 rows are split by edition (H5 most frequent): only the H5 ones stay.
    let recs = csv_records(&path);
    let h5 = recs.iter().filter(|r| r["classificationCode"] == "H5").count();
    assert_eq!(detailed.num_rows(), h5);
    assert!(rows(&detailed).iter().all(|r| r.4 == "2709"));
    assert_eq!(
        detailed.report().set_aside["commodity code of another aggregation level than the one kept (level=)"],
        body.len() as u64
    );
    let totals = tradedep::io::comtrade::read_comtrade_bytes(
        mixed.as_bytes(),
        "mixed.csv",
        &ComtradeOptions {
            level: Some(CommodityLevel::Total),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(totals.num_rows(), body.len());
    assert!(rows(&totals).iter().all(|r| r.4 == "TOTAL"));
    let sum: f64 = rows(&totals).iter().map(|r| r.5).sum();
    let theirs: f64 = recs.iter().map(|r| r["primaryValue"].parse::<f64>().unwrap()).sum();
    assert!(approx(sum, theirs), "{sum} vs {theirs}");
}

#[test]
fn api_json_with_product_rows_reads_values_and_units() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/comtrade/api_response_hs6.json");
    let t = read_comtrade(&path, &ComtradeOptions::default()).unwrap();
    let r = rows(&t);
    // Hand-made: CHN imports 854231 from USA (total, kept), a motCode breakdown of the same
    // trade (set aside), a World row (set aside), and exports to RUS in thousands of items.
    assert_eq!(r.len(), 2, "{}", t.report());
    assert_eq!(
        r[0],
        (
            2022,
            156,
            842,
            "import".into(),
            "854231".into(),
            1000.0,
            Some(20.0),
            Some("u".into()),
            Some(5.5)
        )
    );
    assert_eq!(
        r[1],
        (
            2022,
            156,
            643,
            "export".into(),
            "854231".into(),
            250.0,
            Some(3000.0),
            Some("u".into()),
            None
        )
    );
    assert!(t.report().is_balanced());
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn semiconductor_partner2_breakdown_keeps_totals() {
    let path = data_or_skip!("comtrade_plus/laureleallen__semiconductor_trade_CHN_imports_8542_from_USA_2010_2024.csv");
    let recs = csv_records(&path);
    // Keep every edition by reading one at a time: the file spans H3..H6.
    let mut total = 0.0;
    let mut kept = 0;
    for v in ["HS2007", "HS2012", "HS2017", "HS2022"] {
        let t = read_comtrade(
            &path,
            &ComtradeOptions {
                vintage: Some(Vintage::parse(v).unwrap()),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(t.report().is_balanced());
        kept += t.num_rows();
        total += rows(&t).iter().map(|x| x.5).sum::<f64>();
    }
    let totals: Vec<_> = recs.iter().filter(|x| x["partner2Code"] == "0").collect();
    assert_eq!(kept, totals.len());
    let theirs: f64 = totals.iter().map(|x| x["primaryValue"].parse::<f64>().unwrap()).sum();
    assert!(approx(total, theirs), "{total} vs {theirs}");
    let t = read_comtrade(
        &path,
        &ComtradeOptions {
            vintage: Some(Vintage::Hs(2012)),
            ..Default::default()
        },
    )
    .unwrap();
    let p2 = recs
        .iter()
        .filter(|x| x["partner2Code"] != "0" && x["classificationCode"] == "H4")
        .count() as u64;
    assert_eq!(
        t.report().set_aside["breakdown row (customs, transport mode, second partner) where the file has the total"],
        p2
    );
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn renamed_smartphone_file_and_breakdown_sum_option() {
    let path = data_or_skip!(
        "comtrade_plus/tvyal__armenia_851713_smartphones_trade_by_partner_monthly_2022_2024_RENAMED_COLS.csv"
    );
    let t = read_comtrade(
        &path,
        &ComtradeOptions {
            breakdown: Breakdown::Sum,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        t.report().notes.iter().any(|n| n.contains("byte-order mark")),
        "{:?}",
        t.report().notes
    );
    let recs = csv_records(&path);
    let mut theirs: BTreeMap<i32, f64> = BTreeMap::new();
    for x in &recs {
        if x["trade_code"] == "X" && x["partner_code"] == "643" {
            *theirs.entry(x["year"].parse().unwrap()).or_default() += x["trade_value_us"].parse::<f64>().unwrap();
        }
    }
    let mut ours: BTreeMap<i32, f64> = BTreeMap::new();
    for r in rows(&t) {
        if r.2 == 643 && r.3 == "export" {
            *ours.entry(r.0 / 100).or_default() += r.5;
        }
    }
    for (y, v) in &theirs {
        assert!(approx(ours[y], *v), "{y}");
    }
    assert_eq!(rows(&t).len(), recs.len());
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn report_for_every_shared_file() {
    let dir = data_or_skip!("comtrade_plus");
    for f in std::fs::read_dir(&dir).unwrap() {
        let p = f.unwrap().path();
        if p.extension().map(|e| e == "md").unwrap_or(false) {
            continue;
        }
        match read_comtrade(&p, &ComtradeOptions::default()) {
            Ok(t) => {
                assert!(t.report().is_balanced(), "{}", t.report());
                eprintln!("{}", t.report());
            }
            // The DERIVED file has its own 6 columns: not a Comtrade layout, said clearly.
            Err(e) => {
                assert!(p.to_string_lossy().contains("DERIVED"), "{}: {e}", p.display());
                assert!(e.to_string().contains("not a Comtrade file"), "{e}");
            }
        }
    }
}

mod never_panics {
    use proptest::prelude::*;
    use tradedep::io::comtrade::{read_comtrade_bytes, ComtradeOptions};

    const GOOD: &str = "refYear,refMonth,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,motCode,qtyUnitCode,qtyUnitAbbr,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported\n2021,1,202101,51,M,156,0,H5,851713,C00,1000,5,u,6,1,60,,60,true\n2021,1,202101,51,X,643,0,H5,851713,C00,0,9,1000u,2,1,,40,40,false\n";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_comtrade_bytes(&data, "fuzz.csv", &ComtradeOptions::default());
        }

        #[test]
        fn one_field_replaced(line in 1usize..3, col in 0usize..19, value in "\\PC{0,12}") {
            let mut lines: Vec<Vec<String>> = GOOD.lines().map(|l| l.split(',').map(String::from).collect()).collect();
            lines[line][col] = value.replace([',', '"', '\n', '\r'], "");
            let text = lines.iter().map(|l| l.join(",")).collect::<Vec<_>>().join("\n");
            if let Ok(t) = read_comtrade_bytes(text.as_bytes(), "fuzz.csv", &ComtradeOptions::default()) {
                prop_assert!(t.report().is_balanced());
            }
        }
    }
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn every_armenia_georgia_file_reads_balanced_with_hs6_or_hs4() {
    let dir = data_or_skip!("comtrade_armenia_georgia");
    for f in std::fs::read_dir(&dir).unwrap() {
        let p = f.unwrap().path();
        if p.extension().map(|e| e == "md").unwrap_or(false) {
            continue;
        }
        let t = read_comtrade(&p, &ComtradeOptions::default()).unwrap();
        assert!(t.report().is_balanced(), "{}", t.report());
        assert_eq!(t.meta().freq, Freq::Monthly);
        // Independent row count: rows of the most detailed level with a partner other than World.
        let recs = csv_records(&p);
        let top = recs.iter().map(|r| r["aggregate_level"].clone()).max().unwrap();
        let expected_value: f64 = recs
            .iter()
            .filter(|r| r["aggregate_level"] == top && r["partner_code"] != "0")
            .map(|r| r["trade_value_us"].parse::<f64>().unwrap())
            .sum();
        let ours: f64 = rows(&t).iter().map(|r| r.5).sum();
        assert!(
            approx(ours, expected_value),
            "{}: {ours} vs {expected_value}",
            p.display()
        );
    }
}
