//! `Weighting::Continuity` (the default) against an independent reading of the UNSD
//! HS2022<->HS2017 correlation CSV with the csv crate: a code's weight goes to its direct
//! successors (the same code, and the linked codes fed by the fewest codes), split equally; its
//! carve-out links get nothing; every result names what it applied.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use tradedep::classify::list::{ListEntry, ListMeta};
use tradedep::classify::{chpl, classify, explain, Concordances, Correlation, ProductList, Weighting};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
use tradedep::Vintage;

type Links = BTreeMap<String, BTreeSet<String>>;

/// (HS2017 -> HS2022 counterparts, HS2022 -> HS2017 counterparts) from the CSV.
fn read_links(path: &std::path::Path) -> (Links, Links) {
    let (mut from17, mut from22) = (Links::new(), Links::new());
    let mut rdr = csv::Reader::from_path(path).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        from17.entry(r[1].to_string()).or_default().insert(r[0].to_string());
        from22.entry(r[0].to_string()).or_default().insert(r[1].to_string());
    }
    (from17, from22)
}

/// The direct successors of `code`, written out independently: the same code if linked, and the
/// targets with the fewest sources (`back`: target -> its sources).
fn successors(code: &str, targets: &BTreeSet<String>, back: &Links) -> BTreeSet<String> {
    let fewest = targets.iter().map(|t| back[t].len()).min().unwrap();
    targets
        .iter()
        .filter(|t| *t == code || back[*t].len() == fewest)
        .cloned()
        .collect()
}

/// The rule, written out independently: weight of `code` that falls on `listed`.
fn expected_weight(
    code: &str,
    targets: &BTreeSet<String>,
    back: &Links,
    listed: &BTreeSet<String>,
    continuity: bool,
) -> f64 {
    let pool = if continuity {
        successors(code, targets, back)
    } else {
        targets.clone()
    };
    pool.intersection(listed).count() as f64 / pool.len() as f64
}

fn expected_mapping(links: &Links, back: &Links, listed: &BTreeSet<String>, continuity: bool) -> BTreeMap<String, f64> {
    links
        .iter()
        .map(|(s, t)| (s.clone(), expected_weight(s, t, back, listed, continuity)))
        .filter(|(_, w)| *w > 0.0)
        .collect()
}

fn concordances() -> Concordances {
    Concordances::load_dir(common::shared_data().unwrap().join("hs_concordance")).unwrap()
}

