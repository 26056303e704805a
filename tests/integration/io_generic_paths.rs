//! The generic CSV reader's fast path (chunks converted in parallel) against its general path
//! (string batches through the Arrow-input conversion): on generated files mixing good rows,
//! rows set aside (World partner, unknown countries, missing values, duplicates) and errors, both
//! give the same table, report and notes, or the same error, whatever the chunk size.

use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use proptest::prelude::*;
use tradedep::io::arrow_input::{ColumnMapping, REASON_UNKNOWN_COUNTRY};
use tradedep::io::baci::OnUnknownCountry;
use tradedep::io::generic::{read_csv_path, CsvOptions, CsvPath};
use tradedep::{Flow, Freq, Result, TradeTable, Vintage};

/// Every column of the table, dictionaries decoded, batches joined.
fn columns(t: &TradeTable) -> Vec<ArrayRef> {
    let batch = arrow_select::concat::concat_batches(&t.schema(), t.batches()).unwrap();
    batch
        .columns()
        .iter()
        .map(|c| match c.data_type() {
            DataType::Dictionary(..) => arrow_cast::cast(c, &DataType::Utf8).unwrap(),
            _ => c.clone(),
        })
        .collect()
}

fn same(general: &Result<TradeTable>, fast: &Result<TradeTable>, what: &str) {
    match (general, fast) {
        (Ok(g), Ok(f)) => {
            assert_eq!(g.report(), f.report(), "{what}: reports");
            assert_eq!(g.meta(), f.meta(), "{what}: metadata");
            let (gc, fc) = (columns(g), columns(f));
            for (i, (a, b)) in gc.iter().zip(&fc).enumerate() {
                assert_eq!(a.as_ref(), b.as_ref(), "{what}: column {i}");
            }
            g.validate().unwrap();
        }
        (Err(g), Err(f)) => assert_eq!(g.to_string(), f.to_string(), "{what}: errors"),
        (g, f) => panic!(
            "{what}: general {:?} fast {:?}",
            g.as_ref().map(|t| t.num_rows()),
            f.as_ref().map(|t| t.num_rows())
        ),
    }
}

/// Reads `text` both ways (the fast one in several chunk sizes) and compares.
fn compare(text: &str, mapping: &ColumnMapping) -> Result<TradeTable> {
    let options = CsvOptions::default();
    let general = read_csv_path(text.as_bytes(), "t.csv", mapping, &options, CsvPath::General);
    for chunk in [None, Some(1), Some(13), Some(200)] {
        let fast = read_csv_path(text.as_bytes(), "t.csv", mapping, &options, CsvPath::Fast { chunk });
        same(&general, &fast, &format!("chunk {chunk:?}\n{text}"));
    }
    general
}

fn mapping(
    flow_column: bool,
    quantity: bool,
    set_aside: bool,
    vintage: bool,
    scale: bool,
    freq: bool,
    importers: bool,
) -> ColumnMapping {
    let mut m = ColumnMapping::new()
        .column("period", "t")
        .column("reporter", "i")
        .column("partner", "j")
        .column("product", "k")
        .column("value", "v");
    if flow_column {
        m = m.column("flow", "f");
    } else {
        m = m.flow(Flow::Import);
    }
    if quantity {
        m = m.column("quantity", "q").column("quantity_unit", "u");
    }
    if set_aside {
        m.on_unknown_country = OnUnknownCountry::SetAside;
    }
    if vintage {
        m = m.vintage(Vintage::Hs(2017));
    }
    if scale {
        m.value_scale = 1000.0;
    }
    if freq {
        m = m.freq(Freq::Annual);
    }
    if importers {
        // Russia and China: the reporter of imports, the partner of exports.
        m = m.importers([643, 156]);
    }
    m
}

const PERIODS: &[&str] = &["2021", "2021", "2021", "2022", "202103", "", "20x1", "NA"];
const COUNTRIES: &[&str] = &[
    "842", "156", "643", "4", "0", "WLD", "USA", "FR", "9999", "", "xyz", "NA", " 842 ",
];
const FLOWS: &[&str] = &["import", "M", "X", "", "bogus"];
const PRODUCTS: &[&str] = &[
    "010121", "10121", "854231", "8542.31", "85", "", "12345678", "TOTAL", "1",
];
const VALUES: &[&str] = &["1.5", "0", "12", "", "NA", "-1", "abc", "1e3", "inf", " 2.25 "];
const QUANTITIES: &[&str] = &["", "2.5", "NA", "        0.782", "-3"];
const UNITS: &[&str] = &["", "kg", "t", "NA"];

/// One generated line: indices into the lists above, and how each cell is written.
fn line() -> impl Strategy<Value = (Vec<usize>, u8)> {
    (proptest::collection::vec(0usize..64, 8), 0u8..9)
}

