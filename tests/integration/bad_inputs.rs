//! The bad-input corpus (tests/data/bad, see its README): every file gives a clear error of the
//! right type naming file, line, column and value, never a panic.

use std::path::PathBuf;

use tradedep::io::baci::{read_baci, read_baci_bytes, BaciOptions};
use tradedep::{Error, Vintage};

fn bad(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bad")
        .join(name)
}

/// Reads a corpus file as HS2017 BACI (the corpus names do not carry a vintage).
fn read(name: &str) -> Error {
    let options = BaciOptions {
        vintage: Some(Vintage::Hs(2017)),
        ..Default::default()
    };
    match read_baci(&bad(name), &options) {
        Ok(t) => panic!("{name} was read ({} rows) but should fail", t.num_rows()),
        Err(e) => e,
    }
}

fn assert_mentions(err: &Error, parts: &[&str]) {
    let msg = err.to_string();
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
    }
}

#[test]
fn truncated_gzip_is_a_format_error() {
    let err = read("truncated_gz.csv.gz");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["truncated_gz.csv.gz", "truncated", "download it again"]);
}

#[test]
fn truncated_zip_is_a_format_error() {
    let err = read("truncated.zip");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["truncated.zip", "truncated"]);
}

#[test]
fn csv_cut_mid_line_names_the_line() {
    let err = read("cut_mid_line.csv");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(
        &err,
        &[
            "cut_mid_line.csv",
            "line 3",
            "4 field(s)",
            "2017,710,643,85423",
            "truncated",
        ],
    );
}

#[test]
fn csv_cut_inside_a_quote_names_line_and_column() {
    let err = read("cut_mid_quote.csv");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["cut_mid_quote.csv", "line 3", "column 'q'", "unterminated"]);
}

#[test]
fn wrong_header_is_named() {
    let err = read("wrong_header.csv");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["wrong_header.csv", "line 1", "year,exporter", "t,i,j,k,v,q"]);
}

#[test]
fn missing_header_is_named() {
    let err = read("missing_header.csv");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["missing_header.csv", "line 1", "missing header"]);
}

#[test]
fn text_in_a_number_column_is_a_parse_error() {
    let err = read("text_in_number.csv");
    assert!(matches!(err, Error::Parse { .. }), "{err:?}");
    assert_mentions(&err, &["text_in_number.csv", "line 3", "column 'v'", "\"n/a\""]);
}

#[test]
fn negative_value_is_invalid_data() {
    let err = read("negative_value.csv");
    assert!(matches!(err, Error::InvalidData { .. }), "{err:?}");
    assert_mentions(
        &err,
        &["negative_value.csv", "line 4", "column 'v'", "\"-3.5\"", "negative"],
    );
}

#[test]
fn unknown_country_code_is_named() {
    let err = read("unknown_country.csv");
    assert!(matches!(err, Error::UnknownCountry { .. }), "{err:?}");
    assert_mentions(
        &err,
        &["unknown_country.csv", "line 3", "column 'i'", "1234", "set_aside"],
    );
}

#[test]
fn empty_file_is_a_format_error() {
    let err = read("empty.csv");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["empty.csv", "empty"]);
}

#[test]
fn wrong_delimiter_is_named() {
    let err = read("semicolon.csv");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["semicolon.csv", "line 1", "wrong delimiter ';'"]);
}

#[test]
fn invalid_utf8_is_a_format_error() {
    let err = read("invalid_utf8.csv");
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["invalid_utf8.csv", "line 3", "column 'v'", "invalid UTF-8"]);
}

#[test]
fn invalid_utf8_header_is_a_format_error() {
    let err = read_baci_bytes(
        b"t,i,\xff,k,v,q\n",
        "BACI_HS17_Y2021_V202401.csv",
        &BaciOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_mentions(&err, &["line 1", "UTF-8"]);
}

#[test]
fn archive_mixing_vintages_is_refused() {
    let err = read_baci(&bad("mixed_vintages.zip"), &BaciOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidData { .. }), "{err:?}");
    assert_mentions(&err, &["mixed_vintages.zip", "HS2017", "HS2022", "mixes HS vintages"]);
}

