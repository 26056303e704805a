//! The map stage's two forms, records sorted and rows summed while read ([`super::combine`]),
//! give the same cells and sums on generated tables, in every shape of the cube.

use proptest::prelude::*;

use super::{Detail, ImportCube, Summing, FORCED_SUMMING};
use crate::metrics::group::{Importer, ImporterSlots, Qty, SupplierGroup, SupplierKeys};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::By;
use crate::metrics::view::Source;
use crate::model::{Flow, Freq, TableMeta, TradeRow, TradeTable, TradeTableBuilder};

const CODES: [u16; 6] = [156, 251, 276, 344, 398, 643];
const PRODUCTS: [&str; 4] = ["8471", "8517", "8542", "850760"];

/// (period index, reporter, partner, export?, product, value, quantity and unit, estimated)
type Row = (usize, usize, usize, bool, usize, u32, Option<(u8, bool)>, bool);

fn table(rows: &[Row], monthly: bool) -> TradeTable {
    let freq = if monthly { Freq::Monthly } else { Freq::Annual };
    let mut b = TradeTableBuilder::new("t", TableMeta::new(freq, "USD", None));
    for (i, &(p, r, q, export, k, v, qty, est)) in rows.iter().enumerate() {
        if r == q {
            continue;
        }
        let period = if monthly {
            [202011, 202012, 202101, 202102][p % 4]
        } else {
            2019 + p as i32 % 3
        };
        let flow = if export { Flow::Export } else { Flow::Import };
        let mut row = TradeRow::new(period, CODES[r], CODES[q], flow, PRODUCTS[k], v as f64 + 0.25);
        // A distinct weight per row keeps equal rows apart (they are not duplicates).
        row.net_weight_kg = Some(i as f64);
        if let Some((n, kg)) = qty {
            row.quantity = Some(n as f64);
            row.quantity_unit = Some(if kg { "kg" } else { "u" });
        }
        row.estimated = est;
        b.push(row).unwrap();
    }
    b.finish().unwrap()
}

/// One cell's key and items with all their sums (values are multiples of 0.25: their sums are
/// exact in any order).
type Seen = Vec<((u16, i32, u32, u32), Vec<(u32, i64, String, u64, u64, u64, u16)>)>;

fn round(x: f64) -> i64 {
    (x * 1e3).round() as i64 // values are multiples of 0.25 below 1e6: exact at this scale
}

fn seen(cube: &ImportCube) -> Seen {
    let mut out = vec![];
    cube.for_each_cell(|c, items| {
        let items = items
            .iter()
            .map(|(k, a)| {
                let qty = match a.qty {
                    Qty::Unit(u, q, v) => format!("{u}:{}:{}", round(q), round(v)),
                    other => format!("{other:?}"),
                };
                (*k, round(a.value), qty, a.n_rows, a.n_mirrored, a.n_estimated, a.months)
            })
            .collect();
        out.push(((c.importer, c.period, c.product, c.partner), items));
        Ok(())
    })
    .unwrap();
    // The parallel finish sees the same cells in the same order.
    let parts = cube
        .for_each_cell_parallel(Vec::new, |v: &mut Vec<(u16, i32, u32, u32)>, c, _| {
            v.push((c.importer, c.period, c.product, c.partner));
            Ok(())
        })
        .unwrap();
    let keys: Vec<_> = parts.into_iter().flatten().collect();
    assert_eq!(keys, out.iter().map(|c| c.0).collect::<Vec<_>>());
    out
}

/// `seen` with every item's quantity left out.
fn without_quantities(mut cells: Seen) -> Seen {
    for (_, items) in &mut cells {
        for item in items {
            item.2.clear();
        }
    }
    cells
}

fn both_ways(build: impl Fn() -> ImportCube) -> (Seen, Seen) {
    FORCED_SUMMING.with(|f| f.set(Summing::Sorted));
    let a = seen(&build());
    FORCED_SUMMING.with(|f| f.set(Summing::WhileRead));
    let b = seen(&build());
    FORCED_SUMMING.with(|f| f.set(Summing::Auto));
    (a, b)
}

