//! Dependency flags: CEPII GeoDep criteria per (importer, product, year) and the EU 2021
//! strategic-dependency criteria (SWD(2021) 352) for an importer group such as EU27.
//! Thresholds are arguments; each criterion's value is returned next to its flag.
//!
//! **GeoDep** (`method = geodep`), all computed from the one import view of the table:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `importer`, `year`, `product` | UInt16, Int32, Utf8 | importer code, year, product |
//! | `imports` | Float64 | the importer's imports of the product |
//! | `exports` | Float64 | the importer's exports of it in the world table; null where they are not complete there |
//! | `c1_hhi`, `c1` | Float64, Boolean | supplier HHI of the importer's imports; > `hhi` |
//! | `c2_hhi`, `c2` | Float64, Boolean | HHI of world exports of the product over exporters; > `world_hhi`; null where the world table is not the world that year |
//! | `c2_reason` | Utf8 | why `c2_hhi` is null (null otherwise) |
//! | `c3_ratio`, `c3` | Float64, Boolean | imports / exports, 9999 when the world table holds the importer's exports and they are 0; > `ratio`; null where its exports are not complete |
//! | `c3_reason` | Utf8 | why `c3_ratio` is null, or that it is CEPII's 9999 |
//! | `c123` | Boolean | C1, C2 and C3 hold (false if one fails, null if none fails and one is unknown) |
//! | `c4_years` | UInt32 | years of the window (this year and the `window - 1` before) where C1-C3 hold |
//! | `c4` | Boolean | `c4_years >= persistence`; null when the window reaches before the table's first year or unknown years could change it |
//!
//! World exports (C2) and the importer's exports (C3) come from the world table: the table
//! itself, or the `world` argument of [`dependency_flags_with_world`], read with `source =
//! auto` whatever the flags' source (an importer's reported imports where it reported in the
//! period, partners' exports elsewhere; FOB and CIF values as reported). Whether it holds them is decided from its rows ([`world`](crate::metrics::world)).
//! | `source`, `n_rows` | Utf8, UInt64 | origin of the import rows, rows summed into `imports` |
//!
//! **EU 2021** (`method = eu2021`), for the importer group (members by year, also on monthly
//! tables: a month takes its year's members):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `importer`, `year`, `product` | | group label, year, product |
//! | `extra_imports`, `total_imports`, `extra_exports` | Float64 | imports from non-members, imports from everyone (members included), exports to non-members |
//! | `hhi`, `c1` | Float64, Boolean | HHI of extra-group suppliers; > `hhi` |
//! | `extra_share`, `c2` | Float64, Boolean | extra / total imports; > `share` |
//! | `ratio`, `c3` | Float64, Boolean | extra imports / extra exports (9999 when the group's exports are complete and 0); > `ratio`; null (with `extra_exports`) where the world table does not hold the group's exports to non-members |
//! | `c3_reason` | Utf8 | why `ratio` is null, or that it is 9999 |
//! | `dependent` | Boolean | all three hold (null when none fails and one is unknown) |
//! | `source`, `n_rows` | | as above |

pub(crate) mod cells;
mod geodep;

use arrow_array::RecordBatch;

use crate::error::{Error, Result};
use crate::metrics::group::Importer;
use crate::metrics::view::{Source, ViewOptions};
use crate::metrics::world::{no_exports_reason, WorldCoverage, WORLD_MIN_COUNTRIES};
use crate::model::{Freq, ProductSelection, TradeTable};
use cells::{import_cells, view_is_auto, world_exports};

/// Which set of criteria.
///
/// ```
/// use tradedep::metrics::FlagMethod;
/// assert_eq!(FlagMethod::parse("GeoDep").unwrap(), FlagMethod::Geodep);
/// assert_eq!(FlagMethod::parse("eu-2021").unwrap(), FlagMethod::Eu2021);
/// assert!(FlagMethod::parse("oecd").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagMethod {
    /// CEPII GeoDep C1-C4.
    Geodep,
    /// EU SWD(2021) 352 for an importer group.
    Eu2021,
}

