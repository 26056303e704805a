//! [`ProductList`]: a versioned list of product codes or prefixes with attributes (tier,
//! category, control entries), as published by governments (CHPL, EU Reg. 833/2014 annexes,
//! the EU dual-use correlation table) or written by users in TOML, JSON or CSV.
//!
//! User list files (TOML shown; JSON has the same fields; CSV has a header
//! `code[,tier][,category][,control_entry][,description]` and takes the list fields as
//! arguments):
//!
//! ```toml
//! name = "my watch list"
//! version = "2024-03"
//! effective = "2024-03-01"        # optional
//! source = "own selection"        # optional
//! vintage = "HS2022"
//! tiers = ["1", "2"]              # optional: when given, every entry's tier must be one of them
//!
//! [[entries]]
//! code = "854231"
//! tier = "1"
//! category = "processors"         # optional
//! control_entry = "3A001"         # optional, or control_entries = ["3A001", "3A991"]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::concordance::{Concordances, Weighting};
use crate::error::{Error, Location, Result};
use crate::model::{ProductSelection, Vintage};

/// Attributes of a list entry.
///
/// ```
/// let chpl = tradedep::classify::chpl::chpl();
/// let (entry, _) = chpl.lookup("880730").unwrap();
/// assert_eq!(entry.attrs.tier.as_deref(), Some("3.B"));
/// assert!(entry.attrs.description.as_deref().unwrap().contains("aircraft"));
/// assert!(entry.attrs.control_entries.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntryAttrs {
    pub tier: Option<String>,
    pub category: Option<String>,
    /// Control-list entries (e.g. `3A001`) the code is linked to.
    pub control_entries: Vec<String>,
    pub description: Option<String>,
    /// Anything else the source gives (e.g. `regime`, `taric`).
    pub extra: BTreeMap<String, String>,
}

/// One code or prefix of a list.
///
/// ```
/// use tradedep::classify::list::{EntryAttrs, ListEntry, ListMeta, ProductList};
/// let entry = ListEntry { code: "8542".into(), attrs: EntryAttrs::default(), line: Some(2) };
/// let list = ProductList::new(ListMeta::default(), vec![entry])?;
/// assert_eq!(list.entries()[0].code, "8542");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ListEntry {
    /// Digits: a full code or a prefix (chapter, heading ...).
    pub code: String,
    pub attrs: EntryAttrs,
    /// Line of the source file, for error messages and explanations.
    pub line: Option<u64>,
}

/// Identity of a list: what, which version, from when, from whom, in which vintage.
///
/// ```
/// use tradedep::classify::list::{ListMeta, ProductList};
/// use tradedep::Vintage;
/// let meta = ListMeta { name: "watch".into(), version: "2024-03".into(), vintage: Vintage::Hs(2017), ..Default::default() };
/// let list = ProductList::new(meta, vec![])?;
/// assert_eq!((list.name(), list.version(), list.vintage()), ("watch", "2024-03", Vintage::Hs(2017)));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ListMeta {
    pub name: String,
    pub version: String,
    /// ISO date the version took effect.
    pub effective: Option<String>,
    pub source: String,
    pub vintage: Vintage,
    /// Declared tiers, in order; empty when the list has no tiers or does not restrict them.
    pub tiers: Vec<String>,
}

/// A versioned product list.
///
/// ```
/// use tradedep::classify::chpl;
/// let list = chpl::chpl();
/// assert_eq!(list.len(), 50);
/// assert_eq!(list.tier("1").unwrap().len(), 4);
/// assert_eq!(list.lookup("85423190").unwrap().0.attrs.tier.as_deref(), Some("1"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProductList {
    pub meta: ListMeta,
    entries: Vec<ListEntry>,
}

/// How a code met a list entry.
///
/// ```
/// use tradedep::classify::MatchKind;
/// let chpl = tradedep::classify::chpl::chpl();
/// assert_eq!(chpl.lookup("854231").unwrap().1, MatchKind::Exact);
/// assert_eq!(chpl.lookup("85423190").unwrap().1, MatchKind::Prefix); // a CN8 code under the HS6 entry
/// assert_eq!(MatchKind::Converted.as_str(), "converted");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKind {
    /// Same digits.
    Exact,
    /// The entry is a prefix of the code (a heading entry, or a CN8 code under an HS6 entry).
    Prefix,
    /// Through a vintage correlation table.
    Converted,
}

impl MatchKind {
    /// The name in `<list>.match` columns: `exact`, `prefix` or `converted`.
    ///
    /// ```
    /// assert_eq!(tradedep::classify::MatchKind::Prefix.as_str(), "prefix");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Prefix => "prefix",
            MatchKind::Converted => "converted",
        }
    }
}