#[test]
fn vintage_argument_disagreeing_with_the_name_is_refused() {
    let err = read("vintage_mismatch/BACI_HS22_Y2022_V202401.csv");
    assert!(matches!(err, Error::InvalidData { .. }), "{err:?}");
    assert_mentions(&err, &["BACI_HS22_Y2022_V202401.csv", "HS2017", "HS2022", "disagrees"]);
}

#[test]
fn row_of_another_year_than_the_file_name_is_refused() {
    let text = "t,i,j,k,v,q\n2021,4,24,382390,1.0,NA\n2020,4,24,382390,1.0,NA\n";
    let err = read_baci_bytes(text.as_bytes(), "BACI_HS17_Y2021_V202401.csv", &BaciOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidData { .. }), "{err:?}");
    assert_mentions(&err, &["line 3", "column 't'", "2020", "2021"]);
}

#[test]
fn product_code_too_long_is_refused() {
    let text = "t,i,j,k,v,q\n2021,4,24,38239012,1.0,NA\n";
    let err = read_baci_bytes(text.as_bytes(), "BACI_HS17_Y2021_V202401.csv", &BaciOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidProduct { .. }), "{err:?}");
    assert_mentions(&err, &["38239012", "line 2", "column 'k'"]);
}

#[test]
fn missing_file_is_an_io_error() {
    let err = read("no_such_file.csv");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert_mentions(&err, &["no_such_file.csv"]);
}

// ---- issue 9 item 11: inputs once taken without a word ----------------------------------------

#[test]
fn value_overflowing_when_scaled_is_refused() {
    let err = read("value_overflow.csv");
    assert!(matches!(err, Error::InvalidData { .. }), "{err:?}");
    assert_mentions(
        &err,
        &[
            "value_overflow.csv",
            "line 3",
            "column 'v'",
            "too large to be a trade value",
        ],
    );
}

#[test]
fn one_digit_product_is_not_padded() {
    let err = read("product_one_digit.csv");
    assert!(matches!(err, Error::InvalidProduct { .. }), "{err:?}");
    assert_mentions(&err, &["line 3", "column 'k'", "5 or 6 digits"]);
}

#[test]
fn overlong_country_is_named_as_a_country() {
    let err = read("country_too_long.csv");
    assert!(matches!(err, Error::InvalidData { .. }), "{err:?}");
    assert_mentions(&err, &["line 3", "column 'i'", "a country code has 11 digits"]);
    assert!(!err.to_string().contains("trade value"), "{err}");
}

#[test]
fn zip_with_two_files_of_one_year_is_refused() {
    let err = read("two_members_one_year.zip");
    assert!(matches!(err, Error::InvalidData { .. }), "{err:?}");
    assert_mentions(&err, &["two files for year 2017", "V202401", "V202501"]);
}

#[test]
fn rows_of_one_key_with_other_values_are_kept() {
    // Not a duplicate: kept, as every reader keeps such rows (metrics sum them).
    let options = BaciOptions {
        vintage: Some(Vintage::Hs(2017)),
        ..Default::default()
    };
    let t = read_baci(&bad("duplicate_conflict.csv"), &options).unwrap();
    assert_eq!(t.num_rows(), 3);
    assert!(t.report().set_aside.is_empty());
}

#[test]
fn exact_duplicate_rows_are_set_aside_and_counted() {
    let options = BaciOptions {
        vintage: Some(Vintage::Hs(2017)),
        ..Default::default()
    };
    // In file order and out of it (the second path sorts keys).
    let shuffled = "t,i,j,k,v,q\n2017,4,24,10121,1.0,NA\n2017,4,8,10121,12.5,NA\n2017,4,8,10121,12.5,NA\n";
    for t in [
        read_baci(&bad("duplicate_exact.csv"), &options).unwrap(),
        read_baci_bytes(shuffled.as_bytes(), "x.csv", &options).unwrap(),
    ] {
        assert_eq!(t.num_rows(), 2);
        let r = t.report();
        assert_eq!(r.set_aside.get(tradedep::model::REASON_DUPLICATE), Some(&1));
        assert!(r.is_balanced());
        assert!(r.notes.iter().any(|n| n.contains("1 duplicate row")), "{:?}", r.notes);
    }
}

