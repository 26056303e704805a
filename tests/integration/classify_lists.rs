//! List files (TOML, JSON, CSV), their errors, EU lists, diffs and nomenclature checks.

use std::io::Write;

use tradedep::classify::dual_use;
use tradedep::classify::list::CsvListOptions;
use tradedep::classify::{Nomenclature, ProductList};
use tradedep::{Error, Vintage};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::File::create(&p).unwrap().write_all(text.as_bytes()).unwrap();
    p
}

const GOOD_TOML: &str = r#"name = "watch"
version = "2024-03"
effective = "2024-03-01"
vintage = "HS2022"
tiers = ["1", "2"]

[[entries]]
code = "854231"
tier = "1"
control_entry = "3A001"

[[entries]]
code = "8806"
tier = "2"
category = "drones"
"#;

#[test]
fn toml_json_and_csv_lists_load() {
    let dir = tempfile::tempdir().unwrap();
    let l = ProductList::load(write(&dir, "w.toml", GOOD_TOML), None).unwrap();
    assert_eq!(
        (l.name(), l.version(), l.vintage(), l.len()),
        ("watch", "2024-03", Vintage::Hs(2022), 2)
    );
    assert_eq!(l.entries()[0].attrs.control_entries, vec!["3A001"]);
    assert_eq!(l.entries()[1].line, Some(13));
    let (e, kind) = l.lookup("880621").unwrap();
    assert_eq!((e.code.as_str(), kind.as_str()), ("8806", "prefix"));

    let json = r#"{"name": "watch", "version": "2024-04", "vintage": "HS2022",
        "entries": [{"code": "854231", "tier": "1"}, {"code": "850760", "tier": "2"}]}"#;
    let j = ProductList::load(write(&dir, "w.json", json), None).unwrap();
    assert!(j.entries()[0].attrs.extra.is_empty());
    let d = j.diff(&l);
    assert_eq!(d.added, vec!["850760"]);
    assert_eq!(d.removed, vec!["8806"]);
    assert_eq!(d.changed.len(), 1, "{d}"); // control entry of 854231 dropped
    assert!(d.to_string().contains("+ 850760"));

    let opts = CsvListOptions {
        name: "c".into(),
        version: "1".into(),
        effective: None,
        vintage: Vintage::Hs(2022),
        tiers: vec![],
    };
    let c = ProductList::load(
        write(&dir, "c.csv", "code,tier,note\n854231,1,cpu\n\"852589\",3.A,\n"),
        Some(&opts),
    )
    .unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c.entries()[0].attrs.extra["note"], "cpu");
}

fn err_text(e: Error) -> String {
    e.to_string()
}

