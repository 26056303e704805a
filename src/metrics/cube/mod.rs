//! The import cube: the one aggregation under the metrics.
//!
//! A metric asks for the imports of some importers (countries, or groups whose members change
//! by period), broken down by cells (`by`: period/year/quarter, product, partner) and, in each
//! cell, by items (suppliers or supplier groups; or products, for concentration over products).
//! The cube answers with the sums of every (cell, item): value, quantity per unit, rows,
//! mirrored and estimated rows, months present ([`Acc`]), in key order, each cell's items
//! contiguous ([`Grouped`]). A metric is then a finish step over those contiguous groups.
//!
//! Stages, one file each:
//! 1. [`slots`]: who imports — importer slots of a country in a period, resolved once per
//!    distinct membership (EU27 before and after 2020-02-01), not per row;
//! 2. [`scan`]: the map stage — row ranges of the table read through the import view
//!    ([`ViewPlan`]: source, products and weights, `cif_fob`) on rayon's threads, each range
//!    into its own partial aggregate keyed by one integer (importer slot, time key, product or
//!    partner, item), then merged; sums are exact up to f64 addition order;
//! 3. [`cells`]: product ids put in code order, entries sorted by key and cut into cells.
//!
//! The same partial aggregate, defined in SQL, is what `tradedep.engines` computes on DuckDB
//! and Spark before handing the merged cube to the metrics.

mod cells;
mod scan;
mod slots;

pub use cells::Grouped;

use crate::error::Result;
use crate::metrics::group::{ImporterSlots, SupplierKeys};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::{By, TimeKey};
use crate::metrics::view::{ViewOptions, ViewPlan};
use crate::model::{Freq, TradeTable};

#[cfg(doc)]
use crate::metrics::group::Acc;

/// The aggregated imports: cells with their items' sums, and the names behind the ids.
pub struct ImportCube {
    /// Product codes by product id (ids are in code order).
    pub products: Vec<String>,
    /// Unit names by unit id (the `u16` of [`crate::metrics::group::Qty::Unit`]).
    pub units: Vec<String>,
    pub cells: Grouped,
}

/// What the cube is keyed by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CubeShape {
    pub time: TimeKey,
    pub by_product: bool,
    pub by_partner: bool,
    /// Items are products (concentration over products) instead of suppliers.
    pub over_product: bool,
    pub monthly: bool,
    pub explain: bool,
}

impl ImportCube {
    /// Aggregates the `imports` of `table` for the importers of `slots`, cells keyed by `by`,
    /// items by supplier key (`suppliers`, from `imports.groups`) or, with `over_product`, by
    /// product id. `explain` keeps each entry's table rows.
    pub(crate) fn build(
        table: &TradeTable,
        slots: &ImporterSlots,
        imports: &ImportSelection,
        by: &[By],
        explain: bool,
        suppliers: &SupplierKeys,
        over_product: bool,
    ) -> Result<ImportCube> {
        let codes = slots.static_codes();
        let plan = ViewPlan::new(
            table,
            &ViewOptions {
                source: imports.source,
                cif_fob: imports.cif_fob,
                products: imports.products.as_ref(),
                importers: codes.as_deref(),
                cancel: Some(&imports.cancel),
            },
        )?;
        let shape = CubeShape {
            time: TimeKey::from_by(by, table.meta().freq)?,
            by_product: by.contains(&By::Product),
            by_partner: by.contains(&By::Partner),
            over_product,
            monthly: table.meta().freq == Freq::Monthly,
            explain,
        };
        let lookup = slots::SlotLookup::new(table, slots)?;
        let intra = !imports.include_intra_group;
        let partial = scan::scan(table, &plan, &lookup, suppliers, shape, intra, &imports.cancel)?;
        let cells = cells::Grouped::from_partial(partial, &plan.products, shape);
        let mut products = plan.products;
        products.sort_unstable();
        Ok(ImportCube {
            products,
            units: plan.units,
            cells,
        })
    }
}
