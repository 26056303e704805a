//! Eurostat Comext reader: EU member states' trade by CN8, in **EUR** (never converted).
//!
//! Two layouts:
//! - **Bulk files** as Eurostat's bulk download facility ships them (`full202101.7z` holding
//!   `full202101.dat`, or the extracted `.dat`/`.csv`, optionally `.gz`): comma-separated with
//!   the header `DECLARANT, DECLARANT_ISO, PARTNER, PARTNER_ISO, TRADE_TYPE, PRODUCT_NC,
//!   PRODUCT_SITC, PRODUCT_CPA2002, PRODUCT_CPA2008, PRODUCT_CPA2_1, PRODUCT_BEC,
//!   PRODUCT_SECTION, FLOW, STAT_REGIME, SUPP_UNIT, PERIOD, VALUE_IN_EUROS, QUANTITY_IN_KG,
//!   SUP_QUANTITY` (names matched case-insensitively). `FLOW` 1 = import, 2 = export;
//!   `PERIOD` is `YYYYMM`, month `52` = the annual total. Rows are split by `STAT_REGIME`
//!   (normal trade, inward and outward processing ...): the reader sums the regimes of one
//!   trade into one row (a row with regime `TOTAL`, if a file has one, is kept instead).
//!   `QUANTITY_IN_KG` is the net weight; `SUP_QUANTITY` (pieces, litres, metres... for the
//!   products whose CN heading asks for a supplementary unit) becomes `quantity`, its unit
//!   `supp_unit:<code>` with `SUPP_UNIT`'s code as the file gives it (Eurostat's code list maps
//!   codes to units; tradedep does not guess it), so quantities are only ever summed within one
//!   code.
//!   Only 8-digit CN codes are kept: `TOTAL`, 2/4/6-digit aggregates and confidential codes
//!   with letters (`8542XXXX`) would double count the CN8 rows and are set aside, with their
//!   value in the report notes.
//! - **Long tables** `reporter_iso2, partner_iso2, product_code, level (CN8|HS4), period
//!   (YYYY-MM), value_eur` (as in shared/data/eurostat_comext_ru_neighbours): HS4 and CN8 rows
//!   overlap, so one level is kept ([`ComextLevel`]). Without a `flow` column the rows are EU
//!   exports.
//!
//! Countries are Eurostat geo codes: ISO alpha-2 except Greece `EL` (= `GR`) and the United
//! Kingdom `UK` (= `GB`); they become Comtrade numeric codes. Unknown codes (Eurostat's
//! secret/stores codes `QP`..`QZ`, aggregates like `EU27_2020`) are set aside and listed.
//!
//! **Vintage**: CN changes every year. A table declares one: `CN<year>` when the data has one
//! year; over several years the first year's CN unless [`ComextOptions::vintage`] says
//! otherwise, with a note (codes are as reported in each year's CN).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use hashbrown::HashMap;

use crate::error::{Error, Location, Result};
use crate::io::source::{display_name, open_text};
use crate::model::{Flow, Freq, Period, TableMeta, TradeRow, TradeTable, TradeTableBuilder, ValueBasis, Vintage};
use crate::reference::countries;

mod chunks;
mod parse;
mod table;

use parse::{Kept, RowParser, Tally};

/// Product level kept from a long table holding both HS4 and CN8 rows.
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::io::comext::{read_comext_reader, ComextLevel, ComextOptions};
/// // German exports to Russia of one CN8 code and of its HS4 heading (which holds it).
/// let text = b"reporter_iso2,partner_iso2,product_code,level,period,value_eur\n\
///     DE,RU,85423190,CN8,2021-01,10\nDE,RU,8542,HS4,2021-01,15\n";
/// let values = |t: &tradedep::TradeTable| -> Vec<f64> {
///     t.column("value").unwrap().iter().flat_map(|a| a.as_primitive::<Float64Type>().values().to_vec()).collect()
/// };
/// let cn8 = read_comext_reader(&text[..], "long.csv", &ComextOptions::default())?;
/// assert_eq!(values(&cn8), [10.0]); // the HS4 row is set aside: it would count the 10 twice
/// let hs4 = read_comext_reader(&text[..], "long.csv", &ComextOptions { level: ComextLevel::Hs4, ..Default::default() })?;
/// assert_eq!(values(&hs4), [15.0]);
/// assert_eq!(hs4.report().rows_set_aside(), 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ComextLevel {
    /// 8-digit Combined Nomenclature codes (default).
    #[default]
    Cn8,
    /// 4-digit HS headings.
    Hs4,
}

impl ComextLevel {
    /// Parses `"CN8"` or `"HS4"`.
    ///
    /// ```
    /// use tradedep::io::comext::ComextLevel;
    /// assert_eq!(ComextLevel::parse("hs4")?, ComextLevel::Hs4);
    /// assert_eq!(ComextLevel::parse(" 8 ")?, ComextLevel::Cn8);
    /// assert!(ComextLevel::parse("HS6").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<ComextLevel> {
        match s.trim().to_ascii_uppercase().as_str() {
            "CN8" | "8" => Ok(ComextLevel::Cn8),
            "HS4" | "4" => Ok(ComextLevel::Hs4),
            other => Err(Error::invalid_argument(
                format!("unknown Comext level {other:?}"),
                "use \"CN8\" or \"HS4\"",
            )),
        }
    }
    fn label(self) -> &'static str {
        match self {
            ComextLevel::Cn8 => "CN8",
            ComextLevel::Hs4 => "HS4",
        }
    }
    fn digits(self) -> usize {
        match self {
            ComextLevel::Cn8 => 8,
            ComextLevel::Hs4 => 4,
        }
    }
}

