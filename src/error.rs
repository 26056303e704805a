//! One error type for the whole crate.
//!
//! Every variant says *what* went wrong, *where* (file, line, column, value when known) and
//! *what to do next*. The Python binding maps each variant onto one exception class under
//! `tradedep.TradeDepError`, so keep variants coarse enough to be caught precisely.

use std::path::PathBuf;

/// Where in an input a problem was found. Every field is optional because not every input
/// has lines (Arrow tables) or columns (archives).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: Option<String>,
    /// 1-based line number in the (decompressed) text, header = line 1.
    pub line: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: Some(file.into()),
            ..Default::default()
        }
    }
    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
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
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    pub fn format(what: impl Into<String>, location: Location, hint: impl Into<String>) -> Self {
        Error::Format {
            what: what.into(),
            location: Box::new(location),
            hint: hint.into(),
        }
    }
    pub fn parse(what: impl Into<String>, location: Location, hint: impl Into<String>) -> Self {
        Error::Parse {
            what: what.into(),
            location: Box::new(location),
            hint: hint.into(),
        }
    }
    pub fn invalid_data(what: impl Into<String>, location: Location, hint: impl Into<String>) -> Self {
        Error::InvalidData {
            what: what.into(),
            location: Box::new(location),
            hint: hint.into(),
        }
    }
    pub fn schema(what: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Schema {
            what: what.into(),
            hint: hint.into(),
        }
    }
    pub fn invalid_argument(what: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::InvalidArgument {
            what: what.into(),
            hint: hint.into(),
        }
    }
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
