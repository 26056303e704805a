//! Stage 2 of re-routing: the windows, the calendar, who is a control, and who reported when.

use hashbrown::HashSet;

use super::series::Series;
use super::window::Window;
use super::{ReroutingOptions, SANCTIONED_DESTINATIONS};
use crate::error::{Error, Result};
use crate::metrics::complexity::ExportSource;
use crate::metrics::group::ImporterSlots;
use crate::metrics::reporting::Reporting;
use crate::metrics::time::Calendar;
use crate::metrics::view::country_label;
use crate::model::{Freq, TradeTable};

/// A destination's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Hub,
    Target,
    Control,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hub => "hub",
            Role::Target => "target",
            Role::Control => "control",
        }
    }
}

pub(super) fn check_options(opts: &ReroutingOptions) -> Result<()> {
    if !(opts.cif_fob.is_finite() && opts.cif_fob > 0.0) {
        return Err(Error::invalid_argument(
            format!("cif_fob factor {} is not a positive number", opts.cif_fob),
            "use 1.0 to compare values as reported, or e.g. 1.05 for a 5% CIF margin",
        ));
    }
    if opts.hubs.is_empty() {
        return Err(Error::invalid_argument(
            "no hub given",
            "name at least one hub, e.g. hubs=[\"KAZ\", \"KGZ\", \"ARM\"]",
        ));
    }
    let mut seen = HashSet::new();
    for h in &opts.hubs {
        if !seen.insert(*h) {
            return Err(Error::invalid_argument(
                format!("hub {} is named twice", country_label(*h)),
                "name each hub once",
            ));
        }
    }
    if opts.hubs.contains(&opts.target) {
        return Err(Error::invalid_argument(
            format!("{} is both a hub and the target", country_label(opts.target)),
            "the target is the sanctioned destination; leave it out of the hubs",
        ));
    }
    Ok(())
}

/// The baseline and after windows of `opts` (years, or months of a monthly table).
pub(super) fn windows(opts: &ReroutingOptions, freq: Freq) -> Result<(Window, Window)> {
    let monthly = freq == Freq::Monthly;
    let cal = Calendar::of_table(freq);
    let baseline = Window::parse(opts.baseline, monthly, "baseline")?;
    let after = match opts.after {
        Some(a) => {
            let w = Window::parse(a, monthly, "after window")?;
            if w.months != baseline.months {
                return Err(Error::invalid_argument(
                    "baseline and after window are given in different units",
                    "give both in years, or both in YYYYMM months",
                ));
            }
            if w.from <= baseline.to && baseline.from <= w.to {
                return Err(Error::invalid_argument(
                    format!("after window {} overlaps the baseline {}", w.label(), baseline.label()),
                    "choose comparison periods outside the baseline",
                ));
            }
            w
        }
        None => Window {
            from: if baseline.months {
                cal.next(baseline.to)
            } else {
                baseline.to + 1
            },
            to: i32::MAX,
            months: baseline.months,
        },
    };
    Ok((baseline, after))
}

fn is_member(origin: &mut ImporterSlots, code: u16, period: i32) -> Result<bool> {
    Ok(!origin.slots(code, period)?.is_empty())
}

/// What the tables are laid out on: the calendar, the controls, and who reported when.
pub(super) struct Setup {
    pub cal: Calendar,
    pub calendar: Vec<i32>,
    pub baseline: Window,
    pub after: Window,
    pub controls: Vec<u16>,
    /// Default controls' candidates left out as origin members in some period.
    pub left_out: Vec<u16>,
    pub sanctioned_out: Vec<u16>,
    pub reporting: Reporting,
    /// Periods in which some origin member reported exports.
    pub origin_reported: HashSet<i32>,
    exports: ExportSource,
    hub_exports: ExportSource,
    target: u16,
}

impl Setup {
    /// The reporting side of the origin's exports to `d` reported something in period `k`.
    pub fn dest_reported(&self, d: u16, k: i32) -> bool {
        match self.exports {
            ExportSource::Reported => self.origin_reported.contains(&k),
            ExportSource::Mirror => self.reporting.imports(d, k),
        }
    }
    /// The reporting side of a hub's exports to the target reported something in period `k`.
    pub fn hub_side_reported(&self, hub: u16, k: i32) -> bool {
        match self.hub_exports {
            ExportSource::Reported => self.reporting.exports(hub, k),
            ExportSource::Mirror => self.reporting.imports(self.target, k),
        }
    }
}