#[test]
fn a_line_longer_than_a_chunk_has_its_line_number() {
    let text = format!(
        "t,i,j,k,v,q\n{}{}\n",
        "2017,4,8,10121,12.5,NA\n".repeat(3),
        "9".repeat(5000)
    );
    let options = BaciOptions {
        vintage: Some(Vintage::Hs(2017)),
        chunk_bytes: 1000,
        ..Default::default()
    };
    // Streamed (bytes) and mapped (a plain file).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    std::fs::write(&path, &text).unwrap();
    for err in [
        read_baci_bytes(text.as_bytes(), "long.csv", &options).unwrap_err(),
        read_baci(&path, &options).unwrap_err(),
    ] {
        assert!(matches!(err, Error::Format { .. }), "{err:?}");
        assert_mentions(&err, &["long.csv", "line 5", "no line break"]);
    }
}

#[test]
fn cancelled_read_stops_with_cancelled() {
    let cancel = tradedep::cancel::Cancellation::new();
    cancel.cancel();
    let options = BaciOptions {
        vintage: Some(Vintage::Hs(2017)),
        chunk_bytes: 1000,
        cancel: Some(&cancel),
        ..Default::default()
    };
    let text = format!("t,i,j,k,v,q\n{}", "2017,4,8,10121,12.5,NA\n".repeat(500));
    let err = read_baci_bytes(text.as_bytes(), "x.csv", &options).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
}

mod generic_and_stats {
    //! The generic CSV/Arrow readers and Comtrade/Comext on the same campaign's inputs.
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use tradedep::io::arrow_input::{from_record_batches, ColumnMapping};
    use tradedep::io::comext::{read_comext_reader, ComextOptions};
    use tradedep::io::comtrade::{read_comtrade_bytes, ComtradeOptions};
    use tradedep::io::generic::{read_csv_bytes, CsvOptions};
    use tradedep::{Error, Flow};

    use arrow_array::cast::AsArray;

    use super::assert_mentions;

    fn mapping() -> ColumnMapping {
        ColumnMapping::new()
            .column("period", "t")
            .column("reporter", "i")
            .column("partner", "j")
            .column("product", "k")
            .column("value", "v")
            .flow(Flow::Export)
    }

    fn csv(text: &str) -> tradedep::Result<tradedep::TradeTable> {
        read_csv_bytes(text.as_bytes(), "x.csv", &mapping(), &CsvOptions::default())
    }

    const PLUS: &str = "refYear,refMonth,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,motCode,qtyUnitCode,qtyUnitAbbr,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported";

    fn comtrade(row: &str) -> tradedep::Result<tradedep::TradeTable> {
        read_comtrade_bytes(
            format!("{PLUS}\n{row}\n").as_bytes(),
            "c.csv",
            &ComtradeOptions::default(),
        )
    }

    #[test]
    fn periods_keep_their_characters() {
        for p in ["-2021", "20x21", "2021.", "x2021y", "2021-03-99", "202113", "\"-2021\""] {
            let err = csv(&format!("t,i,j,k,v\n{p},4,8,010121,5\n")).unwrap_err();
            assert!(matches!(err, Error::Parse { .. }), "{p}: {err:?}");
            assert_mentions(&err, &["x.csv", "line 2", "column 't'"]);
        }
        // An integer column with a sign.
        let schema = Arc::new(Schema::new(vec![
            Field::new("t", DataType::Int64, false),
            Field::new("i", DataType::Int64, false),
            Field::new("j", DataType::Int64, false),
            Field::new("k", DataType::Utf8, false),
            Field::new("v", DataType::Float64, false),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![-2021])),
            Arc::new(Int64Array::from(vec![4])),
            Arc::new(Int64Array::from(vec![8])),
            Arc::new(StringArray::from(vec!["010121"])),
            Arc::new(Float64Array::from(vec![5.0])),
        ];
        let batch = RecordBatch::try_new(schema, cols).unwrap();
        assert!(matches!(
            from_record_batches(vec![batch], &mapping()),
            Err(Error::Parse { .. })
        ));
    }

    #[test]
    fn text_after_a_closing_quote_is_refused() {
        let err = csv("t,i,j,k,v\n2021,4,8,010121,\"12\"34\n").unwrap_err();
        assert!(matches!(err, Error::Format { .. }), "{err:?}");
        assert_mentions(&err, &["x.csv", "line 2", "after the closing quote"]);
        // Spaces after a closing quote are still fine.
        assert_eq!(csv("t,i,j,k,v\n2021,4,8,010121,\"12\"  \n").unwrap().num_rows(), 1);
    }

