//! Trade tables from any Arrow record batches (pandas, polars, pyarrow, DuckDB, Parquet, the
//! generic CSV reader) through a [`ColumnMapping`].
//!
//! Producers disagree on types, so every source column is normalised first: strings may be
//! Utf8, LargeUtf8, Utf8View or dictionary-encoded; integers any width, signed or not; floats
//! 16/32/64 bits or decimals. Rules that change data are counted in the report:
//! - product codes written as integers or as digit strings of odd length lost a leading zero
//!   (`10121` is HS `010121`, `101` is `0101`): one `0` is put back and the rows are counted
//!   in a note. An integer keeps its length otherwise (HS4 `8542` stays `8542`);
//! - rows whose partner is World (code 0, `WLD`, `World`) are set aside: a table of partners
//!   never holds the World total;
//! - rows without a value are set aside; negative or non-finite values are errors.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
//! use tradedep::io::arrow_input::{from_record_batches, ColumnMapping};
//! use tradedep::{Flow, Freq};
//! let batch = RecordBatch::try_from_iter([
//!     ("year", Arc::new(Int64Array::from(vec![2021, 2021])) as ArrayRef),
//!     ("exporter", Arc::new(Int64Array::from(vec![156, 156])) as ArrayRef),
//!     ("importer", Arc::new(Int64Array::from(vec![643, 643])) as ArrayRef),
//!     ("hs6", Arc::new(Int64Array::from(vec![10121, 854231])) as ArrayRef),
//!     ("usd", Arc::new(Float64Array::from(vec![1.5, 2.0])) as ArrayRef),
//! ]).unwrap();
//! let mapping = ColumnMapping::new()
//!     .column("period", "year").column("reporter", "exporter").column("partner", "importer")
//!     .column("product", "hs6").column("value", "usd")
//!     .flow(Flow::Export).freq(Freq::Annual);
//! let table = from_record_batches(vec![batch], &mapping).unwrap();
//! assert_eq!(table.num_rows(), 2);
//! ```

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use hashbrown::HashMap;

use crate::cancel::Cancellation;
use crate::error::{Error, Location, Result};
use crate::io::baci::OnUnknownCountry;
use crate::model::schema::col;
use crate::model::{
    Flow, Freq, Period, ProductCode, TableMeta, TradeRow, TradeTable, TradeTableBuilder, ValueBasis, Vintage,
    REASON_IMPORTER,
};
use crate::reference::countries;

/// Reason under which rows with partner World are set aside.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
/// use tradedep::io::arrow_input::{from_record_batches, ColumnMapping, REASON_NO_VALUE, REASON_WORLD};
/// use tradedep::{Flow, Freq};
/// let batch = RecordBatch::try_from_iter([
///     ("year", Arc::new(Int64Array::from(vec![2021, 2021, 2021])) as ArrayRef),
///     ("reporter", Arc::new(StringArray::from(vec!["CHN", "CHN", "CHN"])) as ArrayRef),
///     ("partner", Arc::new(StringArray::from(vec!["RUS", "WLD", "RUS"])) as ArrayRef),
///     ("hs6", Arc::new(StringArray::from(vec!["854231", "854231", "850760"])) as ArrayRef),
///     ("usd", Arc::new(Float64Array::from(vec![Some(1.5), Some(9.0), None])) as ArrayRef),
/// ]).unwrap();
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "reporter").column("partner", "partner")
///     .column("product", "hs6").column("value", "usd").flow(Flow::Export).freq(Freq::Annual);
/// let t = from_record_batches(vec![batch], &mapping)?;
/// assert_eq!(t.num_rows(), 1);
/// assert_eq!(t.report().set_aside[REASON_WORLD], 1);
/// assert_eq!(t.report().set_aside[REASON_NO_VALUE], 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const REASON_WORLD: &str = "partner is World (a total, not a partner)";
/// Reason under which rows without a value are set aside.
///
/// See the example on [`REASON_WORLD`].
pub const REASON_NO_VALUE: &str = "value missing";
/// Reason under which rows with an unknown country are set aside (on request).
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
/// use tradedep::io::arrow_input::{from_record_batches, ColumnMapping, REASON_UNKNOWN_COUNTRY};
/// use tradedep::io::OnUnknownCountry;
/// use tradedep::Flow;
/// let batch = RecordBatch::try_from_iter([
///     ("t", Arc::new(Int64Array::from(vec![2021, 2021])) as ArrayRef),
///     ("i", Arc::new(Int64Array::from(vec![156, 1234])) as ArrayRef),
///     ("j", Arc::new(Int64Array::from(vec![643, 643])) as ArrayRef),
///     ("k", Arc::new(Int64Array::from(vec![854231, 854231])) as ArrayRef),
///     ("v", Arc::new(Float64Array::from(vec![1.0, 2.0])) as ArrayRef),
/// ]).unwrap();
/// let mut mapping = ColumnMapping::new()
///     .column("period", "t").column("reporter", "i").column("partner", "j")
///     .column("product", "k").column("value", "v").flow(Flow::Export);
/// assert!(from_record_batches(vec![batch.clone()], &mapping).is_err()); // the default: an error
/// mapping.on_unknown_country = OnUnknownCountry::SetAside;
/// let t = from_record_batches(vec![batch], &mapping)?;
/// assert_eq!(t.report().set_aside[REASON_UNKNOWN_COUNTRY], 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const REASON_UNKNOWN_COUNTRY: &str = "unknown country code";

