//! Re-routing detection: did an origin's exports to a target move to hubs after sanctions?
//! (domain notes, section 6; the EBRD's "Eurasian roundabout").
//!
//! **Exports.** The origin is a country or a group whose membership is resolved per period
//! ([`Importer`], e.g. `EU27` with the UK until 2020-01-31). Its exports are read through the
//! one [`ImportView`] every metric uses, from the exporter's side as in
//! [`complexity`](mod@crate::metrics::complexity) ([`ExportSource`]): `reported` takes the origin
//! members' reported exports (flow export, reporter an origin member in the row's period,
//! partner the destination; FOB as reported), `mirror` the destinations' reported imports from
//! origin members (flow import, partner an origin member), divided by `cif_fob` to approximate
//! FOB (1.0 keeps them CIF). Exports between origin members (intra-group) are left out.
//! Destinations have roles: the `hubs`, the `target`, and the `controls` (by default every
//! other destination of the origin in the table that is neither a hub nor the target, nor an
//! origin member in any period of the table, nor a sanctioned destination,
//! [`SANCTIONED_DESTINATIONS`]: Russia and Belarus). A note (and
//! [`Rerouting::dominant_controls`]) warns when one control is over half of the controls'
//! baseline.
//!
//! **Windows and calendar.** `baseline` and `after` are inclusive ranges of years (`(2017,
//! 2021)`), or of months `YYYYMM` in a monthly table; `after` defaults to every period after the
//! baseline. Rows are the table's own periods (years, or months) on one complete calendar from
//! the first to the last period seen. Declarations are complete, so a series is 0 in a period
//! in which its reporting side (the origin's members for `exports = reported`, the destination
//! for `mirror`; the hub, or the target, for hub -> target) reported other flows but not this
//! one; only a period in which that side reported nothing at all is a gap (`value` null, `gap`
//! true), never a silent zero, as in [`import_series`](crate::metrics::import_series). (A CN8
//! code exported in 6 of 12 baseline months has the mean of 12 months, not of 6.) The baseline
//! mean is the mean over the baseline periods that are not gaps; in a monthly table that is the
//! mean monthly value, so every month (and the after window's mean month) is compared like with
//! like, also when a year is incomplete.
//!
//! **Numbers.** For a series v_t with baseline mean b: `index = 100 v_t / b`, `log_change =
//! ln(v_t / b)` (null where b is missing or 0, or v_t is 0). The controls' values are summed per
//! period (and product) into one series C with its own baseline mean; `did = log_change -
//! controls_log_change` (difference in differences) for hubs (a rise means exports grew more
//! than to the controls) and the target (a fall is the drop). The summary does the same with the
//! mean over the after window in place of v_t.
//!
//! **Hub -> target** exports ([`Rerouting::hub_target`]): the hubs' reported exports to the
//! target (`hub_exports = reported`: flow export, reporter a hub, partner the target), or the
//! target's reported imports from the hubs (`mirror`, divided by `cif_fob`), with their index.
//!
//! **Ghost trade** ([`Rerouting::ghost`]): X = origin's reported exports to the hub (FOB), M =
//! the hub's reported imports from origin members (CIF); `ghost = X - M / cif_fob`. A side that
//! reported something (any product, any partner) in the period but nothing for the cell counts
//! 0; a side that reported nothing in the period is null, and so is `ghost` (a note names the
//! hubs and periods).
//!
//! **Unit values** of each series where its quantities share one unit (quantities are summed
//! only within one unit; `quantity_unit = "mixed"` otherwise, with null unit value), with their
//! index against the baseline unit value (baseline value / baseline quantity, same unit). Rows
//! without a quantity are left out of the quantity and their value out of the unit value
//! (value with quantity / quantity); `quantity_value_share` states the share of value covered.
//!
//! Values stay in the table's currency (a table holds one: [`TradeTable::concat`] refuses to
//! mix EUR and USD); the notes name it.
//!
//! Flows table ([`Rerouting::flows`]), one row per (destination, \[product\], period), hubs in
//! the order given, then the target, then the controls by code:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `role` | Utf8 | `hub`, `target` or `control` |
//! | `destination`, `destination_code` | Utf8, UInt16 | ISO3 (or the number) and numeric code |
//! | \[`product`\] | Utf8 | with `by_product` |
//! | `period` | Int32 | the table's period (`YYYY` or `YYYYMM`) |
//! | `window` | Utf8 | `baseline`, `after`, or null |
//! | `value` | Float64 | origin's exports to the destination; null in a gap |
//! | `gap` | Boolean | the reporting side reported nothing in this period (value null) |
//! | `baseline_mean`, `n_baseline` | Float64, UInt32 | mean over the baseline periods that are not gaps, and how many |
//! | `index`, `log_change` | Float64 | 100 v / b and ln(v / b) |
//! | `controls_value`, `controls_log_change` | Float64 | the controls summed, and their log change |
//! | `did` | Float64 | log_change - controls_log_change (hubs and target) |
//! | `quantity`, `quantity_unit` | Float64, Utf8 | quantity summed over the rows that have one, within one unit (`mixed` otherwise) |
//! | `quantity_value_share` | Float64 | share of `value` in rows with a quantity (null for mixed units or value 0) |
//! | `unit_value` | Float64 | value of the rows with a quantity / quantity |
//! | `baseline_unit_value`, `unit_value_index` | Float64 | baseline value / quantity; 100 x unit_value / it |
//! | `source` | Utf8 | `reported` or `mirror` (the `exports` argument); null in a gap |
//! | `n_rows` | UInt64 | table rows summed |
//!
//! Summary table ([`Rerouting::summary`]), one row per (destination, \[product\]) and one for the
//! controls summed (`role = controls`, `destination = "controls"`, no code): `role`,
//! `destination`, `destination_code`, \[`product`\], `baseline_mean`, `n_baseline`, `after_mean`,
//! `n_after`, `index`, `log_change`, `controls_log_change`, `did`, `quantity_unit`,
//! `baseline_unit_value`, `after_unit_value`, `unit_value_index` (means over the windows' periods
//! that are not gaps; unit values from the windows' summed values and quantities).
//!
//! Hub -> target table ([`Rerouting::hub_target`]), one row per (hub, \[product\], period):
//! `hub`, `hub_code`, \[`product`\], `period`, `window`, `value`, `gap`, `baseline_mean`,
//! `n_baseline`, `index`, `log_change`, `source`, `n_rows`.
//!
//! Ghost table ([`Rerouting::ghost`]), one row per (hub, \[product\], period): `hub`, `hub_code`,
//! \[`product`\], `period`, `exports_reported` (X), `imports_reported` (M), `imports_fob`
//! (M / cif_fob), `ghost`, `ghost_share` (ghost / X, X > 0), `hub_reported` (the hub reported any
//! import in the period), `n_export_rows`, `n_import_rows`.
//!
//! Without `by_product` every hub has rows over the whole calendar in the three per-hub tables;
//! with it, the flows table has every destination for every product the origin exported to any
//! of them, and the hub -> target and ghost tables the (hub, product) pairs with rows.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Int32Array, RecordBatch, StringArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field};
use hashbrown::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::metrics::columns::{f64_column, record_batch};
use crate::metrics::complexity::ExportSource;
use crate::metrics::group::{Acc, Importer, ImporterSlots, Qty, NO_PRODUCT};
use crate::metrics::reporting::Reporting;
use crate::metrics::time::Calendar;
use crate::metrics::view::{country_label, ImportView, Source, ViewOptions, NO_UNIT};
use crate::model::{Freq, ProductSelection, TradeTable};

