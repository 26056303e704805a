//! Re-routing detection: did an origin's exports to a target move to hubs after sanctions?
//! (domain notes, section 6; the EBRD's "Eurasian roundabout").
//!
//! Stages, one file each (crate-private): `series` sums the origin's exports by destination,
//! the hubs' exports to the target and both sides of the ghost trade on the import cube (three
//! cubes, `metrics::cube`); `roles` lays them on the calendar and picks the controls; `window`
//! computes window means, indices and log changes; `notes` says what went in; `flows` and
//! `hubs` build the four tables (`columns`).
//!
//! **Exports.** The origin is a country or a group whose membership is resolved per period
//! ([`Importer`], e.g. `EU27` with the UK until 2020-01-31). Its exports are read through the
//! one import view every metric uses, from the exporter's side as in
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

mod columns;
mod flows;
mod hubs;
mod notes;
mod roles;
mod series;
mod window;

use arrow_array::RecordBatch;

use crate::error::Result;
use crate::metrics::complexity::ExportSource;
use crate::metrics::group::{Importer, ImporterSlots};
use crate::model::{ProductSelection, TradeTable};

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
    roles::check_options(opts)?;
    crate::metrics::coverage::refuse_importers_read(
        table,
        "re-routing compares the origin's, the hubs' and the controls' exports to every destination",
    )?;
    let windows = roles::windows(opts, table.meta().freq)?;
    let mut origin = ImporterSlots::new(vec![opts.origin.clone()], table.meta().freq)?;
    let series = series::series(table, opts, &mut origin)?;
    let setup = roles::setup(table, opts, &series, windows, &mut origin)?;
    let mut notes = notes::input_notes(table, opts, &series, &setup);
    let (flows, summary, dominant) = flows::flows_and_summary(opts, &series, &setup, &mut notes)?;
    let hub_target = hubs::hub_target(opts, &series, &setup, &mut notes)?;
    let ghost = hubs::ghost(opts, &series, &setup, &mut notes)?;
    Ok(Rerouting {
        flows,
        summary,
        hub_target,
        ghost,
        notes,
        controls_default: opts.controls.is_none(),
        controls: setup.controls,
        sanctioned_left_out: setup.sanctioned_out,
        dominant_controls: dominant,
    })
}
