//! Stage 3 of re-routing: the baseline and after windows, a series on the calendar (0 where its
//! reporting side reported other flows, a gap where it reported nothing), window means, index
//! and log change.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::metrics::group::{Acc, Qty};
use crate::metrics::time::Calendar;

/// An inclusive range of years, or of months of a monthly table.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub from: i32,
    pub to: i32,
    pub months: bool,
}

impl Window {
    pub fn parse(range: (i32, i32), monthly: bool, what: &str) -> Result<Window> {
        let (from, to) = range;
        let is_year = |y: i32| (1900..=2200).contains(&y);
        let is_month = |m: i32| is_year(m / 100) && (1..=12).contains(&(m % 100));
        let months = match (is_year(from) && is_year(to), is_month(from) && is_month(to)) {
            (true, _) => false,
            (_, true) if monthly => true,
            (_, true) => {
                return Err(Error::invalid_argument(
                    format!("{what} ({from}, {to}) is given in months, but the table is annual"),
                    format!("give the {what} in years, e.g. (2017, 2021)"),
                ))
            }
            _ => {
                return Err(Error::invalid_argument(
                    format!("{what} ({from}, {to}) is not a range of years or of YYYYMM months"),
                    format!("give the {what} as (first, last) years, e.g. (2017, 2021), or months (202101, 202112)"),
                ))
            }
        };
        if from > to {
            return Err(Error::invalid_argument(
                format!("{what} ({from}, {to}) ends before it starts"),
                format!("give the {what} as (first, last)"),
            ));
        }
        Ok(Window { from, to, months })
    }
    #[inline]
    pub fn contains(&self, k: i32, cal: Calendar) -> bool {
        let x = if self.months { k } else { cal.year(k) };
        (self.from..=self.to).contains(&x)
    }
    pub fn label(&self) -> String {
        let f = |x: i32| {
            if self.months {
                format!("{}-{:02}", x / 100, x % 100)
            } else {
                x.to_string()
            }
        };
        match (self.from == self.to, self.to == i32::MAX) {
            (true, _) => f(self.from),
            (_, true) => format!("from {}", f(self.from)),
            _ => format!("{}..{}", f(self.from), f(self.to)),
        }
    }
}

/// Sums per period of one series.
pub(super) type Points = BTreeMap<i32, Acc>;

/// Mean, period count and unit value of a series over a window's periods that are not gaps.
#[derive(Debug, Clone, Copy)]
pub(super) struct WindowMean {
    pub mean: Option<f64>,
    pub n: u32,
    /// (unit value, unit) when every period's quantities share one unit.
    pub unit_value: Option<(f64, u16)>,
    pub mixed: bool,
}

pub(super) fn window_mean(points: &Points, w: &Window, cal: Calendar) -> WindowMean {
    let (mut n, mut sum, mut qty) = (0u32, 0.0, Qty::Empty);
    // Unit value over the window: value of the rows with a quantity / their quantity.
    for (k, a) in points {
        if w.contains(*k, cal) {
            n += 1;
            sum += a.value;
            qty = qty.merge(a.qty);
        }
    }
    WindowMean {
        mean: (n > 0).then(|| sum / n as f64),
        n,
        unit_value: qty.unit_value(),
        mixed: qty == Qty::Mixed,
    }
}

/// `100 v / b` and `ln(v / b)`; null where b is missing or 0 (and the log where v is 0).
pub(super) fn index_and_log(v: Option<f64>, base: Option<f64>) -> (Option<f64>, Option<f64>) {
    match (v, base) {
        (Some(v), Some(b)) if b > 0.0 => (Some(100.0 * v / b), (v > 0.0).then(|| (v / b).ln())),
        _ => (None, None),
    }
}

/// A series on the calendar: its periods with rows, and 0 (no rows) in every other period in
/// which its reporting side reported; the remaining periods stay gaps.
pub(super) fn on_calendar(points: Option<&Points>, calendar: &[i32], reported: impl Fn(i32) -> bool) -> Points {
    let mut out = points.cloned().unwrap_or_default();
    for k in calendar {
        if !out.contains_key(k) && reported(*k) {
            out.insert(*k, Acc::default());
        }
    }
    out
}

pub(super) fn window_label(k: i32, baseline: &Window, after: &Window, cal: Calendar) -> Option<&'static str> {
    if baseline.contains(k, cal) {
        Some("baseline")
    } else if after.contains(k, cal) {
        Some("after")
    } else {
        None
    }
}
