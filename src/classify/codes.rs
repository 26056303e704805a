//! The HS code hierarchy: chapter (2 digits), heading (4), subheading (6) and national
//! extensions (CN8, HTS10, TARIC10).
//!
//! ```
//! use tradedep::{ProductCode, Vintage};
//! use tradedep::classify::codes::Level;
//! let c = ProductCode::new("85423190", Vintage::Cn(2022)).unwrap();
//! assert_eq!(c.chapter(), "85");
//! assert_eq!(c.heading(), Some("8542"));
//! assert_eq!(c.subheading(), Some("854231"));
//! assert_eq!(c.national_extension(), Some("90"));
//! assert_eq!(c.level(), Level::National);
//! ```

use crate::error::Result;
use crate::model::{ProductCode, Vintage};

/// Where a code sits in the hierarchy.
///
/// ```
/// use tradedep::classify::codes::Level;
/// assert_eq!(Level::of_len(6), Some(Level::Subheading));
/// assert_eq!(Level::of_len(3), None);
/// assert_eq!(Level::National.as_str(), "national");
/// assert!(Level::Chapter < Level::Heading);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 2 digits, e.g. `85`.
    Chapter,
    /// 4 digits, e.g. `8542`.
    Heading,
    /// 6 digits, the most detailed level the HS itself defines, e.g. `854231`.
    Subheading,
    /// 8 or 10 digits: CN8, HTS10, TARIC10.
    National,
}

impl Level {
    /// The level of a code of `len` digits (`None` for lengths no nomenclature uses).
    ///
    /// ```
    /// use tradedep::classify::codes::Level;
    /// assert_eq!(Level::of_len(10), Some(Level::National));
    /// ```
    pub fn of_len(len: usize) -> Option<Level> {
        match len {
            2 => Some(Level::Chapter),
            4 => Some(Level::Heading),
            6 => Some(Level::Subheading),
            8 | 10 => Some(Level::National),
            _ => None,
        }
    }
    /// The level's name: `chapter`, `heading`, `subheading` or `national`.
    ///
    /// ```
    /// assert_eq!(tradedep::classify::codes::Level::Heading.as_str(), "heading");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Chapter => "chapter",
            Level::Heading => "heading",
            Level::Subheading => "subheading",
            Level::National => "national",
        }
    }
}

// Inherent methods on the model's ProductCode, kept here with the rest of the hierarchy logic.
impl ProductCode {
    /// The 2-digit chapter.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// assert_eq!(ProductCode::new("0101", Vintage::Hs(2022))?.chapter(), "01");
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn chapter(&self) -> &str {
        &self.digits()[..2]
    }
    /// The 4-digit heading, `None` for a chapter.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// assert_eq!(ProductCode::new("854231", Vintage::Hs(2022))?.heading(), Some("8542"));
    /// assert_eq!(ProductCode::new("85", Vintage::Hs(2022))?.heading(), None);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn heading(&self) -> Option<&str> {
        self.digits().get(..4)
    }
    /// The 6-digit HS subheading, `None` for chapters and headings.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// assert_eq!(ProductCode::new("85423190", Vintage::Cn(2022))?.subheading(), Some("854231"));
    /// assert_eq!(ProductCode::new("8542", Vintage::Hs(2022))?.subheading(), None);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn subheading(&self) -> Option<&str> {
        self.digits().get(..6)
    }
    /// The digits after the HS subheading (CN `90` of `85423190`), `None` for HS codes.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// assert_eq!(ProductCode::new("8542319000", Vintage::Hts(2023))?.national_extension(), Some("9000"));
    /// assert_eq!(ProductCode::new("854231", Vintage::Hs(2022))?.national_extension(), None);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn national_extension(&self) -> Option<&str> {
        self.digits().get(6..).filter(|s| !s.is_empty())
    }
    /// The code's level in the hierarchy.
    ///
    /// ```
    /// use tradedep::{classify::codes::Level, ProductCode, Vintage};
    /// assert_eq!(ProductCode::new("8542", Vintage::Hs(2022))?.level(), Level::Heading);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn level(&self) -> Level {
        // ProductCode::new guarantees 2, 4, 6, 8 or 10 digits.
        Level::of_len(self.digits().len()).unwrap_or(Level::National)
    }
    /// The code one level up (`854231` -> `8542`), `None` for a chapter.
    ///
    /// A national code's parent at 6 digits and above is in the HS edition of its nomenclature.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// let cn = ProductCode::new("85423190", Vintage::Cn(2021))?;
    /// assert_eq!(cn.parent(), Some(ProductCode::new("854231", Vintage::Hs(2017))?));
    /// assert_eq!(ProductCode::new("85", Vintage::Hs(2017))?.parent(), None);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parent(&self) -> Option<ProductCode> {
        let d = self.digits();
        let up = match d.len() {
            10 => 8,
            8 => 6,
            6 => 4,
            4 => 2,
            _ => return None,
        };
        let vintage = if up <= 6 {
            self.vintage().hs_base()
        } else {
            self.vintage()
        };
        ProductCode::new(&d[..up], vintage).ok()
    }
    /// The chain from chapter down to this code, e.g. `85`, `8542`, `854231`.
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// let up: Vec<String> = ProductCode::new("854231", Vintage::Hs(2022))?
    ///     .ancestors()
    ///     .iter()
    ///     .map(|c| c.digits().to_string())
    ///     .collect();
    /// assert_eq!(up, ["85", "8542"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn ancestors(&self) -> Vec<ProductCode> {
        let mut out = vec![];
        let mut cur = self.parent();
        while let Some(c) = cur {
            cur = c.parent();
            out.push(c);
        }
        out.reverse();
        out
    }
    /// True when `self` is `other` or lies under it (`854231` is within `8542`).
    ///
    /// ```
    /// use tradedep::{ProductCode, Vintage};
    /// let chips = ProductCode::new("8542", Vintage::Hs(2022))?;
    /// assert!(ProductCode::new("85423190", Vintage::Cn(2022))?.is_within(&chips));
    /// assert!(!ProductCode::new("854110", Vintage::Hs(2022))?.is_within(&chips));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn is_within(&self, other: &ProductCode) -> bool {
        self.vintage().hs_base() == other.vintage().hs_base() && self.digits().starts_with(other.digits())
    }
}

/// Parses a code in `vintage` (shorthand of [`ProductCode::new`]).
///
/// ```
/// use tradedep::{classify::codes::hs, Vintage};
/// assert_eq!(hs("8542.31", Vintage::Hs(2022))?.digits(), "854231");
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn hs(code: &str, vintage: Vintage) -> Result<ProductCode> {
    ProductCode::new(code, vintage)
}

/// Removes spaces and dots users paste from tariff books (`8542 31 90`, `8542.31`).
///
/// ```
/// use tradedep::classify::codes::clean_code;
/// assert_eq!(clean_code("8542 31 90"), "85423190");
/// assert_eq!(clean_code("8542.31"), "854231");
/// ```
pub fn clean_code(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, ' ' | '.' | '\u{a0}')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy_of_a_cn8_code() {
        let c = ProductCode::new("8542 31 90", Vintage::Cn(2023)).unwrap();
        let a: Vec<String> = c.ancestors().iter().map(|c| c.digits().to_string()).collect();
        assert_eq!(a, ["85", "8542", "854231"]);
        assert_eq!(c.parent().unwrap().vintage(), Vintage::Hs(2022));
        let h = ProductCode::new("8542", Vintage::Hs(2022)).unwrap();
        assert!(c.is_within(&h));
        assert_eq!(h.subheading(), None);
        assert_eq!(h.level(), Level::Heading);
    }
}
