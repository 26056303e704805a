//! UN Comtrade reader: Comtrade Plus CSV and API JSON, and the legacy/comtradr column names.
//!
//! What the reader decides, and reports in [`ReadReport`](crate::ReadReport):
//! - **World** rows (`partnerCode` 0) are set aside: World is never a partner; shares use the
//!   sum of partner rows.
//! - **Sub-flows** (`DX`, `FM`, inward/outward processing `MIP`, `XIP`, `MOP`, `XOP`, `MIG`, `XIG`)
//!   are parts of `X`/`M` and are set aside; an unknown flow code is an error.
//! - **Aggregation levels**: a file holding `TOTAL`, 2-, 4- and 6-digit rows of the same trade
//!   keeps one level (the most detailed by default, or [`ComtradeOptions::level`]); the other
//!   levels are set aside. All-commodity `cmdCode` `TOTAL` rows are a level of their own, coarser
//!   than 2 digits: a file of totals only reads into a table whose `product` is
//!   [`TOTAL`]. Such a table has no vintage (a total of all goods
//!   is the same in every HS edition, so no row is set aside for its edition) and no quantities
//!   (units differ by product).
//! - **Breakdowns**: rows with `customsCode` other than `C00`, `motCode` other than 0 or
//!   `partner2Code` other than 0 split a total. See [`Breakdown`].
//! - **One frequency, one vintage**: monthly rows (`period` YYYYMM) and annual rows never share a
//!   table; rows reported in another HS edition than the table's are set aside (see
//!   [`ComtradeOptions::vintage`]).
//! - **Values** are `primaryValue` in USD (CIF for imports, FOB for exports; `trade_value_us` in
//!   legacy files), falling back to `cifvalue`/`fobvalue` of the flow's side. `estimated` is
//!   `!isReported`. Quantities are mapped with [`units`]; a quantity without a unit is null.

pub mod text;
pub mod units;

use std::path::Path;

use hashbrown::HashMap;
use serde_json::Value;

use crate::error::{Error, Location, Result};
use crate::io::source::{display_name, read_all_cancellable};
use crate::model::product::TOTAL;
use crate::model::{Flow, Freq, Period, TableMeta, TradeRow, TradeTable, TradeTableBuilder, ValueBasis, Vintage};
use crate::reference::countries;

/// What to do with breakdown rows (by customs procedure, mode of transport, second partner).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::io::comtrade::{read_comtrade_bytes, Breakdown, ComtradeOptions};
/// // One import total of 100 USD and its parts by mode of transport (motCode 2000, 1000): 60 + 30.
/// let text = "refYear,refMonth,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,motCode,qtyUnitCode,qtyUnitAbbr,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported\n\
///     2021,52,2021,51,M,704,0,H5,851713,C00,0,5,u,2,,100,,100,true\n\
///     2021,52,2021,51,M,704,0,H5,851713,C00,2000,5,u,1,,60,,60,true\n\
///     2021,52,2021,51,M,704,0,H5,851713,C00,1000,5,u,1,,30,,30,true\n";
/// let values = |t: &tradedep::TradeTable| -> Vec<f64> {
///     t.column("value").unwrap().iter().flat_map(|a| a.as_primitive::<Float64Type>().values().to_vec()).collect()
/// };
/// let totals = read_comtrade_bytes(text.as_bytes(), "t.csv", &ComtradeOptions::default())?;
/// assert_eq!(values(&totals), [100.0]); // the file's total; its 2 parts are set aside
/// assert_eq!(totals.report().rows_set_aside(), 2);
/// let sum = read_comtrade_bytes(text.as_bytes(), "t.csv", &ComtradeOptions { breakdown: Breakdown::Sum, ..Default::default() })?;
/// assert_eq!(values(&sum), [90.0]); // 60 + 30: the parts do not add up to the file's total
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Breakdown {
    /// Keep the total row where the file has one and set its breakdown rows aside; where a
    /// trade (period, reporter, partner, flow, product) has only breakdown rows, sum them
    /// into a total (one breakdown dimension, so that nothing is counted twice).
    #[default]
    Totals,
    /// Build every total from its breakdown rows where they exist (setting the file's own
    /// total aside), else keep the total. For checking a file's totals against its parts.
    Sum,
}

impl Breakdown {
    /// Parses `"totals"` or `"sum"`.
    ///
    /// ```
    /// use tradedep::io::comtrade::Breakdown;
    /// assert_eq!(Breakdown::parse(" Sum ")?, Breakdown::Sum);
    /// assert_eq!(Breakdown::parse("total")?, Breakdown::Totals);
    /// assert!(Breakdown::parse("parts").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Breakdown> {
        match s.trim().to_ascii_lowercase().as_str() {
            "totals" | "total" => Ok(Breakdown::Totals),
            "sum" => Ok(Breakdown::Sum),
            other => Err(Error::invalid_argument(
                format!("unknown breakdown {other:?}"),
                "use \"totals\" (keep totals, sum breakdowns only where no total exists) or \"sum\"",
            )),
        }
    }
}

/// Aggregation level of Comtrade commodity codes, from the coarsest (`TOTAL`, all goods) to
/// the most detailed (HS 6 digits). The order is coarse to detailed.
///
/// ```
/// use tradedep::io::comtrade::CommodityLevel;
/// assert_eq!(CommodityLevel::parse("TOTAL").unwrap(), CommodityLevel::Total);
/// assert_eq!(CommodityLevel::parse("4").unwrap(), CommodityLevel::Hs4);
/// assert!(CommodityLevel::Total < CommodityLevel::Hs2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CommodityLevel {
    /// `cmdCode` `TOTAL`: all commodities.
    Total,
    /// HS chapters (2 digits).
    Hs2,
    /// HS headings (4 digits).
    Hs4,
    /// HS subheadings (6 digits).
    Hs6,
}

impl CommodityLevel {
    /// Parses `TOTAL`, `2`, `4`, `6` (also `AG2`, `AG4`, `AG6`, `HS2`, `HS4`, `HS6`).
    pub fn parse(s: &str) -> Result<CommodityLevel> {
        let t = s.trim().to_ascii_uppercase();
        let digits = t.strip_prefix("AG").or_else(|| t.strip_prefix("HS")).unwrap_or(&t);
        match digits {
            "TOTAL" | "ALL" => Ok(CommodityLevel::Total),
            "2" => Ok(CommodityLevel::Hs2),
            "4" => Ok(CommodityLevel::Hs4),
            "6" => Ok(CommodityLevel::Hs6),
            _ => Err(Error::invalid_argument(
                format!("unknown commodity level {s:?}"),
                "Comtrade commodity levels are \"TOTAL\" (all goods), 2, 4 or 6 digits",
            )),
        }
    }

    /// The level of codes with `n` digits (2, 4 or 6).
    ///
    /// ```
    /// use tradedep::io::comtrade::CommodityLevel;
    /// assert_eq!(CommodityLevel::from_digits("870323".len()), Some(CommodityLevel::Hs6));
    /// assert_eq!(CommodityLevel::from_digits(2), Some(CommodityLevel::Hs2));
    /// assert_eq!(CommodityLevel::from_digits(5), None);
    /// ```
    pub fn from_digits(n: usize) -> Option<CommodityLevel> {
        match n {
            2 => Some(CommodityLevel::Hs2),
            4 => Some(CommodityLevel::Hs4),
            6 => Some(CommodityLevel::Hs6),
            _ => None,
        }
    }

