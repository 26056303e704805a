//! Stage 1 of re-routing: the series, summed on the import cube.
//!
//! Two cubes serve every table, each one parallel scan of the table and one sort of the
//! records it keeps:
//! - the origin's exports by destination, both flows side by side: from flow-export rows
//!   (reporter an origin member in the row's period): `exports = reported`, and X of the ghost
//!   trade; from flow-import rows (partner an origin member, by reporting importer):
//!   `exports = mirror` (divided by `cif_fob`), and M of the ghost trade;
//! - the target's imports from the hubs (flow-export rows of the hubs, or the target's
//!   flow-import rows): the hub -> target series.
//!
//! Cells are (origin or target, period, \[product\]) with destinations (or suppliers) as items,
//! so a series is read off its cells; exports between origin members are counted, not kept.

use std::collections::BTreeMap;

use hashbrown::HashMap;

use super::window::Points;
use super::ReroutingOptions;
use crate::error::Result;
use crate::metrics::complexity::ExportSource;
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::group::{Acc, Importer, ImporterSlots, Qty, SupplierKeys};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::By;
use crate::metrics::view::Source;
use crate::model::TradeTable;

/// Per destination (or hub), product id ([`NO_PRODUCT`](crate::metrics::group::NO_PRODUCT)
/// when products are summed) and period.
pub(super) type ByDestination<T> = HashMap<u16, BTreeMap<u32, BTreeMap<i32, T>>>;

/// One (hub, product, period) of the ghost trade: X = the origin's reported exports to the hub,
/// M = the hub's reported imports from origin members, and their rows.
#[derive(Default, Clone, Copy)]
pub(super) struct Ghost {
    pub x: f64,
    pub m: f64,
    pub nx: u64,
    pub nm: u64,
}

/// Everything the tables are made of.
pub(super) struct Series {
    /// The origin's exports by destination, under `exports`.
    pub dest: ByDestination<Acc>,
    /// The hubs' exports to the target, under `hub_exports`.
    pub hub_target: ByDestination<Acc>,
    pub ghost: ByDestination<Ghost>,
    /// Rows summed into `dest`, and rows between origin members left out.
    pub n_used: u64,
    pub n_intra: u64,
    pub n_hub_target: u64,
    /// First and last period with a row in any of the three.
    pub span: Option<(i32, i32)>,
    /// Product codes by id (code order).
    pub products: Vec<String>,
    /// Unit names by id.
    pub units: Vec<String>,
}

impl Series {
    /// The code of product `id`, `None` when products are summed.
    pub fn product(&self, id: u32) -> Option<&str> {
        (id != crate::metrics::group::NO_PRODUCT).then(|| self.products.get(id as usize).map_or("", String::as_str))
    }

    fn seen(&mut self, period: i32) {
        self.span = Some(match self.span {
            None => (period, period),
            Some((lo, hi)) => (lo.min(period), hi.max(period)),
        });
    }
}

/// `acc` with its value (and the value carried with its quantity) multiplied by `scale`.
fn scaled(acc: &Acc, scale: f64) -> Acc {
    if scale == 1.0 {
        return acc.clone();
    }
    let qty = match acc.qty {
        Qty::Unit(u, q, v) => Qty::Unit(u, q, v * scale),
        q => q,
    };
    Acc {
        value: acc.value * scale,
        qty,
        ..acc.clone()
    }
}

/// Sums the three cubes into the series; `origin` resolves the origin's members per period.
pub(super) fn series(table: &TradeTable, opts: &ReroutingOptions, origin: &mut ImporterSlots) -> Result<Series> {
    let freq = table.meta().freq;
    let by = if opts.by_product {
        vec![By::Period, By::Product]
    } else {
        vec![By::Period]
    };
    let selection = |source| ImportSelection {
        products: opts.products.clone(),
        groups: vec![],
        source,
        cif_fob: 1.0,
        include_intra_group: true,
        cancel: opts.cancel.clone(),
    };
    // Both flows in one scan, by exporter: side 1 the origin members' own reports (flow export,
    // `exports = reported`, X of the ghost trade), side 0 the destinations' reports of imports
    // from them (flow import, `exports = mirror`, M of the ghost trade).
    let exports = ImportCube::build_exports(table, origin, &selection(Source::Reported), &by, true)?;
    let mut s = Series {
        dest: HashMap::new(),
        hub_target: HashMap::new(),
        ghost: HashMap::new(),
        n_used: 0,
        n_intra: 0,
        n_hub_target: 0,
        span: None,
        products: exports.products.clone(),
        units: exports.units.clone(),
    };

    // ---- origin -> destinations, and both sides of the ghost trade ---------------------------
    let (dest_side, scale) = match opts.exports {
        ExportSource::Reported => (1, 1.0),
        ExportSource::Mirror => (0, 1.0 / opts.cif_fob),
    };
    exports.for_each_cell(|cell, items| {
        let p = cell.period;
        for (item, acc) in items.iter() {
            let (to, side) = ((*item >> 1) as u16, *item & 1);
            if side == dest_side {
                if !origin.slots(to, p)?.is_empty() {
                    s.n_intra += acc.n_rows;
                } else {
                    s.n_used += acc.n_rows;
                    s.seen(p);
                    let series = s.dest.entry(to).or_default().entry(cell.product).or_default();
                    series.insert(p, scaled(acc, scale));
                }
            }
            if opts.hubs.contains(&to) {
                s.seen(p);
                let g = s
                    .ghost
                    .entry(to)
                    .or_default()
                    .entry(cell.product)
                    .or_default()
                    .entry(p)
                    .or_default();
                if side == 1 {
                    g.x += acc.value;
                    g.nx += acc.n_rows;
                } else {
                    g.m += acc.value;
                    g.nm += acc.n_rows;
                }
            }
        }
        Ok(())
    })?;

    // ---- hub -> target: the target's imports from the hubs -----------------------------------
    let (source, scale) = match opts.hub_exports {
        ExportSource::Reported => (Source::Mirror, 1.0),
        ExportSource::Mirror => (Source::Reported, 1.0 / opts.cif_fob),
    };
    let target = ImporterSlots::new(vec![Importer::country(opts.target)], freq)?;
    let cube = ImportCube::build(
        table,
        &target,
        &selection(source),
        &by,
        Detail::Quantities,
        &SupplierKeys::new(&[])?,
        false,
    )?;
    cube.for_each_cell(|cell, items| {
        for (hub, acc) in items.iter() {
            let hub = *hub as u16;
            if opts.hubs.contains(&hub) {
                s.n_hub_target += acc.n_rows;
                s.seen(cell.period);
                let series = s.hub_target.entry(hub).or_default().entry(cell.product).or_default();
                series.insert(cell.period, scaled(acc, scale));
            }
        }
        Ok(())
    })?;
    Ok(s)
}

/// The series of `d` and product `prod`, if it has rows.
pub(super) fn points(map: &ByDestination<Acc>, d: u16, prod: u32) -> Option<&Points> {
    map.get(&d).and_then(|m| m.get(&prod))
}
