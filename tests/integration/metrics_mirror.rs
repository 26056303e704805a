//! Mirror comparison on a hand-worked table: reported imports against partners' exports.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt16Type};
use arrow_array::Array;
use tradedep::metrics::{mirror_gap, By, MirrorOptions};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder, Vintage};

const RUS: u16 = 643;
const KAZ: u16 = 398;
const DEU: u16 = 276;

#[test]
fn gaps_ratios_and_missing_sides() {
    let mut b = TradeTableBuilder::new("m", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
    for (y, rep, par, flow, v) in [
        (2021, RUS, DEU, Flow::Import, 110.0), // Russia reports CIF
        (2021, DEU, RUS, Flow::Export, 100.0), // Germany reports FOB
        (2022, DEU, RUS, Flow::Export, 20.0),  // Russia silent
        (2022, DEU, KAZ, Flow::Export, 50.0),  // ghost trade: Kazakhstan records less
        (2022, KAZ, DEU, Flow::Import, 30.0),
        (2022, KAZ, RUS, Flow::Import, 5.0), // Russia's export side missing
    ] {
        b.push(TradeRow::new(y, rep, par, flow, "854231", v)).unwrap();
    }
    let out = mirror_gap(
        &b.finish().unwrap(),
        &MirrorOptions {
            by: vec![By::Period],
            ..Default::default()
        },
    )
    .unwrap();
    let imp = out.column_by_name("importer").unwrap().as_primitive::<UInt16Type>();
    let exp = out.column_by_name("exporter").unwrap().as_primitive::<UInt16Type>();
    let gap = out.column_by_name("gap").unwrap().as_primitive::<Float64Type>();
    let ratio = out.column_by_name("ratio").unwrap().as_primitive::<Float64Type>();
    let m = out
        .column_by_name("imports_reported")
        .unwrap()
        .as_primitive::<Float64Type>();
    let missing = out.column_by_name("missing").unwrap().as_string::<i32>();
    let row = |i: u16, e: u16, y: i32| {
        let p = out
            .column_by_name("period")
            .unwrap()
            .as_primitive::<arrow_array::types::Int32Type>();
        (0..out.num_rows())
            .find(|k| imp.value(*k) == i && exp.value(*k) == e && p.value(*k) == y)
            .unwrap()
    };
    let k = row(RUS, DEU, 2021);
    assert!((ratio.value(k) - 1.1).abs() < 1e-12);
    assert_eq!(gap.value(k), 10.0);
    assert!(missing.is_null(k));
    let k = row(RUS, DEU, 2022);
    assert!(m.is_null(k), "Russia's missing report is null, not 0");
    assert_eq!(missing.value(k), "import");
    let k = row(KAZ, DEU, 2022);
    assert_eq!(gap.value(k), -20.0);
    let k = row(KAZ, RUS, 2022);
    assert_eq!(missing.value(k), "export");
    assert!(ratio.is_null(k));
}