/// One code of another vintage that counts for a list, with the entries it stands for.
///
/// ```
/// use tradedep::classify::{chpl::chpl, Concordances, Weighting};
/// use tradedep::Vintage;
/// let m = chpl().map_to(Vintage::Hs(2017), &Concordances::embedded(), &Weighting::Continuity)?;
/// let code = m.codes.iter().find(|c| c.code == "854231").unwrap();
/// assert_eq!(code.weight, 1.0); // HS2017 854231 continues in HS2022
/// assert_eq!(code.via.len(), 1);
/// assert!(code.weighting.starts_with("continuity"));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MappedCode {
    /// Code in the target vintage.
    pub code: String,
    /// Part of the code's trade that counts for the list (1 when no split).
    pub weight: f64,
    /// `(index of the list entry, weight of that entry in the code)`.
    pub via: Vec<(usize, f64)>,
    /// The weighting applied to this code's split (`continuity (...)`, `equal split (continuity
    /// fallback: ...)`, `equal split`, `trade shares ...`, `one counterpart (no split)`, `no conversion`).
    pub weighting: String,
}

/// A list carried into another vintage.
///
/// ```
/// use tradedep::classify::{chpl::chpl, Concordances, Weighting};
/// use tradedep::Vintage;
/// let m = chpl().map_to(Vintage::Hs(2017), &Concordances::embedded(), &Weighting::default())?;
/// assert_eq!((m.from, m.to), (Vintage::Hs(2022), Vintage::Hs(2017)));
/// assert_eq!(m.path.len(), 1); // one correlation table, HS2022-HS2017
/// assert!(m.codes.len() >= 45);
/// // Same HS base: nothing converted.
/// let same = chpl().map_to(Vintage::Cn(2023), &Concordances::new(), &Weighting::default())?;
/// assert!(same.path.is_empty());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub from: Vintage,
    pub to: Vintage,
    /// Correlation tables used, in order (empty when no conversion was needed).
    pub path: Vec<String>,
    pub codes: Vec<MappedCode>,
}

fn bad_entry(file: &str, e: &ListEntry, column: &str, value: &str, what: String, hint: &str) -> Error {
    // JSON entries carry no line; they are named by their index instead.
    let column = match e.attrs.extra.get("entry_index") {
        Some(i) if e.line.is_none() => format!("entries[{i}].{column}"),
        _ => column.to_string(),
    };
    let mut loc = Location::file(file).column(column).value(value);
    if let Some(l) = e.line {
        loc = loc.line(l);
    }
    Error::invalid_data(what, loc, hint)
}

impl ProductList {
    /// Builds and validates a list: every code is digits of an even length up to the vintage's
    /// width, no code appears twice, tiers are among the declared ones. Errors name the file
    /// (`meta.source`), line, value and what to do.
    ///
    /// ```
    /// use tradedep::classify::list::{EntryAttrs, ListEntry, ListMeta, ProductList};
    /// let e = |code: &str| ListEntry { code: code.into(), attrs: EntryAttrs::default(), line: None };
    /// assert!(ProductList::new(ListMeta::default(), vec![e("8542"), e("854231")]).is_ok());
    /// assert!(ProductList::new(ListMeta::default(), vec![e("8542"), e("8542")]).is_err()); // twice
    /// assert!(ProductList::new(ListMeta::default(), vec![e("854")]).is_err()); // odd length
    /// ```
    pub fn new(meta: ListMeta, entries: Vec<ListEntry>) -> Result<ProductList> {
        let file = meta.source.clone();
        let mut seen: BTreeMap<String, Option<u64>> = BTreeMap::new();
        let mut out = Vec::with_capacity(entries.len());
        for mut e in entries {
            let raw = e.code.clone();
            e.code = super::codes::clean_code(&e.code);
            let digits_ok = !e.code.is_empty()
                && e.code.bytes().all(|b| b.is_ascii_digit())
                && e.code.len() % 2 == 0
                && e.code.len() <= 10;
            if !digits_ok {
                return Err(bad_entry(&file, &e, "code", &raw, format!("malformed product code {raw:?}"),
                    "write codes as 2, 4, 6, 8 or 10 digits with leading zeros (e.g. \"030211\", not 30211); quote them in CSV/TOML/JSON"));
            }
            if e.code.len() > meta.vintage.max_digits() {
                return Err(bad_entry(&file, &e, "code", &raw,
                    format!("{}-digit code in a list declared {}", e.code.len(), meta.vintage),
                    &format!("declare the list's vintage as the national nomenclature (e.g. CN{y}) or cut codes to {} digits",
                        meta.vintage.max_digits(), y = match meta.vintage { Vintage::Hs(y) | Vintage::Cn(y) | Vintage::Hts(y) | Vintage::China(y) => y })));
            }
            if let Some(prev) = seen.get(&e.code) {
                return Err(bad_entry(
                    &file,
                    &e,
                    "code",
                    &raw,
                    format!(
                        "duplicate entry {}{}",
                        e.code,
                        prev.map(|l| format!(" (first at line {l})")).unwrap_or_default()
                    ),
                    "list each code once; put several control entries of one code in `control_entries`",
                ));
            }
            if let Some(t) = &e.attrs.tier {
                if !meta.tiers.is_empty() && !meta.tiers.contains(t) {
                    return Err(bad_entry(
                        &file,
                        &e,
                        "tier",
                        t,
                        format!("unknown tier {t:?}"),
                        &format!(
                            "use one of the declared tiers [{}] or add it to `tiers`",
                            meta.tiers.join(", ")
                        ),
                    ));
                }
            }
            seen.insert(e.code.clone(), e.line);
            out.push(e);
        }
        Ok(ProductList { meta, entries: out })
    }

