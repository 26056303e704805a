//! Country groups with membership dates: built-in groups typed by the project (EU27, EAEU,
//! China+HK, the CHPL and export-control coalitions, re-routing hubs) and user-defined groups.
//!
//! # Membership conventions
//! - A membership runs from its `from` day (first day as a member) to its `until` day (first day
//!   no longer a member): the UK is a member until 2020-02-01, i.e. its last day was 2020-01-31.
//! - A group on a year is the group on **1 July** of that year; on a month, on the **1st** of that
//!   month (every EU change happened on a 1st: Croatia 2013-07-01, the UK's exit 2020-02-01).
//!   So EU27 in 2013 includes Croatia and EU27 in 2020 does not include the UK.
//! - `"EU27"` (alias `"EU"`) means the EU on the date asked: on 2000-01-01 it lists the 15 members
//!   of then. `"EU27_2020"` is the fixed composition after the UK's exit and `"EU28"` the fixed
//!   2013-2020 composition (Eurostat's aggregates), for series that must not change members.
//! - Codes are trade-data codes. A member can carry extra data codes for the same territory
//!   (Italy 381 next to 380; Belgium-Luxembourg 58 before 1999, as BACI and Comtrade report
//!   Belgium and Luxembourg together until 1998; the former FRG 280 for Germany before
//!   reunification on 1990-10-03). [`Group::codes_on`] lists them, [`Group::countries_on`] lists
//!   one country per member.
//! - Without a date a group means its members today.
//!
//! ```
//! use tradedep::reference::groups::{members, Date, group};
//! use tradedep::model::Period;
//! let eu = group("EU27").unwrap();
//! assert_eq!(eu.countries_on(Some(Date::new(2019, 6, 30))).len(), 28);
//! assert_eq!(eu.countries_on(Some(Date::new(2020, 6, 30))).len(), 27);
//! assert!(!members("EU27", Some(Period::Year(2020))).unwrap().contains(&826));
//! ```

use std::collections::BTreeMap;
use std::sync::{OnceLock, RwLock};

use super::countries::{self, area_by_code, AreaKind, Country};
use crate::error::{Error, Result};
use crate::model::Period;

/// A calendar day, for membership dates.
///
/// ```
/// use tradedep::reference::groups::Date;
/// use tradedep::Period;
/// assert_eq!(Date::parse("2019")?, Date::new(2019, 7, 1));
/// assert_eq!(Date::reference_day(Period::Month { year: 2022, month: 2 }), Date::new(2022, 2, 1));
/// assert!(!Date::new(2023, 2, 29).is_valid());
/// assert_eq!(Date::new(2020, 2, 1).to_string(), "2020-02-01");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A day; not checked (see [`Date::is_valid`]).
    ///
    /// ```
    /// use tradedep::reference::groups::Date;
    /// assert!(Date::new(2020, 1, 31) < Date::new(2020, 2, 1));
    /// ```
    pub const fn new(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// The day a period stands for in group membership: 1 July of a year, the 1st of a month.
    ///
    /// ```
    /// use tradedep::{reference::groups::Date, Period};
    /// assert_eq!(Date::reference_day(Period::Year(2013)), Date::new(2013, 7, 1)); // Croatia joined on 2013-07-01
    /// ```
    pub fn reference_day(period: Period) -> Date {
        match period {
            Period::Year(y) => Date::new(y, 7, 1),
            Period::Month { year, month } => Date::new(year, month, 1),
        }
    }

    /// Parses `2019-06-30`, `2019-06` (the 1st) or `2019` (1 July).
    ///
    /// ```
    /// use tradedep::reference::groups::Date;
    /// assert_eq!(Date::parse("2019-06-30")?, Date::new(2019, 6, 30));
    /// assert_eq!(Date::parse("2019-06")?, Date::new(2019, 6, 1));
    /// assert!(Date::parse("2019-02-30").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Date> {
        let t = s.trim();
        let bad = || {
            Error::invalid_argument(
                format!("cannot read date {t:?}"),
                "write a date as 2019-06-30, a month as 2019-06 or a year as 2019",
            )
        };
        let parts: Vec<&str> = t.split('-').collect();
        let num = |p: &str| p.parse::<i32>().map_err(|_| bad());
        let d = match parts.as_slice() {
            [y] if y.len() == 4 => Date::new(num(y)?, 7, 1),
            [y, m] if y.len() == 4 => Date::new(num(y)?, u8::try_from(num(m)?).map_err(|_| bad())?, 1),
            [y, m, d] if y.len() == 4 => Date::new(
                num(y)?,
                u8::try_from(num(m)?).map_err(|_| bad())?,
                u8::try_from(num(d)?).map_err(|_| bad())?,
            ),
            _ => return Err(bad()),
        };
        if d.is_valid() {
            Ok(d)
        } else {
            Err(bad())
        }
    }

    /// True for a real calendar day.
    ///
    /// ```
    /// use tradedep::reference::groups::Date;
    /// assert!(Date::new(2024, 2, 29).is_valid()); // leap year
    /// assert!(!Date::new(2024, 13, 1).is_valid());
    /// ```
    pub fn is_valid(self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        self.day >= 1 && self.day <= days
    }

    /// Today (UTC) from the system clock.
    ///
    /// ```
    /// use tradedep::reference::groups::Date;
    /// let today = Date::today();
    /// assert!(today.is_valid() && today > Date::new(2024, 1, 1));
    /// ```
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
        let z = (secs / 86_400) as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date::new(year, month, day)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One data code in a group, with the days it belongs to it.
