//! Countries: the embedded table of [`country_table`](super::country_table) and lookups by code,
//! ISO code and name.
//!
//! Trade data carries Comtrade/BACI numeric codes, which are mostly ISO 3166-1 numeric with
//! exceptions (USA 842 vs ISO 840, France 251, Italy 381 and 380, Norway 579, Switzerland 757,
//! India 699, Taiwan as 490 "Other Asia, nes"). [`Country::comtrade`] is the code found in data,
//! [`Country::iso_numeric`] the ISO one.
//!
//! ```
//! use tradedep::reference::countries::{country, resolve};
//! let us = country("United States").unwrap();
//! assert_eq!((us.iso3, us.iso_numeric, us.comtrade), ("USA", 840, 842));
//! assert_eq!(country("840").unwrap().comtrade, 842);
//! assert_eq!(resolve("Italy").unwrap(), vec![380, 381]);
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use super::country_table::AREA_TABLE;
pub use super::country_table::{Area, AreaKind, AREAS};
use crate::error::{Error, Result};

/// One country or territory as trade statistics know it.
///
/// ```
/// use tradedep::reference::countries::by_code;
/// let fr = by_code(251).unwrap();
/// assert_eq!((fr.iso2, fr.iso3, fr.iso_numeric, fr.name), ("FR", "FRA", 250, "France"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    /// ISO 3166-1 alpha-2 (`"US"`); empty for Comtrade-only areas without one.
    pub iso2: &'static str,
    /// ISO 3166-1 alpha-3 (`"USA"`); for former areas the code BACI gives them (810 `"SUN"`,
    /// 58 Belgium-Luxembourg `"BEL"`); empty for "nes" and special areas.
    pub iso3: &'static str,
    /// ISO 3166-1 numeric (840); 0 for areas without a current ISO code.
    pub iso_numeric: u16,
    /// Comtrade/BACI numeric code (842 for the USA); 0 for ISO countries that trade data reports
    /// within another area (Liechtenstein within Switzerland 757).
    pub comtrade: u16,
    /// Short English name.
    pub name: &'static str,
}

const NO_ROW: u16 = u16::MAX;

/// Row index by data code, built at compile time so [`is_known_code`] is one array read.
static CODE_INDEX: [u16; 1000] = {
    let mut t = [NO_ROW; 1000];
    let mut i = 0;
    while i < AREA_TABLE.len() {
        let c = AREA_TABLE[i].country.comtrade as usize;
        if c != 0 && c < 1000 {
            t[c] = i as u16;
        }
        i += 1;
    }
    t
};

/// Checks the `importers=` of a read: an empty list would keep no row and an unknown code no
/// row either, both silently.
pub(crate) fn check_importer_codes(codes: &[u16]) -> crate::error::Result<()> {
    if codes.is_empty() {
        return Err(crate::error::Error::invalid_argument(
            "importers=[] keeps no row",
            "pass the importers to keep (numeric codes, e.g. [643]), or None for every importer",
        ));
    }
    if let Some(c) = codes.iter().find(|c| !is_known_code(**c)) {
        return Err(crate::error::Error::invalid_argument(
            format!("importer code {c} is not a country code of trade data"),
            "pass numeric Comtrade/BACI codes (td.country(\"RUS\") gives 643)",
        ));
    }
    Ok(())
}

/// A country's label in results and messages: its ISO3 code, or its number for areas without
/// one (697 Europe EFTA nes ...), so that two such areas never share a label.
pub(crate) fn label(code: u16) -> String {
    label_str(code).into_owned()
}

/// [`label`] without a copy of the ISO3 code.
pub(crate) fn label_str(code: u16) -> std::borrow::Cow<'static, str> {
    by_code(code)
        .map(|c| c.iso3)
        .filter(|iso3| !iso3.is_empty())
        .map_or_else(|| code.to_string().into(), Into::into)
}

/// One flag per u16 code, set for `codes`: a read keeping some countries looks a row's code up
/// in it.
pub(crate) fn code_mask(codes: &[u16]) -> Vec<bool> {
    let mut mask = vec![false; 1 << 16];
    for &c in codes {
        mask[c as usize] = true;
    }
    mask
}

