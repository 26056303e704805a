//! Re-routing on a hand-worked table: every index, log change and difference in differences
//! below is worked out by hand in the comments, not by the code under test. Ghost trade with a
//! hub that reports and one that does not; unit values with mixed units; the edge cases
//! (baseline mean 0, a hub without rows, a target not in the table, monthly tables, EU27
//! membership changing, currencies).

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt16Type, UInt32Type, UInt64Type};
use arrow_array::RecordBatch;
use tradedep::metrics::{rerouting, ExportSource, Importer, Rerouting, ReroutingOptions};
use tradedep::model::{Flow, Freq, ProductSelection, TableMeta, TradeRow, TradeTableBuilder, Vintage};
use tradedep::TradeTable;

const DEU: u16 = 276;
const FRA: u16 = 251;
const POL: u16 = 616;
const GBR: u16 = 826;
const RUS: u16 = 643;
const KAZ: u16 = 398;
const ARM: u16 = 51;
const GEO: u16 = 268;
const BLR: u16 = 112;
const NOR: u16 = 579;
const CHE: u16 = 757;
const CHN: u16 = 156;
const A: &str = "85423190";
const B: &str = "84713000";

fn close(a: Option<f64>, b: f64) {
    let a = a.unwrap_or_else(|| panic!("expected {b}, got null"));
    assert!((a - b).abs() < 1e-12 * b.abs().max(1.0), "{a} != {b}");
}

fn origin() -> Importer {
    Importer::countries("EU2", [DEU, FRA])
}

/// Origin = DEU + FRA; hubs KAZ, ARM; target RUS; controls NOR, CHE; products A and B;
/// baseline 2020-2021, after 2022-2023. Values (EUR) of the origin's exports, members summed:
///
/// | product | dest | 2020 | 2021 | base mean | 2022 | 2023 |
/// |---|---|---|---|---|---|---|
/// | A | RUS | 100 (60 DEU + 40 FRA) | 120 | 110 | 22 | 11 |
/// | A | KAZ | 10 (2 u) | 10 (2 u) | 10, uv 5 | 30 (20 DEU 2 u + 10 FRA 1 u) | 40 (4 u) |
/// | A | ARM | 4 | 6 | 5 | 5 (3 EUR 1 u + 2 EUR 1 kg: mixed) | 10 |
/// | A | NOR | 50 | 70 | | 84 | 90 |
/// | A | CHE | 30 | 30 | | 24 | 0 (no row) |
/// | A | controls | 80 | 100 | 90 | 108 | 90 |
/// | B | RUS | 0 | 0 | 0 | 5 | 0 (no row) |
/// | B | ARM | 0 (no row) | 8 | 4 | 16 | 0 (no row) |
/// | B | KAZ | 0 (no row) | 0 (no row) | 0 | 0 (no row) | 0 (no row) |
/// | B | NOR | 10 | 10 | 10 | 10 | 10 |
///
/// The origin declared exports in every year, so a cell without rows is 0, not a gap (gaps: the
/// monthly test, where the origin declares nothing in some months).
///
/// Left out: DEU -> FRA 1000 in 2021 (intra-origin), POL -> RUS 500 (not the origin).
/// KAZ reports imports (CIF): 2020 only from China (7), 2021 A from DEU 9.45, 2022 A from DEU
/// 10.5, nothing in 2023. ARM reports no imports. KAZ exports A to RUS: 1, 3, 8, 10.
fn table(currency: &str) -> TradeTable {
    let mut b = TradeTableBuilder::new("hand", TableMeta::new(Freq::Annual, currency, Some(Vintage::Cn(2022))));
    let mut x = |year: i32, from: u16, to: u16, p: &str, v: f64, q: Option<(f64, &str)>| {
        let mut row = TradeRow::new(year, from, to, Flow::Export, p, v);
        if let Some((qty, unit)) = q {
            row.quantity = Some(qty);
            row.quantity_unit = Some(unit);
        }
        b.push(row).unwrap();
    };
    x(2020, DEU, RUS, A, 60.0, None);
    x(2020, FRA, RUS, A, 40.0, None);
    x(2021, DEU, RUS, A, 120.0, None);
    x(2022, DEU, RUS, A, 22.0, None);
    x(2023, FRA, RUS, A, 11.0, None);
    x(2020, DEU, KAZ, A, 10.0, Some((2.0, "u")));
    x(2021, DEU, KAZ, A, 10.0, Some((2.0, "u")));
    x(2022, DEU, KAZ, A, 20.0, Some((2.0, "u")));
    x(2022, FRA, KAZ, A, 10.0, Some((1.0, "u")));
    x(2023, DEU, KAZ, A, 40.0, Some((4.0, "u")));
    x(2020, DEU, ARM, A, 4.0, None);
    x(2021, DEU, ARM, A, 6.0, None);
    x(2022, DEU, ARM, A, 3.0, Some((1.0, "u")));
    x(2022, FRA, ARM, A, 2.0, Some((1.0, "kg")));
    x(2023, DEU, ARM, A, 10.0, None);
    x(2020, DEU, NOR, A, 50.0, None);
    x(2021, DEU, NOR, A, 70.0, None);
    x(2022, DEU, NOR, A, 84.0, None);
    x(2023, DEU, NOR, A, 90.0, None);
    x(2020, FRA, CHE, A, 30.0, None);
    x(2021, FRA, CHE, A, 30.0, None);
    x(2022, FRA, CHE, A, 24.0, None);
    x(2020, DEU, RUS, B, 0.0, None);
    x(2021, DEU, RUS, B, 0.0, None);
    x(2022, DEU, RUS, B, 5.0, None);
    x(2021, FRA, ARM, B, 8.0, None);
    x(2022, FRA, ARM, B, 16.0, None);
    for y in 2020..=2023 {
        x(y, DEU, NOR, B, 10.0, None);
    }
    x(2021, DEU, FRA, A, 1000.0, None);
    x(2021, POL, RUS, A, 500.0, None);
    for (y, v) in [(2020, 1.0), (2021, 3.0), (2022, 8.0), (2023, 10.0)] {
        x(y, KAZ, RUS, A, v, None);
    }
    let mut m = |year: i32, from: u16, p: &str, v: f64| {
        b.push(TradeRow::new(year, KAZ, from, Flow::Import, p, v)).unwrap();
    };
    m(2020, CHN, A, 7.0);
    m(2021, DEU, A, 9.45);
    m(2022, DEU, A, 10.5);
    b.finish().unwrap()
}

