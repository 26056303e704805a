//! The streaming BACI path (`scan_baci` and `importer_product_concentration_baci`) against the
//! materialised path (`read_baci` + the kernel over the table) and against a plain HashMap
//! computation over rows parsed with std.

use std::collections::HashMap;
use std::io::Write;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt16Type};
use arrow_array::Array;
use tradedep::io::baci::{read_baci, scan_baci, BaciOptions, OnUnknownCountry};
use tradedep::metrics::{importer_product_concentration_baci, importer_product_concentration_table, Source};
use tradedep::Error;

/// A BACI-shaped file with `n` rows: several exporters per (importer, product), a tie, NA
/// quantities, CRLF and quoted header, as the real files have.
fn baci_text(n: usize) -> String {
    let countries = [4u16, 24, 36, 156, 251, 276, 392, 643, 710, 842];
    let mut s = String::from("\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n");
    let mut x: u64 = 12345;
    for r in 0..n {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let i = countries[(x >> 33) as usize % countries.len()];
        let j = countries[(x >> 40) as usize % countries.len()];
        let k = [10121u32, 382390, 854231, 90111, 270900][(x >> 50) as usize % 5];
        // Values with few distinct amounts so that ties happen.
        let v = [1.5f64, 2.0, 0.001, 13.25, 2.0][(x >> 20) as usize % 5];
        // Quantities differ row by row, so that no row repeats another exactly (readers set
        // exact repeats aside; rows of one key with other numbers are kept and summed).
        let q = if r % 7 == 0 {
            "\"           NA\"".to_string()
        } else {
            format!("\"{:>13}\"", format!("{}.5", r))
        };
        let v = if r % 7 == 0 { 100.0 + r as f64 } else { v };
        s.push_str(&format!("2021,{i},{j},{k},{v},{q}\r\n"));
    }
    s
}

fn write_file(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    path
}

/// (importer, product) -> (total, hhi, top, top share), from std parsing and a HashMap.
fn reference(text: &str) -> HashMap<(u16, String), (f64, f64, u16, f64)> {
    let mut sums: HashMap<(u16, String), HashMap<u16, f64>> = HashMap::new();
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.trim_end_matches('\r').split(',').collect();
        let i: u16 = f[1].parse().unwrap();
        let j: u16 = f[2].parse().unwrap();
        let k = format!("{:0>6}", f[3]);
        let v: f64 = f[4].parse::<f64>().unwrap() * 1000.0;
        *sums.entry((j, k)).or_default().entry(i).or_default() += v;
    }
    sums.into_iter()
        .map(|(key, sup)| {
            let mut sup: Vec<(u16, f64)> = sup.into_iter().collect();
            sup.sort_by_key(|s| s.0);
            let total: f64 = sup.iter().map(|s| s.1).sum();
            let hhi = sup.iter().map(|s| (s.1 / total) * (s.1 / total)).sum();
            // Largest value, ties to the lowest code (sup sorted by code: the first maximum).
            let mut top = sup[0];
            for s in &sup {
                if s.1 > top.1 {
                    top = *s;
                }
            }
            (key, (total, hhi, top.0, top.1 / total))
        })
        .collect()
}

#[test]
fn streaming_equals_the_table_path_and_an_independent_computation() {
    let dir = tempfile::tempdir().unwrap();
    let text = baci_text(20_000);
    let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", &text);
    for chunk_bytes in [0usize, 3000, 50_000] {
        let opts = BaciOptions {
            chunk_bytes,
            ..Default::default()
        };
        let (streamed, report) = importer_product_concentration_baci(&path, &opts).unwrap();
        let table = read_baci(&path, &opts).unwrap();
        let materialised = importer_product_concentration_table(&table, Source::Mirror).unwrap();
        assert_eq!(streamed, materialised, "chunk_bytes {chunk_bytes}");
        assert_eq!((report.rows_read, report.rows_kept), (20_000, 20_000));
        assert_eq!(report.rows_kept, table.report().rows_kept);
    }
    let (out, _) = importer_product_concentration_baci(
        &path,
        &BaciOptions {
            chunk_bytes: 3000,
            ..Default::default()
        },
    )
    .unwrap();
    agrees_with_reference(&out, &text);
}