/// Options of [`read_comext`].
///
/// ```
/// use tradedep::io::comext::{read_comext_reader, ComextOptions};
/// use tradedep::Vintage;
/// // Two years: each row's code is in its own year's CN.
/// let text = b"reporter_iso2,partner_iso2,product_code,level,period,value_eur\n\
///     DE,RU,85423190,CN8,2021-01,10\nEL,KZ,85423190,CN8,2022-02,4\n";
/// let t = read_comext_reader(&text[..], "long.csv", &ComextOptions::default())?;
/// assert_eq!(t.meta().vintage, Some(Vintage::Cn(2021))); // the first year's CN, said in a note
/// assert!(t.report().notes.iter().any(|n| n.contains("2021-2022")));
/// let opts = ComextOptions { vintage: Some(Vintage::Cn(2022)), ..Default::default() };
/// assert_eq!(read_comext_reader(&text[..], "long.csv", &opts)?.meta().vintage, Some(Vintage::Cn(2022)));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ComextOptions {
    /// Level kept from long tables (bulk files always keep CN8).
    pub level: ComextLevel,
    /// Nomenclature declared for the table; `None`: `CN<first year of the data>`.
    pub vintage: Option<Vintage>,
    /// Keep only rows of this frequency; `None` requires one frequency in the file.
    pub freq: Option<Freq>,
    /// Polled between rows (every 65,536): once cancelled, the read stops with
    /// [`Error::Cancelled`].
    pub cancel: crate::cancel::Cancellation,
}

/// Reads a Comext bulk file (`.7z`, `.dat`, `.csv`, optionally `.gz`) or long table.
///
/// ```no_run
/// use tradedep::io::comext::{read_comext, ComextOptions};
/// let t = read_comext("full202201.7z".as_ref(), &ComextOptions::default()).unwrap();
/// assert_eq!(t.meta().currency, "EUR");
/// ```
pub fn read_comext(path: &Path, opts: &ComextOptions) -> Result<TradeTable> {
    let is_7z = path.extension().map(|e| e.eq_ignore_ascii_case("7z")).unwrap_or(false);
    if is_7z {
        let (member, bytes) = crate::io::archive_7z::read_data_member(path)?;
        let name = format!("{}:{member}", display_name(path));
        return read_comext_reader(&bytes[..], &name, opts);
    }
    // Decompression on its own thread, overlapping the parse.
    let input = crate::io::source::read_ahead(open_text(path)?, CHUNK, 4);
    read_comext_reader(input, &display_name(path), opts)
}

/// Reads Comext text from any reader; `name` names it in messages and the `source` column.
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::io::comext::{read_comext_reader, ComextOptions};
/// use tradedep::model::Filter;
/// use tradedep::{Flow, Freq, Vintage};
/// // A bulk file: German exports (FLOW 2) to Russia of CN 85423190 in January 2022 under two
/// // statistical regimes, a confidential code and the chapter-85 aggregate.
/// let text = b"DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,\
/// PRODUCT_CPA2002,PRODUCT_CPA2008,PRODUCT_CPA2_1,PRODUCT_BEC,PRODUCT_SECTION,FLOW,STAT_REGIME,\
/// SUPP_UNIT,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY\n\
/// 004,DE,0075,RU,E,85423190,77641,3210,2611,2611,322,16,2,1,A,202201,1200000,150,5000\n\
/// 004,DE,0075,RU,E,85423190,77641,3210,2611,2611,322,16,2,2,A,202201,300000,30,900\n\
/// 004,DE,0075,RU,E,8542XXXX,776XX,3210,2611,2611,322,16,2,1,,202201,45000,3,\n\
/// 004,DE,0075,RU,E,85,,,,,,16,2,1,,202201,9999999,99,\n";
/// let values = |t: &tradedep::TradeTable| -> Vec<f64> {
///     t.column("value").unwrap().iter().flat_map(|a| a.as_primitive::<Float64Type>().values().to_vec()).collect()
/// };
/// let t = read_comext_reader(&text[..], "full202201.dat", &ComextOptions::default())?;
/// assert_eq!(values(&t), [1_500_000.0]); // 1,200,000 + 300,000 EUR: the regimes summed
/// // Set aside: the regime-2 row (summed into the trade's row), 8542XXXX and 85.
/// assert_eq!((t.report().rows_read, t.report().rows_set_aside()), (4, 3));
/// assert_eq!(t.meta().currency, "EUR");
/// assert_eq!((t.meta().freq, t.meta().vintage), (Freq::Monthly, Some(Vintage::Cn(2022))));
/// assert_eq!(t.filter(&Filter::default().flows([Flow::Export]))?.num_rows(), 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
///
/// Fast path: the text is read in chunks of whole lines (1 MB), split on commas by hand (no
/// allocation per row) and checked row by row on one thread per core (`RowParser`); the
/// chunks' tallies are added to the read on the calling thread in file order
/// (`State::combine`: product numbers, the trade of each key, duplicates, regimes). A chunk
/// holding a quote or a carriage return that does not end a line hands the rest of the input,
/// from that chunk on, to the `csv` crate, which knows quoting; both feed the same
/// `RowParser` and `State::combine`, so rows, errors and their lines are the same (except on
/// CRLF text, where the `csv` crate's line numbers drift and the fast path's are right).
pub fn read_comext_reader<R: Read>(input: R, name: &str, opts: &ComextOptions) -> Result<TradeTable> {
    read_comext_split(input, name, opts, Splitter::Fast { chunk: CHUNK })
}

/// How [`read_comext_split`] cuts text into fields (tests compare them).
///
/// ```
/// use tradedep::io::comext::{read_comext_split, ComextOptions, Splitter};
/// let text = b"reporter_iso2,partner_iso2,product_code,level,period,value_eur\n\
///     DE,RU,85423190,CN8,2021-01,10\n\"FR\",RU,85423190,CN8,2021-01,4\n";
/// let opts = ComextOptions::default();
/// let by_csv = read_comext_split(&text[..], "long.csv", &opts, Splitter::Csv)?;
/// // Chunks of 16 bytes (grown to a line); the quoted "FR" hands the rest to the csv crate.
/// let by_hand = read_comext_split(&text[..], "long.csv", &opts, Splitter::Fast { chunk: 16 })?;
/// assert_eq!(by_csv.num_rows(), 2);
/// assert_eq!(by_csv.batches(), by_hand.batches());
/// // Three threads parsing chunks of one line each: the same table.
/// let three = read_comext_split(&text[..], "long.csv", &opts, Splitter::Parallel { chunk: 1, workers: 3 })?;
/// assert_eq!(by_csv.batches(), three.batches());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Splitter {
    /// By hand, `chunk` bytes at a time (grown for longer lines), handing over to the `csv`
    /// crate at the first chunk that needs it; one parsing thread per core.
    Fast { chunk: usize },
    /// [`Splitter::Fast`] with `workers` parsing threads.
    Parallel { chunk: usize, workers: usize },
    /// The `csv` crate throughout.
    Csv,
}

