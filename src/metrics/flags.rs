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
//! **EU 2021** (`method = eu2021`), for the importer group (members by year):
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

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field};
use hashbrown::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::group::{Acc, Importer};
use crate::metrics::stats::Concentration;
use crate::metrics::view::{country_label, ImportView, Source, ViewOptions};
use crate::metrics::world::{no_exports_reason, WorldCoverage, WORLD_MIN_COUNTRIES};
use crate::model::{Freq, ProductSelection, TradeTable};

/// Which set of criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagMethod {
    /// CEPII GeoDep C1-C4.
    Geodep,
    /// EU SWD(2021) 352 for an importer group.
    Eu2021,
}

impl FlagMethod {
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

pub(crate) fn year_of(period: i32, freq: Freq) -> i32 {
    match freq {
        Freq::Annual => period,
        Freq::Monthly => period / 100,
    }
}

/// Dependency criteria per importer, product and year (see the module docs for the columns),
/// world exports taken from the table itself.
pub fn dependency_flags(table: &TradeTable, opts: &FlagOptions) -> Result<RecordBatch> {
    dependency_flags_with_world(table, None, opts)
}

/// [`dependency_flags`] with world exports (C2, C3, the EU ratio) from `world` when given
/// (another table, e.g. BACI, read with `source = auto`), else from `table`.
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
    let view = ImportView::build(
        table,
        &ViewOptions {
            source: opts.source,
            cif_fob: opts.cif_fob,
            products: opts.products.as_ref(),
            importers: None,
            cancel: Some(&opts.cancel),
        },
    )?;
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
    let world_view;
    let wv = if world.is_none() && opts.source == Source::Auto && opts.cif_fob == 1.0 {
        &view
    } else {
        world_view = ImportView::build(
            wt,
            &ViewOptions {
                source: Source::Auto,
                cif_fob: 1.0,
                products: opts.products.as_ref(),
                importers: None,
                cancel: Some(&opts.cancel),
            },
        )?;
        &world_view
    };
    let world = World {
        coverage: WorldCoverage::of(wt, opts.world_min_countries, label),
        view: wv,
        freq: wt.meta().freq,
    };
    match opts.method {
        FlagMethod::Geodep => geodep(table, &view, &world, opts),
        FlagMethod::Eu2021 => crate::metrics::flags_eu2021::eu2021(table, &view, &world, opts),
    }
}

/// The world table: its rows (import view) and what it covers.
pub(crate) struct World<'a> {
    pub coverage: WorldCoverage,
    pub view: &'a ImportView,
    pub freq: Freq,
}

/// World exports per (exporter, product of `view`, year) from the world table.
fn world_exports(view: &ImportView, world: &World) -> HashMap<(u16, u32, i32), f64> {
    let ids: HashMap<&str, u32> = view
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i as u32))
        .collect();
    let to_main: Vec<Option<u32>> = world
        .view
        .products
        .iter()
        .map(|p| ids.get(p.as_str()).copied())
        .collect();
    let mut exports: HashMap<(u16, u32, i32), f64> = HashMap::new();
    let w = world.view;
    for i in 0..w.len() {
        if let Some(p) = to_main[w.product[i] as usize] {
            let y = year_of(w.period[i], world.freq);
            *exports.entry((w.supplier[i], p, y)).or_default() += w.value[i];
        }
    }
    exports
}