/// Every cell of `out` against [`reference`] over the same text (a single year).
fn agrees_with_reference(out: &arrow_array::RecordBatch, text: &str) {
    let expected = reference(text);
    assert_eq!(out.num_rows(), expected.len());
    let imp = out.column_by_name("importer").unwrap().as_primitive::<UInt16Type>();
    let prod = out.column_by_name("product").unwrap().as_string::<i32>();
    let total = out.column_by_name("total_value").unwrap().as_primitive::<Float64Type>();
    let hhi = out.column_by_name("hhi").unwrap().as_primitive::<Float64Type>();
    let top = out.column_by_name("top_code").unwrap().as_primitive::<UInt16Type>();
    let share = out.column_by_name("top_share").unwrap().as_primitive::<Float64Type>();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    for r in 0..out.num_rows() {
        let e = expected[&(imp.value(r), prod.value(r).to_string())];
        assert!(
            close(total.value(r), e.0) && close(hhi.value(r), e.1) && close(share.value(r), e.3),
            "row {r}"
        );
        assert_eq!(top.value(r), e.2, "row {r}");
    }
}

#[test]
fn scan_sees_every_row_once_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = baci_text(5_000);
    let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", &text);
    let mut seen: Vec<(u16, u16, i32, f64)> = Vec::new();
    let report = scan_baci(
        &path,
        &BaciOptions {
            chunk_bytes: 1000,
            ..Default::default()
        },
        &mut |c| {
            for r in 0..c.value.len() {
                seen.push((c.exporter[r], c.importer[r], c.product[r], c.value[r]));
            }
            Ok(())
        },
    )
    .unwrap();
    let expected: Vec<(u16, u16, i32, f64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
                f[4].parse::<f64>().unwrap() * 1000.0,
            )
        })
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(report.rows_kept, 5_000);
}

#[test]
fn streaming_errors_name_the_same_line_as_the_table_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = baci_text(3_000);
    text.push_str("2021,4,24,382390,abc,NA\r\n");
    text.push_str(
        &baci_text(100)
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    );
    let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", &text);
    let opts = BaciOptions {
        chunk_bytes: 2000,
        ..Default::default()
    };
    let streamed = importer_product_concentration_baci(&path, &opts).unwrap_err();
    let table = read_baci(&path, &opts).unwrap_err();
    assert!(matches!(streamed, Error::Parse { .. }), "{streamed:?}");
    assert!(streamed.to_string().contains("line 3002"), "{streamed}");
    assert_eq!(streamed.to_string(), table.to_string());
}

#[test]
fn set_aside_rows_are_counted_and_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}2021,4,0,382390,1.0,NA\r\n", baci_text(1_000));
    let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", &text);
    assert!(matches!(
        importer_product_concentration_baci(&path, &BaciOptions::default()),
        Err(Error::UnknownCountry { .. })
    ));
    let opts = BaciOptions {
        on_unknown_country: OnUnknownCountry::SetAside,
        ..Default::default()
    };
    let (out, report) = importer_product_concentration_baci(&path, &opts).unwrap();
    assert_eq!((report.rows_read, report.rows_kept), (1_001, 1_000));
    assert!(report.is_balanced());
    let table = read_baci(&path, &opts).unwrap();
    assert_eq!(
        out,
        importer_product_concentration_table(&table, Source::Mirror).unwrap()
    );
}

