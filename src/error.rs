//! One error type for the whole crate.
//!
//! Every variant says *what* went wrong, *where* (file, line, column, value when known) and
//! *what to do next*. The Python binding maps each variant onto one exception class under
//! `tradedep.TradeDepError`, so keep variants coarse enough to be caught precisely.

use std::path::PathBuf;

/// Where in an input a problem was found. Every field is optional because not every input
/// has lines (Arrow tables) or columns (archives).
///
/// ```
/// use tradedep::Location;
/// let at = Location::file("imports.csv").line(12).column("value").value("12,5");
/// assert_eq!(at.to_string(), "file imports.csv, line 12, column 'value', value \"12,5\"");
/// assert_eq!(at.at(), " at file imports.csv, line 12, column 'value', value \"12,5\"");
/// assert_eq!(Location::default().at(), "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: Option<String>,
    /// 1-based line number in the (decompressed) text, header = line 1.
    pub line: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
}

impl Location {
    /// A location in `file`, line and column unknown.
    ///
    /// ```
    /// assert_eq!(tradedep::Location::file("a.csv").file.as_deref(), Some("a.csv"));
    /// ```
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: Some(file.into()),
            ..Default::default()
        }
    }
    /// Sets the 1-based line (the header is line 1).
    ///
    /// ```
    /// assert_eq!(tradedep::Location::file("a.csv").line(2).line, Some(2));
    /// ```
    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }
    /// Sets the column name.
    ///
    /// ```
    /// assert_eq!(tradedep::Location::default().column("period").column.as_deref(), Some("period"));
    /// ```
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
    /// Sets the offending value, cut to 80 bytes and an ellipsis when longer.
    ///
    /// ```
    /// let loc = tradedep::Location::default().value("x".repeat(200));
    /// assert_eq!(loc.value.unwrap(), format!("{}…", "x".repeat(80)));
    /// ```
    pub fn value(mut self, value: impl Into<String>) -> Self {
        let mut v: String = value.into();
        if v.len() > 80 {
            // Keep messages readable when a whole line lands in the value.
            let cut = (0..=80).rev().find(|i| v.is_char_boundary(*i)).unwrap_or(0);
            v.truncate(cut);
            v.push('…');
        }
        self.value = Some(v);
        self
    }
}

impl Location {
    /// `" at <location>"`, or nothing when no field is known (a message never ends in "at
    /// (no location)").
    ///
    /// ```
    /// use tradedep::Location;
    /// assert_eq!(Location::file("a.csv").line(3).at(), " at file a.csv, line 3");
    /// ```
    pub fn at(&self) -> String {
        if *self == Location::default() {
            String::new()
        } else {
            format!(" at {self}")
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(file) = &self.file {
            parts.push(format!("file {file}"));
        }
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(column) = &self.column {
            parts.push(format!("column '{column}'"));
        }
        if let Some(value) = &self.value {
            parts.push(format!("value {value:?}"));
        }
        if parts.is_empty() {
            write!(f, "(no location)")
        } else {
            write!(f, "{}", parts.join(", "))
        }
    }
}

/// The crate's error type.
///
/// Locations are boxed: every fallible call returns `Result<_, Error>`, and a small error keeps
/// those results (and the happy path that moves them) small.
///
/// ```
/// use tradedep::{Error, Location};
/// let e = Error::parse("value \"12,5\"", Location::file("a.csv").line(4), "use a point as decimal separator");
/// assert_eq!(
///     e.to_string(),
///     "cannot parse value \"12,5\" at file a.csv, line 4. use a point as decimal separator"
/// );
/// assert!(matches!(e, Error::Parse { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}. Check that the path exists and is readable.")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The input's structure is wrong: missing or unknown header, wrong delimiter, empty file,
    /// truncated archive, invalid UTF-8.
    #[error("{what}{}. {hint}", .location.at())]
    Format {
        what: String,
        location: Box<Location>,
        hint: String,
    },

    /// A value could not be parsed (text in a number column, malformed date ...).
    #[error("cannot parse {what}{}. {hint}", .location.at())]
    Parse {
        what: String,
        location: Box<Location>,
        hint: String,
    },

    /// A value parsed but breaks a rule of the domain (negative trade value, quantity without
    /// unit, mixed vintages or currencies ...).
    #[error("invalid data: {what}{}. {hint}", .location.at())]
    InvalidData {
        what: String,
        location: Box<Location>,
        hint: String,
    },

    /// A country name or code that the embedded country table does not know.
    #[error("unknown country {query:?}{context}. {hint}")]
    UnknownCountry {
        query: String,
        context: String,
        hint: String,
    },

    /// A product code that is malformed or not in the nomenclature asked for.
    #[error("invalid product code {code:?}{context}. {hint}")]
    InvalidProduct {
        code: String,
        context: String,
        hint: String,
    },

    /// A canonical column is missing or has the wrong type (Arrow input, column mapping).
    #[error("schema problem: {what}. {hint}")]
    Schema { what: String, hint: String },

    /// A caller passed arguments that cannot work together.
    #[error("invalid argument: {what}. {hint}")]
    InvalidArgument { what: String, hint: String },

