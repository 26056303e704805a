//! The coverage check run before a metric: selections that select nothing are errors naming
//! what the table holds; the facts of a selection that selects something, checked by hand.

use tradedep::metrics::{check_selection, supplier_shares, By, ImportSelection, Importer, SharesOptions, Source};
use tradedep::model::{Flow, Freq, ProductSelection, TableMeta, TradeRow, TradeTable, TradeTableBuilder, Vintage};
use tradedep::Error;

const RUS: u16 = 643;
const KAZ: u16 = 398;
const DEU: u16 = 276;
const CHN: u16 = 156;

/// Exporters' reports only, as BACI or a Comext export file.
fn exports_only() -> TradeTable {
    let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    for (y, rep, par, code, v, q) in [
        (2021, DEU, RUS, "850760", 100.0, Some(10.0)),
        (2021, CHN, RUS, "850760", 300.0, None),
        (2021, CHN, KAZ, "854231", 50.0, Some(1.0)),
    ] {
        let mut row = TradeRow::new(y, rep, par, Flow::Export, code, v);
        row.quantity = q;
        row.quantity_unit = q.map(|_| "kg");
        b.push(row).unwrap();
    }
    b.finish().unwrap()
}

/// Russia reports in 2021, not in 2022 (mirror there); Germany reports its exports both years.
fn mixed() -> TradeTable {
    let mut b = TradeTableBuilder::new("m", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
    for (y, rep, par, flow, v) in [
        (2021, RUS, DEU, Flow::Import, 110.0),
        (2021, DEU, RUS, Flow::Export, 100.0),
        (2022, DEU, RUS, Flow::Export, 80.0),
        (2022, CHN, RUS, Flow::Export, 20.0),
    ] {
        b.push(TradeRow::new(y, rep, par, flow, "850760", v)).unwrap();
    }
    b.finish().unwrap()
}

fn selection(source: Source, products: Option<&[&str]>) -> ImportSelection {
    ImportSelection {
        source,
        products: products.map(|p| ProductSelection::from_codes("asked", p.iter(), Some(Vintage::Hs(2017)))),
        ..Default::default()
    }
}

fn message(r: tradedep::Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn reported_on_an_exporter_table_says_use_mirror_or_auto() {
    let t = exports_only();
    let rus = [Importer::country(RUS)];
    let m = message(check_selection(&t, Some(&rus), &selection(Source::Reported, None)));
    assert!(m.contains("RUS reported no imports"), "{m}");
    assert!(m.contains("source=\"mirror\""), "{m}");
    // Every importer: the source itself reads no row.
    let m = message(check_selection(&t, None, &selection(Source::Reported, None)));
    assert!(m.contains("no row of this table is an import"), "{m}");
}

#[test]
fn an_importer_absent_from_the_table_lists_what_it_holds() {
    let m = message(check_selection(
        &exports_only(),
        Some(&[Importer::country(9999)]),
        &selection(Source::Auto, None),
    ));
    assert!(m.contains("9999 is in no row of the table as an importer"), "{m}");
    assert!(
        m.contains("exports reported by 2 countries (DEU, CHN)") || m.contains("(CHN, DEU)"),
        "{m}"
    );
}

#[test]
fn malformed_and_too_long_codes_are_invalid_products() {
    let t = exports_only();
    for (code, hint) in [
        ("8507.60", "\"850760\""),
        ("abc", "leading zero"),
        ("85076010", "at most 6 digits"),
        ("10620", "leading zero"),
    ] {
        let r = check_selection(&t, None, &selection(Source::Mirror, Some(&[code])));
        assert!(matches!(r, Err(Error::InvalidProduct { .. })), "{code}: {r:?}");
        let m = message(r);
        assert!(m.contains(hint), "{code}: {m}");
    }
}

#[test]
fn products_absent_are_listed_and_none_present_is_an_error() {
    let t = exports_only();
    let rus = [Importer::country(RUS)];
    let c = check_selection(
        &t,
        Some(&rus),
        &selection(Source::Mirror, Some(&["850760", "8803", "854231"])),
    )
    .unwrap();
    // 854231 is in the table, but not in Russia's imports.
    assert_eq!(c.products_absent, vec!["854231".to_string(), "8803".to_string()]);
    assert_eq!((c.products_asked, c.products_selected), (3, 1));
    let m = message(check_selection(
        &t,
        Some(&rus),
        &selection(Source::Mirror, Some(&["8803"])),
    ));
    assert!(m.contains("none of the 1 product code(s)"), "{m}");
    assert!(m.contains("the table holds 2 product codes (850760, 854231)"), "{m}");
}

#[test]
fn coverage_facts_by_hand() {
    let t = exports_only();
    let c = check_selection(&t, Some(&[Importer::country(RUS)]), &selection(Source::Auto, None)).unwrap();
    // No import row anywhere: auto reads exactly the mirror rows.
    assert_eq!(c.source_used, Source::Mirror);
    assert_eq!((c.records_reported, c.records_mirror), (0, 2));
    assert_eq!(c.value_mirror, 400.0);
    assert_eq!(c.suppliers, vec![CHN, DEU]);
    assert_eq!(c.exporters_reporting, vec![CHN, DEU]);
    assert!(c.importers_reporting.is_empty());
    // 100 of 400 has a quantity.
    assert_eq!(c.quantity_share(), Some(0.25));

    let m = mixed();
    let c = check_selection(&m, Some(&[Importer::country(RUS)]), &selection(Source::Auto, None)).unwrap();
    assert_eq!(c.source_used, Source::Auto);
    // 2021 from Russia's report, 2022 from DEU's and CHN's exports.
    assert_eq!((c.records_reported, c.records_mirror), (1, 2));
    assert_eq!((c.value_reported, c.value_mirror), (110.0, 100.0));
    assert_eq!(c.importers_reporting, vec![RUS]);
}

#[test]
fn auto_is_the_default_that_fits_an_exporter_table() {
    // The same numbers as mirror, where reported would select nothing.
    let t = exports_only();
    let mut opts = SharesOptions::new(vec![Importer::country(RUS)]);
    opts.by = vec![By::Year];
    opts.imports.source = Source::Auto;
    let auto = supplier_shares(&t, &opts).unwrap();
    opts.imports.source = Source::Mirror;
    let mirror = supplier_shares(&t, &opts).unwrap();
    assert_eq!(auto.num_rows(), 2);
    assert_eq!(auto.column_by_name("share"), mirror.column_by_name("share"));
    // by year on an annual table names the column year.
    assert!(auto.column_by_name("year").is_some());
    assert!(auto.column_by_name("period").is_none());
}

/// Rust callers get the check the binding runs first: an empty selection is an error naming
/// what the table holds, never an empty (or all-zero) result.
#[test]
fn metrics_refuse_an_empty_selection_instead_of_an_empty_result() {
    use tradedep::metrics::{
        compare, concentration, import_series, unit_values, CompareOptions, ConcentrationOptions, SeriesOptions,
        UnitValueOptions,
    };
    let t = exports_only();
    let rus = vec![Importer::country(RUS)];
    let reported = selection(Source::Reported, None);
    let mut shares = SharesOptions::new(rus.clone());
    shares.imports = reported.clone();
    let m = message(supplier_shares(&t, &shares));
    assert!(m.contains("RUS reported no imports"), "{m}");
    let conc = ConcentrationOptions {
        imports: reported.clone(),
        ..Default::default()
    };
    let m = message(concentration(&t, &conc));
    assert!(m.contains("no row of this table is an import"), "{m}");
    let mut series = SeriesOptions::new(rus.clone(), tradedep::metrics::SeriesFreq::Year);
    series.imports = selection(Source::Mirror, Some(&["2709"]));
    let m = message(import_series(&t, &series));
    assert!(m.contains("2709"), "{m}");
    let mut uv = UnitValueOptions::new(rus.clone());
    uv.imports = reported.clone();
    assert!(message(unit_values(&t, &uv)).contains("RUS reported no imports"));
    let mut cmp = CompareOptions::new(vec![Importer::country(RUS), Importer::country(KAZ)]);
    cmp.imports = reported;
    assert!(message(compare(&t, &cmp)).contains("reported no imports"));
    // The same calls with a source that reads the table answer.
    shares.imports = selection(Source::Mirror, None);
    assert_eq!(supplier_shares(&t, &shares).unwrap().num_rows(), 2);
}
