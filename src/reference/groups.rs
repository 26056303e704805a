//! Country groups with membership dates. PLACEHOLDER bodies: the countries work replaces them;
//! the signatures are the contract other modules code against.

use crate::error::{Error, Result};
use crate::model::Period;

/// Numeric codes of a built-in group's members during `period` (the whole period for a year:
/// a country counts as a member of EU27 in a year if it was a member on 1 July of that year,
/// documented in the group table). `None` means "members today".
pub fn members(name: &str, _period: Option<Period>) -> Result<Vec<u16>> {
    Err(Error::invalid_argument(format!("unknown group {name:?}"), "groups table not yet built"))
}
