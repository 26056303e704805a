//! RCA, ECI and PCI: a hand-worked table (RCA, M, diversity, ubiquity by hand), the eigenvector
//! identities ECI/PCI must satisfy, standardisation, relabelling, sign, and degenerate inputs.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt16Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use hashbrown::HashMap;
use tradedep::metrics::{complexity, rca, Complexity, ComplexityOptions, ExportSource, PciScale, RcaOptions};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder, Vintage};
use tradedep::{Error, TradeTable};

const A: u16 = 4;
const B: u16 = 8;
const C: u16 = 12;
const RUS: u16 = 643;
const KAZ: u16 = 398;

/// (period, exporter, product, value) rows as exports to `partner`, in a table of `freq`.
fn exports(freq: Freq, rows: &[(i32, u16, u16, &str, f64)]) -> TradeTable {
    let mut b = TradeTableBuilder::new("hand", TableMeta::new(freq, "USD", Some(Vintage::Hs(2017))));
    for (period, exporter, partner, product, v) in rows {
        b.push(TradeRow::new(*period, *exporter, *partner, Flow::Export, product, *v))
            .unwrap();
    }
    b.finish().unwrap()
}

/// The hand-worked year: exports of A, B, C in four products (A's P1 split over two partners).
///
/// |   | P1 | P2 | P3 | P4 | total |
/// |---|----|----|----|----|-------|
/// | A | 10 | 20 | 30 | 40 | 100 |
/// | B | 30 | 10 |    |    | 40 |
/// | C | 50 |    |    | 10 | 60 |
/// | world | 90 | 30 | 30 | 50 | 200 |
const HAND: [(i32, u16, u16, &str, f64); 9] = [
    (2021, A, RUS, "010121", 6.0),
    (2021, A, KAZ, "010121", 4.0),
    (2021, A, RUS, "020110", 20.0),
    (2021, A, RUS, "030111", 30.0),
    (2021, A, RUS, "040110", 40.0),
    (2021, B, RUS, "010121", 30.0),
    (2021, B, RUS, "020110", 10.0),
    (2021, C, RUS, "010121", 50.0),
    (2021, C, RUS, "040110", 10.0),
];

fn f64s(b: &RecordBatch, c: &str) -> Vec<Option<f64>> {
    let a = b.column_by_name(c).unwrap().as_primitive::<Float64Type>();
    (0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i))).collect()
}
fn u16s(b: &RecordBatch, c: &str) -> Vec<u16> {
    b.column_by_name(c)
        .unwrap()
        .as_primitive::<UInt16Type>()
        .values()
        .to_vec()
}
fn u32s(b: &RecordBatch, c: &str) -> Vec<u32> {
    b.column_by_name(c)
        .unwrap()
        .as_primitive::<UInt32Type>()
        .values()
        .to_vec()
}
fn strs(b: &RecordBatch, c: &str) -> Vec<String> {
    let a = b.column_by_name(c).unwrap().as_string::<i32>();
    (0..a.len()).map(|i| a.value(i).to_string()).collect()
}
fn bools(b: &RecordBatch, c: &str) -> Vec<bool> {
    let a = b.column_by_name(c).unwrap().as_boolean();
    (0..a.len()).map(|i| a.value(i)).collect()
}

/// (value, rca, m, n_rows) of one RCA cell.
type Cell = (f64, Option<f64>, bool, u64);

/// RCA table as (exporter, product) -> cell.
fn rca_cells(t: &RecordBatch) -> HashMap<(u16, String), Cell> {
    let n = t.column_by_name("n_rows").unwrap().as_primitive::<UInt64Type>();
    let (e, p, v, r, m) = (
        u16s(t, "exporter_code"),
        strs(t, "product"),
        f64s(t, "value"),
        f64s(t, "rca"),
        bools(t, "m"),
    );
    (0..t.num_rows())
        .map(|i| ((e[i], p[i].clone()), (v[i].unwrap(), r[i], m[i], n.value(i))))
        .collect()
}

