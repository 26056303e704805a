//! Rows of small reference tables read alike from CSV and from the .xlsx files users
//! download, so that each table has one parser whatever the file type.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use crate::error::{Error, Location, Result};

/// One sheet (or CSV file) as text cells with 1-based line (row) numbers.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// File name, plus `[sheet]` for workbooks; used in error locations.
    pub source: String,
    pub name: String,
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Sheet {
    pub fn loc(&self, line: u64) -> Location {
        Location::file(self.source.clone()).line(line)
    }
}

/// True for .xlsx/.xlsm/.xls/.ods paths.
pub fn is_workbook(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods")
    )
}

/// Reads a CSV (comma, semicolon or tab, guessed from the first line) into one sheet.
pub fn read_csv(path: &Path) -> Result<Sheet> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    // Title rows may come first: look at a few lines; comma wins ties (max_by_key keeps the last).
    let head: Vec<&[u8]> = bytes.split(|b| *b == b'\n').take(5).collect();
    let count = |c: u8| {
        head.iter()
            .map(|l| l.iter().filter(|b| **b == c).count())
            .sum::<usize>()
    };
    let delim = [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|c| count(*c))
        .unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(&bytes[..]);
    let mut rows = vec![];
    for rec in rdr.records() {
        let rec = rec.map_err(|e| super::nomenclature::csv_err(&name, e))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(rows.len() as u64 + 1);
        rows.push((
            line,
            rec.iter()
                .map(|s| s.trim_start_matches('\u{feff}').trim().to_string())
                .collect(),
        ));
    }
    Ok(Sheet {
        source: name.clone(),
        name,
        rows,
    })
}

/// Reads every sheet of a workbook. Numbers come back as integers when whole (`10121.0` ->
/// `10121`); callers restore leading zeros of codes.
pub fn read_workbook(path: &Path) -> Result<Vec<Sheet>> {
    let name = path.display().to_string();
    let mut wb = open_workbook_auto(path).map_err(|e| {
        Error::format(
            format!("cannot open workbook: {e}"),
            Location::file(&name),
            "give the .xlsx file as downloaded (not renamed from .csv)",
        )
    })?;
    let mut out = vec![];
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).map_err(|e| {
            Error::format(
                format!("cannot read sheet {sheet:?}: {e}"),
                Location::file(&name),
                "re-download the workbook",
            )
        })?;
        let top = range.start().map(|(r, _)| r as u64).unwrap_or(0);
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, r)| (top + i as u64 + 1, r.iter().map(cell_text).collect::<Vec<_>>()))
            .collect();
        out.push(Sheet {
            source: format!("{name} [{sheet}]"),
            name: sheet,
            rows,
        });
    }
    Ok(out)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Restores the leading zeros a spreadsheet drops: `10121` -> `010121` when codes are `width`
/// digits wide. Text that is not all digits is returned cleaned but otherwise unchanged.
pub fn pad_code(s: &str, width: usize) -> String {
    let c = super::codes::clean_code(s);
    if !c.is_empty() && c.len() < width && c.len() % 2 == 1 && c.bytes().all(|b| b.is_ascii_digit()) {
        format!("{c:0>width$}", width = c.len() + 1)
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pad_restores_one_leading_zero() {
        assert_eq!(super::pad_code("10121", 6), "010121");
        assert_eq!(super::pad_code("1012100", 8), "01012100");
        assert_eq!(super::pad_code("854231", 6), "854231");
        assert_eq!(super::pad_code("8542 31 90", 8), "85423190");
    }
}
