//! China customs (GACC) reader: the CSV its online query (stats.customs.gov.cn) exports, with
//! English or Chinese headers, in USD or RMB, monthly or cumulative tables.
//!
//! - **Columns** (either language, any order; the trailing comma of every line is ignored):
//!   `Commodity code`/`商品编码` (8-digit Chinese tariff code), `Commodity`/`商品名称`,
//!   `Trading partner code`/`贸易伙伴编码`, `Trading partner`/`贸易伙伴名称`, optional
//!   `Customs Regime code`/`贸易方式编码` + name, `Locations of importers and exporters code`/
//!   `注册地编码` + name (province), `Quantity`/`第一数量` + `Unit`/`第一计量单位`,
//!   `Supplementary Quantity`/`第二数量` + unit, `US dollar`/`美元` or
//!   `Renminbi Yuan`/`人民币` (currency USD or CNY), optional `Date of data`/`数据年月`.
//! - **Partners** are China's own codes (344 Russia, 110 Hong Kong, 304 Germany, 116 Japan ...),
//!   turned into Comtrade codes through the embedded table [`partners`]. The name on every row is
//!   checked against the table: a name that belongs to another country is an error (or a
//!   set-aside row), never a silent reading of the GACC number as a Comtrade code.
//! - **Period and flow** are not in the file (unless it has a `Date of data` column): they come
//!   from [`GaccOptions`] or from the file name `..._<export|import>_<YYYYMM>_<monthly|cumulative>...`.
//!   A cumulative January-December table is the year (annual table); a cumulative table of
//!   fewer months is neither a month nor a year and is refused.
//! - **Quantities**: the first and second quantities keep their units in [`GaccRead::details`];
//!   in the canonical table the kilograms go to `net_weight_kg` and the other unit (pieces,
//!   metres, pairs ...) to `quantity`/`quantity_unit`.
//! - **Regime and province** stay in [`GaccRead::details`], row-aligned with the table: one
//!   canonical row per file row (rows of one product and partner in several regimes or provinces
//!   add up in every metric).

mod partner_table;
pub mod partners;
pub mod text;

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, UInt16Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

use crate::error::{Error, Location, Result};
use crate::io::baci::OnUnknownCountry;
use crate::io::source::display_name;
use crate::model::{Flow, Freq, Period, TableMeta, TradeRow, TradeTable, TradeTableBuilder, ValueBasis, Vintage};
use crate::reference::countries;
pub use text::GaccEncoding;

/// China's reporter code (Comtrade).
///
/// ```
/// use tradedep::io::gacc::{read_gacc, GaccOptions, CHINA};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gacc/gacc_export_202305_monthly.csv");
/// let g = read_gacc(path.as_ref(), &GaccOptions::default())?;
/// let f = tradedep::model::Filter::default().reporters([CHINA]);
/// assert_eq!(g.table.filter(&f)?.num_rows(), g.table.num_rows()); // China reports every row
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const CHINA: u16 = 156;

/// Whether the query asked for one month or for the months of the year up to one (cumulative).
///
/// ```
/// use tradedep::io::gacc::GaccTableKind;
/// assert_eq!(GaccTableKind::parse("累计")?, GaccTableKind::Cumulative);
/// assert_eq!(GaccTableKind::parse("Monthly")?, GaccTableKind::Monthly);
/// assert!(GaccTableKind::parse("quarterly").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaccTableKind {
    Monthly,
    Cumulative,
}

impl GaccTableKind {
    /// Reads `monthly`/`当月` or `cumulative`/`ytd`/`累计`. See the example on [`GaccTableKind`].
    ///
    /// ```
    /// use tradedep::io::gacc::GaccTableKind;
    /// assert_eq!(GaccTableKind::parse("ytd")?, GaccTableKind::Cumulative);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<GaccTableKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "monthly" | "month" | "m" | "当月" => Ok(GaccTableKind::Monthly),
            "cumulative" | "cum" | "year_to_date" | "ytd" | "累计" => Ok(GaccTableKind::Cumulative),
            other => Err(Error::invalid_argument(
                format!("unknown GACC table kind {other:?}"),
                "use \"monthly\" (the month's trade) or \"cumulative\" (January to the month)",
            )),
        }
    }
}