/// True when `code` is a Comtrade/BACI numeric country code of a real partner (not World, 0).
///
/// Accepts every code of the BACI country lists (V202201, V202301) and of the Comtrade partner
/// areas, including former countries (810 USSR), "nes" areas (490, 899) and special categories
/// (837 Bunkers). Rejects 0 (World), 97 (EU-28 aggregate reporter) and ISO codes that trade data
/// never uses for the country (840, 250 ...). Constant time: called for every row of big tables.
///
/// ```
/// use tradedep::reference::countries::is_known_code;
/// assert!(is_known_code(842)); // USA in trade data
/// assert!(is_known_code(810)); // the former USSR
/// assert!(!is_known_code(840)); // the ISO code of the USA, never used in trade data
/// assert!(!is_known_code(0)); // World is not a partner
/// ```
#[inline]
pub fn is_known_code(code: u16) -> bool {
    matches!(CODE_INDEX.get(code as usize), Some(&i) if i != NO_ROW)
}

/// The table row with this Comtrade/BACI numeric code.
///
/// ```
/// use tradedep::reference::countries::{area_by_code, AreaKind};
/// assert_eq!(area_by_code(381).unwrap().kind, AreaKind::Alias); // Italy's second code
/// assert_eq!(area_by_code(810).unwrap().kind, AreaKind::Former);
/// assert!(area_by_code(840).is_none());
/// ```
pub fn area_by_code(code: u16) -> Option<&'static Area> {
    match CODE_INDEX.get(code as usize) {
        Some(&i) if i != NO_ROW => AREAS.get(i as usize),
        _ => None,
    }
}

/// The country with this Comtrade/BACI numeric code.
///
/// ```
/// use tradedep::reference::countries::by_code;
/// assert_eq!(by_code(643).unwrap().iso3, "RUS");
/// assert!(by_code(0).is_none());
/// ```
pub fn by_code(code: u16) -> Option<&'static Country> {
    area_by_code(code).map(|a| &a.country)
}

/// The table row a [`Country`] returned by this module comes from.
///
/// ```
/// use tradedep::reference::countries::{area_of, country};
/// let li = country("Liechtenstein")?;
/// assert_eq!(area_of(li).unwrap().included_in, 757); // reported within Switzerland
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn area_of(c: &Country) -> Option<&'static Area> {
    AREAS.iter().find(|a| a.country == *c)
}

/// Every row of the embedded table (countries, former countries, "nes" areas ...).
///
/// ```
/// use tradedep::reference::countries::{areas, AreaKind};
/// assert!(areas().len() > 250);
/// assert!(areas().iter().any(|a| a.kind == AreaKind::Nes && a.country.comtrade == 899));
/// ```
pub fn areas() -> &'static [Area] {
    AREAS
}

/// The whole table as Arrow: `comtrade`, `iso2`, `iso3`, `iso_numeric`, `name`, `kind`,
/// `included_in`; codes that do not exist (0) and empty ISO codes are nulls.
///
/// ```
/// use tradedep::reference::countries::{areas, table};
/// let t = table()?;
/// assert_eq!(t.num_rows(), areas().len());
/// assert_eq!(t.schema().field(0).name(), "comtrade");
/// assert!(t.schema().index_of("included_in").is_ok());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn table() -> Result<arrow_array::RecordBatch> {
    use arrow_array::{ArrayRef, StringArray, UInt16Array};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;
    let code = |f: fn(&Area) -> u16| -> ArrayRef {
        Arc::new(
            AREAS
                .iter()
                .map(|a| Some(f(a)).filter(|&c| c != 0))
                .collect::<UInt16Array>(),
        )
    };
    let text = |f: fn(&Area) -> &'static str| -> ArrayRef {
        Arc::new(
            AREAS
                .iter()
                .map(|a| Some(f(a)).filter(|s| !s.is_empty()))
                .collect::<StringArray>(),
        )
    };
    let schema = Schema::new(vec![
        Field::new("comtrade", DataType::UInt16, true),
        Field::new("iso2", DataType::Utf8, true),
        Field::new("iso3", DataType::Utf8, true),
        Field::new("iso_numeric", DataType::UInt16, true),
        Field::new("name", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("included_in", DataType::UInt16, true),
    ]);
    arrow_array::RecordBatch::try_new(
        Arc::new(schema),
        vec![
            code(|a| a.country.comtrade),
            text(|a| a.country.iso2),
            text(|a| a.country.iso3),
            code(|a| a.country.iso_numeric),
            text(|a| a.country.name),
            text(|a| a.kind.as_str()),
            code(|a| a.included_in),
        ],
    )
    .map_err(|e| Error::arrow("building the countries table", e))
}

