//! Time periods: years and months, stored as `YYYY` or `YYYYMM` integers.

use crate::error::{Error, Result};

/// Frequency of a table's `period` column; one table has one frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Freq {
    /// `period` is `YYYY`.
    Annual,
    /// `period` is `YYYYMM`.
    Monthly,
}

impl Freq {
    pub fn as_str(self) -> &'static str {
        match self {
            Freq::Annual => "A",
            Freq::Monthly => "M",
        }
    }
    pub fn parse(s: &str) -> Result<Freq> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" | "Y" | "ANNUAL" | "YEAR" | "YEARLY" => Ok(Freq::Annual),
            "M" | "MONTHLY" | "MONTH" => Ok(Freq::Monthly),
            other => Err(Error::invalid_argument(
                format!("unknown frequency {other:?}"),
                "use \"A\" (annual) or \"M\" (monthly)",
            )),
        }
    }
}

/// A year or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Month { year: i32, month: u8 },
}

impl Period {
    /// The integer stored in the `period` column.
    pub fn code(self) -> i32 {
        match self {
            Period::Year(y) => y,
            Period::Month { year, month } => year * 100 + month as i32,
        }
    }

    /// Decodes a stored integer under the table's frequency.
    pub fn from_code(code: i32, freq: Freq) -> Option<Period> {
        match freq {
            Freq::Annual if (1900..=2200).contains(&code) => Some(Period::Year(code)),
            Freq::Monthly => {
                let (year, month) = (code / 100, code % 100);
                ((1900..=2200).contains(&year) && (1..=12).contains(&month)).then_some(Period::Month {
                    year,
                    month: month as u8,
                })
            }
            _ => None,
        }
    }

    /// Parses `2021`, `202103`, `2021-03`, `2021-03-01` and `2021M03`.
    pub fn parse(s: &str) -> Result<Period> {
        let t = s.trim().trim_matches('"');
        let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
        let bad = || {
            Error::invalid_argument(
                format!("cannot read period {t:?}"),
                "write a year as 2021 and a month as 202103 or 2021-03",
            )
        };
        let p = match digits.len() {
            4 => Period::Year(digits.parse().map_err(|_| bad())?),
            6 | 8 => {
                let year: i32 = digits[0..4].parse().map_err(|_| bad())?;
                let month: u8 = digits[4..6].parse().map_err(|_| bad())?;
                Period::Month { year, month }
            }
            _ => return Err(bad()),
        };
        Period::from_code(p.code(), p.freq()).ok_or_else(bad)
    }

    pub fn freq(self) -> Freq {
        match self {
            Period::Year(_) => Freq::Annual,
            Period::Month { .. } => Freq::Monthly,
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) => y,
            Period::Month { year, .. } => year,
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_spellings() {
        assert_eq!(Period::parse("2021").unwrap(), Period::Year(2021));
        assert_eq!(
            Period::parse("2021-03").unwrap(),
            Period::Month { year: 2021, month: 3 }
        );
        assert_eq!(Period::parse("202112").unwrap().code(), 202112);
        assert_eq!(Period::parse("2022-01-01").unwrap().code(), 202201);
        assert!(Period::parse("2021-13").is_err());
        assert!(Period::parse("abc").is_err());
    }
}
