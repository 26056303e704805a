//! `read_baci` restricted to some importers (`BaciOptions::importers`): the rows kept are the
//! full read's rows of those importers (checked against an independent parse of the real
//! sample), the rest is counted, the table remembers the restriction, metrics on it equal those
//! on the full table for the importers read, and refuse what it cannot answer.

use std::io::Read;

use arrow_array::cast::AsArray;
use arrow_array::RecordBatch;
use tradedep::io::baci::{read_baci, read_baci_bytes, BaciOptions, OnUnknownCountry, REASON_IMPORTER};
use tradedep::metrics::{
    bilateral_asymmetry, complexity, concentration, dependency_flags, rca, rerouting, supplier_shares,
    AsymmetryOptions, By, ComplexityOptions, ConcentrationOptions, FlagOptions, Importer, RcaOptions, ReroutingOptions,
    SharesOptions, Source,
};
use tradedep::{Error, TradeTable};

use crate::io_baci::{reference_rows, rows};

const AGO: u16 = 24;
const CHN: u16 = 156;
const RUS: u16 = 643;
const UKR: u16 = 804;
const NAME: &str = "BACI_HS17_Y2021_V202401.csv";

fn message(r: tradedep::Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn sample_text() -> Option<(std::path::PathBuf, String)> {
    let path = crate::common::shared_data()?.join("baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    Some((path, text))
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn real_sample_restricted_is_the_independent_parse_of_those_importers() {
    let Some((path, text)) = sample_text() else { return };
    let wanted = [CHN, AGO, RUS];
    let expected: Vec<_> = reference_rows(&text)
        .into_iter()
        .filter(|r| wanted.contains(&r.2))
        .collect();
    assert!(expected.len() > 100, "the sample has rows of these importers");
    for chunk_bytes in [0, 50_000] {
        let opts = BaciOptions {
            importers: Some(&wanted),
            chunk_bytes,
            ..Default::default()
        };
        let t = read_baci(&path, &opts).unwrap();
        assert_eq!(rows(&t), expected, "chunk_bytes {chunk_bytes}");
        let r = t.report();
        assert_eq!(r.rows_read, 71192);
        assert_eq!(r.rows_kept, expected.len() as u64);
        assert_eq!(r.set_aside[REASON_IMPORTER], 71192 - expected.len() as u64);
        assert!(r.is_balanced());
        assert_eq!(r.examples[REASON_IMPORTER].len(), 5, "a few lines named, not every row");
        assert_eq!(t.meta().importers, Some(vec![AGO, CHN, RUS]), "sorted");
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("limited to flows into AGO, CHN, RUS")),
            "{:?}",
            r.notes
        );
        t.validate().unwrap();
    }
}

/// Rows the fast parser leaves to the careful one (spaces, quotes, a blank line) are kept or
/// set aside by importer alike; errors in kept rows still stop the read.
#[test]
fn careful_rows_are_filtered_too_and_errors_in_kept_rows_still_stop() {
    let text = "t,i,j,k,v,q\n\
                2021,156,643,854231,1.5,2\n\
                2021, 156 ,804,854231,2.5,NA\n\
                \n\
                \"2021\",\"156\",\"643\",\"10121\",\"3\",\"  4\"\n\
                2021,156,804,854231,7,1\n";
    let opts = BaciOptions {
        importers: Some(&[RUS]),
        ..Default::default()
    };
    let t = read_baci_bytes(text.as_bytes(), NAME, &opts).unwrap();
    let got = rows(&t);
    assert_eq!(
        got,
        vec![
            (2021, CHN, RUS, "854231".to_string(), 1500.0, Some(2.0)),
            (2021, CHN, RUS, "010121".to_string(), 3000.0, Some(4.0)),
        ]
    );
    assert_eq!((t.report().rows_read, t.report().set_aside[REASON_IMPORTER]), (4, 2));
    // A bad value in a row kept is an error naming the line; in a row of another importer it is
    // not parsed (documented).
    let bad_kept = "t,i,j,k,v,q\n2021,156,643,854231,x,2\n";
    let m = message(read_baci_bytes(bad_kept.as_bytes(), NAME, &opts));
    assert!(m.contains("line 2"), "{m}");
    let bad_other = "t,i,j,k,v,q\n2021,156,643,854231,1,2\n2021,156,804,854231,x,2\n";
    let t = read_baci_bytes(bad_other.as_bytes(), NAME, &opts).unwrap();
    assert_eq!(t.num_rows(), 1);
    // The importer itself is checked on every row: an unknown code stays an error.
    let unknown = "t,i,j,k,v,q\n2021,156,643,854231,1,2\n2021,156,9999,854231,1,2\n";
    assert!(read_baci_bytes(unknown.as_bytes(), NAME, &opts).is_err());
    let aside = BaciOptions {
        on_unknown_country: OnUnknownCountry::SetAside,
        ..opts
    };
    assert_eq!(read_baci_bytes(unknown.as_bytes(), NAME, &aside).unwrap().num_rows(), 1);
}

#[test]
fn an_empty_or_unknown_list_of_importers_is_refused() {
    let text = b"t,i,j,k,v,q\n2021,156,643,854231,1.5,2\n";
    let empty = BaciOptions {
        importers: Some(&[]),
        ..Default::default()
    };
    assert!(message(read_baci_bytes(text, NAME, &empty)).contains("importers=[] keeps no row"));
    let unknown = BaciOptions {
        importers: Some(&[9999]),
        ..Default::default()
    };
    assert!(message(read_baci_bytes(text, NAME, &unknown)).contains("9999"));
}

/// A small world: China, Russia, Ukraine, Angola trading two products.
fn world_text() -> String {
    let mut text = String::from("t,i,j,k,v,q\n");
    let countries = [AGO, CHN, RUS, UKR, 276, 842];
    let mut v = 1.0;
    for (n, i) in countries.iter().enumerate() {
        for j in countries.iter().filter(|j| *j != i) {
            for k in ["854231", "850760"] {
                v = (v * 7.0 + n as f64) % 97.0 + 1.0;
                text.push_str(&format!("2021,{i},{j},{k},{v},{}\n", v / 3.0));
            }
        }
    }
    text
}

fn read(importers: Option<&[u16]>) -> TradeTable {
    let opts = BaciOptions {
        importers,
        ..Default::default()
    };
    read_baci_bytes(world_text().as_bytes(), NAME, &opts).unwrap()
}

fn batch_eq(a: &RecordBatch, b: &RecordBatch) {
    assert_eq!(a.schema(), b.schema());
    assert_eq!(a.num_rows(), b.num_rows());
    for c in 0..a.num_columns() {
        assert_eq!(
            a.column(c).to_data(),
            b.column(c).to_data(),
            "column {}",
            a.schema().field(c).name()
        );
    }
}

#[test]
fn metrics_on_a_restricted_table_equal_those_on_the_full_one() {
    let (full, part) = (read(None), read(Some(&[RUS, UKR])));
    assert_eq!(part.meta().importers, Some(vec![RUS, UKR]));
    for importer in [RUS, UKR] {
        let mut opts = SharesOptions::new(vec![Importer::country(importer)]);
        opts.imports.source = Source::Mirror;
        opts.by = vec![By::Year, By::Product];
        batch_eq(
            &supplier_shares(&part, &opts).unwrap(),
            &supplier_shares(&full, &opts).unwrap(),
        );
    }
    // Every importer of the restricted table: exactly the full table's rows of those importers.
    let mut opts = ConcentrationOptions {
        by: vec![By::Year, By::Product],
        ..Default::default()
    };
    opts.imports.source = Source::Mirror;
    let on_part = concentration(&part, &opts).unwrap();
    let on_full = concentration(&full, &opts).unwrap();
    let importer_col = |b: &RecordBatch| -> Vec<String> {
        b.column_by_name("importer")
            .unwrap()
            .as_string::<i32>()
            .iter()
            .map(|s| s.unwrap().to_string())
            .collect()
    };
    let keep: Vec<u32> = importer_col(&on_full)
        .iter()
        .enumerate()
        .filter(|(_, i)| *i == "RUS" || *i == "UKR")
        .map(|(r, _)| r as u32)
        .collect();
    let idx = arrow_array::UInt32Array::from(keep);
    let filtered = RecordBatch::try_new(
        on_full.schema(),
        on_full
            .columns()
            .iter()
            .map(|c| arrow_select::take::take(c, &idx, None).unwrap())
            .collect(),
    )
    .unwrap();
    assert_eq!(on_part.num_rows(), 4, "2 importers x 2 products");
    batch_eq(&on_part, &filtered);
}

#[test]
fn metrics_refuse_what_a_restricted_table_cannot_answer() {
    let part = read(Some(&[RUS]));
    let mut shares = SharesOptions::new(vec![Importer::country(UKR)]);
    shares.imports.source = Source::Mirror;
    let m = message(supplier_shares(&part, &shares));
    assert!(
        m.contains("UKR is not covered") && m.contains("limited to flows into RUS"),
        "{m}"
    );
    assert!(m.contains("importers= including UKR"), "{m}");
    // A group is covered only when every member is.
    let mut eaeu = SharesOptions::new(vec![Importer::group("EAEU")]);
    eaeu.imports.source = Source::Mirror;
    assert!(message(supplier_shares(&part, &eaeu)).contains("EAEU is not covered"));
    let asym = AsymmetryOptions {
        a: Importer::country(RUS),
        b: Importer::country(CHN),
        products: None,
        by: vec![By::Year],
        source: Source::Mirror,
        cif_fob: 1.0,
        cancel: Default::default(),
    };
    assert!(message(bilateral_asymmetry(&part, &asym)).contains("exports to every destination"));
    let world = "every exporter's exports to every destination";
    assert!(message(rca(&part, &RcaOptions::default())).contains(world));
    assert!(message(complexity(&part, &ComplexityOptions::default())).contains(world));
    let reroute = ReroutingOptions::new(Importer::group("EU27"), vec![398], RUS, (2021, 2021));
    assert!(message(rerouting(&part, &reroute)).contains("every destination"));
    // The flags: C1 from Russia's imports, the world criteria null with the reason.
    let flags = FlagOptions {
        source: Source::Mirror,
        world_min_countries: 2,
        ..Default::default()
    };
    let out = dependency_flags(&part, &flags).unwrap();
    let reasons = out.column_by_name("c2_reason").unwrap().as_string::<i32>();
    assert!(out.num_rows() > 0);
    for r in reasons.iter() {
        assert!(r.unwrap().contains("limited to flows into RUS"), "{r:?}");
    }
    // On the full table the same call has world criteria (a world at a bar of 2 countries).
    let out = dependency_flags(&read(None), &flags).unwrap();
    assert_eq!(out.column_by_name("c2_reason").unwrap().null_count(), out.num_rows());
}

#[test]
fn concat_covers_the_importers_every_table_covers_and_metadata_round_trips() {
    let both = TradeTable::concat(vec![read(Some(&[RUS, UKR])), read(Some(&[RUS, CHN]))]).unwrap();
    assert_eq!(both.meta().importers, Some(vec![RUS]));
    assert_eq!(both.schema().metadata()["tradedep.importers"], "643");
    let mixed = TradeTable::concat(vec![read(None), read(Some(&[UKR]))]).unwrap();
    assert_eq!(mixed.meta().importers, Some(vec![UKR]));
    let none = TradeTable::concat(vec![read(None), read(None)]).unwrap();
    assert_eq!(none.meta().importers, None);
    // Through Parquet and back, the restriction stays.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rus.parquet");
    tradedep::io::write_parquet(&both, &path).unwrap();
    let back = tradedep::io::read_parquet(&path, None).unwrap();
    assert_eq!(back.meta().importers, Some(vec![RUS]));
}

#[test]
fn a_restricted_read_of_a_file_is_that_of_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(NAME);
    std::fs::write(&path, world_text()).unwrap();
    let opts = BaciOptions {
        importers: Some(&[UKR, RUS]),
        ..Default::default()
    };
    let from_file = read_baci(&path, &opts).unwrap();
    assert_eq!(rows(&from_file), rows(&read(Some(&[RUS, UKR]))));
    let expected = reference_rows(&world_text())
        .into_iter()
        .filter(|r| r.2 == RUS || r.2 == UKR)
        .count();
    assert_eq!(from_file.num_rows(), expected);
    let e: Error = read_baci(
        &path,
        &BaciOptions {
            importers: Some(&[]),
            ..opts
        },
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
}