    /// `TOTAL`, `2-digit`, `4-digit` or `6-digit`.
    ///
    /// ```
    /// use tradedep::io::comtrade::CommodityLevel;
    /// assert_eq!(CommodityLevel::Hs4.name(), "4-digit");
    /// assert_eq!(CommodityLevel::Total.name(), "TOTAL");
    /// assert_eq!(CommodityLevel::Hs6.to_string(), CommodityLevel::Hs6.name());
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            CommodityLevel::Total => "TOTAL",
            CommodityLevel::Hs2 => "2-digit",
            CommodityLevel::Hs4 => "4-digit",
            CommodityLevel::Hs6 => "6-digit",
        }
    }
}

impl std::fmt::Display for CommodityLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Options of [`read_comtrade`].
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::io::comtrade::{read_comtrade_bytes, CommodityLevel, ComtradeOptions};
/// // The same exports at 4 digits (8703: 90 USD) and at 6 digits (870323 + 870324: 50 + 40).
/// let text = "refYear,refMonth,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,motCode,qtyUnitCode,qtyUnitAbbr,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported\n\
///     2021,52,2021,51,X,643,0,H5,8703,C00,0,5,u,10,,,90,90,true\n\
///     2021,52,2021,51,X,643,0,H5,870323,C00,0,5,u,6,,,50,50,true\n\
///     2021,52,2021,51,X,643,0,H5,870324,C00,0,5,u,4,,,40,40,true\n";
/// let values = |t: &tradedep::TradeTable| -> Vec<f64> {
///     t.column("value").unwrap().iter().flat_map(|a| a.as_primitive::<Float64Type>().values().to_vec()).collect()
/// };
/// let detailed = read_comtrade_bytes(text.as_bytes(), "t.csv", &ComtradeOptions::default())?;
/// assert_eq!(values(&detailed), [50.0, 40.0]); // the most detailed level; the 8703 row set aside
/// let opts = ComtradeOptions { level: Some(CommodityLevel::Hs4), ..Default::default() };
/// let headings = read_comtrade_bytes(text.as_bytes(), "t.csv", &opts)?;
/// assert_eq!(values(&headings), [90.0]);
/// assert_eq!(headings.report().rows_set_aside(), 2);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ComtradeOptions {
    /// Breakdown rows: keep totals (default) or sum the parts.
    pub breakdown: Breakdown,
    /// Commodity level to keep (`TOTAL`, 2, 4 or 6 digits); `None` keeps the most detailed
    /// level present in the file.
    pub level: Option<CommodityLevel>,
    /// Keep only rows of this frequency; `None` requires the file to have one frequency.
    pub freq: Option<Freq>,
    /// HS edition of the table. `None`: the edition of the file's `classificationCode` (the
    /// most frequent one when the file mixes editions; rows of the others are set aside).
    /// Given: rows declared in another edition are set aside; rows without a
    /// classification column are taken to be in this edition. Ignored for `TOTAL` rows.
    pub vintage: Option<Vintage>,
    /// Polled between rows (every 65,536): once cancelled, the read stops with
    /// [`Error::Cancelled`].
    pub cancel: crate::cancel::Cancellation,
}

/// Reads a Comtrade CSV (Plus or legacy names, optionally `.gz`) or API JSON response.
///
/// ```no_run
/// use tradedep::io::comtrade::{read_comtrade, ComtradeOptions};
/// let t = read_comtrade("TradeData_4_22_2026.csv".as_ref(), &ComtradeOptions::default()).unwrap();
/// println!("{}", t.report());
/// ```
pub fn read_comtrade(path: &Path, opts: &ComtradeOptions) -> Result<TradeTable> {
    let bytes = read_all_cancellable(path, &opts.cancel)?;
    read_comtrade_bytes(&bytes, &display_name(path), opts)
}

/// Reads Comtrade data held in memory; `name` names it in messages and the `source` column.
///
/// ```
/// use tradedep::io::comtrade::{read_comtrade_bytes, ComtradeOptions};
/// use tradedep::{Freq, Vintage};
/// // Armenia (51) imports from Viet Nam (704), a World row (partner 0) and a re-export (RX).
/// let text = "refYear,refMonth,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,motCode,qtyUnitCode,qtyUnitAbbr,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported\n\
///     2021,52,2021,51,M,704,0,H5,851713,C00,0,5,u,2,,120,,120,true\n\
///     2021,52,2021,51,M,0,0,H5,851713,C00,0,5,u,2,,120,,120,true\n\
///     2021,52,2021,51,RX,704,0,H5,851713,C00,0,5,u,1,,,70,70,true\n";
/// let t = read_comtrade_bytes(text.as_bytes(), "TradeData.csv", &ComtradeOptions::default())?;
/// assert_eq!(t.num_rows(), 2); // the import and the re-export; World is never a partner
/// assert_eq!(t.report().rows_set_aside(), 1);
/// assert_eq!(t.meta().vintage, Some(Vintage::Hs(2017))); // classificationCode H5
/// assert_eq!(t.meta().freq, Freq::Annual);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_comtrade_bytes(bytes: &[u8], name: &str, opts: &ComtradeOptions) -> Result<TradeTable> {
    let (text, decoding) = text::decode(bytes);
    let mut notes = Vec::new();
    if let Some(n) = decoding.note() {
        notes.push(n);
    }
    let first = text.trim_start().chars().next();
    let raw = match first {
        None => {
            return Err(Error::format(
                "empty file",
                Location::file(name),
                "export the data again from Comtrade",
            ))
        }
        Some('{') | Some('[') => raw_from_json(&text, name)?,
        Some(_) => raw_from_csv(&text, name, &mut notes)?,
    };
    Reader::new(name, raw, opts, notes).run()
}

// ---- raw records ---------------------------------------------------------------------------

/// The fields the reader understands, whatever the file calls them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum F {
    Year,
    Month,
    Period,
    PeriodDesc,
    Reporter,
    Flow,
    FlowDesc,
    Partner,
    Partner2,
    Cmd,
    Classification,
    Customs,
    Mot,
    QtyUnitCode,
    QtyUnitAbbr,
    Qty,
    NetWgt,
    Cif,
    Fob,
    Primary,
    IsReported,
}

/// Comtrade Plus names first, then legacy API / comtradr names; compared after lower-casing
/// and removing everything but letters and digits (`trade_value_us` == `TradeValueUS`).
const ALIASES: &[(F, &[&str])] = &[
    (F::Year, &["refyear", "year", "yr"]),
    (F::Month, &["refmonth", "month"]),
    (F::Period, &["period"]),
    (F::PeriodDesc, &["perioddesc"]),
    (F::Reporter, &["reportercode", "rtcode"]),
    (F::Flow, &["flowcode", "tradecode", "tradeflowcode", "rgcode"]),
    (F::FlowDesc, &["flowdesc", "tradeflow", "rgdesc"]),
    (F::Partner, &["partnercode", "ptcode"]),
    (F::Partner2, &["partner2code", "2ndpartnercode"]),
    (F::Cmd, &["cmdcode", "commoditycode"]),
    (F::Classification, &["classificationcode", "classification"]),
    (F::Customs, &["customscode", "customsproccode"]),
    (F::Mot, &["motcode", "modeoftransportcode"]),
    (F::QtyUnitCode, &["qtyunitcode", "qtcode"]),
    (F::QtyUnitAbbr, &["qtyunitabbr", "qtyunit"]),
    (F::Qty, &["qty"]),
    (F::NetWgt, &["netwgt", "netweightkg"]),
    (F::Cif, &["cifvalue", "ciftradevalueus", "ciftradevalue"]),
    (F::Fob, &["fobvalue", "fobtradevalueus", "fobtradevalue"]),
    (F::Primary, &["primaryvalue", "tradevalueus", "tradevalue"]),
    (F::IsReported, &["isreported"]),
];