/// [`read_comext_reader`] with a chosen [`Splitter`].
///
/// ```
/// use tradedep::io::comext::{read_comext_reader, read_comext_split, ComextOptions, Splitter};
/// let text = b"reporter_iso2,partner_iso2,product_code,level,period,value_eur\n\
///     DE,RU,85423190,CN8,2021-01,10\nUK,RU,85423190,CN8,2021-01,4\n";
/// let opts = ComextOptions::default();
/// let t = read_comext_split(&text[..], "long.csv", &opts, Splitter::Csv)?;
/// assert_eq!(t.num_rows(), 2);
/// assert_eq!(t.batches(), read_comext_reader(&text[..], "long.csv", &opts)?.batches());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[doc(hidden)]
pub fn read_comext_split<R: Read>(
    input: R,
    name: &str,
    opts: &ComextOptions,
    splitter: Splitter,
) -> Result<TradeTable> {
    let reader = Reader {
        name,
        opts,
        started: None,
        line: 0,
    };
    let cores = || std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    match splitter {
        Splitter::Csv => reader.rest_csv(input),
        Splitter::Fast { chunk } => chunks::read(reader, input, chunk.max(1), cores().min(MAX_WORKERS)),
        Splitter::Parallel { chunk, workers } => chunks::read(reader, input, chunk.max(1), workers.max(1)),
    }
}

/// Bytes read at a time by the fast path.
const CHUNK: usize = 1 << 20;

/// Parsing threads at most (the combine, on the calling thread, is sequential).
const MAX_WORKERS: usize = 4;

/// Whether `chunk` holds what only a full CSV parser reads right: a quote, or a carriage
/// return that does not end a line (the `csv` crate ends records there).
fn needs_csv(chunk: &[u8]) -> bool {
    memchr::memchr(b'"', chunk).is_some() || memchr::memchr_iter(b'\r', chunk).any(|i| chunk.get(i + 1) != Some(&b'\n'))
}

/// The reader's progress: the header once read, then the rows.
struct Reader<'a> {
    name: &'a str,
    opts: &'a ComextOptions,
    started: Option<Started<'a>>,
    /// Lines consumed so far (the line number of the last record read).
    line: u64,
}

/// A read past its header: what rows are read against, the read so far, and a parser for
/// records read one at a time (the `csv` crate's).
struct Started<'a> {
    ctx: Ctx<'a>,
    state: State<'a>,
    parser: RowParser,
}

impl<'a> Reader<'a> {
    /// One record: the header first, then rows; blank records are skipped.
    fn record(&mut self, rec: &[&[u8]], line: u64) -> Result<()> {
        let Some(s) = &mut self.started else {
            self.started = Some(start(rec, self.name, self.opts)?);
            return Ok(());
        };
        let parsed = s.parser.record(&s.ctx, rec, line, 0);
        // The rows before come first: an error of theirs is the read's first.
        let ctx = &s.ctx;
        s.state.combine(&mut s.parser.tally, &|_| ctx.quote(rec))?;
        parsed
    }

    /// The rest of the input through the `csv` crate, lines counted on from `self.line`.
    fn rest_csv<R: Read>(mut self, input: R) -> Result<TradeTable> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let offset = self.line;
        let mut rec = csv::ByteRecord::new();
        while rdr
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(e, self.name, offset))?
        {
            let line = offset + rec.position().map(|p| p.line()).unwrap_or(0);
            let fields: Vec<&[u8]> = rec.iter().collect();
            self.record(&fields, line)?;
        }
        self.finish()
    }

    fn finish(self) -> Result<TradeTable> {
        match self.started {
            Some(s) => s.state.finish(),
            None => Err(Error::format(
                "empty file",
                Location::file(self.name),
                "download the file again from Eurostat",
            )),
        }
    }
}

/// Reads the header: the layout, the columns and a fresh [`State`].
fn start<'a>(rec: &[&[u8]], name: &'a str, opts: &'a ComextOptions) -> Result<Started<'a>> {
    let header: Vec<String> = rec
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let lower: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    for (j, h) in lower.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
        if let Some(i) = lower[..j].iter().position(|g| g == h) {
            return Err(crate::io::source::duplicate_column(name, &header[j], i, j));
        }
    }
    let find = |names: &[&str]| names.iter().find_map(|n| lower.iter().position(|h| h == n));
    let layout = if let (Some(_), Some(_)) = (find(&["declarant_iso", "reporter"]), find(&["product_nc"])) {
        Layout::Bulk
    } else if find(&["reporter_iso2"]).is_some() && find(&["product_code"]).is_some() {
        Layout::Long
    } else if find(&["reporter"]).is_some() && find(&["value_eur"]).is_some() {
        return Err(Error::format(
            "a table of total trade (all products) by Eurostat country label",
            Location::file(name).line(1).value(header.join(",")),
            "trade tables hold product rows and country codes; read this file with pandas (it has no product column, and its reporters include EU and euro-area aggregates)",
        ));
    } else {
        return Err(Error::format(
            "not a Comext file: the header has neither DECLARANT_ISO/PRODUCT_NC (bulk file) nor reporter_iso2/product_code (long table)",
            Location::file(name).line(1).value(header.join(",")),
            "pass a Comext bulk file (full*.dat or its .7z) or a long table reporter_iso2, partner_iso2, product_code, level, period, value_eur",
        ));
    };
    let cols = Columns::resolve(layout, &header, name)?;
    Ok(Started {
        ctx: Ctx {
            name,
            opts,
            layout,
            header,
            cols,
        },
        state: State::new(name, layout, opts),
        parser: RowParser::new(),
    })
}

/// What every row is read against: the file, the options, its layout, header and columns.
struct Ctx<'a> {
    name: &'a str,
    opts: &'a ComextOptions,
    layout: Layout,
    header: Vec<String>,
    cols: Columns,
}

