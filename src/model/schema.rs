//! The canonical Arrow schema of a trade table and the metadata that travels with it.
//!
//! | column | Arrow type | meaning |
//! |---|---|---|
//! | `period` | Int32 | `YYYY` or `YYYYMM` (frequency in metadata `tradedep.freq`) |
//! | `reporter` | UInt16 | Comtrade/BACI numeric country code of the reporter |
//! | `partner` | UInt16 | numeric code of the partner (never World, 0) |
//! | `flow` | Dictionary(Int8, Utf8) | import, export, re_import, re_export (keys = [`Flow`] discriminants) |
//! | `product` | Dictionary(Int32, Utf8) | product code digits (vintage in metadata `tradedep.vintage`) |
//! | `value` | Float64 | trade value in the currency of `tradedep.currency` (USD unless declared) |
//! | `value_basis` | Dictionary(Int8, Utf8), nullable | CIF or FOB |
//! | `quantity` | Float64, nullable | quantity in `quantity_unit` |
//! | `quantity_unit` | Dictionary(Int8, Utf8), nullable | kg, t, m, km, u (units), l, m2, ... |
//! | `net_weight_kg` | Float64, nullable | net weight in kilograms |
//! | `estimated` | Boolean | row was estimated or mirrored, not reported |
//! | `source` | Dictionary(Int8, Utf8) | which reader/file produced the row |
//!
//! [`Flow`]: crate::model::Flow

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{Error, Result};
use crate::model::{Freq, Vintage};

/// Column names of the canonical schema.
///
/// ```
/// use tradedep::model::col;
/// let t = tradedep::demo::demo_table()?;
/// let names: Vec<String> = t.schema().fields().iter().map(|f| f.name().clone()).collect();
/// assert_eq!(names, col::ALL);
/// assert_eq!(
///     [col::PERIOD, col::REPORTER, col::PARTNER, col::FLOW, col::PRODUCT, col::VALUE],
///     ["period", "reporter", "partner", "flow", "product", "value"]
/// );
/// assert_eq!(
///     [col::VALUE_BASIS, col::QUANTITY, col::QUANTITY_UNIT, col::NET_WEIGHT_KG, col::ESTIMATED, col::SOURCE],
///     ["value_basis", "quantity", "quantity_unit", "net_weight_kg", "estimated", "source"]
/// );
/// # Ok::<(), tradedep::Error>(())
/// ```
pub mod col {
    /// `YYYY` or `YYYYMM`.
    pub const PERIOD: &str = "period";
    /// Numeric code of the reporting country.
    pub const REPORTER: &str = "reporter";
    /// Numeric code of the partner country.
    pub const PARTNER: &str = "partner";
    /// Import, export, re-import or re-export.
    pub const FLOW: &str = "flow";
    /// Product code digits.
    pub const PRODUCT: &str = "product";
    /// Trade value in the table's currency.
    pub const VALUE: &str = "value";
    /// CIF or FOB.
    pub const VALUE_BASIS: &str = "value_basis";
    /// Quantity in `quantity_unit`.
    pub const QUANTITY: &str = "quantity";
    /// Unit of `quantity`.
    pub const QUANTITY_UNIT: &str = "quantity_unit";
    /// Net weight in kilograms.
    pub const NET_WEIGHT_KG: &str = "net_weight_kg";
    /// Row estimated or mirrored, not reported.
    pub const ESTIMATED: &str = "estimated";
    /// Reader or file of the row.
    pub const SOURCE: &str = "source";
    /// All canonical columns in schema order.
    pub const ALL: [&str; 12] = [
        PERIOD,
        REPORTER,
        PARTNER,
        FLOW,
        PRODUCT,
        VALUE,
        VALUE_BASIS,
        QUANTITY,
        QUANTITY_UNIT,
        NET_WEIGHT_KG,
        ESTIMATED,
        SOURCE,
    ];
}