fn normalize(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Records with their columns resolved to [`F`].
struct Raw {
    /// Original column names (for messages).
    header: Vec<String>,
    index: HashMap<F, usize>,
    /// `(line or record number, fields)`; `None` for JSON null or a missing key.
    rows: Vec<(u64, Vec<Option<String>>)>,
    is_json: bool,
}

impl Raw {
    fn new(header: Vec<String>, rows: Vec<(u64, Vec<Option<String>>)>, is_json: bool, name: &str) -> Result<Raw> {
        let mut index = HashMap::new();
        let normalized: Vec<String> = header.iter().map(|h| normalize(h)).collect();
        for (f, names) in ALIASES {
            if let Some((n, i)) = names
                .iter()
                .find_map(|n| normalized.iter().position(|h| h == n).map(|i| (n, i)))
            {
                if let Some(j) = normalized.iter().rposition(|h| h == n).filter(|j| *j != i) {
                    return Err(crate::io::source::duplicate_column(name, &header[j], i, j));
                }
                index.insert(*f, i);
            }
        }
        let raw = Raw {
            header,
            index,
            rows,
            is_json,
        };
        let missing: Vec<&str> = [
            (raw.has(F::Reporter), "reporterCode (reporter_code)"),
            (raw.has(F::Partner), "partnerCode (partner_code)"),
            (
                raw.has(F::Flow) || raw.has(F::FlowDesc),
                "flowCode (trade_code / trade_flow)",
            ),
            (raw.has(F::Cmd), "cmdCode (commodity_code)"),
            (
                raw.has(F::Primary) || raw.has(F::Cif) || raw.has(F::Fob),
                "primaryValue (trade_value_us)",
            ),
            (
                raw.has(F::Period) || raw.has(F::PeriodDesc) || raw.has(F::Year),
                "period or refYear (year)",
            ),
        ]
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, n)| *n)
        .collect();
        if !missing.is_empty() {
            return Err(Error::format(
                format!("not a Comtrade file: no column {}", missing.join(", ")),
                Location::file(name).line(1).value(raw.header.join(",")),
                "expected Comtrade Plus names (refYear, period, reporterCode, flowCode, partnerCode, cmdCode, primaryValue ...) or legacy names (year, period, reporter_code, trade_flow, partner_code, commodity_code, trade_value_us ...)",
            ));
        }
        Ok(raw)
    }
    fn has(&self, f: F) -> bool {
        self.index.contains_key(&f)
    }
    fn column_name(&self, f: F) -> String {
        self.index
            .get(&f)
            .and_then(|i| self.header.get(*i))
            .cloned()
            .unwrap_or_else(|| format!("{f:?}"))
    }
}

fn raw_from_csv(text: &str, name: &str, notes: &mut Vec<String>) -> Result<Raw> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = match records.next() {
        None => {
            return Err(Error::format(
                "empty file",
                Location::file(name),
                "export the data again from Comtrade",
            ))
        }
        Some(r) => r.map_err(|e| csv_error(e, name))?,
    };
    let mut header: Vec<String> = header.iter().map(|s| s.trim().to_string()).collect();
    while header.last().map(|h| h.is_empty()).unwrap_or(false) {
        header.pop();
    }
    if header.len() < 2 {
        return Err(Error::format(
            "header has fewer than two columns",
            Location::file(name).line(1).value(header.join(",")),
            "Comtrade CSV files are comma-separated with a header line",
        ));
    }
    let width = header.len();
    let normalized: Vec<String> = header.iter().map(|h| normalize(h)).collect();
    let used: Vec<bool> = normalized
        .iter()
        .map(|h| ALIASES.iter().any(|(_, names)| names.contains(&h.as_str())))
        .collect();
    let mut trailing = 0u64;
    let mut rows = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| csv_error(e, name))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() == 1 && rec.get(0).map(|s| s.trim().is_empty()).unwrap_or(true) {
            continue; // blank line
        }
        // Columns the reader does not read stay `None`: no string per cell for them.
        let mut fields: Vec<Option<String>> = rec
            .iter()
            .enumerate()
            .map(|(k, s)| match used.get(k) {
                Some(false) => None,
                _ => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            })
            .collect();
        // The Comtrade Plus website ends data lines (not the header) with a comma.
        while fields.len() > width && fields.last().map(|f| f.is_none()).unwrap_or(false) {
            fields.pop();
            trailing += 1;
        }
        if fields.len() != width {
            return Err(Error::format(
                format!("line has {} fields where the header has {width}", fields.len()),
                Location::file(name)
                    .line(line)
                    .value(rec.iter().collect::<Vec<_>>().join(",")),
                "check the delimiter and quoting; Comtrade CSV is comma-separated",
            ));
        }
        rows.push((line, fields));
    }
    if trailing > 0 {
        notes.push(format!(
            "ignored the empty field after a trailing comma on {trailing} line(s) (Comtrade website export)"
        ));
    }
    Raw::new(header, rows, false, name)
}

fn csv_error(e: csv::Error, name: &str) -> Error {
    let mut loc = Location::file(name);
    if let Some(p) = e.position() {
        loc = loc.line(p.line());
    }
    Error::format(
        format!("malformed CSV ({e})"),
        loc,
        "check quoting; Comtrade CSV is comma-separated with double quotes",
    )
}