impl Ctx<'_> {
    fn loc(&self, line: u64, col: usize, value: &str) -> Location {
        let mut l = Location::file(self.name).line(line).value(value);
        if let Some(h) = self.header.get(col) {
            l = l.column(h.clone());
        }
        l
    }

    fn field<'r, F: parse::Field<'r>>(&self, rec: &[F], col: usize, line: u64) -> Result<&'r str> {
        let Some(f) = rec.get(col).copied() else {
            return Ok("");
        };
        let raw = f.bytes();
        // Nothing to trim when both ends are ASCII and not whitespace (Unicode spaces start
        // with a byte >= 0x80): `trim` is skipped for nearly every field.
        let plain = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace());
        let untrimmed = plain(raw.first()) && plain(raw.last());
        f.text().map(|s| if untrimmed { s } else { s.trim() }).map_err(|_| {
            Error::format(
                "text that is not UTF-8 or ASCII",
                self.loc(line, col, &String::from_utf8_lossy(raw)),
                "Comext files are ASCII text",
            )
        })
    }

    /// A kept row's reporter, partner, product and period as the file has them (for messages).
    fn quote(&self, rec: &[&[u8]]) -> String {
        let c = &self.cols;
        let f = |col| self.field(rec, col, 0).unwrap_or_default();
        format!("{},{},{},{}", f(c.reporter), f(c.partner), f(c.product), f(c.period))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Bulk,
    Long,
}

/// Column positions.
struct Columns {
    width: usize,
    reporter: usize,
    partner: usize,
    product: usize,
    level: Option<usize>,
    flow: Option<usize>,
    regime: Option<usize>,
    period: usize,
    value: usize,
    kg: Option<usize>,
    /// `SUP_QUANTITY` and its unit code `SUPP_UNIT`.
    supp: Option<(usize, usize)>,
}

impl Columns {
    fn resolve(layout: Layout, header: &[String], name: &str) -> Result<Columns> {
        let lower: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
        let find = |names: &[&str]| names.iter().find_map(|n| lower.iter().position(|h| h == n));
        let supp = find(&["sup_quantity", "supp_quantity"]).zip(find(&["supp_unit", "sup_unit"]));
        let need = |names: &[&str]| {
            find(names).ok_or_else(|| {
                Error::format(
                    format!("Comext {} file without column {}", if layout == Layout::Bulk { "bulk" } else { "long" }, names[0].to_ascii_uppercase()),
                    Location::file(name).line(1).value(header.join(",")),
                    "the bulk layout is DECLARANT, DECLARANT_ISO, PARTNER, PARTNER_ISO, ..., PRODUCT_NC, ..., FLOW, STAT_REGIME, SUPP_UNIT, PERIOD, VALUE_IN_EUROS, QUANTITY_IN_KG, SUP_QUANTITY",
                )
            })
        };
        Ok(match layout {
            Layout::Bulk => Columns {
                width: header.len(),
                reporter: need(&["declarant_iso", "reporter"])?,
                partner: need(&["partner_iso", "partner"])?,
                product: need(&["product_nc"])?,
                level: None,
                flow: Some(need(&["flow"])?),
                regime: find(&["stat_regime", "stat_procedure"]),
                period: need(&["period"])?,
                value: need(&["value_in_euros", "value_eur", "value_in_eur"])?,
                kg: find(&["quantity_in_kg", "quantity_kg"]),
                supp,
            },
            Layout::Long => Columns {
                width: header.len(),
                reporter: need(&["reporter_iso2"])?,
                partner: need(&["partner_iso2"])?,
                product: need(&["product_code"])?,
                level: find(&["level"]),
                flow: find(&["flow"]),
                regime: None,
                period: need(&["period"])?,
                value: need(&["value_eur", "value_in_euros"])?,
                kg: find(&["quantity_in_kg", "quantity_kg"]),
                supp,
            },
        })
    }
}

fn csv_error(e: csv::Error, name: &str, line_offset: u64) -> Error {
    let mut loc = Location::file(name);
    if let Some(p) = e.position() {
        loc = loc.line(line_offset + p.line());
    }
    Error::format(
        format!("malformed CSV ({e})"),
        loc,
        "Comext files are comma-separated text",
    )
}

/// Eurostat geo code -> Comtrade numeric code. Eurostat writes Greece `EL` and the United
/// Kingdom `UK`; everything else is ISO alpha-2.
///
/// ```
/// use tradedep::io::comext::eurostat_geo_code;
/// assert_eq!(eurostat_geo_code("EL"), Some(300)); // Greece
/// assert_eq!(eurostat_geo_code("uk"), Some(826)); // United Kingdom
/// assert_eq!(eurostat_geo_code("DE"), Some(276));
/// assert_eq!(eurostat_geo_code("EU27_2020"), None); // an aggregate, not a country
/// ```
pub fn eurostat_geo_code(code: &str) -> Option<u16> {
    let c = code.trim().to_ascii_uppercase();
    let iso = match c.as_str() {
        "EL" => "GR",
        "UK" => "GB",
        other => other,
    };
    if iso.len() != 2 || !iso.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let found = countries::country(iso)
        .ok()
        .map(|c| c.comtrade)
        .filter(|c| countries::is_known_code(*c));
    found.or_else(|| FALLBACK_GEO.iter().find(|(k, _)| *k == iso).map(|(_, v)| *v))
}

/// Comtrade/BACI codes of the EU27, the UK and the partners Comext users study most, used while
/// `reference::countries` cannot resolve them (checked against BACI's country_codes_V202301).
const FALLBACK_GEO: [(&str, u16); 45] = [
    ("AT", 40),
    ("BE", 56),
    ("BG", 100),
    ("HR", 191),
    ("CY", 196),
    ("CZ", 203),
    ("DK", 208),
    ("EE", 233),
    ("FI", 246),
    ("FR", 251),
    ("DE", 276),
    ("GR", 300),
    ("HU", 348),
    ("IE", 372),
    ("IT", 380),
    ("LV", 428),
    ("LT", 440),
    ("LU", 442),
    ("MT", 470),
    ("NL", 528),
    ("PL", 616),
    ("PT", 620),
    ("RO", 642),
    ("SK", 703),
    ("SI", 705),
    ("ES", 724),
    ("SE", 752),
    ("GB", 826),
    ("RU", 643),
    ("BY", 112),
    ("KZ", 398),
    ("GE", 268),
    ("AM", 51),
    ("UZ", 860),
    ("KG", 417),
    ("CN", 156),
    ("HK", 344),
    ("US", 842),
    ("TR", 792),
    ("AE", 784),
    ("UA", 804),
    ("CH", 757),
    ("NO", 579),
    ("IN", 699),
    ("JP", 392),
];