fn opts() -> ReroutingOptions {
    ReroutingOptions::new(origin(), vec![KAZ, ARM], RUS, (2020, 2021))
}

fn f64s(b: &RecordBatch, c: &str) -> Vec<Option<f64>> {
    b.column_by_name(c)
        .unwrap_or_else(|| panic!("no column {c}"))
        .as_primitive::<Float64Type>()
        .iter()
        .collect()
}

fn strs(b: &RecordBatch, c: &str) -> Vec<Option<String>> {
    b.column_by_name(c)
        .unwrap_or_else(|| panic!("no column {c}"))
        .as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

/// Row of (label column = label, period, product) in a per-period table.
fn row(b: &RecordBatch, label_col: &str, label: &str, period: i32, product: Option<&str>) -> usize {
    let l = strs(b, label_col);
    let p = b.column_by_name("period").unwrap().as_primitive::<Int32Type>();
    let prod = b.column_by_name("product").map(|_| strs(b, "product"));
    let product_at = |i: usize| prod.as_ref().and_then(|v| v[i].as_deref());
    (0..b.num_rows())
        .find(|i| l[*i].as_deref() == Some(label) && p.value(*i) == period && product_at(*i) == product)
        .unwrap_or_else(|| panic!("no row {label} {period} {product:?}"))
}

/// Row of the summary for a destination (and product).
fn srow(b: &RecordBatch, dest: &str, product: Option<&str>) -> usize {
    let l = strs(b, "destination");
    let prod = b.column_by_name("product").map(|_| strs(b, "product"));
    let product_at = |i: usize| prod.as_ref().and_then(|v| v[i].as_deref());
    (0..b.num_rows())
        .find(|i| l[*i].as_deref() == Some(dest) && product_at(*i) == product)
        .unwrap_or_else(|| panic!("no summary row {dest} {product:?}"))
}

fn product_a() -> ProductSelection {
    ProductSelection::from_codes("A", [A], None)
}

fn run(o: &ReroutingOptions) -> Rerouting {
    rerouting(&table("EUR"), o).unwrap()
}

#[test]
fn indices_log_changes_and_did_by_hand_for_one_product() {
    let mut o = opts();
    o.products = Some(product_a());
    let out = run(&o);
    let f = &out.flows;
    // 3 hubs/target + 2 controls, 4 years each.
    assert_eq!(f.num_rows(), 5 * 4);
    let value = f64s(f, "value");
    let base = f64s(f, "baseline_mean");
    let index = f64s(f, "index");
    let log = f64s(f, "log_change");
    let cval = f64s(f, "controls_value");
    let clog = f64s(f, "controls_log_change");
    let did = f64s(f, "did");
    let window = strs(f, "window");
    let role = strs(f, "role");

    let r = row(f, "destination", "RUS", 2022, None);
    assert_eq!(role[r].as_deref(), Some("target"));
    assert_eq!(window[r].as_deref(), Some("after"));
    close(value[r], 22.0);
    close(base[r], 110.0);
    close(index[r], 20.0);
    close(log[r], (0.2f64).ln());
    close(cval[r], 108.0);
    close(clog[r], (1.2f64).ln());
    close(did[r], (0.2f64).ln() - (1.2f64).ln());

    let k = row(f, "destination", "KAZ", 2022, None);
    close(index[k], 300.0);
    close(did[k], (2.5f64).ln()); // ln(30/10) - ln(108/90)
    let k23 = row(f, "destination", "KAZ", 2023, None);
    close(clog[k23], 0.0); // controls 2023: NOR 90 + CHE 0, base 90
    close(did[k23], (4.0f64).ln());
    let k20 = row(f, "destination", "KAZ", 2020, None);
    assert_eq!(window[k20].as_deref(), Some("baseline"));
    close(index[k20], 100.0);

    let a = row(f, "destination", "ARM", 2023, None);
    close(did[a], (2.0f64).ln());

    let che = row(f, "destination", "CHE", 2023, None);
    assert_eq!(
        value[che],
        Some(0.0),
        "the origin declared exports in 2023, none to CHE: 0"
    );
    assert!(!f.column_by_name("gap").unwrap().as_boolean().value(che));
    close(index[che], 0.0);
    assert_eq!(log[che], None, "ln 0");
    assert_eq!(did[che], None, "controls have no did");
    let nor = row(f, "destination", "NOR", 2022, None);
    close(index[nor], 140.0); // 84 / 60

    // Intra-origin DEU -> FRA and the non-origin POL are not in: RUS 2021 stays 120.
    close(value[row(f, "destination", "RUS", 2021, None)], 120.0);
    assert!(!strs(f, "destination").iter().any(|d| d.as_deref() == Some("FRA")));

    // Summary: after mean against baseline mean.
    let s = &out.summary;
    let (idx, lg, cl, d) = (
        f64s(s, "index"),
        f64s(s, "log_change"),
        f64s(s, "controls_log_change"),
        f64s(s, "did"),
    );
    let after = f64s(s, "after_mean");
    let rus = srow(s, "RUS", None);
    close(after[rus], 16.5);
    close(idx[rus], 15.0);
    close(lg[rus], (0.15f64).ln());
    close(cl[rus], (1.1f64).ln()); // controls after mean (108 + 90) / 2 = 99 against 90
    close(d[rus], (0.15f64).ln() - (1.1f64).ln());
    let kaz = srow(s, "KAZ", None);
    close(d[kaz], (3.5f64).ln() - (1.1f64).ln());
    let arm = srow(s, "ARM", None);
    close(d[arm], (1.5f64).ln() - (1.1f64).ln());
    let ctrl = srow(s, "controls", None);
    assert_eq!(strs(s, "role")[ctrl].as_deref(), Some("controls"));
    close(f64s(s, "baseline_mean")[ctrl], 90.0);
    close(after[ctrl], 99.0);
    assert_eq!(d[ctrl], None);
    let n_after = s.column_by_name("n_after").unwrap().as_primitive::<UInt32Type>();
    let che = srow(s, "CHE", None);
    assert_eq!(n_after.value(che), 2, "CHE: 24 in 2022, 0 in 2023");
    close(after[che], 12.0);
    close(idx[che], 40.0); // 12 / 30

    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("controls: NOR, CHE") || n.contains("controls: CHE, NOR")),
        "{:?}",
        out.notes
    );
    assert!(
        out.notes.iter().any(|n| n.contains("1 rows between origin members")),
        "{:?}",
        out.notes
    );
    assert!(out.notes.iter().any(|n| n.contains("values in EUR")));
}