    /// An error from arrow-rs, with the operation that failed.
    #[error("Arrow error while {context}: {source}")]
    Arrow {
        context: String,
        #[source]
        source: arrow_schema::ArrowError,
    },

    /// The caller cancelled the call ([`crate::cancel::Cancellation`]; Ctrl-C in Python).
    #[error("cancelled before the end (Ctrl-C); nothing was returned")]
    Cancelled,

    /// An error from the parquet reader or writer.
    #[error("Parquet error in {path}: {message}")]
    Parquet { path: String, message: String },
}

/// Shorthand used everywhere in the crate.
///
/// ```
/// fn half(x: f64) -> tradedep::Result<f64> {
///     if x < 0.0 {
///         return Err(tradedep::Error::invalid_argument("negative value", "pass a value >= 0"));
///     }
///     Ok(x / 2.0)
/// }
/// assert_eq!(half(3.0).unwrap(), 1.5);
/// assert!(half(-1.0).is_err());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for `path`.
    ///
    /// ```
    /// let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
    /// let e = tradedep::Error::io("data/baci.zip", source);
    /// assert!(e.to_string().starts_with("cannot read data/baci.zip: no such file."));
    /// ```
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    /// An [`Error::Format`]: the input's structure is wrong.
    ///
    /// ```
    /// use tradedep::{Error, Location};
    /// let e = Error::format("no header", Location::file("a.csv").line(1), "the first line names the columns");
    /// assert_eq!(e.to_string(), "no header at file a.csv, line 1. the first line names the columns");
    /// ```
    pub fn format(what: impl Into<String>, location: Location, hint: impl Into<String>) -> Self {
        Error::Format {
            what: what.into(),
            location: Box::new(location),
            hint: hint.into(),
        }
    }
    /// An [`Error::Parse`]: a value could not be read.
    ///
    /// ```
    /// use tradedep::{Error, Location};
    /// let e = Error::parse("period \"2021Q1\"", Location::default(), "write 2021 or 202103");
    /// assert_eq!(e.to_string(), "cannot parse period \"2021Q1\". write 2021 or 202103");
    /// ```
    pub fn parse(what: impl Into<String>, location: Location, hint: impl Into<String>) -> Self {
        Error::Parse {
            what: what.into(),
            location: Box::new(location),
            hint: hint.into(),
        }
    }
    /// An [`Error::InvalidData`]: a value breaks a rule of the domain.
    ///
    /// ```
    /// use tradedep::{Error, Location};
    /// let e = Error::invalid_data("negative trade value", Location::file("a.csv").line(9), "fix the input");
    /// assert_eq!(e.to_string(), "invalid data: negative trade value at file a.csv, line 9. fix the input");
    /// ```
    pub fn invalid_data(what: impl Into<String>, location: Location, hint: impl Into<String>) -> Self {
        Error::InvalidData {
            what: what.into(),
            location: Box::new(location),
            hint: hint.into(),
        }
    }
    /// An [`Error::Schema`]: a canonical column is missing or has the wrong type.
    ///
    /// ```
    /// let e = tradedep::Error::schema("no column 'value'", "map a column to value");
    /// assert_eq!(e.to_string(), "schema problem: no column 'value'. map a column to value");
    /// ```
    pub fn schema(what: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Schema {
            what: what.into(),
            hint: hint.into(),
        }
    }
    /// An [`Error::InvalidArgument`]: arguments that cannot work together.
    ///
    /// ```
    /// let e = tradedep::Error::invalid_argument("no importers", "pass at least one importer");
    /// assert_eq!(e.to_string(), "invalid argument: no importers. pass at least one importer");
    /// ```
    pub fn invalid_argument(what: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::InvalidArgument {
            what: what.into(),
            hint: hint.into(),
        }
    }
    /// An [`Error::Arrow`] with the operation that failed.
    ///
    /// ```
    /// let source = arrow_schema::ArrowError::ComputeError("overflow".into());
    /// let e = tradedep::Error::arrow("summing values", source);
    /// assert_eq!(e.to_string(), "Arrow error while summing values: Compute error: overflow");
    /// ```
    pub fn arrow(context: impl Into<String>, source: arrow_schema::ArrowError) -> Self {
        Error::Arrow {
            context: context.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_stay_small() {
        // Clippy's `result_large_err` starts at 128 bytes; the largest variant is now three
        // strings (UnknownCountry, InvalidProduct).
        assert!(std::mem::size_of::<Error>() <= 80, "{}", std::mem::size_of::<Error>());
    }

    #[test]
    fn no_location_phrase_without_a_location() {
        let e = Error::invalid_data("a degenerate matrix", Location::default(), "add exporters");
        assert_eq!(e.to_string(), "invalid data: a degenerate matrix. add exporters");
    }

    #[test]
    fn boxed_locations_still_display() {
        let e = Error::parse(
            "a number",
            Location::file("x.csv").line(3).column("v").value("1,5"),
            "use a point",
        );
        assert_eq!(
            e.to_string(),
            "cannot parse a number at file x.csv, line 3, column 'v', value \"1,5\". use a point"
        );
    }
}