impl FlagMethod {
    /// Parses `geodep` (or `cepii`) and `eu2021` (or `eu`, `swd2021`), ignoring case, `-`, `_`
    /// and spaces.
    ///
    /// ```
    /// use tradedep::metrics::FlagMethod;
    /// assert_eq!(FlagMethod::parse(" CEPII ").unwrap(), FlagMethod::Geodep);
    /// assert_eq!(FlagMethod::parse("SWD_2021").unwrap(), FlagMethod::Eu2021);
    /// ```
    pub fn parse(s: &str) -> Result<FlagMethod> {
        match s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "geodep" | "cepii" => Ok(FlagMethod::Geodep),
            "eu2021" | "eu" | "swd2021" => Ok(FlagMethod::Eu2021),
            other => Err(Error::invalid_argument(
                format!("unknown dependency method {other:?}"),
                "use method=\"geodep\" or method=\"eu2021\"",
            )),
        }
    }
}

/// Arguments of [`dependency_flags`]; defaults are the published thresholds.
///
/// ```
/// use tradedep::metrics::{FlagMethod, FlagOptions, Source};
/// let o = FlagOptions { source: Source::Mirror, world_min_countries: 50, ..Default::default() };
/// assert_eq!((o.method, o.hhi, o.world_hhi, o.ratio), (FlagMethod::Geodep, 0.4, 0.4, 1.0));
/// assert_eq!((o.persistence, o.window), (2, 3)); // C4: 2 of 3 years
/// ```
#[derive(Debug, Clone)]
pub struct FlagOptions {
    pub method: FlagMethod,
    pub source: Source,
    pub cif_fob: f64,
    pub products: Option<ProductSelection>,
    /// GeoDep: importers to report (all when `None`; world exports always use every row).
    /// EU 2021: the group (default EU27, members by year).
    pub importers: Option<Vec<Importer>>,
    /// C1 (and EU criterion 1) threshold on HHI.
    pub hhi: f64,
    /// C2 threshold on world-export HHI.
    pub world_hhi: f64,
    /// C3 (and EU criterion 3) threshold on imports / exports.
    pub ratio: f64,
    /// EU criterion 2 threshold on the extra-group share of imports.
    pub share: f64,
    /// C4: years in the window where C1-C3 must hold.
    pub persistence: u32,
    /// C4: window length in years.
    pub window: u32,
    /// Exporters and destinations a year of the world table must hold to count as the world.
    pub world_min_countries: usize,
    /// Stops the call between blocks of 65,536 rows once cancelled (the binding's Ctrl-C).
    pub cancel: crate::cancel::Cancellation,
}

impl Default for FlagOptions {
    fn default() -> Self {
        FlagOptions {
            method: FlagMethod::Geodep,
            source: Source::Reported,
            cif_fob: 1.0,
            products: None,
            importers: None,
            hhi: 0.4,
            world_hhi: 0.4,
            ratio: 1.0,
            share: 0.5,
            persistence: 2,
            window: 3,
            world_min_countries: WORLD_MIN_COUNTRIES,
            cancel: Default::default(),
        }
    }
}

/// Value of the imports/exports ratio when exports are 0 (CEPII's convention).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::metrics::{dependency_flags, flags::NO_EXPORTS_RATIO, FlagOptions, Source};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "850760", 90.0))?;
/// b.push(TradeRow::new(2021, 276, 643, Flow::Export, "850760", 10.0))?;
/// // Russia (643) exports nothing in a table that counts as the world (bar of 1 country).
/// let opts = FlagOptions { source: Source::Mirror, world_min_countries: 1, ..Default::default() };
/// let out = dependency_flags(&b.finish()?, &opts)?;
/// let c3 = out.column_by_name("c3_ratio").unwrap().as_primitive::<Float64Type>();
/// assert_eq!(c3.value(0), NO_EXPORTS_RATIO);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const NO_EXPORTS_RATIO: f64 = 9999.0;