/// Lower-case, accents folded, punctuation dropped, `&` as `and`, `st` as `saint`, no leading
/// `the`: "St. Kitts & Nevis" and "saint kitts and nevis" meet.
pub(crate) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let folded = match ch {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
            'ç' | 'Ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'ñ' | 'Ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'ý' | 'ÿ' | 'Ý' => 'y',
            '&' => {
                out.push_str(" and ");
                continue;
            }
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.extend(folded.to_lowercase());
    }
    let mut words: Vec<&str> = out.split_whitespace().collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words
        .iter()
        .map(|w| if *w == "st" { "saint" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalized name -> row indices.
fn name_index() -> &'static HashMap<String, Vec<usize>> {
    static INDEX: OnceLock<HashMap<String, Vec<usize>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in AREAS.iter().enumerate() {
            for n in std::iter::once(&a.country.name).chain(a.aliases.iter()) {
                let v = m.entry(normalize(n)).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        m
    })
}

/// Lower is preferred when a name or code matches several rows.
fn rank(kind: AreaKind) -> u8 {
    match kind {
        AreaKind::Country => 0,
        AreaKind::NoOwnCode => 1,
        AreaKind::Alias => 2,
        AreaKind::Former => 3,
        AreaKind::Nes => 4,
        AreaKind::Special => 5,
    }
}

fn unknown(query: &str, context: &str, hint: String) -> Error {
    Error::UnknownCountry {
        query: query.into(),
        context: context.into(),
        hint,
    }
}

/// Picks the best-ranked rows; several distinct countries at the best rank is an ambiguity.
fn pick(query: &str, rows: &[usize]) -> Result<&'static Area> {
    let best = rows.iter().filter_map(|&i| AREAS.get(i)).map(|a| rank(a.kind)).min();
    let top: Vec<&'static Area> = rows
        .iter()
        .filter_map(|&i| AREAS.get(i))
        .filter(|a| Some(rank(a.kind)) == best)
        .collect();
    match top.as_slice() {
        [one] => Ok(one),
        [] => Err(unknown(query, "", "the countries table has no such entry".into())),
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|a| format!("{} ({}, code {})", a.country.name, a.country.iso3, a.country.comtrade))
                .collect();
            Err(unknown(
                query,
                " (ambiguous)",
                format!(
                    "it matches {}; use an ISO alpha-3 code or a numeric code",
                    names.join(", ")
                ),
            ))
        }
    }
}

/// Looks a numeric code up as a data code first (what trade files contain), then as ISO numeric:
/// 842 and 840 both give the USA; 356 gives India (699), not the historical 356 "India, excl. Sikkim".
fn by_number(n: u16) -> Option<&'static Area> {
    let data = area_by_code(n);
    if let Some(a) = data.filter(|a| matches!(a.kind, AreaKind::Country | AreaKind::Alias)) {
        return Some(a);
    }
    if let Some(a) = AREAS
        .iter()
        .find(|a| a.kind == AreaKind::Country && a.country.iso_numeric == n)
    {
        return Some(a);
    }
    data.or_else(|| {
        AREAS
            .iter()
            .find(|a| a.kind == AreaKind::NoOwnCode && a.country.iso_numeric == n)
    })
}

fn by_iso_alpha(q: &str) -> Option<&'static Area> {
    let upper = q.to_ascii_uppercase();
    let field = |a: &Area| {
        if upper.len() == 2 {
            a.country.iso2
        } else {
            a.country.iso3
        }
    };
    let mut best: Option<&'static Area> = None;
    for a in AREAS {
        if field(a) == upper && best.is_none_or(|b| rank(a.kind) < rank(b.kind)) {
            best = Some(a);
        }
    }
    best
}

