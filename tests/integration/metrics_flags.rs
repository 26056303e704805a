//! Dependency flags on hand-worked tables (GeoDep C1-C4, EU 2021).

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt16Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use tradedep::metrics::{dependency_flags, dependency_flags_with_world, FlagMethod, FlagOptions, Importer};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder, Vintage};
use tradedep::TradeTable;

fn table(rows: &[(i32, u16, u16, f64)]) -> TradeTable {
    let mut b = TradeTableBuilder::new("hand", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    for (y, imp, sup, v) in rows {
        b.push(TradeRow::new(*y, *imp, *sup, Flow::Import, "850760", *v))
            .unwrap();
    }
    b.finish().unwrap()
}

fn find(out: &RecordBatch, importer: u16, year: i32) -> usize {
    let imp = out.column_by_name("importer").unwrap().as_primitive::<UInt16Type>();
    let yr = out.column_by_name("year").unwrap().as_primitive::<Int32Type>();
    (0..out.num_rows())
        .find(|i| imp.value(*i) == importer && yr.value(*i) == year)
        .unwrap()
}
fn f(out: &RecordBatch, c: &str, i: usize) -> f64 {
    out.column_by_name(c).unwrap().as_primitive::<Float64Type>().value(i)
}
fn s(out: &RecordBatch, c: &str, i: usize) -> Option<String> {
    let a = out.column_by_name(c).unwrap().as_string::<i32>();
    a.is_valid(i).then(|| a.value(i).to_string())
}
fn null(out: &RecordBatch, c: &str, i: usize) -> bool {
    out.column_by_name(c).unwrap().is_null(i)
}
fn b(out: &RecordBatch, c: &str, i: usize) -> Option<bool> {
    let a = out.column_by_name(c).unwrap().as_boolean();
    a.is_valid(i).then(|| a.value(i))
}

const A: u16 = 4;
const B: u16 = 8;
const C: u16 = 12;
const D: u16 = 20;

#[test]
fn geodep_criteria_hand_worked() {
    let t = table(&[
        // 2019: A buys evenly from three suppliers: C1 fails.
        (2019, A, B, 30.0),
        (2019, A, C, 30.0),
        (2019, A, D, 30.0),
        (2019, D, B, 100.0),
        // 2020 and 2021: A depends on B; B dominates world exports; A exports little (to D).
        (2020, A, B, 90.0),
        (2020, A, C, 10.0),
        (2020, D, B, 100.0),
        (2020, D, A, 5.0),
        (2021, A, B, 90.0),
        (2021, A, C, 10.0),
        (2021, D, B, 100.0),
        (2021, D, A, 5.0),
    ]);
    // The hand table's three exporters and two destinations count as the world here.
    let as_world = FlagOptions {
        world_min_countries: 2,
        ..Default::default()
    };
    let out = dependency_flags(&t, &as_world).unwrap();
    let i = find(&out, A, 2021);
    assert!((f(&out, "c1_hhi", i) - 0.82).abs() < 1e-12);
    let world = (190f64.powi(2) + 10f64.powi(2) + 5f64.powi(2)) / 205f64.powi(2);
    assert!((f(&out, "c2_hhi", i) - world).abs() < 1e-12);
    assert!((f(&out, "c3_ratio", i) - 20.0).abs() < 1e-12);
    assert_eq!(
        (b(&out, "c1", i), b(&out, "c2", i), b(&out, "c3", i), b(&out, "c123", i)),
        (Some(true), Some(true), Some(true), Some(true))
    );
    assert_eq!(
        out.column_by_name("c4_years")
            .unwrap()
            .as_primitive::<UInt32Type>()
            .value(i),
        2
    );
    assert_eq!(b(&out, "c4", i), Some(true));
    // 2020: one year of three holds, and the window starts before the data: unknown.
    let i = find(&out, A, 2020);
    assert_eq!(b(&out, "c4", i), None);
    // 2019: C1 fails (HHI 1/3).
    let i = find(&out, A, 2019);
    assert!((f(&out, "c1_hhi", i) - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(b(&out, "c1", i), Some(false));
    // D exports nothing in a table that is the world: the ratio is 9999 by convention, said.
    let i = find(&out, D, 2020);
    assert_eq!(f(&out, "c3_ratio", i), 9999.0);
    assert!(s(&out, "c3_reason", i).unwrap().contains("CEPII's convention"));
    // Thresholds are arguments.
    let strict = dependency_flags(
        &t,
        &FlagOptions {
            hhi: 0.9,
            ..as_world.clone()
        },
    )
    .unwrap();
    assert_eq!(b(&strict, "c1", find(&strict, A, 2021)), Some(false));
}

#[test]
fn eu2021_criteria_hand_worked() {
    let t = table(&[
        (2021, FRA, DEU, 50.0),
        (2021, DEU, CHN, 80.0),
        (2021, FRA, USA, 20.0),
        (2021, RUS, DEU, 40.0),
    ]);
    let opts = FlagOptions {
        method: FlagMethod::Eu2021,
        importers: Some(vec![Importer::countries("EU", [DEU, FRA])]),
        ..Default::default()
    };
    // DEU's exports reach one destination: the group's exports to the world are not in the
    // table, and the ratio is null with the reason, not 100 / 40.
    let partial = dependency_flags(&t, &opts).unwrap();
    assert!(null(&partial, "ratio", 0) && null(&partial, "extra_exports", 0) && null(&partial, "dependent", 0));
    assert!(s(&partial, "c3_reason", 0).unwrap().contains("exports of EU in 2021"));
    let opts = FlagOptions {
        world_min_countries: 1,
        ..opts
    };
    let out = dependency_flags(&t, &opts).unwrap();
    assert_eq!(out.num_rows(), 1);
    assert_eq!(f(&out, "extra_imports", 0), 100.0);
    assert_eq!(f(&out, "total_imports", 0), 150.0);
    assert_eq!(f(&out, "extra_exports", 0), 40.0);
    assert!((f(&out, "hhi", 0) - 0.68).abs() < 1e-12);
    assert!((f(&out, "extra_share", 0) - 2.0 / 3.0).abs() < 1e-12);
    assert!((f(&out, "ratio", 0) - 2.5).abs() < 1e-12);
    assert_eq!(b(&out, "dependent", 0), Some(true));
    let out = dependency_flags(
        &t,
        &FlagOptions {
            share: 0.7,
            ..opts.clone()
        },
    )
    .unwrap();
    assert_eq!(b(&out, "c2", 0), Some(false));
    assert_eq!(b(&out, "dependent", 0), Some(false));
}

#[test]
fn eu2021_on_a_monthly_table_takes_each_years_members() {
    // January 2020: the United Kingdom is still in the EU (it left on 1 February), but the EU
    // 2021 criteria are annual and take 2020's members for every month of 2020, without it:
    // Germany's imports from the UK count as extra-EU imports all year.
    let mut b = TradeTableBuilder::new("monthly", TableMeta::new(Freq::Monthly, "USD", Some(Vintage::Hs(2017))));
    for (period, imp, sup, v) in [
        (202001, DEU, GBR, 10.0),
        (202001, DEU, FRA, 5.0),
        (202006, DEU, CHN, 20.0),
        (202011, DEU, CHN, 10.0),
        (202003, RUS, DEU, 8.0),
        (202003, GBR, FRA, 100.0),
    ] {
        b.push(TradeRow::new(period, imp, sup, Flow::Import, "850760", v))
            .unwrap();
    }
    let t = b.finish().unwrap();
    let opts = FlagOptions {
        method: FlagMethod::Eu2021,
        world_min_countries: 1,
        ..Default::default()
    };
    let out = dependency_flags(&t, &opts).unwrap();
    assert_eq!(out.num_rows(), 1);
    assert_eq!(
        out.column_by_name("year").unwrap().as_primitive::<Int32Type>().value(0),
        2020
    );
    assert_eq!(f(&out, "extra_imports", 0), 40.0); // UK 10 + China 30
    assert_eq!(f(&out, "total_imports", 0), 45.0); // and France 5
    assert!((f(&out, "hhi", 0) - (0.25f64.powi(2) + 0.75f64.powi(2))).abs() < 1e-12);
    // Exports to non-members: Germany's to Russia, France's to the UK (outside in 2020).
    assert_eq!(f(&out, "extra_exports", 0), 108.0);
    assert_eq!(
        out.column_by_name("n_rows")
            .unwrap()
            .as_primitive::<arrow_array::types::UInt64Type>()
            .value(0),
        3
    );
}

#[test]
fn bad_thresholds_are_rejected() {
    let t = table(&[(2021, A, B, 1.0)]);
    assert!(dependency_flags(
        &t,
        &FlagOptions {
            persistence: 4,
            ..Default::default()
        }
    )
    .is_err());
    assert!(dependency_flags(
        &t,
        &FlagOptions {
            hhi: f64::NAN,
            ..Default::default()
        }
    )
    .is_err());
}

const CHN: u16 = 156;
const RUS: u16 = 643;
const KAZ: u16 = 398;
const DEU: u16 = 276;
const FRA: u16 = 251;
const GBR: u16 = 826;
const USA: u16 = 842;

/// China <-> Russia only: Russia imports 850760 from China; China imports crude from Russia.
fn china_russia() -> TradeTable {
    let mut b = TradeTableBuilder::new("cr", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    b.push(TradeRow::new(2021, RUS, CHN, Flow::Import, "850760", 100.0))
        .unwrap();
    b.push(TradeRow::new(2021, CHN, RUS, Flow::Import, "270900", 500.0))
        .unwrap();
    b.push(TradeRow::new(2021, CHN, RUS, Flow::Export, "850760", 90.0))
        .unwrap();
    b.finish().unwrap()
}

#[test]
fn a_two_country_table_gives_null_c2_and_c3_with_reasons() {
    let out = dependency_flags(&china_russia(), &FlagOptions::default()).unwrap();
    let i = find(&out, RUS, 2021);
    // Before: C2 = 0.9999 (China "the world's" only exporter), C3 = 9999, every criterion true.
    assert!(null(&out, "c2_hhi", i) && null(&out, "c2", i));
    assert!(s(&out, "c2_reason", i)
        .unwrap()
        .contains("not the world in 2021: 2 exporters and 2 destinations"));
    assert!(null(&out, "c3_ratio", i) && null(&out, "exports", i) && null(&out, "c3", i));
    assert!(s(&out, "c3_reason", i).unwrap().contains("exports of RUS in 2021"));
    assert_eq!(b(&out, "c1", i), Some(true));
    assert_eq!(b(&out, "c123", i), None, "C1 holds, C2 and C3 unknown");
    assert_eq!(b(&out, "c4", i), None);
}

/// Exporters 4, 8, 12, 20 each sell k (k = 1..4) of 850760 to destinations 31, 32, 36, 40;
/// RUS sells 7 of it to KAZ; KAZ sells crude to RUS.
fn world() -> TradeTable {
    let mut b = TradeTableBuilder::new("w", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    for (k, e) in [4u16, 8, 12, 20].into_iter().enumerate() {
        for d in [31u16, 32, 36, 40] {
            b.push(TradeRow::new(2021, e, d, Flow::Export, "850760", (k + 1) as f64))
                .unwrap();
        }
    }
    b.push(TradeRow::new(2021, RUS, KAZ, Flow::Export, "850760", 7.0))
        .unwrap();
    b.push(TradeRow::new(2021, KAZ, RUS, Flow::Export, "270900", 3.0))
        .unwrap();
    b.finish().unwrap()
}

#[test]
fn a_world_table_gives_c2_and_c3() {
    let w = world();
    let opts = FlagOptions {
        world_min_countries: 4,
        ..Default::default()
    };
    let out = dependency_flags_with_world(&china_russia(), Some(&w), &opts).unwrap();
    let i = find(&out, RUS, 2021);
    let x = [4.0, 8.0, 12.0, 16.0, 7.0];
    let total: f64 = x.iter().sum();
    let hhi: f64 = x.iter().map(|v| (v / total).powi(2)).sum();
    assert!((f(&out, "c2_hhi", i) - hhi).abs() < 1e-12);
    assert!(null(&out, "c2_reason", i));
    assert_eq!(f(&out, "exports", i), 7.0);
    assert!((f(&out, "c3_ratio", i) - 100.0 / 7.0).abs() < 1e-12);
    // China exports no 850760 in the world table, which holds its exports (none): 9999, said.
    let j = find(&out, CHN, 2021);
    assert_eq!(f(&out, "c3_ratio", j), 9999.0);
    assert!(s(&out, "c3_reason", j)
        .unwrap()
        .contains("ratio 9999 by CEPII's convention"));
    // With a higher bar the same table is partial.
    let strict = FlagOptions {
        world_min_countries: 7,
        ..Default::default()
    };
    let out = dependency_flags_with_world(&china_russia(), Some(&w), &strict).unwrap();
    assert!(null(&out, "c2_hhi", find(&out, RUS, 2021)) && null(&out, "c3_ratio", find(&out, RUS, 2021)));
    // A world table in another currency is refused.
    let mut b = TradeTableBuilder::new("eur", TableMeta::new(Freq::Annual, "EUR", Some(Vintage::Hs(2017))));
    b.push(TradeRow::new(2021, RUS, KAZ, Flow::Export, "850760", 7.0))
        .unwrap();
    let eur = b.finish().unwrap();
    assert!(dependency_flags_with_world(&china_russia(), Some(&eur), &opts).is_err());
}

#[test]
fn a_cancelled_flag_stops_both_methods() {
    let t = table(&[(2021, A, B, 1.0), (2021, B, C, 2.0)]);
    for method in [FlagMethod::Geodep, FlagMethod::Eu2021] {
        let opts = FlagOptions {
            method,
            importers: (method == FlagMethod::Eu2021).then(|| vec![Importer::countries("G", [A, B])]),
            ..Default::default()
        };
        assert!(dependency_flags(&t, &opts).unwrap().num_rows() > 0);
        opts.cancel.cancel();
        assert!(
            matches!(dependency_flags(&t, &opts), Err(tradedep::Error::Cancelled)),
            "{method:?}"
        );
    }
}