fn ratio(imports: f64, exports: f64) -> f64 {
    if exports > 0.0 {
        imports / exports
    } else {
        NO_EXPORTS_RATIO
    }
}

/// C3's ratio and reason from the world table's exports: null where they are not complete,
/// 9999 (said) where they are complete and 0.
pub(crate) fn ratio_with_reason(
    imports: f64,
    exports: std::result::Result<f64, String>,
    who: &str,
    y: i32,
    label: &str,
) -> (Option<f64>, Option<f64>, Option<String>) {
    match exports {
        Err(reason) => (None, None, Some(reason)),
        Ok(x) if x > 0.0 => (Some(x), Some(ratio(imports, x)), None),
        Ok(x) => (Some(x), Some(NO_EXPORTS_RATIO), Some(no_exports_reason(who, y, label))),
    }
}

/// Kleene AND: false if one is false, null if none is false and one is null.
pub(crate) fn all3(a: Option<bool>, b: Option<bool>, c: Option<bool>) -> Option<bool> {
    let v = [a, b, c];
    if v.contains(&Some(false)) {
        Some(false)
    } else if v.contains(&None) {
        None
    } else {
        Some(true)
    }
}

/// `"reported"`, `"mirror"` or `"mixed"` by the origin of the rows (as `Acc::source`).
pub(crate) fn source(n_rows: u64, n_mirrored: u64) -> &'static str {
    if n_mirrored == 0 {
        "reported"
    } else if n_mirrored == n_rows {
        "mirror"
    } else {
        "mixed"
    }
}

pub(crate) fn year_of(period: i32, freq: Freq) -> i32 {
    match freq {
        Freq::Annual => period,
        Freq::Monthly => period / 100,
    }
}

/// Dependency criteria per importer, product and year (see the module docs for the columns),
/// world exports taken from the table itself.
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type, Array};
/// use tradedep::metrics::{dependency_flags, FlagOptions, Source};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "850760", 90.0))?;
/// b.push(TradeRow::new(2021, 276, 643, Flow::Export, "850760", 10.0))?;
/// let opts = FlagOptions { source: Source::Mirror, ..Default::default() };
/// let out = dependency_flags(&b.finish()?, &opts)?;
/// let col = |c: &str| out.column_by_name(c).unwrap().as_primitive::<Float64Type>().clone();
/// assert!((col("c1_hhi").value(0) - 0.82).abs() < 1e-12); // 0.9^2 + 0.1^2
/// // Two exporters are not the world (100 by default): C2 is null, with the reason.
/// assert!(col("c2_hhi").is_null(0));
/// assert!(!out.column_by_name("c2_reason").unwrap().as_string::<i32>().value(0).is_empty());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn dependency_flags(table: &TradeTable, opts: &FlagOptions) -> Result<RecordBatch> {
    dependency_flags_with_world(table, None, opts)
}

