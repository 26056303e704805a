//! HS vintage conversion with the UN Statistics Division tables.
//!
//! UNSD publishes, per pair of HS editions, a **conversion** table (every code of the newer
//! edition to one code of the older: a lossy choice made for aggregating data) and a
//! **correlation** table (all links, many-to-many, with the relationship `1:1`, `n:1`, `1:n`,
//! `n:n`). Lists and baskets are carried between vintages only through the correlation table:
//! the conversion table sends HS2022 854151 and 854159 to 851712 (telephone sets), which is no
//! proxy for semiconductor transducers.
//!
//! Where one code corresponds to several codes of the other vintage, its trade is split with a
//! [`Weighting`]: by default [`Weighting::Continuity`] (a code that still exists in the other
//! edition keeps all its trade; the other links are the "ex" parts carved out into new
//! headings), or, chosen by the caller, an equal split or trade shares of a base period. Every
//! [`Split`] says which weighting it actually applied to that code.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, RecordBatch, StringArray, UInt32Array,
};

use super::sheet::{self, Sheet};
use crate::error::{Error, Location, Result};
use crate::model::{TableMeta, TradeTable, Vintage};

/// One link of a correlation table between a code of vintage `a` and a code of vintage `b`.
///
/// ```
/// use tradedep::classify::{concordance::Link, Correlation};
/// use tradedep::Vintage;
/// let link = Link { a: "851713".into(), b: "851712".into(), relationship: "n:1".into(), partial: true };
/// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy", vec![link.clone()]);
/// assert_eq!(c.links(), [link]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub a: String,
    pub b: String,
    /// As written in the table, seen from `a` to `b`: `1:1`, `n:1`, `1:n`, `n:n`.
    pub relationship: String,
    /// UNSD's "ex" flag: only part of the code corresponds.
    pub partial: bool,
}

/// A many-to-many correlation between two HS vintages (usable in both directions).
///
/// ```
/// use tradedep::classify::{concordance::Link, Correlation, Weighting};
/// use tradedep::Vintage;
/// let link = |a: &str, b: &str| Link { a: a.into(), b: b.into(), relationship: "n:1".into(), partial: true };
/// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy",
///     vec![link("851713", "851712"), link("851714", "851712")]);
/// assert_eq!(c.vintages(), (Vintage::Hs(2022), Vintage::Hs(2017)));
/// assert_eq!(c.source(), "toy");
/// assert_eq!(c.links().len(), 2);
/// assert_eq!(c.codes(Vintage::Hs(2017))?, ["851712"]);
/// let s = c.split("851712", Vintage::Hs(2017), &Weighting::Continuity)?;
/// assert_eq!(s.parts, [("851713".to_string(), 0.5), ("851714".to_string(), 0.5)]);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Correlation {
    a: Vintage,
    b: Vintage,
    source: String,
    links: Vec<Link>,
    by_a: HashMap<String, Vec<usize>>,
    by_b: HashMap<String, Vec<usize>>,
    /// Distinct counterparts of each code of `a` / of `b`: how many codes feed it, asked for
    /// every link by [`Correlation::successors`] (carve-outs such as HS2022 8549 are fed by
    /// hundreds of codes, so counting them per call cost 0.2 s for the CHPL).
    n_a: HashMap<String, u32>,
    n_b: HashMap<String, u32>,
}

/// A one-to-one conversion table (newer -> older code). Use it to aggregate data, never to
/// carry a list back (see the module docs).
///
/// ```
/// use tradedep::classify::Conversion;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("conversion.csv");
/// std::fs::write(&path, "hs2022,hs2017\n851713,851712\n851714,851712\n880621,852580\n").unwrap();
/// let conv = Conversion::load(&path)?;
/// assert_eq!(conv.convert("851714"), Some("851712"));
/// assert_eq!(conv.convert("010121"), None);
/// assert_eq!((conv.len(), conv.is_empty()), (3, false));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Conversion {
    pub from: Vintage,
    pub to: Vintage,
    pub source: String,
    map: HashMap<String, String>,
}

/// How a code that corresponds to several codes of the other vintage is split.
///
/// The default is [`Weighting::Continuity`]: a code's trade follows its **direct successors**
/// ([`Correlation::successors`]: the same code when it continues, and the linked codes fed by
/// the fewest codes, typically by it alone), never the links to codes fed by more codes. It
/// matters: the UNSD HS2022-HS2017 correlation links HS2017 851712 (cellular phones) to its
/// successors 851713/851714 *and*, n:n, to 852411...852990, 854151/854159 and the e-waste heading
/// 8549 (carve-outs fed by hundreds of HS2017 codes). An equal split sends 15/17 of 851712's
/// trade to the carve-outs; continuity sends it to 851713 and 851714, half each.
///
/// ```
/// use tradedep::classify::{Correlation, Weighting};
/// use tradedep::classify::concordance::Link;
/// use tradedep::Vintage;
/// let link = |a: &str, b: &str| Link { a: a.into(), b: b.into(), relationship: "n:n".into(), partial: true };
/// // HS2022 -> HS2017: 854231 continues 854231; 854931 takes parts of 854231 and 850760 (a carve-out);
/// // 852581/852589 come from 852580 alone; 880621 takes parts of 852580 and 880211 (a carve-out).
/// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy",
///     vec![link("854231", "854231"), link("854931", "854231"), link("854931", "850760"),
///          link("852581", "852580"), link("852589", "852580"), link("880621", "852580"), link("880621", "880211")]);
/// let kept = c.split("854231", Vintage::Hs(2017), &Weighting::default()).unwrap();
/// assert_eq!(kept.parts, vec![("854231".to_string(), 1.0), ("854931".to_string(), 0.0)]);
/// let gone = c.split("852580", Vintage::Hs(2017), &Weighting::Continuity).unwrap();
/// assert_eq!(gone.parts, vec![("852581".to_string(), 0.5), ("852589".to_string(), 0.5), ("880621".to_string(), 0.0)]);
/// assert!(gone.weighting.contains("direct successors"));
/// let one = c.split("850760", Vintage::Hs(2017), &Weighting::Continuity).unwrap();
/// assert_eq!(one.parts, vec![("854931".to_string(), 1.0)]);
/// let equal = c.split("854231", Vintage::Hs(2017), &Weighting::Equal).unwrap();
/// assert_eq!(equal.parts[0].1, 0.5);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Weighting {
    /// The default. A code's trade is split equally over its direct successors
    /// ([`Correlation::successors`]: the same code when it continues, and the linked codes fed
    /// by the fewest codes of its edition); its links to codes fed by more codes (carve-outs)
    /// get 0. A code that continues and has no other direct successor keeps all its trade;
    /// a code whose links are all fed alike is split equally over every link. Its
    /// [`Split::weighting`] says which case applied.
    #[default]
    Continuity,
    /// Each counterpart gets 1/n.
    Equal,
    /// Shares of the direct successors' trade (codes of `vintage`) in a base period (of every
    /// counterpart's when the code has no direct successor); counterparts without trade get 0,
    /// and a code none of whose counterparts traded falls back to an equal split (the split
    /// says so).
    TradeShares {
        vintage: Vintage,
        values: HashMap<String, f64>,
        base: String,
    },
}