/// How the country columns are written.
///
/// ```
/// use tradedep::io::CountryCoding;
/// assert_eq!(CountryCoding::parse("ISO3")?, CountryCoding::Iso3);
/// assert_eq!(CountryCoding::parse("comtrade")?, CountryCoding::Numeric);
/// assert_eq!(CountryCoding::default(), CountryCoding::Auto);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CountryCoding {
    /// Integers or digit strings are Comtrade/BACI numeric codes; other text is resolved by
    /// [`countries::country`] (ISO2, ISO3, names).
    #[default]
    Auto,
    /// Comtrade/BACI numeric codes (842 for the USA).
    Numeric,
    /// ISO 3166-1 alpha-3 (`USA`).
    Iso3,
    /// ISO 3166-1 alpha-2 (`US`).
    Iso2,
}

impl CountryCoding {
    /// Reads `auto`, `numeric` (or `comtrade`, `baci`, `m49`), `iso3`/`alpha3`, `iso2`/`alpha2`.
    ///
    /// ```
    /// use tradedep::io::CountryCoding;
    /// assert_eq!(CountryCoding::parse("alpha2")?, CountryCoding::Iso2);
    /// assert!(CountryCoding::parse("names").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(CountryCoding::Auto),
            "numeric" | "comtrade" | "baci" | "m49" => Ok(CountryCoding::Numeric),
            "iso3" | "alpha3" => Ok(CountryCoding::Iso3),
            "iso2" | "alpha2" => Ok(CountryCoding::Iso2),
            other => Err(Error::invalid_argument(
                format!("unknown country coding {other:?}"),
                "use \"auto\", \"numeric\" (Comtrade/BACI codes), \"iso3\" or \"iso2\"",
            )),
        }
    }
}

/// Which source column feeds each canonical column, and the constants for the rest.
///
/// ```
/// use tradedep::io::ColumnMapping;
/// use tradedep::{Flow, Freq, Vintage};
/// let m = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "eur")
///     .flow(Flow::Import).freq(Freq::Annual).vintage(Vintage::Hs(2017)).currency("eur");
/// assert_eq!(m.columns["reporter"], "iso_o");
/// assert_eq!((m.currency.as_str(), m.value_scale), ("EUR", 1.0));
/// m.check()?;
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMapping {
    /// Canonical column name -> source column name.
    pub columns: BTreeMap<String, String>,
    /// Flow of every row when there is no `flow` column.
    pub flow: Option<Flow>,
    /// Frequency of `period`; inferred from the first period (YYYY or YYYYMM) when `None`.
    pub freq: Option<Freq>,
    /// Currency of `value` (ISO 4217).
    pub currency: String,
    /// Nomenclature of the product codes; checked when given.
    pub vintage: Option<Vintage>,
    /// Unit of every quantity when there is no `quantity_unit` column.
    pub quantity_unit: Option<String>,
    /// Multiplies every value (1000 for values in thousands).
    pub value_scale: f64,
    /// Basis of every value when there is no `value_basis` column.
    pub value_basis: Option<ValueBasis>,
    pub country_coding: CountryCoding,
    pub on_unknown_country: OnUnknownCountry,
    /// Name in the `source` column and the report.
    pub source: String,
    /// Importers to keep (numeric codes): rows whose importer (the reporter of an import, the
    /// partner of an export) is another are set aside under
    /// [`REASON_IMPORTER`] once their countries and flow are
    /// read, and the table is limited to these importers
    /// ([`TableMeta::importers`](crate::model::TableMeta::importers)). `None`: every importer.
    pub importers: Option<Vec<u16>>,
}

impl Default for ColumnMapping {
    fn default() -> Self {
        ColumnMapping {
            columns: BTreeMap::new(),
            flow: None,
            freq: None,
            currency: "USD".into(),
            vintage: None,
            quantity_unit: None,
            value_scale: 1.0,
            value_basis: None,
            country_coding: CountryCoding::Auto,
            on_unknown_country: OnUnknownCountry::Error,
            source: "arrow".into(),
            importers: None,
        }
    }
}