fn geodep(table: &TradeTable, view: &ImportView, world: &World, opts: &FlagOptions) -> Result<RecordBatch> {
    let freq = table.meta().freq;
    // (importer, product, year) -> supplier -> sums; (exporter, product, year) -> exports.
    let mut imports: HashMap<(u16, u32, i32), HashMap<u16, Acc>> = HashMap::new();
    for i in 0..view.len() {
        if i % crate::metrics::view::CANCEL_CHECK_ROWS == 0 {
            opts.cancel.check()?;
        }
        let y = year_of(view.period[i], freq);
        imports
            .entry((view.importer[i], view.product[i], y))
            .or_default()
            .entry(view.supplier[i])
            .or_default()
            .add(view, i, false, 0);
    }
    let exports = world_exports(view, world);
    // World-export HHI per (product, year), where the world table is the world that year.
    let mut by_product: HashMap<(u32, i32), Vec<f64>> = HashMap::new();
    for ((_, p, y), v) in &exports {
        by_product.entry((*p, *y)).or_default().push(*v);
    }
    let cov = &world.coverage;
    let c2_of = |p: u32, y: i32| -> (Option<f64>, Option<String>) {
        if let Err(reason) = cov.world(y) {
            return (None, Some(reason));
        }
        match by_product.get(&(p, y)).and_then(|v| Concentration::of(v, 1)) {
            Some(c) => (Some(c.hhi), None),
            None => (None, Some(format!("no exports of the product in {} in {y}", cov.label))),
        }
    };
    let wanted: Option<HashSet<u16>> = opts.importers.as_ref().map(|imps| {
        imps.iter()
            .flat_map(|i| match &i.members {
                crate::metrics::group::Membership::Countries(c) => c.clone(),
                crate::metrics::group::Membership::Group(_) => vec![],
            })
            .collect()
    });
    let first_year = view.period.iter().map(|p| year_of(*p, freq)).min().unwrap_or(0);
    struct Row {
        importer: u16,
        year: i32,
        product: u32,
        imports: f64,
        exports: Option<f64>,
        c1: Option<f64>,
        c2: Option<f64>,
        c2_reason: Option<String>,
        c3: Option<f64>,
        c3_reason: Option<String>,
        source: &'static str,
        n_rows: u64,
    }
    let mut rows: BTreeMap<(u16, u32, i32), Row> = BTreeMap::new();
    for ((c, p, y), sup) in &imports {
        if wanted.as_ref().is_some_and(|w| !w.contains(c)) {
            continue;
        }
        let mut total = Acc::default();
        let values: Vec<f64> = sup
            .values()
            .map(|a| {
                total.merge(a);
                a.value
            })
            .collect();
        let who = country_label(*c);
        let x = cov
            .exports_complete(&[*c], *y, &who)
            .map(|()| exports.get(&(*c, *p, *y)).copied().unwrap_or(0.0));
        let (x, c3, c3_reason) = ratio_with_reason(total.value, x, &who, *y, cov.label);
        let (c2, c2_reason) = c2_of(*p, *y);
        rows.insert(
            (*c, *p, *y),
            Row {
                importer: *c,
                year: *y,
                product: *p,
                imports: total.value,
                exports: x,
                c1: Concentration::of(&values, 1).map(|s| s.hhi),
                c2,
                c2_reason,
                c3,
                c3_reason,
                source: total.source(),
                n_rows: total.n_rows,
            },
        );
    }
    let holds = |r: &Row| {
        all3(
            r.c1.map(|h| h > opts.hhi),
            r.c2.map(|h| h > opts.world_hhi),
            r.c3.map(|x| x > opts.ratio),
        )
    };
    let mut cols = GeoCols::default();
    for ((c, p, y), r) in &rows {
        // Years of the window where C1-C3 hold, and where it is unknown whether they do.
        let states: Vec<Option<bool>> = (0..opts.window as i32)
            .map(|k| rows.get(&(*c, *p, y - k)).map_or(Some(false), holds))
            .collect();
        let years = states.iter().filter(|s| **s == Some(true)).count() as u32;
        let unknown = states.iter().filter(|s| s.is_none()).count() as u32;
        cols.importer.push(r.importer);
        cols.year.push(r.year);
        cols.product.push(view.products[r.product as usize].clone());
        cols.imports.push(r.imports);
        cols.exports.push(r.exports);
        cols.c1_hhi.push(r.c1);
        cols.c1.push(r.c1.map(|h| h > opts.hhi));
        cols.c2_hhi.push(r.c2);
        cols.c2.push(r.c2.map(|h| h > opts.world_hhi));
        cols.c2_reason.push(r.c2_reason.clone());
        cols.c3_ratio.push(r.c3);
        cols.c3.push(r.c3.map(|x| x > opts.ratio));
        cols.c3_reason.push(r.c3_reason.clone());
        cols.c123.push(holds(r));
        cols.c4_years.push(years);
        let window_known = *y - (opts.window as i32 - 1) >= first_year;
        cols.c4.push(if years >= opts.persistence {
            Some(true)
        } else if window_known && years + unknown < opts.persistence {
            Some(false)
        } else {
            None
        });
        cols.source.push(r.source);
        cols.n_rows.push(r.n_rows);
    }
    cols.finish()
}