/// The calendar of the series, the windows and roles checked against it, the controls.
pub(super) fn setup(
    table: &TradeTable,
    opts: &ReroutingOptions,
    series: &Series,
    (baseline, after): (Window, Window),
    origin: &mut ImporterSlots,
) -> Result<Setup> {
    let cal = Calendar::of_table(table.meta().freq);
    let origin_label = opts.origin.label.clone();
    // ---- calendar, reporting periods, roles --------------------------------------------------
    let calendar = match series.span {
        Some((lo, hi)) => cal.span(lo, hi),
        None => {
            return Err(Error::invalid_argument(
                format!(
                    "no exports of {origin_label} (exports={:?}) and no hub rows in a table of {} rows{}",
                    opts.exports.as_str(),
                    table.num_rows(),
                    if opts.products.is_some() { " for the products selected" } else { "" }
                ),
                "check the origin, the products and exports=\"reported\"/\"mirror\" (the origin's own exports, or its partners' imports)",
            ))
        }
    };
    if !calendar.iter().any(|k| baseline.contains(*k, cal)) {
        return Err(Error::invalid_argument(
            format!(
                "baseline {} has no period in the data ({}..{})",
                baseline.label(),
                calendar[0],
                calendar[calendar.len() - 1]
            ),
            "choose baseline periods the table covers",
        ));
    }
    if !calendar.iter().any(|k| after.contains(*k, cal)) {
        return Err(Error::invalid_argument(
            format!(
                "after window {} has no period in the data ({}..{})",
                after.label(),
                calendar[0],
                calendar[calendar.len() - 1]
            ),
            "choose comparison periods the table covers (by default every period after the baseline)",
        ));
    }
    for code in opts.hubs.iter().chain([&opts.target]) {
        for k in &calendar {
            if is_member(origin, *code, *k)? {
                return Err(Error::invalid_argument(
                    format!(
                        "{} is a member of the origin {origin_label} in {k}",
                        country_label(*code)
                    ),
                    "hubs and the target must be outside the origin",
                ));
            }
        }
    }
    let mut sanctioned_out: Vec<u16> = vec![];
    let (controls, left_out) = match &opts.controls {
        Some(c) => (c.clone(), vec![]),
        None => {
            let mut candidates: Vec<u16> = series
                .dest
                .keys()
                .copied()
                .filter(|d| !opts.hubs.contains(d) && *d != opts.target)
                .filter(|d| {
                    let sanctioned = SANCTIONED_DESTINATIONS.iter().any(|(c, _)| c == d);
                    if sanctioned {
                        sanctioned_out.push(*d);
                    }
                    !sanctioned
                })
                .collect();
            sanctioned_out.sort_unstable();
            candidates.sort_unstable();
            let mut keep = vec![];
            let mut out = vec![];
            for d in candidates {
                let mut member = false;
                for k in &calendar {
                    member |= is_member(origin, d, *k)?;
                }
                if member {
                    out.push(d)
                } else {
                    keep.push(d)
                }
            }
            (keep, out)
        }
    };
    for c in &controls {
        if opts.hubs.contains(c) || *c == opts.target {
            return Err(Error::invalid_argument(
                format!("{} is a control and a hub or the target", country_label(*c)),
                "controls are the other destinations: leave hubs and the target out of them",
            ));
        }
        for k in &calendar {
            if is_member(origin, *c, *k)? {
                return Err(Error::invalid_argument(
                    format!(
                        "control {} is a member of the origin {origin_label} in {k}",
                        country_label(*c)
                    ),
                    "controls must be outside the origin",
                ));
            }
        }
    }
    // Who reported in which period. A period in which a series' reporting side reported other
    // flows but not this one counts 0 (declarations are complete: a flow not declared did not
    // happen); only a period in which that side reported nothing at all is a gap.
    // The rule lives in metrics::reporting, shared with import_series.
    let reporting = Reporting::of(table);
    let mut origin_reported: HashSet<i32> = HashSet::new();
    for k in &calendar {
        for m in origin.members(*k)?.into_iter().flatten() {
            if reporting.exports(m, *k) {
                origin_reported.insert(*k);
                break;
            }
        }
    }
    Ok(Setup {
        cal,
        calendar,
        baseline,
        after,
        controls,
        left_out,
        sanctioned_out,
        reporting,
        origin_reported,
        exports: opts.exports,
        hub_exports: opts.hub_exports,
        target: opts.target,
    })
}
