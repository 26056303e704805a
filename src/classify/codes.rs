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
    pub fn of_len(len: usize) -> Option<Level> {
        match len {
            2 => Some(Level::Chapter),
            4 => Some(Level::Heading),
            6 => Some(Level::Subheading),
            8 | 10 => Some(Level::National),
            _ => None,
        }
    }
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
    pub fn chapter(&self) -> &str {
        &self.digits()[..2]
    }
    /// The 4-digit heading, `None` for a chapter.
    pub fn heading(&self) -> Option<&str> {
        self.digits().get(..4)
    }
    /// The 6-digit HS subheading, `None` for chapters and headings.
    pub fn subheading(&self) -> Option<&str> {
        self.digits().get(..6)
    }
    /// The digits after the HS subheading (CN `90` of `85423190`), `None` for HS codes.
    pub fn national_extension(&self) -> Option<&str> {
        self.digits().get(6..).filter(|s| !s.is_empty())
    }
    pub fn level(&self) -> Level {
        // ProductCode::new guarantees 2, 4, 6, 8 or 10 digits.
        Level::of_len(self.digits().len()).unwrap_or(Level::National)
    }
    /// The code one level up (`854231` -> `8542`), `None` for a chapter.
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
    pub fn is_within(&self, other: &ProductCode) -> bool {
        self.vintage().hs_base() == other.vintage().hs_base() && self.digits().starts_with(other.digits())
    }
}

/// Parses a code in `vintage` (shorthand of [`ProductCode::new`]).
pub fn hs(code: &str, vintage: Vintage) -> Result<ProductCode> {
    ProductCode::new(code, vintage)
}

/// Removes spaces and dots users paste from tariff books (`8542 31 90`, `8542.31`).
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
