//! EU Dual-Use Regulation 2021/821 Annex I entries (`3A001`) and the Commission's
//! CN-to-Annex-I correlation table.
//!
//! An entry is category (0 nuclear ... 9 aerospace), group (A equipment, B test and production
//! equipment, C materials, D software, E technology) and a three-digit number whose hundreds
//! say the regime: 0xx Wassenaar Arrangement, 1xx MTCR, 2xx Nuclear Suppliers Group,
//! 3xx Australia Group, 4xx Chemical Weapons Convention. Category 0 implements the NSG trigger
//! list whatever the number.
//!
//! **Expected layout of the correlation table** (yearly .xlsx from the Commission, or the same
//! columns as CSV): any title rows, then a header row naming at least a CN column (`CN code`,
//! `CN`, `CN8`) and a dual-use column (a header containing `dual-use`, `dual use`, `annex` or
//! `DU`); optionally a `TARIC code` column and a `Description` column. One row per link: a CN8
//! code (spaces allowed: `8542 31 90`) and one or more entries (`3A001.a.7; 3A991`). The table
//! is many-to-many and indicative: a CN code flags a *possible* dual-use item, so trade shares
//! computed from it are upper bounds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::list::{EntryAttrs, ListEntry, ListMeta, ProductList};
use super::sheet::{self, Sheet};
use crate::error::{Error, Location, Result};
use crate::model::Vintage;

/// The export-control regime an Annex I entry implements.
///
/// ```
/// use tradedep::classify::dual_use::{ControlEntry, Regime};
/// assert_eq!(ControlEntry::parse("9A120")?.regime, Regime::Mtcr);
/// assert_eq!(ControlEntry::parse("3A001")?.regime, Regime::Wassenaar);
/// assert_eq!(Regime::Nsg.as_str(), "Nuclear Suppliers Group");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Regime {
    Wassenaar,
    Mtcr,
    Nsg,
    AustraliaGroup,
    Cwc,
}

impl Regime {
    /// The regime's name.
    ///
    /// ```
    /// assert_eq!(tradedep::classify::dual_use::Regime::Mtcr.as_str(), "MTCR");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Wassenaar => "Wassenaar Arrangement",
            Regime::Mtcr => "MTCR",
            Regime::Nsg => "Nuclear Suppliers Group",
            Regime::AustraliaGroup => "Australia Group",
            Regime::Cwc => "Chemical Weapons Convention",
        }
    }
}

/// Names of the ten Annex I categories.
///
/// ```
/// use tradedep::classify::dual_use::CATEGORIES;
/// assert_eq!(CATEGORIES[3], "electronics");
/// ```
pub const CATEGORIES: [&str; 10] = [
    "nuclear materials, facilities and equipment",
    "special materials and related equipment",
    "materials processing",
    "electronics",
    "computers",
    "telecommunications and information security",
    "sensors and lasers",
    "navigation and avionics",
    "marine",
    "aerospace and propulsion",
];

/// A parsed Annex I entry such as `3A001.a.7`.
///
/// ```
/// use tradedep::classify::dual_use::ControlEntry;
/// let e = ControlEntry::parse("3a001.a.7")?;
/// assert_eq!((e.entry.as_str(), e.sub.as_str()), ("3A001", ".a.7"));
/// assert_eq!(e.category_name(), "electronics");
/// assert!(ControlEntry::parse("3A01").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ControlEntry {
    /// The five-character entry, e.g. `3A001`.
    pub entry: String,
    /// Sub-item after the entry, e.g. `.a.7` (may be empty).
    pub sub: String,
    pub category: u8,
    pub group: char,
    pub number: u16,
    pub regime: Regime,
}