/// Options of [`read_gacc`]. Period, flow and table kind: from here, else from the file name.
///
/// ```
/// use tradedep::io::gacc::{read_gacc, GaccOptions, GaccTableKind};
/// use tradedep::{Flow, Freq, Period};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gacc/gacc_export_202305_monthly.csv");
/// let opts = GaccOptions {
///     period: Some(Period::Month { year: 2023, month: 5 }),
///     flow: Some(Flow::Export),
///     kind: Some(GaccTableKind::Monthly),
///     ..Default::default()
/// };
/// let g = read_gacc(path.as_ref(), &opts)?;
/// assert_eq!(g.table.meta().freq, Freq::Monthly);
/// assert_eq!(g.table.num_rows(), 3);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct GaccOptions {
    /// The month the query was for (`Period::Month`), or a year for a full-year cumulative table.
    pub period: Option<Period>,
    /// `Export` (China's exports) or `Import`.
    pub flow: Option<Flow>,
    pub kind: Option<GaccTableKind>,
    /// Nomenclature of the codes; default `CHN<year>`.
    pub vintage: Option<Vintage>,
    pub encoding: GaccEncoding,
    /// What to do with partner codes outside the table or names that disagree with their code.
    pub on_unknown_country: OnUnknownCountry,
}

/// A GACC table: canonical rows and, row for row, what the canonical schema has no place for.
///
/// ```
/// use arrow_array::{cast::AsArray, Array};
/// use tradedep::io::gacc::{read_gacc, GaccOptions};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gacc/gacc_export_202305_monthly.csv");
/// let g = read_gacc(path.as_ref(), &GaccOptions::default())?;
/// assert_eq!(g.details.num_rows(), g.table.num_rows()); // row for row
/// let province = g.details.column(g.details.schema().index_of("province").unwrap()).as_string::<i32>();
/// assert_eq!(province.value(0), "Guangdong Province");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct GaccRead {
    pub table: TradeTable,
    /// `product_name, gacc_partner, gacc_partner_name, regime_code, regime, province_code,
    /// province, quantity_1, unit_1, quantity_2, unit_2` (units as tradedep names).
    pub details: RecordBatch,
}

/// Reads a GACC export file.
///
/// ```no_run
/// use tradedep::io::gacc::{read_gacc, GaccOptions, GaccTableKind};
/// use tradedep::model::{Flow, Period};
/// let opts = GaccOptions { period: Some(Period::Month { year: 2023, month: 5 }), flow: Some(Flow::Export),
///     kind: Some(GaccTableKind::Monthly), ..Default::default() };
/// let g = read_gacc("gacc.csv".as_ref(), &opts).unwrap();
/// assert_eq!(g.table.meta().currency, "USD");
/// ```
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::io::gacc::{read_gacc, GaccOptions};
/// use tradedep::{Flow, Period};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gacc/gacc_export_202305_monthly.csv");
/// let g = read_gacc(path.as_ref(), &GaccOptions::default())?; // period, flow, kind from the name
/// assert_eq!(g.table.meta().currency, "USD");
/// let f = tradedep::model::Filter::default().flows([Flow::Export]).periods(Some(202305), Some(202305));
/// assert_eq!(g.table.filter(&f)?.num_rows(), 3);
/// let total: f64 = g.table.column("value")?.iter().map(|a| a.as_primitive::<Float64Type>().values().iter().sum::<f64>()).sum();
/// assert_eq!(total, 1_234_567.0 + 600_000.0 + 45_000.0);
/// let russia = tradedep::model::Filter::default().partners([643]); // GACC partner 344 is Russia
/// assert_eq!(g.table.filter(&russia)?.num_rows(), 1);
/// assert_eq!(Period::Month { year: 2023, month: 5 }.code(), 202305);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_gacc(path: &Path, opts: &GaccOptions) -> Result<GaccRead> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    read_gacc_bytes(&bytes, &display_name(path), opts)
}