#[test]
fn rca_of_the_hand_worked_table() {
    let out = rca(&exports(Freq::Annual, &HAND), &RcaOptions::default()).unwrap();
    let cells = rca_cells(&out.table);
    let expected = [
        (A, "010121", 10.0, (10.0 / 100.0) / (90.0 / 200.0), false, 2),
        (A, "020110", 20.0, (20.0 / 100.0) / (30.0 / 200.0), true, 1),
        (A, "030111", 30.0, (30.0 / 100.0) / (30.0 / 200.0), true, 1),
        (A, "040110", 40.0, (40.0 / 100.0) / (50.0 / 200.0), true, 1),
        (B, "010121", 30.0, (30.0 / 40.0) / (90.0 / 200.0), true, 1),
        (B, "020110", 10.0, (10.0 / 40.0) / (30.0 / 200.0), true, 1),
        (C, "010121", 50.0, (50.0 / 60.0) / (90.0 / 200.0), true, 1),
        (C, "040110", 10.0, (10.0 / 60.0) / (50.0 / 200.0), false, 1),
    ];
    assert_eq!(cells.len(), expected.len());
    for (e, p, v, r, m, n) in expected {
        let got = cells[&(e, p.to_string())];
        assert_eq!(got.0, v, "{e} {p}");
        assert!((got.1.unwrap() - r).abs() < 1e-12, "{e} {p}: {:?} vs {r}", got.1);
        assert_eq!(got.2, m, "{e} {p}");
        assert_eq!(got.3, n, "{e} {p}");
    }
    // Sorted by exporter code, then product; labels are ISO3.
    assert_eq!(u16s(&out.table, "exporter_code"), vec![A, A, A, A, B, B, C, C]);
    assert_eq!(strs(&out.table, "exporter")[0], "AFG");
    assert_eq!(
        out.table
            .column_by_name("year")
            .unwrap()
            .as_primitive::<Int32Type>()
            .value(0),
        2021
    );
    assert!(out.notes[0].contains("9 of the table's 9 rows"), "{:?}", out.notes);
}

