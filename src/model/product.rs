//! Product codes and their nomenclature vintage.
//!
//! A code means something only together with its vintage: `880730` exists in HS2022 but not in
//! HS2017. The classify module builds hierarchy, nomenclature checks and conversion on top.

use crate::error::{Error, Result};

/// Nomenclature and vintage of product codes.
///
/// ```
/// use tradedep::Vintage;
/// let cn = Vintage::parse("CN8-2022")?;
/// assert_eq!(cn, Vintage::Cn(2022));
/// assert_eq!(cn.name(), "CN2022");
/// assert_eq!(cn.hs_base(), Vintage::Hs(2022));
/// assert_eq!(cn.max_digits(), 8);
/// assert_eq!(Vintage::HS_EDITIONS.len(), 7);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vintage {
    /// Harmonized System by year of the edition: 1992 (H0), 1996 (H1), 2002 (H2), 2007 (H3),
    /// 2012 (H4), 2017 (H5), 2022 (H6).
    Hs(u16),
    /// EU Combined Nomenclature of a given year (8 digits).
    Cn(u16),
    /// US Harmonized Tariff Schedule of a given year (10 digits).
    Hts(u16),
    /// China's customs tariff codes of a given year (8 digits, HS-based), as China customs
    /// (GACC) publishes its statistics; written `CHN<year>`.
    China(u16),
}

impl Vintage {
    /// Years of the HS editions, H0 (1992) to H6 (2022).
    pub const HS_EDITIONS: [u16; 7] = [1992, 1996, 2002, 2007, 2012, 2017, 2022];

    /// Parses `HS2017`, `HS17`, `H5`, `HS92`, `CN2022`, `CN8-2022`, `HTS2023`.
    ///
    /// ```
    /// use tradedep::Vintage;
    /// assert_eq!(Vintage::parse("H5")?, Vintage::Hs(2017));
    /// assert_eq!(Vintage::parse("hs92")?, Vintage::Hs(1992));
    /// assert!(Vintage::parse("HS2019").is_err()); // no such edition
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Vintage> {
        let t = s.trim().to_ascii_uppercase().replace(['-', '_', ' '], "");
        let bad = || {
            Error::invalid_argument(
                format!("unknown nomenclature vintage {s:?}"),
                "use HS1992, HS1996, HS2002, HS2007, HS2012, HS2017, HS2022 (or H0..H6, HS92..HS22), CN<year>, HTS<year> or CHN<year>",
            )
        };
        let year = |digits: &str| -> Option<u16> {
            let n: u16 = digits.parse().ok()?;
            Some(match digits.len() {
                2 if n >= 88 => 1900 + n,
                2 => 2000 + n,
                4 => n,
                _ => return None,
            })
        };
        if let Some(rest) = t.strip_prefix("CHN") {
            return year(rest).map(Vintage::China).ok_or_else(bad);
        }
        if let Some(rest) = t.strip_prefix("HTS") {
            return year(rest).map(Vintage::Hts).ok_or_else(bad);
        }
        if let Some(rest) = t.strip_prefix("CN8").or_else(|| t.strip_prefix("CN")) {
            return year(rest).map(Vintage::Cn).ok_or_else(bad);
        }
        if let Some(rest) = t.strip_prefix("HS") {
            let y = year(rest).ok_or_else(bad)?;
            return if Self::HS_EDITIONS.contains(&y) {
                Ok(Vintage::Hs(y))
            } else {
                Err(bad())
            };
        }
        if let Some(rest) = t.strip_prefix('H') {
            let i: usize = rest.parse().map_err(|_| bad())?;
            return Self::HS_EDITIONS.get(i).map(|y| Vintage::Hs(*y)).ok_or_else(bad);
        }
        Err(bad())
    }

    /// The canonical name, e.g. `HS2017`, `CN2022`.
    ///
    /// ```
    /// assert_eq!(tradedep::Vintage::China(2023).name(), "CHN2023");
    /// ```
    pub fn name(self) -> String {
        match self {
            Vintage::Hs(y) => format!("HS{y}"),
            Vintage::Cn(y) => format!("CN{y}"),
            Vintage::Hts(y) => format!("HTS{y}"),
            Vintage::China(y) => format!("CHN{y}"),
        }
    }