/// Period: YYYYMM (month 52 = year total) in bulk files, YYYY-MM in long tables.
fn comext_period(s: &str) -> Option<Period> {
    let t = s.trim();
    if t.len() == 6 && t.ends_with("52") && t.bytes().all(|b| b.is_ascii_digit()) {
        t[..4].parse().ok().and_then(|y| Period::from_code(y, Freq::Annual))
    } else {
        Period::parse(s).ok()
    }
}

/// A non-negative amount: digit-only text (nearly every Comext value) is read exactly as an
/// integer, anything else by `str::parse` (decimals, exponents); `None` if not a finite
/// non-negative number.
fn amount(s: &str) -> Option<f64> {
    if !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()) {
        // Below 10^15 < 2^53: the integer is exactly the f64 `parse` would give.
        return Some(s.bytes().fold(0u64, |n, b| n * 10 + (b - b'0') as u64) as f64);
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

/// Up to 8 bytes as one integer (zero-padded): distinct for the digit codes it is used on.
fn pack8(b: &[u8]) -> u64 {
    debug_assert!(b.len() <= 8 && !b.contains(&0));
    let mut a = [0u8; 8];
    a[..b.len().min(8)].copy_from_slice(&b[..b.len().min(8)]);
    u64::from_le_bytes(a)
}

/// The code [`pack8`] packed.
fn unpack8(packed: u64) -> String {
    let b = packed.to_le_bytes();
    let n = b.iter().position(|x| *x == 0).unwrap_or(8);
    String::from_utf8_lossy(&b[..n]).into_owned()
}

type Key = (i32, u16, u16, Flow, u32);

/// A trade of one product: period, reporter, partner, flow.
type TradeOf = (i32, u16, u16, Flow);

/// The table row of one kept trade (values as Eurostat publishes them: imports CIF, exports
/// FOB); the columnar [`table::from_trades`] writes the same rows.
fn trade_row<'a>(key: &Key, acc: &Acc, products: &'a [String], units: &'a [String]) -> TradeRow<'a> {
    let (period, reporter, partner, flow, pid) = *key;
    TradeRow {
        period,
        reporter,
        partner,
        flow,
        product: products.get(pid as usize).map(|s| s.as_str()).unwrap_or(""),
        value: acc.value,
        value_basis: Some(if flow == Flow::Import {
            ValueBasis::Cif
        } else {
            ValueBasis::Fob
        }),
        quantity: acc.supp.map(|(q, _)| q),
        quantity_unit: acc.supp.and_then(|(_, u)| units.get(u as usize)).map(|u| u.as_str()),
        net_weight_kg: acc.kg,
        estimated: false,
    }
}

struct Acc {
    line: u64,
    value: f64,
    kg: Option<f64>,
    /// Supplementary quantity and its unit (an index into `State::supp_units`).
    supp: Option<(f64, u16)>,
    parts: u32,
    has_total_regime: bool,
}

/// The read so far, in file order: trades by their key, product numbers, what was set aside.
struct State<'a> {
    name: &'a str,
    layout: Layout,
    opts: &'a ComextOptions,
    report: crate::ReadReport,
    products: Vec<String>,
    /// Product code (at most 8 ASCII digits once checked, see [`pack8`]) -> index in `products`.
    product_ids: HashMap<u64, u32>,
    /// The last product looked up and its index (files are mostly in product order).
    last_product: Option<(u64, u32)>,
    /// Kept trades in order of first appearance, and where each key is in it: one map per
    /// product (by its index), so that a file in product order probes a small map in cache
    /// instead of one map of every trade (a cache miss per row).
    accs: Vec<(Key, Acc)>,
    rows: Vec<HashMap<TradeOf, u32>>,
    freqs: BTreeMap<Freq, u64>,
    years: BTreeSet<i32>,
    unknown_geo: BTreeSet<String>,
    aside_value: BTreeMap<&'static str, f64>,
    /// Rows of each [`ComextLevel`] (by its discriminant).
    level_rows: [u64; 2],
    merged_regimes: u64,
    /// Exact repeats of a long-table row, set aside.
    duplicates: u64,
    /// Supplementary unit codes seen, in order of appearance.
    supp_units: Vec<String>,
    /// Trades whose regime rows had different (or missing) supplementary units.
    supp_unit_conflicts: u64,
    /// Rows with a non-zero SUP_QUANTITY but no SUPP_UNIT.
    supp_without_unit: u64,
    flow_from_file: bool,
}

const R_AGGREGATE: &str = "product aggregate (TOTAL, 2/4/6-digit code): would double count CN8 rows";
const R_CONFIDENTIAL: &str = "confidential or special product code (e.g. 8542XXXX): not a CN8 code";
const R_OTHER_LEVEL: &str = "product of the other level than the one kept (level=)";
const R_UNKNOWN_GEO: &str = "unknown reporter or partner geo code";
const R_NO_VALUE: &str = "no value (empty or ':' confidential)";
const R_REGIME: &str = "statistical regime row summed into the trade's total";
const R_REGIME_TOTAL: &str = "statistical regime row where the file has the regime total";
const R_FREQ: &str = "period of the other frequency (freq= chose one)";

impl<'a> State<'a> {
    fn new(name: &'a str, layout: Layout, opts: &'a ComextOptions) -> Self {
        State {
            name,
            layout,
            opts,
            report: crate::ReadReport::new(name),
            products: vec![],
            product_ids: HashMap::new(),
            last_product: None,
            accs: vec![],
            rows: vec![],
            freqs: BTreeMap::new(),
            years: BTreeSet::new(),
            unknown_geo: BTreeSet::new(),
            aside_value: BTreeMap::new(),
            level_rows: [0; 2],
            merged_regimes: 0,
            duplicates: 0,
            supp_units: vec![],
            supp_unit_conflicts: 0,
            supp_without_unit: 0,
            flow_from_file: false,
        }
    }