/// The table row for a query (see [`country`]).
///
/// ```
/// use tradedep::reference::countries::{area, AreaKind};
/// assert_eq!(area("DEU")?.country.comtrade, 276);
/// assert_eq!(area("Fmr USSR")?.kind, AreaKind::Former);
/// assert!(area("").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn area(query: &str) -> Result<&'static Area> {
    let q = query.trim();
    if q.is_empty() {
        return Err(unknown(
            query,
            "",
            "give an ISO code (\"USA\"), a numeric code (842) or a name".into(),
        ));
    }
    if q.chars().all(|c| c.is_ascii_digit()) {
        return match q.parse::<u16>().ok().and_then(by_number) {
            Some(a) => Ok(a),
            None => Err(unknown(
                query,
                "",
                "no Comtrade/BACI or ISO 3166-1 numeric code has this value; 0 is World, not a country".into(),
            )),
        };
    }
    if (q.len() == 2 || q.len() == 3) && q.chars().all(|c| c.is_ascii_alphabetic()) {
        if let Some(a) = by_iso_alpha(q) {
            return Ok(a);
        }
    }
    let key = normalize(q);
    if let Some(rows) = name_index().get(&key) {
        return pick(query, rows);
    }
    // A name that starts like exactly one country ("Russian" -> no; "Bosnia" is an alias) is
    // not guessed: the hint lists the closest names instead.
    Err(unknown(
        query,
        "",
        format!("closest names: {}", closest_names(&key, 3).join(", ")),
    ))
}

/// Resolves an ISO alpha-2 or alpha-3 code, a Comtrade/ISO numeric code written as text, or a
/// name (case-insensitive, common aliases) to one country.
///
/// Numbers are looked up as Comtrade/BACI codes first, then as ISO numeric ("840" is the USA).
/// ISO codes find the current country ("DEU" is 276 Germany, not 280 the former FRG). Names
/// accept official, Comtrade, BACI and common spellings ("Russia", "Russian Federation",
/// "Turkey", "Türkiye", "Korea, Rep.", "UAE", "Czech Republic"). An unknown or ambiguous name
/// ("Korea") gives [`Error::UnknownCountry`] with the closest names or the candidates.
///
/// ```
/// use tradedep::reference::countries::country;
/// assert_eq!(country("fra").unwrap().comtrade, 251);
/// assert_eq!(country("Russian Federation").unwrap().iso3, "RUS");
/// assert!(country("Korea").is_err());
/// ```
pub fn country(query: &str) -> Result<&'static Country> {
    area(query).map(|a| &a.country)
}

/// All data codes of the entity of `a`: its own code, then the codes of its [`AreaKind::Alias`]
/// rows (Italy: 380, 381). A country without its own code is an error naming where its trade is.
///
/// ```
/// use tradedep::reference::countries::{area, data_codes};
/// assert_eq!(data_codes(area("Italy")?, "Italy")?, [380, 381]);
/// let li = area("Liechtenstein")?;
/// assert!(data_codes(li, "Liechtenstein").unwrap_err().to_string().contains("757"));
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn data_codes(a: &'static Area, query: &str) -> Result<Vec<u16>> {
    if a.kind == AreaKind::NoOwnCode {
        let within = by_code(a.included_in)
            .map(|c| format!("{} ({})", c.name, c.comtrade))
            .unwrap_or_default();
        return Err(unknown(
            query,
            " (no code of its own in trade data)",
            format!(
                "{} is reported within {within}; use that code if the aggregate is what you want",
                a.country.name
            ),
        ));
    }
    let mut codes = vec![a.country.comtrade];
    if a.kind == AreaKind::Country {
        codes.extend(
            AREAS
                .iter()
                .filter(|b| b.kind == AreaKind::Alias && b.country.iso3 == a.country.iso3)
                .map(|b| b.country.comtrade),
        );
    }
    Ok(codes)
}

/// Resolves a country or group name (e.g. `"China+HK"`, `"EU27"`) to numeric codes.
///
/// Accepts a group name (user-defined groups of the global
/// [`GroupRegistry`](super::groups::GroupRegistry) first, then the built-in groups, with today's
/// members), anything [`country`] accepts (all data codes of the country, e.g. Italy 380 and 381),
/// or several of these joined by `+` (`"CHN+HKG"`, `"EU27+GBR"`). Codes are unique, in order.
///
/// ```
/// use tradedep::reference::countries::resolve;
/// assert_eq!(resolve("CHN+HKG").unwrap(), vec![156, 344]);
/// assert_eq!(resolve("EU27").unwrap().len(), 28); // 27 members, Italy under 380 and 381
/// ```
pub fn resolve(query: &str) -> Result<Vec<u16>> {
    resolve_with(query, &|name| super::groups::lookup_codes(name, None))
}

