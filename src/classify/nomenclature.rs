//! HS nomenclatures loaded at run time from the files users download: the Comtrade reference
//! JSON (`classificationH5.json`, `classificationH6.json`) and the WCO-style CSV of the
//! `datasets/harmonized-system` package (`hs2017_harmonized-system.csv`:
//! `section,hscode,description,parent,level`).
//!
//! A nomenclature answers "does this code exist in this vintage" and "what is it".

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::model::Vintage;

/// One code of a nomenclature.
#[derive(Debug, Clone, PartialEq)]
pub struct NomenclatureEntry {
    pub code: String,
    pub description: String,
    /// Code one level up; `None` for chapters.
    pub parent: Option<String>,
    /// HS section (roman numeral) when the file gives it.
    pub section: Option<String>,
}

/// The codes and descriptions of one vintage.
#[derive(Debug, Clone)]
pub struct Nomenclature {
    vintage: Vintage,
    source: String,
    entries: BTreeMap<String, NomenclatureEntry>,
}

/// Result of checking codes against a nomenclature: nothing is dropped, unknown codes are listed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeCheck {
    pub known: Vec<String>,
    /// Codes that are malformed or absent from the nomenclature, with the reason.
    pub unknown: Vec<(String, String)>,
}

impl Nomenclature {
    /// Builds a nomenclature from entries (for tests and user-made tables).
    pub fn from_entries(vintage: Vintage, source: &str, entries: impl IntoIterator<Item = NomenclatureEntry>) -> Self {
        Nomenclature {
            vintage,
            source: source.into(),
            entries: entries.into_iter().map(|e| (e.code.clone(), e)).collect(),
        }
    }