/// Schema-level metadata keys.
///
/// ```
/// use tradedep::model::schema::meta_key;
/// use tradedep::model::{Freq, TableMeta, Vintage};
/// let meta = TableMeta::new(Freq::Annual, "USD", None)
///     .with_period_vintages(vec![(2021, Vintage::Cn(2021)), (2022, Vintage::Cn(2022))])
///     .with_importers(Some(vec![804, 643]));
/// let m = meta.to_metadata();
/// assert_eq!(m[meta_key::IMPORTERS], "643,804");
/// assert_eq!(m[meta_key::FREQ], "A");
/// assert_eq!(m[meta_key::CURRENCY], "USD");
/// assert_eq!(m[meta_key::VINTAGE], "CN2021");
/// assert_eq!(m[meta_key::PERIOD_VINTAGES], "2021=CN2021;2022=CN2022");
/// assert_eq!(m[meta_key::SCHEMA_VERSION], "1");
/// ```
pub mod meta_key {
    /// Frequency: `A` or `M`.
    pub const FREQ: &str = "tradedep.freq";
    /// ISO 4217 code of `value`.
    pub const CURRENCY: &str = "tradedep.currency";
    /// Nomenclature of `product` (of the first year with per-year vintages).
    pub const VINTAGE: &str = "tradedep.vintage";
    /// Per-year vintages of a table spanning nomenclature changes: `2020=CN2020;2022=CN2022`.
    pub const PERIOD_VINTAGES: &str = "tradedep.period_vintages";
    /// Importers of a table limited to the flows into them, `643,804` ([`super::TableMeta::importers`]).
    pub const IMPORTERS: &str = "tradedep.importers";
    /// Version of this schema (`1`).
    pub const SCHEMA_VERSION: &str = "tradedep.schema_version";
}

/// Facts about a whole table that must not be mixed silently.
///
/// ```
/// use tradedep::model::{Freq, TableMeta, Vintage};
/// let meta = TableMeta::new(Freq::Monthly, "eur", Some(Vintage::Cn(2021)))
///     .with_period_vintages(vec![(2021, Vintage::Cn(2021)), (2022, Vintage::Cn(2022))]);
/// assert_eq!(meta.currency, "EUR");
/// assert_eq!(meta.vintage_of(202205), Some(Vintage::Cn(2022)));
/// assert_eq!(TableMeta::from_metadata(&meta.to_metadata())?, meta);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMeta {
    pub freq: Freq,
    /// ISO 4217 code of `value` (USD, EUR ...).
    pub currency: String,
    /// Nomenclature of `product`; `None` when unknown (user data without a declared vintage).
    /// With [`TableMeta::period_vintages`], the vintage of the first year.
    pub vintage: Option<Vintage>,
    /// `(year, vintage)` sorted by year, for a table whose codes change nomenclature with the
    /// period (a 2020-2022 Comext file: CN2020, CN2021, CN2022): each period's codes are read,
    /// classified and selected in its year's vintage. Empty: `vintage` holds for every period.
    pub period_vintages: Vec<(i32, Vintage)>,
    /// `Some(codes)` when the table holds only flows into these importers (sorted numeric
    /// codes): a read restricted to them (`read_baci(importers=...)`) left every other
    /// importer's rows out. Metrics then answer only questions about these importers' imports
    /// and refuse the others (another importer, exporters' world totals) with what to read
    /// instead. `None`: nothing is known to be left out.
    pub importers: Option<Vec<u16>>,
}