    /// Adds the rows of `t` (the next rows of the file, checked by a [`RowParser`]) to the
    /// read and empties it. `quote(at)` gives the reporter, partner, product and period of the
    /// row whose line starts at byte `at` of its chunk (for the error on a conflicting row).
    fn combine(&mut self, t: &mut Tally, quote: &dyn Fn(usize) -> String) -> Result<()> {
        let every = crate::io::comtrade::CANCEL_EVERY as u64;
        let before = self.report.rows_read;
        self.report.rows_read += t.rows_read;
        if before / every != self.report.rows_read / every {
            self.opts.cancel.check()?;
        }
        // One reason's rows are all set aside here or all in `keep`: the report's examples of
        // each reason are its first rows in file order.
        for a in t.asides.drain(..) {
            let shown = a.examples.len() as u64;
            for (line, detail) in a.examples {
                self.report.set_aside(a.reason, line, || detail);
            }
            self.report.set_aside_many(a.reason, a.count - shown);
        }
        // Summed in row order, each run of one reason in a local (no map lookup per row).
        let mut run: Option<(&'static str, f64)> = None;
        for (reason, v) in t.aside_values.drain(..) {
            match &mut run {
                Some((r, sum)) if std::ptr::eq(*r, reason) || *r == reason => *sum += v,
                _ => {
                    if let Some((r, sum)) = run {
                        self.aside_value.insert(r, sum);
                    }
                    run = Some((reason, *self.aside_value.get(reason).unwrap_or(&0.0) + v));
                }
            }
        }
        if let Some((r, sum)) = run {
            self.aside_value.insert(r, sum);
        }
        for (all, n) in self.level_rows.iter_mut().zip(t.level_rows) {
            *all += n;
        }
        for (f, n) in [Freq::Annual, Freq::Monthly].into_iter().zip(t.freqs) {
            if n > 0 {
                *self.freqs.entry(f).or_default() += n;
            }
        }
        self.years.append(&mut t.years);
        self.unknown_geo.append(&mut t.unknown_geo);
        self.supp_without_unit += t.supp_without_unit;
        self.flow_from_file |= t.flow_seen;
        // Units in order of first appearance in the chunk: numbered in file order here.
        let units: Vec<u16> = t
            .supp_units
            .iter()
            .map(|u| unit_index(&mut self.supp_units, u))
            .collect();
        for k in t.kept.drain(..) {
            self.keep(k, &units, quote)?;
        }
        t.clear();
        Ok(())
    }

    /// One kept row: a new trade, or one more row of a known trade (a duplicate, a conflict, a
    /// statistical regime).
    fn keep(&mut self, k: Kept, units: &[u16], quote: &dyn Fn(usize) -> String) -> Result<()> {
        let pid = match self.last_product {
            Some((packed, i)) if packed == k.product => i,
            _ => {
                let i = match self.product_ids.get(&k.product) {
                    Some(i) => *i,
                    None => {
                        let i = self.products.len() as u32;
                        self.products.push(unpack8(k.product));
                        self.product_ids.insert(k.product, i);
                        // Sized as the last product's (products of one file look alike): no
                        // growth step for most.
                        let like = self.rows.last().map_or(0, |m| m.len().min(1 << 12));
                        self.rows.push(HashMap::with_capacity(like));
                        i
                    }
                };
                self.last_product = Some((k.product, i));
                i
            }
        };
        let (line, value, kg, is_total_regime) = (k.line, k.value, k.kg, k.total_regime);
        let supp = k.supp.map(|(q, u)| (q, units[u as usize]));
        let key = (k.period, k.reporter, k.partner, k.flow, pid);
        let next = self.accs.len() as u32;
        // One probe of the key map per row.
        let known = match self.rows[pid as usize].entry((k.period, k.reporter, k.partner, k.flow)) {
            hashbrown::hash_map::Entry::Occupied(o) => Some(*o.get()),
            hashbrown::hash_map::Entry::Vacant(v) => {
                v.insert(next);
                None
            }
        };
        let Some(i) = known else {
            self.accs.push((
                key,
                Acc {
                    line,
                    value,
                    kg,
                    supp,
                    parts: 1,
                    has_total_regime: is_total_regime,
                },
            ));
            return Ok(());
        };
        let acc = &mut self.accs[i as usize].1;
        if self.layout == Layout::Long && (acc.value, acc.kg, acc.supp) == (value, kg, supp) {
            // An exact repeat: set aside and counted, as in every reader.
            let first = acc.line;
            self.duplicates += 1;
            self.report
                .set_aside(crate::model::REASON_DUPLICATE, line, || format!("same as line {first}"));
            return Ok(());
        }
        if self.layout == Layout::Long {
            return Err(Error::invalid_data(
                format!(
                    "second row for the same reporter, partner, product and period, with other values (first at line {})",
                    acc.line
                ),
                Location::file(self.name).line(line).value(quote(k.at)),
                "a long table has one row per reporter, partner, product and period; remove the duplicate",
            ));
        }
        if acc.has_total_regime || is_total_regime {
            // The regime total stands for the trade; its parts are set aside.
            if is_total_regime && !acc.has_total_regime {
                let parts = acc.parts as u64;
                *acc = Acc {
                    line,
                    value,
                    kg,
                    supp,
                    parts: 1,
                    has_total_regime: true,
                };
                self.report.set_aside_many(R_REGIME_TOTAL, parts);
            } else {
                self.report.set_aside(R_REGIME_TOTAL, line, String::new);
            }
        } else {
            acc.value += value;
            acc.kg = match (acc.kg, kg) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
            acc.supp = match (acc.supp, supp) {
                (Some((a, u)), Some((b, v))) if u == v => Some((a + b, u)),
                (None, None) => None,
                // One unit per CN8 code: anything else is not summed.
                _ => {
                    self.supp_unit_conflicts += 1;
                    None
                }
            };
            acc.parts += 1;
            self.merged_regimes += 1;
            self.report
                .set_aside(R_REGIME, line, || format!("into the row of line {}", acc.line));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<TradeTable> {
        let freq = match (self.opts.freq, self.freqs.len()) {
            (Some(f), _) => f,
            (None, 0 | 1) => self.freqs.keys().next().copied().unwrap_or(Freq::Monthly),
            (None, _) => {
                return Err(Error::invalid_data(
                    format!(
                        "file mixes {} monthly rows and {} annual rows (period month 52)",
                        self.freqs.get(&Freq::Monthly).unwrap_or(&0),
                        self.freqs.get(&Freq::Annual).unwrap_or(&0)
                    ),
                    Location::file(self.name),
                    "a table has one frequency: pass freq=\"M\" or freq=\"A\" to keep one and set the other aside",
                ))
            }
        };
        let vintage = match self.opts.vintage {
            Some(v) => v,
            None => {
                let first = self.years.iter().next().copied().unwrap_or(2022);
                if self.years.len() > 1 {
                    self.report.note(format!(
                        "the data spans {}-{}; CN changes every year and each year's codes are as reported in that year's CN: each year is read in its own CN (vintages per period {}); pass vintage= to declare one for all years",
                        first,
                        self.years.iter().next_back().copied().unwrap_or(first),
                        self.years.iter().map(|y| format!("{y}=CN{y}")).collect::<Vec<_>>().join(", ")
                    ));
                }
                Vintage::Cn(first as u16)
            }
        };
        if self.level_rows.iter().all(|n| *n > 0) {
            let [cn8, hs4] = self.level_rows;
            self.report.note(format!(
                "the file holds {cn8} CN8 and {hs4} HS4 rows; kept {} only (HS4 rows aggregate CN8 rows: summing both would double count); pass level= to keep the other",
                self.opts.level.label()
            ));
        }
        if !self.flow_from_file {
            self.report
                .note("the file has no flow column: its rows are EU exports (flow = export, FOB)");
        }
        if self.duplicates > 0 {
            self.report.note(format!(
                "{} duplicate row(s) (equal to an earlier row of the same reporter, partner, product and period) set aside",
                self.duplicates
            ));
        }
        if self.merged_regimes > 0 {
            self.report.note(format!(
                "summed the statistical regimes (STAT_REGIME) of each trade into one row: {} regime rows merged",
                self.merged_regimes
            ));
        }
        for (reason, v) in &self.aside_value {
            if *v > 0.0 {
                self.report
                    .note(format!("rows set aside as {reason:?} are worth {v:.0} EUR"));
            }
        }
        if !self.unknown_geo.is_empty() {
            self.report
                .note(format!("unknown geo codes set aside: {:?}", self.unknown_geo));
        }
        // The `quantity_unit` of each supplementary unit code.
        let units: Vec<String> = self.supp_units.iter().map(|u| format!("supp_unit:{u}")).collect();
        if !units.is_empty() {
            self.report.note(format!(
                "supplementary quantities (SUP_QUANTITY) are in quantity, their unit supp_unit:<SUPP_UNIT code> ({}); QUANTITY_IN_KG is the net weight",
                units.join(", ")
            ));
        } else if self.layout == Layout::Bulk {
            self.report
                .note("no supplementary quantities (SUP_QUANTITY) in the file; QUANTITY_IN_KG is the net weight");
        }
        if self.supp_without_unit > 0 {
            self.report.note(format!(
                "{} rows had a SUP_QUANTITY but no SUPP_UNIT code: their supplementary quantity is left out",
                self.supp_without_unit
            ));
        }
        if self.supp_unit_conflicts > 0 {
            self.report.note(format!(
                "{} trades had regime rows with different or missing supplementary units: their quantity is left empty",
                self.supp_unit_conflicts
            ));
        }
        self.report.note("values are in EUR as Eurostat publishes them (exports FOB, imports CIF); convert before combining with USD tables");
        let mut meta = TableMeta::new(freq, "EUR", Some(vintage));
        if self.opts.vintage.is_none() && self.years.len() > 1 {
            meta = meta.with_period_vintages(self.years.iter().map(|y| (*y, Vintage::Cn(*y as u16))).collect());
        }
        let report = std::mem::take(&mut self.report);
        if units.len() < i8::MAX as usize {
            return table::from_trades(self.name, meta, report, &self.accs, &self.products, &units);
        }
        // More units than a table's dictionary holds: the row builder says so.
        let mut b = TradeTableBuilder::new(self.name, meta);
        *b.report_mut() = report;
        for (key, acc) in &self.accs {
            b.push(trade_row(key, acc, &self.products, &units))?;
        }
        b.finish()
    }
}

/// The index of supplementary unit `code` in `units` (in order of first appearance), added
/// when new.
pub(super) fn unit_index(units: &mut Vec<String>, code: &str) -> u16 {
    match units.iter().position(|u| u == code) {
        Some(i) => i as u16,
        None => {
            units.push(code.to_string());
            (units.len() - 1) as u16
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BULK: &str = "DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,PRODUCT_CPA2002,PRODUCT_CPA2008,PRODUCT_CPA2_1,PRODUCT_BEC,PRODUCT_SECTION,FLOW,STAT_REGIME,SUPP_UNIT,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY\n";

    fn bulk(body: &str) -> Result<TradeTable> {
        read_comext_reader(
            format!("{BULK}{body}").as_bytes(),
            "full202201.dat",
            &ComextOptions::default(),
        )
    }

    #[test]
    fn greece_is_el_and_uk_is_gb() {
        assert_eq!(eurostat_geo_code("EL"), Some(300));
        assert_eq!(eurostat_geo_code("GR"), Some(300));
        assert_eq!(eurostat_geo_code("UK"), eurostat_geo_code("GB"));
        assert_eq!(eurostat_geo_code("QS"), None);
        assert_eq!(eurostat_geo_code("EU27_2020"), None);
    }

    #[test]
    fn regimes_are_summed_and_aggregates_set_aside() {
        let t = bulk(
            "004,DE,0075,RU,E,85423190,77641,,,,,,2,1,,202201,1000,10,\n\
             004,DE,0075,RU,E,85423190,77641,,,,,,2,2,,202201,500,5,\n\
             004,DE,0075,RU,E,8542XXXX,77641,,,,,,2,1,,202201,70,1,\n\
             004,DE,0075,RU,E,TOTAL,,,,,,,2,1,,202201,99999,1,\n\
             009,EL,0075,RU,E,85423190,77641,,,,,,1,1,,202201,300,,\n\
             004,DE,1010,QS,E,85423190,77641,,,,,,2,1,,202201,8,,\n",
        )
        .unwrap();
        assert_eq!(t.num_rows(), 2);
        assert_eq!(t.meta().currency, "EUR");
        assert_eq!(t.meta().vintage, Some(Vintage::Cn(2022)));
        let r = t.report();
        assert_eq!(r.rows_read, 6);
        assert!(r.is_balanced(), "{r}");
        assert_eq!(r.set_aside[R_REGIME], 1);
        assert_eq!(r.set_aside[R_CONFIDENTIAL], 1);
        assert_eq!(r.set_aside[R_AGGREGATE], 1);
        assert_eq!(r.set_aside[R_UNKNOWN_GEO], 1);
        let v = t.batches()[0]
            .column(5)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        assert_eq!(v.values().to_vec(), vec![1500.0, 300.0]);
        let w = t.batches()[0]
            .column(9)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        assert_eq!(w.value(0), 15.0);
        assert!(arrow_array::Array::is_null(w, 1));
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("8542XXXX") || n.contains("worth 70 EUR")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn supplementary_quantities_keep_their_unit_code() {
        // Two regimes of one trade in unit A are summed; a trade whose regimes disagree on the
        // unit gets no quantity; a product without a supplementary unit has none.
        let t = bulk(
            "004,DE,0075,RU,E,85076000,,,,,,,2,1,A,202201,1000,10,5000\n\
             004,DE,0075,RU,E,85076000,,,,,,,2,2,A,202201,500,5,900\n\
             004,DE,0075,RU,E,85442000,,,,,,,2,1,M,202201,700,7,30\n\
             004,DE,0075,RU,E,85442000,,,,,,,2,2,A,202201,70,1,4\n\
             004,DE,0075,RU,E,85423190,,,,,,,2,1,,202201,300,2,\n\
             004,DE,0075,RU,E,88073000,,,,,,,2,1,,202201,40,1,0\n",
        )
        .unwrap();
        assert_eq!(t.num_rows(), 4);
        let b = &t.batches()[0];
        let col = |name: &str| b.column_by_name(name).unwrap().clone();
        let q = col("quantity");
        let q = q.as_any().downcast_ref::<arrow_array::Float64Array>().unwrap();
        let (unit_col, product_col) = (col("quantity_unit"), col("product"));
        let fmt = Default::default();
        let units = arrow_cast::display::ArrayFormatter::try_new(unit_col.as_ref(), &fmt).unwrap();
        let products = arrow_cast::display::ArrayFormatter::try_new(product_col.as_ref(), &fmt).unwrap();
        let mut seen = std::collections::HashMap::new();
        for r in 0..b.num_rows() {
            let unit = if arrow_array::Array::is_null(q, r) {
                None
            } else {
                Some((q.value(r), units.value(r).to_string()))
            };
            seen.insert(products.value(r).to_string(), unit);
        }
        assert_eq!(seen["85076000"], Some((5900.0, "supp_unit:A".to_string())));
        assert_eq!(seen["85442000"], None);
        assert_eq!(seen["85423190"], None);
        assert_eq!(seen["88073000"], None);
        let notes = &t.report().notes;
        assert!(
            notes.iter().any(|n| n.contains("supp_unit:A, supp_unit:M")),
            "{notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("1 trades had regime rows with different")),
            "{notes:?}"
        );

        let e = bulk("004,DE,0075,RU,E,85076000,,,,,,,2,1,A,202201,1000,10,many\n").unwrap_err();
        let m = e.to_string();
        assert!(matches!(e, Error::Parse { .. }));
        assert!(
            m.contains("line 2") && m.contains("SUP_QUANTITY") && m.contains("many"),
            "{m}"
        );
        // A quantity without its unit is left out and counted.
        let t = bulk("004,DE,0075,RU,E,85076000,,,,,,,2,1,,202201,1000,10,12\n").unwrap();
        assert!(
            t.report()
                .notes
                .iter()
                .any(|n| n.starts_with("1 rows had a SUP_QUANTITY but no SUPP_UNIT")),
            "{:?}",
            t.report().notes
        );
    }

    #[test]
    fn annual_month_52_and_mixed_frequencies() {
        let t = bulk("004,DE,0075,RU,E,85423190,,,,,,,2,1,,202152,10,,\n").unwrap();
        assert_eq!(t.meta().freq, Freq::Annual);
        let e = bulk(
            "004,DE,0075,RU,E,85423190,,,,,,,2,1,,202152,10,,\n004,DE,0075,RU,E,85423190,,,,,,,2,1,,202101,10,,\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("freq="), "{e}");
    }

    #[test]
    fn bad_inputs_give_located_errors() {
        let e = bulk("004,DE,0075,RU,E,85423190,,,,,,,7,1,,202201,10,,\n").unwrap_err();
        assert!(matches!(e, Error::Parse { .. }));
        let m = e.to_string();
        assert!(m.contains("line 2") && m.contains("FLOW") && m.contains("\"7\""), "{m}");
        let e = bulk("004,DE,0075,RU,E,85423190,,,,,,,2,1,,202201,ten,,\n").unwrap_err();
        assert!(
            e.to_string().contains("VALUE_IN_EUROS") && e.to_string().contains("ten"),
            "{e}"
        );
        let e = bulk("004,DE,0075,RU,E,85423190,,,,\n").unwrap_err();
        assert!(matches!(e, Error::Format { .. }));
        let e = read_comext_reader(&b"x,y\n1,2\n"[..], "x.csv", &Default::default()).unwrap_err();
        assert!(e.to_string().contains("not a Comext file"), "{e}");
    }

    #[test]
    fn long_table_keeps_one_level() {
        let body = "reporter_iso2,partner_iso2,product_code,level,period,value_eur\n\
                    DE,RU,85423190,CN8,2021-01,10\nDE,RU,8542,HS4,2021-01,15\nGR,KZ,85423190,CN8,2022-02,4\n";
        let t = read_comext_reader(body.as_bytes(), "long.csv", &ComextOptions::default()).unwrap();
        assert_eq!(t.num_rows(), 2);
        assert_eq!(t.meta().vintage, Some(Vintage::Cn(2021)));
        assert!(t.report().notes.iter().any(|n| n.contains("2021-2022")));
        let h = read_comext_reader(
            body.as_bytes(),
            "long.csv",
            &ComextOptions {
                level: ComextLevel::Hs4,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(h.num_rows(), 1);
        assert_eq!(h.report().set_aside[R_OTHER_LEVEL], 2);
    }
}
