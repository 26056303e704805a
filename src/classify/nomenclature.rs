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
///
/// ```
/// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
/// let e = NomenclatureEntry { code: "8806".into(), description: "Unmanned aircraft".into(), parent: Some("88".into()), section: Some("XVII".into()) };
/// let n = Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "mine", [e.clone()]);
/// assert_eq!(n.get("8806"), Some(&e));
/// ```
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
///
/// ```
/// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
/// use tradedep::Vintage;
/// let e = |code: &str, description: &str, parent: Option<&str>| NomenclatureEntry {
///     code: code.into(), description: description.into(), parent: parent.map(String::from), section: None,
/// };
/// let n = Nomenclature::from_entries(Vintage::Hs(2022), "mine", [
///     e("85", "Electrical machinery", None),
///     e("8544", "Insulated wire", Some("85")),
///     e("854470", "Optical fibre cables", Some("8544")),
/// ]);
/// assert_eq!((n.vintage(), n.source(), n.len(), n.is_empty()), (Vintage::Hs(2022), "mine", 3, false));
/// assert!(n.contains("85447000")); // a national code by its HS6 subheading
/// assert_eq!(n.get("8544").unwrap().parent.as_deref(), Some("85"));
/// assert_eq!(n.subheadings().collect::<Vec<_>>(), ["854470"]);
/// assert_eq!(
///     n.describe("854470")?,
///     "854470 (HS2022): Optical fibre cables [85 Electrical machinery > 8544 Insulated wire]"
/// );
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Nomenclature {
    vintage: Vintage,
    source: String,
    entries: BTreeMap<String, NomenclatureEntry>,
}

/// Result of checking codes against a nomenclature: nothing is dropped, unknown codes are listed.
///
/// ```
/// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
/// let e = NomenclatureEntry { code: "854231".into(), description: "Processors".into(), parent: None, section: None };
/// let n = Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "mine", [e]);
/// let check = n.check(["8542.31", "880730", "85x"]);
/// assert_eq!(check.known, ["854231"]);
/// assert_eq!(check.unknown.len(), 2);
/// assert_eq!(check.unknown[0], ("880730".to_string(), "not in HS2022".to_string()));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeCheck {
    pub known: Vec<String>,
    /// Codes that are malformed or absent from the nomenclature, with the reason.
    pub unknown: Vec<(String, String)>,
}

impl Nomenclature {
    /// Builds a nomenclature from entries (for tests and user-made tables).
    ///
    /// See the example on [`Nomenclature`].
    ///
    /// ```
    /// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
    /// let e = NomenclatureEntry { code: "8806".into(), description: "Unmanned aircraft".into(), parent: None, section: None };
    /// let n = Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "mine", [e]);
    /// assert!(n.contains("8806") && !n.contains("880610")); // only the codes given
    /// ```
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
    ///
    /// ```
    /// use tradedep::{classify::Nomenclature, Vintage};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("hs2022_harmonized-system.csv");
    /// std::fs::write(&path, "section,hscode,description,parent,level\nXVI,8544,Insulated wire,85,4\nXVI,854470,Optical fibre cables,8544,6\n").unwrap();
    /// let n = Nomenclature::load(&path, None)?; // HS2022 from the file name
    /// assert_eq!((n.vintage(), n.len()), (Vintage::Hs(2022), 2));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
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
    ///
    /// ```
    /// use tradedep::{classify::Nomenclature, Vintage};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("classificationH6.json");
    /// std::fs::write(&path, r##"{"classCode": "H6", "results": [
    ///   {"id": "TOTAL", "text": "Total of all HS commodities", "parent": "#"},
    ///   {"id": "8806", "text": "8806 - Unmanned aircraft", "parent": "88"}]}"##).unwrap();
    /// let n = Nomenclature::from_comtrade_json(&path, None)?;
    /// assert_eq!(n.vintage(), Vintage::Hs(2022));
    /// assert_eq!(n.len(), 1); // TOTAL is an aggregate, not a code
    /// assert_eq!(n.get("8806").unwrap().description, "Unmanned aircraft");
    /// # Ok::<(), tradedep::Error>(())
    /// ```
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
    ///
    /// ```
    /// use tradedep::{classify::Nomenclature, Vintage};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("codes.csv");
    /// std::fs::write(&path, "section,hscode,description,parent,level\nTOTAL,TOTAL,all,,0\nXVI,8544,Insulated wire,85,4\n").unwrap();
    /// assert!(Nomenclature::from_wco_csv(&path, None).is_err()); // the file name gives no vintage
    /// let n = Nomenclature::from_wco_csv(&path, Some(Vintage::Hs(2017)))?;
    /// assert_eq!(n.get("8544").unwrap().section.as_deref(), Some("XVI"));
    /// assert_eq!(n.len(), 1);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
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