#[test]
fn by_product_baseline_zero_and_hub_without_rows() {
    let mut o = opts();
    o.by_product = true;
    let out = run(&o);
    let f = &out.flows;
    assert_eq!(f.num_rows(), 5 * 2 * 4, "every destination x both products x 4 years");
    let (value, index, log, did) = (
        f64s(f, "value"),
        f64s(f, "index"),
        f64s(f, "log_change"),
        f64s(f, "did"),
    );
    // RUS B: baseline mean 0 -> index, log and did null.
    let r = row(f, "destination", "RUS", 2022, Some(B));
    close(value[r], 5.0);
    assert_eq!(f64s(f, "baseline_mean")[r], Some(0.0));
    assert_eq!((index[r], log[r], did[r]), (None, None, None));
    // KAZ has no B rows, and the origin declared exports every year: 0 over the calendar.
    for y in 2020..=2023 {
        let k = row(f, "destination", "KAZ", y, Some(B));
        assert_eq!(value[k], Some(0.0));
        assert_eq!(index[k], None, "baseline mean 0");
    }
    // ARM B: 0 in 2020 (no row), 8 in 2021: mean 4 over 2 periods; 2022: 16 -> index 400,
    // ln 4; controls B (NOR) flat.
    let a = row(f, "destination", "ARM", 2022, Some(B));
    assert_eq!(
        f.column_by_name("n_baseline")
            .unwrap()
            .as_primitive::<UInt32Type>()
            .value(a),
        2
    );
    close(f64s(f, "baseline_mean")[a], 4.0);
    close(index[a], 400.0);
    close(did[a], (4.0f64).ln());
    // Product A per product equals the one-product run.
    close(did[row(f, "destination", "KAZ", 2022, Some(A))], (2.5f64).ln());
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("baseline mean missing or 0") && n.contains("RUS 84713000")),
        "{:?}",
        out.notes
    );
}

