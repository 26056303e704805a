//! Every importer x period x product of a table in memory: total, supplier HHI, top supplier and
//! its share — the streaming kernel's output columns ([`super::kernel`] keeps the form that
//! streams a file without building the table), computed on the import cube like every other
//! metric, so a selection (source `auto`, products, `cif_fob`) works here too.

use crate::error::{Error, Result};
use crate::metrics::concentration::importer_codes_in;
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::group::{Importer, ImporterSlots, SupplierKeys};
use crate::metrics::kernel::{CellColumns, SupplierSums};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::By;
use crate::model::TradeTable;
use arrow_array::RecordBatch;

/// The kernel's columns (see [`super::kernel`]) for every importer of `table` under
/// `imports.source`, each cell's suppliers summed over their rows first.
///
/// ```
/// use tradedep::model::*;
/// use tradedep::metrics::{importer_product_concentration_selected, ImportSelection, Source};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "850760", 75.0)).unwrap();
/// b.push(TradeRow::new(2021, 276, 643, Flow::Export, "850760", 25.0)).unwrap();
/// let mut sel = ImportSelection::default();
/// sel.source = Source::Mirror;
/// let out = importer_product_concentration_selected(&b.finish().unwrap(), &sel).unwrap();
/// # use arrow_array::cast::AsArray;
/// # use arrow_array::types::{Float64Type, UInt16Type};
/// let hhi = out.column_by_name("hhi").unwrap().as_primitive::<Float64Type>().value(0);
/// assert!((hhi - (0.75f64.powi(2) + 0.25f64.powi(2))).abs() < 1e-12);
/// assert_eq!(out.column_by_name("top_code").unwrap().as_primitive::<UInt16Type>().value(0), 156);
/// ```
pub fn importer_product_concentration_selected(table: &TradeTable, imports: &ImportSelection) -> Result<RecordBatch> {
    if !imports.groups.is_empty() {
        return Err(Error::invalid_argument(
            "supplier groups in the importer x product workload",
            "its top supplier is a country code; use concentration(..., groups=...) for groups",
        ));
    }
    let codes = importer_codes_in(table, imports.source);
    let importers: Vec<Importer> = codes.iter().map(|c| Importer::country(*c)).collect();
    if importers.is_empty() {
        return CellColumns::with_capacity(0).finish();
    }
    let slots = ImporterSlots::new(importers, table.meta().freq)?;
    let suppliers = SupplierKeys::new(&[])?;
    let by = [By::Period, By::Product];
    let cube = ImportCube::build(table, &slots, imports, &by, Detail::Values, &suppliers, false)?;
    let parts = cube.for_each_cell_parallel(
        || CellColumns::with_capacity(0),
        |out, cell, items| {
            let mut sums = SupplierSums::default();
            let mut n_rows = 0;
            for (code, acc) in items.iter() {
                sums.add(*code as u16, acc.value);
                n_rows += acc.n_rows;
            }
            let product = &cube.products[cell.product as usize];
            out.push(
                codes[cell.importer as usize],
                cell.period,
                product,
                n_rows,
                &sums.stat(),
            );
            Ok(())
        },
    )?;
    drop(cube); // the records go before the parts are joined
    let batches = parts.into_iter().map(CellColumns::finish).collect::<Result<Vec<_>>>()?;
    crate::metrics::cube::concat_parts(batches)
}