#[test]
fn bad_list_files_say_file_line_value_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // Unknown tier.
    let p = write(&dir, "tier.toml", &GOOD_TOML.replace("tier = \"2\"", "tier = \"7\""));
    let e = err_text(ProductList::load(&p, None).unwrap_err());
    assert!(
        e.contains("tier.toml") && e.contains("line 13") && e.contains("\"7\"") && e.contains("declared tiers"),
        "{e}"
    );
    // Malformed code (leading zero lost).
    let p = write(&dir, "code.toml", &GOOD_TOML.replace("\"8806\"", "30211"));
    let e = err_text(ProductList::load(&p, None).unwrap_err());
    assert!(
        e.contains("code.toml") && e.contains("line 13") && e.contains("30211") && e.contains("leading zeros"),
        "{e}"
    );
    // Duplicate entry.
    let p = write(&dir, "dup.toml", &GOOD_TOML.replace("\"8806\"", "\"854231\""));
    let e = err_text(ProductList::load(&p, None).unwrap_err());
    assert!(
        e.contains("duplicate entry 854231") && e.contains("first at line 8") && e.contains("line 13"),
        "{e}"
    );
    // Wrong vintage: a CN8 code in an HS list.
    let p = write(&dir, "vint.toml", &GOOD_TOML.replace("\"8806\"", "\"85423190\""));
    let e = err_text(ProductList::load(&p, None).unwrap_err());
    assert!(
        e.contains("8-digit code in a list declared HS2022") && e.contains("CN2022"),
        "{e}"
    );
    let p = write(&dir, "vint2.toml", &GOOD_TOML.replace("HS2022", "HS2019"));
    let e = err_text(ProductList::load(&p, None).unwrap_err());
    assert!(e.contains("unknown vintage") && e.contains("HS2019"), "{e}");
    // Unknown field (a typo) is a format error with a line.
    let p = write(&dir, "typo.toml", &GOOD_TOML.replace("category", "categroy"));
    let e = err_text(ProductList::load(&p, None).unwrap_err());
    assert!(e.contains("typo.toml") && e.contains("categroy"), "{e}");
    // JSON: no lines, the entry is named by index.
    let p = write(
        &dir,
        "bad.json",
        r#"{"name":"x","version":"1","vintage":"HS2022","entries":[{"code":"854231"},{"code":"85x231"}]}"#,
    );
    let e = err_text(ProductList::load(&p, None).unwrap_err());
    assert!(
        e.contains("bad.json") && e.contains("entries[1].code") && e.contains("85x231"),
        "{e}"
    );
    // CSV: the line of the bad row.
    let opts = CsvListOptions {
        name: "c".into(),
        version: "1".into(),
        effective: None,
        vintage: Vintage::Hs(2022),
        tiers: vec!["1".into()],
    };
    let p = write(&dir, "bad.csv", "code,tier\n854231,1\n854232,2\n");
    let e = err_text(ProductList::load(&p, Some(&opts)).unwrap_err());
    assert!(
        e.contains("bad.csv") && e.contains("line 3") && e.contains("unknown tier"),
        "{e}"
    );
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn codes_of_another_vintage_are_reported_by_the_nomenclature() {
    let path = data_or_skip!("hs_nomenclature/hs2017_harmonized-system.csv");
    let hs17 = Nomenclature::load(&path, None).unwrap();
    assert_eq!(hs17.vintage(), Vintage::Hs(2017));
    let chpl = tradedep::classify::chpl::chpl();
    let check = hs17.check(chpl.codes());
    let mut unknown: Vec<&str> = check.unknown.iter().map(|(c, _)| c.as_str()).collect();
    unknown.sort();
    // The PROVENANCE of chpl/ lists the six HS2022-only codes.
    assert_eq!(unknown, ["852589", "854149", "854151", "854159", "854800", "880730"]);
    assert_eq!(check.known.len(), 44);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn nomenclatures_from_json_and_csv_agree_and_describe() {
    let json = data_or_skip!("hs_nomenclature/classificationH6.json");
    let csv = data_or_skip!("hs_nomenclature/hs2022_harmonized-system.csv");
    let a = Nomenclature::load(&json, None).unwrap();
    let b = Nomenclature::load(&csv, None).unwrap();
    assert_eq!((a.vintage(), b.vintage()), (Vintage::Hs(2022), Vintage::Hs(2022)));
    // Counted with Python (json/csv modules): 5,613 six-digit codes in each, same sets.
    assert_eq!(a.subheadings().count(), 5613);
    assert!(a.subheadings().eq(b.subheadings()));
    let d = b.describe("854470").unwrap();
    assert!(
        d.starts_with("854470 (HS2022): ") && d.to_lowercase().contains("optical fibre") && d.contains("8544"),
        "{d}"
    );
    let d = a.describe("85423190").unwrap();
    assert!(d.contains("854231") && d.contains("national code 85423190"), "{d}");
    let e = a.describe("999998").unwrap_err().to_string();
    assert!(e.contains("999998") && e.contains("HS2022"), "{e}");
    let check = a.check(["854231", "12345", "880730"]);
    assert_eq!(check.known, vec!["854231", "880730"]);
    assert_eq!(check.unknown.len(), 1);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn eu_833_annex_list_loads() {
    let path = data_or_skip!("eu_sanctions_cn_codes/eu_reg833_export_sanctioned_cn8_codes_2022-10.csv");
    let l = ProductList::from_eu833_csv(&path, "2022-10-07", 2022).unwrap();
    // PROVENANCE: 2,223 rows, all 8-digit, unique.
    assert_eq!(l.len(), 2223);
    assert_eq!(l.vintage(), Vintage::Cn(2022));
    for c in ["85423190", "85423111", "85176200", "84715000", "88073000"] {
        assert!(l.lookup(c).is_some(), "{c}");
    }
    assert!(l.entries()[0]
        .attrs
        .description
        .as_deref()
        .unwrap_or("")
        .contains("horses"));
}

#[test]
fn dual_use_correlation_table_in_the_documented_layout() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Correlation table CN - Annex I (2024)\n\
                CN code,TARIC code,Dual-use item (Annex I),Description\n\
                8542 31 90,8542319010,3A001.a.7,Processors\n\
                8542 31 90,8542319020,3A002,Processors n.e.s.\n\
                28444000,,0C001,Radioactive elements\n\
                93069090,,1A102; 9A120,Parts\n\
                29209085,,1C450.a,Chemicals\n";
    let l = dual_use::load_correlation(write(&dir, "du.csv", text), 2024, "2024").unwrap();
    assert_eq!(l.len(), 4);
    let (e, _) = l.lookup("85423190").unwrap();
    assert_eq!(e.attrs.control_entries, vec!["3A001.a.7", "3A002"]);
    assert_eq!(e.attrs.extra["taric"], "8542319010,8542319020");
    assert_eq!(e.attrs.extra["regime"], "Wassenaar Arrangement");
    assert_eq!(e.attrs.category.as_deref(), Some("3 electronics"));
    assert_eq!(e.line, Some(3));
    let (e, _) = l.lookup("93069090").unwrap();
    assert_eq!(e.attrs.extra["regime"], "MTCR");
    assert_eq!(
        l.lookup("28444000").unwrap().0.attrs.extra["regime"],
        "Nuclear Suppliers Group"
    );
    assert_eq!(
        l.lookup("29209085").unwrap().0.attrs.extra["regime"],
        "Chemical Weapons Convention"
    );
    // A malformed entry names the line and value.
    let bad = text.replace("3A002", "3Z002");
    let e = dual_use::load_correlation(write(&dir, "bad.csv", &bad), 2024, "2024")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("bad.csv") && e.contains("line 4") && e.contains("3Z002"),
        "{e}"
    );
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn a_code_of_another_edition_is_a_wrong_vintage_error() {
    let path = data_or_skip!("hs_nomenclature/classificationH5.json");
    let hs17 = Nomenclature::load(&path, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = CsvListOptions {
        name: "w".into(),
        version: "1".into(),
        effective: None,
        vintage: Vintage::Hs(2017),
        tiers: vec![],
    };
    let l = ProductList::load(write(&dir, "w.csv", "code\n854231\n880730\n"), Some(&opts)).unwrap();
    let e = l.check_against(&hs17).unwrap_err().to_string();
    assert!(
        e.contains("w.csv") && e.contains("line 3") && e.contains("880730") && e.contains("does not exist in HS2017"),
        "{e}"
    );
    let hs22 = tradedep::classify::chpl::chpl();
    assert!(hs22.check_against(&hs17).is_err()); // HS2022 list vs HS2017 nomenclature
}