#[test]
fn summed_over_products() {
    // A + B: RUS 100, 120 (base 110) | 27, 11; controls 90, 110 (base 100) | 118, 100.
    let out = run(&opts());
    let f = &out.flows;
    let did = f64s(f, "did");
    let r = row(f, "destination", "RUS", 2022, None);
    close(f64s(f, "value")[r], 27.0);
    close(did[r], (27.0f64 / 110.0).ln() - (118.0f64 / 100.0).ln());
    let s = &out.summary;
    // RUS after mean (27 + 11) / 2 = 19; controls (118 + 100) / 2 = 109.
    close(
        f64s(s, "did")[srow(s, "RUS", None)],
        (19.0f64 / 110.0).ln() - (109.0f64 / 100.0).ln(),
    );
}

#[test]
fn ghost_trade_with_a_reporting_and_a_silent_hub() {
    let mut o = opts();
    o.products = Some(product_a());
    o.cif_fob = 1.05;
    let out = run(&o);
    let g = &out.ghost;
    assert_eq!(g.num_rows(), 2 * 4);
    let (x, m, mf, gh, share) = (
        f64s(g, "exports_reported"),
        f64s(g, "imports_reported"),
        f64s(g, "imports_fob"),
        f64s(g, "ghost"),
        f64s(g, "ghost_share"),
    );
    let hub_rep = g.column_by_name("hub_reported").unwrap().as_boolean();
    // 2020: KAZ reported (from China only): M = 0, ghost = X = 10.
    let k = row(g, "hub", "KAZ", 2020, None);
    assert!(hub_rep.value(k));
    close(m[k], 0.0);
    close(gh[k], 10.0);
    // 2021: 10 - 9.45 / 1.05 = 1.
    let k = row(g, "hub", "KAZ", 2021, None);
    close(mf[k], 9.0);
    close(gh[k], 1.0);
    close(share[k], 0.1);
    // 2022: 30 - 10.5 / 1.05 = 20, share 2/3.
    let k = row(g, "hub", "KAZ", 2022, None);
    close(gh[k], 20.0);
    close(share[k], 2.0 / 3.0);
    // 2023: KAZ reported nothing: null.
    let k = row(g, "hub", "KAZ", 2023, None);
    assert!(!hub_rep.value(k));
    close(x[k], 40.0);
    assert_eq!((m[k], gh[k]), (None, None));
    // ARM never reports.
    for y in 2020..=2023 {
        let a = row(g, "hub", "ARM", y, None);
        assert_eq!(gh[a], None);
        assert!(!hub_rep.value(a));
    }
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("hub ARM reported no imports in 4 of 4")),
        "{:?}",
        out.notes
    );
    assert!(out
        .notes
        .iter()
        .any(|n| n.contains("hub KAZ reported no imports in 1 of 4 periods (2023)")));
    let n_imp = g.column_by_name("n_import_rows").unwrap().as_primitive::<UInt64Type>();
    assert_eq!(n_imp.value(row(g, "hub", "KAZ", 2021, None)), 1);
}