    /// The vintage of the codes. See the example on [`Nomenclature`].
    ///
    /// ```
    /// use tradedep::{classify::Nomenclature, Vintage};
    /// assert_eq!(Nomenclature::from_entries(Vintage::Hs(2017), "mine", []).vintage(), Vintage::Hs(2017));
    /// ```
    pub fn vintage(&self) -> Vintage {
        self.vintage
    }
    /// The file (or name) the codes came from. See the example on [`Nomenclature`].
    ///
    /// ```
    /// use tradedep::{classify::Nomenclature, Vintage};
    /// assert_eq!(Nomenclature::from_entries(Vintage::Hs(2017), "hs2017.csv", []).source(), "hs2017.csv");
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }
    /// Number of codes (chapters, headings and subheadings). See the example on [`Nomenclature`].
    ///
    /// ```
    /// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
    /// let e = |c: &str| NomenclatureEntry { code: c.into(), description: String::new(), parent: None, section: None };
    /// assert_eq!(Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "x", [e("85"), e("8542")]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// True without codes. See the example on [`Nomenclature`].
    ///
    /// ```
    /// use tradedep::{classify::Nomenclature, Vintage};
    /// assert!(Nomenclature::from_entries(Vintage::Hs(2022), "x", []).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// True when `code` (2, 4 or 6 digits; national codes by their HS6 prefix) exists.
    ///
    /// See the example on [`Nomenclature`].
    ///
    /// ```
    /// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
    /// let e = NomenclatureEntry { code: "854231".into(), description: String::new(), parent: None, section: None };
    /// let n = Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "x", [e]);
    /// assert!(n.contains("854231") && n.contains("85423190") && !n.contains("854232"));
    /// ```
    pub fn contains(&self, code: &str) -> bool {
        let c = crate::classify::codes::clean_code(code);
        let c = c.get(..6).unwrap_or(&c);
        self.entries.contains_key(c)
    }
    /// The entry of `code` (exact digits). See the example on [`Nomenclature`].
    ///
    /// ```
    /// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
    /// let e = NomenclatureEntry { code: "8542".into(), description: "Electronic integrated circuits".into(), parent: Some("85".into()), section: None };
    /// let n = Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "x", [e]);
    /// assert_eq!(n.get("8542").unwrap().parent.as_deref(), Some("85"));
    /// assert!(n.get("854231").is_none()); // exact digits only
    /// ```
    pub fn get(&self, code: &str) -> Option<&NomenclatureEntry> {
        self.entries.get(code)
    }
    /// All 6-digit codes.
    ///
    /// See the example on [`Nomenclature`].
    ///
    /// ```
    /// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
    /// let e = |c: &str| NomenclatureEntry { code: c.into(), description: String::new(), parent: None, section: None };
    /// let n = Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "x", [e("85"), e("8542"), e("854231"), e("854232")]);
    /// assert_eq!(n.subheadings().collect::<Vec<_>>(), ["854231", "854232"]);
    /// ```
    pub fn subheadings(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().filter(|k| k.len() == 6).map(|k| k.as_str())
    }

    /// The description of `code` with its chapter and heading, e.g.
    /// `854470 (HS2022): Insulated electric conductors; optical fibre cables ... [85 ... > 8544 ...]`.
    /// An unknown code is an error that says so (never an empty string).
    ///
    /// ```
    /// use tradedep::classify::nomenclature::{Nomenclature, NomenclatureEntry};
    /// let e = NomenclatureEntry { code: "854231".into(), description: "Processors".into(), parent: None, section: None };
    /// let n = Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "mine", [e]);
    /// assert_eq!(n.describe("85423190")?, "854231 (HS2022): Processors (national code 85423190; HS6 854231 shown)");
    /// assert!(n.describe("880730").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
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
    ///
    /// See the example on [`CodeCheck`].
    ///
    /// ```
    /// use tradedep::classify::Nomenclature;
    /// let none = Nomenclature::from_entries(tradedep::Vintage::Hs(2022), "empty", []);
    /// assert_eq!(none.check(["8542"]).unknown[0].1, "not in HS2022");
    /// ```
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
    ///
    /// ```
    /// use tradedep::classify::Nomenclature;
    /// let n = Nomenclature::from_entries(tradedep::Vintage::Hs(2017), "hs2017.csv", []);
    /// assert!(n.unknown("880730").to_string().starts_with("invalid product code \"880730\" in HS2017 (hs2017.csv)."));
    /// ```
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