fn render(spec: &[(Vec<usize>, u8)], good_only: bool) -> String {
    let mut text = String::from("t,i,j,f,k,v,q,u\n");
    for (cells, style) in spec {
        let pick = |list: &[&'static str], n: usize| -> &'static str {
            // Mostly the first (good) entries, sometimes anything.
            let good = list.len().min(4);
            if good_only || n < 48 {
                list[n % good]
            } else {
                list[n % list.len()]
            }
        };
        let row = [
            pick(PERIODS, cells[0]),
            pick(COUNTRIES, cells[1]),
            pick(COUNTRIES, cells[2]),
            pick(FLOWS, cells[3]),
            pick(PRODUCTS, cells[4]),
            pick(VALUES, cells[5]),
            pick(QUANTITIES, cells[6]),
            pick(UNITS, cells[7]),
        ];
        let fields: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| match style {
                1 if i == 6 => format!("\"{c}\""),
                2 | 6 => format!("\"{c}\""),
                3 if i == 4 => format!("\"{c}\"\"\""),
                _ => c.to_string(),
            })
            .collect();
        text.push_str(&fields.join(","));
        text.push_str(match style {
            4 | 6 => "\r\n",
            5 => "\n\n",
            _ => "\n",
        });
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn fast_path_equals_general_path(
        spec in proptest::collection::vec(line(), 0..40),
        repeat in 0usize..6,
        options in proptest::collection::vec(any::<bool>(), 8),
    ) {
        let mut spec = spec;
        // Exact duplicates: some lines again, later.
        let again: Vec<_> = spec.iter().take(repeat).cloned().collect();
        spec.extend(again);
        let m = mapping(options[0], options[1], options[2], options[3], options[4], options[5], options[7]);
        compare(&render(&spec, options[6]), &m).ok();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Files of readable rows (some set aside, some repeated): the fast path takes them itself.
    #[test]
    fn fast_path_takes_readable_files(
        spec in proptest::collection::vec(line(), 1..60),
        repeat in 0usize..10,
        options in proptest::collection::vec(any::<bool>(), 5),
    ) {
        let mut spec: Vec<_> = spec.into_iter().map(|(c, style)| (c, if style == 3 { 0 } else { style })).collect();
        let again: Vec<_> = spec.iter().take(repeat).cloned().collect();
        spec.extend(again);
        let m = mapping(false, false, options[0], options[1], options[2], options[3], options[4]);
        let text = render(&spec, true);
        let general = compare(&text, &m);
        prop_assert!(general.is_ok());
        for chunk in [None, Some(1), Some(50)] {
            let fast = read_csv_path(text.as_bytes(), "t.csv", &m, &CsvOptions::default(), CsvPath::FastOnly { chunk });
            same(&general, &fast, "fast only");
        }
    }
}

#[test]
fn fast_path_reads_a_clean_file_with_duplicates_and_set_asides() {
    let mut text = String::from("\"t\",\"i\",\"j\",\"f\",\"k\",\"v\",\"q\",\"u\"\n");
    for r in 0..3000 {
        let partner = if r % 97 == 0 { "0" } else { "643" };
        let value = if r % 89 == 0 { "NA" } else { "1.5" };
        let product = ["10121", "854231", "8471"][r % 3];
        text.push_str(&format!(
            "2021,{},{partner},M,{product},{value},\"   {}.5\",kg\n",
            [842, 156, 4][r % 3],
            r % 50
        ));
    }
    let m = mapping(true, true, false, true, true, false, false);
    let t = compare(&text, &m).unwrap();
    let fast = read_csv_path(
        text.as_bytes(),
        "t.csv",
        &m,
        &CsvOptions::default(),
        CsvPath::FastOnly { chunk: Some(1000) },
    );
    same(&Ok(t.clone()), &fast, "fast only");
    let report = t.report();
    assert!(report.is_balanced());
    assert!(report.set_aside.get("duplicate row").copied().unwrap_or(0) > 2000);
    assert!(report.notes.iter().any(|n| n.contains("leading zero")));
}

#[test]
fn text_beyond_ascii_reads_as_the_general_path_reads_it() {
    // Non-ASCII text in a mapped column (the unit) and in one the mapping leaves out; the fast
    // path checks a chunk as UTF-8 once, and field by field when the chunk is not UTF-8.
    let m = mapping(false, true, false, true, false, false, false);
    let header = "t,i,j,note,k,v,q,u\n";
    let rows = "2021,842,643,Côte d’Ivoire,854231,1.5,2,m²\n2021,156,643,naïve,10121,2,1,kg\n\
                2021,156,643,x,10121,2,1,kg\n";
    let t = compare(&format!("{header}{rows}"), &m).unwrap();
    // The third row equals the second in every mapped column.
    assert_eq!((t.num_rows(), t.report().set_aside.get("duplicate row")), (2, Some(&1)));
    let units = t.column("quantity_unit").unwrap();
    let units = arrow_cast::cast(&units[0], &DataType::Utf8).unwrap();
    assert_eq!(arrow_array::cast::AsArray::as_string::<i32>(&units).value(0), "m²");
    let options = CsvOptions::default();
    for (column, expect_ok) in [("note", true), ("u", false)] {
        let mut bytes = format!("{header}{rows}").into_bytes();
        let at = if column == "note" {
            rows.find("naïve").unwrap()
        } else {
            rows.find("kg").unwrap()
        };
        bytes[header.len() + at] = 0xff;
        let read = |path| read_csv_path(&bytes, "t.csv", &m, &options, path);
        let general = read(CsvPath::General);
        assert_eq!(general.is_ok(), expect_ok, "{column}: {:?}", general.as_ref().err());
        for chunk in [None, Some(1), Some(40)] {
            same(
                &general,
                &read(CsvPath::Fast { chunk }),
                &format!("{column}, chunk {chunk:?}"),
            );
            // Taken by the fast path itself when the bad byte is in a column left out.
            assert_eq!(
                read(CsvPath::FastOnly { chunk }).is_ok(),
                expect_ok,
                "{column}, chunk {chunk:?}"
            );
        }
    }
}

#[test]
fn duplicates_in_a_shuffled_file_are_rows_equal_in_every_column() {
    // Base rows, each followed somewhere later by copies (some written differently: a lost
    // leading zero, spaces, quotes) and by rows differing from it in exactly one column; the
    // lines are then shuffled. Only the copies are duplicates, the first line of each is kept.
    let base = [
        "2021,842,643,M,010121,1.5,2,kg",
        "2021,156,4,X,854231,12,,",
        "2022,4,156,M,8471,0,3.25,t",
    ];
    let differing = [
        [
            "2022,842,643,M,010121,1.5,2,kg",
            "2021,842,156,M,010121,1.5,2,kg",
            "2021,4,643,M,010121,1.5,2,kg",
        ],
        [
            "2021,842,643,X,010121,1.5,2,kg",
            "2021,842,643,M,010122,1.5,2,kg",
            "2021,842,643,M,010121,1.25,2,kg",
        ],
        [
            "2021,842,643,M,010121,1.5,2.5,kg",
            "2021,842,643,M,010121,1.5,2,t",
            "2021,842,643,M,010121,1.5,,",
        ],
    ];
    let copies = [
        "2021,842,643,M,10121,1.5,2,kg",
        "2021, 842 ,643,M,\"010121\",1.50,\"     2\",kg",
        "2021,156,4,X,854231,12.0,,",
        "2021,156,4,X,854231,12,NA,",
        "2022,4,156,M,8471,0,3.25,t",
    ];
    let mut lines: Vec<String> = base
        .iter()
        .chain(differing.iter().flatten())
        .chain(&copies)
        .map(|s| s.to_string())
        .collect();
    // Each block of lines again, so that every line has copies, in a fixed shuffled order.
    let n = lines.len();
    for _ in 0..3 {
        lines.extend_from_within(..n);
    }
    let mut order: Vec<usize> = (0..lines.len()).collect();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..order.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let text = format!(
        "t,i,j,f,k,v,q,u\n{}\n",
        order.iter().map(|&i| lines[i].as_str()).collect::<Vec<_>>().join("\n")
    );
    let m = mapping(true, true, false, true, false, false, false);
    let t = compare(&text, &m).unwrap();
    // Distinct rows: the 3 base rows and their 9 variants (the copies are rows already there).
    assert_eq!(t.num_rows(), 12);
    assert_eq!(
        t.report().set_aside.get("duplicate row"),
        Some(&(lines.len() as u64 - 12))
    );
    // The kept row of each group is its first line in the file: lines of the kept rows, in order.
    let mut first_lines = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let key = |s: &str| {
        let kept = base.iter().chain(differing.iter().flatten()).position(|b| *b == s);
        kept.map(|k| k.to_string()).unwrap_or_else(|| {
            // A copy: the base row it equals.
            let c = copies.iter().position(|c| *c == s).unwrap();
            ["0", "0", "1", "1", "2"][c].to_string()
        })
    };
    for (l, &i) in order.iter().enumerate() {
        let k = key(&lines[i]);
        if !seen.contains(&k) {
            seen.push(k);
            first_lines.push(l as u64 + 2);
        }
    }
    let periods = t.column("period").unwrap();
    assert_eq!(periods.iter().map(|a| a.len()).sum::<usize>(), first_lines.len());
    let examples = &t.report().examples["duplicate row"];
    for (line, _) in examples {
        assert!(!first_lines.contains(line), "line {line} kept and set aside");
    }
}

/// A file read from disk (mapped, each chunk's pages given back once converted) reads as the
/// same text in memory: clean, with a last line the fast path declines and the general path
/// reads again from the start (a doubled quote in a mapped field, set aside as an unknown
/// country), and with a last line that is an error.
#[test]
fn a_mapped_file_whose_pages_are_given_back_reads_as_its_text() {
    // About 3 MB: more than one chunk of the fast path, each of many pages.
    let rows: String = (0..100_000)
        .map(|r| {
            format!(
                "2021,842,{},M,{:06},{}.5,{},kg\n",
                [156, 643, 4][r % 3],
                10_000 + r % 5000,
                r,
                r % 7
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(true, true, true, true, false, false, false);
    for last in ["", "2021,842,\"6\"\"43\",M,854231,1,,\n", "20x1,842,643,M,854231,1,,\n"] {
        let text = format!("t,i,j,f,k,v,q,u\n{rows}{last}");
        let path = dir.path().join("big.csv");
        std::fs::write(&path, &text).unwrap();
        let from_disk = tradedep::io::read_csv(&path, &m, &CsvOptions::default());
        let in_memory = read_csv_path(text.as_bytes(), "big.csv", &m, &CsvOptions::default(), CsvPath::General);
        same(&in_memory, &from_disk, &format!("last line {last:?}"));
        match last {
            "" => assert_eq!(from_disk.unwrap().num_rows(), 100_000),
            l if l.starts_with("2021") => {
                assert_eq!(
                    from_disk.unwrap().report().set_aside.get(REASON_UNKNOWN_COUNTRY),
                    Some(&1)
                )
            }
            _ => assert!(
                from_disk.unwrap_err().to_string().contains("line 100002"),
                "the bad line is named"
            ),
        }
    }
}

/// `importers=`: the rows of other importers (by flow: the reporter of an import, the partner of
/// an export) are set aside on both paths alike, the table is limited to the importers asked
/// for, and its rows are the full read's rows of those importers.
#[test]
fn importers_keep_the_rows_of_those_importers_on_both_paths() {
    let mut text = String::from("t,i,j,f,k,v\n");
    for r in 0..2000 {
        let (reporter, partner) = [(643, 156), (156, 643), (842, 643), (643, 842), (804, 276)][r % 5];
        let flow = ["M", "X"][(r / 5) % 2];
        text.push_str(&format!(
            "2021,{reporter},{partner},{flow},{},{}.5\n",
            ["854231", "10121"][r % 2],
            r
        ));
    }
    let all = mapping(true, false, false, true, false, false, false);
    let some = mapping(true, false, false, true, false, false, true);
    let full = compare(&text, &all).unwrap();
    let part = compare(&text, &some).unwrap();
    assert_eq!(part.meta().importers, Some(vec![156, 643]));
    // Independently: the lines whose importer is Russia or China.
    let expected: Vec<&str> = text
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let importer = if f[3] == "M" { f[1] } else { f[2] };
            importer == "643" || importer == "156"
        })
        .collect();
    assert_eq!(part.num_rows(), expected.len());
    let r = part.report();
    assert_eq!(r.set_aside["importer not requested"], 2000 - expected.len() as u64);
    assert!(r.is_balanced());
    assert!(
        r.notes.iter().any(|n| n.contains("limited to flows into CHN, RUS")),
        "{:?}",
        r.notes
    );
    assert_eq!(full.num_rows(), 2000);
    assert_eq!(full.meta().importers, None);
    let value = |t: &TradeTable| -> f64 {
        columns(t)[5]
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap()
            .values()
            .iter()
            .sum()
    };
    let expected_value: f64 = expected
        .iter()
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(value(&part), expected_value);
}

#[test]
fn a_scale_that_takes_a_value_out_of_range_is_the_general_paths_error() {
    // The fast path's table is not validated a second time: a value finite in the file but not
    // once scaled must still be the general path's error, naming the file's line.
    let text = "t,i,j,k,v\n2021,842,643,854231,1.5\n2021,842,156,854231,1e306\n";
    let mut m = mapping(false, false, false, true, false, false, false);
    m.value_scale = 1000.0;
    let err = compare(text, &m).unwrap_err().to_string();
    assert!(
        err.contains("beyond a double") && err.contains("line 3") && err.contains("1e306"),
        "{err}"
    );
    // A negative scale is refused before any row is read.
    m.value_scale = -1.0;
    let err = compare(text, &m).unwrap_err().to_string();
    assert!(err.contains("must be a positive number"), "{err}");
}