    /// The HS edition a national nomenclature of this year is built on.
    ///
    /// ```
    /// use tradedep::Vintage;
    /// assert_eq!(Vintage::Cn(2021).hs_base(), Vintage::Hs(2017));
    /// assert_eq!(Vintage::Hts(2023).hs_base(), Vintage::Hs(2022));
    /// ```
    pub fn hs_base(self) -> Vintage {
        match self {
            Vintage::Hs(_) => self,
            Vintage::Cn(y) | Vintage::Hts(y) | Vintage::China(y) => {
                let ed = Self::HS_EDITIONS
                    .iter()
                    .rev()
                    .find(|e| **e <= y)
                    .copied()
                    .unwrap_or(1992);
                Vintage::Hs(ed)
            }
        }
    }

    /// Longest code length of the nomenclature (HS 6, CN 8, HTS 10).
    ///
    /// ```
    /// use tradedep::Vintage;
    /// assert_eq!(Vintage::Hts(2023).max_digits(), 10);
    /// ```
    pub fn max_digits(self) -> usize {
        match self {
            Vintage::Hs(_) => 6,
            Vintage::Cn(_) | Vintage::China(_) => 8,
            Vintage::Hts(_) => 10,
        }
    }
}

impl std::fmt::Display for Vintage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// A product code: digits plus the vintage they belong to.
///
/// ```
/// use tradedep::{ProductCode, Vintage};
/// let code = ProductCode::new("8542.31", Vintage::Hs(2022))?;
/// assert_eq!(code.digits(), "854231");
/// assert_eq!(code.vintage(), Vintage::Hs(2022));
/// assert_eq!(code.to_string(), "854231 (HS2022)");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductCode {
    digits: String,
    vintage: Vintage,
}

impl ProductCode {
    /// Validates that `digits` are 2, 4, 6, 8 or 10 ASCII digits and no longer than the
    /// nomenclature allows. Spaces and dots (`8542.31`) are removed first.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// assert!(ProductCode::new("85423190", Vintage::Cn(2022)).is_ok());
    /// assert!(ProductCode::new("85423190", Vintage::Hs(2022)).is_err()); // HS stops at 6 digits
    /// assert!(ProductCode::new("101", Vintage::Hs(2022)).is_err()); // odd length: write 0101
    /// ```
    pub fn new(digits: &str, vintage: Vintage) -> Result<ProductCode> {
        let clean: String = digits.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        if !is_valid_code(&clean) || clean.len() > vintage.max_digits() {
            return Err(Error::InvalidProduct {
                code: digits.to_string(),
                context: format!(" for {vintage}"),
                hint: format!(
                    "a product code is 2, 4, 6{} digits; write chapters 01-09 with their leading zero",
                    match vintage.max_digits() {
                        6 => "".to_string(),
                        n => format!(" ... {n}"),
                    }
                ),
            });
        }
        Ok(ProductCode { digits: clean, vintage })
    }
    /// The digits, without spaces or dots.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// assert_eq!(ProductCode::new("01 01", Vintage::Hs(2017))?.digits(), "0101");
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn digits(&self) -> &str {
        &self.digits
    }
    /// The nomenclature the digits belong to.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// assert_eq!(ProductCode::new("0101", Vintage::Hs(2017))?.vintage(), Vintage::Hs(2017));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn vintage(&self) -> Vintage {
        self.vintage
    }
}

impl std::fmt::Display for ProductCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.digits, self.vintage)
    }
}

/// The product code of all-commodity totals (Comtrade's `TOTAL`). A table may hold it, but never
/// together with detailed codes of the same flows (readers keep one aggregation level).
///
/// ```
/// use tradedep::model::product::{is_table_code, is_valid_code, TOTAL};
/// assert!(is_table_code(TOTAL));
/// assert!(!is_valid_code(TOTAL));
/// ```
pub const TOTAL: &str = "TOTAL";

