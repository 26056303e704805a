//! Import series on a hand-worked monthly table: calendar gaps explicit, yoy, rolling year,
//! baseline index, quarterly and annual aggregation with month counts.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use tradedep::metrics::{import_series, Importer, SeriesFreq, SeriesOptions};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder, Vintage};
use tradedep::TradeTable;

const RUS: u16 = 643;
const CHN: u16 = 156;
const TUR: u16 = 792;

/// China: 10 a month in 2021 except June (no rows), 20 a month in 2022-01..03.
/// Turkey: month number m of 2021..2022 worth m (1..24), no gaps.
fn table() -> TradeTable {
    let mut b = TradeTableBuilder::new("m", TableMeta::new(Freq::Monthly, "USD", Some(Vintage::Hs(2022))));
    for m in 1..=12 {
        if m != 6 {
            b.push(TradeRow::new(202100 + m, RUS, CHN, Flow::Import, "854231", 10.0))
                .unwrap();
        }
    }
    for m in 1..=3 {
        b.push(TradeRow::new(202200 + m, RUS, CHN, Flow::Import, "854231", 20.0))
            .unwrap();
    }
    for k in 1..=24 {
        let p = if k <= 12 { 202100 + k } else { 202200 + k - 12 };
        b.push(TradeRow::new(p, RUS, TUR, Flow::Import, "854231", k as f64))
            .unwrap();
    }
    b.finish().unwrap()
}

fn opt_f64(b: &RecordBatch, c: &str) -> Vec<Option<f64>> {
    b.column_by_name(c)
        .unwrap()
        .as_primitive::<Float64Type>()
        .iter()
        .collect()
}

fn rows_of(out: &RecordBatch, supplier_code: u16) -> Vec<usize> {
    let s = out
        .column_by_name("supplier_code")
        .unwrap()
        .as_primitive::<arrow_array::types::UInt16Type>();
    (0..out.num_rows()).filter(|i| s.value(*i) == supplier_code).collect()
}

#[test]
fn monthly_series_shows_gaps_and_derived_numbers() {
    let mut opts = SeriesOptions::new(vec![Importer::country(RUS)], SeriesFreq::Month);
    opts.by_supplier = true;
    opts.baseline = Some((2021, 2021));
    let out = import_series(&table(), &opts).unwrap();
    let period = out.column_by_name("period").unwrap().as_primitive::<Int32Type>();
    let value = opt_f64(&out, "value");
    let yoy = opt_f64(&out, "yoy");
    let rolling = opt_f64(&out, "rolling_year");
    let index = opt_f64(&out, "index");
    let gap = out.column_by_name("gap").unwrap().as_boolean();
    let chn = rows_of(&out, CHN);
    assert_eq!(chn.len(), 24, "the calendar runs 2021-01..2022-12 for every series");
    let at = |rows: &[usize], p: i32| *rows.iter().find(|i| period.value(**i) == p).unwrap();
    // June: no rows from China, but Russia reported imports (from Turkey): 0, not a gap.
    let june = at(&chn, 202106);
    assert_eq!(value[june], Some(0.0));
    assert!(!gap.value(june));
    assert_eq!(
        value[at(&chn, 202204)],
        Some(0.0),
        "Russia reported, China sent nothing"
    );
    assert_eq!(yoy[at(&chn, 202201)], Some(1.0));
    assert_eq!(rolling[at(&chn, 202112)], Some(110.0), "June counts 0 in the window");
    assert!(
        (index[at(&chn, 202201)].unwrap() - 100.0 * 20.0 / (110.0 / 12.0)).abs() < 1e-9,
        "baseline: mean of 12 months = 110 / 12"
    );
    let tur = rows_of(&out, TUR);
    assert_eq!(rolling[at(&tur, 202212)], Some((13..=24).sum::<i32>() as f64));
    assert_eq!(rolling[at(&tur, 202111)], None, "fewer than 12 months before");
    assert!((yoy[at(&tur, 202203)].unwrap() - (15.0 / 3.0 - 1.0)).abs() < 1e-12);
    assert!((index[at(&tur, 202101)].unwrap() - 100.0 / 6.5).abs() < 1e-12);
}