///
/// ```
/// use tradedep::reference::groups::{group, Date};
/// let eu = group("EU27")?;
/// let uk = eu.members.iter().find(|m| m.code == 826).unwrap();
/// assert_eq!((uk.from, uk.until), (Some(Date::new(1973, 1, 1)), Some(Date::new(2020, 2, 1))));
/// assert!(eu.members.iter().any(|m| m.code == 381 && m.extra_code)); // Italy's second code
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Membership {
    /// Comtrade/BACI numeric code.
    pub code: u16,
    /// First day as a member (`None`: always).
    pub from: Option<Date>,
    /// First day no longer a member (`None`: still a member).
    pub until: Option<Date>,
    /// An extra data code of a member counted elsewhere (Italy 381), not a member of its own.
    pub extra_code: bool,
}

impl Membership {
    fn on(&self, day: Date) -> bool {
        self.from.is_none_or(|f| f <= day) && self.until.is_none_or(|u| day < u)
    }
}

/// A named set of countries, possibly with membership dates.
///
/// ```
/// use tradedep::reference::groups::{group, Date};
/// let eaeu = group("EAEU")?;
/// assert!(eaeu.builtin);
/// assert_eq!(eaeu.codes_on(Some(Date::new(2015, 7, 1))).len(), 4); // Kyrgyzstan joined on 2015-08-12
/// assert_eq!(eaeu.countries_on(Some(Date::new(2016, 7, 1))).len(), 5);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    /// Other names that find the group ("EU" for "EU27").
    pub aliases: Vec<String>,
    pub description: String,
    /// The official source of the membership list.
    pub source: String,
    pub members: Vec<Membership>,
    /// False for groups defined by the user at run time.
    pub builtin: bool,
}

impl Group {
    /// Data codes of the members on `day` (`None`: today), extra codes included, in order.
    ///
    /// ```
    /// use tradedep::reference::groups::{group, Date};
    /// let codes = group("EU27")?.codes_on(Some(Date::new(2021, 7, 1)));
    /// assert!(codes.contains(&380) && codes.contains(&381)); // Italy with both its data codes
    /// assert!(!codes.contains(&826));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn codes_on(&self, day: Option<Date>) -> Vec<u16> {
        let day = day.unwrap_or_else(Date::today);
        let mut out: Vec<u16> = Vec::new();
        for m in self.members.iter().filter(|m| m.on(day)) {
            if !out.contains(&m.code) {
                out.push(m.code);
            }
        }
        out
    }

    /// One country per member on `day` (`None`: today), extra data codes left out.
    ///
    /// ```
    /// use tradedep::reference::groups::{group, Date};
    /// let eu = group("EU27")?;
    /// assert_eq!(eu.countries_on(Some(Date::new(2021, 7, 1))).len(), 27); // one per member
    /// assert_eq!(eu.countries_on(Some(Date::new(1995, 1, 1))).len(), 15);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn countries_on(&self, day: Option<Date>) -> Vec<&'static Country> {
        let day = day.unwrap_or_else(Date::today);
        let mut out: Vec<&'static Country> = Vec::new();
        for m in self.members.iter().filter(|m| m.on(day) && !m.extra_code) {
            if let Some(c) = countries::by_code(m.code) {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }

    fn matches(&self, key: &str) -> bool {
        group_key(&self.name) == key || self.aliases.iter().any(|a| group_key(a) == key)
    }
}