#[test]
fn hub_to_target_exports_with_index() {
    let out = run(&opts());
    let h = &out.hub_target;
    assert_eq!(h.num_rows(), 2 * 4);
    let (value, index) = (f64s(h, "value"), f64s(h, "index"));
    close(f64s(h, "baseline_mean")[row(h, "hub", "KAZ", 2022, None)], 2.0);
    close(index[row(h, "hub", "KAZ", 2022, None)], 400.0);
    close(index[row(h, "hub", "KAZ", 2023, None)], 500.0);
    close(f64s(h, "log_change")[row(h, "hub", "KAZ", 2023, None)], (5.0f64).ln());
    assert_eq!(value[row(h, "hub", "ARM", 2022, None)], None);
    assert!(
        out.notes.iter().any(|n| n.contains("hub ARM: no exports to RUS")),
        "{:?}",
        out.notes
    );
    // Mirror: the target's imports from the hubs; RUS reports none here.
    let mut o = opts();
    o.hub_exports = ExportSource::Mirror;
    let out = run(&o);
    assert!(f64s(&out.hub_target, "value").iter().all(Option::is_none));
}

#[test]
fn unit_values_within_one_unit_and_mixed_units() {
    let mut o = opts();
    o.products = Some(product_a());
    let out = run(&o);
    let f = &out.flows;
    let (uv, buv, uvi, q) = (
        f64s(f, "unit_value"),
        f64s(f, "baseline_unit_value"),
        f64s(f, "unit_value_index"),
        f64s(f, "quantity"),
    );
    let unit = strs(f, "quantity_unit");
    // KAZ baseline: 20 EUR / 4 u = 5; 2022: 30 / 3 = 10 -> 200; 2023: 40 / 4 = 10.
    let k = row(f, "destination", "KAZ", 2022, None);
    close(q[k], 3.0);
    assert_eq!(unit[k].as_deref(), Some("u"));
    close(uv[k], 10.0);
    close(buv[k], 5.0);
    close(uvi[k], 200.0);
    // ARM 2022: 1 u + 1 kg: mixed, no unit value.
    let a = row(f, "destination", "ARM", 2022, None);
    assert_eq!(unit[a].as_deref(), Some("mixed"));
    assert_eq!((q[a], uv[a], uvi[a]), (None, None, None));
    let s = &out.summary;
    let kaz = srow(s, "KAZ", None);
    close(f64s(s, "after_unit_value")[kaz], 70.0 / 7.0);
    close(f64s(s, "unit_value_index")[kaz], 200.0);
    assert_eq!(strs(s, "quantity_unit")[srow(s, "ARM", None)].as_deref(), Some("mixed"));
    assert!(out.notes.iter().any(|n| n.contains("mixed units")), "{:?}", out.notes);
}

#[test]
fn mirror_exports_are_the_destinations_imports_over_cif_fob() {
    let mut o = opts();
    o.exports = ExportSource::Mirror;
    o.cif_fob = 1.05;
    o.controls = Some(vec![]);
    let out = run(&o);
    let f = &out.flows;
    // Only KAZ reports imports from the origin: 9.45 / 1.05 = 9 in 2021, 10 in 2022. In 2020 it
    // reported imports from China only: 0 from the origin, so the baseline mean is (0 + 9) / 2.
    // In 2023 it reported nothing: a gap.
    close(f64s(f, "value")[row(f, "destination", "KAZ", 2022, None)], 10.0);
    assert_eq!(f64s(f, "value")[row(f, "destination", "KAZ", 2020, None)], Some(0.0));
    assert_eq!(f64s(f, "value")[row(f, "destination", "KAZ", 2023, None)], None);
    close(f64s(f, "baseline_mean")[row(f, "destination", "KAZ", 2022, None)], 4.5);
    close(
        f64s(f, "index")[row(f, "destination", "KAZ", 2022, None)],
        100.0 * 10.0 / 4.5,
    );
    // ARM reported no imports at all: gaps throughout.
    assert!((2020..=2023).all(|y| f64s(f, "value")[row(f, "destination", "ARM", y, None)].is_none()));
    assert_eq!(
        strs(f, "source")[row(f, "destination", "KAZ", 2022, None)].as_deref(),
        Some("mirror")
    );
    assert!(f64s(f, "did").iter().all(Option::is_none), "no controls: did null");
    assert!(out.notes.iter().any(|n| n.contains("no control destination")));
}