    /// A list from entries the crate's own tests validate (built-in lists).
    pub(crate) fn from_checked(meta: ListMeta, entries: Vec<ListEntry>) -> ProductList {
        ProductList { meta, entries }
    }

    /// The list's name (prefix of its columns in [`classify`](crate::classify::classify())).
    ///
    /// ```
    /// assert_eq!(tradedep::classify::chpl::chpl().name(), "CHPL");
    /// ```
    pub fn name(&self) -> &str {
        &self.meta.name
    }
    /// The version, typically the date it took effect.
    ///
    /// ```
    /// assert_eq!(tradedep::classify::chpl::chpl().version(), "2024-02-23");
    /// ```
    pub fn version(&self) -> &str {
        &self.meta.version
    }
    /// The nomenclature of the list's codes.
    ///
    /// ```
    /// assert_eq!(tradedep::classify::chpl::chpl().vintage(), tradedep::Vintage::Hs(2022));
    /// ```
    pub fn vintage(&self) -> Vintage {
        self.meta.vintage
    }
    /// The entries in the source's order.
    ///
    /// ```
    /// assert_eq!(tradedep::classify::chpl::chpl().entries()[0].code, "854231");
    /// ```
    pub fn entries(&self) -> &[ListEntry] {
        &self.entries
    }
    /// Number of entries.
    ///
    /// ```
    /// assert_eq!(tradedep::classify::chpl::chpl().len(), 50);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// True without entries.
    ///
    /// ```
    /// assert!(!tradedep::classify::chpl::chpl().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// The entries' codes.
    ///
    /// ```
    /// let chpl = tradedep::classify::chpl::chpl();
    /// assert_eq!(chpl.codes().filter(|c| c.starts_with("8542")).count(), 4);
    /// ```
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.code.as_str())
    }

    /// Tiers present in the list, in declared order (then first-seen order).
    ///
    /// ```
    /// let tiers = tradedep::classify::chpl::chpl().tiers();
    /// assert_eq!(tiers, ["1", "2", "3.A", "3.B", "4.A", "4.B"]);
    /// ```
    pub fn tiers(&self) -> Vec<String> {
        let mut out = self.meta.tiers.clone();
        for e in &self.entries {
            if let Some(t) = &e.attrs.tier {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// The entries of one tier; `"3"` selects tiers `3`, `3.A` and `3.B`. An unknown tier is an
    /// error listing the tiers there are.
    ///
    /// ```
    /// let chpl = tradedep::classify::chpl::chpl();
    /// assert_eq!(chpl.tier("4.B")?.len(), 5);
    /// assert!(chpl.tier("5").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn tier(&self, tier: &str) -> Result<ProductList> {
        let t = tier.trim();
        let hit = |x: &str| x.eq_ignore_ascii_case(t) || x.starts_with(&format!("{t}."));
        let entries: Vec<ListEntry> = self
            .entries
            .iter()
            .filter(|e| e.attrs.tier.as_deref().is_some_and(hit))
            .cloned()
            .collect();
        if entries.is_empty() {
            return Err(Error::invalid_argument(
                format!("list {} has no tier {tier:?}", self.meta.name),
                format!("tiers are [{}]", self.tiers().join(", ")),
            ));
        }
        let mut meta = self.meta.clone();
        meta.name = format!("{} tier {t}", self.meta.name);
        meta.tiers.retain(|x| hit(x));
        Ok(ProductList { meta, entries })
    }

    /// The entry `code` (same HS base vintage as the list) falls under: the longest entry that
    /// is a prefix of it, with the kind of match.
    ///
    /// ```
    /// use tradedep::classify::MatchKind;
    /// let chpl = tradedep::classify::chpl::chpl();
    /// let (entry, kind) = chpl.lookup("8486200010").unwrap();
    /// assert_eq!((entry.code.as_str(), kind), ("848620", MatchKind::Prefix));
    /// assert!(chpl.lookup("030211").is_none());
    /// ```
    pub fn lookup(&self, code: &str) -> Option<(&ListEntry, MatchKind)> {
        self.entries
            .iter()
            .filter(|e| code.starts_with(e.code.as_str()))
            .max_by_key(|e| e.code.len())
            .map(|e| {
                (
                    e,
                    if e.code.len() == code.len() {
                        MatchKind::Exact
                    } else {
                        MatchKind::Prefix
                    },
                )
            })
    }

    /// Carries the list into vintage `to`: which codes of `to` count, with which weight and
    /// for which entries. When `to` has the list's HS base (HS2022 list, CN2023 data) nothing is
    /// converted (codes match by prefix at classify time). Otherwise the correlation tables of
    /// `concordances` are used (never a one-to-one conversion table): each code of `to` linked
    /// to a list code is split into codes of the list's vintage with `weighting`, and its
    /// weight is the part that falls on list entries (codes whose part is 0 are left out).
    ///
    /// With [`Weighting::Continuity`] (the default) HS2017 854231 counts whole for the HS2022
    /// CHPL entry 854231; with [`Weighting::Equal`] only 1/7, because the correlation also links
    /// it to the six subheadings of the new HS2022 heading 8549. Each [`MappedCode`] says which
    /// weighting was applied to it.
    ///
    /// ```
    /// use tradedep::classify::{chpl::chpl, Concordances, Weighting};
    /// use tradedep::Vintage;
    /// let equal = chpl().map_to(Vintage::Hs(2017), &Concordances::embedded(), &Weighting::Equal)?;
    /// let code = equal.codes.iter().find(|c| c.code == "854231").unwrap();
    /// assert!((code.weight - 1.0 / 7.0).abs() < 1e-12); // also linked to the six HS2022 8549 codes
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn map_to(&self, to: Vintage, concordances: &Concordances, weighting: &Weighting) -> Result<Mapping> {
        map_entries(&self.entries, self.meta.vintage, to, concordances, weighting)
    }

    /// The list as a [`ProductSelection`] for data of vintage `target` (`None` = the list's
    /// own vintage): codes or prefixes with weights, what metrics select on.
    ///
    /// ```
    /// use tradedep::classify::{chpl::chpl, Concordances, Weighting};
    /// use tradedep::Vintage;
    /// let own = chpl().to_selection(None, &Concordances::new(), &Weighting::default())?;
    /// assert_eq!(own.entries.len(), 50);
    /// assert_eq!(own.weight("85423190"), Some(1.0));
    /// let hs2017 = chpl().to_selection(Some(Vintage::Hs(2017)), &Concordances::embedded(), &Weighting::default())?;
    /// assert_eq!(hs2017.vintage, Some(Vintage::Hs(2017)));
    /// assert_eq!(hs2017.weight("854231"), Some(1.0));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn to_selection(
        &self,
        target: Option<Vintage>,
        concordances: &Concordances,
        weighting: &Weighting,
    ) -> Result<ProductSelection> {
        selection(
            &self.meta.name,
            &self.entries,
            self.meta.vintage,
            target,
            concordances,
            weighting,
        )
    }

    /// Lower and upper bounds of the list in data of vintage `target`, beside the central
    /// [`ProductList::to_selection`]: lower = codes counted exactly, upper = every linked code whole
    /// (docs/methods/hs-editions.md).
    ///
    /// ```
    /// use tradedep::classify::{chpl::chpl, Concordances};
    /// use tradedep::Vintage;
    /// let (lower, upper) = chpl().bounds(Vintage::Hs(2017), &Concordances::embedded())?;
    /// assert!(lower.entries.len() <= upper.entries.len());
    /// assert!(lower.entries.iter().chain(&upper.entries).all(|(_, w)| *w == 1.0));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn bounds(&self, target: Vintage, concordances: &Concordances) -> Result<(ProductSelection, ProductSelection)> {
        bounds(&self.meta.name, &self.entries, self.meta.vintage, target, concordances)
    }

    /// Checks every code against the nomenclature of the list's vintage: a code that does not
    /// exist there (typically a code of another HS edition) is an error naming the file, line
    /// and code. National codes are checked by their HS6 subheading.
    ///
    /// ```
    /// use tradedep::classify::{chpl::chpl, nomenclature::{Nomenclature, NomenclatureEntry}};
    /// use tradedep::Vintage;
    /// let entry = |code: &str| NomenclatureEntry { code: code.into(), description: String::new(), parent: None, section: None };
    /// let few = Nomenclature::from_entries(Vintage::Hs(2022), "few codes", [entry("854231")]);
    /// let err = chpl().check_against(&few).unwrap_err();
    /// assert!(err.to_string().contains("does not exist in HS2022"));
    /// ```
    pub fn check_against(&self, nomenclature: &super::nomenclature::Nomenclature) -> Result<()> {
        if nomenclature.vintage().hs_base() != self.meta.vintage.hs_base() {
            return Err(Error::invalid_argument(
                format!(
                    "list {} is {} but the nomenclature is {}",
                    self.meta.name,
                    self.meta.vintage,
                    nomenclature.vintage()
                ),
                "load the nomenclature of the list's HS edition",
            ));
        }
        for e in &self.entries {
            if !nomenclature.contains(&e.code) {
                return Err(bad_entry(&self.meta.source, e, "code", &e.code,
                    format!("code {} does not exist in {}", e.code, nomenclature.vintage()),
                    "check the list's declared vintage: codes created by a later HS edition (e.g. 880730 in HS2022) do not exist in earlier ones"));
            }
        }
        Ok(())
    }

    /// What changed from `older` to `self`: codes added, removed, and attributes changed.
    ///
    /// ```
    /// use tradedep::classify::list::{EntryAttrs, ListEntry, ListMeta, ProductList};
    /// let list = |version: &str, codes: &[&str]| {
    ///     let meta = ListMeta { version: version.into(), ..Default::default() };
    ///     let entries = codes.iter().map(|c| ListEntry { code: c.to_string(), attrs: EntryAttrs::default(), line: None }).collect();
    ///     ProductList::new(meta, entries)
    /// };
    /// let d = list("v2", &["8542", "8541"])?.diff(&list("v1", &["8542", "8806"])?);
    /// assert_eq!((d.added, d.removed), (vec!["8541".to_string()], vec!["8806".to_string()]));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn diff(&self, older: &ProductList) -> ListDiff {
        let old: BTreeMap<&str, &ListEntry> = older.entries.iter().map(|e| (e.code.as_str(), e)).collect();
        let new: BTreeMap<&str, &ListEntry> = self.entries.iter().map(|e| (e.code.as_str(), e)).collect();
        let mut d = ListDiff {
            old_version: older.meta.version.clone(),
            new_version: self.meta.version.clone(),
            vintages: (Some(older.meta.vintage), Some(self.meta.vintage)),
            ..Default::default()
        };
        for (c, e) in &new {
            match old.get(c) {
                None => d.added.push(c.to_string()),
                Some(o) => {
                    let mut field = |name: &str, a: Option<String>, b: Option<String>| {
                        if a != b {
                            d.changed.push((
                                c.to_string(),
                                name.to_string(),
                                a.unwrap_or_default(),
                                b.unwrap_or_default(),
                            ));
                        }
                    };
                    field("tier", o.attrs.tier.clone(), e.attrs.tier.clone());
                    field("category", o.attrs.category.clone(), e.attrs.category.clone());
                    let ce = |x: &ListEntry| Some(x.attrs.control_entries.join(" ")).filter(|s| !s.is_empty());
                    field("control_entries", ce(o), ce(e));
                }
            }
        }
        d.removed = old
            .keys()
            .filter(|c| !new.contains_key(*c))
            .map(|c| c.to_string())
            .collect();
        d
    }
}

