//! Comtrade quantity units mapped to tradedep unit names.
//!
//! Source: UN Comtrade's QuantityUnits reference (the WCO-based supplementary quantity units,
//! codes 1-13, with -1 = "N/A" in Comtrade Plus). Units that are multiples of another are
//! converted so that quantities of one unit can be summed:
//!
//! | code | Comtrade abbreviation | meaning | tradedep unit | factor |
//! |---|---|---|---|---|
//! | -1 | N/A | no quantity | (null) | |
//! | 1 | - | no quantity | (null) | |
//! | 2 | m² / m2 | area in square metres | `m2` | 1 |
//! | 3 | 1000 kWh | electrical energy | `kWh` | 1000 |
//! | 4 | m | length in metres | `m` | 1 |
//! | 5 | u | number of items | `u` | 1 |
//! | 6 | 2u | number of pairs | `pair` | 1 |
//! | 7 | l | volume in litres | `l` | 1 |
//! | 8 | kg | weight in kilograms | `kg` | 1 |
//! | 9 | 1000u | thousands of items | `u` | 1000 |
//! | 10 | u (jeu/pack) | number of packages | `pack` | 1 |
//! | 11 | 12u | dozens of items | `u` | 12 |
//! | 12 | m³ / m3 | volume in cubic metres | `m3` | 1 |
//! | 13 | carat | weight in carats | `carat` | 1 |
//!
//! The abbreviation `1000 kg` (seen in alternative-quantity columns) maps to `kg` × 1000.

/// A tradedep unit and the factor that turns a Comtrade quantity into it.
///
/// ```
/// use tradedep::io::comtrade::units::{by_code, Unit, UnitLookup};
/// // Code 11 is dozens of items: 5 dozen are 5 * 12 = 60 items.
/// let UnitLookup::Unit(Unit { name, factor }) = by_code(11) else { panic!("code 11 is a unit") };
/// assert_eq!(name, "u");
/// assert_eq!(5.0 * factor, 60.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    pub name: &'static str,
    pub factor: f64,
}

const fn unit(name: &'static str, factor: f64) -> Option<Unit> {
    Some(Unit { name, factor })
}

/// What a Comtrade unit code or abbreviation means.
///
/// ```
/// use tradedep::io::comtrade::units::{by_abbreviation, by_code, UnitLookup};
/// assert!(matches!(by_code(8), UnitLookup::Unit(u) if u.name == "kg"));
/// assert_eq!(by_code(-1), UnitLookup::NoQuantity);
/// assert_eq!(by_abbreviation("barrel"), UnitLookup::Unknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UnitLookup {
    /// A unit with a quantity.
    Unit(Unit),
    /// The row has no quantity (N/A, -1, 1, "-").
    NoQuantity,
    /// Neither the code nor the abbreviation is known.
    Unknown,
}

/// Looks up a Comtrade quantity unit code.
///
/// ```
/// use tradedep::io::comtrade::units::{by_code, Unit, UnitLookup};
/// assert_eq!(by_code(3), UnitLookup::Unit(Unit { name: "kWh", factor: 1000.0 }));
/// assert_eq!(by_code(6), UnitLookup::Unit(Unit { name: "pair", factor: 1.0 }));
/// assert_eq!(by_code(1), UnitLookup::NoQuantity);
/// assert_eq!(by_code(14), UnitLookup::Unknown);
/// ```
pub fn by_code(code: i64) -> UnitLookup {
    let u = match code {
        -1 | 1 => return UnitLookup::NoQuantity,
        2 => unit("m2", 1.0),
        3 => unit("kWh", 1000.0),
        4 => unit("m", 1.0),
        5 => unit("u", 1.0),
        6 => unit("pair", 1.0),
        7 => unit("l", 1.0),
        8 => unit("kg", 1.0),
        9 => unit("u", 1000.0),
        10 => unit("pack", 1.0),
        11 => unit("u", 12.0),
        12 => unit("m3", 1.0),
        13 => unit("carat", 1.0),
        _ => None,
    };
    u.map(UnitLookup::Unit).unwrap_or(UnitLookup::Unknown)
}