#[test]
fn rca_threshold_moves_m() {
    let opts = RcaOptions {
        threshold: 1.7,
        ..RcaOptions::default()
    };
    let cells = rca_cells(&rca(&exports(Freq::Annual, &HAND), &opts).unwrap().table);
    // Above 1.7: A P3 (2.0), C P1 (1.85); not A P4 (1.6), B P1/P2 (1.667), A P2 (1.333).
    let m: Vec<(u16, String)> = {
        let mut v: Vec<_> = cells.iter().filter(|(_, c)| c.2).map(|(k, _)| k.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(m, vec![(A, "030111".to_string()), (C, "010121".to_string())]);
}

#[test]
fn mirror_exports_are_partners_imports() {
    // The same trade reported by the importers: reporter RUS/KAZ imports from A, B, C.
    let mut b = TradeTableBuilder::new("hand", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    for (y, e, partner, p, v) in HAND {
        b.push(TradeRow::new(y, partner, e, Flow::Import, p, v)).unwrap();
    }
    // An export row of RUS, ignored under mirror.
    b.push(TradeRow::new(2021, RUS, A, Flow::Export, "010121", 1e6))
        .unwrap();
    let t = b.finish().unwrap();
    let reported = rca_cells(
        &rca(&exports(Freq::Annual, &HAND), &RcaOptions::default())
            .unwrap()
            .table,
    );
    let opts = RcaOptions {
        exports: ExportSource::Mirror,
        ..RcaOptions::default()
    };
    let mirror = rca(&t, &opts).unwrap();
    assert_eq!(rca_cells(&mirror.table), reported);
    assert!(
        mirror.notes[0].contains("partners' reported imports"),
        "{:?}",
        mirror.notes
    );
    // Reported exports of that table: only RUS's one row.
    let only = rca(&t, &RcaOptions::default()).unwrap();
    assert_eq!(only.table.num_rows(), 1);
}

#[test]
fn digits_aggregate_products_and_leave_short_codes_out() {
    let t = exports(
        Freq::Annual,
        &[
            (2021, A, RUS, "850760", 10.0),
            (2021, A, RUS, "850790", 5.0),
            (2021, A, RUS, "85", 100.0),
            (2021, B, RUS, "850760", 20.0),
            (2021, B, RUS, "854231", 20.0),
        ],
    );
    let opts = RcaOptions {
        digits: Some(4),
        ..RcaOptions::default()
    };
    let out = rca(&t, &opts).unwrap();
    let cells = rca_cells(&out.table);
    // A: 8507 = 15 (two rows); B: 8507 20, 8542 20; world 55, 8507 = 35.
    assert_eq!(cells[&(A, "8507".into())].0, 15.0);
    assert_eq!(cells[&(A, "8507".into())].3, 2);
    assert!((cells[&(A, "8507".into())].1.unwrap() - 1.0 / (35.0 / 55.0)).abs() < 1e-12);
    assert!((cells[&(B, "8542".into())].1.unwrap() - (20.0 / 40.0) / (20.0 / 55.0)).abs() < 1e-12);
    assert_eq!(cells.len(), 3);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("1 rows with codes shorter than 4 digits")),
        "{:?}",
        out.notes
    );
    // Without digits the mixed levels are named in a note.
    let plain = rca(&t, &RcaOptions::default()).unwrap();
    assert!(
        plain.notes.iter().any(|n| n.contains("2, 6 digits side by side")),
        "{:?}",
        plain.notes
    );
}

#[test]
fn monthly_tables_are_summed_to_years() {
    let t = exports(
        Freq::Monthly,
        &[
            (202101, A, RUS, "010121", 4.0),
            (202102, A, RUS, "010121", 6.0),
            (202101, A, RUS, "020110", 10.0),
            (202103, B, RUS, "020110", 10.0),
        ],
    );
    let out = rca(&t, &RcaOptions::default()).unwrap();
    let cells = rca_cells(&out.table);
    assert_eq!(cells[&(A, "010121".into())].0, 10.0);
    assert_eq!(cells[&(A, "010121".into())].3, 2);
    assert!(
        out.notes.iter().any(|n| n == "2021: 3 months summed"),
        "{:?}",
        out.notes
    );
}

fn eci_map(out: &Complexity) -> HashMap<u16, Option<f64>> {
    let (c, e) = (u16s(&out.eci, "exporter_code"), f64s(&out.eci, "eci"));
    c.into_iter().zip(e).collect()
}
fn pci_map(out: &Complexity) -> HashMap<String, Option<f64>> {
    let (p, v) = (strs(&out.pci, "product"), f64s(&out.pci, "pci"));
    p.into_iter().zip(v).collect()
}

fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (m, (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt())
}

/// The eigenvector identities ECI and PCI satisfy whatever the solver: with the ecomplexity
/// scaling, each exporter's ECI is the mean PCI of its products (kc = D_c⁻¹ M kp), and each
/// product's mean exporter ECI is an increasing affine function of its PCI (Mpp kp = λ kp, with
/// λ in (0, 1)).
fn check_identities(out: &Complexity) {
    let eci = eci_map(out);
    let pci = pci_map(out);
    let t = &out.rca;
    let (e, p, m) = (u16s(t, "exporter_code"), strs(t, "product"), bools(t, "m"));
    let mut of_exporter: HashMap<u16, Vec<f64>> = HashMap::new();
    let mut of_product: HashMap<String, Vec<f64>> = HashMap::new();
    for i in (0..t.num_rows()).filter(|i| m[*i]) {
        of_exporter.entry(e[i]).or_default().push(pci[&p[i]].unwrap());
        of_product.entry(p[i].clone()).or_default().push(eci[&e[i]].unwrap());
    }
    for (c, v) in &of_exporter {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!(
            (eci[c].unwrap() - mean).abs() < 1e-9,
            "exporter {c}: {:?} vs {mean}",
            eci[c]
        );
    }
    let points: Vec<(f64, f64)> = of_product
        .iter()
        .map(|(p, v)| (pci[p].unwrap(), v.iter().sum::<f64>() / v.len() as f64))
        .collect();
    let (lo, hi) = points.iter().fold((points[0], points[0]), |(lo, hi), q| {
        (if q.0 < lo.0 { *q } else { lo }, if q.0 > hi.0 { *q } else { hi })
    });
    let slope = (hi.1 - lo.1) / (hi.0 - lo.0);
    assert!(slope > 0.0 && slope < 1.0, "lambda {slope}");
    for (x, y) in &points {
        assert!(
            (lo.1 + slope * (x - lo.0) - y).abs() < 1e-9,
            "product ({x}, {y}) off the line"
        );
    }
}

#[test]
fn eci_and_pci_of_the_hand_worked_table() {
    let out = complexity(&exports(Freq::Annual, &HAND), &ComplexityOptions::default()).unwrap();
    // M by hand: A {P2, P3, P4}, B {P1, P2}, C {P1}.
    assert_eq!(u16s(&out.eci, "exporter_code"), vec![A, B, C]);
    assert_eq!(u32s(&out.eci, "diversity"), vec![3, 2, 1]);
    assert_eq!(f64s(&out.eci, "exports"), vec![Some(100.0), Some(40.0), Some(60.0)]);
    assert_eq!(strs(&out.pci, "product"), vec!["010121", "020110", "030111", "040110"]);
    assert_eq!(u32s(&out.pci, "ubiquity"), vec![2, 2, 1, 1]);
    assert_eq!(
        f64s(&out.pci, "exports"),
        vec![Some(90.0), Some(30.0), Some(30.0), Some(50.0)]
    );
    let eci: Vec<f64> = f64s(&out.eci, "eci").into_iter().map(Option::unwrap).collect();
    let (m, s) = mean_std(&eci);
    assert!(m.abs() < 1e-12 && (s - 1.0).abs() < 1e-12, "mean {m}, std {s}");
    // Nested: the most diversified exporter ranks first, the least last.
    assert!(eci[0] > eci[1] && eci[1] > eci[2], "{eci:?}");
    check_identities(&out);
    assert!(
        out.notes
            .iter()
            .any(|n| n.starts_with("2021: 3 exporters x 4 products in M")),
        "{:?}",
        out.notes
    );
}

/// A deterministic table of `n_c` exporters and `n_p` products (a nested pattern plus noise),
/// with the exporters' codes and products' codes given.
fn synthetic(codes: &[u16], products: &[String], seed: u64) -> Vec<(i32, u16, u16, String, f64)> {
    let mut state = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64) / (1u64 << 31) as f64
    };
    let mut rows = vec![];
    for (c, code) in codes.iter().enumerate() {
        for (p, product) in products.iter().enumerate() {
            let nested = (p as f64) < (codes.len() - c) as f64 / codes.len() as f64 * products.len() as f64 + 2.0;
            let u = next();
            if nested || u < 0.15 {
                rows.push((2021, *code, RUS, product.clone(), 1.0 + 1000.0 * next() * u));
            }
        }
    }
    rows
}