#[derive(Default)]
struct GeoCols {
    importer: Vec<u16>,
    year: Vec<i32>,
    product: Vec<String>,
    imports: Vec<f64>,
    exports: Vec<Option<f64>>,
    c1_hhi: Vec<Option<f64>>,
    c1: Vec<Option<bool>>,
    c2_hhi: Vec<Option<f64>>,
    c2: Vec<Option<bool>>,
    c2_reason: Vec<Option<String>>,
    c3_ratio: Vec<Option<f64>>,
    c3: Vec<Option<bool>>,
    c3_reason: Vec<Option<String>>,
    c123: Vec<Option<bool>>,
    c4_years: Vec<u32>,
    c4: Vec<Option<bool>>,
    source: Vec<&'static str>,
    n_rows: Vec<u64>,
}

impl GeoCols {
    fn finish(self) -> Result<RecordBatch> {
        let cols: Vec<(Field, ArrayRef)> = vec![
            (
                Field::new("importer", DataType::UInt16, false),
                Arc::new(UInt16Array::from(self.importer)),
            ),
            (
                Field::new("year", DataType::Int32, false),
                Arc::new(Int32Array::from(self.year)),
            ),
            (
                Field::new("product", DataType::Utf8, false),
                Arc::new(StringArray::from(self.product)),
            ),
            (
                Field::new("imports", DataType::Float64, false),
                Arc::new(Float64Array::from(self.imports)),
            ),
            (
                Field::new("exports", DataType::Float64, true),
                Arc::new(Float64Array::from(self.exports)),
            ),
            (
                Field::new("c1_hhi", DataType::Float64, true),
                Arc::new(Float64Array::from(self.c1_hhi)),
            ),
            (
                Field::new("c1", DataType::Boolean, true),
                Arc::new(BooleanArray::from(self.c1)),
            ),
            (
                Field::new("c2_hhi", DataType::Float64, true),
                Arc::new(Float64Array::from(self.c2_hhi)),
            ),
            (
                Field::new("c2", DataType::Boolean, true),
                Arc::new(BooleanArray::from(self.c2)),
            ),
            (
                Field::new("c2_reason", DataType::Utf8, true),
                Arc::new(StringArray::from(self.c2_reason)),
            ),
            (
                Field::new("c3_ratio", DataType::Float64, true),
                Arc::new(Float64Array::from(self.c3_ratio)),
            ),
            (
                Field::new("c3", DataType::Boolean, true),
                Arc::new(BooleanArray::from(self.c3)),
            ),
            (
                Field::new("c3_reason", DataType::Utf8, true),
                Arc::new(StringArray::from(self.c3_reason)),
            ),
            (
                Field::new("c123", DataType::Boolean, true),
                Arc::new(BooleanArray::from(self.c123)),
            ),
            (
                Field::new("c4_years", DataType::UInt32, false),
                Arc::new(UInt32Array::from(self.c4_years)),
            ),
            (
                Field::new("c4", DataType::Boolean, true),
                Arc::new(BooleanArray::from(self.c4)),
            ),
            (
                Field::new("source", DataType::Utf8, false),
                Arc::new(StringArray::from(self.source)),
            ),
            (
                Field::new("n_rows", DataType::UInt64, false),
                Arc::new(UInt64Array::from(self.n_rows)),
            ),
        ];
        record_batch(cols, "assembling dependency flags")
    }
}