#[test]
fn a_hub_and_a_target_without_rows_count_zero_with_notes() {
    let mut o = opts();
    o.hubs = vec![KAZ, GEO];
    o.target = BLR;
    let out = run(&o);
    let f = &out.flows;
    // The origin declared exports every year, none to GEO or BLR: 0, with no log change or did.
    for d in ["GEO", "BLR"] {
        for y in 2020..=2023 {
            let r = row(f, "destination", d, y, None);
            assert_eq!(f64s(f, "value")[r], Some(0.0));
            assert_eq!(f64s(f, "did")[r], None);
        }
    }
    assert!(out.notes.iter().any(|n| n.contains("hub GEO: no exports")));
    assert!(out.notes.iter().any(|n| n.contains("target BLR: no exports")));
    // RUS is neither hub nor target here, but sanctioned: left out of the default controls.
    assert!(
        out.notes
            .iter()
            .any(|n| n.starts_with("controls:") && !n.contains("RUS")),
        "{:?}",
        out.notes
    );
    assert_eq!(out.sanctioned_left_out, vec![RUS]);
    assert!(out.notes.iter().any(|n| n.contains(
        "left out of the default controls as sanctioned destinations: RUS (Council Regulation (EU) No 833/2014)"
    )));
    assert!(!out.controls.contains(&RUS) && out.controls_default);
}

#[test]
fn default_controls_leave_out_belarus_and_warn_on_a_dominant_control() {
    // DEU's exports: RUS 100 -> 20, KAZ 10 -> 40, BLR 500 -> 900, NOR 30 -> 30, CHE 10 -> 20.
    let mut b = TradeTableBuilder::new("c", TableMeta::new(Freq::Annual, "EUR", Some(Vintage::Cn(2022))));
    for (d, v0, v1) in [
        (RUS, 100.0, 20.0),
        (KAZ, 10.0, 40.0),
        (BLR, 500.0, 900.0),
        (NOR, 30.0, 30.0),
        (CHE, 10.0, 20.0),
    ] {
        b.push(TradeRow::new(2021, DEU, d, Flow::Export, A, v0)).unwrap();
        b.push(TradeRow::new(2022, DEU, d, Flow::Export, A, v1)).unwrap();
    }
    let t = b.finish().unwrap();
    let o = ReroutingOptions::new(Importer::group("EU27"), vec![KAZ], RUS, (2021, 2021));
    let out = rerouting(&t, &o).unwrap();
    assert_eq!(out.controls, vec![NOR, CHE], "by code");
    assert_eq!(out.sanctioned_left_out, vec![BLR]);
    let s = &out.summary;
    // RUS: ln(20 / 100) - ln((30 + 20) / (30 + 10)).
    close(
        f64s(s, "did")[srow(s, "RUS", None)],
        (0.2f64).ln() - (50.0f64 / 40.0).ln(),
    );
    // NOR is 30 of 40 of the controls' baseline.
    assert_eq!(out.dominant_controls.len(), 1);
    assert_eq!(out.dominant_controls[0].0, NOR);
    close(Some(out.dominant_controls[0].2), 0.75);
    assert!(out
        .notes
        .iter()
        .any(|n| n.starts_with("warning: one control is over half") && n.contains("NOR 75%")));
    // The same as the controls given explicitly.
    let mut given = o.clone();
    given.controls = Some(vec![NOR, CHE]);
    let g = rerouting(&t, &given).unwrap();
    assert_eq!(
        f64s(&g.summary, "did")[srow(&g.summary, "RUS", None)],
        f64s(s, "did")[srow(s, "RUS", None)]
    );
    assert!(!g.controls_default);
    // Belarus given as a control is used as given: it dominates the baseline.
    given.controls = Some(vec![BLR, NOR, CHE]);
    let g = rerouting(&t, &given).unwrap();
    close(
        f64s(&g.summary, "did")[srow(&g.summary, "RUS", None)],
        (0.2f64).ln() - (950.0f64 / 540.0).ln(),
    );
    assert_eq!(g.dominant_controls[0].0, BLR);
}

#[test]
fn quantities_sum_over_rows_with_one_and_state_their_coverage() {
    // KAZ 2021: 10 EUR with 2 u, 30 EUR without a quantity; 2022: 40 EUR with 4 u.
    let mut b = TradeTableBuilder::new("q", TableMeta::new(Freq::Annual, "EUR", Some(Vintage::Cn(2022))));
    let mut push = |y: i32, v: f64, q: Option<f64>| {
        let mut row = TradeRow::new(y, DEU, KAZ, Flow::Export, A, v);
        if let Some(q) = q {
            row.quantity = Some(q);
            row.quantity_unit = Some("u");
        }
        b.push(row).unwrap();
    };
    push(2021, 10.0, Some(2.0));
    push(2021, 30.0, None);
    push(2022, 40.0, Some(4.0));
    b.push(TradeRow::new(2021, DEU, RUS, Flow::Export, A, 5.0)).unwrap();
    b.push(TradeRow::new(2022, DEU, RUS, Flow::Export, A, 5.0)).unwrap();
    let t = b.finish().unwrap();
    let out = rerouting(
        &t,
        &ReroutingOptions::new(Importer::group("EU27"), vec![KAZ], RUS, (2021, 2021)),
    )
    .unwrap();
    let f = &out.flows;
    let k = row(f, "destination", "KAZ", 2021, None);
    // Before: quantity null (one row lacks it). Now 2 u covering 10 of 40 EUR; unit value 10 / 2.
    assert_eq!(f64s(f, "quantity")[k], Some(2.0));
    close(f64s(f, "quantity_value_share")[k], 0.25);
    close(f64s(f, "unit_value")[k], 5.0);
    close(f64s(f, "baseline_unit_value")[k], 5.0);
    let k2 = row(f, "destination", "KAZ", 2022, None);
    close(f64s(f, "quantity_value_share")[k2], 1.0);
    close(f64s(f, "unit_value_index")[k2], 200.0);
    // RUS rows have no quantity: coverage 0, no quantity.
    let r = row(f, "destination", "RUS", 2021, None);
    assert_eq!(
        (f64s(f, "quantity")[r], f64s(f, "quantity_value_share")[r]),
        (None, Some(0.0))
    );
}