impl ColumnMapping {
    /// No columns mapped, values in USD at scale 1. See the example on [`ColumnMapping`].
    ///
    /// ```
    /// let m = tradedep::io::ColumnMapping::new();
    /// assert_eq!((m.currency.as_str(), m.value_scale, m.columns.len()), ("USD", 1.0, 0));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
    /// Keeps the rows of these importers only (see [`ColumnMapping::importers`]'s field docs).
    ///
    /// ```
    /// use tradedep::io::ColumnMapping;
    /// assert_eq!(ColumnMapping::new().importers([804, 643]).importers, Some(vec![643, 804]));
    /// ```
    pub fn importers(mut self, codes: impl IntoIterator<Item = u16>) -> Self {
        let mut list: Vec<u16> = codes.into_iter().collect();
        list.sort_unstable();
        list.dedup();
        self.importers = Some(list);
        self
    }
    /// Feeds canonical column `canonical` from source column `source`.
    ///
    /// ```
    /// use tradedep::io::ColumnMapping;
    /// let m = ColumnMapping::new().column("value", "trade_value_usd");
    /// assert_eq!(m.columns["value"], "trade_value_usd");
    /// ```
    pub fn column(mut self, canonical: &str, source: &str) -> Self {
        self.columns.insert(canonical.to_string(), source.to_string());
        self
    }
    /// Sets the flow of every row (when there is no `flow` column). See the example on [`ColumnMapping`].
    ///
    /// ```
    /// use tradedep::{io::ColumnMapping, Flow};
    /// assert_eq!(ColumnMapping::new().flow(Flow::Import).flow, Some(Flow::Import));
    /// ```
    pub fn flow(mut self, flow: Flow) -> Self {
        self.flow = Some(flow);
        self
    }
    /// Sets the frequency of `period` (else inferred). See the example on [`ColumnMapping`].
    ///
    /// ```
    /// use tradedep::{io::ColumnMapping, Freq};
    /// assert_eq!(ColumnMapping::new().freq(Freq::Monthly).freq, Some(Freq::Monthly));
    /// ```
    pub fn freq(mut self, freq: Freq) -> Self {
        self.freq = Some(freq);
        self
    }
    /// Declares the nomenclature of the product codes. See the example on [`ColumnMapping`].
    ///
    /// ```
    /// use tradedep::{io::ColumnMapping, Vintage};
    /// assert_eq!(ColumnMapping::new().vintage(Vintage::Cn(2023)).vintage, Some(Vintage::Cn(2023)));
    /// ```
    pub fn vintage(mut self, vintage: Vintage) -> Self {
        self.vintage = Some(vintage);
        self
    }
    /// Sets the currency of `value` (upper-cased). See the example on [`ColumnMapping`].
    ///
    /// ```
    /// assert_eq!(tradedep::io::ColumnMapping::new().currency("cny").currency, "CNY");
    /// ```
    pub fn currency(mut self, currency: &str) -> Self {
        self.currency = currency.to_ascii_uppercase();
        self
    }

    /// Checks the mapping itself: known canonical names, required columns or constants.
    ///
    /// ```
    /// use tradedep::io::ColumnMapping;
    /// let no_value = ColumnMapping::new().column("period", "t").column("reporter", "i")
    ///     .column("partner", "j").column("product", "k");
    /// assert!(no_value.check().is_err()); // value is required
    /// assert!(ColumnMapping::new().column("valeur", "v").check().is_err()); // not a canonical name
    /// ```
    pub fn check(&self) -> Result<()> {
        for k in self.columns.keys() {
            if !col::ALL.contains(&k.as_str()) || k == col::SOURCE {
                return Err(Error::invalid_argument(
                    format!("{k:?} is not a canonical column"),
                    format!("map onto {}", col::ALL[..11].join(", ")),
                ));
            }
        }
        for required in [col::PERIOD, col::REPORTER, col::PARTNER, col::PRODUCT, col::VALUE] {
            if !self.columns.contains_key(required) {
                return Err(Error::invalid_argument(
                    format!("no source column for {required:?}"),
                    format!("add columns={{\"{required}\": \"<your column>\"}}"),
                ));
            }
        }
        if !self.columns.contains_key(col::FLOW) && self.flow.is_none() {
            return Err(Error::invalid_argument(
                "neither a flow column nor a flow constant",
                "map a flow column or pass flow=\"import\" / \"export\"",
            ));
        }
        if !(self.value_scale.is_finite() && self.value_scale > 0.0) {
            return Err(Error::invalid_argument(
                format!("value_scale {} must be a positive number", self.value_scale),
                "use 1000 for values in thousands",
            ));
        }
        if let Some(list) = &self.importers {
            crate::reference::countries::check_importer_codes(list)?;
        }
        Ok(())
    }
}