/// Reads GACC bytes; `name` names them in messages, the `source` column and the file-name rules.
///
/// ```
/// use tradedep::io::gacc::{read_gacc_bytes, GaccOptions};
/// let text = "\"Commodity code\",\"Commodity\",\"Trading partner code\",\"Trading partner\",\"US dollar\",\n\
///             \"85444211\",\"Optical fibre cables\",\"344\",\"Germany\",\"1,000\",\n";
/// // GACC partner 344 is Russia: a row naming another country is an error, not a guess.
/// let err = read_gacc_bytes(text.as_bytes(), "china_export_202305_monthly.csv", &GaccOptions::default()).unwrap_err();
/// assert!(err.to_string().contains("Russia"));
/// ```
pub fn read_gacc_bytes(bytes: &[u8], name: &str, opts: &GaccOptions) -> Result<GaccRead> {
    let (text, encoding, pairs) = text::decode(bytes, opts.encoding);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = match records.next() {
        Some(h) => h.map_err(|e| csv_error(e, name))?,
        None => {
            return Err(Error::format(
                "empty file",
                Location::file(name),
                "export the query again",
            ))
        }
    };
    let cols = Columns::resolve(&header, name)?;
    let from_name = FromName::parse(name);
    let flow = opts.flow.or(from_name.flow).ok_or_else(|| {
        Error::invalid_argument(
            format!("{name}: the flow is not in a GACC file"),
            "pass flow=\"export\" or \"import\" (what the query asked for), or name the file ..._export_YYYYMM_monthly.csv",
        )
    })?;
    if !matches!(flow, Flow::Export | Flow::Import) {
        return Err(Error::invalid_argument(
            format!("flow {} for a GACC table", flow.as_str()),
            "GACC tables are China's exports or imports",
        ));
    }
    let kind = opts.kind.or(from_name.kind).ok_or_else(|| {
        Error::invalid_argument(
            format!("{name}: whether the table is monthly or cumulative is not in the file"),
            "pass table=\"monthly\" (the month's trade) or \"cumulative\" (January to the month)",
        )
    })?;
    let fixed = match cols.date {
        Some(_) => None,
        None => Some(opts.period.or(from_name.period).ok_or_else(|| {
            Error::invalid_argument(
                format!("{name}: the period is not in a GACC file"),
                "pass period=\"2023-05\" (the month the query was for), or name the file ..._YYYYMM_...",
            )
        })?),
    };
    let freq = match kind {
        GaccTableKind::Monthly => Freq::Monthly,
        GaccTableKind::Cumulative => Freq::Annual,
    };
    let year = fixed.map(period_year);
    let vintage = opts.vintage.or(year.map(|y| Vintage::China(y as u16)));
    let meta = TableMeta::new(freq, cols.currency, vintage);
    let mut b = TradeTableBuilder::new(name, meta);
    let mut d = Details::default();
    if pairs > 0 {
        b.report_mut().note(format!(
            "{name}: UTF-8 with {pairs} GBK byte pairs (e.g. the full-width comma of \"Hong Kong，China\"), read as GB18030"
        ));
    } else if encoding == "GB18030" {
        b.report_mut().note(format!("{name}: read as GB18030"));
    }
    b.report_mut().note(format!(
        "China's {} ({}), reporter China (156), partners from GACC codes through the embedded table; {} table; values {}",
        flow.as_str(),
        if flow == Flow::Export { "FOB" } else { "CIF" },
        match kind {
            GaccTableKind::Monthly => "monthly",
            GaccTableKind::Cumulative => "cumulative January-December (the year)",
        },
        cols.currency
    ));
    for rec in records {
        let rec = rec.map_err(|e| csv_error(e, name))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        b.report_mut().rows_read += 1;
        let at = |col: usize| rec.get(col).unwrap_or("").trim();
        let loc = |col: usize| {
            Location::file(name)
                .line(line)
                .column(cols.names[col].clone())
                .value(at(col))
        };
        // Period of the row.
        let period = match (fixed, cols.date) {
            (Some(p), _) => p,
            (None, Some(c)) => parse_period(at(c))
                .ok_or_else(|| Error::parse("a year and month", loc(c), "the date of data is YYYYMM or YYYY-MM"))?,
            (None, None) => unreachable!("fixed is set when there is no date column"),
        };
        if let (Some(want), Some(_)) = (opts.period, cols.date) {
            if want != period {
                return Err(Error::invalid_data(
                    format!("the file's date of data disagrees with period={}", want.code()),
                    loc(cols.date.unwrap_or(0)),
                    "leave period out for files with a date column, or pass the right one",
                ));
            }
        }
        let period_code = match (kind, period) {
            (GaccTableKind::Monthly, Period::Month { .. }) => period.code(),
            (GaccTableKind::Monthly, Period::Year(y)) => {
                return Err(Error::invalid_argument(
                    format!("period {y} for a monthly table"),
                    "a monthly table is one month: pass period=\"YYYY-MM\"",
                ))
            }
            (GaccTableKind::Cumulative, Period::Year(y)) | (GaccTableKind::Cumulative, Period::Month { year: y, month: 12 }) => y,
            (GaccTableKind::Cumulative, Period::Month { year, month }) => {
                return Err(Error::invalid_argument(
                    format!("a cumulative table of January-{month:02} {year} is neither a month nor a year"),
                    "read the monthly tables (table=\"monthly\"), or subtract the cumulative table of the month before yourself",
                ))
            }
        };
        // Product: the 8-digit tariff code (leading zeros kept; a 7-digit code lost its zero).
        let mut code = at(cols.code).to_string();
        if code.len() == 7 && code.bytes().all(|c| c.is_ascii_digit()) {
            code.insert(0, '0');
        }
        if !(code.len() == 8 && code.bytes().all(|c| c.is_ascii_digit())) {
            let shown = code.clone();
            b.report_mut()
                .set_aside("commodity code is not 8 digits (aggregate or total row)", line, || {
                    shown
                });
            continue;
        }
        // Partner: GACC code -> Comtrade, name checked.
        let gcode: Option<u16> = at(cols.partner).parse().ok();
        let pname = cols.partner_name.map(at).unwrap_or("");
        let partner = match gcode.map(|c| partners::lookup(c, pname)) {
            Some(partners::Lookup::Found(ct)) => ct,
            other => {
                let (reason, hint) = match other {
                    Some(partners::Lookup::NameDisagrees { expected }) => (
                        "partner name disagrees with the GACC code",
                        format!("GACC code {} is {expected} in the embedded GACC table; check the file (it may not be a GACC export, or be from another country's statistics)", at(cols.partner)),
                    ),
                    _ => (
                        "GACC partner code not in the embedded table",
                        "pass on_unknown_country=\"set_aside\" to set such rows aside".to_string(),
                    ),
                };
                match opts.on_unknown_country {
                    OnUnknownCountry::Error => {
                        return Err(Error::invalid_data(
                            format!("{reason} ({})", pname),
                            loc(cols.partner),
                            hint,
                        ))
                    }
                    OnUnknownCountry::SetAside => {
                        let detail = format!("{} {}", at(cols.partner), pname);
                        b.report_mut().set_aside(reason, line, || detail);
                        continue;
                    }
                }
            }
        };
        let value = match text::number(at(cols.value)) {
            Some(Ok(v)) if v >= 0.0 => v,
            None => {
                b.report_mut().set_aside("no value", line, String::new);
                continue;
            }
            _ => {
                return Err(Error::parse(
                    "a trade value",
                    loc(cols.value),
                    "values are numbers, thousands separated by commas",
                ))
            }
        };
        let qty = |qc: Option<usize>, uc: Option<usize>| -> Result<Option<(f64, String)>> {
            let (Some(qc), Some(uc)) = (qc, uc) else {
                return Ok(None);
            };
            let Some((unit, factor)) = text::unit(at(uc)) else {
                return Ok(None);
            };
            match text::number(at(qc)) {
                None => Ok(None),
                Some(Ok(q)) if q >= 0.0 => Ok(Some((q * factor, unit))),
                _ => Err(Error::parse(
                    "a quantity",
                    loc(qc),
                    "quantities are non-negative numbers",
                )),
            }
        };
        let q1 = qty(cols.q1, cols.u1)?;
        let q2 = qty(cols.q2, cols.u2)?;
        // Kilograms are the net weight; the other unit is the quantity.
        let is_kg = |q: &Option<(f64, String)>| q.as_ref().is_some_and(|(_, u)| u == "kg");
        let (weight, other) = if is_kg(&q1) {
            (q1.as_ref().map(|q| q.0), q2.as_ref())
        } else if is_kg(&q2) {
            (q2.as_ref().map(|q| q.0), q1.as_ref())
        } else {
            (None, q1.as_ref())
        };
        let mut row = TradeRow::new(period_code, CHINA, partner, flow, &code, value);
        row.value_basis = Some(if flow == Flow::Export {
            ValueBasis::Fob
        } else {
            ValueBasis::Cif
        });
        row.net_weight_kg = weight;
        row.quantity = other.map(|q| q.0);
        row.quantity_unit = other.map(|q| q.1.as_str());
        b.push(row)?;
        d.push(&cols, &at, gcode.unwrap_or(0), &q1, &q2);
    }
    let table = b.finish()?;
    let details = d.finish()?;
    Ok(GaccRead { table, details })
}

