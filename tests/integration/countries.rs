//! The embedded country table and groups, checked against the official code lists in
//! ../shared/data/country_codes (BACI V202201/V202301, Comtrade legacy areas, ISO 3166-1 via
//! datasets/country-codes, EU compositions of country_converter). Nothing is compared against
//! the project's own table.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use tradedep::model::Period;
use tradedep::reference::countries::{self, by_code, country, is_known_code, resolve, AreaKind};
use tradedep::reference::groups::{self, Date, GroupRegistry};
use tradedep::Error;

/// (code, iso2, iso3, name) rows of a BACI country file.
fn baci(path: &Path, delimiter: u8) -> BaciCountries {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .expect("open BACI country file");
    let headers = r.headers().expect("header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .expect(name)
    };
    let (c, i2, i3, n) = (
        col("country_code"),
        col("iso_2digit_alpha"),
        col("iso_3digit_alpha"),
        col("country_name_abbreviation"),
    );
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            (
                rec[c].parse().expect("numeric code"),
                rec[i2].to_string(),
                rec[i3].to_string(),
                rec[n].to_string(),
            )
        })
        .collect()
}

fn comtrade(path: &Path) -> Vec<(u16, String)> {
    let text = std::fs::read_to_string(path).expect("read Comtrade areas");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id").parse().expect("numeric id"),
                r["text"].as_str().expect("text").to_string(),
            )
        })
        .collect()
}

/// (code, ISO3, name, ...) rows of one BACI country file.
type BaciCountries = Vec<(u16, String, String, String)>;