/// Group names compare without case, spaces, `-`, `_` or `.`: "re-routing hubs" = "REROUTING_HUBS".
fn group_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

const fn d(year: i32, month: u8, day: u8) -> Option<Date> {
    Some(Date::new(year, month, day))
}

/// EU membership: ISO alpha-3, accession day, first day after exit.
/// Source: Treaty of Rome (1958) and the Acts of Accession of 1972, 1979, 1985, 1994, 2003, 2005
/// and 2012 (dates of entry into force), the UK Withdrawal Agreement (OJ L 29, 31.1.2020); as
/// listed on european-union.europa.eu "EU countries".
const EU: &[(&str, Option<Date>, Option<Date>)] = &[
    ("BEL", d(1958, 1, 1), None),
    ("FRA", d(1958, 1, 1), None),
    ("ITA", d(1958, 1, 1), None),
    ("LUX", d(1958, 1, 1), None),
    ("NLD", d(1958, 1, 1), None),
    ("DNK", d(1973, 1, 1), None),
    ("IRL", d(1973, 1, 1), None),
    ("GBR", d(1973, 1, 1), d(2020, 2, 1)),
    ("GRC", d(1981, 1, 1), None),
    ("ESP", d(1986, 1, 1), None),
    ("PRT", d(1986, 1, 1), None),
    ("AUT", d(1995, 1, 1), None),
    ("FIN", d(1995, 1, 1), None),
    ("SWE", d(1995, 1, 1), None),
    ("CYP", d(2004, 5, 1), None),
    ("CZE", d(2004, 5, 1), None),
    ("EST", d(2004, 5, 1), None),
    ("HUN", d(2004, 5, 1), None),
    ("LVA", d(2004, 5, 1), None),
    ("LTU", d(2004, 5, 1), None),
    ("MLT", d(2004, 5, 1), None),
    ("POL", d(2004, 5, 1), None),
    ("SVK", d(2004, 5, 1), None),
    ("SVN", d(2004, 5, 1), None),
    ("BGR", d(2007, 1, 1), None),
    ("ROU", d(2007, 1, 1), None),
    ("HRV", d(2013, 7, 1), None),
];
const REUNIFICATION: Option<Date> = d(1990, 10, 3);
const BELGIUM_LUXEMBOURG_SPLIT: Option<Date> = d(1999, 1, 1);

/// The 27 members after 2020-02-01.
const EU27_2020: &[&str] = &[
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA", "LVA",
    "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
];

/// Memberships of a country (ISO alpha-3) over `[from, until)`: its data code plus extra codes
/// (Italy 381). Only called with codes of the table, checked by the tests.
fn member(iso3: &str, from: Option<Date>, until: Option<Date>) -> Vec<Membership> {
    let Ok(a) = countries::area(iso3) else {
        return Vec::new();
    };
    let codes = countries::data_codes(a, iso3).unwrap_or_default();
    codes
        .iter()
        .enumerate()
        .map(|(i, &code)| Membership {
            code,
            from,
            until,
            extra_code: i > 0,
        })
        .collect()
}

fn fixed(iso3s: &[&str]) -> Vec<Membership> {
    iso3s.iter().flat_map(|c| member(c, None, None)).collect()
}

