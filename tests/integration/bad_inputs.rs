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