impl TableMeta {
    /// Metadata of a single-vintage table; `currency` is upper-cased.
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta};
    /// assert_eq!(TableMeta::new(Freq::Annual, "usd", None).currency, "USD");
    /// ```
    pub fn new(freq: Freq, currency: &str, vintage: Option<Vintage>) -> Self {
        TableMeta {
            freq,
            currency: currency.to_ascii_uppercase(),
            vintage,
            period_vintages: vec![],
            importers: None,
        }
    }

    /// Declares that the table holds only flows into `importers` (sorted and deduplicated
    /// here); `None` declares nothing.
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta};
    /// let meta = TableMeta::new(Freq::Annual, "USD", None).with_importers(Some(vec![804, 643, 643]));
    /// assert_eq!(meta.importers, Some(vec![643, 804]));
    /// assert_eq!(TableMeta::from_metadata(&meta.to_metadata())?, meta);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn with_importers(mut self, importers: Option<Vec<u16>>) -> Self {
        self.importers = importers.map(|mut list| {
            list.sort_unstable();
            list.dedup();
            list
        });
        self
    }

    /// The restriction of [`TableMeta::importers`] in words ("limited to flows into RUS, UKR"),
    /// as errors and notes give it; `None` for a table of every importer.
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta};
    /// let meta = TableMeta::new(Freq::Annual, "USD", None);
    /// assert_eq!(meta.restriction(), None);
    /// let meta = meta.with_importers(Some(vec![804, 643]));
    /// assert_eq!(meta.restriction().unwrap(), "limited to flows into RUS, UKR");
    /// ```
    pub fn restriction(&self) -> Option<String> {
        let list = self.importers.as_ref()?;
        let labels: Vec<String> = list.iter().map(|c| crate::reference::countries::label(*c)).collect();
        Some(format!("limited to flows into {}", labels.join(", ")))
    }

    /// Whether the table holds every flow into `importer` (always, unless a restricted read
    /// left it out: [`TableMeta::importers`]).
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta};
    /// let meta = TableMeta::new(Freq::Annual, "USD", None);
    /// assert!(meta.covers_importer(804));
    /// assert!(!meta.with_importers(Some(vec![643])).covers_importer(804));
    /// ```
    pub fn covers_importer(&self, importer: u16) -> bool {
        self.importers
            .as_ref()
            .is_none_or(|list| list.binary_search(&importer).is_ok())
    }

    /// The vintage of the codes of `period` (a year, or `YYYYMM` in monthly tables).
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta, Vintage};
    /// let meta = TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017)));
    /// assert_eq!(meta.vintage_of(2030), Some(Vintage::Hs(2017)));
    /// ```
    pub fn vintage_of(&self, period: i32) -> Option<Vintage> {
        let year = if self.freq == Freq::Monthly {
            period / 100
        } else {
            period
        };
        self.period_vintages
            .iter()
            .find(|(y, _)| *y == year)
            .map(|(_, v)| *v)
            .or(self.vintage)
    }

    /// Sets per-year vintages (`vintage` becomes the first year's); one distinct vintage keeps
    /// the table single-vintage.
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta, Vintage};
    /// let one = TableMeta::new(Freq::Annual, "USD", None).with_period_vintages(vec![(2022, Vintage::Cn(2022)), (2023, Vintage::Cn(2022))]);
    /// assert!(one.period_vintages.is_empty()); // a single vintage
    /// assert_eq!(one.vintage, Some(Vintage::Cn(2022)));
    /// ```
    pub fn with_period_vintages(mut self, mut years: Vec<(i32, Vintage)>) -> Self {
        years.sort();
        years.dedup_by_key(|(y, _)| *y);
        if let Some((_, v)) = years.first() {
            self.vintage = Some(*v);
        }
        let first = years.first().map(|(_, v)| *v);
        self.period_vintages = if years.iter().all(|(_, v)| Some(*v) == first) {
            vec![]
        } else {
            years
        };
        self
    }

    /// The schema metadata (keys in [`meta_key`]).
    ///
    /// ```
    /// use tradedep::model::{Freq, TableMeta};
    /// let m = TableMeta::new(Freq::Annual, "USD", None).to_metadata();
    /// assert_eq!(m["tradedep.freq"], "A");
    /// assert!(!m.contains_key("tradedep.vintage"));
    /// ```
    pub fn to_metadata(&self) -> HashMap<String, String> {
        let mut m = HashMap::new();
        m.insert(meta_key::FREQ.into(), self.freq.as_str().into());
        m.insert(meta_key::CURRENCY.into(), self.currency.clone());
        if let Some(v) = self.vintage {
            m.insert(meta_key::VINTAGE.into(), v.name());
        }
        if !self.period_vintages.is_empty() {
            let text: Vec<String> = self
                .period_vintages
                .iter()
                .map(|(y, v)| format!("{y}={}", v.name()))
                .collect();
            m.insert(meta_key::PERIOD_VINTAGES.into(), text.join(";"));
        }
        if let Some(list) = &self.importers {
            let text: Vec<String> = list.iter().map(u16::to_string).collect();
            m.insert(meta_key::IMPORTERS.into(), text.join(","));
        }
        m.insert(meta_key::SCHEMA_VERSION.into(), "1".into());
        m
    }

    /// Reads the metadata written by [`TableMeta::to_metadata`]; missing keys are an error
    /// naming the key.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use tradedep::model::TableMeta;
    /// let m = HashMap::from([("tradedep.freq".to_string(), "A".to_string())]);
    /// assert!(TableMeta::from_metadata(&m).is_err()); // no currency
    /// ```
    pub fn from_metadata(m: &HashMap<String, String>) -> Result<Self> {
        let get = |k: &str| {
            m.get(k).ok_or_else(|| {
                Error::schema(
                    format!("schema metadata lacks {k:?}"),
                    "build the table with TradeTable::from_batches or a reader so that frequency and currency are declared",
                )
            })
        };
        let importers = match m.get(meta_key::IMPORTERS) {
            None => None,
            Some(text) => Some(
                text.split(',')
                    .filter(|c| !c.trim().is_empty())
                    .map(|c| {
                        c.trim().parse::<u16>().map_err(|_| {
                            Error::schema(
                                format!("{}: {c:?} is not a numeric country code", meta_key::IMPORTERS),
                                "write the importers as numeric codes separated by commas (643,804)",
                            )
                        })
                    })
                    .collect::<Result<Vec<u16>>>()?,
            ),
        };
        Ok(TableMeta {
            freq: Freq::parse(get(meta_key::FREQ)?)?,
            currency: get(meta_key::CURRENCY)?.clone(),
            vintage: m.get(meta_key::VINTAGE).map(|v| Vintage::parse(v)).transpose()?,
            period_vintages: match m.get(meta_key::PERIOD_VINTAGES) {
                None => vec![],
                Some(text) => text
                    .split(';')
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (y, v) = p.split_once('=').unwrap_or((p, ""));
                        let year = y.trim().parse::<i32>().map_err(|_| {
                            Error::schema(
                                format!("{}: {p:?} is not year=vintage", meta_key::PERIOD_VINTAGES),
                                "write it as 2021=CN2021;2022=CN2022",
                            )
                        })?;
                        Ok((year, Vintage::parse(v.trim())?))
                    })
                    .collect::<Result<_>>()?,
            },
            importers: None,
        }
        .with_importers(importers))
    }
}