fn known_codes(n: usize, skip: usize) -> Vec<u16> {
    (1u16..900)
        .filter(|c| *c != RUS && tradedep::reference::countries::is_known_code(*c))
        .skip(skip)
        .take(n)
        .collect()
}

fn table_of(rows: &[(i32, u16, u16, String, f64)]) -> TradeTable {
    let rows: Vec<(i32, u16, u16, &str, f64)> = rows
        .iter()
        .map(|(y, e, p, c, v)| (*y, *e, *p, c.as_str(), *v))
        .collect();
    exports(Freq::Annual, &rows)
}

#[test]
fn eci_is_standardised_positively_related_to_diversity_and_satisfies_the_eigen_identities() {
    let codes = known_codes(15, 0);
    let products: Vec<String> = (0..40).map(|i| format!("{:06}", 10_000 + 37 * i)).collect();
    let out = complexity(
        &table_of(&synthetic(&codes, &products, 7)),
        &ComplexityOptions::default(),
    )
    .unwrap();
    let eci: Vec<f64> = f64s(&out.eci, "eci").into_iter().flatten().collect();
    assert_eq!(eci.len(), 15);
    let (m, s) = mean_std(&eci);
    assert!(m.abs() < 1e-12 && (s - 1.0).abs() < 1e-12, "mean {m}, std {s}");
    let div: Vec<f64> = u32s(&out.eci, "diversity").into_iter().map(f64::from).collect();
    let (md, sd) = mean_std(&div);
    let cov = div.iter().zip(&eci).map(|(d, e)| (d - md) * e).sum::<f64>() / eci.len() as f64;
    assert!(cov / sd > 0.0, "ECI must correlate positively with diversity");
    check_identities(&out);

    // pci_scale = own: PCI has mean 0 and std 1, and is an increasing affine map of ecomplexity's PCI.
    let own = complexity(
        &table_of(&synthetic(&codes, &products, 7)),
        &ComplexityOptions {
            pci_scale: PciScale::Own,
            ..ComplexityOptions::default()
        },
    )
    .unwrap();
    let a: Vec<f64> = f64s(&out.pci, "pci").into_iter().flatten().collect();
    let b: Vec<f64> = f64s(&own.pci, "pci").into_iter().flatten().collect();
    let (mb, sb) = mean_std(&b);
    assert!(mb.abs() < 1e-12 && (sb - 1.0).abs() < 1e-12);
    let (ma, sa) = mean_std(&a);
    for (x, y) in a.iter().zip(&b) {
        assert!(((x - ma) / sa - y).abs() < 1e-9);
    }
    assert_eq!(f64s(&own.eci, "eci"), f64s(&out.eci, "eci"));
}