/// A source column normalised to one of four Arrow types.
enum Col {
    Str(arrow_array::StringArray),
    Int(arrow_array::Int64Array),
    Float(arrow_array::Float64Array),
    Bool(arrow_array::BooleanArray),
}

fn normalise(arr: &ArrayRef, name: &str) -> Result<Col> {
    use DataType as D;
    let cast = |to: &DataType| {
        arrow_cast::cast(arr, to).map_err(|e| Error::arrow(format!("converting column {name:?} to {to}"), e))
    };
    let value_type = match arr.data_type() {
        D::Dictionary(_, v) => v.as_ref().clone(),
        other => other.clone(),
    };
    Ok(match value_type {
        D::Utf8 | D::LargeUtf8 | D::Utf8View | D::Null => Col::Str(cast(&D::Utf8)?.as_string::<i32>().clone()),
        D::Int8 | D::Int16 | D::Int32 | D::Int64 | D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 => {
            Col::Int(cast(&D::Int64)?.as_primitive::<Int64Type>().clone())
        }
        D::Float16 | D::Float32 | D::Float64 | D::Decimal128(..) | D::Decimal256(..) => {
            Col::Float(cast(&D::Float64)?.as_primitive::<Float64Type>().clone())
        }
        D::Boolean => Col::Bool(arr.as_boolean().clone()),
        other => {
            return Err(Error::schema(
                format!("column {name:?} has type {other}, which tradedep cannot read"),
                "pass strings, integers, floats or booleans",
            ))
        }
    })
}

/// One cell as the row loop sees it.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Null,
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Col {
    fn cell(&self, i: usize) -> Cell<'_> {
        match self {
            Col::Str(a) if a.is_valid(i) => Cell::Str(a.value(i).trim()),
            Col::Int(a) if a.is_valid(i) => Cell::Int(a.value(i)),
            Col::Float(a) if a.is_valid(i) => Cell::Float(a.value(i)),
            Col::Bool(a) if a.is_valid(i) => Cell::Bool(a.value(i)),
            _ => Cell::Null,
        }
    }
}

impl Cell<'_> {
    fn text(&self) -> String {
        match self {
            Cell::Null => "null".into(),
            Cell::Str(s) => s.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Bool(b) => b.to_string(),
        }
    }
    fn is_null(&self) -> bool {
        matches!(self, Cell::Null) || matches!(self, Cell::Str(s) if s.is_empty() || *s == "NA")
    }
}

/// Where rows come from, for messages: the file (or "arrow input") and the line of the first
/// row (2 for a CSV with a header).
///
/// Only the crate's own readers take one (the generic CSV and Parquet readers).
#[derive(Debug, Clone)]
pub struct InputPlace {
    pub file: String,
    pub first_line: u64,
    /// Polled between batches.
    pub cancel: Cancellation,
}

/// Builds a table from record batches through `mapping`. Messages name rows as lines counted
/// from 1.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
/// use tradedep::io::{from_record_batches, ColumnMapping};
/// use tradedep::{Flow, Freq};
/// let batch = RecordBatch::try_from_iter([
///     ("month", Arc::new(Int64Array::from(vec![202301, 202302])) as ArrayRef),
///     ("r", Arc::new(Int64Array::from(vec![643, 643])) as ArrayRef),
///     ("p", Arc::new(Int64Array::from(vec![156, 156])) as ArrayRef),
///     ("k", Arc::new(Int64Array::from(vec![10121, 10121])) as ArrayRef),
///     ("v", Arc::new(Float64Array::from(vec![2.0, 3.0])) as ArrayRef),
/// ]).unwrap();
/// let mapping = ColumnMapping::new().column("period", "month").column("reporter", "r")
///     .column("partner", "p").column("product", "k").column("value", "v").flow(Flow::Import);
/// let t = from_record_batches(vec![batch], &mapping)?;
/// assert_eq!(t.meta().freq, Freq::Monthly); // inferred from YYYYMM
/// assert!(t.report().notes[0].starts_with("2 product code(s) had an odd number of digits")); // 10121 -> 010121
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn from_record_batches(batches: Vec<RecordBatch>, mapping: &ColumnMapping) -> Result<TradeTable> {
    from_record_batches_cancellable(batches, mapping, &Cancellation::default())
}