/// Looks up a Comtrade quantity unit abbreviation (case-insensitive, spaces ignored).
///
/// ```
/// use tradedep::io::comtrade::units::{by_abbreviation, by_code, Unit, UnitLookup};
/// assert_eq!(by_abbreviation("1000 KG"), UnitLookup::Unit(Unit { name: "kg", factor: 1000.0 }));
/// assert_eq!(by_abbreviation("m³"), by_code(12));
/// assert_eq!(by_abbreviation("N/A"), UnitLookup::NoQuantity);
/// ```
pub fn by_abbreviation(abbr: &str) -> UnitLookup {
    let a: String = abbr
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let u = match a.as_str() {
        "" | "n/a" | "na" | "-" | "noquantity" => return UnitLookup::NoQuantity,
        "m²" | "m2" => unit("m2", 1.0),
        "1000kwh" => unit("kWh", 1000.0),
        "kwh" => unit("kWh", 1.0),
        "m" => unit("m", 1.0),
        "u" => unit("u", 1.0),
        "2u" => unit("pair", 1.0),
        "l" => unit("l", 1.0),
        "kg" => unit("kg", 1.0),
        "1000kg" | "t" => unit("kg", 1000.0),
        "1000u" => unit("u", 1000.0),
        "u(jeu/pack)" => unit("pack", 1.0),
        "12u" => unit("u", 12.0),
        "m³" | "m3" => unit("m3", 1.0),
        "carat" => unit("carat", 1.0),
        _ => None,
    };
    u.map(UnitLookup::Unit).unwrap_or(UnitLookup::Unknown)
}

/// The unit of a row from its code (preferred) and abbreviation.
///
/// ```
/// use tradedep::io::comtrade::units::{resolve, Unit, UnitLookup};
/// let kg = UnitLookup::Unit(Unit { name: "kg", factor: 1.0 });
/// // The code wins over the abbreviation ...
/// assert_eq!(resolve(Some(8), Some("u")), kg);
/// // ... an unknown code falls back to the abbreviation ...
/// assert_eq!(resolve(Some(99), Some("kg")), kg);
/// // ... and an unknown code without one is unknown, no code and no abbreviation no quantity.
/// assert_eq!(resolve(Some(99), None), UnitLookup::Unknown);
/// assert_eq!(resolve(None, None), UnitLookup::NoQuantity);
/// ```
pub fn resolve(code: Option<i64>, abbr: Option<&str>) -> UnitLookup {
    match code.map(by_code) {
        Some(found @ (UnitLookup::Unit(_) | UnitLookup::NoQuantity)) => found,
        _ => match abbr {
            Some(a) => by_abbreviation(a),
            None if code.is_none() => UnitLookup::NoQuantity,
            None => UnitLookup::Unknown,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_abbreviations_agree() {
        for (code, abbr) in [
            (2, "m²"),
            (3, "1000 kWh"),
            (4, "m"),
            (5, "u"),
            (6, "2u"),
            (7, "l"),
            (8, "kg"),
            (9, "1000u"),
            (10, "u (jeu/pack)"),
            (11, "12u"),
            (12, "m³"),
            (13, "carat"),
        ] {
            assert_eq!(by_code(code), by_abbreviation(abbr), "code {code}");
        }
    }

    #[test]
    fn no_quantity_and_unknown() {
        assert_eq!(resolve(Some(-1), Some("N/A")), UnitLookup::NoQuantity);
        assert_eq!(resolve(None, None), UnitLookup::NoQuantity);
        assert_eq!(resolve(Some(99), None), UnitLookup::Unknown);
        assert_eq!(
            resolve(Some(99), Some("kg")),
            UnitLookup::Unit(Unit {
                name: "kg",
                factor: 1.0
            })
        );
        assert_eq!(
            resolve(Some(9), None),
            UnitLookup::Unit(Unit {
                name: "u",
                factor: 1000.0
            })
        );
    }
}