    /// Loads a file by its extension: `.json` (Comtrade reference) or `.csv` (WCO-style).
    /// `vintage` may be omitted when the file names it (Comtrade `className`, or `hs2022` in
    /// the CSV file name).
    pub fn load(path: impl AsRef<Path>, vintage: Option<Vintage>) -> Result<Nomenclature> {
        let path = path.as_ref();
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("json") => Self::from_comtrade_json(path, vintage),
            Some("csv") => Self::from_wco_csv(path, vintage),
            _ => Err(Error::format(
                "unknown nomenclature file type",
                Location::file(path.display().to_string()),
                "give the Comtrade reference JSON (classificationH6.json) or the harmonized-system CSV",
            )),
        }
    }

    /// Reads the Comtrade reference JSON (`{"classCode": "H6", "results": [{"id", "text", "parent"}]}`).
    pub fn from_comtrade_json(path: impl AsRef<Path>, vintage: Option<Vintage>) -> Result<Nomenclature> {
        #[derive(serde::Deserialize)]
        struct Item {
            id: String,
            text: String,
            parent: String,
        }
        #[derive(serde::Deserialize)]
        #[allow(non_snake_case)]
        struct File {
            classCode: Option<String>,
            results: Vec<Item>,
        }
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let file: File = serde_json::from_str(&text).map_err(|e| {
            Error::format(
                format!("not a Comtrade classification JSON: {e}"),
                Location::file(&name).line(e.line() as u64),
                "download classificationH6.json from comtrade.un.org/data/cache/",
            )
        })?;
        let vintage = match (vintage, file.classCode.as_deref()) {
            (Some(v), _) => v,
            (None, Some(c)) => Vintage::parse(c)?,
            (None, None) => {
                return Err(Error::invalid_argument(
                    format!("{name} does not say its vintage"),
                    "pass vintage=\"HS2022\"",
                ))
            }
        };
        let mut entries = BTreeMap::new();
        for it in file.results {
            if !crate::model::product::is_valid_code(&it.id) {
                continue; // ALL, TOTAL, AG2 ...: aggregates, not codes
            }
            let description = it
                .text
                .strip_prefix(&format!("{} - ", it.id))
                .unwrap_or(&it.text)
                .trim()
                .to_string();
            let parent = Some(it.parent).filter(|p| crate::model::product::is_valid_code(p));
            entries.insert(
                it.id.clone(),
                NomenclatureEntry {
                    code: it.id,
                    description,
                    parent,
                    section: None,
                },
            );
        }
        Ok(Nomenclature {
            vintage,
            source: name,
            entries,
        })
    }

    /// Reads the WCO-style CSV `section,hscode,description,parent,level`.
    pub fn from_wco_csv(path: impl AsRef<Path>, vintage: Option<Vintage>) -> Result<Nomenclature> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let vintage = match vintage {
            Some(v) => v,
            None => {
                let f = path
                    .file_name()
                    .and_then(|f| f.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let y = Vintage::HS_EDITIONS.iter().find(|y| f.contains(&format!("hs{y}")));
                match y {
                    Some(y) => Vintage::Hs(*y),
                    None => {
                        return Err(Error::invalid_argument(
                            format!("{name} does not say its vintage"),
                            "pass vintage=\"HS2022\"",
                        ))
                    }
                }
            }
        };
        let mut rdr = csv::ReaderBuilder::new()
            .from_path(path)
            .map_err(|e| csv_err(&name, e))?;
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| csv_err(&name, e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
            .collect();
        let idx = |h: &str| headers.iter().position(|x| x == h);
        let (Some(ic), Some(id)) = (idx("hscode"), idx("description")) else {
            return Err(Error::format(
                format!("header [{}] lacks hscode or description", headers.join(",")),
                Location::file(&name).line(1),
                "expected the columns section,hscode,description,parent,level",
            ));
        };
        let (ip, is) = (idx("parent"), idx("section"));
        let mut entries = BTreeMap::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_err(&name, e))?;
            let code = rec.get(ic).unwrap_or("").trim().to_string();
            if !crate::model::product::is_valid_code(&code) {
                continue; // TOTAL and section rows
            }
            let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).map(|s| s.trim().to_string());
            entries.insert(
                code.clone(),
                NomenclatureEntry {
                    code,
                    description: get(Some(id)).unwrap_or_default(),
                    parent: get(ip).filter(|p| crate::model::product::is_valid_code(p)),
                    section: get(is).filter(|s| !s.is_empty()),
                },
            );
        }
        Ok(Nomenclature {
            vintage,
            source: name,
            entries,
        })
    }

    pub fn vintage(&self) -> Vintage {
        self.vintage
    }
    pub fn source(&self) -> &str {
        &self.source
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// True when `code` (2, 4 or 6 digits; national codes by their HS6 prefix) exists.
    pub fn contains(&self, code: &str) -> bool {
        let c = crate::classify::codes::clean_code(code);
        let c = c.get(..6).unwrap_or(&c);
        self.entries.contains_key(c)
    }
    pub fn get(&self, code: &str) -> Option<&NomenclatureEntry> {
        self.entries.get(code)
    }
    /// All 6-digit codes.
    pub fn subheadings(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().filter(|k| k.len() == 6).map(|k| k.as_str())
    }

    /// The description of `code` with its chapter and heading, e.g.
    /// `854470 (HS2022): Insulated electric conductors; optical fibre cables ... [85 ... > 8544 ...]`.
    /// An unknown code is an error that says so (never an empty string).
    pub fn describe(&self, code: &str) -> Result<String> {
        let c = crate::classify::codes::clean_code(code);
        let key = c.get(..6).unwrap_or(&c).to_string();
        let Some(e) = self.entries.get(&key) else {
            return Err(self.unknown(code));
        };
        let mut path = vec![];
        let mut p = e.parent.clone();
        while let Some(code) = p {
            match self.entries.get(&code) {
                Some(pe) => {
                    path.push(format!("{} {}", pe.code, pe.description));
                    p = pe.parent.clone();
                }
                None => break,
            }
        }
        path.reverse();
        let ext = if c.len() > 6 {
            format!(" (national code {c}; HS6 {key} shown)")
        } else {
            String::new()
        };
        Ok(if path.is_empty() {
            format!("{} ({}): {}{ext}", e.code, self.vintage, e.description)
        } else {
            format!(
                "{} ({}): {}{ext} [{}]",
                e.code,
                self.vintage,
                e.description,
                path.join(" > ")
            )
        })
    }

    /// Checks codes; malformed or unknown ones are reported with the reason, none are dropped.
    pub fn check<S: AsRef<str>>(&self, codes: impl IntoIterator<Item = S>) -> CodeCheck {
        let mut out = CodeCheck::default();
        for c in codes {
            let c = c.as_ref();
            let clean = crate::classify::codes::clean_code(c);
            if !crate::model::product::is_valid_code(&clean) {
                out.unknown
                    .push((c.to_string(), "malformed: a code is 2, 4, 6, 8 or 10 digits".into()));
            } else if !self.contains(&clean) {
                out.unknown.push((c.to_string(), format!("not in {}", self.vintage)));
            } else {
                out.known.push(clean);
            }
        }
        out
    }

    /// The error for a code this nomenclature does not have.
    pub fn unknown(&self, code: &str) -> Error {
        Error::InvalidProduct {
            code: code.to_string(),
            context: format!(" in {} ({})", self.vintage, self.source),
            hint: "check the digits and the vintage: a code created or deleted by an HS revision exists only in some vintages (convert it with a correlation table)".into(),
        }
    }
}

pub(crate) fn csv_err(file: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    let mut loc = Location::file(file);
    if let Some(l) = line {
        loc = loc.line(l);
    }
    Error::format(
        format!("unreadable CSV: {e}"),
        loc,
        "check the delimiter (comma) and quoting",
    )
}