impl Weighting {
    /// Trade shares from a table's `value` summed by product (HS6; national codes by their
    /// subheading) over periods `from..=to` (`None` = all rows), over every reporter, partner and
    /// flow of the table: filter it first for narrower weights. The table's vintage must be
    /// declared: it is the vintage the weights are for.
    ///
    /// Trade shares split a code over its direct successors in proportion to their trade; the
    /// carve-outs (e.g. the new HS2022 e-waste heading 8549) get nothing, as under
    /// [`Weighting::Continuity`], where [`Weighting::Equal`] gives each 1/n.
    ///
    /// ```
    /// use tradedep::classify::{concordance::Link, Correlation, Weighting};
    /// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
    /// use tradedep::Vintage;
    /// // Base-period trade in HS2022: 851713 three times 851714.
    /// let mut b = TradeTableBuilder::new("base", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
    /// b.push(TradeRow::new(2022, 643, 156, Flow::Import, "851713", 30.0))?;
    /// b.push(TradeRow::new(2022, 643, 156, Flow::Import, "851714", 10.0))?;
    /// let w = Weighting::trade_shares(&b.finish()?, None, None)?;
    /// let link = |a: &str| Link { a: a.into(), b: "851712".into(), relationship: "n:1".into(), partial: true };
    /// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy", vec![link("851713"), link("851714")]);
    /// let s = c.split("851712", Vintage::Hs(2017), &w)?;
    /// assert_eq!(s.parts, [("851713".to_string(), 0.75), ("851714".to_string(), 0.25)]);
    /// assert!(w.describe().starts_with("trade shares"));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn trade_shares(table: &TradeTable, from: Option<i32>, to: Option<i32>) -> Result<Weighting> {
        let vintage = table.meta().vintage.ok_or_else(|| {
            Error::invalid_argument(
                "the base-period table has no declared vintage",
                "declare the vintage of the table used for trade-share weights",
            )
        })?;
        let mut values: HashMap<String, f64> = HashMap::new();
        for b in table.batches() {
            let period = b.column(0).as_primitive::<Int32Type>();
            let product = b.column(4).as_dictionary::<Int32Type>();
            let names = product.values().as_string::<i32>();
            let value = b.column(5).as_primitive::<Float64Type>();
            for i in 0..b.num_rows() {
                let p = period.value(i);
                if from.is_some_and(|f| p < f) || to.is_some_and(|t| p > t) {
                    continue;
                }
                let k = product.keys().value(i) as usize;
                let code = names.value(k);
                let hs6 = code.get(..6).unwrap_or(code);
                *values.entry(hs6.to_string()).or_default() += value.value(i);
            }
        }
        let src = table
            .report()
            .sources
            .first()
            .cloned()
            .unwrap_or_else(|| "table".into());
        let span = match (from, to) {
            (None, None) => "all periods".to_string(),
            (f, t) => format!(
                "periods {}..{}",
                f.map(|v| v.to_string()).unwrap_or_default(),
                t.map(|v| v.to_string()).unwrap_or_default()
            ),
        };
        Ok(Weighting::TradeShares {
            vintage: vintage.hs_base(),
            values,
            base: format!("{src}, {span}"),
        })
    }

    /// Short name for reports: `continuity`, `equal split` or `trade shares of ... in <base>`.
    ///
    /// ```
    /// use tradedep::classify::Weighting;
    /// assert_eq!(Weighting::Continuity.describe(), "continuity");
    /// assert_eq!(Weighting::Equal.describe(), "equal split");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            Weighting::Continuity => "continuity".into(),
            Weighting::Equal => "equal split".into(),
            Weighting::TradeShares { vintage, base, .. } => format!("trade shares of {vintage} codes in {base}"),
        }
    }
}

/// How one code of the source vintage is divided among codes of the target vintage.
///
/// ```
/// use tradedep::{classify::Concordances, Vintage};
/// let s = Concordances::embedded().split("851712", Vintage::Hs(2017), Vintage::Hs(2022), &Default::default())?;
/// assert_eq!((s.code.as_str(), s.from, s.to), ("851712", Vintage::Hs(2017), Vintage::Hs(2022)));
/// assert!(s.is_split());
/// assert!((s.parts.iter().map(|(_, w)| w).sum::<f64>() - 1.0).abs() < 1e-9);
/// assert_eq!(s.path.len(), 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub code: String,
    pub from: Vintage,
    pub to: Vintage,
    /// `(target code, weight)` for every linked code, weights summing to 1 (empty when the code
    /// has no link). Weights may be 0: the carve-outs under continuity, counterparts without
    /// base-period trade under trade shares.
    pub parts: Vec<(String, f64)>,
    /// The weighting actually applied to this code, e.g. `continuity (the code continues in
    /// HS2022; its other links get 0)`, `equal split (continuity fallback: the code does not
    /// continue in HS2022)`,
    /// `equal split`, `trade shares of HS2022 codes in base.csv, all periods`, `equal split (no
    /// base-period trade in any counterpart)` or `one counterpart (no split)`.
    pub weighting: String,
    /// The tables the split went through (more than one for a chain).
    pub path: Vec<String>,
}

impl Split {
    /// True when the code corresponds to more than one code.
    ///
    /// ```
    /// use tradedep::{classify::Concordances, Vintage};
    /// let c = Concordances::embedded();
    /// assert!(c.split("851712", Vintage::Hs(2017), Vintage::Hs(2022), &Default::default())?.is_split());
    /// assert!(!c.split("010121", Vintage::Hs(2017), Vintage::Hs(2022), &Default::default())?.is_split());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn is_split(&self) -> bool {
        self.parts.len() > 1
    }
}