/// Arguments of [`rerouting`].
///
/// ```
/// use tradedep::metrics::{complexity::ExportSource, Importer, ReroutingOptions};
/// let mut opts = ReroutingOptions::new(Importer::group("EU27"), vec![398, 417, 51], 643, (2019, 2021));
/// opts.after = Some((2023, 2024));
/// opts.hub_exports = ExportSource::Mirror; // Russia's imports from the hubs
/// assert_eq!((opts.cif_fob, opts.by_product, opts.controls.is_none()), (1.0, false, true));
/// ```
#[derive(Debug, Clone)]
pub struct ReroutingOptions {
    /// The exporter: a country, a set of countries, or a group resolved per period (`EU27`).
    pub origin: Importer,
    /// Possible re-routing hubs (numeric codes).
    pub hubs: Vec<u16>,
    /// The sanctioned destination (numeric code).
    pub target: u16,
    /// Destinations to compare with; `None`: every other destination of the origin in the
    /// table that is neither a hub, the target, an origin member in any period, nor in
    /// [`SANCTIONED_DESTINATIONS`].
    pub controls: Option<Vec<u16>>,
    /// Products counted (codes, prefixes, baskets with weights); `None` counts every product.
    pub products: Option<ProductSelection>,
    /// One series per product instead of the selection's sum.
    pub by_product: bool,
    /// Inclusive baseline: years, or `YYYYMM` months of a monthly table.
    pub baseline: (i32, i32),
    /// Inclusive comparison window in the same units; `None`: every period after the baseline.
    pub after: Option<(i32, i32)>,
    /// The origin's reported exports, or the destinations' imports from it (mirror).
    pub exports: ExportSource,
    /// The hubs' reported exports to the target, or the target's imports from the hubs (mirror).
    pub hub_exports: ExportSource,
    /// CIF/FOB factor: mirrored imports and the hubs' imports in the ghost-trade comparison are
    /// divided by it; 1.0 compares them as reported.
    pub cif_fob: f64,
    /// Stops the call between blocks of 65,536 rows once cancelled (the binding's Ctrl-C).
    pub cancel: crate::cancel::Cancellation,
}

impl ReroutingOptions {
    /// Origin, hubs, target and baseline; every product summed, reported exports, `cif_fob` 1.
    ///
    /// See the example on [`ReroutingOptions`].
    ///
    /// ```
    /// use tradedep::metrics::{Importer, ReroutingOptions};
    /// let opts = ReroutingOptions::new(Importer::country(276), vec![398], 643, (2021, 2021));
    /// assert_eq!((opts.target, opts.baseline, opts.after), (643, (2021, 2021), None));
    /// ```
    pub fn new(origin: Importer, hubs: Vec<u16>, target: u16, baseline: (i32, i32)) -> Self {
        ReroutingOptions {
            origin,
            hubs,
            target,
            controls: None,
            products: None,
            by_product: false,
            baseline,
            after: None,
            exports: ExportSource::Reported,
            hub_exports: ExportSource::Reported,
            cif_fob: 1.0,
            cancel: Default::default(),
        }
    }
}