/// [`from_record_batches`] that stops with [`Error::Cancelled`] once `cancel` is set.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
/// use tradedep::io::arrow_input::{from_record_batches_cancellable, ColumnMapping};
/// use tradedep::{cancel::Cancellation, Error, Flow};
/// let batch = RecordBatch::try_from_iter([
///     ("t", Arc::new(Int64Array::from(vec![2021])) as ArrayRef),
///     ("i", Arc::new(Int64Array::from(vec![156])) as ArrayRef),
///     ("j", Arc::new(Int64Array::from(vec![643])) as ArrayRef),
///     ("k", Arc::new(Int64Array::from(vec![854231])) as ArrayRef),
///     ("v", Arc::new(Float64Array::from(vec![1.0])) as ArrayRef),
/// ]).unwrap();
/// let mapping = ColumnMapping::new().column("period", "t").column("reporter", "i")
///     .column("partner", "j").column("product", "k").column("value", "v").flow(Flow::Export);
/// let cancel = Cancellation::new();
/// assert_eq!(from_record_batches_cancellable(vec![batch.clone()], &mapping, &cancel)?.num_rows(), 1);
/// cancel.cancel();
/// assert!(matches!(from_record_batches_cancellable(vec![batch], &mapping, &cancel), Err(Error::Cancelled)));
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn from_record_batches_cancellable(
    batches: Vec<RecordBatch>,
    mapping: &ColumnMapping,
    cancel: &Cancellation,
) -> Result<TradeTable> {
    let place = InputPlace {
        file: mapping.source.clone(),
        first_line: 1,
        cancel: cancel.clone(),
    };
    convert(batches.iter(), mapping, &place)
}