#[test]
fn monthly_tables_compare_mean_months_with_gaps_explicit() {
    // DEU -> KAZ 10 a month in 2021 except March; 2022-01: 30, 2022-02: no row, 2022-03: 20.
    // DEU -> NOR 5 a month except March 2021 (control). The origin declared nothing in March
    // 2021 (a gap everywhere), but declared exports in February 2022 (KAZ 0 there).
    let mut b = TradeTableBuilder::new("m", TableMeta::new(Freq::Monthly, "USD", Some(Vintage::Hs(2022))));
    for m in 1..=12 {
        if m != 3 {
            b.push(TradeRow::new(202100 + m, DEU, KAZ, Flow::Export, A, 10.0))
                .unwrap();
        }
    }
    b.push(TradeRow::new(202201, DEU, KAZ, Flow::Export, A, 30.0)).unwrap();
    b.push(TradeRow::new(202203, DEU, KAZ, Flow::Export, A, 20.0)).unwrap();
    for k in 0..15 {
        let p = if k < 12 { 202101 + k } else { 202201 + k - 12 };
        if p != 202103 {
            b.push(TradeRow::new(p, DEU, NOR, Flow::Export, A, 5.0)).unwrap();
        }
    }
    let t = b.finish().unwrap();
    let o = ReroutingOptions::new(Importer::group("EU27"), vec![KAZ], RUS, (2021, 2021));
    let out = rerouting(&t, &o).unwrap();
    let f = &out.flows;
    // 3 destinations x 15 months.
    assert_eq!(f.num_rows(), 3 * 15);
    let mar = row(f, "destination", "KAZ", 202103, None);
    assert_eq!(f64s(f, "value")[mar], None);
    assert!(f.column_by_name("gap").unwrap().as_boolean().value(mar));
    let jan = row(f, "destination", "KAZ", 202201, None);
    close(f64s(f, "baseline_mean")[jan], 10.0); // mean of the 11 months that are not gaps
    assert_eq!(
        f.column_by_name("n_baseline")
            .unwrap()
            .as_primitive::<UInt32Type>()
            .value(jan),
        11
    );
    close(f64s(f, "index")[jan], 300.0);
    close(f64s(f, "did")[jan], (3.0f64).ln());
    let feb = row(f, "destination", "KAZ", 202202, None);
    assert_eq!(f64s(f, "value")[feb], Some(0.0));
    assert!(!f.column_by_name("gap").unwrap().as_boolean().value(feb));
    let s = &out.summary;
    // After: mean of Jan (30), Feb (0) and March (20) = 50 / 3; controls flat (5 against 5).
    close(f64s(s, "after_mean")[srow(s, "KAZ", None)], 50.0 / 3.0);
    close(f64s(s, "did")[srow(s, "KAZ", None)], (5.0f64 / 3.0).ln());
    assert!(out.notes.iter().any(|n| n.contains("mean monthly value")));
    assert!(out.notes.iter().any(|n| n.contains("values in USD")));
    // Months as windows: baseline 2021-01..06 (5 months, March a gap, mean 10), after 2022-03.
    let mut o2 = o.clone();
    o2.baseline = (202101, 202106);
    o2.after = Some((202203, 202203));
    let out = rerouting(&t, &o2).unwrap();
    let s = &out.summary;
    close(f64s(s, "index")[srow(s, "KAZ", None)], 200.0);
    let win = strs(&out.flows, "window");
    assert_eq!(win[row(&out.flows, "destination", "KAZ", 202107, None)], None);
    assert_eq!(
        win[row(&out.flows, "destination", "KAZ", 202203, None)].as_deref(),
        Some("after")
    );
}