fn raw_from_json(text: &str, name: &str) -> Result<Raw> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Error::format(
            format!("malformed JSON ({e})"),
            Location::file(name)
                .line(e.line() as u64)
                .column(format!("character {}", e.column())),
            "save the Comtrade API response unchanged (an object with a \"data\" array)",
        )
    })?;
    let records = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("data") {
            Some(Value::Array(a)) => a,
            _ => {
                let err = o.get("error").and_then(|e| e.as_str()).unwrap_or("");
                return Err(Error::format(
                    format!(
                        "JSON object without a \"data\" array{}",
                        if err.is_empty() {
                            String::new()
                        } else {
                            format!(" (API error: {err})")
                        }
                    ),
                    Location::file(name),
                    "pass the Comtrade API response ({\"data\": [...]}) or a JSON array of records",
                ));
            }
        },
        _ => {
            return Err(Error::format(
                "JSON is neither an object nor an array",
                Location::file(name),
                "pass the Comtrade API response",
            ))
        }
    };
    let mut header: Vec<String> = Vec::new();
    let mut pos: HashMap<String, usize> = HashMap::new();
    for r in records {
        if let Value::Object(o) = r {
            for k in o.keys() {
                if !pos.contains_key(k) {
                    pos.insert(k.clone(), header.len());
                    header.push(k.clone());
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let n = i as u64 + 1;
        let Value::Object(o) = r else {
            return Err(Error::format(
                "JSON record is not an object",
                Location::file(name).line(n).value(r.to_string()),
                "each element of \"data\" must be an object of Comtrade fields",
            ));
        };
        let mut fields = vec![None; header.len()];
        for (k, val) in o {
            let s = match val {
                Value::Null => None,
                Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
                Value::Bool(b) => Some(b.to_string()),
                Value::Number(x) => Some(x.to_string()),
                other => Some(other.to_string()),
            };
            if let Some(p) = pos.get(k) {
                fields[*p] = s;
            }
        }
        rows.push((n, fields));
    }
    Raw::new(header, rows, true, name)
}

// ---- rows ----------------------------------------------------------------------------------

/// Bits of a breakdown signature: which dimensions a row splits.
const MOT: u8 = 1;
const CUSTOMS: u8 = 2;
const PARTNER2: u8 = 4;

fn signature_name(sig: u8) -> String {
    let mut parts = vec![];
    if sig & MOT != 0 {
        parts.push("mode of transport");
    }
    if sig & CUSTOMS != 0 {
        parts.push("customs procedure");
    }
    if sig & PARTNER2 != 0 {
        parts.push("second partner");
    }
    parts.join(" x ")
}

/// One row that passed the per-row checks.
#[derive(Debug, Clone)]
struct Cand {
    line: u64,
    period: Period,
    reporter: u16,
    partner: u16,
    flow: Flow,
    product: String,
    level: CommodityLevel,
    classification: Option<String>,
    sig: u8,
    value: f64,
    quantity: Option<(f64, &'static str)>,
    net_weight: Option<f64>,
    estimated: bool,
}

/// Rows between two looks at the cancellation flag.
pub(crate) const CANCEL_EVERY: usize = 1 << 16;

const SUB_FLOWS: [&str; 8] = ["DX", "FM", "MIP", "XIP", "MOP", "XOP", "MIG", "XIG"];

struct Reader<'a> {
    name: &'a str,
    raw: Raw,
    opts: &'a ComtradeOptions,
    notes: Vec<String>,
    report: crate::ReadReport,
    unknown_reporters: std::collections::BTreeSet<u16>,
    unknown_partners: std::collections::BTreeSet<u16>,
    unknown_units: std::collections::BTreeMap<String, u64>,
    /// Rows whose netWgt was negative (read as unknown, stated in the notes).
    negative_net_weights: u64,
    padded_codes: u64,
}

impl<'a> Reader<'a> {
    fn new(name: &'a str, raw: Raw, opts: &'a ComtradeOptions, notes: Vec<String>) -> Self {
        Reader {
            name,
            raw,
            opts,
            notes,
            report: crate::ReadReport::new(name),
            unknown_reporters: Default::default(),
            unknown_partners: Default::default(),
            unknown_units: Default::default(),
            negative_net_weights: 0,
            padded_codes: 0,
        }
    }

    fn loc(&self, line: u64, f: F, value: &str) -> Location {
        let loc = Location::file(self.name)
            .line(line)
            .column(self.raw.column_name(f))
            .value(value);
        if self.raw.is_json {
            // JSON records have no lines: `line` is the record number in "data".
            Location {
                file: Some(format!("{} (JSON record number as line)", self.name)),
                ..loc
            }
        } else {
            loc
        }
    }

    fn run(mut self) -> Result<TradeTable> {
        let rows = std::mem::take(&mut self.raw.rows);
        self.report.rows_read = rows.len() as u64;
        let mut cands = Vec::with_capacity(rows.len());
        for (n, (line, fields)) in rows.iter().enumerate() {
            if n % CANCEL_EVERY == 0 {
                self.opts.cancel.check()?;
            }
            if let Some(c) = self.row(*line, fields)? {
                cands.push(c);
            }
        }
        drop(rows);
        let freq = self.choose_freq(&mut cands)?;
        let level = self.choose_level(&mut cands)?;
        let vintage = if level == CommodityLevel::Total {
            self.totals_have_no_vintage(&mut cands)
        } else {
            self.choose_vintage(&mut cands)
        };
        let kept = self.combine_breakdowns(cands);
        self.finish_notes();
        let meta = TableMeta::new(freq, "USD", vintage);
        let mut b = TradeTableBuilder::new(self.name, meta);
        for c in &kept {
            let basis = match c.flow {
                Flow::Import | Flow::ReImport => ValueBasis::Cif,
                Flow::Export | Flow::ReExport => ValueBasis::Fob,
            };
            b.push(TradeRow {
                period: c.period.code(),
                reporter: c.reporter,
                partner: c.partner,
                flow: c.flow,
                product: &c.product,
                value: c.value,
                value_basis: Some(basis),
                quantity: c.quantity.map(|q| q.0),
                quantity_unit: c.quantity.map(|q| q.1),
                net_weight_kg: c.net_weight,
                estimated: c.estimated,
            })?;
        }
        let report = std::mem::take(&mut self.report);
        *b.report_mut() = report;
        b.finish()
    }

    fn get<'f>(&self, fields: &'f [Option<String>], f: F) -> Option<&'f str> {
        self.raw
            .index
            .get(&f)
            .and_then(|i| fields.get(*i))
            .and_then(|v| v.as_deref())
    }

    fn number(&self, fields: &[Option<String>], f: F, line: u64) -> Result<Option<f64>> {
        let Some(s) = self.get(fields, f) else { return Ok(None) };
        if matches!(s, "NA" | "NaN" | "nan" | "null" | "None" | "N/A") {
            return Ok(None);
        }
        match without_thousands_commas(s).and_then(|t| t.parse::<f64>().ok()) {
            Some(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(Error::parse(
                format!("number in column '{}'", self.raw.column_name(f)),
                self.loc(line, f, s),
                "Comtrade numeric columns hold plain numbers; fix or remove the value",
            )),
        }
    }

    fn code(&self, fields: &[Option<String>], f: F, line: u64) -> Result<Option<i64>> {
        match self.number(fields, f, line)? {
            None => Ok(None),
            Some(x) if x.fract() == 0.0 && x.abs() < 1e9 => Ok(Some(x as i64)),
            Some(_) => Err(Error::parse(
                format!("integer code in column '{}'", self.raw.column_name(f)),
                self.loc(line, f, self.get(fields, f).unwrap_or("")),
                "Comtrade codes are whole numbers",
            )),
        }
    }

    fn country(&self, fields: &[Option<String>], f: F, line: u64) -> Result<i64> {
        self.code(fields, f, line)?.ok_or_else(|| {
            Error::parse(
                format!("missing country code in column '{}'", self.raw.column_name(f)),
                self.loc(line, f, ""),
                "every Comtrade row names its reporter and partner by numeric code",
            )
        })
    }

    fn period(&self, fields: &[Option<String>], line: u64) -> Result<Period> {
        // refMonth 52 (or none) is the year's total; any other month outside 1-12 is an error,
        // not an annual row.
        let month = self.code(fields, F::Month, line)?;
        if let Some(m) = month.filter(|m| !(1..=12).contains(m) && *m != 52) {
            return Err(Error::parse(
                "month",
                self.loc(line, F::Month, &m.to_string()),
                "refMonth is 1-12 for a month or 52 for the year's total",
            ));
        }
        // `period` first: legacy web files write "January 2016" in Period Desc.
        for f in [F::Period, F::PeriodDesc] {
            if let Some(s) = self.get(fields, f) {
                return Period::parse(s).map_err(|_| {
                    Error::parse(
                        "period",
                        self.loc(line, f, s),
                        "write a year as 2021 and a month as 202103 (or 2021-03-01)",
                    )
                });
            }
        }
        let year = self.code(fields, F::Year, line)?.ok_or_else(|| {
            Error::parse(
                "missing period",
                self.loc(line, F::Year, ""),
                "every row needs period or refYear",
            )
        })?;
        let p = match month {
            Some(m @ 1..=12) => Period::Month {
                year: year as i32,
                month: m as u8,
            },
            _ => Period::Year(year as i32),
        };
        Period::from_code(p.code(), p.freq()).ok_or_else(|| {
            Error::parse(
                "period",
                self.loc(line, F::Year, &year.to_string()),
                "years run from 1900 to 2200",
            )
        })
    }

    fn flow(&self, fields: &[Option<String>], line: u64) -> Result<std::result::Result<Flow, String>> {
        let (f, s) = match (self.get(fields, F::Flow), self.get(fields, F::FlowDesc)) {
            (Some(s), _) => (F::Flow, s),
            (None, Some(s)) => (F::FlowDesc, s),
            (None, None) => {
                return Err(Error::parse(
                    "missing flow",
                    self.loc(line, F::Flow, ""),
                    "every row needs flowCode (M, X, RM, RX)",
                ))
            }
        };
        let upper = s.to_ascii_uppercase();
        if SUB_FLOWS.contains(&upper.as_str()) {
            return Ok(Err(upper));
        }
        Flow::parse(s).map(Ok).map_err(|_| {
            Error::parse(
                "trade flow",
                self.loc(line, f, s),
                "Comtrade flow codes are M, X, RM, RX (or Import, Export, Re-Import, Re-Export); sub-flows DX, FM, MIP, XIP, MOP, XOP are set aside",
            )
        })
    }

    fn row(&mut self, line: u64, fields: &[Option<String>]) -> Result<Option<Cand>> {
        let flow = match self.flow(fields, line)? {
            Ok(f) => f,
            Err(code) => {
                self.report.set_aside(
                    "sub-flow (DX, FM, processing flows): part of X or M, would double count",
                    line,
                    || code,
                );
                return Ok(None);
            }
        };
        let period = self.period(fields, line)?;
        let reporter = self.country(fields, F::Reporter, line)?;
        let partner = self.country(fields, F::Partner, line)?;
        let cmd = self.get(fields, F::Cmd).unwrap_or("").to_string();
        let (product, level) = self.product(&cmd, line)?;
        if partner == 0 {
            self.report.set_aside(
                "World total row (partnerCode 0): World is never a partner",
                line,
                || format!("{period} reporter {reporter} {flow} {cmd}"),
            );
            return Ok(None);
        }
        let reporter = match u16::try_from(reporter).ok().filter(|c| countries::is_known_code(*c)) {
            Some(c) => c,
            None => {
                if let Ok(c) = u16::try_from(reporter) {
                    self.unknown_reporters.insert(c);
                }
                self.report
                    .set_aside("unknown reporter code", line, || reporter.to_string());
                return Ok(None);
            }
        };
        let partner = match u16::try_from(partner).ok().filter(|c| countries::is_known_code(*c)) {
            Some(c) => c,
            None => {
                if let Ok(c) = u16::try_from(partner) {
                    self.unknown_partners.insert(c);
                }
                self.report
                    .set_aside("unknown partner code", line, || partner.to_string());
                return Ok(None);
            }
        };
        let mut sig = 0;
        if let Some(m) = self.code(fields, F::Mot, line)? {
            if m != 0 {
                sig |= MOT;
            }
        }
        if let Some(c) = self.get(fields, F::Customs) {
            if !c.eq_ignore_ascii_case("C00") {
                sig |= CUSTOMS;
            }
        }
        if let Some(p) = self.code(fields, F::Partner2, line)? {
            if p != 0 {
                sig |= PARTNER2;
            }
        }
        let primary = self.number(fields, F::Primary, line)?;
        let side = match flow {
            Flow::Import | Flow::ReImport => self.number(fields, F::Cif, line)?,
            Flow::Export | Flow::ReExport => self.number(fields, F::Fob, line)?,
        };
        let Some(value) = primary.or(side) else {
            self.report.set_aside("no trade value (primaryValue empty)", line, || {
                format!("{period} {reporter}->{partner} {cmd}")
            });
            return Ok(None);
        };
        if value < 0.0 {
            let f = if primary.is_some() { F::Primary } else { F::Cif };
            return Err(Error::invalid_data(
                "negative trade value",
                self.loc(line, f, &value.to_string()),
                "trade values are never negative; correct the row or remove it",
            ));
        }
        let qty = self.number(fields, F::Qty, line)?;
        let unit_code = self.code(fields, F::QtyUnitCode, line)?;
        let unit_abbr = self.get(fields, F::QtyUnitAbbr);
        let quantity = match (qty, units::resolve(unit_code, unit_abbr)) {
            (Some(q), units::UnitLookup::Unit(u)) if q >= 0.0 => Some((q * u.factor, u.name)),
            (Some(q), units::UnitLookup::Unit(_)) => {
                return Err(Error::invalid_data(
                    "negative quantity",
                    self.loc(line, F::Qty, &q.to_string()),
                    "quantities are never negative; correct the row or remove it",
                ))
            }
            (Some(_), units::UnitLookup::Unknown) => {
                let key = format!("code {:?} abbreviation {:?}", unit_code, unit_abbr.unwrap_or(""));
                *self.unknown_units.entry(key).or_default() += 1;
                None
            }
            _ => None,
        };
        let net_weight = match self.number(fields, F::NetWgt, line)? {
            Some(w) if w < 0.0 => {
                self.negative_net_weights += 1;
                None
            }
            w => w,
        };
        let estimated = match self.get(fields, F::IsReported) {
            None => false,
            Some(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "t" | "yes" => false,
                "false" | "0" | "f" | "no" => true,
                _ => {
                    return Err(Error::parse(
                        "boolean",
                        self.loc(line, F::IsReported, s),
                        "isReported is true or false",
                    ))
                }
            },
        };
        Ok(Some(Cand {
            line,
            period,
            reporter,
            partner,
            flow,
            product,
            level,
            classification: self.get(fields, F::Classification).map(|s| s.to_ascii_uppercase()),
            sig,
            value,
            quantity,
            net_weight,
            estimated,
        }))
    }

    /// Digits of a commodity code (odd lengths regain the leading zero a spreadsheet removed)
    /// and its level.
    fn product(&mut self, cmd: &str, line: u64) -> Result<(String, CommodityLevel)> {
        if cmd.eq_ignore_ascii_case(TOTAL) {
            return Ok((TOTAL.into(), CommodityLevel::Total));
        }
        let digits: String = cmd.chars().filter(|c| *c != '.' && *c != ' ').collect();
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            let digits = if matches!(digits.len(), 1 | 3 | 5) {
                self.padded_codes += 1;
                format!("0{digits}")
            } else {
                digits
            };
            if let Some(l) = CommodityLevel::from_digits(digits.len()) {
                return Ok((digits, l));
            }
        }
        Err(Error::InvalidProduct {
            code: cmd.to_string(),
            context: format!(" at {}", self.loc(line, F::Cmd, cmd)),
            hint: "Comtrade commodity codes are TOTAL or HS codes of 2, 4 or 6 digits".into(),
        })
    }

    fn choose_freq(&mut self, cands: &mut Vec<Cand>) -> Result<Freq> {
        let monthly = cands.iter().filter(|c| c.period.freq() == Freq::Monthly).count();
        let annual = cands.len() - monthly;
        let freq = match self.opts.freq {
            Some(f) => f,
            None if monthly > 0 && annual > 0 => {
                let a = cands
                    .iter()
                    .find(|c| c.period.freq() == Freq::Annual)
                    .map(|c| c.line)
                    .unwrap_or(0);
                let m = cands
                    .iter()
                    .find(|c| c.period.freq() == Freq::Monthly)
                    .map(|c| c.line)
                    .unwrap_or(0);
                return Err(Error::invalid_data(
                    format!("file mixes {annual} annual rows (first at line {a}) and {monthly} monthly rows (first at line {m})"),
                    Location::file(self.name),
                    "a table has one frequency: pass freq=\"A\" or freq=\"M\" to keep one and set the other aside",
                ));
            }
            None if monthly > 0 => Freq::Monthly,
            None => Freq::Annual,
        };
        let report = &mut self.report;
        cands.retain(|c| {
            let keep = c.period.freq() == freq;
            if !keep {
                report.set_aside("period of the other frequency (freq= chose one)", c.line, || {
                    c.period.to_string()
                });
            }
            keep
        });
        Ok(freq)
    }

    fn choose_vintage(&mut self, cands: &mut Vec<Cand>) -> Option<Vintage> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for c in cands.iter() {
            if let Some(cl) = &c.classification {
                *counts.entry(cl.clone()).or_default() += 1;
            }
        }
        let chosen = match self.opts.vintage {
            Some(v) => Some(v),
            None => {
                // Most frequent parseable edition; ties go to the later edition.
                let best = counts
                    .iter()
                    .filter_map(|(k, n)| Vintage::parse(k).ok().map(|v| (*n, v, k.clone())))
                    .max_by_key(|(n, v, _)| (*n, *v));
                if counts.keys().any(|k| Vintage::parse(k).is_err()) {
                    self.notes.push(format!(
                        "classification codes {:?} are not HS editions; the vintage of those rows is unknown",
                        counts.keys().filter(|k| Vintage::parse(k).is_err()).collect::<Vec<_>>()
                    ));
                }
                best.map(|b| b.1)
            }
        };
        if let Some(v) = chosen {
            let before = cands.len();
            let report = &mut self.report;
            cands.retain(|c| {
                let other = c
                    .classification
                    .as_deref()
                    .and_then(|k| Vintage::parse(k).ok())
                    .filter(|cv| *cv != v);
                if let Some(o) = other {
                    report.set_aside(
                        "reported in another HS edition than the table's (vintage=)",
                        c.line,
                        || o.name(),
                    );
                    return false;
                }
                true
            });
            if before != cands.len() {
                self.notes.push(format!(
                    "the file mixes HS editions {:?}; kept {} ({}), set aside {} rows of other editions: pass vintage= to keep another, convert with classify to combine",
                    counts,
                    v.name(),
                    if self.opts.vintage.is_some() { "asked" } else { "the most frequent" },
                    before - cands.len()
                ));
            }
        }
        chosen
    }

    fn choose_level(&mut self, cands: &mut Vec<Cand>) -> Result<CommodityLevel> {
        let mut levels: std::collections::BTreeMap<CommodityLevel, usize> = Default::default();
        for c in cands.iter() {
            *levels.entry(c.level).or_default() += 1;
        }
        let chosen = match self.opts.level {
            Some(l) if levels.contains_key(&l) => l,
            Some(l) => {
                return Err(Error::invalid_argument(
                    format!(
                        "level {l} asked but the file has {}",
                        if levels.is_empty() {
                            "no rows".to_string()
                        } else {
                            levels.keys().map(|l| l.name()).collect::<Vec<_>>().join(", ")
                        }
                    ),
                    "pass one of the levels present, or level=None for the most detailed",
                ))
            }
            None => levels.keys().next_back().copied().unwrap_or(CommodityLevel::Hs6),
        };
        if levels.len() > 1 {
            self.notes.push(format!(
                "the file holds commodity levels {}; kept {} codes only (summing levels would double count); pass level= to keep another",
                levels.iter().map(|(l, n)| format!("{l} ({n} rows)")).collect::<Vec<_>>().join(", "),
                chosen
            ));
        }
        let report = &mut self.report;
        cands.retain(|c| {
            if c.level != chosen {
                report.set_aside(
                    "commodity code of another aggregation level than the one kept (level=)",
                    c.line,
                    || c.product.clone(),
                );
                return false;
            }
            true
        });
        Ok(chosen)
    }

    /// All-commodity totals: the HS edition a row was declared in does not change a total of
    /// all goods, so no row is set aside for it and the table declares no vintage; quantities
    /// of all goods mix units and are left null.
    fn totals_have_no_vintage(&mut self, cands: &mut [Cand]) -> Option<Vintage> {
        let editions: std::collections::BTreeSet<&str> =
            cands.iter().filter_map(|c| c.classification.as_deref()).collect();
        let mut note = "all-commodity TOTAL rows (product TOTAL): the table has no vintage".to_string();
        if !editions.is_empty() {
            note.push_str(&format!(
                " (rows declared {}; a total of all goods is the same in every edition)",
                editions.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(v) = self.opts.vintage {
            note.push_str(&format!("; vintage={} does not apply to totals", v.name()));
        }
        self.notes.push(note);
        let with_qty = cands
            .iter()
            .filter(|c| c.quantity.is_some() || c.net_weight.is_some())
            .count();
        if with_qty > 0 {
            self.notes.push(format!(
                "quantity and net weight of {with_qty} TOTAL rows left null: a total of all goods mixes units"
            ));
        }
        for c in cands.iter_mut() {
            c.quantity = None;
            c.net_weight = None;
        }
        None
    }

    fn combine_breakdowns(&mut self, cands: Vec<Cand>) -> Vec<Cand> {
        type Key = (i32, u16, u16, Flow, String);
        let mut order: Vec<Key> = Vec::new();
        let mut groups: HashMap<Key, Vec<Cand>> = HashMap::new();
        for c in cands {
            let k = (c.period.code(), c.reporter, c.partner, c.flow, c.product.clone());
            match groups.get_mut(&k) {
                Some(g) => g.push(c),
                None => {
                    order.push(k.clone());
                    groups.insert(k, vec![c]);
                }
            }
        }
        let (mut totals_kept, mut breakdown_dropped, mut built, mut summed, mut other_dim, mut replaced) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
        let mut built_by: std::collections::BTreeMap<String, u64> = Default::default();
        let mut out = Vec::with_capacity(order.len());
        for k in order {
            let Some(group) = groups.remove(&k) else { continue };
            let (totals, parts): (Vec<Cand>, Vec<Cand>) = group.into_iter().partition(|c| c.sig == 0);
            let use_parts = !parts.is_empty() && (totals.is_empty() || self.opts.breakdown == Breakdown::Sum);
            if !use_parts {
                let mut it = totals.into_iter();
                if let Some(first) = it.next() {
                    for dup in it {
                        // An exact repeat is a "duplicate row" as in every reader; a second
                        // total with other numbers keeps its own reason.
                        let same = (dup.value, dup.quantity, dup.net_weight, dup.estimated)
                            == (first.value, first.quantity, first.net_weight, first.estimated);
                        let reason = if same {
                            crate::model::REASON_DUPLICATE
                        } else {
                            "second total row with other values (same period, reporter, partner, flow, product); the first is kept"
                        };
                        self.report.set_aside(reason, dup.line, || {
                            format!("{} also at line {}", dup.product, first.line)
                        });
                    }
                    totals_kept += 1;
                    out.push(first);
                }
                for p in parts {
                    breakdown_dropped += 1;
                    self.report.set_aside(
                        "breakdown row (customs, transport mode, second partner) where the file has the total",
                        p.line,
                        || signature_name(p.sig),
                    );
                }
                continue;
            }
            for t in totals {
                replaced += 1;
                self.report.set_aside(
                    "total row replaced by the sum of its breakdown (breakdown=\"sum\")",
                    t.line,
                    || t.product.clone(),
                );
            }
            // One breakdown dimension only: the simplest split present.
            let sig = parts
                .iter()
                .map(|p| p.sig)
                .min_by_key(|s| (s.count_ones(), *s))
                .unwrap_or(MOT);
            let (chosen, others): (Vec<Cand>, Vec<Cand>) = parts.into_iter().partition(|p| p.sig == sig);
            for o in others {
                other_dim += 1;
                self.report.set_aside(
                    "breakdown along another dimension than the one summed (would double count)",
                    o.line,
                    || signature_name(o.sig),
                );
            }
            let mut it = chosen.into_iter();
            let Some(mut acc) = it.next() else { continue };
            let mut n = 1u64;
            for p in it {
                n += 1;
                acc.value += p.value;
                acc.quantity = match (acc.quantity, p.quantity) {
                    (Some((a, ua)), Some((b, ub))) if ua == ub => Some((a + b, ua)),
                    _ => None,
                };
                acc.net_weight = match (acc.net_weight, p.net_weight) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
                acc.estimated |= p.estimated;
                self.report
                    .set_aside("breakdown row summed into a built total", p.line, || {
                        format!("into the total of line {}", acc.line)
                    });
            }
            acc.sig = 0;
            built += 1;
            summed += n;
            *built_by.entry(signature_name(sig)).or_default() += 1;
            out.push(acc);
        }
        let mut parts = vec![];
        if totals_kept > 0 && (breakdown_dropped > 0 || built > 0) {
            parts.push(format!("kept {totals_kept} total rows"));
        }
        if breakdown_dropped > 0 {
            parts.push(format!(
                "set aside {breakdown_dropped} breakdown rows whose total is in the file"
            ));
        }
        if built > 0 {
            parts.push(format!(
                "built {built} totals by summing {summed} breakdown rows ({}) where the file has no total",
                built_by
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if other_dim > 0 {
            parts.push(format!(
                "set aside {other_dim} rows broken down along a second dimension"
            ));
        }
        if replaced > 0 {
            parts.push(format!("replaced {replaced} file totals by the sum of their breakdown"));
        }
        if !parts.is_empty() {
            self.notes
                .push(format!("breakdowns ({:?}): {}", self.opts.breakdown, parts.join("; ")));
        }
        out
    }

    fn finish_notes(&mut self) {
        if let Some(n) = self
            .report
            .set_aside
            .get("World total row (partnerCode 0): World is never a partner")
        {
            self.notes.push(format!(
                "set aside {n} World rows (partnerCode 0); totals over partners are the sum of partner rows"
            ));
        }
        if !self.unknown_reporters.is_empty() {
            self.notes.push(format!(
                "unknown reporter codes set aside: {:?}",
                self.unknown_reporters
            ));
        }
        if !self.unknown_partners.is_empty() {
            self.notes
                .push(format!("unknown partner codes set aside: {:?}", self.unknown_partners));
        }
        if self.negative_net_weights > 0 {
            self.notes.push(format!(
                "{} rows have a negative netWgt; their net weight is left null",
                self.negative_net_weights
            ));
        }
        for (k, n) in &self.unknown_units {
            self.notes.push(format!(
                "{n} rows have a quantity in an unknown unit ({k}); their quantity is left null"
            ));
        }
        if self.padded_codes > 0 {
            self.notes.push(format!(
                "{} commodity codes of odd length regained their leading zero (e.g. 10121 -> 010121)",
                self.padded_codes
            ));
        }
        self.notes.push(
            "values are primaryValue in USD: CIF for imports, FOB for exports; estimated = not isReported".into(),
        );
        self.report.notes.append(&mut self.notes);
    }
}

/// `s` without its thousands separators, or `None` when a comma is anything else: `"1,234.5"`
/// reads as 1234.5, while `"1,5"` (a decimal comma) is not silently read as 15.
fn without_thousands_commas(s: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !s.contains(',') {
        return Some(s.into());
    }
    let int_end = s.find(['.', 'e', 'E']).unwrap_or(s.len());
    let int = s[..int_end].trim_start_matches(['-', '+']);
    let mut groups = int.split(',');
    let first = groups.next()?;
    let grouped = (1..=3).contains(&first.len())
        && groups.all(|g| g.len() == 3)
        && !s[int_end..].contains(',')
        && int.bytes().all(|b| b.is_ascii_digit() || b == b',');
    grouped.then(|| s.replace(',', "").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLUS_HEADER: &str = "refYear,refMonth,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,motCode,qtyUnitCode,qtyUnitAbbr,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported";

    fn read(body: &str, opts: &ComtradeOptions) -> Result<TradeTable> {
        read_comtrade_bytes(format!("{PLUS_HEADER}\n{body}").as_bytes(), "t.csv", opts)
    }

    #[test]
    fn world_rows_and_levels_are_set_aside() {
        let t = read(
            "2021,52,2021,51,X,0,0,H5,8703,C00,0,5,u,10,,,100,100,true\n\
             2021,52,2021,51,X,643,0,H5,8703,C00,0,5,u,10,,,90,90,true\n\
             2021,52,2021,51,X,643,0,H5,870323,C00,0,5,u,6,,,50,50,true\n\
             2021,52,2021,51,X,643,0,H5,870324,C00,0,5,u,4,,,40,40,false",
            &ComtradeOptions::default(),
        )
        .unwrap();
        assert_eq!(t.num_rows(), 2);
        let r = t.report();
        assert_eq!(r.rows_read, 4);
        assert!(r.is_balanced());
        assert_eq!(r.set_aside.values().sum::<u64>(), 2);
        assert_eq!(t.meta().vintage, Some(Vintage::Hs(2017)));
        assert_eq!(t.meta().freq, Freq::Annual);
        let t4 = read(
            "2021,52,2021,51,X,643,0,H5,8703,C00,0,5,u,10,,,90,90,true\n2021,52,2021,51,X,643,0,H5,870323,C00,0,5,u,6,,,50,50,true",
            &ComtradeOptions { level: Some(CommodityLevel::Hs4), ..Default::default() },
        )
        .unwrap();
        assert_eq!(t4.num_rows(), 1);
    }

    #[test]
    fn total_rows_are_a_level_of_their_own() {
        // Hand-worked: two TOTAL rows (one H5, one H6: both kept) and two HS6 rows.
        let body = "2021,52,2021,156,M,643,0,H5,TOTAL,C00,0,-1,N/A,0,0,100,,100,false\n\
                    2022,52,2022,156,M,643,0,H6,TOTAL,C00,0,-1,N/A,0,0,150,,150,true\n\
                    2021,52,2021,156,M,643,0,H5,270900,C00,0,8,kg,5,5,60,,60,true\n\
                    2021,52,2021,156,M,643,0,H5,270112,C00,0,8,kg,2,2,30,,30,true";
        let detailed = read(body, &ComtradeOptions::default()).unwrap();
        assert_eq!(detailed.num_rows(), 2);
        assert_eq!(detailed.meta().vintage, Some(Vintage::Hs(2017)));
        assert_eq!(
            detailed.report().set_aside["commodity code of another aggregation level than the one kept (level=)"],
            2
        );
        let totals = read(
            body,
            &ComtradeOptions {
                level: Some(CommodityLevel::Total),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(totals.num_rows(), 2);
        assert!(totals.report().is_balanced());
        assert_eq!(totals.meta().vintage, None, "a total of all goods has no HS edition");
        let b = &totals.batches()[0];
        let v = b
            .column(5)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        assert_eq!(v.values().to_vec(), vec![100.0, 150.0]);
        assert_eq!(b.column(7).null_count(), 2, "no quantity for all goods");
        assert_eq!(b.column(9).null_count(), 2, "no net weight for all goods");
        let p = b
            .column(4)
            .as_any()
            .downcast_ref::<arrow_array::DictionaryArray<arrow_array::types::Int32Type>>()
            .unwrap();
        let pv = p.values().as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
        assert!(p.keys().values().iter().all(|k| pv.value(*k as usize) == "TOTAL"));
        // A file of totals only reads into a table of totals without level=.
        let only = read(
            &body.lines().take(2).collect::<Vec<_>>().join("\n"),
            &ComtradeOptions::default(),
        )
        .unwrap();
        assert_eq!(only.num_rows(), 2);
        // Asking for a level the file lacks names the levels present.
        let e = read(
            body,
            &ComtradeOptions {
                level: Some(CommodityLevel::Hs4),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("TOTAL, 6-digit"), "{e}");
    }

    #[test]
    fn level_spellings() {
        assert_eq!(CommodityLevel::parse("total").unwrap(), CommodityLevel::Total);
        assert_eq!(CommodityLevel::parse("AG6").unwrap(), CommodityLevel::Hs6);
        assert_eq!(CommodityLevel::parse(" 2 ").unwrap(), CommodityLevel::Hs2);
        assert!(matches!(CommodityLevel::parse("8"), Err(Error::InvalidArgument { .. })));
    }

    #[test]
    fn breakdown_summed_when_no_total_and_dropped_when_total_exists() {
        // Key A: total 100 + mot parts 60, 40 -> keep 100. Key B: only parts 7 + 3 -> built 10.
        // Key B also has a customs breakdown row that must not be added.
        let body = "2021,1,202101,51,M,156,0,H5,851713,C00,0,5,u,10,1,100,,100,true\n\
                    2021,1,202101,51,M,156,0,H5,851713,C00,1000,5,u,6,1,60,,60,true\n\
                    2021,1,202101,51,M,156,0,H5,851713,C00,2000,5,u,4,1,40,,40,true\n\
                    2021,1,202101,51,M,704,0,H5,851713,C00,1000,5,u,3,2,7,,7,true\n\
                    2021,1,202101,51,M,704,0,H5,851713,C00,2000,5,u,2,2,3,,3,false\n\
                    2021,1,202101,51,M,704,0,H5,851713,C01,0,5,u,2,2,9,,9,true";
        let t = read(body, &ComtradeOptions::default()).unwrap();
        assert_eq!(t.num_rows(), 2);
        let batch = &t.batches()[0];
        let v = batch
            .column(5)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        assert_eq!(v.values().to_vec(), vec![100.0, 10.0]);
        let q = batch
            .column(7)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        assert_eq!(q.value(1), 5.0);
        let est = batch
            .column(10)
            .as_any()
            .downcast_ref::<arrow_array::BooleanArray>()
            .unwrap();
        assert!(est.value(1), "a built total is estimated when any part is");
        assert!(t.report().is_balanced());
        let sum = read(
            body,
            &ComtradeOptions {
                breakdown: Breakdown::Sum,
                ..Default::default()
            },
        )
        .unwrap();
        let v = sum.batches()[0]
            .column(5)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        assert_eq!(v.values().to_vec(), vec![100.0, 10.0]);
    }

    #[test]
    fn bad_inputs_name_line_column_value() {
        let e = read(
            "2021,52,2021,51,Q,643,0,H5,8703,C00,0,5,u,10,,,90,90,true",
            &Default::default(),
        )
        .unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("line 2") && m.contains("flowCode") && m.contains("\"Q\""),
            "{m}"
        );
        let e = read(
            "2021,52,2021,51,X,643,0,H5,8703,C00,0,5,u,10,,,abc,90,true",
            &Default::default(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::Parse { .. }), "{e}");
        assert!(e.to_string().contains("fobvalue") && e.to_string().contains("abc"));
        let e = read_comtrade_bytes(b"a,b,c\n1,2,3\n", "x.csv", &Default::default()).unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{e}");
        let e = read_comtrade_bytes(b"{\"data\": [", "x.json", &Default::default()).unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{e}");
        let e = read(
            "2021,52,2021,51,X,643,0,H5,87AB,C00,0,5,u,10,,,90,90,true",
            &Default::default(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::InvalidProduct { .. }), "{e}");
    }

    #[test]
    fn legacy_web_layout_with_spaced_names() {
        let csv = "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,Customs Proc. Code,Mode of Transport Code,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag\n\
                   H4,2016,201601,January 2016,6,1,2,Export,51,Armenia,ARM,643,Russian Federation,RUS,,,,870323,Cars,5,Number of items,3,4000,75000,,75000,0\n\
                   H4,2016,201601,January 2016,6,1,2,Export,51,Armenia,ARM,0,World,WLD,,,,870323,Cars,5,Number of items,3,4000,75000,,75000,0\n";
        let t = read_comtrade_bytes(csv.as_bytes(), "legacy.csv", &Default::default()).unwrap();
        assert_eq!(t.num_rows(), 1);
        assert_eq!(t.meta().freq, Freq::Monthly);
        assert_eq!(t.meta().vintage, Some(Vintage::Hs(2012)));
        let b = &t.batches()[0];
        let p = b.column(0).as_any().downcast_ref::<arrow_array::Int32Array>().unwrap();
        assert_eq!(p.value(0), 201601);
        let v = b
            .column(5)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        assert_eq!(v.value(0), 75000.0);
    }

    #[test]
    fn json_and_csv_give_the_same_rows() {
        let json = r#"{"count":1,"data":[{"refYear":2021,"refMonth":52,"period":"2021","reporterCode":51,"flowCode":"X","partnerCode":643,"partner2Code":0,"classificationCode":"H5","cmdCode":"870323","customsCode":"C00","motCode":0,"qtyUnitCode":5,"qtyUnitAbbr":"u","qty":6,"netWgt":null,"cifvalue":null,"fobvalue":50.0,"primaryValue":50.0,"isReported":true}],"error":""}"#;
        let j = read_comtrade_bytes(json.as_bytes(), "x.json", &Default::default()).unwrap();
        let c = read(
            "2021,52,2021,51,X,643,0,H5,870323,C00,0,5,u,6,,,50,50,true",
            &Default::default(),
        )
        .unwrap();
        assert_eq!(j.batches()[0].columns()[..11], c.batches()[0].columns()[..11]);
    }
}
