//! Why a code is or is not on a list, and through which conversion.

use super::classify::Matcher;
use super::concordance::{Concordances, Weighting};
use super::list::{MatchKind, ProductList};
use crate::error::Result;
use crate::model::Vintage;

/// One list entry a code stands for.
///
/// ```
/// use tradedep::classify::{chpl::chpl, explain, Concordances, Weighting};
/// let e = explain("854231", None, &chpl(), &Concordances::new(), &Weighting::default())?;
/// let entry = &e.entries[0];
/// assert_eq!((entry.entry.as_str(), entry.tier.as_deref(), entry.weight), ("854231", Some("1"), 1.0));
/// assert!(entry.description.as_deref().unwrap().contains("processors"));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainedEntry {
    pub entry: String,
    pub tier: Option<String>,
    pub description: Option<String>,
    /// Part of the code that falls on this entry.
    pub weight: f64,
}

/// The answer of [`explain`]; `Display` gives it as sentences.
///
/// ```
/// use tradedep::classify::{chpl::chpl, explain, Concordances, Weighting};
/// let e = explain("854190", None, &chpl(), &Concordances::new(), &Weighting::default())?;
/// assert!(!e.listed);
/// assert_eq!((e.list.as_str(), e.list_version.as_str()), ("CHPL", "2024-02-23"));
/// assert!(e.entries.is_empty() && e.path.is_empty());
/// assert!(e.nearby.iter().all(|c| c.starts_with("8541"))); // CHPL codes of heading 8541
/// assert!(!e.nearby.is_empty());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub code: String,
    pub vintage: Vintage,
    pub list: String,
    pub list_version: String,
    pub list_vintage: Vintage,
    pub listed: bool,
    pub kind: Option<MatchKind>,
    pub weight: f64,
    pub entries: Vec<ExplainedEntry>,
    /// Correlation tables used (empty without conversion).
    pub path: Vec<String>,
    /// The weighting applied to the code's conversion (e.g. `continuity (...)`, `equal split`,
    /// `one counterpart (no split)`); `None` without conversion.
    pub weighting: Option<String>,
    /// Counterparts of the code in the list's vintage, `(code, weight)`, after a conversion.
    pub counterparts: Vec<(String, f64)>,
    /// Entries sharing the code's heading, for "not listed" answers.
    pub nearby: Vec<String>,
}

/// Explains how `code` (of `vintage`; `None` = the list's vintage) stands with `list`.
///
/// ```
/// use tradedep::classify::{chpl::chpl, concordance::{Concordances, Weighting}, explain::explain};
/// let e = explain("85258900", Some(tradedep::Vintage::Cn(2023)), &chpl(), &Concordances::new(), &Weighting::default()).unwrap();
/// assert!(e.listed);
/// assert!(e.to_string().contains("tier 3.A"));
/// ```
pub fn explain(
    code: &str,
    vintage: Option<Vintage>,
    list: &ProductList,
    conc: &Concordances,
    weighting: &Weighting,
) -> Result<Explanation> {
    let v = vintage.unwrap_or(list.vintage());
    // A malformed code is an error, not a "not listed" answer.
    let code = crate::model::ProductCode::new(code, v)?.digits().to_string();
    let m = Matcher::new(list, Some(v), conc, weighting)?;
    let hit = m.get(&code);
    let converted = v.hs_base() != list.vintage().hs_base();
    let (mut path, mut counterparts, mut weighting_used) = (vec![], vec![], None);
    if converted {
        let hs6 = code.get(..6).unwrap_or(&code);
        let s = conc.split(hs6, v, list.vintage(), weighting)?;
        path = s.path.clone();
        weighting_used = Some(s.weighting.clone());
        counterparts = s.parts;
    }
    let entries: Vec<ExplainedEntry> = hit
        .as_ref()
        .map(|h| {
            h.entries
                .iter()
                .filter_map(|(i, w)| list.entries().get(*i).map(|e| (e, *w)))
                .map(|(e, w)| ExplainedEntry {
                    entry: e.code.clone(),
                    tier: e.attrs.tier.clone(),
                    description: e.attrs.description.clone(),
                    weight: w,
                })
                .collect()
        })
        .unwrap_or_default();
    let heading = code.get(..4).unwrap_or(&code);
    let nearby = if hit.is_none() && !converted {
        list.codes()
            .filter(|c| c.starts_with(heading) || heading.starts_with(c))
            .map(String::from)
            .collect()
    } else {
        vec![]
    };
    Ok(Explanation {
        code,
        vintage: v,
        list: list.name().into(),
        list_version: list.version().into(),
        list_vintage: list.vintage(),
        listed: hit.is_some(),
        kind: hit.as_ref().map(|h| h.kind),
        weight: hit.as_ref().map(|h| h.weight).unwrap_or(0.0),
        entries,
        path,
        weighting: weighting_used,
        counterparts,
        nearby,
    })
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = format!("{} {} ({})", self.list, self.list_version, self.list_vintage);
        let entry_text = |e: &ExplainedEntry| {
            let mut s = e.entry.clone();
            if let Some(t) = &e.tier {
                s.push_str(&format!(" (tier {t})"));
            }
            if let Some(d) = &e.description {
                s.push_str(&format!(" {d}"));
            }
            s
        };
        let first = self.entries.first().map(entry_text).unwrap_or_default();
        match self.kind {
            Some(MatchKind::Exact) => write!(
                f,
                "{} ({}) is on {list}: exact match of entry {first}.",
                self.code, self.vintage
            ),
            Some(MatchKind::Prefix) => write!(
                f,
                "{} ({}) is on {list}: it lies under entry {first}.",
                self.code, self.vintage
            ),
            Some(MatchKind::Converted) => {
                write!(f, "{} ({}) is on {list} with weight {:.4}: through {} it corresponds to {} {} code(s) ({}); listed among them: ",
                    self.code, self.vintage, self.weight, self.path.join(" then "), self.counterparts.len(), self.list_vintage,
                    self.weighting.as_deref().unwrap_or("no split"))?;
                let parts: Vec<String> = self
                    .entries
                    .iter()
                    .map(|e| format!("{} weight {:.4}", entry_text(e), e.weight))
                    .collect();
                write!(f, "{}.", parts.join("; "))
            }
            None if !self.path.is_empty() => {
                if self.counterparts.is_empty() {
                    write!(
                        f,
                        "{} ({}) is not on {list}: {} has no {} counterpart for it.",
                        self.code,
                        self.vintage,
                        self.path.join(" then "),
                        self.list_vintage
                    )
                } else {
                    let cps: Vec<&str> = self.counterparts.iter().map(|(c, _)| c.as_str()).collect();
                    write!(
                        f,
                        "{} ({}) is not on {list}: through {} it corresponds to {} {}, none of them listed.",
                        self.code,
                        self.vintage,
                        self.path.join(" then "),
                        self.list_vintage,
                        cps.join(", ")
                    )
                }
            }
            None => {
                write!(
                    f,
                    "{} ({}) is not on {list}: no entry equals it or is a prefix of it.",
                    self.code, self.vintage
                )?;
                if !self.nearby.is_empty() {
                    write!(f, " Entries in the same heading: {}.", self.nearby.join(", "))?;
                }
                Ok(())
            }
        }
    }
}