#[test]
fn relabelling_exporters_and_products_changes_nothing() {
    let codes = known_codes(12, 0);
    let products: Vec<String> = (0..30).map(|i| format!("{:06}", 20_000 + 11 * i)).collect();
    let rows = synthetic(&codes, &products, 42);
    let base = complexity(&table_of(&rows), &ComplexityOptions::default()).unwrap();
    // New codes in reverse order, new product codes in reverse order, rows shuffled (reversed).
    let new_codes = known_codes(12, 20);
    let code_map: HashMap<u16, u16> = codes
        .iter()
        .zip(new_codes.iter().rev())
        .map(|(a, b)| (*a, *b))
        .collect();
    let product_map: HashMap<String, String> = products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), format!("{:06}", 990_000 - 7 * i)))
        .collect();
    let relabelled: Vec<(i32, u16, u16, String, f64)> = rows
        .iter()
        .rev()
        .map(|(y, e, p, c, v)| (*y, code_map[e], *p, product_map[c].clone(), *v))
        .collect();
    let other = complexity(&table_of(&relabelled), &ComplexityOptions::default()).unwrap();
    let (e0, e1) = (eci_map(&base), eci_map(&other));
    for (c, v) in &e0 {
        assert!((v.unwrap() - e1[&code_map[c]].unwrap()).abs() < 1e-9, "exporter {c}");
    }
    let (p0, p1) = (pci_map(&base), pci_map(&other));
    for (p, v) in &p0 {
        assert!((v.unwrap() - p1[&product_map[p]].unwrap()).abs() < 1e-9, "product {p}");
    }
}

