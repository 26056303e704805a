//! The embedded UNSD correlation tables (every HS edition) against the official files, read here
//! by the crate's own workbook/CSV reader (calamine), not by the generator (openpyxl/xlrd): row by
//! row, in file order, with relationship and "ex" flag; adjacent pairs also against the Growth
//! Lab consolidated CSV; and the worked cases of docs/methods/hs-editions.md.

use std::collections::BTreeSet;

use tradedep::classify::hs_editions::TABLES;
use tradedep::classify::{Concordances, Correlation, Weighting};
use tradedep::Vintage;

use crate::common;

type LinkSet = BTreeSet<(String, String, String)>;

fn official(file: &str) -> Option<std::path::PathBuf> {
    let d = common::shared_data()?;
    ["hs_concordance", "hs_concordance_older"]
        .iter()
        .map(|f| d.join(f).join(file))
        .find(|p| p.exists())
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn every_embedded_table_equals_the_official_workbook_row_by_row() {
    let embedded = Concordances::embedded();
    assert_eq!(embedded.tables().count(), TABLES.len());
    assert_eq!(TABLES.len(), 15);
    for (t, (a, b, source, _sha, n)) in embedded.tables().zip(TABLES) {
        let file = source.split(" [").next().unwrap();
        let Some(path) = official(file) else { return };
        let off = Correlation::load(&path).unwrap();
        assert_eq!(off.vintages(), t.vintages(), "{file}");
        assert_eq!(
            (t.vintages().0.name(), t.vintages().1.name()),
            (a.to_string(), b.to_string())
        );
        assert_eq!(off.links().len(), *n, "{file}");
        assert_eq!(t.links().len(), *n, "{file}");
        for (i, (x, y)) in off.links().iter().zip(t.links()).enumerate() {
            assert_eq!(
                (
                    x.a.as_str(),
                    x.b.as_str(),
                    x.relationship.trim_start_matches('\''),
                    x.partial
                ),
                (y.a.as_str(), y.b.as_str(), y.relationship.as_str(), y.partial),
                "{file} link {i}"
            );
        }
    }
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn the_csv_extracts_and_the_growth_lab_file_agree_with_the_embedded_tables() {
    let embedded = Concordances::embedded();
    let Some(d) = common::shared_data() else { return };
    let set = |c: &Correlation| -> LinkSet {
        c.links()
            .iter()
            .map(|l| {
                (
                    l.a.clone(),
                    l.b.clone(),
                    l.relationship.trim_start_matches('\'').to_string(),
                )
            })
            .collect()
    };
    let find = |a: u16, b: u16| {
        embedded
            .tables()
            .find(|t| t.vintages() == (Vintage::Hs(a), Vintage::Hs(b)))
            .unwrap()
    };
    for (file, a, b) in [
        ("unsd_hs2022_to_hs2017_correlation.csv", 2022, 2017),
        ("unsd_hs2022_to_hs2012_correlation.csv", 2022, 2012),
        ("unsd_hs2017_to_hs2012_correlation.csv", 2017, 2012),
    ] {
        let c = Correlation::load(d.join("hs_concordance").join(file)).unwrap();
        assert_eq!(set(&c), set(find(a, b)), "{file}");
    }
    // Growth Lab: every adjacent pair, codes written as integers.
    let mut rdr =
        csv::Reader::from_path(d.join("hs_concordance_older/growthlab_HS_consolidated_comtrade_concordances.csv"))
            .unwrap();
    let mut gl: std::collections::BTreeMap<(u16, u16), LinkSet> = Default::default();
    for r in rdr.records() {
        let r = r.unwrap();
        let (after, before) = r[3].split_once(" to ").unwrap();
        gl.entry((after.parse().unwrap(), before.parse().unwrap()))
            .or_default()
            .insert((format!("{:0>6}", &r[0]), format!("{:0>6}", &r[1]), r[2].to_string()));
    }
    // The file also holds pairs outside HS1992..HS2022 (SITC revisions, HS1988): compare the HS ones.
    let mut compared = 0;
    for ((a, b), links) in &gl {
        if Vintage::HS_EDITIONS.contains(a) && Vintage::HS_EDITIONS.contains(b) {
            assert_eq!(&set(find(*a, *b)), links, "HS{a}-HS{b}");
            compared += 1;
        }
    }
    assert_eq!(compared, 6);
}

#[test]
fn chains_go_through_adjacent_editions_where_no_direct_table_exists() {
    let c = Concordances::embedded();
    let names = |f: u16, t: u16| -> Vec<(Vintage, Vintage)> {
        c.path(Vintage::Hs(f), Vintage::Hs(t))
            .unwrap()
            .iter()
            .map(|(_, a, b)| (*a, *b))
            .collect()
    };
    for old in [1992, 1996, 2002, 2007, 2012, 2017] {
        assert_eq!(names(2022, old), vec![(Vintage::Hs(2022), Vintage::Hs(old))]);
    }
    assert_eq!(
        names(2012, 1996),
        vec![
            (Vintage::Hs(2012), Vintage::Hs(2007)),
            (Vintage::Hs(2007), Vintage::Hs(2002)),
            (Vintage::Hs(2002), Vintage::Hs(1996)),
        ]
    );
    assert_eq!(names(1992, 2007).len(), 3);
}

/// The worked cases of docs/methods/hs-editions.md, from the embedded HS2022-HS2017 table (equal
/// to the official file by the test above).
#[test]
fn worked_cases_of_the_methods_page() {
    let c = Concordances::embedded();
    let h17 = Vintage::Hs(2017);
    let h22 = Vintage::Hs(2022);
    let t = c.tables().find(|t| t.vintages() == (h22, h17)).unwrap();
    let cases: [(&str, usize, &[&str]); 4] = [
        ("851712", 17, &["851713", "851714"]),
        ("852580", 20, &["852581", "852582", "852583", "852589"]),
        ("854140", 10, &["854141", "854142", "854143", "854149"]),
        ("880330", 8, &["880730"]),
    ];
    for (code, links, succ) in cases {
        assert_eq!(t.counterparts(code, h17).unwrap().len(), links, "{code}");
        assert_eq!(t.successors(code, h17).unwrap(), succ.to_vec(), "{code}");
        let s = c.split(code, h17, h22, &Weighting::Continuity).unwrap();
        for (p, w) in &s.parts {
            let want = if succ.contains(&p.as_str()) {
                1.0 / succ.len() as f64
            } else {
                0.0
            };
            assert!((w - want).abs() < 1e-12, "{code} -> {p}: {w}");
        }
        let e = c.split(code, h17, h22, &Weighting::Equal).unwrap();
        assert!(e.parts.iter().all(|(_, w)| (w - 1.0 / links as f64).abs() < 1e-12));
    }
    // 851712's carve-out links: fed by 483 (8524xx, 852990), 157 (854151/854159), 1019 (8549xx) codes.
    let fed = |x: &str| t.counterparts(x, h22).unwrap().len();
    assert_eq!(
        (fed("852990"), fed("854151"), fed("854159"), fed("854921")),
        (483, 157, 157, 1019)
    );
    assert_eq!((fed("851713"), fed("851714"), fed("880730")), (1, 1, 1));
}

/// Per-period vintages: metadata round trip, lookup by period, the Comext reader, and a table
/// converted row by row from its period's edition.
#[test]
fn per_period_vintages_round_trip_and_convert_each_row_from_its_period() {
    use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
    let meta = TableMeta::new(Freq::Monthly, "EUR", None)
        .with_period_vintages(vec![(2022, Vintage::Cn(2022)), (2021, Vintage::Cn(2021))]);
    assert_eq!(meta.vintage, Some(Vintage::Cn(2021)));
    assert_eq!(meta.vintage_of(202112), Some(Vintage::Cn(2021)));
    assert_eq!(meta.vintage_of(202203), Some(Vintage::Cn(2022)));
    assert_eq!(TableMeta::from_metadata(&meta.to_metadata()).unwrap(), meta);
    // One distinct vintage is no per-period table.
    let one = TableMeta::new(Freq::Annual, "USD", None).with_period_vintages(vec![(2021, Vintage::Hs(2017))]);
    assert!(one.period_vintages.is_empty() && one.vintage == Some(Vintage::Hs(2017)));

    // HS2017 rows in 2021, HS2022 rows in 2022, converted to HS2022.
    let meta = TableMeta::new(Freq::Annual, "USD", None)
        .with_period_vintages(vec![(2021, Vintage::Hs(2017)), (2022, Vintage::Hs(2022))]);
    let mut b = TradeTableBuilder::new("mixed", meta);
    for (p, code, v) in [
        (2021, "851712", 10.0),
        (2021, "880330", 4.0),
        (2022, "851713", 7.0),
        (2022, "880730", 3.0),
    ] {
        b.push(TradeRow::new(p, 643, 156, Flow::Import, code, v)).unwrap();
    }
    let t = b.finish().unwrap();
    let conv = Concordances::embedded()
        .convert_table(&t, Vintage::Hs(2022), &Weighting::Continuity)
        .unwrap();
    assert!(conv.meta().period_vintages.is_empty());
    let mut rows: Vec<(i32, String, f64)> = vec![];
    for bt in conv.batches() {
        use arrow_array::cast::AsArray;
        let per = bt.column(0).as_primitive::<arrow_array::types::Int32Type>();
        let p = bt.column(4).as_dictionary::<arrow_array::types::Int32Type>();
        let names = p.values().as_string::<i32>();
        let v = bt.column(5).as_primitive::<arrow_array::types::Float64Type>();
        for i in 0..bt.num_rows() {
            rows.push((
                per.value(i),
                names.value(p.keys().value(i) as usize).to_string(),
                v.value(i),
            ));
        }
    }
    rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let want: Vec<(i32, String, f64)> = [
        (2021, "851713", 5.0),
        (2021, "851714", 5.0),
        (2021, "880730", 4.0),
        (2022, "851713", 7.0),
        (2022, "880730", 3.0),
    ]
    .into_iter()
    .map(|(p, c, v)| (p, c.to_string(), v))
    .collect();
    assert_eq!(rows, want);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn the_comext_reader_reads_each_year_in_its_cn() {
    let Some(d) = common::shared_data() else { return };
    let path = d.join(
        "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz",
    );
    let t = tradedep::io::comext::read_comext(&path, &Default::default()).unwrap();
    assert_eq!(
        t.meta().period_vintages,
        vec![
            (2020, Vintage::Cn(2020)),
            (2021, Vintage::Cn(2021)),
            (2022, Vintage::Cn(2022))
        ]
    );
    assert!(t.report().notes.iter().any(|n| n.contains("2022=CN2022")));
}
