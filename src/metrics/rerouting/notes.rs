//! Stage 3 of re-routing: the notes on what went in (rows, products, windows, controls).

use super::roles::Setup;
use super::series::Series;
use super::{ReroutingOptions, SANCTIONED_DESTINATIONS};
use crate::metrics::complexity::ExportSource;
use crate::metrics::view::country_label;
use crate::model::TradeTable;

/// Notes on the rows summed, the products, the currency, the windows and the controls.
pub(super) fn input_notes(table: &TradeTable, opts: &ReroutingOptions, series: &Series, setup: &Setup) -> Vec<String> {
    let (cal, calendar, baseline, after) = (setup.cal, &setup.calendar[..], setup.baseline, setup.after);
    let monthly = table.meta().freq == crate::model::Freq::Monthly;
    let (controls, sanctioned_out, left_out) = (&setup.controls, &setup.sanctioned_out, &setup.left_out);
    let origin_label = &opts.origin.label;
    let mut notes: Vec<String> = vec![];
    // ---- notes on what went in ----------------------------------------------------------------
    let what = match opts.exports {
        ExportSource::Reported => format!(
            "exports=reported: rows with flow export, reporter a member of {origin_label} in the row's period (FOB as reported)"
        ),
        ExportSource::Mirror => format!(
            "exports=mirror: destinations' rows with flow import, partner a member of {origin_label} in the row's period, divided by cif_fob {}",
            opts.cif_fob
        ),
    };
    notes.push(format!(
        "{what}: {} rows summed, {} rows between origin members (intra-group) left out; {}",
        series.n_used,
        series.n_intra,
        match &opts.origin.members {
            crate::metrics::Membership::Group(g) => format!("{g} members resolved per period"),
            crate::metrics::Membership::Countries(c) => format!("members {}", labels(c)),
        }
    ));
    if let Some(sel) = &opts.products {
        notes.push(format!(
            "products: {} ({} entries{})",
            sel.name,
            sel.entries.len(),
            if opts.by_product {
                ", one series each"
            } else {
                ", summed"
            }
        ));
    }
    notes.push(format!(
        "values in {} (the table's currency, never converted)",
        table.meta().currency
    ));
    let n_base = calendar.iter().filter(|k| baseline.contains(**k, cal)).count();
    let n_after = calendar.iter().filter(|k| after.contains(**k, cal)).count();
    notes.push(format!(
        "baseline {} ({n_base} periods in the calendar); after {} ({n_after} periods){}",
        baseline.label(),
        after.label(),
        if monthly {
            "; monthly table: baseline_mean is the mean monthly value over the baseline months that are not gaps, so months compare like with like"
        } else {
            ""
        }
    ));
    notes.push(
        "a period is a gap (null) only when the series' reporting side reported nothing in it (the origin for \
         exports=reported, the destination for mirror); a period it reported without this flow counts 0; \
         means are over the periods that are not gaps"
            .to_string(),
    );
    if controls.is_empty() {
        notes.push("no control destination: controls_value, controls_log_change and did are null".to_string());
    } else {
        notes.push(format!(
            "controls: {} ({})",
            labels(controls),
            if opts.controls.is_some() {
                "as given"
            } else {
                "default: every other destination of the origin in the table, neither hub, target, origin member nor sanctioned destination"
            }
        ));
    }
    if !sanctioned_out.is_empty() {
        notes.push(format!(
            "left out of the default controls as sanctioned destinations: {}",
            sanctioned_out
                .iter()
                .map(|d| {
                    let why = SANCTIONED_DESTINATIONS.iter().find(|(c, _)| c == d).map_or("", |x| x.1);
                    format!("{} ({why})", country_label(*d))
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !left_out.is_empty() {
        notes.push(format!(
            "left out of the controls: {} (members of {origin_label} in some period of the table)",
            labels(left_out)
        ));
    }
    for h in &opts.hubs {
        if !series.dest.contains_key(h) {
            notes.push(format!(
                "hub {}: no exports of {origin_label} to it in the table",
                country_label(*h)
            ));
        }
    }
    if !series.dest.contains_key(&opts.target) {
        notes.push(format!(
            "target {}: no exports of {origin_label} to it in the table (did null)",
            country_label(opts.target)
        ));
    }
    for c in controls {
        if !series.dest.contains_key(c) {
            notes.push(format!(
                "control {}: no exports of {origin_label} in the table",
                country_label(*c)
            ));
        }
    }
    notes
}

pub(super) fn labels(codes: &[u16]) -> String {
    codes.iter().map(|c| country_label(*c)).collect::<Vec<_>>().join(", ")
}

pub(super) fn periods_label(periods: &[i32]) -> String {
    let shown: Vec<String> = periods.iter().take(6).map(|p| p.to_string()).collect();
    format!("{}{}", shown.join(", "), if periods.len() > 6 { ", ..." } else { "" })
}