fn vintage_of_header(h: &str) -> Option<Vintage> {
    let t = h.to_ascii_uppercase().replace([' ', '_', '-'], "");
    let i = t.find("HS")?;
    let digits: String = t[i + 2..].chars().take_while(|c| c.is_ascii_digit()).collect();
    let y: u16 = match digits.len() {
        4 => digits.parse().ok()?,
        2 => Vintage::parse(&format!("HS{digits}")).ok().map(|v| match v {
            Vintage::Hs(y) => y,
            _ => 0,
        })?,
        _ => return None,
    };
    Vintage::HS_EDITIONS.contains(&y).then_some(Vintage::Hs(y))
}

/// HS editions named in a file name, e.g. `HS2022toHS2017...` or `unsd_hs2022_to_hs2017...`.
fn vintages_in_name(name: &str) -> Vec<Vintage> {
    let t = name.to_ascii_uppercase();
    let mut out = vec![];
    let mut rest = t.as_str();
    while let Some(i) = rest.find("HS") {
        rest = &rest[i + 2..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if let Ok(y) = digits.parse::<u16>() {
            if digits.len() == 4 && Vintage::HS_EDITIONS.contains(&y) {
                out.push(Vintage::Hs(y));
            }
        }
    }
    out
}

/// Finds the header row: the first row with two cells naming HS editions.
fn find_header(sheet: &Sheet) -> Option<(usize, usize, usize, Vintage, Vintage)> {
    for (ri, (_, row)) in sheet.rows.iter().enumerate().take(10) {
        let found: Vec<(usize, Vintage)> = row
            .iter()
            .enumerate()
            .filter_map(|(i, c)| vintage_of_header(c).map(|v| (i, v)))
            .collect();
        if found.len() >= 2 {
            return Some((ri, found[0].0, found[1].0, found[0].1, found[1].1));
        }
    }
    None
}

fn header_error(sheet: &Sheet, what: &str) -> Error {
    Error::format(
        format!("no header naming two HS editions in the {what} table"),
        Location::file(sheet.source.clone()),
        "expected columns like `hs2022,hs2017[,relationship]` (CSV) or the UNSD sheet `From HS2022 | To HS2017`",
    )
}

fn check_code(sheet: &Sheet, line: u64, column: &str, raw: &str) -> Result<Option<String>> {
    let c = sheet::pad_code(raw, 6);
    if c.is_empty() {
        return Ok(None);
    }
    if c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(c))
    } else {
        Err(Error::parse(
            "HS6 code",
            sheet.loc(line).column(column).value(raw),
            "every code of a UNSD table has 6 digits; check that the file is the conversion/correlation table",
        ))
    }
}