fn eu_dated() -> Vec<Membership> {
    let mut out = Vec::new();
    for &(iso3, from, until) in EU {
        out.extend(member(iso3, from, until));
        if iso3 == "BEL" {
            // Belgium-Luxembourg reported together until 1998 (BACI 1995-1998, Comtrade).
            out.push(Membership {
                code: 58,
                from,
                until: BELGIUM_LUXEMBOURG_SPLIT,
                extra_code: true,
            });
        }
    }
    // Germany: the FRG (280) until reunification, then Germany (276).
    out.push(Membership {
        code: 280,
        from: d(1958, 1, 1),
        until: REUNIFICATION,
        extra_code: false,
    });
    out.extend(member("DEU", REUNIFICATION, None));
    out
}

fn builtin(name: &str, aliases: &[&str], description: &str, source: &str, members: Vec<Membership>) -> Group {
    Group {
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        description: description.into(),
        source: source.into(),
        members,
        builtin: true,
    }
}

/// The built-in groups, with their official sources.
///
/// | name | members | source |
/// |---|---|---|
/// | `EU27` (`EU`) | EU members on the date asked (6 in 1958 ... 28 in 2013-2020, 27 since 2020-02-01) | EU treaties and accession acts; UK Withdrawal Agreement |
/// | `EU27_2020` | the 27 members since 2020-02-01, fixed | Eurostat aggregate EU27_2020 |
/// | `EU28` | EU27_2020 + United Kingdom, fixed | Eurostat aggregate EU28 |
/// | `EAEU` | Russia, Belarus, Kazakhstan (2015-01-01), Armenia (2015-01-02), Kyrgyzstan (2015-08-12) | Treaty on the Eurasian Economic Union (2014), accession treaties of Armenia and Kyrgyzstan |
/// | `China+HK` | China, Hong Kong | ISO 3166-1 / Comtrade areas 156, 344 |
/// | `China+HK+Macao` | China, Hong Kong, Macao | ISO 3166-1 / Comtrade areas 156, 344, 446 |
/// | `CHPL coalition` | EU27_2020, United States, United Kingdom, Japan | Common High Priority List, published jointly by the EU, US, UK and Japan (2023) |
/// | `sanctioning coalition` | CHPL coalition + Canada, Australia, New Zealand, Norway, Switzerland, Iceland, South Korea, Taiwan, Singapore | US BIS, EAR Part 746 Supplement No. 3 (Global Export Control Coalition), plus Singapore (export controls on Russia, MFA Singapore, 5 March 2022) |
/// | `rerouting hubs` | Armenia, Georgia, Kazakhstan, Kyrgyzstan, Uzbekistan, Türkiye, United Arab Emirates | project convention (domain notes): Caucasus and Central Asia as in EBRD Working Paper 276 "The Eurasian Roundabout" (2023), plus Türkiye and the UAE |
///
/// ```
/// use tradedep::reference::groups::builtin_groups;
/// let names: Vec<&str> = builtin_groups().iter().map(|g| g.name.as_str()).collect();
/// assert!(names.contains(&"EU27") && names.contains(&"EAEU"));
/// assert!(builtin_groups().iter().all(|g| g.builtin && !g.source.is_empty()));
/// ```
pub fn builtin_groups() -> &'static [Group] {
    static GROUPS: OnceLock<Vec<Group>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let chpl: Vec<&str> = EU27_2020.iter().copied().chain(["USA", "GBR", "JPN"]).collect();
        let coalition: Vec<&str> =
            chpl.iter().copied().chain(["CAN", "AUS", "NZL", "NOR", "CHE", "ISL", "KOR", "TWN", "SGP"]).collect();
        let mut eaeu = fixed(&["RUS", "BLR", "KAZ"]);
        for m in &mut eaeu {
            m.from = d(2015, 1, 1);
        }
        eaeu.extend(member("ARM", d(2015, 1, 2), None));
        eaeu.extend(member("KGZ", d(2015, 8, 12), None));
        vec![
            builtin(
                "EU27",
                &["EU", "European Union"],
                "European Union members on the date asked (the EU15 in 2000, 28 members 2013-07-01 to 2020-01-31, 27 since)",
                "EU treaties and Acts of Accession (1972, 1979, 1985, 1994, 2003, 2005, 2012); UK Withdrawal Agreement, OJ L 29, 31.1.2020; european-union.europa.eu 'EU countries'",
                eu_dated(),
            ),
            builtin(
                "EU27_2020",
                &["EU27 2020"],
                "the 27 EU members since 2020-02-01, fixed over time",
                "Eurostat aggregate EU27_2020",
                fixed(EU27_2020),
            ),
            builtin(
                "EU28",
                &[],
                "the 28 EU members of 2013-07-01 to 2020-01-31, fixed over time",
                "Eurostat aggregate EU28",
                fixed(&EU27_2020.iter().copied().chain(["GBR"]).collect::<Vec<_>>()),
            ),
            builtin(
                "EAEU",
                &["Eurasian Economic Union", "EEU"],
                "Eurasian Economic Union: Russia, Belarus, Kazakhstan since 2015-01-01, Armenia since 2015-01-02, Kyrgyzstan since 2015-08-12",
                "Treaty on the Eurasian Economic Union (Astana, 29 May 2014) and the accession treaties of Armenia and Kyrgyzstan; eaeunion.org",
                eaeu,
            ),
            builtin("China+HK", &["China+Hong Kong"], "China and Hong Kong", "ISO 3166-1; UN Comtrade areas 156, 344", fixed(&["CHN", "HKG"])),
            builtin(
                "China+HK+Macao",
                &["China+HK+Macau", "China+Hong Kong+Macao"],
                "China, Hong Kong and Macao",
                "ISO 3166-1; UN Comtrade areas 156, 344, 446",
                fixed(&["CHN", "HKG", "MAC"]),
            ),
            builtin(
                "CHPL coalition",
                &["CHPL"],
                "the jurisdictions that publish the Common High Priority List: the EU (27), the United States, the United Kingdom, Japan",
                "Common High Priority List of items, published jointly by the European Commission, US BIS, UK and Japan (2023)",
                fixed(&chpl),
            ),
            builtin(
                "sanctioning coalition",
                &["GECC", "Global Export Control Coalition", "export control coalition"],
                "the CHPL coalition plus Canada, Australia, New Zealand, Norway, Switzerland, Iceland, South Korea, Taiwan and Singapore (Liechtenstein is within Switzerland in trade data)",
                "US BIS, EAR Part 746 Supplement No. 3 (countries excluded from the Russia/Belarus FDP rules: the Global Export Control Coalition); Singapore: MFA export controls on Russia, 5 March 2022",
                fixed(&coalition),
            ),
            builtin(
                "rerouting hubs",
                &["re-routing hubs", "hubs"],
                "the usual re-routing hubs for trade with Russia: Armenia, Georgia, Kazakhstan, Kyrgyzstan, Uzbekistan, Türkiye, United Arab Emirates",
                "project convention (tradedep domain notes): the Caucasus and Central Asia as in EBRD Working Paper 276 'The Eurasian Roundabout' (Chupilkin, Javorcik, Peeva, Plekhanov, 2023), plus Türkiye and the United Arab Emirates",
                fixed(&["ARM", "GEO", "KAZ", "KGZ", "UZB", "TUR", "ARE"]),
            ),
        ]
    })
}