#[test]
fn reused_chunks_keep_their_own_account() {
    // Set-aside rows spread over many small chunks, which the streaming read reuses: every
    // chunk's count, examples and line numbers must be its own, as in the table read.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n");
    for (r, line) in baci_text(6_000).lines().skip(1).enumerate() {
        text.push_str(line);
        text.push('\n');
        if r % 500 == 7 {
            text.push_str("2021,4,0,382390,1.0,NA\r\n");
        }
    }
    let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", &text);
    let opts = BaciOptions {
        on_unknown_country: OnUnknownCountry::SetAside,
        chunk_bytes: 2000,
        ..Default::default()
    };
    let (_, streamed) = importer_product_concentration_baci(&path, &opts).unwrap();
    let table = read_baci(&path, &opts).unwrap();
    let read = table.report();
    assert_eq!((streamed.rows_read, streamed.rows_kept), (6_012, 6_000));
    assert_eq!(streamed.set_aside, read.set_aside);
    assert_eq!(streamed.examples, read.examples);
    assert_eq!(
        streamed.examples.values().next().unwrap()[0].0,
        10,
        "line of the first set-aside row"
    );
}

#[test]
fn a_sink_error_stops_the_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", &baci_text(5_000));
    let mut calls = 0;
    let err = scan_baci(
        &path,
        &BaciOptions {
            chunk_bytes: 1000,
            ..Default::default()
        },
        &mut |_| {
            calls += 1;
            if calls == 3 {
                return Err(Error::invalid_argument("stop here", "nothing"));
            }
            Ok(())
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("stop here"), "{err}");
    assert_eq!(calls, 3);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn real_sample_streams_like_the_table() {
    let path = data_or_skip!("baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz");
    let opts = BaciOptions {
        chunk_bytes: 100_000,
        ..Default::default()
    };
    let (streamed, report) = importer_product_concentration_baci(&path, &opts).unwrap();
    let table = read_baci(&path, &BaciOptions::default()).unwrap();
    assert_eq!(
        streamed,
        importer_product_concentration_table(&table, Source::Mirror).unwrap()
    );
    assert_eq!(report.rows_kept, 71192);
}

#[test]
fn push_exports_needs_a_mirror_kernel_and_aligned_columns() {
    use tradedep::metrics::ImporterProductConcentration;
    let mut k = ImporterProductConcentration::new(Source::Reported).unwrap();
    assert!(k.push_exports(&[2021], &[4], &[24], &[10121], &[1.0]).is_err());
    let mut k = ImporterProductConcentration::new(Source::Mirror).unwrap();
    assert!(k.push_exports(&[2021, 2021], &[4], &[24], &[10121], &[1.0]).is_err());
    assert!(k.push_exports(&[2021], &[4], &[24], &[1_000_000], &[1.0]).is_err());
    k.push_exports(&[2021], &[4], &[24], &[10121], &[1.0]).unwrap();
    let out = k.finish().unwrap();
    assert_eq!(
        out.column_by_name("product").unwrap().as_string::<i32>().value(0),
        "010121"
    );
    assert_eq!(out.num_rows(), 1);
    let _ = out.column(0).len();
}

#[test]
fn compaction_between_pushes_keeps_the_result_exact() {
    use tradedep::metrics::ImporterProductConcentration;
    // Rows repeat (exporter, importer, product) across pushes, so compaction sums entries.
    let mut x: u64 = 99;
    type Columns = (Vec<i32>, Vec<u16>, Vec<u16>, Vec<i32>, Vec<f64>);
    let mut cols: Columns = Default::default();
    for _ in 0..60_000 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        cols.0.push(2020 + (x >> 62) as i32 % 2);
        cols.1.push([4u16, 24, 36, 156, 643][(x >> 33) as usize % 5]);
        cols.2.push([251u16, 276, 392, 710, 842][(x >> 40) as usize % 5]);
        cols.3.push([10121, 382390, 854231][(x >> 50) as usize % 3]);
        cols.4.push(((x >> 20) % 1000) as f64 / 8.0);
    }
    let run = |budget: Option<usize>| {
        let mut k = ImporterProductConcentration::new(Source::Mirror).unwrap();
        if let Some(b) = budget {
            k = k.with_compaction_budget(b);
        }
        for s in (0..60_000).step_by(20_000) {
            let r = s..s + 20_000;
            k.push_exports(
                &cols.0[r.clone()],
                &cols.1[r.clone()],
                &cols.2[r.clone()],
                &cols.3[r.clone()],
                &cols.4[r],
            )
            .unwrap();
        }
        k.finish().unwrap()
    };
    let plain = run(None);
    let compacted = run(Some(1_000));
    assert_eq!(plain.num_rows(), 2 * 5 * 3);
    let n_rows = compacted
        .column_by_name("n_rows")
        .unwrap()
        .as_primitive::<arrow_array::types::UInt64Type>();
    assert_eq!(n_rows.values().iter().sum::<u64>(), 60_000);
    // Sums may differ in the last bit with another summation order.
    for name in ["total_value", "hhi", "top_share"] {
        let a = plain.column_by_name(name).unwrap().as_primitive::<Float64Type>();
        let b = compacted.column_by_name(name).unwrap().as_primitive::<Float64Type>();
        for r in 0..a.len() {
            assert!(
                (a.value(r) - b.value(r)).abs() <= 1e-12 * a.value(r).abs().max(1.0),
                "{name} row {r}"
            );
        }
    }
    assert_eq!(
        plain.column_by_name("top_code").unwrap(),
        compacted.column_by_name("top_code").unwrap()
    );
}