    #[test]
    fn duplicated_column_names_are_refused() {
        let err = csv("t,i,j,k,v,v\n2021,4,8,010121,5,7\n").unwrap_err();
        assert_mentions(&err, &["two columns are named \"v\"", "columns 5 and 6"]);
        let text = format!("{PLUS},primaryValue\n2021,52,2021,51,M,643,0,H5,870323,C00,0,5,u,6,,50,,50,true,9\n");
        let err = read_comtrade_bytes(text.as_bytes(), "c.csv", &ComtradeOptions::default()).unwrap_err();
        assert_mentions(&err, &["two columns are named"]);
        let comext = "DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,FLOW,PERIOD,VALUE_IN_EUROS,PERIOD\nFR,RU,85423190,2,202101,10,202101\n";
        let err = read_comext_reader(comext.as_bytes(), "full.dat", &ComextOptions::default()).unwrap_err();
        assert_mentions(&err, &["full.dat", "two columns are named \"PERIOD\""]);
    }

    #[test]
    fn exact_duplicate_rows_are_set_aside_everywhere() {
        let t = csv("t,i,j,k,v\n2021,4,8,010121,5\n2021,4,8,010121,5\n2021,4,8,010121,6\n").unwrap();
        assert_eq!(t.num_rows(), 2, "an exact repeat is set aside, a differing row kept");
        assert_eq!(t.report().set_aside.get(tradedep::model::REASON_DUPLICATE), Some(&1));
        assert!(t.report().is_balanced());
        let row = "2021,52,2021,51,M,643,0,H5,870323,C00,0,5,u,6,,50,,50,true";
        let t = comtrade(&format!("{row}\n{row}")).unwrap();
        assert_eq!(t.num_rows(), 1);
        assert_eq!(t.report().set_aside.get(tradedep::model::REASON_DUPLICATE), Some(&1));
        let long = "reporter_iso2,partner_iso2,product_code,level,period,value_eur\nFR,RU,85423190,CN8,2021-01,10\nFR,RU,85423190,CN8,2021-01,10\n";
        let t = read_comext_reader(long.as_bytes(), "long.csv", &ComextOptions::default()).unwrap();
        assert_eq!(t.num_rows(), 1);
        assert_eq!(t.report().set_aside.get(tradedep::model::REASON_DUPLICATE), Some(&1));
        let conflict = long.replacen("2021-01,10\n", "2021-01,11\n", 1);
        assert!(read_comext_reader(conflict.as_bytes(), "long.csv", &ComextOptions::default()).is_err());
    }

    #[test]
    fn comtrade_month_13_comma_and_negative_weight() {
        let err = comtrade("2021,13,2021,51,M,643,0,H5,870323,C00,0,5,u,6,,50,,50,true").unwrap_err();
        assert_mentions(&err, &["c.csv", "line 2", "refMonth", "13"]);
        let err = comtrade("2021,52,2021,51,M,643,0,H5,870323,C00,0,5,u,6,,50,,\"1,5\",true").unwrap_err();
        assert_mentions(&err, &["primaryValue", "1,5"]);
        let t = comtrade("2021,52,2021,51,M,643,0,H5,870323,C00,0,5,u,6,,50,,\"1,234.5\",true").unwrap();
        let value = &t.column("value").unwrap()[0];
        assert_eq!(value.as_primitive::<arrow_array::types::Float64Type>().value(0), 1234.5);
        let t = comtrade("2021,52,2021,51,M,643,0,H5,870323,C00,0,5,u,6,-3,50,,50,true").unwrap();
        assert!(t
            .report()
            .notes
            .iter()
            .any(|n| n.contains("1 rows have a negative netWgt")));
    }

    #[test]
    fn delimiter_and_estimated_flags() {
        let options = CsvOptions {
            delimiter: b'\n',
            ..Default::default()
        };
        let err = read_csv_bytes(b"t,i,j,k,v\n", "x.csv", &mapping(), &options).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
        let m = mapping().column("estimated", "e");
        let err = read_csv_bytes(
            b"t,i,j,k,v,e\n2021,4,8,010121,5,maybe\n",
            "x.csv",
            &m,
            &CsvOptions::default(),
        )
        .unwrap_err();
        assert_mentions(&err, &["line 2", "column 'e'", "maybe"]);
    }
}