/// User-defined groups. Members are fixed data codes (no dates), resolved when defined.
///
/// ```
/// use tradedep::reference::groups::GroupRegistry;
/// let mut reg = GroupRegistry::default();
/// reg.define("Nordics", &["DNK", "FIN", "ISL", "NOR", "SWE"]).unwrap();
/// assert_eq!(reg.get("nordics").unwrap().codes_on(None), vec![208, 246, 352, 579, 752]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct GroupRegistry {
    groups: BTreeMap<String, Group>,
}

impl GroupRegistry {
    /// Defines (or redefines) a group. Each member is anything
    /// [`resolve`](super::countries::resolve) accepts: a country, a group (its members today),
    /// or an `A+B` combination. Group names are looked up in this registry and among the
    /// built-in groups (the global registry's groups only when this is it, so that defining
    /// through [`GroupRegistry::global`]'s write guard takes no second lock). Built-in group
    /// names cannot be redefined.
    ///
    /// ```
    /// use tradedep::reference::groups::GroupRegistry;
    /// let mut reg = GroupRegistry::default();
    /// let g = reg.define("Hubs and EAEU", &["rerouting hubs", "EAEU"])?; // groups as members: their members today
    /// assert!(g.codes_on(None).contains(&398) && g.codes_on(None).contains(&643));
    /// assert!(reg.define("EU", &["FRA"]).is_err()); // an alias of a built-in group
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn define(&mut self, name: &str, members: &[&str]) -> Result<&Group> {
        let group = make_group(name, members, self)?;
        Ok(self.insert(group))
    }