fn check(t: &TradeTable, source: Source, monthly: bool) {
    let freq = t.meta().freq;
    let mut importers: Vec<Importer> = CODES.iter().map(|c| Importer::country(*c)).collect();
    importers.push(Importer::group("EU27"));
    let slots = ImporterSlots::new(importers, freq).unwrap();
    let groups = vec![SupplierGroup::new("China+HK", [156, 344])];
    let sel = ImportSelection {
        source,
        groups: groups.clone(),
        ..ImportSelection::default()
    };
    let keys = SupplierKeys::new(&groups).unwrap();
    let time = if monthly { By::Quarter } else { By::Year };
    for by in [vec![time], vec![By::Period, By::Product], vec![time, By::Partner]] {
        for over_product in [false, true] {
            if by.contains(&By::Partner) && !over_product {
                continue;
            }
            let (a, b) =
                both_ways(|| ImportCube::build(t, &slots, &sel, &by, Detail::Quantities, &keys, over_product).unwrap());
            assert_eq!(a, b, "build by {by:?} over_product {over_product}");
            // Values only: the sorted form keeps 16-byte records, the same sums but quantities.
            let (narrow, summed) = both_ways(|| {
                let cube = ImportCube::build(t, &slots, &sel, &by, Detail::Values, &keys, over_product).unwrap();
                let is_narrow = matches!(cube.keyed, super::cells::Keyed::Narrow { .. });
                let is_summed = matches!(cube.keyed, super::cells::Keyed::Summed(_));
                assert!(is_narrow || is_summed, "values only: narrow records or sums");
                cube
            });
            assert_eq!(
                without_quantities(narrow),
                without_quantities(a),
                "narrow by {by:?} over_product {over_product}"
            );
            assert_eq!(summed, b, "values only, summed while read");
        }
        let (a, b) = both_ways(|| {
            ImportCube::build_sides(
                t,
                &slots,
                &sel,
                &by.iter().filter(|x| **x != By::Partner).copied().collect::<Vec<_>>(),
            )
            .unwrap()
        });
        assert_eq!(a, b, "sides by {by:?}");
        for sides in [false, true] {
            let (a, b) = both_ways(|| {
                ImportCube::build_exports(
                    t,
                    &slots,
                    &sel,
                    &by.iter().filter(|x| **x != By::Partner).copied().collect::<Vec<_>>(),
                    sides,
                )
                .unwrap()
            });
            assert_eq!(a, b, "exports by {by:?} sides {sides}");
        }
    }
    let (a, b) = both_ways(|| ImportCube::build_by_product_year(t, &slots, &sel, &keys, Detail::Quantities).unwrap());
    assert_eq!(a, b, "by product and year");
}

fn row() -> impl Strategy<Value = Row> {
    (
        0..4usize,
        0..CODES.len(),
        0..CODES.len(),
        any::<bool>(),
        0..PRODUCTS.len(),
        1..100_000u32,
        proptest::option::of((0..200u8, any::<bool>())),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn sorted_and_summed_cubes_agree(
        rows in proptest::collection::vec(row(), 0..120),
        monthly in any::<bool>(),
        source in prop_oneof![Just(Source::Reported), Just(Source::Mirror), Just(Source::Auto)],
    ) {
        check(&table(&rows, monthly), source, monthly);
    }
}

#[test]
fn a_cube_of_many_rows_and_few_keys_is_summed_while_read_by_default() {
    // 3 years x 6 importers x 5 supplier keys: far below the limit, so Auto sums while reading;
    // the sums equal the sorted form's.
    let rows: Vec<Row> = (0..3000)
        .map(|i| {
            (
                i % 3,
                i % 6,
                (i / 6) % 6,
                i % 2 == 0,
                i % 4,
                (i * 37 % 1000) as u32 + 1,
                None,
                false,
            )
        })
        .collect();
    let t = table(&rows, false);
    let slots = ImporterSlots::new(CODES.iter().map(|c| Importer::country(*c)).collect(), Freq::Annual).unwrap();
    let sel = ImportSelection {
        source: Source::Auto,
        ..ImportSelection::default()
    };
    let keys = SupplierKeys::new(&[]).unwrap();
    let auto = ImportCube::build(&t, &slots, &sel, &[By::Year], Detail::Quantities, &keys, false).unwrap();
    assert!(matches!(auto.keyed, super::cells::Keyed::Summed(_)));
    let (sorted, _) =
        both_ways(|| ImportCube::build(&t, &slots, &sel, &[By::Year], Detail::Quantities, &keys, false).unwrap());
    assert_eq!(seen(&auto), sorted);
    // Explaining keeps every key's rows: always the sorted records.
    let explained = ImportCube::build(&t, &slots, &sel, &[By::Year], Detail::Rows, &keys, false).unwrap();
    assert!(matches!(explained.keyed, super::cells::Keyed::U64(_)));
}