/// A file in CEPII's order (year, exporter, importer, product), each key once, about `n` rows
/// a year: some pairs trade most products, some few; values repeat so that ties happen. 600
/// products: more than two of the kernel's blocks of product slots.
fn sorted_baci_text(n: usize, years: &[i32]) -> String {
    let countries = [4u16, 24, 36, 156, 251, 276, 392, 643, 710, 842];
    let products: Vec<u32> = (0..600).map(|p| 10121 + 1379 * p).collect();
    let keep = n as u64 * 1000 / (countries.len() * countries.len() * products.len()) as u64;
    let mut s = String::from("\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n");
    let mut x: u64 = 777;
    for t in years {
        for i in countries {
            for j in countries {
                for k in &products {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    if (x >> 33) % 1000 >= keep {
                        continue;
                    }
                    let v = [1.5f64, 2.0, 0.001, 13.25, 2.0, 7081.5][(x >> 20) as usize % 6];
                    let q = if x % 7 == 0 {
                        "NA".to_string()
                    } else {
                        "1.5".to_string()
                    };
                    s.push_str(&format!("{t},{i},{j},{k},{v},\"{q:>13}\"\r\n"));
                }
            }
        }
    }
    s
}

fn has_note(report: &tradedep::ReadReport, text: &str) -> bool {
    report.notes.iter().any(|n| n.contains(text))
}

#[test]
fn sorted_files_take_one_pass_with_the_same_result_to_the_bit() {
    let dir = tempfile::tempdir().unwrap();
    for years in [&[2021][..], &[2020, 2021, 2022][..]] {
        let text = sorted_baci_text(20_000, years);
        let path = write_file(&dir, "BACI_HS17_V202401.csv", &text);
        for chunk_bytes in [0usize, 3000] {
            let opts = BaciOptions {
                chunk_bytes,
                ..Default::default()
            };
            let (streamed, report) = importer_product_concentration_baci(&path, &opts).unwrap();
            assert!(has_note(&report, "one pass"), "{:?}", report.notes);
            // The general kernel over the table: same cells, same sums to the bit.
            let table = read_baci(&path, &opts).unwrap();
            let materialised = importer_product_concentration_table(&table, Source::Mirror).unwrap();
            assert_eq!(streamed, materialised, "years {years:?}, chunk_bytes {chunk_bytes}");
            assert_eq!(report.rows_kept, table.num_rows() as u64);
        }
    }
    // Against the independent HashMap computation (one year: its key has no year).
    let text = sorted_baci_text(20_000, &[2021]);
    let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", &text);
    let (out, _) = importer_product_concentration_baci(&path, &BaciOptions::default()).unwrap();
    agrees_with_reference(&out, &text);
}