/// Two versions of a list side by side.
///
/// ```
/// use tradedep::classify::list::ProductList;
/// let v1 = "name = \"w\"\nversion = \"v1\"\nvintage = \"HS2022\"\n[[entries]]\ncode = \"8542\"\ntier = \"1\"\n";
/// let v2 = "name = \"w\"\nversion = \"v2\"\nvintage = \"HS2022\"\n[[entries]]\ncode = \"8542\"\ntier = \"2\"\n";
/// let d = ProductList::from_text(v2, "v2.toml", false)?.diff(&ProductList::from_text(v1, "v1.toml", false)?);
/// assert_eq!(d.changed, [("8542".to_string(), "tier".to_string(), "1".to_string(), "2".to_string())]);
/// assert!(d.to_string().starts_with("v1 -> v2: 0 added, 0 removed, 1 changed"));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListDiff {
    pub old_version: String,
    pub new_version: String,
    /// Vintages of the old and new version (`Option` only so that `Default` exists).
    pub vintages: (Option<Vintage>, Option<Vintage>),
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// `(code, field, old value, new value)`.
    pub changed: Vec<(String, String, String, String)>,
}

impl Default for ListMeta {
    fn default() -> Self {
        ListMeta {
            name: String::new(),
            version: String::new(),
            effective: None,
            source: String::new(),
            vintage: Vintage::Hs(2022),
            tiers: vec![],
        }
    }
}