#[test]
fn annual_and_quarterly_sums_count_their_months() {
    let out = import_series(
        &table(),
        &SeriesOptions::new(vec![Importer::country(RUS)], SeriesFreq::Year),
    )
    .unwrap();
    let value = opt_f64(&out, "value");
    let months = out.column_by_name("n_months").unwrap().as_primitive::<UInt32Type>();
    let complete = out.column_by_name("complete").unwrap().as_boolean();
    assert_eq!(out.num_rows(), 2);
    assert_eq!(value, vec![Some(110.0 + 78.0), Some(60.0 + 222.0)]);
    assert_eq!(
        (months.value(0), months.value(1)),
        (12, 12),
        "Turkey fills every month of the total"
    );
    assert!(complete.value(0));

    let mut opts = SeriesOptions::new(vec![Importer::country(RUS)], SeriesFreq::Quarter);
    opts.by_supplier = true;
    let out = import_series(&table(), &opts).unwrap();
    let q = out.column_by_name("quarter").unwrap().as_string::<i32>();
    let chn = rows_of(&out, CHN);
    let q2 = *chn.iter().find(|i| q.value(**i) == "2021-Q2").unwrap();
    let months = out.column_by_name("n_months").unwrap().as_primitive::<UInt32Type>();
    // April and May with rows, June a declared zero (Russia reported): 3 months, complete.
    assert_eq!(months.value(q2), 3);
    assert_eq!(opt_f64(&out, "value")[q2], Some(20.0));
    assert!(out.column_by_name("complete").unwrap().as_boolean().value(q2));
    assert!(out.column_by_name("yoy").unwrap().is_null(q2));
}

/// Russia reports in January (product A), February (product B only), nothing in March, and A
/// in April; China reports exports in March.
fn sparse() -> TradeTable {
    let mut b = TradeTableBuilder::new("s", TableMeta::new(Freq::Monthly, "USD", Some(Vintage::Hs(2022))));
    for (p, reporter, partner, flow, product, v) in [
        (202101, RUS, CHN, Flow::Import, "854231", 10.0),
        (202102, RUS, CHN, Flow::Import, "270900", 5.0),
        (202103, CHN, TUR, Flow::Export, "854231", 7.0),
        (202104, RUS, CHN, Flow::Import, "854231", 30.0),
    ] {
        b.push(TradeRow::new(p, reporter, partner, flow, product, v)).unwrap();
    }
    b.finish().unwrap()
}

#[test]
fn zero_where_the_reporting_side_reported_gap_where_it_did_not() {
    let mut opts = SeriesOptions::new(vec![Importer::country(RUS)], SeriesFreq::Month);
    opts.imports.products = Some(tradedep::model::ProductSelection::from_codes("a", ["854231"], None));
    let out = import_series(&sparse(), &opts).unwrap();
    assert_eq!(
        opt_f64(&out, "value"),
        vec![Some(10.0), Some(0.0), None, Some(30.0)],
        "February declared without this product: 0; March nothing declared: gap"
    );
    let gap = out.column_by_name("gap").unwrap().as_boolean();
    assert_eq!(
        gap.iter().collect::<Vec<_>>(),
        vec![Some(false), Some(false), Some(true), Some(false)]
    );
    let q = SeriesOptions {
        freq: SeriesFreq::Quarter,
        ..opts.clone()
    };
    let out = import_series(&sparse(), &q).unwrap();
    let months = out.column_by_name("n_months").unwrap().as_primitive::<UInt32Type>();
    assert_eq!(
        months.value(0),
        2,
        "Q1: January's rows and February's zero; March a gap"
    );
    assert!(!out.column_by_name("complete").unwrap().as_boolean().value(0));
}

#[test]
fn monthly_series_of_an_annual_table_is_an_error() {
    let mut b = TradeTableBuilder::new("a", TableMeta::new(Freq::Annual, "USD", None));
    b.push(TradeRow::new(2021, RUS, CHN, Flow::Import, "854231", 1.0))
        .unwrap();
    let err = import_series(
        &b.finish().unwrap(),
        &SeriesOptions::new(vec![Importer::country(RUS)], SeriesFreq::Month),
    )
    .unwrap_err();
    assert!(err.to_string().contains("annual"));
}