/// Destinations under EU export sanctions, left out of the default controls (a sanctioned
/// destination's exports fall for the reason under study): Russia, Council Regulation (EU)
/// No 833/2014, and Belarus, Council Regulation (EC) No 765/2006 (as extended in 2022).
///
/// ```
/// use tradedep::metrics::rerouting::SANCTIONED_DESTINATIONS;
/// use tradedep::metrics::{rerouting, Importer, ReroutingOptions};
/// use tradedep::model::*;
/// assert_eq!(SANCTIONED_DESTINATIONS.map(|(code, _)| code), [643, 112]);
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "EUR", None));
/// for (year, partner, v) in [(2021, 643, 100.0), (2022, 643, 20.0), (2021, 398, 10.0), (2022, 398, 40.0),
///                            (2021, 579, 50.0), (2022, 579, 50.0), (2021, 112, 30.0), (2022, 112, 5.0)] {
///     b.push(TradeRow::new(year, 276, partner, Flow::Export, "8542", v))?;
/// }
/// let out = rerouting(&b.finish()?, &ReroutingOptions::new(Importer::country(276), vec![398], 643, (2021, 2021)))?;
/// assert_eq!(out.controls, [579]); // Norway; Belarus (112) is sanctioned
/// assert_eq!(out.sanctioned_left_out, [112]);
/// assert!(out.controls_default);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const SANCTIONED_DESTINATIONS: [(u16, &str); 2] = [
    (643, "Council Regulation (EU) No 833/2014"),
    (112, "Council Regulation (EC) No 765/2006"),
];

/// A control is flagged when its baseline mean is over this share of the controls' summed
/// baseline mean: the difference in differences then mostly compares with that one country.
///
/// ```
/// use tradedep::metrics::rerouting::DOMINANT_CONTROL_SHARE;
/// use tradedep::metrics::{rerouting, Importer, ReroutingOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "EUR", None));
/// // Baseline 2021: Norway 90 and Switzerland 10 of the controls' 100.
/// for (year, partner, v) in [(2021, 643, 100.0), (2022, 643, 20.0), (2021, 398, 10.0), (2022, 398, 40.0),
///                            (2021, 579, 90.0), (2022, 579, 90.0), (2021, 757, 10.0), (2022, 757, 10.0)] {
///     b.push(TradeRow::new(year, 276, partner, Flow::Export, "8542", v))?;
/// }
/// let out = rerouting(&b.finish()?, &ReroutingOptions::new(Importer::country(276), vec![398], 643, (2021, 2021)))?;
/// assert_eq!(out.dominant_controls.len(), 1);
/// let (code, product, share) = &out.dominant_controls[0];
/// assert_eq!((*code, product.is_none()), (579, true));
/// assert!((share - 0.9).abs() < 1e-12 && *share > DOMINANT_CONTROL_SHARE);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const DOMINANT_CONTROL_SHARE: f64 = 0.5;

/// The four tables of a re-routing analysis (columns in the module docs) and what went in.
///
/// ```
/// use tradedep::metrics::{rerouting, Importer, ReroutingOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "EUR", None));
/// for (year, partner, v) in [(2021, 643, 100.0), (2022, 643, 20.0), (2021, 398, 10.0), (2022, 398, 40.0),
///                            (2021, 579, 50.0), (2022, 579, 50.0)] {
///     b.push(TradeRow::new(year, 276, partner, Flow::Export, "8542", v))?;
/// }
/// let out = rerouting(&b.finish()?, &ReroutingOptions::new(Importer::country(276), vec![398], 643, (2021, 2021)))?;
/// assert_eq!(out.summary.num_rows(), 4); // Kazakhstan, Russia, Norway, and the controls summed
/// assert!(out.flows.num_rows() > 0 && !out.notes.is_empty());
/// assert!(out.summary.column_by_name("did").is_some());
/// // The hub's exports to the target and the ghost-trade table: one row per hub and period.
/// assert_eq!((out.hub_target.num_rows(), out.ghost.num_rows()), (2, 2));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Rerouting {
    pub flows: RecordBatch,
    pub summary: RecordBatch,
    pub hub_target: RecordBatch,
    pub ghost: RecordBatch,
    /// Which rows went in, the controls, the windows, and every null explained.
    pub notes: Vec<String>,
    /// The controls used, by code.
    pub controls: Vec<u16>,
    /// The controls are the default rule's (not given).
    pub controls_default: bool,
    /// Sanctioned destinations the default rule left out of the controls.
    pub sanctioned_left_out: Vec<u16>,
    /// Controls over [`DOMINANT_CONTROL_SHARE`] of the controls' baseline: (code, product, share).
    pub dominant_controls: Vec<(u16, Option<String>, f64)>,
}

/// A destination's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Hub,
    Target,
    Control,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Hub => "hub",
            Role::Target => "target",
            Role::Control => "control",
        }
    }
}

/// An inclusive range of years, or of months of a monthly table.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: i32,
    to: i32,
    months: bool,
}

