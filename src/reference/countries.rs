//! Countries: an embedded table typed by the project. PLACEHOLDER bodies: the countries work
//! replaces them; the signatures are the contract other modules code against.

use crate::error::{Error, Result};

/// One country or territory as trade statistics know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    /// ISO 3166-1 alpha-2 (`"US"`); empty for Comtrade-only areas without one.
    pub iso2: &'static str,
    /// ISO 3166-1 alpha-3 (`"USA"`), or the code Comtrade uses for areas without one.
    pub iso3: &'static str,
    /// ISO 3166-1 numeric (840).
    pub iso_numeric: u16,
    /// Comtrade/BACI numeric code (842 for the USA).
    pub comtrade: u16,
    /// Short English name.
    pub name: &'static str,
}

/// True when `code` is a Comtrade/BACI numeric country code of a real partner (not World, 0).
pub fn is_known_code(code: u16) -> bool {
    code != 0 && code < 1000
}

/// The country with this Comtrade/BACI numeric code.
pub fn by_code(_code: u16) -> Option<&'static Country> {
    None
}

/// Resolves an ISO alpha-2 or alpha-3 code, a Comtrade/ISO numeric code written as text, or a
/// name (case-insensitive, common aliases) to one country.
pub fn country(query: &str) -> Result<&'static Country> {
    Err(Error::UnknownCountry { query: query.into(), context: String::new(), hint: "countries table not yet built".into() })
}

/// Resolves a country or group name (e.g. `"China+HK"`, `"EU27"`) to numeric codes.
pub fn resolve(query: &str) -> Result<Vec<u16>> {
    country(query).map(|c| vec![c.comtrade])
}