#[test]
fn a_repeated_or_unsorted_row_falls_back_to_the_general_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let sorted = sorted_baci_text(20_000, &[2021]);
    let lines: Vec<&str> = sorted.lines().collect();
    // A repeat of an early row near the end: out of order, and an exact duplicate.
    let mut repeated = lines.clone();
    repeated.push(lines[1]);
    // Two rows swapped in the middle.
    let mut swapped = lines.clone();
    let mid = lines.len() / 2;
    swapped.swap(mid, mid + 1);
    // The same row twice in a row: in order, an exact duplicate set aside in the one pass.
    let mut doubled = lines.clone();
    doubled.insert(mid, lines[mid]);
    for (what, rows, how) in [
        ("repeat", repeated, "read three times"),
        ("swap", swapped, "read twice"),
        ("doubled", doubled, "one pass"),
    ] {
        let text = rows.join("\r\n") + "\r\n";
        let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", &text);
        let opts = BaciOptions {
            chunk_bytes: 3000,
            ..Default::default()
        };
        let (streamed, report) = importer_product_concentration_baci(&path, &opts).unwrap();
        assert!(has_note(&report, how), "{what}: {:?}", report.notes);
        assert_eq!(
            report.rows_read,
            rows.len() as u64 - 1,
            "{what}: counted once, not twice or three times"
        );
        assert!(report.is_balanced(), "{what}: {report}");
        // Both paths set the exact repeat aside, by the same rule, and say so.
        let table = read_baci(&path, &opts).unwrap();
        let materialised = importer_product_concentration_table(&table, Source::Mirror).unwrap();
        assert_eq!(streamed, materialised, "{what}");
        let repeats = table.report().set_aside.get(tradedep::model::REASON_DUPLICATE).copied();
        assert_eq!(
            report.set_aside.get(tradedep::model::REASON_DUPLICATE).copied(),
            repeats,
            "{what}"
        );
        assert_eq!(report.rows_kept, table.report().rows_kept, "{what}");
        if what == "swap" {
            assert_eq!(repeats, None);
        } else {
            assert_eq!(repeats, Some(1), "{what}");
            assert!(has_note(&report, "1 duplicate row(s)"), "{what}: {:?}", report.notes);
        }
        agrees_with_reference(&streamed, &sorted);
    }
}

#[test]
fn a_cell_without_a_positive_value_has_null_shares_in_both_kernels() {
    // Importer 842 buys 010121 only from 4, at value 0: no supplier, so HHI, top supplier and
    // its share are null there; the other cell is normal.
    let text = "\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\r\n\
                2021,4,842,10121,0,\"        1.000\"\r\n\
                2021,4,842,382390,2.5,\"        1.000\"\r\n\
                2021,251,842,382390,7.5,\"           NA\"\r\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(&dir, "BACI_HS17_Y2021_V202401.csv", text);
    let (streamed, report) = importer_product_concentration_baci(&path, &BaciOptions::default()).unwrap();
    assert!(has_note(&report, "one pass"), "{:?}", report.notes);
    let table = read_baci(&path, &BaciOptions::default()).unwrap();
    assert_eq!(
        streamed,
        importer_product_concentration_table(&table, Source::Mirror).unwrap()
    );
    let col = |name: &str| streamed.column_by_name(name).unwrap().clone();
    assert_eq!(streamed.num_rows(), 2);
    for name in ["hhi", "top_code", "top_share"] {
        assert!(col(name).is_null(0) && col(name).is_valid(1), "{name}");
    }
    let hhi = col("hhi");
    let hhi = hhi.as_primitive::<Float64Type>();
    assert!((hhi.value(1) - (0.25f64.powi(2) + 0.75f64.powi(2))).abs() < 1e-12);
    assert_eq!(
        col("n_suppliers")
            .as_primitive::<arrow_array::types::UInt32Type>()
            .value(0),
        0
    );
    assert_eq!(
        col("n_rows").as_primitive::<arrow_array::types::UInt64Type>().values(),
        &[1, 2]
    );
}
