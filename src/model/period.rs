//! Time periods: years and months, stored as `YYYY` or `YYYYMM` integers.

use crate::error::{Error, Result};

/// Frequency of a table's `period` column; one table has one frequency.
///
/// ```
/// use tradedep::Freq;
/// assert_eq!(Freq::parse("monthly")?, Freq::Monthly);
/// assert_eq!(Freq::Annual.as_str(), "A");
/// assert!(Freq::parse("Q").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Freq {
    /// `period` is `YYYY`.
    Annual,
    /// `period` is `YYYYMM`.
    Monthly,
}

impl Freq {
    /// The code written in table metadata: `A` or `M`.
    ///
    /// ```
    /// assert_eq!(tradedep::Freq::Monthly.as_str(), "M");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Freq::Annual => "A",
            Freq::Monthly => "M",
        }
    }
    /// Reads `A`/`M` and their spelled-out forms (`annual`, `yearly`, `month` ...).
    ///
    /// ```
    /// use tradedep::Freq;
    /// assert_eq!(Freq::parse(" Year ")?, Freq::Annual);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
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
///
/// ```
/// use tradedep::{Freq, Period};
/// let march = Period::parse("2021-03")?;
/// assert_eq!(march, Period::Month { year: 2021, month: 3 });
/// assert_eq!(march.code(), 202103);
/// assert_eq!((march.year(), march.freq()), (2021, Freq::Monthly));
/// assert_eq!(march.to_string(), "2021-03");
/// assert_eq!(Period::from_code(2021, Freq::Annual), Some(Period::Year(2021)));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Month { year: i32, month: u8 },
}

impl Period {
    /// The integer stored in the `period` column.
    ///
    /// ```
    /// use tradedep::Period;
    /// assert_eq!(Period::Year(2022).code(), 2022);
    /// assert_eq!(Period::Month { year: 2022, month: 2 }.code(), 202202);
    /// ```
    pub fn code(self) -> i32 {
        match self {
            Period::Year(y) => y,
            Period::Month { year, month } => year * 100 + month as i32,
        }
    }

    /// Decodes a stored integer under the table's frequency.
    ///
    /// ```
    /// use tradedep::{Freq, Period};
    /// assert_eq!(Period::from_code(202213, Freq::Monthly), None);
    /// assert_eq!(Period::from_code(202212, Freq::Monthly), Some(Period::Month { year: 2022, month: 12 }));
    /// ```
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

    /// Parses `2021`, `202103`, `20210301`, `2021-03` (or `2021/03`, `2021M03`) and
    /// `2021-03-01` (or `2021/03/01`). Nothing else: a sign, a stray letter or point, a day that
    /// does not exist or a month outside 1-12 is an error, never dropped.
    ///
    /// ```
    /// use tradedep::Period;
    /// assert_eq!(Period::parse("2021M03")?, Period::parse("20210301")?);
    /// assert!(Period::parse("2021-02-30").is_err());
    /// assert!(Period::parse("2021.5").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Period> {
        let t = s.trim();
        let t = t
            .strip_prefix('"')
            .and_then(|u| u.strip_suffix('"'))
            .unwrap_or(t)
            .trim();
        let bad = || {
            Error::invalid_argument(
                format!("cannot read period {t:?}"),
                "write a year as 2021 and a month as 202103 or 2021-03",
            )
        };
        let num = |d: &str| -> Result<u32> {
            if d.is_empty() || d.len() > 4 || !d.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            d.parse().map_err(|_| bad())
        };
        let (year, month, day) = if t.bytes().all(|b| b.is_ascii_digit()) {
            match t.len() {
                4 => (num(t)?, None, None),
                6 => (num(&t[..4])?, Some(num(&t[4..])?), None),
                8 => (num(&t[..4])?, Some(num(&t[4..6])?), Some(num(&t[6..])?)),
                _ => return Err(bad()),
            }
        } else {
            let parts: Vec<&str> = t.split(['-', '/']).collect();
            match parts.as_slice() {
                [y, m] if y.len() == 4 && (1..=2).contains(&m.len()) => (num(y)?, Some(num(m)?), None),
                [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
                    (num(y)?, Some(num(m)?), Some(num(d)?))
                }
                [one] => match one.split_once(['M', 'm']) {
                    Some((y, m)) if y.len() == 4 && m.len() == 2 => (num(y)?, Some(num(m)?), None),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            }
        };
        let p = match month {
            None => Period::Year(year as i32),
            Some(m) if (1..=12).contains(&m) => Period::Month {
                year: year as i32,
                month: m as u8,
            },
            Some(_) => return Err(bad()),
        };
        if let (Some(d), Period::Month { year, month }) = (day, p) {
            if d == 0 || d > days_in_month(year, month) {
                return Err(bad());
            }
        }
        Period::from_code(p.code(), p.freq()).ok_or_else(bad)
    }

    /// Annual for a year, monthly for a month.
    ///
    /// ```
    /// use tradedep::{Freq, Period};
    /// assert_eq!(Period::Year(2021).freq(), Freq::Annual);
    /// ```
    pub fn freq(self) -> Freq {
        match self {
            Period::Year(_) => Freq::Annual,
            Period::Month { .. } => Freq::Monthly,
        }
    }

    /// The calendar year.
    ///
    /// ```
    /// use tradedep::Period;
    /// assert_eq!(Period::Month { year: 2021, month: 7 }.year(), 2021);
    /// ```
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) => y,
            Period::Month { year, .. } => year,
        }
    }
}

fn days_in_month(year: i32, month: u8) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
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
        assert_eq!(Period::parse("2021M03").unwrap().code(), 202103);
        assert_eq!(Period::parse("\"2021\"").unwrap().code(), 2021);
        assert_eq!(Period::parse("2024-02-29").unwrap().code(), 202402);
    }

    #[test]
    fn stray_characters_are_errors_not_dropped() {
        // Each of these once lost its non-digits and read as 2021 or 202103.
        for s in [
            "-2021",
            "20x21",
            "2021.",
            "x2021y",
            "+2021",
            "2021-03-99",
            "2023-02-29",
            "2021-00",
            "202113",
            "2021-3-1x",
            "2021 03",
            "",
            "\"\"",
            "21",
            "2021-03-01-01",
        ] {
            assert!(Period::parse(s).is_err(), "{s:?} was accepted");
        }
    }
}
