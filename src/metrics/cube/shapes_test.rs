//! The exports and sides shapes of the cube, on a hand-made table.

use super::ImportCube;
use crate::metrics::group::{Importer, ImporterSlots};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::By;
use crate::metrics::view::Source;
use crate::model::{Flow, Freq, TableMeta, TradeRow, TradeTable, TradeTableBuilder};

fn table() -> TradeTable {
    let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
    for (reporter, partner, flow, product, v) in [
        (276, 398, Flow::Export, "8542", 10.0), // Germany's export to Kazakhstan
        (276, 643, Flow::Export, "8471", 5.0),  // to Russia
        (398, 276, Flow::Import, "8542", 12.0), // Kazakhstan's import from Germany
        (251, 276, Flow::Export, "8542", 3.0),  // France to Germany (intra-EU)
        (643, 156, Flow::Import, "8542", 7.0),  // Russia from China
    ] {
        b.push(TradeRow::new(2021, reporter, partner, flow, product, v))
            .unwrap();
    }
    b.finish().unwrap()
}

/// A cell: importer slot, partner, items (key, value, rows).
type Cell = (u16, u32, Vec<(u32, f64, u64)>);

/// Every cell of `cube`.
fn cells(cube: &ImportCube) -> Vec<Cell> {
    let mut out = vec![];
    cube.for_each_cell(|cell, items| {
        let items = items.iter().map(|(k, a)| (*k, a.value, a.n_rows)).collect();
        out.push((cell.importer, cell.partner, items));
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn exports_with_sides_key_the_origin_by_destination_and_side() {
    let t = table();
    let origin = ImporterSlots::new(vec![Importer::group("EU27")], Freq::Annual).unwrap();
    let sel = ImportSelection {
        include_intra_group: true,
        source: Source::Reported,
        ..ImportSelection::default()
    };
    let cube = ImportCube::build_exports(&t, &origin, &sel, &[By::Period], true).unwrap();
    // Items destination << 1 | side (1: the exporter's own report), in key order; Russia's
    // import from China is no EU export.
    let want = vec![
        (276 << 1 | 1, 3.0, 1),
        (398 << 1, 12.0, 1),
        (398 << 1 | 1, 10.0, 1),
        (643 << 1 | 1, 5.0, 1),
    ];
    assert_eq!(cells(&cube), [(0, crate::metrics::group::NO_PARTNER, want)]);
    // One side (flow-export rows only, Source::Mirror) without sides: items are destinations.
    let sel = ImportSelection {
        source: Source::Mirror,
        ..sel
    };
    let cube = ImportCube::build_exports(&t, &origin, &sel, &[By::Period], false).unwrap();
    let got = cells(&cube);
    assert_eq!(got[0].2, [(276, 3.0, 1), (398, 10.0, 1), (643, 5.0, 1)]);
}

#[test]
fn sides_put_reported_imports_next_to_partners_exports() {
    let t = table();
    let slots = ImporterSlots::new(vec![Importer::country(398), Importer::country(643)], Freq::Annual).unwrap();
    let sel = ImportSelection::default();
    // By product: items product rank << 1 | side; products 8471 (rank 0) and 8542 (rank 1).
    let cube = ImportCube::build_sides(&t, &slots, &sel, &[By::Year, By::Product]).unwrap();
    assert_eq!(cube.products, ["8471", "8542"]);
    assert_eq!(
        cells(&cube),
        [
            (0, 276, vec![(1 << 1, 12.0, 1), (1 << 1 | 1, 10.0, 1)]),
            (1, 156, vec![(1 << 1, 7.0, 1)]),
            (1, 276, vec![(1, 5.0, 1)]),
        ]
    );
    // Products summed: the two sides are the items.
    let cube = ImportCube::build_sides(&t, &slots, &sel, &[By::Year]).unwrap();
    assert_eq!(cells(&cube)[0], (0, 276, vec![(0, 12.0, 1), (1, 10.0, 1)]));
}