fn period_year(p: Period) -> i32 {
    match p {
        Period::Year(y) | Period::Month { year: y, .. } => y,
    }
}

/// `YYYYMM`, `YYYY-MM`, `YYYY/MM`, `YYYY年MM月`, or `YYYY` (a year).
///
/// ```
/// use tradedep::{io::gacc::parse_period, Period};
/// assert_eq!(parse_period("2023年05月"), Some(Period::Month { year: 2023, month: 5 }));
/// assert_eq!(parse_period("2023"), Some(Period::Year(2023)));
/// assert_eq!(parse_period("202313"), None);
/// ```
pub fn parse_period(s: &str) -> Option<Period> {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let year: i32 = digits.get(..4)?.parse().ok()?;
    if !(1980..=2100).contains(&year) {
        return None;
    }
    match digits.len() {
        4 => Some(Period::Year(year)),
        5 | 6 => {
            let month: u8 = digits[4..].parse().ok()?;
            (1..=12).contains(&month).then_some(Period::Month { year, month })
        }
        _ => None,
    }
}

/// What a file name says: `gacc_export_202305_monthly.csv`.
#[derive(Debug, Default)]
struct FromName {
    flow: Option<Flow>,
    period: Option<Period>,
    kind: Option<GaccTableKind>,
}