/// [`resolve`] with group names looked up by `group_codes` (a registry's own groups and the
/// built-ins) instead of the global registry, whose lock the caller may hold.
pub(crate) fn resolve_with(query: &str, group_codes: &dyn Fn(&str) -> Option<Vec<u16>>) -> Result<Vec<u16>> {
    let q = query.trim();
    if let Some(codes) = group_codes(q) {
        return Ok(codes);
    }
    match area(q) {
        Ok(a) => data_codes(a, query),
        Err(e) if q.contains('+') => {
            let mut out: Vec<u16> = Vec::new();
            for part in q.split('+') {
                if part.trim().is_empty() {
                    return Err(e);
                }
                for c in resolve_with(part, group_codes)? {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
            }
            Ok(out)
        }
        Err(e) => Err(e),
    }
}

/// The display names closest to a normalized query (edit distance), for error hints.
fn closest_names(key: &str, n: usize) -> Vec<String> {
    let mut scored: Vec<(usize, &'static str)> = Vec::new();
    for a in AREAS {
        for name in std::iter::once(&a.country.name).chain(a.aliases.iter()) {
            let norm = normalize(name);
            let mut d = edit_distance(key, &norm);
            if !key.is_empty() && norm.starts_with(key) {
                d = d.min(1);
            }
            scored.push((d, a.country.name));
        }
    }
    scored.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, name) in scored {
        if !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
        if out.len() == n {
            break;
        }
    }
    out
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        // One current row per ISO code; data codes unique.
        let mut seen = std::collections::HashSet::new();
        for a in AREAS
            .iter()
            .filter(|a| matches!(a.kind, AreaKind::Country | AreaKind::NoOwnCode))
        {
            assert!(seen.insert(a.country.iso3), "duplicate iso3 {}", a.country.iso3);
            assert_eq!(a.country.iso3.len(), 3, "{:?}", a.country);
            assert_eq!(a.country.iso2.len(), 2, "{:?}", a.country);
        }
        let mut codes = std::collections::HashSet::new();
        for a in AREAS.iter().filter(|a| a.country.comtrade != 0) {
            assert!(
                codes.insert(a.country.comtrade),
                "duplicate code {}",
                a.country.comtrade
            );
            assert!(is_known_code(a.country.comtrade));
        }
        assert!(!is_known_code(0));
        assert!(!is_known_code(840));
        assert!(!is_known_code(999));
        assert!(!is_known_code(u16::MAX));
    }

    #[test]
    fn every_name_and_alias_finds_its_row() {
        for a in AREAS {
            for n in std::iter::once(&a.country.name).chain(a.aliases.iter()) {
                if *n == "Korea" {
                    continue; // deliberately ambiguous
                }
                let got = area(n).unwrap_or_else(|e| panic!("{n}: {e}"));
                // Same entity: same row, or the current country for an alias/former row that
                // shares its name (381 Italy -> 380 Italy).
                assert!(
                    got == a
                        || (got.kind == AreaKind::Country
                            && got.country.iso3 == a.country.iso3
                            && a.kind != AreaKind::Country),
                    "{n:?} of {:?} found {:?}",
                    a.country,
                    got.country
                );
            }
        }
    }

    #[test]
    fn normalizes_spellings() {
        assert_eq!(normalize("St. Kitts & Nevis"), "saint kitts and nevis");
        assert_eq!(normalize("  Côte d’Ivoire "), "cote d ivoire");
        assert_eq!(normalize("The Gambia"), "gambia");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn ambiguous_and_unknown_names_give_hints() {
        let e = country("korea").unwrap_err().to_string();
        assert!(
            e.contains("ambiguous") && e.contains("South Korea") && e.contains("North Korea"),
            "{e}"
        );
        let e = country("Germny").unwrap_err().to_string();
        assert!(e.contains("Germany"), "{e}");
        assert!(matches!(country(""), Err(Error::UnknownCountry { .. })));
        assert!(matches!(country("0"), Err(Error::UnknownCountry { .. })));
        assert!(matches!(country("99999"), Err(Error::UnknownCountry { .. })));
    }

    #[test]
    fn no_own_code_is_an_error_in_resolve() {
        assert_eq!(country("Liechtenstein").unwrap().comtrade, 0);
        let e = resolve("Liechtenstein").unwrap_err().to_string();
        assert!(e.contains("Switzerland"), "{e}");
    }
}