impl std::fmt::Display for ListDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} -> {}: {} added, {} removed, {} changed",
            self.old_version,
            self.new_version,
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        )?;
        if let (Some(a), Some(b)) = self.vintages {
            if a != b {
                writeln!(f, "note: vintages differ ({a} vs {b}); a code may change because the nomenclature changed, not the list")?;
            }
        }
        for c in &self.added {
            writeln!(f, "+ {c}")?;
        }
        for c in &self.removed {
            writeln!(f, "- {c}")?;
        }
        for (c, field, a, b) in &self.changed {
            writeln!(f, "~ {c} {field}: {a:?} -> {b:?}")?;
        }
        Ok(())
    }
}

pub(crate) fn map_entries(
    entries: &[ListEntry],
    from: Vintage,
    to: Vintage,
    conc: &Concordances,
    weighting: &Weighting,
) -> Result<Mapping> {
    let (fb, tb) = (from.hs_base(), to.hs_base());
    if fb == tb {
        let codes = entries
            .iter()
            .enumerate()
            .map(|(i, e)| MappedCode {
                code: e.code.clone(),
                weight: 1.0,
                via: vec![(i, 1.0)],
                weighting: "no conversion".into(),
            })
            .collect();
        return Ok(Mapping {
            from,
            to,
            path: vec![],
            codes,
        });
    }
    let steps = conc.path(fb, tb)?;
    let path: Vec<String> = steps.iter().map(|(t, _, _)| t.source().to_string()).collect();
    let Some((first, _, _)) = steps.first() else {
        return Ok(Mapping {
            from,
            to,
            path,
            codes: vec![],
        });
    };
    // List codes in the list's vintage: prefixes expand to the 6-digit codes under them;
    // national codes stand for their HS6 subheading.
    let all = first.codes(fb)?;
    let mut list_codes: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let key = e.code.get(..6).unwrap_or(&e.code);
        for c in all.iter().filter(|c| c.starts_with(key)) {
            // The longest entry wins, as in lookup.
            let better = list_codes.get(*c).is_none_or(|j| entries[*j].code.len() < e.code.len());
            if better {
                list_codes.insert(c.to_string(), i);
            }
        }
    }
    let mut candidates: BTreeSet<String> = BTreeSet::new();
    for c in list_codes.keys() {
        // Every linked code is a candidate, whatever the weighting (Equal lists them all).
        for (t, _) in conc.split(c, fb, tb, &Weighting::Equal)?.parts {
            candidates.insert(t);
        }
    }
    let mut codes = vec![];
    for s in candidates {
        let split = conc.split(&s, tb, fb, weighting)?;
        let mut via: BTreeMap<usize, f64> = BTreeMap::new();
        for (t, w) in &split.parts {
            // A zero-weight link (a continuity carve-out) does not make the code stand for the entry.
            if let (Some(i), true) = (list_codes.get(t), *w > 0.0) {
                *via.entry(*i).or_default() += w;
            }
        }
        let weight: f64 = via.values().sum();
        if weight > 0.0 {
            codes.push(MappedCode {
                code: s,
                weight,
                via: via.into_iter().collect(),
                weighting: split.weighting,
            });
        }
    }
    Ok(Mapping { from, to, path, codes })
}