fn both_baci(dir: &Path) -> Vec<(&'static str, BaciCountries)> {
    vec![
        ("V202201", baci(&dir.join("baci_country_codes_V202201.csv"), b',')),
        ("V202301", baci(&dir.join("baci_country_codes_V202301.csv"), b';')),
    ]
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn every_baci_code_is_known_with_baci_iso_codes() {
    let dir = data_or_skip!("country_codes");
    for (version, rows) in both_baci(&dir) {
        assert!(rows.len() > 230, "{version}: {} rows", rows.len());
        for (code, iso2, iso3, name) in rows {
            assert!(is_known_code(code), "BACI {version} code {code} {name} unknown");
            let c = by_code(code).unwrap_or_else(|| panic!("by_code({code})"));
            assert_eq!(c.comtrade, code);
            if iso3 == "N/A" {
                // BACI gives no ISO code to "nes" areas; 490 Other Asia, nes is Taiwan (domain.md §3).
                if code == 490 {
                    assert_eq!((c.iso2, c.iso3, c.iso_numeric), ("TW", "TWN", 158));
                } else {
                    assert_eq!(c.iso3, "", "{version} {code} {name}");
                }
            } else {
                assert_eq!(c.iso3, iso3, "{version} {code} {name}");
                // BACI leaves Namibia's "NA" empty and gives the French Southern Territories
                // "FQ" (a withdrawn code); ISO 3166-1 says TF, checked in the ISO test.
                if !iso2.is_empty() && iso2 != "FQ" {
                    assert_eq!(c.iso2, iso2, "{version} {code} {name}");
                }
                // And the ISO code leads back to the same entity (current country for former codes).
                let back = country(&iso3).unwrap_or_else(|e| panic!("{iso3}: {e}"));
                assert_eq!(back.iso3, iso3);
            }
        }
    }
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn every_comtrade_area_except_world_and_aggregates_is_known() {
    let dir = data_or_skip!("country_codes");
    for file in [
        "comtrade_legacy_partnerAreas.json",
        "comtrade_legacy_reporterAreas.json",
    ] {
        let areas = comtrade(&dir.join(file));
        assert!(areas.len() > 230, "{file}");
        for (code, text) in areas {
            if code == 0 || code == 97 {
                // World and the EU-28 aggregate reporter are not partners.
                assert!(!is_known_code(code), "{code} {text}");
                continue;
            }
            assert!(is_known_code(code), "{file}: {code} {text} unknown");
            // The Comtrade name finds the same entity as the code.
            let by_name = country(&text).unwrap_or_else(|e| panic!("{file}: name {text:?}: {e}"));
            let by_num = by_code(code).unwrap_or_else(|| panic!("{code}"));
            if by_num.iso3.is_empty() {
                assert_eq!(by_name.comtrade, code, "{text}");
            } else {
                assert_eq!(by_name.iso3, by_num.iso3, "{file}: {code} {text}");
            }
        }
    }
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn iso_3166_codes_find_the_country_with_its_iso_numbers() {
    let dir = data_or_skip!("country_codes");
    let data_codes: HashMap<u16, String> = both_baci(&dir)
        .into_iter()
        .flat_map(|(_, rows)| rows.into_iter().map(|(c, _, i3, _)| (c, i3)))
        .collect();
    let nes_areas: Vec<u16> = comtrade(&dir.join("comtrade_legacy_partnerAreas.json"))
        .into_iter()
        .filter(|(_, text)| text.ends_with(", nes"))
        .map(|(c, _)| c)
        .collect();
    let mut r = csv::Reader::from_path(dir.join("datasets_country-codes.csv")).expect("open ISO table");
    let headers = r.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (a2, a3, num) = (
        col("ISO3166-1-Alpha-2"),
        col("ISO3166-1-Alpha-3"),
        col("ISO3166-1-numeric"),
    );
    let mut checked = 0;
    for rec in r.records() {
        let rec = rec.expect("record");
        if rec[a3].is_empty() || rec[num].is_empty() {
            continue;
        }
        let n: u16 = rec[num].parse().expect("numeric");
        let by3 = country(&rec[a3]).unwrap_or_else(|e| panic!("{}: {e}", &rec[a3]));
        assert_eq!((by3.iso2, by3.iso_numeric), (&rec[a2], n), "{}", &rec[a3]);
        assert_eq!(country(&rec[a2]).expect("alpha-2").iso3, &rec[a3]);
        // The ISO number finds the country unless trade data uses it for another area
        // (492 is Comtrade's "Europe EU, nes", ISO's Monaco).
        let other = data_codes.get(&n).is_some_and(|i3| i3 != &rec[a3]) || nes_areas.contains(&n);
        if !other {
            assert_eq!(country(&n.to_string()).expect("numeric").iso3, &rec[a3], "{n}");
        }
        checked += 1;
    }
    assert!(checked >= 249, "{checked}");
}

#[test]
fn domain_traps() {
    // domain.md §3: data codes that differ from ISO numeric.
    for (code, iso3, iso_num) in [
        (842, "USA", 840),
        (251, "FRA", 250),
        (381, "ITA", 380),
        (380, "ITA", 380),
        (579, "NOR", 578),
        (757, "CHE", 756),
        (699, "IND", 356),
        (490, "TWN", 158),
    ] {
        let c = by_code(code).expect("known");
        assert_eq!((c.iso3, c.iso_numeric), (iso3, iso_num), "{code}");
    }
    let us = country("USA").unwrap();
    assert_eq!((us.iso2, us.iso3, us.iso_numeric, us.comtrade), ("US", "USA", 840, 842));
    assert_eq!(country("842").unwrap(), us);
    assert_eq!(country("840").unwrap(), us);
    assert_eq!(country("united states").unwrap(), us);
    assert_eq!(country("France").unwrap().comtrade, 251);
    assert_eq!(
        country("356").unwrap().comtrade,
        699,
        "ISO 356 is India, not the historical area"
    );
    assert_eq!(resolve("Italy").unwrap(), vec![380, 381]);
    assert_eq!(resolve("India").unwrap(), vec![699]);
    assert_eq!(country("Taiwan").unwrap().comtrade, 490);
    assert_eq!(country("Other Asia, nes").unwrap().iso3, "TWN");
    assert!(!is_known_code(840) && !is_known_code(250) && !is_known_code(0));
    // Former codes keep BACI's ISO3 but the ISO code finds the current country.
    assert_eq!(by_code(280).unwrap().iso3, "DEU");
    assert_eq!(country("DEU").unwrap().comtrade, 276);
    assert_eq!(country("BEL").unwrap().comtrade, 56);
    assert_eq!(country("SUN").unwrap().comtrade, 810);
}

#[test]
fn names_and_aliases() {
    for (q, iso3) in [
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("turkiye", "TUR"),
        ("South Korea", "KOR"),
        ("Korea, Rep.", "KOR"),
        ("Rep. of Korea", "KOR"),
        ("UAE", "ARE"),
        ("United Arab Emirates", "ARE"),
        ("Hong Kong", "HKG"),
        ("China, Hong Kong SAR", "HKG"),
        ("Macau", "MAC"),
        ("Taiwan", "TWN"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("USA", "USA"),
        ("United States of America", "USA"),
        ("UK", "GBR"),
        ("United Kingdom", "GBR"),
        ("Cote d'Ivoire", "CIV"),
        ("St. Kitts & Nevis", "KNA"),
        ("Viet Nam", "VNM"),
        ("  GERMANY ", "DEU"),
        ("de", "DEU"),
        ("chn", "CHN"),
    ] {
        assert_eq!(country(q).unwrap_or_else(|e| panic!("{q}: {e}")).iso3, iso3, "{q}");
    }
}

#[test]
fn unknown_and_ambiguous_queries_are_errors_with_hints() {
    for q in ["Atlantis", "Korea", "", "XX", "1234", "0"] {
        match country(q) {
            Err(Error::UnknownCountry { hint, .. }) => assert!(!hint.is_empty(), "{q}"),
            other => panic!("{q}: {other:?}"),
        }
    }
    let msg = country("Frnace").unwrap_err().to_string();
    assert!(msg.contains("France"), "{msg}");
    assert!(matches!(resolve("CHN+Atlantis"), Err(Error::UnknownCountry { .. })));
}

/// EU compositions as listed by country_converter (EU12, EU15, EU25, EU27_2007, EU28, EU27).
fn cc_column(dir: &Path, column: &str) -> BTreeSet<String> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .flexible(true)
        .from_path(dir.join("country_converter_country_data.tsv"))
        .expect("open");
    let headers = r.headers().expect("header").clone();
    let (i3, c) = (
        headers.iter().position(|h| h == "ISO3").expect("ISO3"),
        headers.iter().position(|h| h == column).expect(column),
    );
    r.records()
        .map(|x| x.expect("record"))
        .filter(|x| x.get(c).is_some_and(|v| !v.is_empty()))
        .map(|x| x[i3].to_string())
        .collect()
}

fn eu_on(date: Date) -> BTreeSet<String> {
    let g = groups::group("EU27").unwrap();
    g.countries_on(Some(date))
        .into_iter()
        .map(|c| {
            if c.comtrade == 280 {
                "DEU".into()
            } else {
                c.iso3.to_string()
            }
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn eu_membership_by_date_matches_independent_compositions() {
    let dir = data_or_skip!("country_codes");
    for (date, column) in [
        (Date::new(1990, 1, 1), "EU12"),
        (Date::new(1994, 12, 31), "EU12"),
        (Date::new(1995, 1, 1), "EU15"),
        (Date::new(2004, 4, 30), "EU15"),
        (Date::new(2004, 5, 1), "EU25"),
        (Date::new(2007, 1, 1), "EU27_2007"),
        (Date::new(2013, 1, 1), "EU27_2007"),
        (Date::new(2013, 7, 1), "EU28"),
        (Date::new(2019, 6, 30), "EU28"),
        (Date::new(2020, 1, 31), "EU28"),
        (Date::new(2020, 2, 1), "EU27"),
        (Date::new(2020, 6, 30), "EU27"),
    ] {
        assert_eq!(eu_on(date), cc_column(&dir, column), "{date} vs {column}");
    }
    assert_eq!(
        groups::group("EU28").unwrap().countries_on(None).len(),
        cc_column(&dir, "EU28").len()
    );
    let fixed: BTreeSet<String> = groups::group("EU27_2020")
        .unwrap()
        .countries_on(Some(Date::new(1960, 1, 1)))
        .iter()
        .map(|c| c.iso3.to_string())
        .collect();
    assert_eq!(fixed, cc_column(&dir, "EU27"));
}

#[test]
fn eu_membership_on_stated_days() {
    let on = |y, m, d| groups::group("EU27").unwrap().countries_on(Some(Date::new(y, m, d)));
    let has = |v: &[&tradedep::reference::countries::Country], iso3: &str| v.iter().any(|c| c.iso3 == iso3);
    let d2019 = on(2019, 6, 30);
    assert_eq!(d2019.len(), 28);
    assert!(has(&d2019, "GBR"));
    let d2020 = on(2020, 6, 30);
    assert_eq!(d2020.len(), 27);
    assert!(!has(&d2020, "GBR"));
    assert!(!has(&on(2013, 1, 1), "HRV"));
    assert!(has(&on(2013, 7, 1), "HRV"));
    // Years are taken on 1 July: Croatia counts in 2013, the UK not in 2020.
    let y2013 = groups::members("EU27", Some(Period::Year(2013))).unwrap();
    assert!(y2013.contains(&191) && y2013.contains(&826));
    let y2020 = groups::members("EU", Some(Period::Year(2020))).unwrap();
    assert!(!y2020.contains(&826));
    assert!(
        y2020.contains(&380) && y2020.contains(&381),
        "both Italy codes for filtering"
    );
    let jan2020 = groups::members("EU27", Some(Period::Month { year: 2020, month: 1 })).unwrap();
    assert!(jan2020.contains(&826));
    // Belgium-Luxembourg (58) before 1999, the FRG (280) before reunification.
    assert!(groups::members("EU27", Some(Period::Year(1998))).unwrap().contains(&58));
    assert!(!groups::members("EU27", Some(Period::Year(1999))).unwrap().contains(&58));
    assert!(groups::members("EU27", Some(Period::Year(1989)))
        .unwrap()
        .contains(&280));
    assert!(!groups::members("EU27", Some(Period::Year(1989)))
        .unwrap()
        .contains(&276));
}

#[test]
fn builtin_groups_resolve() {
    assert_eq!(resolve("China+HK").unwrap(), vec![156, 344]);
    assert_eq!(resolve("china + hk + macao").unwrap(), vec![156, 344, 446]);
    assert_eq!(resolve("CHN+HKG").unwrap(), vec![156, 344]);
    assert_eq!(resolve("China+Hong Kong+Macao").unwrap(), vec![156, 344, 446]);
    let mut eaeu = resolve("EAEU").unwrap();
    eaeu.sort();
    assert_eq!(eaeu, vec![51, 112, 398, 417, 643]);
    assert!(groups::members("EAEU", Some(Period::Year(2014))).unwrap().is_empty());
    let mut hubs = resolve("re-routing hubs").unwrap();
    hubs.sort();
    assert_eq!(hubs, vec![51, 268, 398, 417, 784, 792, 860]);
    let chpl = resolve("CHPL coalition").unwrap();
    for c in [842, 826, 392, 251, 276, 380] {
        assert!(chpl.contains(&c), "{c}");
    }
    let wide = resolve("sanctioning coalition").unwrap();
    assert!(chpl.iter().all(|c| wide.contains(c)));
    for c in [124, 36, 554, 579, 757, 410, 490, 702] {
        assert!(wide.contains(&c), "{c}");
    }
    assert_eq!(
        resolve("EU27+GBR").unwrap().len(),
        29,
        "27 members + Italy's second code + GBR"
    );
    assert!(groups::members("no such group", None).is_err());
}

#[test]
fn user_defined_groups() {
    let mut reg = GroupRegistry::default();
    let g = reg.define("Visegrad", &["Poland", "CZE", "703", "Hungary"]).unwrap();
    assert_eq!(g.codes_on(None), vec![616, 203, 703, 348]);
    assert!(reg.define("EU27", &["FRA"]).is_err(), "built-in names are protected");
    assert!(reg.define("bad", &["Atlantis"]).is_err());

    // The global registry feeds resolve and members.
    groups::define_group("Test Nordics", &["DNK", "FIN", "ISL", "NOR", "SWE"]).unwrap();
    assert_eq!(resolve("test nordics").unwrap(), vec![208, 246, 352, 579, 752]);
    assert_eq!(
        groups::members("TEST_NORDICS", Some(Period::Year(2001))).unwrap().len(),
        5
    );
    assert_eq!(resolve("Test Nordics+DEU").unwrap(), vec![208, 246, 352, 579, 752, 276]);
    // Groups of groups expand the inner group's members of today.
    groups::define_group("Test big", &["China+HK", "USA"]).unwrap();
    assert_eq!(resolve("Test big").unwrap(), vec![156, 344, 842]);
}

#[test]
fn former_and_nes_areas_are_partners_but_not_countries() {
    for code in [810, 200, 891, 58, 899, 837, 697, 849] {
        assert!(is_known_code(code));
        let a = countries::area_by_code(code).unwrap();
        assert_ne!(a.kind, AreaKind::Country, "{code}");
    }
    assert_eq!(resolve("899").unwrap(), vec![899]);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn known_codes_are_exactly_the_partner_codes_of_the_files() {
    let dir = data_or_skip!("country_codes");
    let mut expected: BTreeSet<u16> = both_baci(&dir)
        .into_iter()
        .flat_map(|(_, rows)| rows.into_iter().map(|r| r.0))
        .collect();
    for file in [
        "comtrade_legacy_partnerAreas.json",
        "comtrade_legacy_reporterAreas.json",
    ] {
        expected.extend(comtrade(&dir.join(file)).into_iter().map(|(c, _)| c));
    }
    expected.remove(&0); // World
    expected.remove(&97); // EU-28 aggregate reporter
    let known: BTreeSet<u16> = (0..=u16::MAX).filter(|&c| is_known_code(c)).collect();
    assert_eq!(known, expected);
}