#[test]
fn exporters_without_rca_are_left_out_with_a_note() {
    // Threshold 1.7 on the hand table: M = {A P3, C P1}: two blocks -> degenerate, an error.
    let hand = exports(Freq::Annual, &HAND);
    let opts = ComplexityOptions {
        rca: RcaOptions {
            threshold: 1.7,
            ..RcaOptions::default()
        },
        ..ComplexityOptions::default()
    };
    let err = complexity(&hand, &opts).unwrap_err();
    assert!(matches!(err, Error::InvalidData { .. }), "{err}");
    assert!(err.to_string().contains("not unique"), "{err}");

    // Exporter D ships every product in world proportions: its RCA is 1 everywhere, so with
    // threshold 1.01 its diversity is 0.
    let codes = known_codes(10, 0);
    let products: Vec<String> = (0..20).map(|i| format!("{:06}", 30_000 + 13 * i)).collect();
    let rows = synthetic(&codes, &products, 3);
    let world: HashMap<String, f64> = rows.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.3.clone()).or_default() += r.4;
        m
    });
    let d = known_codes(1, 40)[0];
    let mut with_d = rows.clone();
    for (p, v) in &world {
        with_d.push((2021, d, RUS, p.clone(), v / 1000.0));
    }
    let opts = ComplexityOptions {
        rca: RcaOptions {
            threshold: 1.01,
            ..RcaOptions::default()
        },
        ..ComplexityOptions::default()
    };
    let out = complexity(&table_of(&with_d), &opts).unwrap();
    let eci = eci_map(&out);
    assert_eq!(eci[&d], None);
    let div: HashMap<u16, u32> = u16s(&out.eci, "exporter_code")
        .into_iter()
        .zip(u32s(&out.eci, "diversity"))
        .collect();
    assert_eq!(div[&d], 0);
    assert!(eci.iter().filter(|(c, _)| **c != d).all(|(_, v)| v.is_some()));
    assert!(
        out.notes.iter().any(|n| n.contains("1 exporters with diversity 0")),
        "{:?}",
        out.notes
    );
    let kept: Vec<f64> = eci.values().flatten().copied().collect();
    let (m, s) = mean_std(&kept);
    assert!(m.abs() < 1e-12 && (s - 1.0).abs() < 1e-12);
}