    /// Today's members of a group of this registry or a built-in group.
    fn codes_today(&self, name: &str) -> Option<Vec<u16>> {
        let key = group_key(name);
        self.get(name)
            .or_else(|| builtin_groups().iter().find(|g| g.matches(&key)))
            .map(|g| g.codes_on(None))
    }

    fn insert(&mut self, group: Group) -> &Group {
        let key = group_key(&group.name);
        self.groups.insert(key.clone(), group);
        &self.groups[&key]
    }

    /// The user group with this name, if any.
    ///
    /// ```
    /// use tradedep::reference::groups::GroupRegistry;
    /// let mut reg = GroupRegistry::default();
    /// reg.define("Nordics", &["DNK", "FIN", "ISL", "NOR", "SWE"])?;
    /// assert_eq!(reg.get("NORDICS").unwrap().members.len(), 5);
    /// assert!(reg.get("Baltics").is_none());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<&Group> {
        self.groups.get(&group_key(name))
    }

    /// Removes a user group; true if it existed.
    ///
    /// ```
    /// use tradedep::reference::groups::GroupRegistry;
    /// let mut reg = GroupRegistry::default();
    /// reg.define("Caucasus", &["ARM", "GEO", "AZE"])?;
    /// assert_eq!(reg.groups().count(), 1);
    /// assert!(reg.remove("caucasus"));
    /// assert!(!reg.remove("caucasus"));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn remove(&mut self, name: &str) -> bool {
        self.groups.remove(&group_key(name)).is_some()
    }

    /// The user groups, by name.
    ///
    /// ```
    /// use tradedep::reference::groups::GroupRegistry;
    /// let mut reg = GroupRegistry::default();
    /// reg.define("b", &["FRA"])?;
    /// reg.define("a", &["DEU"])?;
    /// assert_eq!(reg.groups().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// The process-wide registry used by [`members`], [`group`] and
    /// [`resolve`](super::countries::resolve) (and by `td.define_group` in Python).
    ///
    /// Define groups in it with [`define_group`], or with [`GroupRegistry::define`] through
    /// the write guard (which resolves the members against the guarded registry itself, so it
    /// takes no second lock). Other functions of this module and
    /// [`resolve`](super::countries::resolve) read it: do not call them while holding the guard.
    ///
    /// ```
    /// use tradedep::reference::groups::{define_group, members, GroupRegistry};
    /// define_group("Baltics doc example", &["EST", "LVA", "LTU"])?;
    /// let codes = GroupRegistry::global().read().unwrap().get("baltics doc example").unwrap().codes_on(None);
    /// assert_eq!(codes, [233, 428, 440]);
    /// {
    ///     let mut reg = GroupRegistry::global().write().unwrap();
    ///     // A member naming a group of the global registry, through its own write guard.
    ///     let g = reg.define("Baltics and Finland doc example", &["Baltics doc example", "FIN"])?;
    ///     assert_eq!(g.codes_on(None), [233, 428, 440, 246]);
    /// } // the guard is dropped before members() reads the registry
    /// assert_eq!(members("baltics and finland doc example", None)?, [233, 428, 440, 246]);
    /// let mut reg = GroupRegistry::global().write().unwrap();
    /// assert!(reg.remove("Baltics doc example") && reg.remove("Baltics and Finland doc example"));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn global() -> &'static RwLock<GroupRegistry> {
        static GLOBAL: OnceLock<RwLock<GroupRegistry>> = OnceLock::new();
        GLOBAL.get_or_init(|| RwLock::new(GroupRegistry::default()))
    }
}