impl Window {
    fn parse(range: (i32, i32), monthly: bool, what: &str) -> Result<Window> {
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
    fn contains(&self, k: i32, cal: Calendar) -> bool {
        let x = if self.months { k } else { cal.year(k) };
        (self.from..=self.to).contains(&x)
    }
    fn label(&self) -> String {
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
type Points = BTreeMap<i32, Acc>;

/// Mean, period count and unit value of a series over a window's periods that are not gaps.
#[derive(Debug, Clone, Copy)]
struct WindowMean {
    mean: Option<f64>,
    n: u32,
    /// (unit value, unit) when every period's quantities share one unit.
    unit_value: Option<(f64, u16)>,
    mixed: bool,
}

fn window_mean(points: &Points, w: &Window, cal: Calendar) -> WindowMean {
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
fn index_and_log(v: Option<f64>, base: Option<f64>) -> (Option<f64>, Option<f64>) {
    match (v, base) {
        (Some(v), Some(b)) if b > 0.0 => (Some(100.0 * v / b), (v > 0.0).then(|| (v / b).ln())),
        _ => (None, None),
    }
}

fn unit_value_of(acc: &Acc) -> Option<(f64, u16)> {
    acc.qty.unit_value()
}

/// Product codes of several views under one id space (views number their products apart).
#[derive(Default)]
struct Products {
    ids: HashMap<String, u32>,
    codes: Vec<String>,
}

impl Products {
    /// Global ids of a view's product ids (or all [`NO_PRODUCT`] when products are summed).
    fn map(&mut self, view: &ImportView, by_product: bool) -> Vec<u32> {
        view.products
            .iter()
            .map(|p| {
                if !by_product {
                    return NO_PRODUCT;
                }
                let next = self.codes.len() as u32;
                *self.ids.entry(p.clone()).or_insert_with(|| {
                    self.codes.push(p.clone());
                    next
                })
            })
            .collect()
    }
    fn code(&self, id: u32) -> Option<&str> {
        (id != NO_PRODUCT).then(|| self.codes.get(id as usize).map(String::as_str).unwrap_or(""))
    }
    /// Ids sorted by code.
    fn sorted(&self, ids: impl IntoIterator<Item = u32>) -> Vec<u32> {
        let mut v: Vec<u32> = ids.into_iter().collect::<HashSet<u32>>().into_iter().collect();
        v.sort_by(|a, b| self.code(*a).cmp(&self.code(*b)));
        v
    }
}

/// Origin membership per period, with the calendar periods resolved once.
struct Origin {
    slots: ImporterSlots,
}

impl Origin {
    fn is_member(&mut self, code: u16, period: i32) -> Result<bool> {
        Ok(!self.slots.slots(code, period)?.is_empty())
    }
}

/// Re-routing of the origin's exports through the hubs (see the module docs for the method and
/// the columns).
///
/// ```
/// use tradedep::model::*;
/// use tradedep::metrics::{rerouting, Importer, ReroutingOptions};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "EUR", Some(Vintage::Cn(2022))));
/// // Germany's exports: to Russia 100 -> 20, to Kazakhstan 10 -> 40, to Norway 50 -> 50.
/// for (year, partner, v) in [(2021, 643, 100.0), (2022, 643, 20.0), (2021, 398, 10.0), (2022, 398, 40.0),
///                            (2021, 579, 50.0), (2022, 579, 50.0)] {
///     b.push(TradeRow::new(year, 276, partner, Flow::Export, "85423190", v)).unwrap();
/// }
/// let opts = ReroutingOptions::new(Importer::group("EU27"), vec![398], 643, (2021, 2021));
/// let out = rerouting(&b.finish().unwrap(), &opts).unwrap();
/// # use arrow_array::cast::AsArray;
/// let did = out.summary.column_by_name("did").unwrap().as_primitive::<arrow_array::types::Float64Type>();
/// // Kazakhstan: ln(40 / 10) - ln(50 / 50); Russia: ln(20 / 100) - 0.
/// assert!((did.value(0) - 4f64.ln()).abs() < 1e-12);
/// assert!((did.value(1) - 0.2f64.ln()).abs() < 1e-12);
/// ```
pub fn rerouting(table: &TradeTable, opts: &ReroutingOptions) -> Result<Rerouting> {
    let freq = table.meta().freq;
    let monthly = freq == Freq::Monthly;
    let cal = Calendar::of_table(freq);
    check_options(opts)?;
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
    let mut origin = Origin {
        slots: ImporterSlots::new(vec![opts.origin.clone()], freq)?,
    };
    let origin_label = opts.origin.label.clone();
    let mut notes: Vec<String> = vec![];

    // Two views serve everything: the table's export rows and its import rows.
    let view = |source| {
        ImportView::build(
            table,
            &ViewOptions {
                source,
                cif_fob: 1.0,
                products: opts.products.as_ref(),
                importers: None,
                cancel: Some(&opts.cancel),
            },
        )
    };
    let export_rows = view(Source::Mirror)?; // flow export: supplier = reporter
    let import_rows = view(Source::Reported)?; // flow import: importer = reporter
    let mut products = Products::default();
    let export_ids = products.map(&export_rows, opts.by_product);
    let import_ids = products.map(&import_rows, opts.by_product);

    // ---- origin -> destinations -------------------------------------------------------------
    let (ov, oids, scale) = match opts.exports {
        ExportSource::Reported => (&export_rows, &export_ids, 1.0),
        ExportSource::Mirror => (&import_rows, &import_ids, 1.0 / opts.cif_fob),
    };
    let mut dest: HashMap<u16, BTreeMap<u32, Points>> = HashMap::new();
    let (mut n_used, mut n_intra) = (0u64, 0u64);
    let mut periods_seen: Vec<i32> = vec![];
    for i in 0..ov.len() {
        let (exporter, to, p) = (ov.supplier[i], ov.importer[i], ov.period[i]);
        if !origin.is_member(exporter, p)? {
            continue;
        }
        if origin.is_member(to, p)? {
            n_intra += 1;
            continue;
        }
        n_used += 1;
        periods_seen.push(p);
        let acc = dest
            .entry(to)
            .or_default()
            .entry(oids[ov.product[i] as usize])
            .or_default()
            .entry(p)
            .or_default();
        add_scaled(acc, ov, i, scale);
    }

    // ---- hub -> target ----------------------------------------------------------------------
    let (hv, hids, hscale) = match opts.hub_exports {
        ExportSource::Reported => (&export_rows, &export_ids, 1.0),
        ExportSource::Mirror => (&import_rows, &import_ids, 1.0 / opts.cif_fob),
    };
    let mut hub_target: HashMap<u16, BTreeMap<u32, Points>> = HashMap::new();
    let mut n_hub_target = 0u64;
    for i in 0..hv.len() {
        if hv.importer[i] != opts.target || !opts.hubs.contains(&hv.supplier[i]) {
            continue;
        }
        n_hub_target += 1;
        periods_seen.push(hv.period[i]);
        let acc = hub_target
            .entry(hv.supplier[i])
            .or_default()
            .entry(hids[hv.product[i] as usize])
            .or_default()
            .entry(hv.period[i])
            .or_default();
        add_scaled(acc, hv, i, hscale);
    }

    // ---- ghost trade: origin's reported exports to hubs against hubs' reported imports ------
    let mut ghost: HashMap<u16, BTreeMap<u32, BTreeMap<i32, Ghost>>> = HashMap::new();
    for (v, ids, exports_side) in [(&export_rows, &export_ids, true), (&import_rows, &import_ids, false)] {
        for i in 0..v.len() {
            if i % crate::metrics::view::CANCEL_CHECK_ROWS == 0 {
                opts.cancel.check()?;
            }
            let (hub, from, p) = (v.importer[i], v.supplier[i], v.period[i]);
            if !opts.hubs.contains(&hub) || !origin.is_member(from, p)? {
                continue;
            }
            periods_seen.push(p);
            let g = ghost
                .entry(hub)
                .or_default()
                .entry(ids[v.product[i] as usize])
                .or_default()
                .entry(p)
                .or_default();
            if exports_side {
                g.x += v.value[i];
                g.nx += 1;
            } else {
                g.m += v.value[i];
                g.nm += 1;
            }
        }
    }

    // ---- calendar, reporting periods, roles --------------------------------------------------
    let lo = periods_seen.iter().copied().min();
    let hi = periods_seen.iter().copied().max();
    let calendar = match (lo, hi) {
        (Some(lo), Some(hi)) => cal.span(lo, hi),
        _ => {
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
            if origin.is_member(*code, *k)? {
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
            let mut candidates: Vec<u16> = dest
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
                    member |= origin.is_member(d, *k)?;
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
            if origin.is_member(*c, *k)? {
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
        for m in origin.slots.members(*k)?.into_iter().flatten() {
            if reporting.exports(m, *k) {
                origin_reported.insert(*k);
                break;
            }
        }
    }
    // The reporting side of the origin's exports to `d`, and of a hub's exports to the target.
    let dest_reported = |d: u16, k: i32| match opts.exports {
        ExportSource::Reported => origin_reported.contains(&k),
        ExportSource::Mirror => reporting.imports(d, k),
    };
    let hub_side_reported = |hub: u16, k: i32| match opts.hub_exports {
        ExportSource::Reported => reporting.exports(hub, k),
        ExportSource::Mirror => reporting.imports(opts.target, k),
    };

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
        "{what}: {n_used} rows summed, {n_intra} rows between origin members (intra-group) left out; {}",
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
            labels(&controls),
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
            labels(&left_out)
        ));
    }
    for h in &opts.hubs {
        if !dest.contains_key(h) {
            notes.push(format!(
                "hub {}: no exports of {origin_label} to it in the table",
                country_label(*h)
            ));
        }
    }
    if !dest.contains_key(&opts.target) {
        notes.push(format!(
            "target {}: no exports of {origin_label} to it in the table (did null)",
            country_label(opts.target)
        ));
    }
    for c in &controls {
        if !dest.contains_key(c) {
            notes.push(format!(
                "control {}: no exports of {origin_label} in the table",
                country_label(*c)
            ));
        }
    }

    // ---- flows and summary ---------------------------------------------------------------------
    let mut roles: Vec<(Role, u16)> = opts.hubs.iter().map(|h| (Role::Hub, *h)).collect();
    roles.push((Role::Target, opts.target));
    roles.extend(controls.iter().map(|c| (Role::Control, *c)));
    let flow_products: Vec<u32> = if opts.by_product {
        products.sorted(
            roles
                .iter()
                .filter_map(|(_, d)| dest.get(d))
                .flat_map(|m| m.keys().copied()),
        )
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
        for c in &controls {
            let points = on_calendar(dest.get(c).and_then(|m| m.get(prod)), &calendar, |k| {
                dest_reported(*c, k)
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
            let points = &on_calendar(dest.get(d).and_then(|m| m.get(prod)), &calendar, |k| {
                dest_reported(*d, k)
            });
            let base = window_mean(points, &baseline, cal);
            let aft = window_mean(points, &after, cal);
            if let (Role::Control, Some(b), Some(total)) = (role, base.mean, ctrl_base.mean) {
                if total > 0.0 && b / total > DOMINANT_CONTROL_SHARE {
                    dominant.push((*d, products.code(*prod).map(str::to_string), b / total));
                }
            }
            if !matches!(base.mean, Some(b) if b > 0.0) {
                bad_base.push(format!(
                    "{}{}",
                    country_label(*d),
                    products.code(*prod).map(|p| format!(" {p}")).unwrap_or_default()
                ));
            }
            mixed_units += (base.mixed || aft.mixed) as usize;
            for k in &calendar {
                let acc = points.get(k);
                let v = acc.map(|a| a.value);
                let (index, log) = index_and_log(v, base.mean);
                let cv = have_controls.then(|| ctrl.get(k).map(|a| a.value)).flatten();
                let clog = index_and_log(cv, ctrl_base.mean).1;
                let uv = acc.and_then(unit_value_of);
                flows.role.push(role.as_str());
                flows.dest.push(country_label(*d));
                flows.code.push(*d);
                flows.product.push(products.code(*prod).map(str::to_string));
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
                let (q, unit) = acc.map(|a| qty_columns(a.qty, ov)).unwrap_or((None, None));
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
                products.code(*prod),
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
                ov,
            );
        }
        if have_controls {
            let (index, log) = index_and_log(ctrl_after.mean, ctrl_base.mean);
            summary.push(
                "controls",
                "controls".to_string(),
                None,
                products.code(*prod),
                &ctrl_base,
                &ctrl_after,
                index,
                log,
                log,
                None,
                ov,
            );
            if !matches!(ctrl_base.mean, Some(b) if b > 0.0) {
                bad_base.push(format!(
                    "controls{}",
                    products.code(*prod).map(|p| format!(" {p}")).unwrap_or_default()
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

    // ---- hub -> target table -----------------------------------------------------------------
    notes.push(format!(
        "hub -> target: {} ({n_hub_target} rows)",
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
        }
    ));
    let mut ht = HubTargetCols::default();
    for hub in &opts.hubs {
        let series = hub_target.get(hub);
        if series.is_none() {
            notes.push(format!(
                "hub {}: no exports to {} in the table",
                country_label(*hub),
                country_label(opts.target)
            ));
        }
        let prods: Vec<u32> = match (opts.by_product, series) {
            (false, _) => vec![NO_PRODUCT],
            (true, Some(s)) => products.sorted(s.keys().copied()),
            (true, None) => vec![],
        };
        for prod in prods {
            let points = &on_calendar(series.and_then(|s| s.get(&prod)), &calendar, |k| {
                hub_side_reported(*hub, k)
            });
            let base = window_mean(points, &baseline, cal);
            for k in &calendar {
                let acc = points.get(k);
                let v = acc.map(|a| a.value);
                let (index, log) = index_and_log(v, base.mean);
                ht.hub.push(country_label(*hub));
                ht.code.push(*hub);
                ht.product.push(products.code(prod).map(str::to_string));
                ht.series
                    .push(*k, window_label(*k, &baseline, &after, cal), v, &base, (index, log));
                ht.source.push(acc.map(|_| opts.hub_exports.as_str()));
                ht.n_rows.push(acc.map(|a| a.n_rows).unwrap_or(0));
            }
        }
    }

    // ---- ghost table -----------------------------------------------------------------------------
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
            .filter(|k| !reporting.imports(*hub, *k))
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
        let series = ghost.get(hub);
        let prods: Vec<u32> = match (opts.by_product, series) {
            (false, _) => vec![NO_PRODUCT],
            (true, Some(s)) => products.sorted(s.keys().copied()),
            (true, None) => vec![],
        };
        for prod in prods {
            let cells = series.and_then(|s| s.get(&prod)).unwrap_or(&no_ghost);
            for k in &calendar {
                let g = cells.get(k).copied().unwrap_or_default();
                let hub_rep = reporting.imports(*hub, *k);
                let origin_rep = origin_reported.contains(k);
                let x = (g.nx > 0 || origin_rep).then_some(g.x);
                let m = (g.nm > 0 || hub_rep).then_some(g.m);
                let m_fob = m.map(|m| m / opts.cif_fob);
                let gh = x.zip(m_fob).map(|(x, m)| x - m);
                gc.hub.push(country_label(*hub));
                gc.code.push(*hub);
                gc.product.push(products.code(prod).map(str::to_string));
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

    Ok(Rerouting {
        flows: flows.finish(opts.by_product)?,
        summary: summary.finish(opts.by_product)?,
        hub_target: ht.finish(opts.by_product)?,
        ghost: gc.finish(opts.by_product)?,
        notes,
        controls_default: opts.controls.is_none(),
        controls,
        sanctioned_left_out: sanctioned_out,
        dominant_controls: dominant,
    })
}

fn check_options(opts: &ReroutingOptions) -> Result<()> {
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

/// Adds row `i` of `v` to `acc` with its value multiplied by `scale` (1/cif_fob for mirrored
/// imports); quantities are not scaled.
fn add_scaled(acc: &mut Acc, v: &ImportView, i: usize, scale: f64) {
    acc.add_valued(v, i, v.value[i] * scale, false, 0);
}

/// A series on the calendar: its periods with rows, and 0 (no rows) in every other period in
/// which its reporting side reported; the remaining periods stay gaps.
fn on_calendar(points: Option<&Points>, calendar: &[i32], reported: impl Fn(i32) -> bool) -> Points {
    let mut out = points.cloned().unwrap_or_default();
    for k in calendar {
        if !out.contains_key(k) && reported(*k) {
            out.insert(*k, Acc::default());
        }
    }
    out
}

fn window_label(k: i32, baseline: &Window, after: &Window, cal: Calendar) -> Option<&'static str> {
    if baseline.contains(k, cal) {
        Some("baseline")
    } else if after.contains(k, cal) {
        Some("after")
    } else {
        None
    }
}

fn labels(codes: &[u16]) -> String {
    codes.iter().map(|c| country_label(*c)).collect::<Vec<_>>().join(", ")
}

fn periods_label(periods: &[i32]) -> String {
    let shown: Vec<String> = periods.iter().take(6).map(|p| p.to_string()).collect();
    format!("{}{}", shown.join(", "), if periods.len() > 6 { ", ..." } else { "" })
}

/// Quantity and unit as output columns (the view's unit names).
fn qty_columns(q: Qty, view: &ImportView) -> (Option<f64>, Option<String>) {
    crate::metrics::shares::qty_parts(q, &view.units)
}

#[derive(Default, Clone, Copy)]
struct Ghost {
    x: f64,
    m: f64,
    nx: u64,
    nm: u64,
}

fn head(
    cols: &mut Vec<(Field, ArrayRef)>,
    names: (&str, &str),
    label: Vec<String>,
    code: Vec<Option<u16>>,
    product: Vec<Option<String>>,
    by_product: bool,
) {
    cols.push((
        Field::new(names.0, DataType::Utf8, false),
        Arc::new(StringArray::from(label)),
    ));
    cols.push((
        Field::new(names.1, DataType::UInt16, true),
        Arc::new(UInt16Array::from(code)),
    ));
    if by_product {
        cols.push((
            Field::new("product", DataType::Utf8, true),
            Arc::new(StringArray::from(product)),
        ));
    }
}

/// The per-period columns the flows and hub -> target tables share: `period`, `window`,
/// `value`, `gap`, `baseline_mean`, `n_baseline`, `index`, `log_change`.
#[derive(Default)]
struct PeriodCols {
    period: Vec<i32>,
    window: Vec<Option<&'static str>>,
    value: Vec<Option<f64>>,
    gap: Vec<bool>,
    base: Vec<Option<f64>>,
    n_base: Vec<u32>,
    index: Vec<Option<f64>>,
    log: Vec<Option<f64>>,
}

impl PeriodCols {
    fn push(
        &mut self,
        k: i32,
        window: Option<&'static str>,
        v: Option<f64>,
        base: &WindowMean,
        (index, log): (Option<f64>, Option<f64>),
    ) {
        self.period.push(k);
        self.window.push(window);
        self.value.push(v);
        self.gap.push(v.is_none());
        self.base.push(base.mean);
        self.n_base.push(base.n);
        self.index.push(index);
        self.log.push(log);
    }

    fn finish(self, cols: &mut Vec<(Field, ArrayRef)>) {
        cols.push((
            Field::new("period", DataType::Int32, false),
            Arc::new(Int32Array::from(self.period)),
        ));
        cols.push((
            Field::new("window", DataType::Utf8, true),
            Arc::new(StringArray::from(self.window)),
        ));
        cols.push(f64_column("value", self.value));
        cols.push((
            Field::new("gap", DataType::Boolean, false),
            Arc::new(BooleanArray::from(self.gap)),
        ));
        cols.push(f64_column("baseline_mean", self.base));
        cols.push((
            Field::new("n_baseline", DataType::UInt32, false),
            Arc::new(UInt32Array::from(self.n_base)),
        ));
        cols.push(f64_column("index", self.index));
        cols.push(f64_column("log_change", self.log));
    }
}

#[derive(Default)]
struct FlowCols {
    role: Vec<&'static str>,
    dest: Vec<String>,
    code: Vec<u16>,
    product: Vec<Option<String>>,
    series: PeriodCols,
    ctrl_value: Vec<Option<f64>>,
    ctrl_log: Vec<Option<f64>>,
    did: Vec<Option<f64>>,
    quantity: Vec<Option<f64>>,
    unit: Vec<Option<String>>,
    coverage: Vec<Option<f64>>,
    unit_value: Vec<Option<f64>>,
    base_uv: Vec<Option<f64>>,
    uv_index: Vec<Option<f64>>,
    source: Vec<Option<&'static str>>,
    n_rows: Vec<u64>,
}

impl FlowCols {
    fn finish(self, by_product: bool) -> Result<RecordBatch> {
        let mut cols: Vec<(Field, ArrayRef)> = vec![(
            Field::new("role", DataType::Utf8, false),
            Arc::new(StringArray::from(self.role)),
        )];
        head(
            &mut cols,
            ("destination", "destination_code"),
            self.dest,
            self.code.into_iter().map(Some).collect(),
            self.product,
            by_product,
        );
        self.series.finish(&mut cols);
        cols.push(f64_column("controls_value", self.ctrl_value));
        cols.push(f64_column("controls_log_change", self.ctrl_log));
        cols.push(f64_column("did", self.did));
        cols.push(f64_column("quantity", self.quantity));
        cols.push((
            Field::new("quantity_unit", DataType::Utf8, true),
            Arc::new(StringArray::from(self.unit)),
        ));
        cols.push(f64_column("quantity_value_share", self.coverage));
        cols.push(f64_column("unit_value", self.unit_value));
        cols.push(f64_column("baseline_unit_value", self.base_uv));
        cols.push(f64_column("unit_value_index", self.uv_index));
        cols.push((
            Field::new("source", DataType::Utf8, true),
            Arc::new(StringArray::from(self.source)),
        ));
        cols.push((
            Field::new("n_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(self.n_rows)),
        ));
        record_batch(cols, "assembling re-routing flows")
    }
}

#[derive(Default)]
struct SummaryCols {
    role: Vec<&'static str>,
    dest: Vec<String>,
    code: Vec<Option<u16>>,
    product: Vec<Option<String>>,
    base: Vec<Option<f64>>,
    n_base: Vec<u32>,
    after: Vec<Option<f64>>,
    n_after: Vec<u32>,
    index: Vec<Option<f64>>,
    log: Vec<Option<f64>>,
    ctrl_log: Vec<Option<f64>>,
    did: Vec<Option<f64>>,
    unit: Vec<Option<String>>,
    base_uv: Vec<Option<f64>>,
    after_uv: Vec<Option<f64>>,
    uv_index: Vec<Option<f64>>,
}

impl SummaryCols {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        role: &'static str,
        dest: String,
        code: Option<u16>,
        product: Option<&str>,
        base: &WindowMean,
        after: &WindowMean,
        index: Option<f64>,
        log: Option<f64>,
        ctrl_log: Option<f64>,
        did: Option<f64>,
        view: &ImportView,
    ) {
        self.role.push(role);
        self.dest.push(dest);
        self.code.push(code);
        self.product.push(product.map(str::to_string));
        self.base.push(base.mean);
        self.n_base.push(base.n);
        self.after.push(after.mean);
        self.n_after.push(after.n);
        self.index.push(index);
        self.log.push(log);
        self.ctrl_log.push(ctrl_log);
        self.did.push(did);
        let same = match (base.unit_value, after.unit_value) {
            (Some((b, ub)), Some((a, ua))) if ub == ua && b > 0.0 => Some(100.0 * a / b),
            _ => None,
        };
        let unit = if base.mixed || after.mixed {
            Some("mixed".to_string())
        } else {
            base.unit_value
                .or(after.unit_value)
                .map(|(_, u)| u)
                .filter(|u| *u != NO_UNIT)
                .and_then(|u| view.units.get(u as usize).cloned())
        };
        self.unit.push(unit);
        self.base_uv.push(base.unit_value.map(|u| u.0));
        self.after_uv.push(after.unit_value.map(|u| u.0));
        self.uv_index.push(same);
    }

    fn finish(self, by_product: bool) -> Result<RecordBatch> {
        let mut cols: Vec<(Field, ArrayRef)> = vec![(
            Field::new("role", DataType::Utf8, false),
            Arc::new(StringArray::from(self.role)),
        )];
        head(
            &mut cols,
            ("destination", "destination_code"),
            self.dest,
            self.code,
            self.product,
            by_product,
        );
        cols.push(f64_column("baseline_mean", self.base));
        cols.push((
            Field::new("n_baseline", DataType::UInt32, false),
            Arc::new(UInt32Array::from(self.n_base)),
        ));
        cols.push(f64_column("after_mean", self.after));
        cols.push((
            Field::new("n_after", DataType::UInt32, false),
            Arc::new(UInt32Array::from(self.n_after)),
        ));
        cols.push(f64_column("index", self.index));
        cols.push(f64_column("log_change", self.log));
        cols.push(f64_column("controls_log_change", self.ctrl_log));
        cols.push(f64_column("did", self.did));
        cols.push((
            Field::new("quantity_unit", DataType::Utf8, true),
            Arc::new(StringArray::from(self.unit)),
        ));
        cols.push(f64_column("baseline_unit_value", self.base_uv));
        cols.push(f64_column("after_unit_value", self.after_uv));
        cols.push(f64_column("unit_value_index", self.uv_index));
        record_batch(cols, "assembling re-routing summary")
    }
}

#[derive(Default)]
struct HubTargetCols {
    hub: Vec<String>,
    code: Vec<u16>,
    product: Vec<Option<String>>,
    series: PeriodCols,
    source: Vec<Option<&'static str>>,
    n_rows: Vec<u64>,
}

impl HubTargetCols {
    fn finish(self, by_product: bool) -> Result<RecordBatch> {
        let mut cols = vec![];
        head(
            &mut cols,
            ("hub", "hub_code"),
            self.hub,
            self.code.into_iter().map(Some).collect(),
            self.product,
            by_product,
        );
        self.series.finish(&mut cols);
        cols.push((
            Field::new("source", DataType::Utf8, true),
            Arc::new(StringArray::from(self.source)),
        ));
        cols.push((
            Field::new("n_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(self.n_rows)),
        ));
        record_batch(cols, "assembling re-routing hub -> target exports")
    }
}

#[derive(Default)]
struct GhostCols {
    hub: Vec<String>,
    code: Vec<u16>,
    product: Vec<Option<String>>,
    period: Vec<i32>,
    x: Vec<Option<f64>>,
    m: Vec<Option<f64>>,
    m_fob: Vec<Option<f64>>,
    ghost: Vec<Option<f64>>,
    share: Vec<Option<f64>>,
    hub_reported: Vec<bool>,
    nx: Vec<u64>,
    nm: Vec<u64>,
}

impl GhostCols {
    fn finish(self, by_product: bool) -> Result<RecordBatch> {
        let mut cols = vec![];
        head(
            &mut cols,
            ("hub", "hub_code"),
            self.hub,
            self.code.into_iter().map(Some).collect(),
            self.product,
            by_product,
        );
        cols.push((
            Field::new("period", DataType::Int32, false),
            Arc::new(Int32Array::from(self.period)),
        ));
        cols.push(f64_column("exports_reported", self.x));
        cols.push(f64_column("imports_reported", self.m));
        cols.push(f64_column("imports_fob", self.m_fob));
        cols.push(f64_column("ghost", self.ghost));
        cols.push(f64_column("ghost_share", self.share));
        cols.push((
            Field::new("hub_reported", DataType::Boolean, false),
            Arc::new(BooleanArray::from(self.hub_reported)),
        ));
        cols.push((
            Field::new("n_export_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(self.nx)),
        ));
        cols.push((
            Field::new("n_import_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(self.nm)),
        ));
        record_batch(cols, "assembling re-routing ghost trade")
    }
}