pub(crate) fn selection(
    name: &str,
    entries: &[ListEntry],
    from: Vintage,
    target: Option<Vintage>,
    conc: &Concordances,
    weighting: &Weighting,
) -> Result<ProductSelection> {
    let to = target.unwrap_or(from);
    let m = map_entries(entries, from, to, conc, weighting)?;
    Ok(ProductSelection {
        name: name.to_string(),
        vintage: Some(if m.path.is_empty() { from } else { to }),
        entries: m.codes.into_iter().map(|c| (c.code, c.weight)).collect(),
    })
}

/// Bounds of a list carried into vintage `to`, each code of `to` counting 0 or 1:
/// - **lower** (exact codes only): a code counts when its own digits are a list code of the
///   list's edition (an exact or prefix match), or when every code it links to is on the list;
/// - **upper** (every linked code whole): a code counts when any code it links to is on the list.
///
/// The central figure (any weighting) lies between the two. Without conversion (same HS base)
/// both are the list itself.
pub(crate) fn bounds(
    name: &str,
    entries: &[ListEntry],
    from: Vintage,
    to: Vintage,
    conc: &Concordances,
) -> Result<(ProductSelection, ProductSelection)> {
    let sel = |suffix: &str, codes: Vec<(String, f64)>, v: Vintage| ProductSelection {
        name: format!("{name}{suffix}"),
        vintage: Some(v),
        entries: codes,
    };
    if from.hs_base() == to.hs_base() {
        let all: Vec<(String, f64)> = entries.iter().map(|e| (e.code.clone(), 1.0)).collect();
        return Ok((sel(" (lower)", all.clone(), from), sel(" (upper)", all, from)));
    }
    // Every code of `to` linked to a list code, with the weights of an equal split (all links).
    let m = map_entries(entries, from, to, conc, &Weighting::Equal)?;
    let listed = |c: &str| {
        entries
            .iter()
            .any(|e| c.starts_with(e.code.get(..6).unwrap_or(&e.code)))
    };
    let (mut lower, mut upper) = (vec![], vec![]);
    for c in m.codes {
        let all_listed = (c.weight - 1.0).abs() < 1e-9;
        if listed(&c.code) || all_listed {
            lower.push((c.code.clone(), 1.0));
        }
        upper.push((c.code, 1.0));
    }
    Ok((sel(" (lower)", lower, to), sel(" (upper)", upper, to)))
}

// ---- loaders ----------------------------------------------------------------------------

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileList<C> {
    name: String,
    version: String,
    effective: Option<String>,
    source: Option<String>,
    vintage: String,
    #[serde(default)]
    tiers: Vec<String>,
    #[serde(default = "Vec::new")]
    entries: Vec<FileEntry<C>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry<C> {
    /// `Spanned` in TOML (gives the line), plain in JSON (serde_json has no spans).
    code: C,
    tier: Option<StrOrNum>,
    category: Option<String>,
    control_entry: Option<String>,
    #[serde(default)]
    control_entries: Vec<String>,
    description: Option<String>,
}

/// Codes and tiers as strings; a number (`30211`, tier `1`) is accepted and reported when it
/// cannot be a code.
#[derive(serde::Deserialize, Clone)]
#[serde(untagged)]
enum StrOrNum {
    S(String),
    I(i64),
    F(f64),
}

/// A code cell, with its byte offset where the format gives one.
trait CodeCell {
    fn text(&self) -> String;
    fn start(&self) -> Option<usize>;
}

impl CodeCell for StrOrNum {
    fn text(&self) -> String {
        StrOrNum::text(self)
    }
    fn start(&self) -> Option<usize> {
        None
    }
}

impl CodeCell for toml::Spanned<StrOrNum> {
    fn text(&self) -> String {
        self.get_ref().text()
    }
    fn start(&self) -> Option<usize> {
        Some(self.span().start)
    }
}

impl StrOrNum {
    fn text(&self) -> String {
        match self {
            StrOrNum::S(s) => s.clone(),
            StrOrNum::I(i) => i.to_string(),
            StrOrNum::F(f) => f.to_string(),
        }
    }
}

/// Fields a CSV list file cannot carry itself.
///
/// ```
/// use tradedep::classify::list::{CsvListOptions, ProductList};
/// use tradedep::Vintage;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("watch.csv");
/// std::fs::write(&path, "code,tier,description\n854231,1,processors\n8806,2,drones\n").unwrap();
/// let opts = CsvListOptions { name: "watch".into(), version: "2024-03".into(), effective: None, vintage: Vintage::Hs(2022), tiers: vec![] };
/// let list = ProductList::from_csv(&path, &opts)?;
/// assert_eq!(list.len(), 2);
/// assert_eq!(list.lookup("880610").unwrap().0.attrs.tier.as_deref(), Some("2"));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CsvListOptions {
    pub name: String,
    pub version: String,
    pub effective: Option<String>,
    pub vintage: Vintage,
    pub tiers: Vec<String>,
}

