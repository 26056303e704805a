//! Stage 4 of re-routing: the flows and summary tables (origin -> hubs, target and controls).

use std::collections::BTreeSet;

use arrow_array::RecordBatch;

use super::columns::{qty_columns, FlowCols, SummaryCols};
use super::roles::{Role, Setup};
use super::series::{points, Series};
use super::window::{index_and_log, on_calendar, window_label, window_mean, Points};
use super::{ReroutingOptions, DOMINANT_CONTROL_SHARE};
use crate::error::Result;
use crate::metrics::group::{Acc, NO_PRODUCT};
use crate::metrics::view::country_label;

/// The flows and summary tables, and the dominant controls; notes on missing baselines, a
/// dominant control and unit values go to `notes`.
#[allow(clippy::type_complexity)]
pub(super) fn flows_and_summary(
    opts: &ReroutingOptions,
    series: &Series,
    setup: &Setup,
    notes: &mut Vec<String>,
) -> Result<(RecordBatch, RecordBatch, Vec<(u16, Option<String>, f64)>)> {
    let (cal, calendar, baseline, after) = (setup.cal, &setup.calendar[..], setup.baseline, setup.after);
    let controls = &setup.controls;
    let mut roles: Vec<(Role, u16)> = opts.hubs.iter().map(|h| (Role::Hub, *h)).collect();
    roles.push((Role::Target, opts.target));
    roles.extend(controls.iter().map(|c| (Role::Control, *c)));
    let flow_products: Vec<u32> = if opts.by_product {
        // Product ids are in code order.
        let ids: BTreeSet<u32> = roles
            .iter()
            .filter_map(|(_, d)| series.dest.get(d))
            .flat_map(|m| m.keys().copied())
            .collect();
        ids.into_iter().collect()
    } else {
        vec![NO_PRODUCT]
    };
    let mut flows = FlowCols::default();
    let mut summary = SummaryCols::default();
    let mut bad_base: Vec<String> = vec![];
    let mut mixed_units = 0usize;
    let mut dominant: Vec<(u16, Option<String>, f64)> = vec![];
    for prod in &flow_products {
        let mut ctrl = Points::new();
        for c in controls {
            let points = on_calendar(points(&series.dest, *c, *prod), calendar, |k| {
                setup.dest_reported(*c, k)
            });
            for (k, a) in &points {
                ctrl.entry(*k).or_default().merge(a);
            }
        }
        let ctrl_base = window_mean(&ctrl, &baseline, cal);
        let ctrl_after = window_mean(&ctrl, &after, cal);
        let have_controls = !controls.is_empty();
        let ctrl_log_after = index_and_log(ctrl_after.mean, ctrl_base.mean).1;
        for (role, d) in &roles {
            let points = &on_calendar(points(&series.dest, *d, *prod), calendar, |k| {
                setup.dest_reported(*d, k)
            });
            let base = window_mean(points, &baseline, cal);
            let aft = window_mean(points, &after, cal);
            if let (Role::Control, Some(b), Some(total)) = (role, base.mean, ctrl_base.mean) {
                if total > 0.0 && b / total > DOMINANT_CONTROL_SHARE {
                    dominant.push((*d, series.product(*prod).map(str::to_string), b / total));
                }
            }
            if !matches!(base.mean, Some(b) if b > 0.0) {
                bad_base.push(format!(
                    "{}{}",
                    country_label(*d),
                    series.product(*prod).map(|p| format!(" {p}")).unwrap_or_default()
                ));
            }
            mixed_units += (base.mixed || aft.mixed) as usize;
            for k in calendar {
                let acc = points.get(k);
                let v = acc.map(|a| a.value);
                let (index, log) = index_and_log(v, base.mean);
                let cv = have_controls.then(|| ctrl.get(k).map(|a| a.value)).flatten();
                let clog = index_and_log(cv, ctrl_base.mean).1;
                let uv = acc.and_then(|a| a.qty.unit_value());
                flows.role.push(role.as_str());
                flows.dest.push(country_label(*d));
                flows.code.push(*d);
                flows.product.push(series.product(*prod).map(str::to_string));
                flows
                    .series
                    .push(*k, window_label(*k, &baseline, &after, cal), v, &base, (index, log));
                flows.ctrl_value.push(cv);
                flows.ctrl_log.push(clog);
                flows.did.push(match (role, log, clog) {
                    (Role::Control, _, _) => None,
                    (_, Some(a), Some(b)) => Some(a - b),
                    _ => None,
                });
                let (q, unit) = acc.map(|a| qty_columns(a.qty, &series.units)).unwrap_or((None, None));
                flows.quantity.push(q);
                flows.unit.push(unit);
                flows.coverage.push(acc.and_then(Acc::quantity_value_share));
                flows.unit_value.push(uv.map(|u| u.0));
                flows.base_uv.push(base.unit_value.map(|u| u.0));
                flows.uv_index.push(match (uv, base.unit_value) {
                    (Some((a, ua)), Some((b, ub))) if ua == ub && b > 0.0 => Some(100.0 * a / b),
                    _ => None,
                });
                flows.source.push(acc.map(|_| opts.exports.as_str()));
                flows.n_rows.push(acc.map(|a| a.n_rows).unwrap_or(0));
            }
            let (index, log) = index_and_log(aft.mean, base.mean);
            summary.push(
                role.as_str(),
                country_label(*d),
                Some(*d),
                series.product(*prod),
                &base,
                &aft,
                index,
                log,
                ctrl_log_after,
                match (role, log, ctrl_log_after) {
                    (Role::Control, _, _) => None,
                    (_, Some(a), Some(b)) => Some(a - b),
                    _ => None,
                },
                &series.units,
            );
        }
        if have_controls {
            let (index, log) = index_and_log(ctrl_after.mean, ctrl_base.mean);
            summary.push(
                "controls",
                "controls".to_string(),
                None,
                series.product(*prod),
                &ctrl_base,
                &ctrl_after,
                index,
                log,
                log,
                None,
                &series.units,
            );
            if !matches!(ctrl_base.mean, Some(b) if b > 0.0) {
                bad_base.push(format!(
                    "controls{}",
                    series.product(*prod).map(|p| format!(" {p}")).unwrap_or_default()
                ));
            }
        }
    }
    if !bad_base.is_empty() {
        notes.push(format!(
            "baseline mean missing or 0 for {} series: index, log_change and did null there ({}{})",
            bad_base.len(),
            bad_base.iter().take(8).cloned().collect::<Vec<_>>().join(", "),
            if bad_base.len() > 8 { ", ..." } else { "" }
        ));
    }
    if !dominant.is_empty() {
        notes.push(format!(
            "warning: one control is over half of the controls' baseline, so did mostly compares with it: {}{}; pass controls= to choose them",
            dominant
                .iter()
                .take(8)
                .map(|(d, p, sh)| format!(
                    "{}{} {:.0}%",
                    country_label(*d),
                    p.as_ref().map(|p| format!(" ({p})")).unwrap_or_default(),
                    100.0 * sh
                ))
                .collect::<Vec<_>>()
                .join(", "),
            if dominant.len() > 8 { ", ..." } else { "" }
        ));
    }
    notes.push(format!(
        "unit values only where quantities share one unit (value of the rows with a quantity / quantity; quantity_value_share states the share of value covered){}",
        if mixed_units > 0 {
            format!("; {mixed_units} series have mixed units (quantity_unit \"mixed\", unit values null)")
        } else {
            String::new()
        }
    ));
    Ok((
        flows.finish(opts.by_product)?,
        summary.finish(opts.by_product)?,
        dominant,
    ))
}