/// True when `s` is 2, 4, 6, 8 or 10 ASCII digits.
///
/// ```
/// use tradedep::model::product::is_valid_code;
/// assert!(is_valid_code("8542"));
/// assert!(!is_valid_code("854"));
/// assert!(!is_valid_code("8542.31"));
/// ```
pub fn is_valid_code(s: &str) -> bool {
    matches!(s.len(), 2 | 4 | 6 | 8 | 10) && s.bytes().all(|b| b.is_ascii_digit())
}

/// A code a table may hold: a valid code or [`TOTAL`].
///
/// ```
/// use tradedep::model::product::is_table_code;
/// assert!(is_table_code("TOTAL") && is_table_code("854231"));
/// assert!(!is_table_code("total"));
/// ```
pub fn is_table_code(s: &str) -> bool {
    s == TOTAL || is_valid_code(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vintage_spellings() {
        assert_eq!(Vintage::parse("HS17").unwrap(), Vintage::Hs(2017));
        assert_eq!(Vintage::parse("H6").unwrap(), Vintage::Hs(2022));
        assert_eq!(Vintage::parse("HS92").unwrap(), Vintage::Hs(1992));
        assert_eq!(Vintage::parse("CN2022").unwrap(), Vintage::Cn(2022));
        assert_eq!(Vintage::Cn(2021).hs_base(), Vintage::Hs(2017));
        assert!(Vintage::parse("HS2019").is_err());
    }

    #[test]
    fn product_code_rules() {
        assert_eq!(
            ProductCode::new("8542.31", Vintage::Hs(2022)).unwrap().digits(),
            "854231"
        );
        assert!(ProductCode::new("10121", Vintage::Hs(1992)).is_err());
        assert!(ProductCode::new("85423190", Vintage::Hs(2022)).is_err());
        assert!(ProductCode::new("85423190", Vintage::Cn(2022)).is_ok());
    }
}

/// A set of product codes or prefixes with a weight each: what metrics select on.
///
/// Baskets and lists (classify) produce one for the vintage of a table; after a vintage
/// conversion a source code may count only in part (`weight` < 1). A code matches the longest
/// entry that is a prefix of it.
///
/// ```
/// use tradedep::model::ProductSelection;
/// let mut sel = ProductSelection::from_codes("chips", ["8542", "854231"], None);
/// sel.entries[1].1 = 0.5; // after a conversion only half of 854231 counts
/// assert_eq!(sel.weight("854239"), Some(1.0));
/// assert_eq!(sel.weight("854231"), Some(0.5)); // the longest matching entry
/// assert_eq!(sel.weight("8541"), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSelection {
    pub name: String,
    /// Vintage of the entries; `None` when the user gave bare codes.
    pub vintage: Option<Vintage>,
    /// `(code or prefix, weight in (0, 1])`.
    pub entries: Vec<(String, f64)>,
}

impl ProductSelection {
    /// Every code or prefix counts in full.
    ///
    /// ```
    /// use tradedep::{model::ProductSelection, Vintage};
    /// let sel = ProductSelection::from_codes("batteries", ["850760"], Some(Vintage::Hs(2022)));
    /// assert_eq!(sel.entries, [("850760".to_string(), 1.0)]);
    /// ```
    pub fn from_codes<S: AsRef<str>>(name: &str, codes: impl IntoIterator<Item = S>, vintage: Option<Vintage>) -> Self {
        ProductSelection {
            name: name.to_string(),
            vintage,
            entries: codes.into_iter().map(|c| (c.as_ref().to_string(), 1.0)).collect(),
        }
    }

    /// The weight with which `code` counts, or `None` when it is outside the selection.
    ///
    /// ```
    /// use tradedep::model::ProductSelection;
    /// let sel = ProductSelection::from_codes("ICs", ["8542"], None);
    /// assert_eq!(sel.weight("854231"), Some(1.0));
    /// assert_eq!(sel.weight("85"), None); // a shorter code is not inside the prefix
    /// ```
    pub fn weight(&self, code: &str) -> Option<f64> {
        self.entries
            .iter()
            .filter(|(p, _)| code.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, w)| *w)
    }
}