/// Checks the name and resolves the members of a user group of `reg`: group names among them
/// are groups of `reg` or built-in groups (never looked up in the global registry, whose write
/// lock the caller may hold when `reg` is it).
fn make_group(name: &str, members: &[&str], reg: &GroupRegistry) -> Result<Group> {
    let key = group_key(name);
    if key.is_empty() {
        return Err(Error::invalid_argument(
            "empty group name",
            "give the group a name, e.g. \"Nordics\"",
        ));
    }
    if builtin_groups().iter().any(|g| g.matches(&key)) {
        return Err(Error::invalid_argument(
            format!("{name:?} is a built-in group"),
            "choose another name for your group",
        ));
    }
    if let Ok(c) = countries::country(name) {
        return Err(Error::invalid_argument(
            format!("{name:?} is already a country name ({}, {})", c.name, c.iso3),
            "choose a group name that is not a country name or code",
        ));
    }
    if members.is_empty() {
        return Err(Error::invalid_argument(
            format!("group {name:?} has no members"),
            "list at least one country",
        ));
    }
    let mut codes: Vec<u16> = Vec::new();
    for m in members {
        for c in countries::resolve_with(m, &|n| reg.codes_today(n))? {
            if !codes.contains(&c) {
                codes.push(c);
            }
        }
    }
    let names: Vec<&str> = codes
        .iter()
        .filter_map(|&c| countries::by_code(c))
        .map(|c| c.name)
        .collect();
    Ok(Group {
        name: name.trim().to_string(),
        aliases: Vec::new(),
        description: format!("user-defined group: {}", names.join(", ")),
        source: "defined by the user".into(),
        members: codes
            .iter()
            .map(|&code| Membership {
                code,
                from: None,
                until: None,
                extra_code: area_by_code(code).is_some_and(|a| a.kind == AreaKind::Alias),
            })
            .collect(),
        builtin: false,
    })
}

/// Defines (or redefines) a group in the process-wide registry (see [`GroupRegistry::define`]).
///
/// ```
/// use tradedep::reference::groups::{define_group, group};
/// let g = define_group("Central Asia doc example", &["Kazakhstan", "KGZ", "UZB", "TJK", "TKM"])?;
/// assert_eq!(g.members.len(), 5);
/// assert!(!g.builtin);
/// assert_eq!(group("central asia doc example")?, g);
/// assert!(define_group("EU27", &["FRA"]).is_err()); // built-in names are taken
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn define_group(name: &str, members: &[&str]) -> Result<Group> {
    // A poisoned lock only means another thread panicked mid-define; the map is still usable.
    let mut reg = GroupRegistry::global().write().unwrap_or_else(|p| p.into_inner());
    reg.define(name, members).cloned()
}

/// A user-defined (global registry) or built-in group by name or alias.
///
/// ```
/// use tradedep::reference::groups::group;
/// assert_eq!(group("eu")?.name, "EU27"); // an alias
/// assert_eq!(group("China+HK")?.codes_on(None), [156, 344]);
/// assert!(group("OPEC+").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn group(name: &str) -> Result<Group> {
    find(name).ok_or_else(|| unknown_group(name))
}

fn find(name: &str) -> Option<Group> {
    let user = GroupRegistry::global()
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(name)
        .cloned();
    let key = group_key(name);
    user.or_else(|| builtin_groups().iter().find(|g| g.matches(&key)).cloned())
}

/// Codes of a group on `day`, or `None` when no group has this name.
pub(crate) fn lookup_codes(name: &str, day: Option<Date>) -> Option<Vec<u16>> {
    find(name).map(|g| g.codes_on(day))
}

fn unknown_group(name: &str) -> Error {
    let mut names: Vec<String> = builtin_groups().iter().map(|g| g.name.clone()).collect();
    names.extend(
        GroupRegistry::global()
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .groups()
            .map(|g| g.name.clone()),
    );
    Error::invalid_argument(
        format!("unknown group {name:?}"),
        format!("known groups: {}; define your own with define_group", names.join(", ")),
    )
}