impl ProductList {
    /// Loads a user list by extension: `.toml`, `.json` (fields in the module docs) or `.csv`
    /// (needs `csv_options`).
    ///
    /// ```
    /// use tradedep::classify::list::ProductList;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("watch.json");
    /// std::fs::write(&path, r#"{"name": "watch", "version": "1", "vintage": "HS2022", "entries": [{"code": "8806"}]}"#).unwrap();
    /// let list = ProductList::load(&path, None)?;
    /// assert_eq!((list.name(), list.len()), ("watch", 1));
    /// // A CSV list needs its name, version and vintage as options.
    /// std::fs::write(dir.path().join("w.csv"), "code\n8806\n").unwrap();
    /// assert!(ProductList::load(dir.path().join("w.csv"), None).is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>, csv_options: Option<&CsvListOptions>) -> Result<ProductList> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("toml") | Some("json") => {
                let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                Self::from_text(&text, &file, ext.as_deref() == Some("json"))
            }
            Some("csv") => {
                let opts = csv_options.ok_or_else(|| {
                    Error::invalid_argument(
                        format!("{file} is a CSV list without list fields"),
                        "give name, version and vintage (CsvListOptions / keyword arguments)",
                    )
                })?;
                Self::from_csv(path, opts)
            }
            _ => Err(Error::format(
                "unknown list file type",
                Location::file(file),
                "give a .toml, .json or .csv list",
            )),
        }
    }

    /// Parses a TOML (or JSON, `json = true`) list; `file` names it in errors.
    ///
    /// ```
    /// use tradedep::classify::list::ProductList;
    /// let text = r#"
    /// name = "my watch list"
    /// version = "2024-03"
    /// vintage = "HS2022"
    /// tiers = ["1"]
    ///
    /// [[entries]]
    /// code = "854231"
    /// tier = "1"
    /// control_entry = "3A001"
    /// "#;
    /// let list = ProductList::from_text(text, "watch.toml", false)?;
    /// assert_eq!(list.entries()[0].attrs.control_entries, ["3A001"]);
    /// assert_eq!(list.entries()[0].line, Some(8)); // for error messages
    /// let bad = text.replace("tier = \"1\"\ncontrol", "tier = \"2\"\ncontrol");
    /// assert!(ProductList::from_text(&bad, "watch.toml", false).is_err()); // tier 2 is not declared
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn from_text(text: &str, file: &str, json: bool) -> Result<ProductList> {
        let line_of = |offset: usize| text.get(..offset).map(|s| s.matches('\n').count() as u64 + 1);
        if json {
            let parsed: FileList<StrOrNum> = serde_json::from_str(text).map_err(|e| {
                Error::format(
                    format!("not a list file: {e}"),
                    Location::file(file).line(e.line() as u64),
                    "see the list file format in the docs of tradedep::classify::list",
                )
            })?;
            Self::from_file_list(parsed, text, file)
        } else {
            let parsed: FileList<toml::Spanned<StrOrNum>> = toml::from_str(text).map_err(|e| {
                let mut loc = Location::file(file);
                if let Some(l) = e.span().and_then(|s| line_of(s.start)) {
                    loc = loc.line(l);
                }
                Error::format(
                    format!("not a list file: {}", e.message()),
                    loc,
                    "see the list file format in the docs of tradedep::classify::list",
                )
            })?;
            Self::from_file_list(parsed, text, file)
        }
    }

    fn from_file_list<C: CodeCell>(parsed: FileList<C>, text: &str, file: &str) -> Result<ProductList> {
        let line_of = |offset: usize| text.get(..offset).map(|s| s.matches('\n').count() as u64 + 1);
        let vintage = Vintage::parse(&parsed.vintage).map_err(|_| {
            Error::invalid_data(
                format!("unknown vintage {:?}", parsed.vintage),
                Location::file(file).column("vintage").value(&parsed.vintage),
                "write the vintage as HS2017, HS2022, CN2023 ...",
            )
        })?;
        let meta = ListMeta {
            name: parsed.name,
            version: parsed.version,
            effective: parsed.effective,
            source: parsed
                .source
                .map(|s| format!("{s} ({file})"))
                .unwrap_or_else(|| file.to_string()),
            vintage,
            tiers: parsed.tiers,
        };
        let mut entries = vec![];
        for (i, e) in parsed.entries.into_iter().enumerate() {
            // TOML gives byte spans; serde_json does not, so JSON entries are named by index.
            let line = e.code.start().and_then(line_of);
            let mut control_entries = e.control_entries;
            if let Some(c) = e.control_entry {
                control_entries.insert(0, c);
            }
            let mut extra = BTreeMap::new();
            if line.is_none() {
                extra.insert("entry_index".into(), i.to_string());
            }
            let code = e.code.text();
            entries.push(ListEntry {
                code,
                attrs: EntryAttrs {
                    tier: e.tier.map(|t| t.text()),
                    category: e.category,
                    control_entries,
                    description: e.description,
                    extra,
                },
                line,
            });
        }
        let mut list = ProductList::new(meta, entries)?;
        for e in &mut list.entries {
            e.attrs.extra.remove("entry_index");
        }
        Ok(list)
    }

    /// Reads a CSV list: header `code[,tier][,category][,control_entry][,description]`.
    ///
    /// ```
    /// use tradedep::classify::list::{CsvListOptions, ProductList};
    /// use tradedep::Vintage;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("cn.csv");
    /// std::fs::write(&path, "cn8,control_entry,note\n85423190,3A001;3A991,checked\n").unwrap();
    /// let opts = CsvListOptions { name: "cn".into(), version: "1".into(), effective: None, vintage: Vintage::Cn(2023), tiers: vec![] };
    /// let e = &ProductList::from_csv(&path, &opts)?.entries()[0].clone();
    /// assert_eq!(e.attrs.control_entries, ["3A001", "3A991"]);
    /// assert_eq!(e.attrs.extra["note"], "checked"); // other columns are kept
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn from_csv(path: impl AsRef<Path>, opts: &CsvListOptions) -> Result<ProductList> {
        let path = path.as_ref();
        let sheet = super::sheet::read_csv(path)?;
        let file = sheet.source.clone();
        let Some((_, header)) = sheet.rows.first() else {
            return Err(Error::format(
                "empty list file",
                Location::file(file),
                "the first line names the columns: code,tier,...",
            ));
        };
        let h: Vec<String> = header.iter().map(|s| s.to_ascii_lowercase()).collect();
        let find = |names: &[&str]| h.iter().position(|x| names.contains(&x.as_str()));
        let Some(ic) = find(&["code", "hs6", "hs", "cn8", "cn", "hscode", "product"]) else {
            return Err(Error::format(
                format!("no code column in header [{}]", header.join(",")),
                Location::file(file).line(1),
                "name the code column `code`",
            ));
        };
        let (it, icat, ictl, idesc) = (
            find(&["tier"]),
            find(&["category"]),
            find(&["control_entry"]),
            find(&["description"]),
        );
        let used = [Some(ic), it, icat, ictl, idesc];
        let mut entries = vec![];
        for (line, row) in &sheet.rows[1..] {
            let get = |i: Option<usize>| {
                i.and_then(|i| row.get(i))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            if row.iter().all(|c| c.is_empty()) {
                continue;
            }
            let mut extra = BTreeMap::new();
            for (i, name) in h.iter().enumerate() {
                if !used.contains(&Some(i)) {
                    if let Some(v) = get(Some(i)) {
                        extra.insert(name.clone(), v);
                    }
                }
            }
            entries.push(ListEntry {
                code: get(Some(ic)).unwrap_or_default(),
                attrs: EntryAttrs {
                    tier: get(it),
                    category: get(icat),
                    control_entries: get(ictl)
                        .map(|c| {
                            c.split([';', ' '])
                                .filter(|s| !s.is_empty())
                                .map(String::from)
                                .collect()
                        })
                        .unwrap_or_default(),
                    description: get(idesc),
                    extra,
                },
                line: Some(*line),
            });
        }
        let meta = ListMeta {
            name: opts.name.clone(),
            version: opts.version.clone(),
            effective: opts.effective.clone(),
            source: file,
            vintage: opts.vintage,
            tiers: opts.tiers.clone(),
        };
        ProductList::new(meta, entries)
    }

    /// The CN8 codes of the EU Regulation 833/2014 export-restriction annexes, from a CSV
    /// `code,product` (as in `eu_reg833_export_sanctioned_cn8_codes_2022-10.csv`).
    /// `version` is the consolidated version's date (e.g. `2022-10-07`), `cn_year` the CN edition.
    ///
    /// ```
    /// use tradedep::classify::list::ProductList;
    /// use tradedep::Vintage;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("eu833.csv");
    /// std::fs::write(&path, "code,product\n84581100,Horizontal lathes numerically controlled\n").unwrap();
    /// let list = ProductList::from_eu833_csv(&path, "2022-10-07", 2022)?;
    /// assert_eq!((list.vintage(), list.version()), (Vintage::Cn(2022), "2022-10-07"));
    /// assert_eq!(list.entries()[0].attrs.description.as_deref(), Some("Horizontal lathes numerically controlled"));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn from_eu833_csv(path: impl AsRef<Path>, version: &str, cn_year: u16) -> Result<ProductList> {
        let opts = CsvListOptions {
            name: "EU Reg. 833/2014 export restrictions".into(),
            version: version.into(),
            effective: Some(version.into()),
            vintage: Vintage::Cn(cn_year),
            tiers: vec![],
        };
        let mut l = Self::from_csv(path, &opts)?;
        for e in &mut l.entries {
            if e.attrs.description.is_none() {
                e.attrs.description = e.attrs.extra.remove("product");
            }
        }
        Ok(l)
    }
}