#[test]
fn eu27_membership_changes_with_the_uk_leaving() {
    // GBR exports to RUS 100 in 2019 (a member) and 2021 (not); DEU -> GBR 7 in 2019 is
    // intra-EU, in 2021 extra-EU. DEU -> RUS 50 both years; DEU -> NOR 10 both years.
    let mut b = TradeTableBuilder::new("uk", TableMeta::new(Freq::Annual, "EUR", Some(Vintage::Cn(2022))));
    for y in [2019, 2021] {
        b.push(TradeRow::new(y, GBR, RUS, Flow::Export, A, 100.0)).unwrap();
        b.push(TradeRow::new(y, DEU, GBR, Flow::Export, A, 7.0)).unwrap();
        b.push(TradeRow::new(y, DEU, RUS, Flow::Export, A, 50.0)).unwrap();
        b.push(TradeRow::new(y, DEU, NOR, Flow::Export, A, 10.0)).unwrap();
    }
    let t = b.finish().unwrap();
    let o = ReroutingOptions::new(Importer::group("EU27"), vec![KAZ], RUS, (2019, 2019));
    let out = rerouting(&t, &o).unwrap();
    let f = &out.flows;
    close(f64s(f, "value")[row(f, "destination", "RUS", 2019, None)], 150.0);
    close(f64s(f, "value")[row(f, "destination", "RUS", 2021, None)], 50.0);
    assert_eq!(
        f64s(f, "value")[row(f, "destination", "RUS", 2020, None)],
        None,
        "2020 is a gap"
    );
    // GBR is left out of the controls (a member in 2019): only NOR.
    assert!(!strs(f, "destination").iter().any(|d| d.as_deref() == Some("GBR")));
    assert!(
        out.notes.iter().any(|n| n.contains("left out of the controls: GBR")),
        "{:?}",
        out.notes
    );
    assert!(
        out.notes.iter().any(|n| n.contains("1 rows between origin members")),
        "{:?}",
        out.notes
    );
    // A hub that was an origin member is an error.
    let bad = ReroutingOptions::new(Importer::group("EU27"), vec![GBR], RUS, (2019, 2019));
    assert!(rerouting(&t, &bad)
        .unwrap_err()
        .to_string()
        .contains("member of the origin"));
}

#[test]
fn currencies_are_kept_and_never_mixed() {
    let eur = run(&opts());
    assert!(eur.notes.iter().any(|n| n.contains("values in EUR")));
    let usd = rerouting(&table("USD"), &opts()).unwrap();
    assert!(usd.notes.iter().any(|n| n.contains("values in USD")));
    let err = TradeTable::concat(vec![table("EUR"), table("USD")]).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("currenc"), "{err}");
}

#[test]
fn bad_arguments_say_what_to_do() {
    let t = table("EUR");
    let mut o = opts();
    o.hubs = vec![KAZ, RUS];
    assert!(rerouting(&t, &o)
        .unwrap_err()
        .to_string()
        .contains("both a hub and the target"));
    let mut o = opts();
    o.baseline = (2010, 2012);
    assert!(rerouting(&t, &o)
        .unwrap_err()
        .to_string()
        .contains("no period in the data"));
    let mut o = opts();
    o.baseline = (202001, 202012);
    assert!(rerouting(&t, &o).unwrap_err().to_string().contains("annual"));
    let mut o = opts();
    o.after = Some((2021, 2022));
    assert!(rerouting(&t, &o).unwrap_err().to_string().contains("overlaps"));
    let mut o = opts();
    o.baseline = (2023, 2023);
    assert!(rerouting(&t, &o).unwrap_err().to_string().contains("after window"));
    let mut o = opts();
    o.controls = Some(vec![KAZ]);
    assert!(rerouting(&t, &o).is_err());
    let mut o = opts();
    o.cif_fob = 0.0;
    assert!(rerouting(&t, &o).is_err());
    let mut o = opts();
    o.hubs = vec![];
    assert!(rerouting(&t, &o).is_err());
    let codes = out_codes(&run(&opts()).flows);
    assert_eq!(
        &codes[..3],
        &[KAZ, ARM, RUS],
        "hubs in the order given, then the target"
    );
}

fn out_codes(b: &RecordBatch) -> Vec<u16> {
    let c = b
        .column_by_name("destination_code")
        .unwrap()
        .as_primitive::<UInt16Type>();
    let mut v: Vec<u16> = vec![];
    for i in 0..c.len() {
        if v.last() != Some(&c.value(i)) {
            v.push(c.value(i));
        }
    }
    v
}