/// A column name used twice: which one the mapping means is a guess, so it is an error.
fn check_column_names(batch: &RecordBatch, file: &str) -> Result<()> {
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    if names.is_empty() {
        return Err(Error::schema(
            format!("{file} has no columns"),
            "pass a table with the mapped columns (period, reporter, partner, flow, product, value ...)",
        ));
    }
    for (j, n) in names.iter().enumerate() {
        if let Some(i) = names[..j].iter().position(|m| m == n) {
            return Err(crate::io::source::duplicate_column(file, n, i, j));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CountryKind {
    Known(u16),
    World,
    Unknown,
}

/// A country named by text (not digits): World under its usual names, else an ISO code or
/// name whose length fits `coding` (both the Arrow and the CSV fast path read countries so).
pub(crate) fn named_country(s: &str, coding: CountryCoding) -> CountryKind {
    if s.eq_ignore_ascii_case("world") || s.eq_ignore_ascii_case("wld") || s.eq_ignore_ascii_case("w00") {
        return CountryKind::World;
    }
    let length_ok = match coding {
        CountryCoding::Iso3 => s.len() == 3,
        CountryCoding::Iso2 => s.len() == 2,
        CountryCoding::Numeric => false,
        CountryCoding::Auto => true,
    };
    match countries::country(s) {
        Ok(country) if length_ok => CountryKind::Known(country.comtrade),
        _ => CountryKind::Unknown,
    }
}

struct Converter<'m> {
    mapping: &'m ColumnMapping,
    place: &'m InputPlace,
    freq: Option<Freq>,
    country_cache: HashMap<String, CountryKind>,
    product_buf: String,
    padded: u64,
}

impl Converter<'_> {
    fn loc(&self, line: u64, column: &str, value: String) -> Location {
        let source_col = self.mapping.columns.get(column).map(String::as_str).unwrap_or(column);
        Location::file(self.place.file.clone())
            .line(line)
            .column(source_col)
            .value(value)
    }

    /// A missing value is "not estimated"; anything but a clear true or false is an error.
    fn estimated(&self, c: Cell<'_>, line: u64) -> Result<bool> {
        let answer = match c {
            Cell::Null => Some(false),
            Cell::Bool(b) => Some(b),
            Cell::Int(n @ (0 | 1)) => Some(n == 1),
            Cell::Float(f) if f == 0.0 || f == 1.0 => Some(f == 1.0),
            Cell::Str(s) => match s.to_ascii_lowercase().as_str() {
                "" | "na" => Some(false),
                "true" | "1" | "yes" | "t" | "y" => Some(true),
                "false" | "0" | "no" | "f" | "n" => Some(false),
                _ => None,
            },
            _ => None,
        };
        answer.ok_or_else(|| {
            Error::parse(
                "an estimated flag",
                self.loc(line, col::ESTIMATED, c.text()),
                "write true or false (or 1 / 0)",
            )
        })
    }

    fn period(&mut self, c: Cell<'_>, line: u64) -> Result<i32> {
        let bad = |me: &Self, why: &str| {
            Error::parse(
                format!("a period ({why})"),
                me.loc(line, col::PERIOD, c.text()),
                "write years as 2021 and months as 202103 or \"2021-03\"",
            )
        };
        let p = match c {
            Cell::Int(i) => Period::parse(&i.to_string()).map_err(|_| bad(self, "not YYYY or YYYYMM"))?,
            Cell::Float(f) if f.fract() == 0.0 && f.abs() < 1e7 => {
                Period::parse(&(f as i64).to_string()).map_err(|_| bad(self, "not YYYY or YYYYMM"))?
            }
            Cell::Str(s) if !s.is_empty() => Period::parse(s).map_err(|_| bad(self, "not a year or month"))?,
            _ => return Err(bad(self, "missing")),
        };
        match self.freq {
            None => self.freq = Some(p.freq()),
            Some(f) if f != p.freq() => {
                return Err(Error::invalid_data(
                    format!(
                        "period of frequency {} in a table of frequency {}",
                        p.freq().as_str(),
                        f.as_str()
                    ),
                    self.loc(line, col::PERIOD, c.text()),
                    "one table holds years or months, not both; pass freq= or split the input",
                ))
            }
            Some(_) => {}
        }
        Ok(p.code())
    }

    fn country(&mut self, c: Cell<'_>, line: u64, column: &str) -> Result<CountryKind> {
        let coding = self.mapping.country_coding;
        let numeric = |n: i64| match n {
            0 => CountryKind::World,
            n if (1..=u16::MAX as i64).contains(&n) && countries::is_known_code(n as u16) => {
                CountryKind::Known(n as u16)
            }
            _ => CountryKind::Unknown,
        };
        let kind = match c {
            Cell::Int(n) if matches!(coding, CountryCoding::Auto | CountryCoding::Numeric) => numeric(n),
            Cell::Float(f) if f.fract() == 0.0 && matches!(coding, CountryCoding::Auto | CountryCoding::Numeric) => {
                numeric(f as i64)
            }
            Cell::Str(s) if !s.is_empty() => {
                if let Some(k) = self.country_cache.get(s) {
                    return Ok(*k);
                }
                let digits = s.bytes().all(|b| b.is_ascii_digit());
                let kind = if digits && matches!(coding, CountryCoding::Auto | CountryCoding::Numeric) {
                    s.parse::<i64>().map(numeric).unwrap_or(CountryKind::Unknown)
                } else {
                    named_country(s, coding)
                };
                self.country_cache.insert(s.to_string(), kind);
                kind
            }
            Cell::Null | Cell::Str(_) => {
                return Err(Error::parse(
                    format!("a country in column {column:?} (it is empty)"),
                    self.loc(line, column, c.text()),
                    "every row needs a reporter and a partner",
                ))
            }
            _ => CountryKind::Unknown,
        };
        Ok(kind)
    }

    fn unknown_country_error(&self, c: Cell<'_>, line: u64, column: &str) -> Error {
        Error::UnknownCountry {
            query: c.text(),
            context: format!(" at {}", self.loc(line, column, c.text())),
            hint: format!(
                "country columns are read as {:?} codes (country_coding=); pass on_unknown_country=\"set_aside\" to set such rows aside",
                self.mapping.country_coding
            ),
        }
    }

    /// The product code digits in `self.product_buf`.
    fn product(&mut self, c: Cell<'_>, line: u64) -> Result<()> {
        self.product_buf.clear();
        match c {
            Cell::Int(i) if i >= 0 => self.product_buf.push_str(&i.to_string()),
            Cell::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 1e11 => {
                self.product_buf.push_str(&(f as i64).to_string())
            }
            Cell::Str(s) => self.product_buf.extend(s.chars().filter(|ch| !matches!(ch, '.' | ' '))),
            _ => {}
        }
        let digits = !self.product_buf.is_empty() && self.product_buf.bytes().all(|b| b.is_ascii_digit());
        if digits && self.product_buf.len() % 2 == 1 {
            self.product_buf.insert(0, '0');
            self.padded += 1;
        }
        let ok = match self.mapping.vintage {
            Some(v) => ProductCode::new(&self.product_buf, v).is_ok(),
            None => crate::model::product::is_valid_code(&self.product_buf),
        };
        if !ok {
            return Err(Error::InvalidProduct {
                code: c.text(),
                context: format!(" at {}", self.loc(line, col::PRODUCT, c.text())),
                hint: match self.mapping.vintage {
                    Some(v) if v.max_digits() > 6 => format!("{v} codes are 2, 4, 6 ... {} digits", v.max_digits()),
                    Some(v) => format!("{v} codes are 2, 4 or 6 digits"),
                    None => "product codes are 2, 4, 6, 8 or 10 digits".into(),
                },
            });
        }
        Ok(())
    }

    fn amount(&self, c: Cell<'_>, line: u64, column: &str) -> Result<Option<f64>> {
        let v = match c {
            _ if c.is_null() => return Ok(None),
            Cell::Int(i) => i as f64,
            Cell::Float(f) if f.is_nan() => return Ok(None),
            Cell::Float(f) => f,
            Cell::Str(s) => s
                .parse::<f64>()
                .ok()
                .filter(|_| s.starts_with(|ch: char| ch.is_ascii_digit() || matches!(ch, '.' | '-' | '+')))
                .ok_or_else(|| {
                    Error::parse(
                        format!("a number in column {column:?}"),
                        self.loc(line, column, c.text()),
                        "write amounts as plain decimal numbers",
                    )
                })?,
            _ => {
                return Err(Error::parse(
                    format!("a number in column {column:?}"),
                    self.loc(line, column, c.text()),
                    "pass numbers",
                ))
            }
        };
        if !v.is_finite() || v < 0.0 {
            return Err(Error::invalid_data(
                format!("negative or non-finite {column}"),
                self.loc(line, column, c.text()),
                "trade values and quantities are never negative; fix the input or drop the row first",
            ));
        }
        Ok(Some(v))
    }
}

/// The conversion shared by Arrow input, Parquet and the generic CSV reader.
pub(crate) fn convert<'b>(
    batches: impl Iterator<Item = &'b RecordBatch> + Clone,
    mapping: &ColumnMapping,
    place: &InputPlace,
) -> Result<TradeTable> {
    mapping.check()?;
    let mut conv = Converter {
        mapping,
        place,
        freq: mapping.freq,
        country_cache: HashMap::new(),
        product_buf: String::new(),
        padded: 0,
    };

    // The frequency must be known before the builder starts: infer it from the first period.
    let mut first_line = place.first_line;
    if conv.freq.is_none() {
        let period_col = &mapping.columns[col::PERIOD];
        'outer: for b in batches.clone() {
            if let Some(arr) = b.column_by_name(period_col) {
                let c = normalise(arr, period_col)?;
                let file_lines = b
                    .column_by_name(crate::io::generic::LINE_COLUMN)
                    .and_then(|c| c.as_any().downcast_ref::<arrow_array::UInt64Array>().cloned());
                for i in 0..b.num_rows() {
                    if !c.cell(i).is_null() {
                        let line = file_lines.as_ref().map(|l| l.value(i)).unwrap_or(first_line + i as u64);
                        conv.period(c.cell(i), line)?;
                        break 'outer;
                    }
                }
            }
            first_line += b.num_rows() as u64;
        }
    }
    let freq = conv.freq.unwrap_or(Freq::Annual);
    let meta = TableMeta::new(freq, &mapping.currency, mapping.vintage).with_importers(mapping.importers.clone());
    let restriction = meta.restriction();
    let mut builder = TradeTableBuilder::new(&mapping.source, meta);

    let mut line0 = place.first_line;
    // Exact duplicates are set aside (one rule for every reader), found by fingerprint.
    let mut seen: hashbrown::HashSet<u128> = hashbrown::HashSet::new();
    let mut duplicates = 0u64;
    for batch in batches {
        place.cancel.check()?;
        check_column_names(batch, &place.file)?;
        let get = |canonical: &str| -> Result<Option<Col>> {
            let Some(src) = mapping.columns.get(canonical) else {
                return Ok(None);
            };
            let arr = batch.column_by_name(src).ok_or_else(|| {
                let schema = batch.schema();
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                Error::schema(
                    format!("no column {src:?} (mapped to {canonical:?}) in {}", place.file),
                    format!("the columns are: {}", names.join(", ")),
                )
            })?;
            normalise(arr, src).map(Some)
        };
        let period = get(col::PERIOD)?;
        let reporter = get(col::REPORTER)?;
        let partner = get(col::PARTNER)?;
        let flow = get(col::FLOW)?;
        let product = get(col::PRODUCT)?;
        let value = get(col::VALUE)?;
        let basis = get(col::VALUE_BASIS)?;
        let quantity = get(col::QUANTITY)?;
        let unit = get(col::QUANTITY_UNIT)?;
        let weight = get(col::NET_WEIGHT_KG)?;
        let estimated = get(col::ESTIMATED)?;
        fn cell(c: &Option<Col>, i: usize) -> Cell<'_> {
            c.as_ref().map(|c| c.cell(i)).unwrap_or(Cell::Null)
        }

        // The generic CSV reader passes each row's file line along.
        let file_lines = batch
            .column_by_name(crate::io::generic::LINE_COLUMN)
            .and_then(|c| c.as_any().downcast_ref::<arrow_array::UInt64Array>().cloned());
        for i in 0..batch.num_rows() {
            let line = file_lines.as_ref().map(|l| l.value(i)).unwrap_or(line0 + i as u64);
            builder.report_mut().rows_read += 1;
            let p = conv.period(cell(&period, i), line)?;
            let mut countries_ok = [0u16; 2];
            let mut skip: Option<(&str, String)> = None;
            for (k, (colname, c)) in [(col::REPORTER, &reporter), (col::PARTNER, &partner)]
                .into_iter()
                .enumerate()
            {
                let v = cell(c, i);
                match conv.country(v, line, colname)? {
                    CountryKind::Known(code) => countries_ok[k] = code,
                    CountryKind::World if colname == col::PARTNER => {
                        skip = Some((REASON_WORLD, v.text()));
                        break;
                    }
                    CountryKind::World | CountryKind::Unknown => match mapping.on_unknown_country {
                        OnUnknownCountry::Error => return Err(conv.unknown_country_error(v, line, colname)),
                        OnUnknownCountry::SetAside => {
                            skip = Some((REASON_UNKNOWN_COUNTRY, format!("{colname} = {}", v.text())));
                            break;
                        }
                    },
                }
            }
            if let Some((reason, detail)) = skip {
                builder.report_mut().set_aside(reason, line, || detail);
                continue;
            }
            let f = match (cell(&flow, i), mapping.flow) {
                (Cell::Null, Some(f)) => f,
                (c @ (Cell::Str(_) | Cell::Int(_)), _) => Flow::parse(&c.text()).map_err(|_| {
                    Error::parse(
                        "a trade flow",
                        conv.loc(line, col::FLOW, c.text()),
                        "use import/export/re_import/re_export or M/X/RM/RX",
                    )
                })?,
                (c, _) => {
                    return Err(Error::parse(
                        "a trade flow",
                        conv.loc(line, col::FLOW, c.text()),
                        "map a flow column or pass flow=",
                    ))
                }
            };
            if let Some(list) = &mapping.importers {
                let importer = f.importer(countries_ok[0], countries_ok[1]);
                if !list.contains(&importer) {
                    builder
                        .report_mut()
                        .set_aside(REASON_IMPORTER, line, || format!("importer {importer}"));
                    continue;
                }
            }
            conv.product(cell(&product, i), line)?;
            let Some(v) = conv.amount(cell(&value, i), line, col::VALUE)? else {
                builder
                    .report_mut()
                    .set_aside(REASON_NO_VALUE, line, || "value is empty".into());
                continue;
            };
            let value_basis = match cell(&basis, i) {
                Cell::Str(s) if s.eq_ignore_ascii_case("cif") => Some(ValueBasis::Cif),
                Cell::Str(s) if s.eq_ignore_ascii_case("fob") => Some(ValueBasis::Fob),
                c if c.is_null() => mapping.value_basis,
                c => {
                    return Err(Error::parse(
                        "a value basis",
                        conv.loc(line, col::VALUE_BASIS, c.text()),
                        "use CIF or FOB",
                    ))
                }
            };
            let q = conv.amount(cell(&quantity, i), line, col::QUANTITY)?;
            let unit_text = match cell(&unit, i) {
                Cell::Str(s) if !s.is_empty() => Some(s.to_string()),
                _ => mapping.quantity_unit.clone(),
            };
            if q.is_some() && unit_text.is_none() {
                return Err(Error::invalid_data(
                    "quantity without a unit",
                    conv.loc(line, col::QUANTITY, cell(&quantity, i).text()),
                    "map a quantity_unit column or pass unit= (kg, t, m, km, u ...)",
                ));
            }
            let w = conv.amount(cell(&weight, i), line, col::NET_WEIGHT_KG)?;
            let est = conv.estimated(cell(&estimated, i), line)?;
            let scaled = v * mapping.value_scale;
            if !scaled.is_finite() {
                return Err(Error::invalid_data(
                    format!("value {v} times value_scale {} is beyond a double", mapping.value_scale),
                    conv.loc(line, col::VALUE, cell(&value, i).text()),
                    "check value_scale (1000 for thousands) and the value's unit",
                ));
            }
            let mut row = TradeRow::new(p, countries_ok[0], countries_ok[1], f, &conv.product_buf, scaled);
            row.value_basis = value_basis;
            row.quantity = q;
            row.quantity_unit = q.and(unit_text.as_deref());
            row.net_weight_kg = w;
            row.estimated = est;
            if !seen.insert(row.fingerprint()) {
                duplicates += 1;
                builder
                    .report_mut()
                    .set_aside(crate::model::REASON_DUPLICATE, line, || {
                        format!("{} {} -> {} {}", row.period, row.reporter, row.partner, row.product)
                    });
                continue;
            }
            builder.push(row)?;
        }
        line0 += batch.num_rows() as u64;
    }
    if duplicates > 0 {
        builder.report_mut().note(format!(
            "{duplicates} duplicate row(s) (equal in every column to an earlier row) set aside"
        ));
    }
    if conv.padded > 0 {
        builder.report_mut().note(format!(
            "{} product code(s) had an odd number of digits and got back their leading zero (10121 -> 010121)",
            conv.padded
        ));
    }
    if mapping.value_scale != 1.0 {
        builder
            .report_mut()
            .note(format!("values multiplied by {}", mapping.value_scale));
    }
    builder.report_mut().note_restriction(restriction.as_deref());
    builder.finish()
}
