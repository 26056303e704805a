//! Dependency flags on hand-worked tables (GeoDep C1-C4, EU 2021).

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt16Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use tradedep::metrics::{dependency_flags, FlagMethod, FlagOptions, Importer};
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
    let out = dependency_flags(&t, &FlagOptions::default()).unwrap();
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
    // D exports nothing: the ratio is 9999 by convention.
    let i = find(&out, D, 2020);
    assert_eq!(f(&out, "c3_ratio", i), 9999.0);
    // Thresholds are arguments.
    let strict = dependency_flags(
        &t,
        &FlagOptions {
            hhi: 0.9,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(b(&strict, "c1", find(&strict, A, 2021)), Some(false));
}

#[test]
fn eu2021_criteria_hand_worked() {
    const DEU: u16 = 276;
    const FRA: u16 = 251;
    const CHN: u16 = 156;
    const USA: u16 = 842;
    const RUS: u16 = 643;
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
    let out = dependency_flags(&t, &opts).unwrap();
    assert_eq!(out.num_rows(), 1);
    assert_eq!(f(&out, "extra_imports", 0), 100.0);
    assert_eq!(f(&out, "total_imports", 0), 150.0);
    assert_eq!(f(&out, "extra_exports", 0), 40.0);
    assert!((f(&out, "hhi", 0) - 0.68).abs() < 1e-12);
    assert!((f(&out, "extra_share", 0) - 2.0 / 3.0).abs() < 1e-12);
    assert!((f(&out, "ratio", 0) - 2.5).abs() < 1e-12);
    assert_eq!(b(&out, "dependent", 0), Some(true));
    let out = dependency_flags(&t, &FlagOptions { share: 0.7, ..opts }).unwrap();
    assert_eq!(b(&out, "c2", 0), Some(false));
    assert_eq!(b(&out, "dependent", 0), Some(false));
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