/// [`dependency_flags`] with world exports (C2, C3, the EU ratio) from `world` when given
/// (another table, e.g. BACI, read with `source = auto`), else from `table`.
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::metrics::{dependency_flags_with_world, FlagOptions, Source};
/// use tradedep::model::*;
/// let meta = || TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017)));
/// let mut t = TradeTableBuilder::new("russia", meta());
/// t.push(TradeRow::new(2021, 643, 156, Flow::Import, "850760", 50.0))?;
/// let mut w = TradeTableBuilder::new("world", meta());
/// w.push(TradeRow::new(2021, 156, 643, Flow::Export, "850760", 60.0))?;
/// w.push(TradeRow::new(2021, 410, 842, Flow::Export, "850760", 20.0))?;
/// w.push(TradeRow::new(2021, 276, 251, Flow::Export, "850760", 20.0))?;
/// // The world table holds 3 exporters and 3 destinations: the world at a bar of 3.
/// let opts = FlagOptions { source: Source::Reported, world_min_countries: 3, ..Default::default() };
/// let out = dependency_flags_with_world(&t.finish()?, Some(&w.finish()?), &opts)?;
/// let c2 = out.column_by_name("c2_hhi").unwrap().as_primitive::<Float64Type>().value(0);
/// assert!((c2 - (0.36 + 0.04 + 0.04)).abs() < 1e-12); // world-export shares 0.6, 0.2, 0.2
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn dependency_flags_with_world(
    table: &TradeTable,
    world: Option<&TradeTable>,
    opts: &FlagOptions,
) -> Result<RecordBatch> {
    for (name, v) in [
        ("hhi", opts.hhi),
        ("world_hhi", opts.world_hhi),
        ("ratio", opts.ratio),
        ("share", opts.share),
    ] {
        if !v.is_finite() || v < 0.0 {
            return Err(Error::invalid_argument(
                format!("threshold {name}={v} is not a non-negative number"),
                "pass thresholds such as hhi=0.4, ratio=1.0",
            ));
        }
    }
    if opts.window == 0 || opts.persistence > opts.window {
        return Err(Error::invalid_argument(
            format!("persistence {} in a window of {} years", opts.persistence, opts.window),
            "use persistence <= window, e.g. 2 of 3 years",
        ));
    }
    if opts.world_min_countries == 0 {
        return Err(Error::invalid_argument(
            "world_min_countries=0",
            "pass the number of exporters and destinations a world table holds at least, e.g. 100",
        ));
    }
    // World exports come from every row of the world table (source auto: an importer's
    // reported imports where it reported, partners' exports elsewhere), as its coverage does.
    let (wt, label) = match world {
        None => (table, "this table"),
        Some(w) => {
            let (a, b) = (table.meta(), w.meta());
            if a.currency != b.currency {
                return Err(Error::invalid_argument(
                    format!("the world table is in {}, the table in {}", b.currency, a.currency),
                    "pass a world table in the table's currency",
                ));
            }
            if let (Some(x), Some(y)) = (a.vintage, b.vintage) {
                if x != y {
                    return Err(Error::invalid_argument(
                        format!("the world table's products are {y}, the table's {x}"),
                        "convert one table to the other's nomenclature first",
                    ));
                }
            }
            (w, "the world table")
        }
    };
    if opts.method == FlagMethod::Eu2021 {
        let coverage = WorldCoverage::of(wt, opts.world_min_countries, label);
        return crate::metrics::flags_eu2021::eu2021(table, wt, &coverage, opts);
    }
    // The flags' own cells are the world's when the table is the world table and its view
    // under the flags' source is its auto view.
    let reuse = world.is_none() && opts.cif_fob == 1.0 && view_is_auto(table, opts.source);
    let view = |source: Source, cif_fob: f64| ViewOptions {
        source,
        cif_fob,
        products: opts.products.as_ref(),
        importers: None,
        cancel: Some(&opts.cancel),
    };
    let (cells, x) = if reuse {
        let cells = import_cells(table, &view(opts.source, opts.cif_fob))?;
        let x = world_exports(&cells, &cells.products)?;
        (cells, x)
    } else {
        // The world's exports first, its cells let go before the flags' own are built: the two
        // sets of cells (16 bytes per importer, product, year and supplier each) never coexist.
        let mut world_cells = import_cells(wt, &view(Source::Auto, 1.0))?;
        let x = world_exports(&world_cells, &world_cells.products)?;
        let world_products = std::mem::take(&mut world_cells.products);
        drop(world_cells);
        let cells = import_cells(table, &view(opts.source, opts.cif_fob))?;
        let x = x.onto(&world_products, &cells.products);
        (cells, x)
    };
    let coverage = WorldCoverage::of(wt, opts.world_min_countries, label);
    opts.cancel.check()?;
    geodep::geodep(&cells, &x, &coverage, opts)
}
