//! Carrying the CHPL (HS2022) to HS2017 and HS2012 data through the UNSD correlation tables.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use tradedep::classify::{chpl, classify, explain, Concordances, Conversion, Correlation, Weighting};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
use tradedep::Vintage;

/// HS2017 code -> its HS2022 counterparts, read from the correlation CSV with the csv crate.
fn hs2017_to_hs2022(path: &std::path::Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(path).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        m.entry(r[1].to_string()).or_default().insert(r[0].to_string());
    }
    m
}

fn concordances() -> Option<Concordances> {
    let dir = common::shared_data()?.join("hs_concordance");
    Some(Concordances::load_dir(dir).unwrap())
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn chpl_on_hs2017_goes_through_the_correlation_table() {
    let path = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let conc = concordances().unwrap();
    let list = chpl::chpl();
    let mapping = list.map_to(Vintage::Hs(2017), &conc, &Weighting::Equal).unwrap();
    assert_eq!(mapping.path.len(), 1);
    assert!(
        mapping.path[0].contains("hs2022_to_hs2017_correlation"),
        "{:?}",
        mapping.path
    );
    let by_code: BTreeMap<&str, _> = mapping.codes.iter().map(|c| (c.code.as_str(), c)).collect();
    let entry_codes = |c: &str| -> BTreeSet<String> {
        by_code[c]
            .via
            .iter()
            .map(|(i, _)| list.entries()[*i].code.clone())
            .collect()
    };

    // Hand-checked with `grep '^852589,' / '^880730,' / '^854800,'` in
    // unsd_hs2022_to_hs2017_correlation.csv: each has exactly one HS2017 counterpart
    // (852589 -> 852580 n:1, 880730 -> 880330 n:1, 854800 -> 854890 n:1).
    let sources = |hs22: &str| -> BTreeSet<String> {
        mapping
            .codes
            .iter()
            .filter(|c| c.via.iter().any(|(i, _)| list.entries()[*i].code == hs22))
            .map(|c| c.code.clone())
            .collect()
    };
    assert_eq!(sources("852589"), BTreeSet::from(["852580".to_string()]));
    assert_eq!(sources("880730"), BTreeSet::from(["880330".to_string()]));
    assert_eq!(sources("854800"), BTreeSet::from(["854890".to_string()]));
    // And back: `grep ',852580,'` gives 20 HS2022 codes (852581-3, 852589, 854921-854999 (6),
    // 880621-880629 (5), 880691-880699 (5)); only 852589 is on the CHPL -> 1/20 under an equal split.
    assert!((by_code["852580"].weight - 1.0 / 20.0).abs() < 1e-12);
    assert_eq!(entry_codes("852580"), BTreeSet::from(["852589".to_string()]));
    // `grep ',880330,'`: 8 HS2022 codes, of which 880730 and 852990 are listed (852990 is tier 3.A).
    assert_eq!(
        entry_codes("880330"),
        BTreeSet::from(["852990".to_string(), "880730".to_string()])
    );
    assert!((by_code["880330"].weight - 2.0 / 8.0).abs() < 1e-12);
    // `grep ',854890,'`: 16 HS2022 codes; listed: 852990, 854151, 854159, 854800.
    assert_eq!(
        entry_codes("854890"),
        ["852990", "854151", "854159", "854800"]
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>()
    );
    assert!((by_code["854890"].weight - 4.0 / 16.0).abs() < 1e-12);

    // Every mapped HS2017 code, recomputed from the CSV: weight = listed counterparts / counterparts.
    let m = hs2017_to_hs2022(&path);
    let listed: BTreeSet<String> = list.codes().map(String::from).collect();
    let expected: BTreeMap<&str, f64> = m
        .iter()
        .filter_map(|(s, t)| {
            let k = t.intersection(&listed).count();
            (k > 0).then(|| (s.as_str(), k as f64 / t.len() as f64))
        })
        .collect();
    assert_eq!(
        by_code.keys().copied().collect::<Vec<_>>(),
        expected.keys().copied().collect::<Vec<_>>()
    );
    for (c, w) in &expected {
        assert!(
            (by_code[c].weight - w).abs() < 1e-12,
            "{c}: {} vs {w}",
            by_code[c].weight
        );
    }
    // Splits are complete: the weights of each source code over all its counterparts sum to 1.
    for c in mapping.codes.iter() {
        let s = conc
            .split(&c.code, Vintage::Hs(2017), Vintage::Hs(2022), &Weighting::Equal)
            .unwrap();
        let total: f64 = s.parts.iter().map(|(_, w)| w).sum();
        assert!((total - 1.0).abs() < 1e-12, "{}: {total}", c.code);
        if s.is_split() {
            assert_eq!(s.weighting, "equal split");
        }
    }
    // The one-to-one conversion table would send 854151 to 851712 with weight 1; through the
    // correlation 851712 (HS2017) counts only in part.
    let conv = Conversion::load(data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_conversion.csv")).unwrap();
    assert_eq!(conv.convert("854151"), Some("851712"));
    // `grep ',851712,'`: 17 HS2022 counterparts, of which 852990, 854151 and 854159 are listed.
    let w851712 = by_code.get("851712").map(|c| c.weight).unwrap_or(0.0);
    assert_eq!(m["851712"].len(), 17);
    assert!((w851712 - 3.0 / 17.0).abs() < 1e-12, "{w851712}");
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn classify_hs2017_rows_with_the_chpl() {
    let conc = match concordances() {
        Some(c) => c,
        None => return,
    };
    let mut b = TradeTableBuilder::new("hs17", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    for (code, v) in [("852580", 100.0), ("854231", 50.0), ("010121", 7.0), ("880330", 8.0)] {
        b.push(TradeRow::new(2021, 643, 156, Flow::Import, code, v)).unwrap();
    }
    let table = b.finish().unwrap();
    let list = chpl::chpl();
    let out = classify(&table, &[&list], &conc, &Weighting::Equal).unwrap();
    assert_eq!(out.notes.len(), 1);
    assert!(
        out.notes[0].contains("HS2017") && out.notes[0].contains("equal split"),
        "{}",
        out.notes[0]
    );
    use arrow_array::cast::AsArray;
    let batch = &out.batches[0];
    let w = batch
        .column_by_name("CHPL.weight")
        .unwrap()
        .as_primitive::<arrow_array::types::Float64Type>();
    let kind = arrow_cast::cast(
        batch.column_by_name("CHPL.match").unwrap(),
        &arrow_schema::DataType::Utf8,
    )
    .unwrap();
    let tier = arrow_cast::cast(
        batch.column_by_name("CHPL.tier").unwrap(),
        &arrow_schema::DataType::Utf8,
    )
    .unwrap();
    let (kind, tier) = (kind.as_string::<i32>(), tier.as_string::<i32>());
    // 854231 (HS2017) links to itself and, n:n, to the six subheadings of the new HS2022
    // e-waste heading 8549 (`grep ',854231,'`): 1/7 under an equal split.
    let expected = [0.05, 1.0 / 7.0, 0.0, 0.25];
    for (got, want) in w.values().iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    use arrow_array::Array;
    assert_eq!(kind.value(0), "converted");
    assert!(kind.is_null(2));
    assert_eq!(tier.value(0), "3.A");
    assert_eq!(tier.value(3), "3.A,3.B");
    // Field metadata says list, version and conversion.
    let f = out.schema.field_with_name("CHPL.entry").unwrap();
    assert_eq!(f.metadata()["tradedep.list.version"], "2024-02-23");
    assert!(f.metadata()["tradedep.list.conversion"].contains("correlation"));

    let e = explain("852580", Some(Vintage::Hs(2017)), &list, &conc, &Weighting::Equal).unwrap();
    assert!(e.listed && (e.weight - 0.05).abs() < 1e-12);
    assert_eq!(e.counterparts.len(), 20);
    let text = e.to_string();
    assert!(
        text.contains("852589") && text.contains("equal split") && text.contains("correlation"),
        "{text}"
    );
    let e = explain("010121", Some(Vintage::Hs(2017)), &list, &conc, &Weighting::Equal).unwrap();
    assert!(!e.listed && e.to_string().contains("none of them listed"), "{e}");
    let e = explain("851712", None, &list, &conc, &Weighting::Equal).unwrap();
    assert!(!e.listed && e.nearby.contains(&"851762".to_string()), "{e}");
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn trade_share_weights_come_from_a_base_period_table() {
    let conc = match concordances() {
        Some(c) => c,
        None => return,
    };
    // HS2022 trade of the base period among 852580's counterparts: 852589 has 30 of the 80 of its
    // direct successors (852581..852589); 880621 is a carve-out (fed by 3 codes) and gets nothing.
    let mut b = TradeTableBuilder::new(
        "base-2022",
        TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))),
    );
    for (code, v) in [("852589", 30.0), ("852581", 50.0), ("880621", 20.0), ("852589", 999.0)] {
        let period = if v == 999.0 { 2023 } else { 2022 };
        b.push(TradeRow::new(period, 643, 156, Flow::Import, code, v)).unwrap();
    }
    let base = b.finish().unwrap();
    let w = Weighting::trade_shares(&base, Some(2022), Some(2022)).unwrap();
    let list = chpl::chpl();
    let mapping = list.map_to(Vintage::Hs(2017), &conc, &w).unwrap();
    let c = mapping.codes.iter().find(|c| c.code == "852580").unwrap();
    assert!((c.weight - 30.0 / 80.0).abs() < 1e-12, "{}", c.weight);
    assert!(c.weighting.starts_with("trade shares"), "{}", c.weighting);
    // 880330's direct successor (880730, from it alone) had no base trade: equal split over its
    // direct successors, and it says so.
    let c = mapping.codes.iter().find(|c| c.code == "880330").unwrap();
    assert!(c.weighting.contains("no base-period trade"), "{}", c.weighting);
    assert!((c.weight - 1.0).abs() < 1e-12, "{}", c.weight);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn direct_tables_and_chains_to_hs2012() {
    let conc = match concordances() {
        Some(c) => c,
        None => return,
    };
    assert_eq!(conc.tables().count(), 3);
    let p = conc.path(Vintage::Hs(2022), Vintage::Hs(2012)).unwrap();
    assert_eq!(p.len(), 1, "a direct table exists");
    // A chain only through tables we hold: drop the direct HS2022-HS2012 table.
    let dir = common::shared_data().unwrap().join("hs_concordance");
    let mut chain = Concordances::new();
    chain.add(Correlation::load(dir.join("unsd_hs2022_to_hs2017_correlation.csv")).unwrap());
    chain.add(Correlation::load(dir.join("unsd_hs2017_to_hs2012_correlation.csv")).unwrap());
    let steps = chain.path(Vintage::Hs(2022), Vintage::Hs(2012)).unwrap();
    assert_eq!(steps.len(), 2);
    // 880730 -> 880330 (HS2017, n:1) -> 880330 (HS2012, 1:1): one code, weight 1.
    let s = chain
        .split("880730", Vintage::Hs(2022), Vintage::Hs(2012), &Weighting::Equal)
        .unwrap();
    assert_eq!(s.parts, vec![("880330".to_string(), 1.0)]);
    assert_eq!(s.path.len(), 2);
    let direct = conc
        .split("880730", Vintage::Hs(2022), Vintage::Hs(2012), &Weighting::Equal)
        .unwrap();
    assert_eq!(direct.parts, vec![("880330".to_string(), 1.0)]);
    // Chained weights still sum to 1.
    let s = chain
        .split("880330", Vintage::Hs(2012), Vintage::Hs(2022), &Weighting::Equal)
        .unwrap();
    let total: f64 = s.parts.iter().map(|(_, w)| w).sum();
    assert!((total - 1.0).abs() < 1e-12);
    assert!(conc.path(Vintage::Hs(2022), Vintage::Hs(1992)).is_err());
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn workbook_and_csv_give_the_same_tables() {
    let dir = match common::shared_data() {
        Some(d) => d.join("hs_concordance"),
        None => return,
    };
    for (xlsx, csv_corr, csv_conv) in [
        (
            "HS2022toHS2017ConversionAndCorrelationTables.xlsx",
            "unsd_hs2022_to_hs2017_correlation.csv",
            "unsd_hs2022_to_hs2017_conversion.csv",
        ),
        (
            "HS2017toHS2012ConversionAndCorrelationTables.xlsx",
            "unsd_hs2017_to_hs2012_correlation.csv",
            "unsd_hs2017_to_hs2012_conversion.csv",
        ),
    ] {
        let a = Correlation::load(dir.join(xlsx)).unwrap();
        let b = Correlation::load(dir.join(csv_corr)).unwrap();
        assert_eq!(a.vintages(), b.vintages());
        assert_eq!(a.links(), b.links(), "{xlsx}");
        let a = Conversion::load(dir.join(xlsx)).unwrap();
        let b = Conversion::load(dir.join(csv_conv)).unwrap();
        assert_eq!(a.len(), b.len());
        assert_eq!((a.from, a.to), (b.from, b.to));
    }
    let c = Correlation::load(dir.join("unsd_hs2017_to_hs2012_correlation.csv")).unwrap();
    assert!(c.links().iter().any(|l| l.a == "854890" && l.partial));
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn convert_a_table_between_vintages() {
    let conc = match concordances() {
        Some(c) => c,
        None => return,
    };
    let mut b = TradeTableBuilder::new("hs17", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    b.push(TradeRow::new(2021, 643, 156, Flow::Import, "852580", 200.0))
        .unwrap();
    b.push(TradeRow::new(2021, 643, 156, Flow::Import, "854231", 10.0))
        .unwrap();
    let t = b.finish().unwrap();
    let out = conc.convert_table(&t, Vintage::Hs(2022), &Weighting::Equal).unwrap();
    assert_eq!(out.meta().vintage, Some(Vintage::Hs(2022)));
    // 852580 splits into 20 HS2022 codes, 854231 into 7 (see above).
    assert_eq!(out.num_rows(), 27);
    use arrow_array::cast::AsArray;
    let total: f64 = out
        .batches()
        .iter()
        .map(|b| {
            b.column(5)
                .as_primitive::<arrow_array::types::Float64Type>()
                .values()
                .iter()
                .sum::<f64>()
        })
        .sum();
    assert!((total - 210.0).abs() < 1e-9);
    assert!(
        out.report()
            .notes
            .iter()
            .any(|n| n.contains("equal split") && n.contains("2 rows of codes with several counterparts")),
        "{:?}",
        out.report().notes
    );
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn drone_basket_on_hs2017_reaches_8802_and_852580() {
    let path = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let conc = concordances().unwrap();
    let drones = tradedep::classify::basket::drone_components();
    let sel = drones
        .to_selection(Some(Vintage::Hs(2017)), &conc, &Weighting::Equal)
        .unwrap();
    assert_eq!(sel.vintage, Some(Vintage::Hs(2017)));
    // Independent: HS2022 codes under the basket's prefixes, then for each HS2017 code the share
    // of its HS2022 counterparts that are in the basket.
    let m = hs2017_to_hs2022(&path);
    let prefixes: Vec<&str> = drones.prefixes().collect();
    let expected: BTreeMap<String, f64> = m
        .iter()
        .filter_map(|(s, t)| {
            let k = t.iter().filter(|c| prefixes.iter().any(|p| c.starts_with(p))).count();
            (k > 0).then(|| (s.clone(), k as f64 / t.len() as f64))
        })
        .collect();
    let got: BTreeMap<String, f64> = sel.entries.iter().cloned().collect();
    assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
    for (c, w) in &expected {
        assert!((got[c] - w).abs() < 1e-12, "{c}");
    }
    // Before HS2022, drones sat in 8802 and 852580 (domain notes): both are reached.
    assert!(got.contains_key("880211") && got.contains_key("880220") && got.contains_key("852580"));
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn cn8_codes_of_an_hs2017_based_edition_convert_through_their_subheading() {
    let conc = match concordances() {
        Some(c) => c,
        None => return,
    };
    let list = chpl::chpl();
    // CN2021 is built on HS2017: 85258091 (a camera of HS2017 852580) reaches 852589 in part.
    let e = explain("85258091", Some(Vintage::Cn(2021)), &list, &conc, &Weighting::Equal).unwrap();
    assert!(e.listed && e.kind == Some(tradedep::classify::MatchKind::Converted));
    assert!((e.weight - 1.0 / 20.0).abs() < 1e-12, "{}", e.weight);
    let mut b = TradeTableBuilder::new("cn21", TableMeta::new(Freq::Annual, "EUR", Some(Vintage::Cn(2021))));
    b.push(TradeRow::new(2021, 276, 643, Flow::Export, "85423190", 5.0))
        .unwrap();
    b.push(TradeRow::new(2021, 276, 643, Flow::Export, "85258091", 5.0))
        .unwrap();
    let t = b.finish().unwrap();
    let out = classify(&t, &[&list], &conc, &Weighting::Equal).unwrap();
    use arrow_array::cast::AsArray;
    let w = out.batches[0]
        .column_by_name("CHPL.weight")
        .unwrap()
        .as_primitive::<arrow_array::types::Float64Type>();
    // 854231 (HS2017) -> 7 HS2022 codes, one listed (see classify_hs2017_rows_with_the_chpl).
    assert!((w.value(0) - 1.0 / 7.0).abs() < 1e-12 && (w.value(1) - 0.05).abs() < 1e-12);
}