/// Numeric codes of a built-in group's members during `period` (the whole period for a year:
/// a country counts as a member of EU27 in a year if it was a member on 1 July of that year,
/// documented in the group table). `None` means "members today".
///
/// User-defined groups of the global registry are found too. Codes include extra data codes of
/// members (Italy 380 and 381), so filters catch every vintage.
///
/// ```
/// use tradedep::{reference::groups::members, Period};
/// assert!(!members("EAEU", Some(Period::Year(2015)))?.contains(&417));
/// assert!(members("EAEU", Some(Period::Year(2016)))?.contains(&417));
/// assert!(members("EU27", Some(Period::Year(2013)))?.contains(&191)); // Croatia, from 2013-07-01
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn members(name: &str, period: Option<Period>) -> Result<Vec<u16>> {
    group(name).map(|g| g.codes_on(period.map(Date::reference_day)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_today_is_sane() {
        assert_eq!(Date::parse("2019-06-30").unwrap(), Date::new(2019, 6, 30));
        assert_eq!(Date::parse("2019").unwrap(), Date::new(2019, 7, 1));
        assert_eq!(Date::parse("2020-02").unwrap(), Date::new(2020, 2, 1));
        assert!(Date::parse("2019-02-30").is_err());
        assert!(Date::parse("30/06/2019").is_err());
        let t = Date::today();
        assert!(t.year >= 2024 && t.is_valid(), "{t}");
    }

    #[test]
    fn every_builtin_member_code_is_in_the_table() {
        for g in builtin_groups() {
            assert!(!g.members.is_empty(), "{}", g.name);
            for m in &g.members {
                assert!(
                    countries::is_known_code(m.code),
                    "{} has unknown code {}",
                    g.name,
                    m.code
                );
            }
        }
    }

    /// `define` through the global registry's write guard used to resolve the members through
    /// that same registry's lock and wait forever. Run on a thread with a deadline: a
    /// regression ends the test binary with a message instead of hanging it (the stuck thread
    /// would hold the write lock every other test of groups waits for).
    #[test]
    fn define_through_the_global_write_guard_does_not_wait_for_itself() {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reg = GroupRegistry::global().write().unwrap_or_else(|p| p.into_inner());
            let inner = reg
                .define("Guard test Baltics", &["EST", "LVA", "LTU"])
                .map(|g| g.codes_on(None));
            // A group of the guarded registry and a built-in group, alone and in an A+B member.
            let outer = reg
                .define("Guard test outer", &["guard test baltics", "FIN", "China+HK+Macao"])
                .map(|g| g.codes_on(None));
            let combined = reg
                .define("Guard test combined", &["Guard test Baltics+SWE"])
                .map(|g| g.codes_on(None));
            let unknown = reg.define("Guard test unknown", &["Guard test nowhere"]).is_err();
            for name in ["Guard test Baltics", "Guard test outer", "Guard test combined"] {
                reg.remove(name);
            }
            let _ = done.send((inner, outer, combined, unknown));
        });
        let Ok((inner, outer, combined, unknown)) = finished.recv_timeout(std::time::Duration::from_secs(30)) else {
            // Straight to stderr: the harness's capture of eprintln! is lost on exit.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "GroupRegistry::define through GroupRegistry::global().write() did not return in 30 s"
            );
            std::process::exit(101);
        };
        assert_eq!(inner.unwrap(), [233, 428, 440]);
        assert_eq!(outer.unwrap(), [233, 428, 440, 246, 156, 344, 446]);
        assert_eq!(combined.unwrap(), [233, 428, 440, 752]);
        assert!(
            unknown,
            "a name neither in the registry, built in nor a country is an error"
        );
    }

    #[test]
    fn builtin_names_are_protected() {
        let mut reg = GroupRegistry::default();
        assert!(reg.define("eu", &["FRA"]).is_err());
        assert!(reg.define("x", &[]).is_err());
        assert!(reg.define("x", &["Atlantis"]).is_err());
        assert!(
            reg.define("France", &["DEU"]).is_err(),
            "a group must not shadow a country"
        );
    }
}