#[test]
fn degenerate_inputs_say_why() {
    // One exporter.
    let one = exports(
        Freq::Annual,
        &[(2021, A, RUS, "010121", 1.0), (2021, A, RUS, "020110", 2.0)],
    );
    let err = complexity(&one, &ComplexityOptions::default()).unwrap_err();
    assert!(err.to_string().contains("at least 2 of each"), "{err}");
    // Every exporter with the same products in the same proportions: all RCA = 1, M full, rank 1.
    let same = exports(
        Freq::Annual,
        &[
            (2021, A, RUS, "010121", 1.0),
            (2021, A, RUS, "020110", 2.0),
            (2021, B, RUS, "010121", 2.0),
            (2021, B, RUS, "020110", 4.0),
            (2021, C, RUS, "010121", 3.0),
            (2021, C, RUS, "020110", 6.0),
        ],
    );
    let err = complexity(&same, &ComplexityOptions::default()).unwrap_err();
    assert!(err.to_string().contains("second eigenvalue is 0"), "{err}");
    // Two specialised exporters (two blocks).
    let blocks = exports(
        Freq::Annual,
        &[(2021, A, RUS, "010121", 1.0), (2021, B, RUS, "020110", 1.0)],
    );
    let err = complexity(&blocks, &ComplexityOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not unique"), "{err}");
    // A good year next to a degenerate one: nulls and a note for the bad year only.
    let mut rows: Vec<(i32, u16, u16, &str, f64)> = HAND.to_vec();
    rows.push((2022, A, RUS, "010121", 1.0));
    rows.push((2022, B, RUS, "020110", 1.0));
    let out = complexity(&exports(Freq::Annual, &rows), &ComplexityOptions::default()).unwrap();
    let years = out.eci.column_by_name("year").unwrap().as_primitive::<Int32Type>();
    let eci = f64s(&out.eci, "eci");
    for (i, e) in eci.iter().enumerate() {
        assert_eq!(e.is_some(), years.value(i) == 2021);
    }
    assert!(
        out.notes
            .iter()
            .any(|n| n.starts_with("2022: ECI and PCI not computed (null)")),
        "{:?}",
        out.notes
    );
    assert_eq!(out.rca.num_rows(), 8 + 2);
    // No export rows: an import-only table under the default.
    let mut b = TradeTableBuilder::new("hand", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    b.push(TradeRow::new(2021, RUS, A, Flow::Import, "010121", 1.0))
        .unwrap();
    let err = rca(&b.finish().unwrap(), &RcaOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }));
    assert!(err.to_string().contains("exports=\"mirror\""), "{err}");
    // Bad arguments.
    for opts in [
        RcaOptions {
            threshold: 0.0,
            ..RcaOptions::default()
        },
        RcaOptions {
            threshold: f64::NAN,
            ..RcaOptions::default()
        },
        RcaOptions {
            digits: Some(5),
            ..RcaOptions::default()
        },
    ] {
        assert!(matches!(rca(&one, &opts), Err(Error::InvalidArgument { .. })));
    }
    assert!(ExportSource::parse("auto").is_err());
    assert!(PciScale::parse("z").is_err());
}

#[test]
fn coverage_counted_in_the_pass_equals_the_coverage_check() {
    // Both flows, quantities on some rows, a TOTAL row and a short code (left out of the
    // cells, still in the view): RCA and complexity count what the export view covers in their
    // own pass; it must be what `check_selection` gives for that view, field for field.
    use tradedep::metrics::{check_selection, ImportSelection, Source};
    let mut b = TradeTableBuilder::new("both", TableMeta::new(Freq::Annual, "USD", None));
    for (i, (y, e, partner, p, v)) in HAND.iter().enumerate() {
        let mut row = TradeRow::new(*y, *e, *partner, Flow::Export, p, *v);
        if i % 2 == 0 {
            row.quantity = Some(i as f64 + 1.0);
            row.quantity_unit = Some("kg");
        }
        b.push(row).unwrap();
        // The same trade as the importer's report, valued 10 % higher.
        b.push(TradeRow::new(*y, *partner, *e, Flow::Import, p, v * 1.1))
            .unwrap();
    }
    b.push(TradeRow::new(2021, B, KAZ, Flow::Export, "TOTAL", 500.0))
        .unwrap();
    b.push(TradeRow::new(2021, C, KAZ, Flow::Import, "85", 7.0)).unwrap();
    let t = b.finish().unwrap();
    for (exports, view) in [
        (ExportSource::Reported, Source::Mirror),
        (ExportSource::Mirror, Source::Reported),
    ] {
        let opts = RcaOptions {
            exports,
            digits: Some(4),
            threshold: 0.5,
            ..RcaOptions::default()
        };
        let sel = ImportSelection {
            source: view,
            ..ImportSelection::default()
        };
        let checked = check_selection(&t, None, &sel).unwrap();
        assert!(checked.records_mirror + checked.records_reported >= 9, "{checked:?}");
        assert_eq!(rca(&t, &opts).unwrap().coverage, checked, "{exports:?}");
        let c = complexity(
            &t,
            &ComplexityOptions {
                rca: opts.clone(),
                ..ComplexityOptions::default()
            },
        );
        // Three exporters may not make a connected M at every threshold: the coverage is only
        // compared where the metric answers.
        if let Ok(c) = c {
            assert_eq!(c.coverage, checked, "{exports:?}");
        }
    }
}