#[test]
fn continuity_is_the_default() {
    assert_eq!(Weighting::default(), Weighting::Continuity);
    assert_eq!(Weighting::default().describe(), "continuity");
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn hs2017_854231_counts_whole_under_continuity_and_one_seventh_under_equal() {
    let path = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let (from17, _) = read_links(&path);
    let conc = concordances();
    let list = chpl::chpl();
    let listed: BTreeSet<String> = list.codes().map(String::from).collect();

    // From the CSV: 854231 links to itself and to the six subheadings of the new heading 8549.
    let t = &from17["854231"];
    assert!(t.contains("854231") && t.iter().filter(|c| c.starts_with("8549")).count() == t.len() - 1);
    let equal_w = t.intersection(&listed).count() as f64 / t.len() as f64;
    assert_eq!(t.len(), 7);

    let cont = list.map_to(Vintage::Hs(2017), &conc, &Weighting::Continuity).unwrap();
    let c = cont.codes.iter().find(|c| c.code == "854231").unwrap();
    assert_eq!(c.weight, 1.0);
    assert!(c.weighting.starts_with("continuity"), "{}", c.weighting);
    assert_eq!(c.via.len(), 1);
    assert_eq!(list.entries()[c.via[0].0].code, "854231");

    let eq = list.map_to(Vintage::Hs(2017), &conc, &Weighting::Equal).unwrap();
    let c = eq.codes.iter().find(|c| c.code == "854231").unwrap();
    assert!(
        (c.weight - equal_w).abs() < 1e-12 && (c.weight - 1.0 / 7.0).abs() < 1e-12,
        "{}",
        c.weight
    );
    assert_eq!(c.weighting, "equal split");

    // The split itself: all weight on 854231, the carve-outs listed with 0, summing to 1.
    let s = conc
        .split("854231", Vintage::Hs(2017), Vintage::Hs(2022), &Weighting::default())
        .unwrap();
    assert_eq!(s.parts.len(), 7);
    for (code, w) in &s.parts {
        assert_eq!(*w, if code == "854231" { 1.0 } else { 0.0 }, "{code}");
    }
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn a_code_that_does_not_survive_goes_to_its_direct_successors() {
    let path = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let (from17, from22) = read_links(&path);
    let conc = concordances();
    let list = chpl::chpl();
    let listed: BTreeSet<String> = list.codes().map(String::from).collect();
    let t = &from17["852580"];
    assert!(!t.contains("852580"), "HS2022 has no 852580");
    // 852581/852582/852583/852589 come from 852580 alone; 8806xx and 8549xx are fed by others too.
    let succ = successors("852580", t, &from22);
    assert_eq!(
        succ.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ["852581", "852582", "852583", "852589"]
    );
    for (w, pool) in [(Weighting::Continuity, &succ), (Weighting::Equal, t)] {
        let want = pool.intersection(&listed).count() as f64 / pool.len() as f64;
        let s = conc.split("852580", Vintage::Hs(2017), Vintage::Hs(2022), &w).unwrap();
        assert_eq!(s.parts.len(), t.len());
        assert!(s
            .parts
            .iter()
            .all(|(c, x)| t.contains(c)
                && (x - if pool.contains(c) { 1.0 / pool.len() as f64 } else { 0.0 }).abs() < 1e-12));
        let m = list.map_to(Vintage::Hs(2017), &conc, &w).unwrap();
        let c = m.codes.iter().find(|c| c.code == "852580").unwrap();
        assert!((c.weight - want).abs() < 1e-12, "{}", c.weight);
        assert_eq!(
            c.weighting.contains("direct successors"),
            w == Weighting::Continuity,
            "{}",
            c.weighting
        );
    }
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn chpl_on_hs2017_under_both_weightings_matches_the_csv() {
    let path = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let (from17, from22) = read_links(&path);
    let conc = concordances();
    let list = chpl::chpl();
    // The CHPL's entries are HS6 codes, so "listed" is plain set membership.
    assert!(list.codes().all(|c| c.len() == 6));
    let listed: BTreeSet<String> = list.codes().map(String::from).collect();

    let mut ones = BTreeMap::new();
    for (name, w, continuity) in [
        ("continuity", Weighting::Continuity, true),
        ("equal", Weighting::Equal, false),
    ] {
        let m = list.map_to(Vintage::Hs(2017), &conc, &w).unwrap();
        let got: BTreeMap<String, f64> = m.codes.iter().map(|c| (c.code.clone(), c.weight)).collect();
        let want = expected_mapping(&from17, &from22, &listed, continuity);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{name}"
        );
        for (c, x) in &want {
            assert!((got[c] - x).abs() < 1e-12, "{name} {c}: {} vs {x}", got[c]);
        }
        for c in &m.codes {
            assert!(
                c.weight > 0.0 && c.weight <= 1.0 + 1e-12,
                "{name} {}: {}",
                c.code,
                c.weight
            );
            assert!(c.via.iter().all(|(_, x)| *x > 0.0), "{name} {}: {:?}", c.code, c.via);
            // The weighting named per code is the one the rule applies to it.
            let t = &from17[&c.code];
            let named = if t.len() == 1 {
                "one counterpart"
            } else if !continuity {
                "equal split"
            } else if successors(&c.code, t, &from22).len() == t.len() {
                "equal split (continuity: no carve-out link"
            } else {
                "continuity"
            };
            assert!(c.weighting.starts_with(named), "{name} {}: {}", c.code, c.weighting);
            // Every source code's weights over all its targets sum to 1, each in [0, 1].
            let s = conc.split(&c.code, Vintage::Hs(2017), Vintage::Hs(2022), &w).unwrap();
            assert_eq!(s.parts.iter().map(|(x, _)| x.clone()).collect::<BTreeSet<_>>(), *t);
            assert!(s.parts.iter().all(|(_, x)| (0.0..=1.0).contains(x)));
            let total: f64 = s.parts.iter().map(|(_, x)| x).sum();
            assert!((total - 1.0).abs() < 1e-12, "{name} {}: {total}", c.code);
            assert_eq!(s.weighting, c.weighting);
        }
        let full = got.values().filter(|x| (**x - 1.0).abs() < 1e-12).count();
        eprintln!(
            "{name}: {} HS2017 codes mapped from the CHPL, {full} with weight 1",
            got.len()
        );
        ones.insert(name, (got.len(), full));
    }
    // Under an equal split only codes whose every counterpart is listed count whole; continuity
    // adds the surviving listed codes such as 854231.
    assert!(ones["continuity"].1 > ones["equal"].1, "{ones:?}");
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn explain_names_the_weighting_applied() {
    let _ = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let conc = concordances();
    let list = chpl::chpl();
    let e = explain("854231", Some(Vintage::Hs(2017)), &list, &conc, &Weighting::default()).unwrap();
    assert!(e.listed && e.weight == 1.0);
    assert!(
        e.weighting.as_deref().is_some_and(|w| w.starts_with("continuity")),
        "{:?}",
        e.weighting
    );
    assert!(
        e.to_string().contains("continuity (the code continues in HS2022"),
        "{e}"
    );
    let e = explain("854231", Some(Vintage::Hs(2017)), &list, &conc, &Weighting::Equal).unwrap();
    assert!((e.weight - 1.0 / 7.0).abs() < 1e-12);
    assert_eq!(e.weighting.as_deref(), Some("equal split"));
    assert!(e.to_string().contains("equal split"), "{e}");
    let e = explain("852580", Some(Vintage::Hs(2017)), &list, &conc, &Weighting::default()).unwrap();
    assert!(e.to_string().contains("direct successors"), "{e}");
    // A 1:1 code names that too.
    let e = explain("010121", Some(Vintage::Hs(2017)), &list, &conc, &Weighting::default()).unwrap();
    assert_eq!(e.weighting.as_deref(), Some("one counterpart (no split)"));
    // No conversion, no weighting.
    let e = explain("854231", None, &list, &conc, &Weighting::default()).unwrap();
    assert_eq!(e.weighting, None);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn classify_and_convert_hs2017_rows_under_the_default() {
    let path = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let (from17, from22) = read_links(&path);
    let conc = concordances();
    let list = chpl::chpl();
    let listed: BTreeSet<String> = list.codes().map(String::from).collect();
    let codes = ["852580", "854231", "010121", "880330", "854890"];
    let mut b = TradeTableBuilder::new("hs17", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    for (i, code) in codes.iter().enumerate() {
        b.push(TradeRow::new(2021, 643, 156, Flow::Import, code, 10.0 * (i + 1) as f64))
            .unwrap();
    }
    let table = b.finish().unwrap();
    let out = classify(&table, &[&list], &conc, &Weighting::default()).unwrap();
    assert!(
        out.notes[0].contains("weighting continuity") && out.notes[0].contains("direct successors"),
        "{}",
        out.notes[0]
    );
    use arrow_array::cast::AsArray;
    let w = out.batches[0]
        .column_by_name("CHPL.weight")
        .unwrap()
        .as_primitive::<arrow_array::types::Float64Type>();
    for (code, got) in codes.iter().zip(w.values().iter()) {
        let want = expected_weight(code, &from17[*code], &from22, &listed, true);
        assert!((got - want).abs() < 1e-12, "{code}: {got} vs {want}");
    }
    let f = out.schema.field_with_name("CHPL.weight").unwrap();
    assert!(f.metadata()["tradedep.list.conversion"].contains("continuity"));

    // Converting the table: 854231 keeps one whole row; codes that do not continue split equally.
    let conv = conc
        .convert_table(&table, Vintage::Hs(2022), &Weighting::default())
        .unwrap();
    // (product, value, estimated) of every output row.
    let mut rows: Vec<(String, f64, bool)> = vec![];
    for bt in conv.batches() {
        let p = bt.column(4).as_dictionary::<arrow_array::types::Int32Type>();
        let names = p.values().as_string::<i32>();
        let v = bt.column(5).as_primitive::<arrow_array::types::Float64Type>();
        let est = bt.column(10).as_boolean();
        for i in 0..bt.num_rows() {
            rows.push((
                names.value(p.keys().value(i) as usize).to_string(),
                v.value(i),
                est.value(i),
            ));
        }
    }
    let total: f64 = rows.iter().map(|r| r.1).sum();
    assert_eq!(
        rows.iter().filter(|r| r.0 == "854231").collect::<Vec<_>>(),
        vec![&("854231".to_string(), 20.0, false)]
    );
    let n = successors("852580", &from17["852580"], &from22).len() as f64;
    let cams: Vec<_> = rows
        .iter()
        .filter(|r| from17["852580"].contains(&r.0) && !from17["854231"].contains(&r.0))
        .collect();
    assert!(cams
        .iter()
        .any(|r| r.0 == "852589" && (r.1 - 10.0 / n).abs() < 1e-12 && r.2));
    assert!((total - 150.0).abs() < 1e-9, "{total}");
    let n_rows: usize = codes
        .iter()
        .map(|c| {
            let t = &from17[*c];
            successors(c, t, &from22).len()
        })
        .sum();
    assert_eq!(conv.num_rows(), n_rows);
    assert!(
        conv.report()
            .notes
            .iter()
            .any(|n| n.contains("with weighting continuity")),
        "{:?}",
        conv.report().notes
    );
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn an_hs2017_list_on_hs2022_data_follows_the_same_rule() {
    let path = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let (from17, from22) = read_links(&path);
    let conc = concordances();
    let codes = ["854231", "852580", "880330"];
    let entries = codes
        .iter()
        .map(|c| ListEntry {
            code: c.to_string(),
            attrs: Default::default(),
            line: None,
        })
        .collect();
    let meta = ListMeta {
        name: "old".into(),
        version: "1".into(),
        source: "test".into(),
        vintage: Vintage::Hs(2017),
        ..Default::default()
    };
    let list = ProductList::new(meta, entries).unwrap();
    let listed: BTreeSet<String> = codes.iter().map(|s| s.to_string()).collect();
    // Only HS2022 codes linked to a listed code can count.
    let linked: Links = from22
        .iter()
        .filter(|(_, t)| !t.is_disjoint(&listed))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let m = list.map_to(Vintage::Hs(2022), &conc, &Weighting::default()).unwrap();
    let got: BTreeMap<String, f64> = m.codes.iter().map(|c| (c.code.clone(), c.weight)).collect();
    let want = expected_mapping(&linked, &from17, &listed, true);
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
    for (c, x) in &want {
        assert!((got[c] - x).abs() < 1e-12, "{c}: {} vs {x}", got[c]);
    }
    // HS2022 854231 came from HS2017 854231 alone; 852589 from 852580 alone: both whole.
    assert_eq!(got["854231"], 1.0);
    assert_eq!(got["852589"], 1.0);
    // A new 8549 code (e-waste) comes from hundreds of HS2017 codes; its direct successors are
    // the origins fed by the fewest HS2022 codes, none of them listed here: it does not count.
    let origins = &from22["854931"];
    assert!(origins.len() > 100 && !origins.is_disjoint(&listed));
    assert!(!got.contains_key("854931") && !want.contains_key("854931"));
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn continuity_applies_at_every_step_of_a_chain() {
    let dir = match common::shared_data() {
        Some(d) => d.join("hs_concordance"),
        None => return,
    };
    let mut chain = Concordances::new();
    chain.add(Correlation::load(dir.join("unsd_hs2022_to_hs2017_correlation.csv")).unwrap());
    chain.add(Correlation::load(dir.join("unsd_hs2017_to_hs2012_correlation.csv")).unwrap());
    // 854231 exists in HS2012, HS2017 and HS2022.
    let s = chain
        .split("854231", Vintage::Hs(2012), Vintage::Hs(2022), &Weighting::default())
        .unwrap();
    assert_eq!(s.path.len(), 2);
    let whole: Vec<_> = s.parts.iter().filter(|(_, w)| *w > 0.0).collect();
    assert_eq!(whole, vec![&("854231".to_string(), 1.0)]);
    let total: f64 = s.parts.iter().map(|(_, w)| w).sum();
    assert!((total - 1.0).abs() < 1e-12);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn codes_counted_whole_are_the_chpl_csvs_own_hs2017_equivalents() {
    let corr = data_or_skip!("hs_concordance/unsd_hs2022_to_hs2017_correlation.csv");
    let chpl_csv = data_or_skip!("chpl/chpl_2024-02-23.csv");
    let (from17, _) = read_links(&corr);
    // Rows whose code exists in HS2017, with the HS2017 code the CSV gives for them.
    let mut rdr = csv::Reader::from_path(&chpl_csv).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (ic, iin, ieq) = (col("hs6"), col("in_hs2017"), col("hs2017_equivalent_concordance_pkg"));
    let mut same: BTreeSet<String> = BTreeSet::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if &r[iin] == "yes" {
            assert_eq!(
                &r[ieq], &r[ic],
                "the CSV's equivalent of a surviving code is the code itself"
            );
            same.insert(r[ieq].to_string());
        }
    }
    let m = chpl::chpl()
        .map_to(Vintage::Hs(2017), &concordances(), &Weighting::default())
        .unwrap();
    let whole: BTreeSet<String> = m
        .codes
        .iter()
        .filter(|c| c.weight == 1.0)
        .map(|c| c.code.clone())
        .collect();
    // Every surviving code counts whole; so do codes whose direct successors are all listed
    // (e.g. 880330, whose one direct successor is 880730), none of which survives.
    assert!(
        same.is_subset(&whole),
        "{:?}",
        same.difference(&whole).collect::<Vec<_>>()
    );
    assert!(whole.difference(&same).all(|c| !from17[c].contains(c)));
    assert!(whole.contains("880330"));
    // Under an equal split none of them counts whole: each also links to carve-outs.
    assert!(same.iter().all(|c| from17[c].len() > 1));
}
