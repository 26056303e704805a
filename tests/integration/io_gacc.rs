//! GACC reader: the shared sample against an independent reading (bytes split by hand, GBK
//! decoded with encoding_rs), and the partner mapping that must never read GACC codes as Comtrade's.

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt16Type};
use tradedep::io::baci::OnUnknownCountry;
use tradedep::io::gacc::{read_gacc, GaccOptions, GaccTableKind};
use tradedep::model::{Flow, Freq, Period, Vintage};

const SAMPLE: &str = "china_customs/gacc_exports_hs8_partner_regime_province_sample.csv";

fn opts() -> GaccOptions {
    GaccOptions {
        period: Some(Period::Month { year: 2023, month: 5 }),
        flow: Some(Flow::Export),
        kind: Some(GaccTableKind::Monthly),
        ..Default::default()
    }
}

/// GACC partner code -> summed US dollars, from the raw bytes: fields are `"..."` joined by `","`.
fn independent_totals(bytes: &[u8]) -> (usize, BTreeMap<String, f64>, BTreeMap<String, f64>) {
    let text = encoding_rs::GB18030.decode(bytes).0.into_owned();
    let (mut n, mut by_partner, mut by_regime) = (0, BTreeMap::new(), BTreeMap::new());
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.trim_end_matches(',').trim_matches('"').split("\",\"").collect();
        let usd: f64 = f[12].replace(',', "").parse().unwrap();
        *by_partner.entry(f[2].to_string()).or_insert(0.0) += usd;
        *by_regime.entry(f[5].to_string()).or_insert(0.0) += usd;
        n += 1;
    }
    (n, by_partner, by_regime)
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn shared_sample_rows_and_partner_totals() {
    let path = data_or_skip!(SAMPLE);
    let g = read_gacc(&path, &opts()).unwrap();
    let (n, want, want_regime) = independent_totals(&std::fs::read(&path).unwrap());
    let t = &g.table;
    assert_eq!((t.num_rows(), n), (10_000, 10_000));
    assert!(t.report().is_balanced());
    assert_eq!(t.meta().freq, Freq::Monthly);
    assert_eq!(t.meta().vintage, Some(Vintage::China(2023)));
    let mut got: BTreeMap<u16, f64> = BTreeMap::new();
    let mut got_regime: BTreeMap<String, f64> = BTreeMap::new();
    let mut row = 0;
    for b in t.batches() {
        let partner = b.column(2).as_primitive::<UInt16Type>();
        let value = b.column(5).as_primitive::<Float64Type>();
        let regime = g.details.column(4).as_string::<i32>();
        for i in 0..b.num_rows() {
            *got.entry(partner.value(i)).or_default() += value.value(i);
            *got_regime.entry(regime.value(row).to_string()).or_default() += value.value(i);
            row += 1;
        }
    }
    // Russia (GACC 344) is Comtrade 643; Hong Kong (GACC 110) is 344; Germany 304 -> 276; Japan 116 -> 392.
    for (gacc, comtrade) in [("344", 643u16), ("110", 344), ("304", 276), ("116", 392), ("143", 490)] {
        assert_eq!(got[&comtrade], want[gacc], "GACC {gacc}");
    }
    assert_eq!(got.values().sum::<f64>(), want.values().sum::<f64>());
    assert_eq!(got_regime, want_regime);
}

#[test]
fn vintage_china_parses_and_rests_on_its_hs_edition() {
    assert_eq!(Vintage::parse("CHN2023").unwrap(), Vintage::China(2023));
    assert_eq!(Vintage::China(2023).hs_base(), Vintage::Hs(2022));
    assert_eq!(Vintage::China(2021).hs_base(), Vintage::Hs(2017));
    assert_eq!(Vintage::China(2023).name(), "CHN2023");
}

#[test]
fn wrong_names_are_located_or_set_aside() {
    let header = "\"Commodity code\",\"Commodity\",\"Trading partner code\",\"Trading partner\",\"US dollar\",\n";
    let body =
        "\"85444211\",\"cable\",\"344\",\"Hong Kong\",\"1,000\",\n\"85444211\",\"cable\",\"999\",\"Nowhere\",\"5\",\n";
    let bytes = format!("{header}{body}");
    let e = tradedep::io::gacc::read_gacc_bytes(bytes.as_bytes(), "x.csv", &opts()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("line 2") && msg.contains("Russian Federation"), "{msg}");
    let set_aside = GaccOptions {
        on_unknown_country: OnUnknownCountry::SetAside,
        ..opts()
    };
    let g = tradedep::io::gacc::read_gacc_bytes(bytes.as_bytes(), "x.csv", &set_aside).unwrap();
    assert_eq!(g.table.num_rows(), 0);
    assert_eq!(g.table.report().rows_set_aside(), 2);
}

#[test]
fn mutated_hand_made_files_never_panic_and_stay_aligned() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gacc");
    let set_aside = GaccOptions {
        on_unknown_country: OnUnknownCountry::SetAside,
        ..opts()
    };
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        // Every third byte replaced by a troublesome one, and every truncation.
        let mut inputs: Vec<Vec<u8>> = (1..bytes.len()).map(|cut| bytes[..cut].to_vec()).collect();
        for i in (0..bytes.len()).step_by(3) {
            for b in [b'"', b',', 0xA3] {
                let mut m = bytes.clone();
                m[i] = b;
                inputs.push(m);
            }
        }
        for m in inputs {
            if let Ok(g) = tradedep::io::gacc::read_gacc_bytes(&m, "m.csv", &set_aside) {
                assert!(g.table.report().is_balanced());
                assert_eq!(g.table.num_rows(), g.details.num_rows());
            }
        }
    }
}