impl FromName {
    fn parse(name: &str) -> FromName {
        let lower = name.to_lowercase();
        let stem = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
        let stem = stem.split('.').next().unwrap_or(stem);
        let mut out = FromName::default();
        for part in stem.split(['_', '-', ' ']) {
            match part {
                "export" | "exports" | "出口" => out.flow = Some(Flow::Export),
                "import" | "imports" | "进口" => out.flow = Some(Flow::Import),
                "monthly" | "当月" => out.kind = Some(GaccTableKind::Monthly),
                "cumulative" | "累计" => out.kind = Some(GaccTableKind::Cumulative),
                p if p.len() == 6 && p.bytes().all(|c| c.is_ascii_digit()) => out.period = parse_period(p),
                _ => {}
            }
        }
        out
    }
}

/// Column positions, resolved from English or Chinese names.
struct Columns {
    names: Vec<String>,
    code: usize,
    product_name: Option<usize>,
    partner: usize,
    partner_name: Option<usize>,
    regime: Option<usize>,
    regime_name: Option<usize>,
    province: Option<usize>,
    province_name: Option<usize>,
    q1: Option<usize>,
    u1: Option<usize>,
    q2: Option<usize>,
    u2: Option<usize>,
    value: usize,
    currency: &'static str,
    date: Option<usize>,
}