impl Correlation {
    /// Builds from links between `a` and `b`.
    ///
    /// ```
    /// use tradedep::classify::{concordance::Link, Correlation};
    /// use tradedep::Vintage;
    /// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy",
    ///     vec![Link { a: "880621".into(), b: "852580".into(), relationship: "n:n".into(), partial: true }]);
    /// assert_eq!(c.codes(Vintage::Hs(2022))?, ["880621"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn from_links(a: Vintage, b: Vintage, source: &str, links: Vec<Link>) -> Correlation {
        let mut by_a: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_b: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, l) in links.iter().enumerate() {
            by_a.entry(l.a.clone()).or_default().push(i);
            by_b.entry(l.b.clone()).or_default().push(i);
        }
        let distinct = |m: &HashMap<String, Vec<usize>>, other: &dyn Fn(&Link) -> &str| -> HashMap<String, u32> {
            m.iter()
                .map(|(code, ix)| {
                    let mut o: Vec<&str> = ix.iter().map(|i| other(&links[*i])).collect();
                    o.sort_unstable();
                    o.dedup();
                    (code.clone(), o.len() as u32)
                })
                .collect()
        };
        let n_a = distinct(&by_a, &|l| l.b.as_str());
        let n_b = distinct(&by_b, &|l| l.a.as_str());
        Correlation {
            a,
            b,
            source: source.into(),
            links,
            by_a,
            by_b,
            n_a,
            n_b,
        }
    }

    /// Loads a correlation table from CSV (`hs2022,hs2017,relationship`, optional `ex_flag`)
    /// or from the UNSD workbook (the sheet whose name contains "Correlation").
    ///
    /// ```
    /// use tradedep::{classify::Correlation, Vintage};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("hs2022_hs2017_correlation.csv");
    /// std::fs::write(&path, "hs2022,hs2017,relationship\n851713,851712,n:1\n851714,851712,n:1\n").unwrap();
    /// let c = Correlation::load(&path)?;
    /// assert_eq!(c.vintages(), (Vintage::Hs(2022), Vintage::Hs(2017)));
    /// assert_eq!(c.links().len(), 2);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Correlation> {
        let path = path.as_ref();
        let sheet = if sheet::is_workbook(path) {
            let sheets = sheet::read_workbook(path)?;
            sheets
                .into_iter()
                .find(|s| s.name.to_ascii_lowercase().contains("correlat"))
                .ok_or_else(|| {
                    Error::format(
                        "no sheet named like 'Correlation'",
                        Location::file(path.display().to_string()),
                        "give the UNSD 'Conversion and Correlation Tables' workbook",
                    )
                })?
        } else {
            sheet::read_csv(path)?
        };
        Self::from_sheet(&sheet)
    }

    fn from_sheet(sheet: &Sheet) -> Result<Correlation> {
        let (hi, ia, ib, va, vb) = find_header(sheet).ok_or_else(|| header_error(sheet, "correlation"))?;
        let header = &sheet.rows[hi].1;
        let irel = header.iter().position(|h| h.to_ascii_lowercase().contains("relation"));
        // The "ex" flag sits in an unnamed column (workbook) or in `ex_flag` (CSV).
        let iex = header
            .iter()
            .position(|h| h.to_ascii_lowercase().starts_with("ex"))
            .or_else(|| (0..header.len()).find(|i| *i != ia && *i != ib && Some(*i) != irel && header[*i].is_empty()));
        let mut links = vec![];
        for (line, row) in &sheet.rows[hi + 1..] {
            let get = |i: usize| row.get(i).map(|s| s.as_str()).unwrap_or("");
            let (Some(a), Some(b)) = (
                check_code(sheet, *line, &header[ia], get(ia))?,
                check_code(sheet, *line, &header[ib], get(ib))?,
            ) else {
                if get(ia).is_empty() && get(ib).is_empty() {
                    continue; // blank line
                }
                return Err(Error::invalid_data(
                    "a link with only one side",
                    sheet.loc(*line).value(row.join(",")),
                    "each row of a correlation table links one code of each edition",
                ));
            };
            let relationship = irel.map(|i| get(i).to_string()).unwrap_or_default();
            let partial = iex.is_some_and(|i| get(i).eq_ignore_ascii_case("ex"));
            links.push(Link {
                a,
                b,
                relationship,
                partial,
            });
        }
        Ok(Self::from_links(va, vb, &sheet.source, links))
    }

    /// The two vintages `(a, b)`, in the table's column order. See the example on [`Correlation`].
    ///
    /// ```
    /// use tradedep::{classify::Concordances, Vintage};
    /// let c = Concordances::embedded();
    /// assert!(c.tables().all(|t| t.vintages().0 != t.vintages().1));
    /// assert!(c.tables().any(|t| t.vintages() == (Vintage::Hs(2022), Vintage::Hs(2017))));
    /// ```
    pub fn vintages(&self) -> (Vintage, Vintage) {
        (self.a, self.b)
    }
    /// The file or name the table came from. See the example on [`Correlation`].
    ///
    /// ```
    /// let c = tradedep::classify::Concordances::embedded();
    /// assert!(c.tables().all(|t| !t.source().is_empty())); // the official file and its checksum
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }
    /// Every link, in the table's order. See the example on [`Correlation`].
    ///
    /// ```
    /// use tradedep::{classify::Concordances, Vintage};
    /// let c = Concordances::embedded();
    /// let t = c.tables().find(|t| t.vintages() == (Vintage::Hs(2022), Vintage::Hs(2017))).unwrap();
    /// assert!(t.links().iter().any(|l| l.a == "851713" && l.b == "851712"));
    /// ```
    pub fn links(&self) -> &[Link] {
        &self.links
    }
    /// Same links, sides swapped (relationships are mirrored: `n:1` becomes `1:n`).
    ///
    /// ```
    /// use tradedep::classify::{concordance::Link, Correlation};
    /// use tradedep::Vintage;
    /// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy",
    ///     vec![Link { a: "851713".into(), b: "851712".into(), relationship: "n:1".into(), partial: true }]);
    /// let r = c.reversed();
    /// assert_eq!(r.vintages(), (Vintage::Hs(2017), Vintage::Hs(2022)));
    /// assert_eq!((r.links()[0].a.as_str(), r.links()[0].relationship.as_str()), ("851712", "1:n"));
    /// ```
    pub fn reversed(&self) -> Correlation {
        let links = self
            .links
            .iter()
            .map(|l| Link {
                a: l.b.clone(),
                b: l.a.clone(),
                relationship: l.relationship.split(':').rev().collect::<Vec<_>>().join(":"),
                partial: l.partial,
            })
            .collect();
        Self::from_links(self.b, self.a, &self.source, links)
    }

    fn side(&self, from: Vintage) -> Result<(&HashMap<String, Vec<usize>>, bool)> {
        let from = from.hs_base();
        if from == self.a {
            Ok((&self.by_a, true))
        } else if from == self.b {
            Ok((&self.by_b, false))
        } else {
            Err(Error::invalid_argument(
                format!(
                    "the correlation {} links {} and {}, not {from}",
                    self.source, self.a, self.b
                ),
                "load the correlation table of the vintages you convert between",
            ))
        }
    }

    /// All codes of vintage `v` in the table.
    ///
    /// ```
    /// use tradedep::classify::{concordance::Link, Correlation};
    /// use tradedep::Vintage;
    /// let link = |a: &str, b: &str| Link { a: a.into(), b: b.into(), relationship: "n:n".into(), partial: true };
    /// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy",
    ///     vec![link("880621", "852580"), link("880621", "880211")]);
    /// assert_eq!(c.codes(Vintage::Hs(2017))?.len(), 2);
    /// assert!(c.codes(Vintage::Hs(2012)).is_err()); // not a side of this table
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn codes(&self, v: Vintage) -> Result<Vec<&str>> {
        let (m, _) = self.side(v)?;
        let mut out: Vec<&str> = m.keys().map(|s| s.as_str()).collect();
        out.sort_unstable();
        Ok(out)
    }

    /// The links of `code` (vintage `from`), as `(other code, relationship seen from `from`)`.
    ///
    /// ```
    /// use tradedep::classify::{concordance::Link, Correlation};
    /// use tradedep::Vintage;
    /// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy",
    ///     vec![Link { a: "851713".into(), b: "851712".into(), relationship: "n:1".into(), partial: true }]);
    /// let from_2017 = c.counterparts("851712", Vintage::Hs(2017))?;
    /// assert_eq!(from_2017, [("851713", "1:n".to_string(), true)]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn counterparts(&self, code: &str, from: Vintage) -> Result<Vec<(&str, String, bool)>> {
        let (m, is_a) = self.side(from)?;
        Ok(m.get(code)
            .map(|ix| {
                ix.iter()
                    .map(|i| {
                        let l = &self.links[*i];
                        if is_a {
                            (l.b.as_str(), l.relationship.clone(), l.partial)
                        } else {
                            (
                                l.a.as_str(),
                                l.relationship.split(':').rev().collect::<Vec<_>>().join(":"),
                                l.partial,
                            )
                        }
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Distinct counterparts of `code` (vintage `from`), counted when the table was built.
    fn n_counterparts(&self, code: &str, from: Vintage) -> Result<usize> {
        let (_, is_a) = self.side(from)?;
        let n = if is_a { &self.n_a } else { &self.n_b };
        Ok(n.get(code).copied().unwrap_or(0) as usize)
    }

    /// The direct successors of `code` (vintage `from`) among its counterparts: the same code
    /// when it continues, and the counterparts fed by the fewest codes of `from` (1 when a code
    /// of the other edition comes from `code` alone, as HS2022 851713/851714 from HS2017
    /// 851712). The other counterparts are links to codes fed by more codes: carve-outs such as
    /// the HS2022 headings 8524, 8541.5 and 8549, fed by hundreds of HS2017 codes.
    ///
    /// ```
    /// use tradedep::classify::{concordance::Link, Correlation};
    /// use tradedep::Vintage;
    /// let link = |a: &str, b: &str| Link { a: a.into(), b: b.into(), relationship: "n:n".into(), partial: true };
    /// // 852581 and 852589 come from 852580 alone; 880621 also takes part of 880211 (a carve-out).
    /// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy",
    ///     vec![link("852581", "852580"), link("852589", "852580"), link("880621", "852580"), link("880621", "880211")]);
    /// assert_eq!(c.successors("852580", Vintage::Hs(2017))?, ["852581", "852589"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn successors(&self, code: &str, from: Vintage) -> Result<Vec<String>> {
        let to = if from.hs_base() == self.a { self.b } else { self.a };
        let mut fed: Vec<(String, usize)> = vec![];
        for (t, _, _) in self.counterparts(code, from)? {
            if !fed.iter().any(|(o, _)| o == t) {
                fed.push((t.to_string(), self.n_counterparts(t, to)?));
            }
        }
        let fewest = fed.iter().map(|(_, n)| *n).min().unwrap_or(0);
        let mut out: Vec<String> = fed
            .into_iter()
            .filter(|(t, n)| *n == fewest || t == code)
            .map(|(t, _)| t)
            .collect();
        out.sort_unstable();
        Ok(out)
    }

    /// Splits `code` of vintage `from` among its counterparts with `weighting`.
    ///
    /// ```
    /// use tradedep::classify::{concordance::Link, Correlation, Weighting};
    /// use tradedep::Vintage;
    /// let link = |a: &str, b: &str| Link { a: a.into(), b: b.into(), relationship: "n:n".into(), partial: true };
    /// let c = Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy",
    ///     vec![link("852581", "852580"), link("852589", "852580"), link("880621", "852580"), link("880621", "880211")]);
    /// let equal = c.split("852580", Vintage::Hs(2017), &Weighting::Equal)?;
    /// assert_eq!(equal.parts.len(), 3);
    /// assert!(equal.parts.iter().all(|(_, w)| (*w - 1.0 / 3.0).abs() < 1e-12));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn split(&self, code: &str, from: Vintage, weighting: &Weighting) -> Result<Split> {
        let to = if from.hs_base() == self.a { self.b } else { self.a };
        let mut targets: Vec<String> = self
            .counterparts(code, from)?
            .into_iter()
            .map(|(c, _, _)| c.to_string())
            .collect();
        targets.sort_unstable();
        targets.dedup();
        let successors = self.successors(code, from)?;
        let (parts, used) = weigh(code, &targets, &successors, to, weighting);
        Ok(Split {
            code: code.into(),
            from: from.hs_base(),
            to,
            parts,
            weighting: used,
            path: vec![self.source.clone()],
        })
    }
}

/// Applies a weighting to the counterparts `targets` (sorted, unique) of `code`, whose direct
/// successors (a subset, see [`Correlation::successors`]) are `successors`.
fn weigh(
    code: &str,
    targets: &[String],
    successors: &[String],
    to: Vintage,
    weighting: &Weighting,
) -> (Vec<(String, f64)>, String) {
    let n = targets.len();
    let equal = |note: &str| {
        (
            targets.iter().map(|t| (t.clone(), 1.0 / n as f64)).collect::<Vec<_>>(),
            format!("equal split{note}"),
        )
    };
    // Weights over the direct successors only; the carve-out links stay listed with weight 0
    // so that the split shows every link.
    let over_successors = |w: &dyn Fn(&str) -> f64| -> Vec<(String, f64)> {
        targets
            .iter()
            .map(|t| (t.clone(), if successors.contains(t) { w(t) } else { 0.0 }))
            .collect()
    };
    if n == 0 {
        return (vec![], "no counterpart".into());
    }
    if n == 1 {
        return (vec![(targets[0].clone(), 1.0)], "one counterpart (no split)".into());
    }
    match weighting {
        // Same wording for every code of a kind, so that reports can group codes by weighting.
        Weighting::Continuity if successors.len() == 1 && successors[0] == code => (
            over_successors(&|_| 1.0),
            format!("continuity (the code continues in {to}; its other links get 0)"),
        ),
        Weighting::Continuity if successors.len() == n || successors.is_empty() => {
            equal(" (continuity: no carve-out link, every link is a direct successor)")
        }
        Weighting::Continuity => {
            let k = successors.len() as f64;
            (
                over_successors(&|_| 1.0 / k),
                format!("continuity (the code's trade continues in its direct successors in {to}, split equally; its carve-out links get 0)"),
            )
        }
        Weighting::Equal => equal(""),
        Weighting::TradeShares { vintage, values, .. } if *vintage == to => {
            let pool: &[String] = if successors.is_empty() { targets } else { successors };
            let total: f64 = pool.iter().map(|t| values.get(t).copied().unwrap_or(0.0)).sum();
            if total > 0.0 {
                let share = |t: &str| values.get(t).copied().unwrap_or(0.0) / total;
                let parts = targets
                    .iter()
                    .map(|t| (t.clone(), if pool.contains(t) { share(t) } else { 0.0 }))
                    .collect();
                let over = " over its direct successors";
                (parts, format!("{}{over}", weighting.describe()))
            } else if successors.is_empty() {
                equal(" (no base-period trade in any counterpart)")
            } else {
                let k = successors.len() as f64;
                (
                    over_successors(&|_| 1.0 / k),
                    "equal split over its direct successors (no base-period trade in any of them)".to_string(),
                )
            }
        }
        Weighting::TradeShares { vintage, .. } => equal(&format!(
            " (trade shares are for {vintage}, this step splits into {to})"
        )),
    }
}

impl Conversion {
    /// Loads a UNSD one-to-one conversion table from CSV (`hs2022,hs2017`) or the workbook
    /// (the sheet whose name contains "Conversion").
    ///
    /// ```
    /// use tradedep::classify::Conversion;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("conversion.csv");
    /// // A correlation table (one code to two) is not a conversion table.
    /// std::fs::write(&path, "hs2022,hs2017\n851712,851713\n851712,851714\n").unwrap();
    /// assert!(Conversion::load(&path).is_err());
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Conversion> {
        let path = path.as_ref();
        let sheet = if sheet::is_workbook(path) {
            let sheets = sheet::read_workbook(path)?;
            sheets
                .into_iter()
                .find(|s| s.name.to_ascii_lowercase().contains("conver"))
                .ok_or_else(|| {
                    Error::format(
                        "no sheet named like 'Conversion'",
                        Location::file(path.display().to_string()),
                        "give the UNSD 'Conversion and Correlation Tables' workbook",
                    )
                })?
        } else {
            sheet::read_csv(path)?
        };
        let (hi, ia, ib, from, to) = find_header(&sheet).ok_or_else(|| header_error(&sheet, "conversion"))?;
        let header = &sheet.rows[hi].1;
        let mut map = HashMap::new();
        for (line, row) in &sheet.rows[hi + 1..] {
            let get = |i: usize| row.get(i).map(|s| s.as_str()).unwrap_or("");
            let (Some(a), Some(b)) = (
                check_code(&sheet, *line, &header[ia], get(ia))?,
                check_code(&sheet, *line, &header[ib], get(ib))?,
            ) else {
                continue;
            };
            if let Some(prev) = map.insert(a.clone(), b.clone()) {
                if prev != b {
                    return Err(Error::invalid_data(
                        format!("{a} converts to both {prev} and {b}"),
                        sheet.loc(*line).value(a),
                        "a conversion table maps each code to one code; this looks like a correlation table (use Correlation::load)",
                    ));
                }
            }
        }
        Ok(Conversion {
            from,
            to,
            source: sheet.source.clone(),
            map,
        })
    }

    /// The one code `code` converts to.
    ///
    /// See the example on [`Conversion`].
    ///
    /// ```
    /// use tradedep::classify::Conversion;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("conversion.csv");
    /// std::fs::write(&path, "hs2022,hs2017\n880621,852580\n").unwrap();
    /// assert_eq!(Conversion::load(&path)?.convert("880621"), Some("852580"));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn convert(&self, code: &str) -> Option<&str> {
        self.map.get(code).map(|s| s.as_str())
    }
    /// Number of codes the table converts. See the example on [`Conversion`].
    ///
    /// ```
    /// use tradedep::classify::Conversion;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("conversion.csv");
    /// std::fs::write(&path, "hs2022,hs2017\n851713,851712\n851714,851712\n").unwrap();
    /// assert_eq!(Conversion::load(&path)?.len(), 2);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// True when the table converts no code. See the example on [`Conversion`].
    ///
    /// ```
    /// use tradedep::classify::Conversion;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("conversion.csv");
    /// std::fs::write(&path, "hs2022,hs2017\n").unwrap();
    /// assert!(Conversion::load(&path)?.is_empty());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// The correlation tables a user has, with conversion along direct tables or chains of them.
///
/// ```
/// use tradedep::classify::{concordance::Link, Concordances, Correlation};
/// use tradedep::Vintage;
/// let link = |a: &str| Link { a: a.into(), b: "851712".into(), relationship: "n:1".into(), partial: true };
/// let mut conc = Concordances::new();
/// conc.add(Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "toy", vec![link("851713"), link("851714")]));
/// assert_eq!(conc.tables().count(), 1);
/// assert!(conc.has_pair(Vintage::Hs(2017), Vintage::Hs(2022)));
/// let s = conc.split("851712", Vintage::Hs(2017), Vintage::Hs(2022), &Default::default())?;
/// assert_eq!(s.parts.len(), 2);
/// assert_eq!(conc.path(Vintage::Hs(2017), Vintage::Hs(2022))?.len(), 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Concordances {
    tables: Vec<Arc<Correlation>>,
}

impl Concordances {
    /// No tables (use [`Concordances::embedded`] for the UNSD ones). See the example on [`Concordances`].
    ///
    /// ```
    /// assert_eq!(tradedep::classify::Concordances::new().tables().count(), 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a table. See the example on [`Concordances`].
    ///
    /// ```
    /// use tradedep::classify::{concordance::Link, Concordances, Correlation};
    /// use tradedep::Vintage;
    /// let link = Link { a: "851713".into(), b: "851712".into(), relationship: "n:1".into(), partial: true };
    /// let mut c = Concordances::new();
    /// c.add(Correlation::from_links(Vintage::Hs(2022), Vintage::Hs(2017), "mine", vec![link]));
    /// assert!(c.has_pair(Vintage::Hs(2022), Vintage::Hs(2017)));
    /// ```
    pub fn add(&mut self, c: Correlation) -> &mut Self {
        self.tables.push(Arc::new(c));
        self
    }
    /// Loads every `*correlation*.csv` and every `*Correlation*Tables.xlsx` of a folder (CSV
    /// wins when both give the same pair).
    ///
    /// ```
    /// use tradedep::{classify::Concordances, Vintage};
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("hs2022_hs2017_correlation.csv"), "hs2022,hs2017,relationship\n851713,851712,n:1\n").unwrap();
    /// std::fs::write(dir.path().join("notes.csv"), "not a table\n").unwrap(); // not named *correlation*: skipped
    /// let conc = Concordances::load_dir(dir.path())?;
    /// assert_eq!(conc.tables().count(), 1);
    /// assert!(conc.has_pair(Vintage::Hs(2022), Vintage::Hs(2017)));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Concordances> {
        let dir = dir.as_ref();
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        let mut out = Concordances::new();
        let is_csv = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        for pass_csv in [true, false] {
            for f in &files {
                let name = f
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let wanted = if pass_csv {
                    is_csv(f) && name.contains("correlation")
                } else {
                    sheet::is_workbook(f) && name.contains("correlation")
                };
                if !wanted {
                    continue;
                }
                // Skip a workbook whose name says it holds a pair already loaded (reading .xlsx is slow).
                let named = vintages_in_name(&name);
                if let [a, b] = named[..] {
                    if out.direct(a, b).is_some() {
                        continue;
                    }
                }
                let c = Correlation::load(f)?;
                let (a, b) = c.vintages();
                if out.direct(a, b).is_none() {
                    out.add(c);
                }
            }
        }
        Ok(out)
    }
    /// The tables, in the order added. See the example on [`Concordances`].
    ///
    /// ```
    /// assert!(tradedep::classify::Concordances::embedded().tables().count() >= 6); // every pair of adjacent HS editions
    /// ```
    pub fn tables(&self) -> impl Iterator<Item = &Correlation> {
        self.tables.iter().map(|t| t.as_ref())
    }
    pub(crate) fn shared(&self) -> impl Iterator<Item = &Arc<Correlation>> {
        self.tables.iter()
    }
    pub(crate) fn add_shared(&mut self, c: Arc<Correlation>) -> &mut Self {
        self.tables.push(c);
        self
    }
    /// True when a table links `a` and `b` directly (either direction).
    ///
    /// ```
    /// use tradedep::{classify::Concordances, Vintage};
    /// let c = Concordances::embedded();
    /// assert!(c.has_pair(Vintage::Cn(2023), Vintage::Hs(2017))); // CN2023 is built on HS2022
    /// assert!(!Concordances::new().has_pair(Vintage::Hs(2017), Vintage::Hs(2022)));
    /// ```
    pub fn has_pair(&self, a: Vintage, b: Vintage) -> bool {
        self.direct(a.hs_base(), b.hs_base()).is_some()
    }

    fn direct(&self, a: Vintage, b: Vintage) -> Option<&Correlation> {
        self.tables.iter().map(|t| t.as_ref()).find(|t| {
            let (x, y) = t.vintages();
            (x == a && y == b) || (x == b && y == a)
        })
    }

    /// The chain of tables from `from` to `to`: a direct table when there is one; else the
    /// shortest chain through editions between the two (adjacent editions: HS2012 -> HS2007 ->
    /// HS2002 -> HS1996), which never passes through a newer or older edition than needed; else
    /// the shortest chain of any tables.
    ///
    /// ```
    /// use tradedep::{classify::Concordances, Vintage};
    /// let c = Concordances::embedded();
    /// let steps = c.path(Vintage::Hs(2012), Vintage::Hs(2022))?;
    /// assert!(!steps.is_empty());
    /// assert_eq!(steps.first().unwrap().1, Vintage::Hs(2012));
    /// assert_eq!(steps.last().unwrap().2, Vintage::Hs(2022));
    /// assert!(c.path(Vintage::Hs(2022), Vintage::Hs(2022))?.is_empty());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn path(&self, from: Vintage, to: Vintage) -> Result<Vec<(&Correlation, Vintage, Vintage)>> {
        let (from, to) = (from.hs_base(), to.hs_base());
        if from == to {
            return Ok(vec![]);
        }
        let (lo, hi) = (from.min(to), from.max(to));
        let between = |v: Vintage| v >= lo && v <= hi;
        if let Some(steps) = self.bfs(from, to, &|a, b| between(a) && between(b)) {
            return Ok(steps);
        }
        self.bfs(from, to, &|_, _| true).ok_or_else(|| {
            let have: Vec<String> = self
                .tables
                .iter()
                .map(|t| format!("{}-{}", t.vintages().0, t.vintages().1))
                .collect();
            Error::invalid_argument(
                format!("no correlation table or chain of them links {from} and {to}"),
                format!(
                    "tables loaded: [{}]; load the UNSD correlation table for these editions (td.Concordances.embedded() has HS1992 ... HS2022)",
                    have.join(", ")
                ),
            )
        })
    }

    /// Breadth-first search over the tables `allowed` lets through.
    fn bfs(
        &self,
        from: Vintage,
        to: Vintage,
        allowed: &dyn Fn(Vintage, Vintage) -> bool,
    ) -> Option<Vec<(&Correlation, Vintage, Vintage)>> {
        let mut prev: BTreeMap<Vintage, (Vintage, usize)> = BTreeMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(v) = queue.pop_front() {
            if v == to {
                break;
            }
            for (i, t) in self.tables.iter().enumerate() {
                let (a, b) = t.vintages();
                if !allowed(a, b) {
                    continue;
                }
                let next = if a == v {
                    b
                } else if b == v {
                    a
                } else {
                    continue;
                };
                if next != from && !prev.contains_key(&next) {
                    prev.insert(next, (v, i));
                    queue.push_back(next);
                }
            }
        }
        let mut steps = vec![];
        let mut cur = to;
        while cur != from {
            let (p, i) = prev.get(&cur)?;
            steps.push((self.tables[*i].as_ref(), *p, cur));
            cur = *p;
        }
        steps.reverse();
        Some(steps)
    }

    /// Splits `code` of `from` into codes of `to`, through a chain where needed. In a chain the
    /// weights multiply along the way; trade-share weights apply to the step into their vintage.
    ///
    /// ```
    /// use tradedep::{classify::{Concordances, Weighting}, Vintage};
    /// let c = Concordances::embedded();
    /// let s = c.split("851712", Vintage::Hs(2017), Vintage::Hs(2022), &Weighting::Equal)?;
    /// let continuity = c.split("851712", Vintage::Hs(2017), Vintage::Hs(2022), &Weighting::Continuity)?;
    /// assert!(s.parts.len() > 2); // the carve-outs get a share under an equal split
    /// assert_eq!(continuity.parts.iter().filter(|(_, w)| *w > 0.0).count(), 2);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn split(&self, code: &str, from: Vintage, to: Vintage, weighting: &Weighting) -> Result<Split> {
        let steps = self.path(from, to)?;
        let mut parts: Vec<(String, f64)> = vec![(code.to_string(), 1.0)];
        let mut used = vec![];
        let mut path = vec![];
        for (t, a, _b) in &steps {
            let mut next: BTreeMap<String, f64> = BTreeMap::new();
            // Weightings applied at this step to the codes that carry weight.
            let mut step_used: BTreeSet<String> = BTreeSet::new();
            for (c, w) in &parts {
                let s = t.split(c, *a, weighting)?;
                if *w > 0.0 {
                    step_used.insert(s.weighting.clone());
                }
                for (c2, w2) in s.parts {
                    *next.entry(c2).or_default() += w * w2;
                }
            }
            used.push(if step_used.is_empty() {
                "no counterpart".into()
            } else {
                step_used.into_iter().collect::<Vec<_>>().join("; ")
            });
            path.push(t.source().to_string());
            parts = next.into_iter().collect();
        }
        let weighting = if used.len() == 1 {
            used.remove(0)
        } else {
            used.join(" then ")
        };
        Ok(Split {
            code: code.into(),
            from: from.hs_base(),
            to: to.hs_base(),
            parts,
            weighting,
            path,
        })
    }

    /// Converts a whole table to vintage `to`. Each row whose code corresponds to several codes
    /// becomes one row per code with a weight above 0, whose value, quantity and weight are
    /// multiplied by that weight (and marked `estimated` when it is below 1); under
    /// [`Weighting::Continuity`] a code that continues keeps its row whole. The report's note
    /// names the weighting asked for and those applied. Rows whose code has no counterpart are set aside in the report.
    /// National codes (CN8, HTS10) are converted by their HS6 subheading.
    ///
    /// ```
    /// use arrow_array::cast::AsArray;
    /// use arrow_array::types::Float64Type;
    /// use tradedep::classify::Concordances;
    /// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
    /// use tradedep::Vintage;
    /// let mut b = TradeTableBuilder::new("2021.csv", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    /// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "851712", 100.0))?;
    /// let t = Concordances::embedded().convert_table(&b.finish()?, Vintage::Hs(2022), &Default::default())?;
    /// assert_eq!(t.meta().vintage, Some(Vintage::Hs(2022)));
    /// assert_eq!(t.num_rows(), 2); // 851713 and 851714, 50 each
    /// let values: Vec<f64> = t.column("value")?.iter().flat_map(|a| a.as_primitive::<Float64Type>().values().to_vec()).collect();
    /// assert_eq!(values, [50.0, 50.0]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn convert_table(&self, table: &TradeTable, to: Vintage, weighting: &Weighting) -> Result<TradeTable> {
        let from = table.meta().vintage.ok_or_else(|| {
            Error::invalid_argument(
                "the table has no declared vintage",
                "declare the vintage of the table before converting it",
            )
        })?;
        let to = to.hs_base();
        let mut report = table.report().clone();
        // Per-period vintages (a file spanning nomenclature changes): each row from its period's.
        let meta = table.meta().clone();
        let mut cache: HashMap<(Vintage, String), Split> = HashMap::new();
        let mut out_batches = vec![];
        let (mut n_split, mut n_lost, mut row0) = (0u64, 0u64, 0u64);
        let mut weightings: BTreeMap<String, u64> = BTreeMap::new();
        let mut lost: Vec<String> = vec![];
        for b in table.batches() {
            let product = b.column(4).as_dictionary::<Int32Type>();
            let names = product.values().as_string::<i32>();
            let mut idx: Vec<u32> = vec![];
            let mut codes: Vec<i32> = vec![];
            let mut weights: Vec<f64> = vec![];
            let mut dict: Vec<String> = vec![];
            let mut dict_ix: HashMap<String, i32> = HashMap::new();
            let period = b.column(0).as_primitive::<Int32Type>();
            for i in 0..b.num_rows() {
                let code = names.value(product.keys().value(i) as usize);
                let key = (
                    meta.vintage_of(period.value(i)).unwrap_or(from).hs_base(),
                    code.get(..6).unwrap_or(code).to_string(),
                );
                if !cache.contains_key(&key) {
                    let s = self.split(&key.1, key.0, to, weighting)?;
                    cache.insert(key.clone(), s);
                }
                let s = &cache[&key];
                if s.parts.is_empty() {
                    n_lost += 1;
                    if lost.len() < 5 {
                        lost.push(format!("row {} code {code}", row0 + i as u64 + 1));
                    }
                    continue;
                }
                if s.is_split() {
                    n_split += 1;
                    *weightings.entry(s.weighting.clone()).or_default() += 1;
                }
                // Zero-weight parts (continuity carve-outs, untraded counterparts) carry nothing.
                for (c, w) in s.parts.iter().filter(|(_, w)| *w > 0.0) {
                    let next = dict_ix.len() as i32;
                    let k = *dict_ix.entry(c.clone()).or_insert_with(|| {
                        dict.push(c.clone());
                        next
                    });
                    idx.push(i as u32);
                    codes.push(k);
                    weights.push(*w);
                }
            }
            row0 += b.num_rows() as u64;
            let take = UInt32Array::from(idx);
            let mut cols: Vec<ArrayRef> = b
                .columns()
                .iter()
                .map(|c| arrow_select::take::take(c.as_ref(), &take, None))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| Error::arrow("converting vintages", e))?;
            let keys = Int32Array::from(codes);
            cols[4] = Arc::new(
                DictionaryArray::<Int32Type>::try_new(keys, Arc::new(StringArray::from(dict)))
                    .map_err(|e| Error::arrow("converting vintages", e))?,
            );
            for ci in [5usize, 7, 9] {
                let a = cols[ci].as_primitive::<Float64Type>();
                let scaled: Float64Array = a.iter().zip(&weights).map(|(v, w)| v.map(|v| v * w)).collect();
                cols[ci] = Arc::new(scaled);
            }
            let est = cols[10].as_boolean();
            let est: BooleanArray = est
                .iter()
                .zip(&weights)
                .map(|(e, w)| Some(e.unwrap_or(false) || *w < 1.0))
                .collect();
            cols[10] = Arc::new(est);
            out_batches
                .push(RecordBatch::try_new(b.schema(), cols).map_err(|e| Error::arrow("converting vintages", e))?);
        }
        // Row counts of the read stay as they were; the conversion is described in a note.
        let froms: BTreeSet<Vintage> = cache.keys().map(|(v, _)| *v).collect();
        let from = froms.iter().map(|v| v.name()).collect::<Vec<_>>().join("+");
        report.note(format!(
            "converted {from} -> {to} through {} with weighting {}; {n_split} rows of codes with several counterparts ({}); {n_lost} rows without counterpart dropped{}",
            froms.iter().map(|f| Ok(self.path(*f, to)?.iter().map(|(t, _, _)| t.source().to_string()).collect::<Vec<_>>().join(" then "))).collect::<Result<Vec<_>>>()?.join("; "),
            weighting.describe(),
            if weightings.is_empty() { "none".to_string() } else { weightings.keys().cloned().collect::<Vec<_>>().join("; ") },
            if lost.is_empty() { String::new() } else { format!(" (e.g. {})", lost.join(", ")) }
        ));
        let meta = TableMeta {
            vintage: Some(to),
            period_vintages: vec![],
            ..table.meta().clone()
        };
        TradeTable::from_validated_batches(out_batches, meta, report)
    }
}
