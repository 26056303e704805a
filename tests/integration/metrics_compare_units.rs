//! Unit values, bilateral asymmetry and side-by-side comparison on hand-worked tables.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use tradedep::metrics::{
    bilateral_asymmetry, compare, unit_values, AsymmetryOptions, By, CompareOptions, Importer, Source, SupplierGroup,
    UnitValueOptions,
};
use tradedep::model::{Flow, Freq, ProductSelection, TableMeta, TradeRow, TradeTableBuilder, Vintage};

const RUS: u16 = 643;
const UKR: u16 = 804;
const CHN: u16 = 156;
const HKG: u16 = 344;
const TUR: u16 = 792;
const POL: u16 = 616;

fn f(b: &RecordBatch, c: &str) -> Vec<Option<f64>> {
    b.column_by_name(c)
        .unwrap_or_else(|| panic!("no column {c}"))
        .as_primitive::<Float64Type>()
        .iter()
        .collect()
}
fn s(b: &RecordBatch, c: &str) -> Vec<String> {
    b.column_by_name(c)
        .unwrap()
        .as_string::<i32>()
        .iter()
        .map(|x| x.unwrap_or("<null>").to_string())
        .collect()
}

#[test]
fn unit_values_within_one_unit_and_relative_to_other_suppliers() {
    let mut b = TradeTableBuilder::new("uv", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
    let mut push = |sup: u16, value: f64, q: Option<(f64, &'static str)>| {
        let mut r = TradeRow::new(2023, RUS, sup, Flow::Import, "854470", value);
        if let Some((q, u)) = q {
            r.quantity = Some(q);
            r.quantity_unit = Some(u);
        }
        b.push(r).unwrap();
    };
    push(CHN, 100.0, Some((50.0, "km"))); // 2 per km
    push(TUR, 60.0, Some((10.0, "km"))); // 6 per km
    push(POL, 40.0, Some((10.0, "km"))); // 4 per km
    push(HKG, 10.0, Some((1.0, "km")));
    push(HKG, 10.0, Some((900.0, "kg"))); // mixed units
    let out = unit_values(
        &b.finish().unwrap(),
        &UnitValueOptions::new(vec![Importer::country(RUS)]),
    )
    .unwrap();
    let units = s(&out, "quantity_unit");
    let uv = f(&out, "unit_value");
    let rel = f(&out, "relative_unit_value");
    let n_others = out.column_by_name("n_others").unwrap().as_primitive::<UInt32Type>();
    // Rows are in supplier-code order: CHN 156, HKG 344, POL 616, TUR 792.
    assert_eq!(units, vec!["km", "mixed", "km", "km"]);
    assert_eq!(uv, vec![Some(2.0), None, Some(4.0), Some(6.0)]);
    assert_eq!(n_others.value(0), 2, "HKG's mixed quantities are left out");
    assert!((rel[0].unwrap() - 2.0 / (100.0 / 20.0)).abs() < 1e-12);
    assert!((rel[3].unwrap() - 6.0 / (140.0 / 60.0)).abs() < 1e-12);
    assert_eq!(rel[1], None);
    assert!(out.column_by_name("quantity").unwrap().is_null(1));
}

#[test]
fn bilateral_asymmetry_hand_worked() {
    let mut b = TradeTableBuilder::new("a", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
    for (imp, sup, prod, v) in [
        (RUS, CHN, "854231", 60.0),
        (RUS, TUR, "854231", 40.0),
        (RUS, CHN, "270900", 100.0),
        (CHN, RUS, "270900", 300.0),
        (CHN, TUR, "270900", 700.0),
        (TUR, CHN, "854231", 1000.0),
    ] {
        b.push(TradeRow::new(2023, imp, sup, Flow::Import, prod, v)).unwrap();
    }
    let opts = AsymmetryOptions {
        a: Importer::country(RUS),
        b: Importer::country(CHN),
        products: Some(ProductSelection::from_codes("ICs", ["8542"], None)),
        by: vec![By::Period],
        source: Source::Reported,
        cif_fob: 1.0,
        cancel: Default::default(),
    };
    let out = bilateral_asymmetry(&b.finish().unwrap(), &opts).unwrap();
    assert_eq!(s(&out, "products"), vec!["all", "ICs"]);
    // All products: RUS imports 200, 160 from CHN; CHN imports 1000, 300 from RUS; CHN exports 1160.
    assert_eq!(f(&out, "b_share_of_a_imports")[0], Some(0.8));
    assert_eq!(f(&out, "a_share_of_b_imports")[0], Some(0.3));
    assert!((f(&out, "a_share_of_b_exports")[0].unwrap() - 160.0 / 1160.0).abs() < 1e-12);
    assert!((f(&out, "import_asymmetry")[0].unwrap() - 0.8 / 0.3).abs() < 1e-12);
    // ICs: RUS 100 (60 CHN); CHN imports no ICs: its share is undefined, not 0.
    assert_eq!(f(&out, "b_share_of_a_imports")[1], Some(0.6));
    assert_eq!(f(&out, "a_share_of_b_imports")[1], None);
    assert!((f(&out, "a_share_of_b_exports")[1].unwrap() - 60.0 / 1060.0).abs() < 1e-12);
}

#[test]
fn compare_two_importers_side_by_side() {
    let mut b = TradeTableBuilder::new("c", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
    for (y, imp, sup, v) in [
        (2023, RUS, CHN, 70.0),
        (2023, RUS, HKG, 20.0),
        (2023, RUS, TUR, 10.0),
        (2023, UKR, CHN, 30.0),
        (2023, UKR, POL, 70.0),
        (2022, RUS, CHN, 5.0),
    ] {
        b.push(TradeRow::new(y, imp, sup, Flow::Import, "880730", v)).unwrap();
    }
    let mut opts = CompareOptions::new(vec![
        Importer::countries("RUS", [RUS]),
        Importer::countries("UKR", [UKR]),
    ]);
    opts.imports.groups = vec![SupplierGroup::new("China+HK", [CHN, HKG])];
    let table = b.finish().unwrap();
    let out = compare(&table, &opts).unwrap();
    let sup = s(&out, "supplier");
    let period: Vec<i32> = out
        .column_by_name("period")
        .unwrap()
        .as_primitive::<arrow_array::types::Int32Type>()
        .values()
        .to_vec();
    assert_eq!(period, vec![2022, 2023, 2023, 2023]);
    assert_eq!(sup[0], "China+HK");
    assert_eq!(
        f(&out, "share_UKR")[0],
        None,
        "Ukraine imported nothing in 2022: a gap, not 0"
    );
    let china23 = (1..4).find(|i| sup[*i] == "China+HK").unwrap();
    assert_eq!(f(&out, "share_RUS")[china23], Some(0.9));
    assert_eq!(f(&out, "share_UKR")[china23], Some(0.3));
    let tur = (1..4)
        .find(|i| sup[*i] != "China+HK" && f(&out, "value_RUS")[*i] == Some(10.0))
        .unwrap();
    assert_eq!(
        f(&out, "share_UKR")[tur],
        Some(0.0),
        "Ukraine imported, just not from Turkey"
    );
    // Shares per importer still sum to 1.
    let sum: f64 = (1..4).map(|i| f(&out, "share_UKR")[i].unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-12);
    // top=1: China+HK (top for RUS) and Poland (top for UKR) stay, Turkey joins the rest.
    opts.top = Some(1);
    let out = compare(&table, &opts).unwrap();
    let sup = s(&out, "supplier");
    assert_eq!(sup.last().map(String::as_str), Some("Rest of world"));
    assert_eq!(f(&out, "value_RUS").last().copied().flatten(), Some(10.0));
}