impl ControlEntry {
    /// Parses `3A001`, `3A001.a.7`, `9a120` ...; anything else is an error saying the pattern.
    ///
    /// ```
    /// use tradedep::classify::dual_use::{ControlEntry, Regime};
    /// let e = ControlEntry::parse("1C350.d").unwrap();
    /// assert_eq!((e.category, e.group, e.number, e.regime), (1, 'C', 350, Regime::AustraliaGroup));
    /// ```
    pub fn parse(s: &str) -> Result<ControlEntry> {
        let t = s.trim().to_ascii_uppercase();
        let bad = || Error::InvalidProduct {
            code: s.to_string(),
            context: " as an EU Annex I entry".into(),
            hint: "entries are a category digit 0-9, a group letter A-E and three digits, e.g. 3A001 or 1C350.d".into(),
        };
        let b = t.as_bytes();
        if b.len() < 5
            || !b[0].is_ascii_digit()
            || !(b'A'..=b'E').contains(&b[1])
            || !b[2..5].iter().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let category = b[0] - b'0';
        let number: u16 = t[2..5].parse().map_err(|_| bad())?;
        let regime = if category == 0 {
            Regime::Nsg
        } else {
            match number / 100 {
                0 => Regime::Wassenaar,
                1 => Regime::Mtcr,
                2 => Regime::Nsg,
                3 => Regime::AustraliaGroup,
                4 => Regime::Cwc,
                _ => return Err(bad()),
            }
        };
        // Keep the sub-item in the source's spelling (lower-case letters).
        let sub = s.trim()[5..].to_string();
        Ok(ControlEntry {
            entry: t[..5].to_string(),
            sub,
            category,
            group: b[1] as char,
            number,
            regime,
        })
    }

    /// The name of the entry's category (see [`CATEGORIES`]).
    ///
    /// ```
    /// use tradedep::classify::dual_use::ControlEntry;
    /// assert_eq!(ControlEntry::parse("7A003")?.category_name(), "navigation and avionics");
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn category_name(&self) -> &'static str {
        CATEGORIES.get(self.category as usize).copied().unwrap_or("")
    }
}

fn find_col(header: &[String], pred: impl Fn(&str) -> bool) -> Option<usize> {
    header.iter().position(|h| pred(&h.to_ascii_lowercase()))
}

/// Reads the CN-to-Annex-I correlation table (layout in the module docs) into a list of
/// vintage `CN<cn_year>`. Rows with the same CN code merge into one entry with several
/// control entries; each entry's `category` names its categories and `extra` holds
/// `regime`, `group` and `taric` (comma-joined).
///
/// ```
/// use tradedep::{classify::dual_use::load_correlation, Vintage};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("du_correlation_2023.csv");
/// std::fs::write(&path, "CN code,Dual-use item,Description\n8542 31 90,3A001.a.7,Processors\n85423190,5A002.a,Processors\n").unwrap();
/// let list = load_correlation(&path, 2023, "2023-01")?;
/// assert_eq!(list.vintage(), Vintage::Cn(2023));
/// assert_eq!(list.len(), 1); // both rows are one CN code
/// assert_eq!(list.entries()[0].code, "85423190");
/// assert_eq!(list.entries()[0].attrs.control_entries.len(), 2);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn load_correlation(path: impl AsRef<Path>, cn_year: u16, version: &str) -> Result<ProductList> {
    let path = path.as_ref();
    let sheets = if sheet::is_workbook(path) {
        sheet::read_workbook(path)?
    } else {
        vec![sheet::read_csv(path)?]
    };
    let mut last_err = None;
    for s in &sheets {
        match from_sheet(s, cn_year, version) {
            Ok(l) => return Ok(l),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        Error::format(
            "workbook has no sheets",
            Location::file(path.display().to_string()),
            "give the Commission's correlation table",
        )
    }))
}