impl Columns {
    fn resolve(header: &csv::StringRecord, name: &str) -> Result<Columns> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let lower: Vec<String> = names.iter().map(|h| h.to_lowercase()).collect();
        let find = |opts: &[&str]| opts.iter().find_map(|o| lower.iter().position(|h| h == o));
        let missing = |what: &str| {
            Error::format(
                format!("not a GACC export: no {what} column"),
                Location::file(name).line(1).value(names.join(",")),
                "pass the CSV the China customs query (stats.customs.gov.cn) exports, with English or Chinese headers",
            )
        };
        let (value, currency) = if let Some(c) = find(&["us dollar", "美元", "usd"]) {
            (c, "USD")
        } else if let Some(c) = find(&["renminbi yuan", "rmb", "人民币", "cny"]) {
            (c, "CNY")
        } else {
            return Err(missing("value (US dollar / 美元 or Renminbi Yuan / 人民币)"));
        };
        Ok(Columns {
            code: find(&["commodity code", "商品编码"]).ok_or_else(|| missing("Commodity code / 商品编码"))?,
            product_name: find(&["commodity", "商品名称"]),
            partner: find(&["trading partner code", "贸易伙伴编码"])
                .ok_or_else(|| missing("Trading partner code / 贸易伙伴编码"))?,
            partner_name: find(&["trading partner", "贸易伙伴名称"]),
            regime: find(&["customs regime code", "贸易方式编码"]),
            regime_name: find(&["customs regime", "贸易方式名称"]),
            province: find(&["locations of importers and exporters code", "注册地编码"]),
            province_name: find(&["locations of importers and exporters", "注册地名称"]),
            q1: find(&["quantity", "第一数量"]),
            u1: find(&["unit", "第一计量单位"]),
            q2: find(&["supplementary quantity", "supplimentary quantity", "第二数量"]),
            u2: find(&["supplementary unit", "supplimentary unit", "第二计量单位"]),
            value,
            currency,
            date: find(&["date of data", "数据年月"]),
            names,
        })
    }
}

/// The row-aligned details (see [`GaccRead::details`]).
#[derive(Default)]
struct Details {
    product_name: StringBuilder,
    gacc_partner: UInt16Builder,
    gacc_partner_name: StringBuilder,
    regime_code: StringBuilder,
    regime: StringBuilder,
    province_code: StringBuilder,
    province: StringBuilder,
    q1: Float64Builder,
    u1: StringBuilder,
    q2: Float64Builder,
    u2: StringBuilder,
}

impl Details {
    fn push<'a>(
        &mut self,
        cols: &Columns,
        at: &dyn Fn(usize) -> &'a str,
        gcode: u16,
        q1: &Option<(f64, String)>,
        q2: &Option<(f64, String)>,
    ) {
        let opt = |c: Option<usize>| c.map(at).filter(|s| !s.is_empty());
        self.product_name.append_option(opt(cols.product_name));
        self.gacc_partner.append_value(gcode);
        self.gacc_partner_name.append_option(opt(cols.partner_name));
        self.regime_code.append_option(opt(cols.regime));
        self.regime.append_option(opt(cols.regime_name));
        self.province_code.append_option(opt(cols.province));
        self.province.append_option(opt(cols.province_name));
        self.q1.append_option(q1.as_ref().map(|q| q.0));
        self.u1.append_option(q1.as_ref().map(|q| q.1.as_str()));
        self.q2.append_option(q2.as_ref().map(|q| q.0));
        self.u2.append_option(q2.as_ref().map(|q| q.1.as_str()));
    }

    fn finish(mut self) -> Result<RecordBatch> {
        let s = |n: &str| Field::new(n, DataType::Utf8, true);
        let f = |n: &str| Field::new(n, DataType::Float64, true);
        let schema = Schema::new(vec![
            s("product_name"),
            Field::new("gacc_partner", DataType::UInt16, false),
            s("gacc_partner_name"),
            s("regime_code"),
            s("regime"),
            s("province_code"),
            s("province"),
            f("quantity_1"),
            s("unit_1"),
            f("quantity_2"),
            s("unit_2"),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.product_name.finish()),
            Arc::new(self.gacc_partner.finish()),
            Arc::new(self.gacc_partner_name.finish()),
            Arc::new(self.regime_code.finish()),
            Arc::new(self.regime.finish()),
            Arc::new(self.province_code.finish()),
            Arc::new(self.province.finish()),
            Arc::new(self.q1.finish()),
            Arc::new(self.u1.finish()),
            Arc::new(self.q2.finish()),
            Arc::new(self.u2.finish()),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).map_err(|e| Error::arrow("assembling GACC details", e))
    }
}

fn csv_error(e: csv::Error, name: &str) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    Error::format(
        format!("CSV: {e}"),
        Location::file(name).line(line),
        "export the query again",
    )
}

/// Whether `code` names the same country as a Comtrade code (used by the name check).
pub(crate) fn name_is(code: u16, name: &str) -> bool {
    countries::country(name).map(|c| c.comtrade == code).unwrap_or(false)
}
