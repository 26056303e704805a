//! Stage 4 of re-routing: the hub -> target and ghost-trade tables.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;

use super::columns::{GhostCols, HubTargetCols};
use super::notes::periods_label;
use super::roles::Setup;
use super::series::Series;
use super::window::{index_and_log, on_calendar, window_label, window_mean};
use super::ReroutingOptions;
use crate::error::Result;
use crate::metrics::complexity::ExportSource;
use crate::metrics::group::NO_PRODUCT;
use crate::metrics::view::country_label;

/// The hubs' exports to the target with their index (notes on the rows and on hubs without any).
pub(super) fn hub_target(
    opts: &ReroutingOptions,
    series: &Series,
    setup: &Setup,
    notes: &mut Vec<String>,
) -> Result<RecordBatch> {
    let (cal, calendar, baseline, after) = (setup.cal, &setup.calendar[..], setup.baseline, setup.after);
    notes.push(format!(
        "hub -> target: {} ({} rows)",
        match opts.hub_exports {
            ExportSource::Reported => format!(
                "hub_exports=reported: hubs' rows with flow export, partner {}",
                country_label(opts.target)
            ),
            ExportSource::Mirror => format!(
                "hub_exports=mirror: {}'s rows with flow import, partner a hub, divided by cif_fob {}",
                country_label(opts.target),
                opts.cif_fob
            ),
        },
        series.n_hub_target
    ));
    let mut ht = HubTargetCols::default();
    for hub in &opts.hubs {
        let hub_series = series.hub_target.get(hub);
        if hub_series.is_none() {
            notes.push(format!(
                "hub {}: no exports to {} in the table",
                country_label(*hub),
                country_label(opts.target)
            ));
        }
        let prods: Vec<u32> = match (opts.by_product, hub_series) {
            (false, _) => vec![NO_PRODUCT],
            (true, Some(s)) => s.keys().copied().collect(),
            (true, None) => vec![],
        };
        for prod in prods {
            let points = &on_calendar(hub_series.and_then(|s| s.get(&prod)), calendar, |k| {
                setup.hub_side_reported(*hub, k)
            });
            let base = window_mean(points, &baseline, cal);
            for k in calendar {
                let acc = points.get(k);
                let v = acc.map(|a| a.value);
                let (index, log) = index_and_log(v, base.mean);
                ht.hub.push(country_label(*hub));
                ht.code.push(*hub);
                ht.product.push(series.product(prod).map(str::to_string));
                ht.series
                    .push(*k, window_label(*k, &baseline, &after, cal), v, &base, (index, log));
                ht.source.push(acc.map(|_| opts.hub_exports.as_str()));
                ht.n_rows.push(acc.map(|a| a.n_rows).unwrap_or(0));
            }
        }
    }
    ht.finish(opts.by_product)
}

/// Ghost trade per hub and period (notes on the method and on periods a hub reported nothing).
pub(super) fn ghost(
    opts: &ReroutingOptions,
    series: &Series,
    setup: &Setup,
    notes: &mut Vec<String>,
) -> Result<RecordBatch> {
    let calendar = &setup.calendar[..];
    let origin_label = &opts.origin.label;
    notes.push(format!(
        "ghost = {origin_label}'s reported exports to the hub (flow export) - the hub's reported imports from {origin_label} members (flow import) / cif_fob {}; a side that reported in the period but not the cell counts 0",
        opts.cif_fob
    ));
    let mut gc = GhostCols::default();
    let no_ghost = BTreeMap::new();
    for hub in &opts.hubs {
        let silent: Vec<i32> = calendar
            .iter()
            .copied()
            .filter(|k| !setup.reporting.imports(*hub, *k))
            .collect();
        if !silent.is_empty() {
            notes.push(format!(
                "hub {} reported no imports in {} of {} periods ({}): ghost null there",
                country_label(*hub),
                silent.len(),
                calendar.len(),
                periods_label(&silent)
            ));
        }
        let hub_series = series.ghost.get(hub);
        let prods: Vec<u32> = match (opts.by_product, hub_series) {
            (false, _) => vec![NO_PRODUCT],
            (true, Some(s)) => s.keys().copied().collect(),
            (true, None) => vec![],
        };
        for prod in prods {
            let cells = hub_series.and_then(|s| s.get(&prod)).unwrap_or(&no_ghost);
            for k in calendar {
                let g = cells.get(k).copied().unwrap_or_default();
                let hub_rep = setup.reporting.imports(*hub, *k);
                let origin_rep = setup.origin_reported.contains(k);
                let x = (g.nx > 0 || origin_rep).then_some(g.x);
                let m = (g.nm > 0 || hub_rep).then_some(g.m);
                let m_fob = m.map(|m| m / opts.cif_fob);
                let gh = x.zip(m_fob).map(|(x, m)| x - m);
                gc.hub.push(country_label(*hub));
                gc.code.push(*hub);
                gc.product.push(series.product(prod).map(str::to_string));
                gc.period.push(*k);
                gc.x.push(x);
                gc.m.push(m);
                gc.m_fob.push(m_fob);
                gc.ghost.push(gh);
                gc.share.push(match (gh, x) {
                    (Some(g), Some(x)) if x > 0.0 => Some(g / x),
                    _ => None,
                });
                gc.hub_reported.push(hub_rep);
                gc.nx.push(g.nx);
                gc.nm.push(g.nm);
            }
        }
    }
    gc.finish(opts.by_product)
}