fn dict(key: DataType) -> DataType {
    DataType::Dictionary(Box::new(key), Box::new(DataType::Utf8))
}

/// The canonical fields, without metadata.
///
/// ```
/// let fields = tradedep::model::schema::canonical_fields();
/// assert_eq!(fields.len(), 12);
/// assert!(!fields[5].is_nullable()); // value
/// assert!(fields[7].is_nullable()); // quantity
/// ```
pub fn canonical_fields() -> Vec<Field> {
    vec![
        Field::new(col::PERIOD, DataType::Int32, false),
        Field::new(col::REPORTER, DataType::UInt16, false),
        Field::new(col::PARTNER, DataType::UInt16, false),
        Field::new(col::FLOW, dict(DataType::Int8), false),
        Field::new(col::PRODUCT, dict(DataType::Int32), false),
        Field::new(col::VALUE, DataType::Float64, false),
        Field::new(col::VALUE_BASIS, dict(DataType::Int8), true),
        Field::new(col::QUANTITY, DataType::Float64, true),
        Field::new(col::QUANTITY_UNIT, dict(DataType::Int8), true),
        Field::new(col::NET_WEIGHT_KG, DataType::Float64, true),
        Field::new(col::ESTIMATED, DataType::Boolean, false),
        Field::new(col::SOURCE, dict(DataType::Int8), false),
    ]
}

/// The canonical schema with `meta` attached.
///
/// ```
/// use tradedep::model::{canonical_schema, Freq, TableMeta};
/// let s = canonical_schema(&TableMeta::new(Freq::Annual, "USD", None));
/// assert_eq!(s.index_of("value").unwrap(), 5);
/// assert_eq!(s.metadata()["tradedep.currency"], "USD");
/// ```
pub fn canonical_schema(meta: &TableMeta) -> SchemaRef {
    Arc::new(Schema::new_with_metadata(canonical_fields(), meta.to_metadata()))
}