fn from_sheet(s: &Sheet, cn_year: u16, version: &str) -> Result<ProductList> {
    let is_cn = |h: &str| {
        let h = h.trim();
        h == "cn" || h == "cn8" || h.starts_with("cn code") || h.starts_with("cn-code") || h == "cn codes"
    };
    let is_du = |h: &str| h.contains("dual-use") || h.contains("dual use") || h.contains("annex") || h.trim() == "du";
    let Some(hi) = s
        .rows
        .iter()
        .take(15)
        .position(|(_, r)| find_col(r, is_cn).is_some() && find_col(r, is_du).is_some())
    else {
        return Err(Error::format(
            "no header row with a CN column and a dual-use entry column",
            Location::file(s.source.clone()),
            "expected a header like `CN code | TARIC code | Dual-use item (Annex I) | Description` (see tradedep::classify::dual_use)",
        ));
    };
    let header = &s.rows[hi].1;
    let (Some(icn), Some(idu)) = (find_col(header, is_cn), find_col(header, is_du)) else {
        return Err(Error::format(
            "header lost",
            Location::file(s.source.clone()),
            "report this",
        ));
    };
    let itaric = find_col(header, |h| h.contains("taric"));
    let idesc = find_col(header, |h| h.contains("description") || h.contains("designation"));
    struct Acc {
        line: u64,
        entries: BTreeSet<String>,
        parsed: Vec<ControlEntry>,
        taric: BTreeSet<String>,
        desc: Option<String>,
    }
    let mut by_code: BTreeMap<String, Acc> = BTreeMap::new();
    for (line, row) in &s.rows[hi + 1..] {
        let get = |i: usize| row.get(i).map(|x| x.trim()).unwrap_or("");
        if get(icn).is_empty() && get(idu).is_empty() {
            continue;
        }
        let code = sheet::pad_code(get(icn), 8);
        if code.len() != 8 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::parse(
                "CN8 code",
                s.loc(*line).column(header[icn].clone()).value(get(icn)),
                "the CN column holds 8-digit codes (spaces allowed, e.g. 8542 31 90)",
            ));
        }
        let acc = by_code.entry(code).or_insert_with(|| Acc {
            line: *line,
            entries: BTreeSet::new(),
            parsed: vec![],
            taric: BTreeSet::new(),
            desc: None,
        });
        for raw in get(idu).split([';', ',', ' ', '\n']).filter(|x| !x.is_empty()) {
            let e = ControlEntry::parse(raw).map_err(|_| {
                Error::parse(
                    "dual-use entry",
                    s.loc(*line).column(header[idu].clone()).value(raw),
                    "entries look like 3A001 or 3A001.a.7 (category 0-9, group A-E, three digits)",
                )
            })?;
            if acc.entries.insert(format!("{}{}", e.entry, e.sub)) {
                acc.parsed.push(e);
            }
        }
        if let Some(t) = itaric.map(get).filter(|t| !t.is_empty()) {
            acc.taric.insert(sheet::pad_code(t, 10));
        }
        if acc.desc.is_none() {
            acc.desc = idesc.map(get).filter(|d| !d.is_empty()).map(String::from);
        }
    }
    let entries = by_code
        .into_iter()
        .map(|(code, a)| {
            let join = |it: BTreeSet<String>| it.into_iter().collect::<Vec<_>>().join(",");
            let mut extra = BTreeMap::new();
            extra.insert(
                "regime".into(),
                join(a.parsed.iter().map(|e| e.regime.as_str().to_string()).collect()),
            );
            extra.insert(
                "group".into(),
                join(a.parsed.iter().map(|e| e.group.to_string()).collect()),
            );
            if !a.taric.is_empty() {
                extra.insert("taric".into(), join(a.taric));
            }
            let category = join(
                a.parsed
                    .iter()
                    .map(|e| format!("{} {}", e.category, e.category_name()))
                    .collect(),
            );
            ListEntry {
                code,
                attrs: EntryAttrs {
                    tier: None,
                    category: Some(category).filter(|c| !c.is_empty()),
                    control_entries: a.entries.into_iter().collect(),
                    description: a.desc,
                    extra,
                },
                line: Some(a.line),
            }
        })
        .collect();
    let meta = ListMeta {
        name: "EU dual-use correlation (CN - Annex I)".into(),
        version: version.into(),
        effective: None,
        source: s.source.clone(),
        vintage: Vintage::Cn(cn_year),
        tiers: vec![],
    };
    ProductList::new(meta, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_regimes() {
        let cases = [
            ("3A001.a.7", 3, 'A', 1, Regime::Wassenaar),
            ("9A120", 9, 'A', 120, Regime::Mtcr),
            ("2B201", 2, 'B', 201, Regime::Nsg),
            ("1C350", 1, 'C', 350, Regime::AustraliaGroup),
            ("1C450", 1, 'C', 450, Regime::Cwc),
            ("0A001", 0, 'A', 1, Regime::Nsg),
        ];
        for (s, c, g, n, r) in cases {
            let e = ControlEntry::parse(s).unwrap();
            assert_eq!((e.category, e.group, e.number, e.regime), (c, g, n, r), "{s}");
        }
        assert_eq!(ControlEntry::parse("3A001.a.7").unwrap().sub, ".a.7");
        for bad in ["3F001", "A3001", "3A01", "3A501", ""] {
            assert!(ControlEntry::parse(bad).is_err(), "{bad}");
        }
    }
}
