//! Generic readers (CSV and Parquet with a [`ColumnMapping`]) and the Parquet writer.
//!
//! The CSV reader reads every mapped column as text (an explicit all-string schema: the HS
//! code `"010121"` stays a string, never the integer 10121) and hands string batches to the
//! same conversion as Arrow input ([`crate::io::arrow_input`]). Plain or `.gz`.
//!
//! Parquet files written by [`write_parquet`] carry the canonical schema and its metadata
//! (frequency, currency, vintage): [`read_parquet`] with `None` reads them back as they were.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::cancel::Cancellation;
use crate::error::{Error, Location, Result};
use crate::io::arrow_input::{convert, ColumnMapping, InputPlace};
use crate::io::source::{display_name, read_all_cancellable};
use crate::model::{ReadReport, TableMeta, TradeTable};

mod scan;
mod split;
mod typed;

/// Rows per string batch handed to the conversion.
const CSV_BATCH_ROWS: usize = 65_536;

/// Options of [`read_csv`] besides the mapping.
///
/// ```
/// use tradedep::io::{read_csv_bytes, ColumnMapping, CsvOptions};
/// use tradedep::{Flow, Freq};
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "usd").flow(Flow::Import).freq(Freq::Annual);
/// let text = b"year;iso_o;iso_d;hs6;usd\n2021;DEU;CHN;854231;1.5\n";
/// let semicolons = CsvOptions { delimiter: b';', ..Default::default() };
/// assert_eq!(read_csv_bytes(text, "t.csv", &mapping, &semicolons)?.num_rows(), 1);
/// // With the default `,` the header is one column named "year;iso_o;...": no `year` column.
/// assert!(read_csv_bytes(text, "t.csv", &mapping, &CsvOptions::default()).is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub delimiter: u8,
    /// Polled between batches of rows: once cancelled, the read stops with [`Error::Cancelled`].
    pub cancel: Cancellation,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            cancel: Cancellation::default(),
        }
    }
}

/// Reads a delimited text file (plain or `.gz`) through `mapping`. The mapping's `source`
/// is replaced by the file name when it is the default. Fields may be quoted (`"a,b"`,
/// `""` for a quote inside); blank lines are skipped; line numbers in messages are lines of
/// the (decompressed) file.
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::io::{read_csv, ColumnMapping, CsvOptions};
/// use tradedep::model::Filter;
/// use tradedep::{Flow, Freq};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("imports.csv");
/// // A quoted field with a comma inside; the HS code 010121 keeps its leading zero.
/// std::fs::write(&path, "year,iso_o,iso_d,hs6,usd,note\n2021,DEU,CHN,010121,2.5,\"horses, pure-bred\"\n2021,DEU,RUS,854231,4,\n").unwrap();
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "usd").flow(Flow::Import).freq(Freq::Annual);
/// let t = read_csv(&path, &mapping, &CsvOptions::default())?;
/// assert_eq!(t.num_rows(), 2);
/// assert_eq!(t.report().sources, ["imports.csv"]); // the file name replaces the default source
/// let values: Vec<f64> = t.column("value")?.iter().flat_map(|a| a.as_primitive::<Float64Type>().values().to_vec()).collect();
/// assert_eq!(values, [2.5, 4.0]);
/// assert_eq!(t.filter(&Filter::default().products(["010121"]))?.num_rows(), 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_csv(path: &Path, mapping: &ColumnMapping, options: &CsvOptions) -> Result<TradeTable> {
    mapping.check()?;
    let name = display_name(path);
    if let Some(read) = read_mapped(path, &name, mapping, options) {
        return read;
    }
    let text = read_all_cancellable(path, &options.cancel).map_err(|e| match e {
        Error::Io { source, .. }
            if source.kind() != std::io::ErrorKind::NotFound
                && source.kind() != std::io::ErrorKind::PermissionDenied =>
        {
            Error::format(
                format!("compressed data is corrupt or ends early ({source})"),
                Location::file(name.clone()),
                "the file is probably truncated: download it again",
            )
        }
        other => other,
    })?;
    read_csv_bytes(&text, &name, mapping, options)
}

/// A plain file mapped into memory and read in place (no copy of the text, no fresh memory for
/// it), as the BACI reader maps its files ([`crate::io::mapped`]: a truncation while mapped reads
/// zeros, and the length checked after the read turns it into an error). `None`: a `.gz` file,
/// `TRADEDEP_NO_MMAP` set, or a file that cannot be mapped (read through buffers instead).
fn read_mapped(path: &Path, name: &str, mapping: &ColumnMapping, options: &CsvOptions) -> Option<Result<TradeTable>> {
    let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    // The switch the BACI reader reads too.
    let no_mmap = std::env::var_os("TRADEDEP_NO_MMAP").is_some_and(|v| v != "0");
    if gz || no_mmap {
        return None;
    }
    let file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let window = crate::io::mapped::map(&file, 0, usize::try_from(len).ok().filter(|n| *n > 0)?).ok()?;
    let release = |part: &[u8]| window.release(part);
    let read = read_text(&window, &release, name, mapping, options, CsvPath::Fast { chunk: None });
    if let Some(now) = crate::io::mapped::shrank(&file, len) {
        return Some(Err(Error::format(
            format!("the file changed while it was read: it had {len} bytes, now {now}"),
            Location::file(name),
            "read it again once no other program writes to it",
        )));
    }
    Some(read)
}

/// [`read_csv`] of text held in memory; `name` stands for the file name in messages.
///
/// ```
/// use tradedep::io::arrow_input::REASON_WORLD;
/// use tradedep::io::{read_csv_bytes, ColumnMapping, CsvOptions};
/// use tradedep::{Flow, Freq};
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "usd").flow(Flow::Import).freq(Freq::Annual);
/// // Blank lines are skipped; a partner World row is set aside.
/// let text = b"year,iso_o,iso_d,hs6,usd\n2021,DEU,CHN,854231,1.5\n\n2021,DEU,WLD,854231,9\n";
/// let t = read_csv_bytes(text, "extract.csv", &mapping, &CsvOptions::default())?;
/// assert_eq!((t.num_rows(), t.report().rows_read), (1, 2));
/// assert_eq!(t.report().set_aside[REASON_WORLD], 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_csv_bytes(text: &[u8], name: &str, mapping: &ColumnMapping, options: &CsvOptions) -> Result<TradeTable> {
    read_csv_path(text, name, mapping, options, CsvPath::Fast { chunk: None })
}

/// Which conversion [`read_csv_path`] runs (tests compare them).
///
/// ```
/// use tradedep::io::generic::{read_csv_path, CsvPath};
/// use tradedep::io::{ColumnMapping, CsvOptions};
/// use tradedep::{Flow, Freq};
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "usd").flow(Flow::Import).freq(Freq::Annual);
/// let text = b"year,iso_o,iso_d,hs6,usd\n2021,DEU,CHN,854231,1.5\n2021,DEU,RUS,854231,2\n";
/// let read = |path| read_csv_path(text, "t.csv", &mapping, &CsvOptions::default(), path);
/// let general = read(CsvPath::General)?;
/// let fast = read(CsvPath::Fast { chunk: Some(30) })?; // chunks of about 30 bytes, in parallel
/// assert_eq!(general.num_rows(), 2);
/// assert_eq!(general.batches(), fast.batches());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum CsvPath {
    /// Chunks converted in parallel (`chunk` bytes each, or sized from the text), the general
    /// conversion for what the fast path does not take.
    Fast { chunk: Option<usize> },
    /// String batches through the conversion shared with Arrow input.
    General,
    /// The fast path alone: an error where it would hand over to the general one.
    FastOnly { chunk: Option<usize> },
}

/// [`read_csv_bytes`] through a chosen [`CsvPath`].
///
/// ```
/// use tradedep::io::generic::{read_csv_path, CsvPath};
/// use tradedep::io::{read_csv_bytes, ColumnMapping, CsvOptions};
/// use tradedep::{Flow, Freq};
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "usd").flow(Flow::Import).freq(Freq::Annual);
/// let text = b"year,iso_o,iso_d,hs6,usd\n2021,DEU,CHN,854231,1.5\n";
/// let opts = CsvOptions::default();
/// let t = read_csv_path(text, "t.csv", &mapping, &opts, CsvPath::FastOnly { chunk: None })?;
/// assert_eq!(t.batches(), read_csv_bytes(text, "t.csv", &mapping, &opts)?.batches());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[doc(hidden)]
pub fn read_csv_path(
    text: &[u8],
    name: &str,
    mapping: &ColumnMapping,
    options: &CsvOptions,
    path: CsvPath,
) -> Result<TradeTable> {
    read_text(text, &|_| {}, name, mapping, options, path)
}

/// [`read_csv_path`], giving each piece of `text` the fast path has read to `release` (a mapped
/// file's pages go back to the system as the read goes on).
fn read_text(
    text: &[u8],
    release: &(dyn Fn(&[u8]) + Sync),
    name: &str,
    mapping: &ColumnMapping,
    options: &CsvOptions,
    path: CsvPath,
) -> Result<TradeTable> {
    mapping.check()?;
    let name = name.to_string();
    let mut mapping = mapping.clone();
    if mapping.source == ColumnMapping::default().source {
        mapping.source = name.clone();
    }
    let delim = options.delimiter;
    if matches!(delim, b'\n' | b'\r' | b'"') || !delim.is_ascii() {
        return Err(Error::invalid_argument(
            format!("delimiter={:?}", delim as char),
            "a delimiter separates fields within a line: pass one ASCII character other than a line break or a quote, such as \",\", \";\" or \"\\t\"",
        ));
    }
    let loc = |line: u64| Location::file(name.clone()).line(line);
    let mut lines = Lines::new(text, 0);
    let mut fields: Vec<Cow<'_, [u8]>> = Vec::new();

    let Some(header_line) = lines
        .next_record(delim, &mut fields)
        .map_err(|l| unterminated(&name, l))?
    else {
        return Err(Error::format(
            "the file is empty",
            Location::file(name),
            "pass a CSV file with a header line",
        ));
    };
    let header_names: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, h)| {
            std::str::from_utf8(h)
                .map(|s| s.trim().trim_start_matches('\u{feff}').trim_matches('"').to_string())
                .map_err(|_| {
                    Error::format(
                        "the header is not valid UTF-8 text",
                        loc(header_line)
                            .column(format!("#{}", i + 1))
                            .value(String::from_utf8_lossy(h)),
                        "save the file as UTF-8",
                    )
                })
        })
        .collect::<Result<_>>()?;
    for (j, h) in header_names.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
        if let Some(i) = header_names[..j].iter().position(|g| g == h) {
            return Err(crate::io::source::duplicate_column(&name, h, i, j));
        }
    }
    // Mapped source columns, by position in the file.
    let mut wanted: Vec<(String, usize)> = Vec::new();
    for src in mapping.columns.values() {
        if wanted.iter().any(|(s, _)| s == src) {
            continue;
        }
        match header_names.iter().position(|h| h == src) {
            Some(i) => wanted.push((src.clone(), i)),
            None => {
                let joined = header_names.join(&(delim as char).to_string());
                let other = [b';', b'\t', b'|', b',']
                    .into_iter()
                    .find(|d| *d != delim && joined.contains(*d as char));
                return Err(match other {
                    Some(d) if header_names.len() == 1 => Error::format(
                        format!(
                            "wrong delimiter: the header has one column and contains {:?}",
                            d as char
                        ),
                        loc(header_line).value(joined.clone()),
                        format!("pass delimiter={:?}", d as char),
                    ),
                    _ => Error::schema(
                        format!("no column {src:?} in {name}"),
                        format!("the columns are: {}", header_names.join(", ")),
                    ),
                });
            }
        }
    }
    // The fast path, or (for what it does not take) the general conversion below.
    let position = |src: &str| header_names.iter().position(|h| h == src);
    let header = typed::Header {
        width: header_names.len(),
        position: &position,
    };
    if let CsvPath::Fast { chunk } | CsvPath::FastOnly { chunk } = path {
        if let Some(table) = typed::read(text, release, lines.pos, lines.line, &header, &mapping, options, chunk)? {
            return Ok(table);
        }
        if let CsvPath::FastOnly { .. } = path {
            return Err(Error::invalid_argument(
                "the fast path declined",
                "read with CsvPath::Fast",
            ));
        }
    }
    let mut schema_fields: Vec<Field> = wanted
        .iter()
        .map(|(s, _)| Field::new(s, DataType::Utf8, true))
        .collect();
    schema_fields.push(Field::new(LINE_COLUMN, DataType::UInt64, false));
    let schema = Arc::new(Schema::new(schema_fields));

    let mut batches = Vec::new();
    // Text goes straight into Arrow builders: no String per cell.
    let mut columns: Vec<StringBuilder> = (0..wanted.len())
        .map(|_| StringBuilder::with_capacity(CSV_BATCH_ROWS, CSV_BATCH_ROWS * 8))
        .collect();
    let mut line_numbers: Vec<u64> = Vec::with_capacity(CSV_BATCH_ROWS);
    let mut flush = |columns: &mut Vec<StringBuilder>, line_numbers: &mut Vec<u64>| -> Result<()> {
        if line_numbers.is_empty() {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = columns.iter_mut().map(|c| Arc::new(c.finish()) as ArrayRef).collect();
        arrays.push(Arc::new(UInt64Array::from(std::mem::take(line_numbers))));
        batches.push(RecordBatch::try_new(schema.clone(), arrays).map_err(|e| Error::arrow("collecting CSV rows", e))?);
        Ok(())
    };
    while let Some(line) = lines
        .next_record(delim, &mut fields)
        .map_err(|l| unterminated(&name, l))?
    {
        if fields.len() != header_names.len() {
            let raw = lines.last_line();
            return Err(Error::format(
                format!("line has {} field(s), the header {}", fields.len(), header_names.len()),
                loc(line).value(String::from_utf8_lossy(raw)),
                "the file may be truncated (cut mid-line), or a field holds an unquoted delimiter",
            ));
        }
        for ((src, i), out) in wanted.iter().zip(columns.iter_mut()) {
            let raw: &[u8] = fields.get(*i).map(|f| f.as_ref()).unwrap_or(b"");
            let text = std::str::from_utf8(raw).map_err(|_| {
                Error::format(
                    "invalid UTF-8 text",
                    loc(line).column(src.clone()).value(String::from_utf8_lossy(raw)),
                    "save the file as UTF-8",
                )
            })?;
            if text.trim().is_empty() {
                out.append_null();
            } else {
                out.append_value(text);
            }
        }
        line_numbers.push(line);
        if line_numbers.len() >= CSV_BATCH_ROWS {
            options.cancel.check()?;
            flush(&mut columns, &mut line_numbers)?;
        }
    }
    flush(&mut columns, &mut line_numbers)?;
    convert(
        batches.iter(),
        &mapping,
        &InputPlace {
            file: name,
            first_line: 2,
            cancel: options.cancel.clone(),
        },
    )
}

/// Name of the hidden column carrying each CSV row's line number to the conversion.
pub(crate) const LINE_COLUMN: &str = "__tradedep_line";

/// A record that cannot be split into fields.
enum RecordProblem {
    /// A quoted field not closed before the end of the file (the line it starts on).
    Unterminated(u64),
    /// Text other than spaces between a closing quote and the delimiter (the line).
    AfterQuote(u64),
}

fn unterminated(file: &str, problem: RecordProblem) -> Error {
    match problem {
        RecordProblem::Unterminated(line) => Error::format(
            "unterminated quoted field",
            Location::file(file).line(line),
            "the file may be truncated (cut mid-line), or a quote is not closed",
        ),
        RecordProblem::AfterQuote(line) => Error::format(
            "text after the closing quote of a field",
            Location::file(file).line(line),
            "a quoted field ends at its closing quote; double a quote inside a field (\"\"), or quote the whole field",
        ),
    }
}

/// Records of a delimited text, with the line each starts on.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    /// Lines consumed so far.
    line: u64,
    /// Field spans of the record being split (kept to reuse its allocation).
    spans: Vec<(usize, usize, bool)>,
}

impl<'a> Lines<'a> {
    /// The records of `text`, `line` lines already consumed before it.
    fn new(text: &'a [u8], line: u64) -> Self {
        Lines {
            text,
            pos: 0,
            line,
            spans: Vec::new(),
        }
    }

    /// The raw text of the record returned last (for messages).
    fn last_line(&self) -> &'a [u8] {
        let end = self.pos.min(self.text.len());
        let start = self.text[..end.saturating_sub(1)]
            .iter()
            .rposition(|b| *b == b'\n')
            .map(|p| p + 1)
            .unwrap_or(0);
        let s = &self.text[start..end];
        s.strip_suffix(b"\n").unwrap_or(s)
    }

    /// Splits the next non-blank record into `fields` (borrowed from the text, owned when
    /// quotes had to be unescaped); returns its first line, `Ok(None)` at the
    /// end, an error for a quote not closed or text after a closing quote.
    fn next_record(
        &mut self,
        delim: u8,
        fields: &mut Vec<Cow<'a, [u8]>>,
    ) -> std::result::Result<Option<u64>, RecordProblem> {
        fields.clear();
        loop {
            if self.pos >= self.text.len() {
                return Ok(None);
            }
            let start_line = self.line + 1;
            let rest = &self.text[self.pos..];
            // Blank line?
            let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            let line = &rest[..end];
            let line_trimmed = line.strip_suffix(b"\r").unwrap_or(line);
            if line_trimmed.iter().all(|b| *b == b' ' || *b == b'\t') {
                self.pos += end + 1;
                self.line += 1;
                continue;
            }
            // Parse fields, quotes may span lines.
            let mut i = 0usize;
            let spans = &mut self.spans; // (start, end, needs unescape)
            spans.clear();
            loop {
                // At a field start.
                if rest.get(i) == Some(&b'"') {
                    let mut j = i + 1;
                    let mut escaped = false;
                    loop {
                        match memchr::memchr(b'"', &rest[j..]) {
                            None => return Err(RecordProblem::Unterminated(start_line)),
                            Some(q) => {
                                if rest.get(j + q + 1) == Some(&b'"') {
                                    escaped = true;
                                    j += q + 2;
                                } else {
                                    spans.push((i + 1, j + q, escaped));
                                    j += q + 1;
                                    break;
                                }
                            }
                        }
                    }
                    // Only spaces (and a CR) may follow a closing quote: `"12"34` is not 12.
                    while let Some(b) = rest.get(j) {
                        if *b == delim || *b == b'\n' {
                            break;
                        }
                        if !matches!(*b, b' ' | b'\t' | b'\r') {
                            let nl = rest[..j].iter().filter(|b| **b == b'\n').count() as u64;
                            return Err(RecordProblem::AfterQuote(start_line + nl));
                        }
                        j += 1;
                    }
                    i = j;
                } else {
                    let mut j = i;
                    while let Some(b) = rest.get(j) {
                        if *b == delim || *b == b'\n' {
                            break;
                        }
                        j += 1;
                    }
                    let e = if j > i && rest.get(j - 1) == Some(&b'\r') && rest.get(j) != Some(&delim) {
                        j - 1
                    } else {
                        j
                    };
                    spans.push((i, e, false));
                    i = j;
                }
                match rest.get(i) {
                    Some(b) if *b == delim => i += 1,
                    Some(_) => {
                        i += 1; // newline
                        break;
                    }
                    None => break,
                }
            }
            self.line +=
                rest[..i].iter().filter(|b| **b == b'\n').count() as u64 + u64::from(!rest[..i].ends_with(b"\n"));
            self.pos += i;
            for &(s, e, esc) in spans.iter() {
                if esc {
                    let mut v = Vec::with_capacity(e - s);
                    let mut k = s;
                    while k < e {
                        v.push(rest[k]);
                        k += if rest[k] == b'"' { 2 } else { 1 };
                    }
                    fields.push(Cow::Owned(v));
                } else {
                    fields.push(Cow::Borrowed(&rest[s..e]));
                }
            }
            return Ok(Some(start_line));
        }
    }
}

/// Reads a Parquet file. With a mapping, columns are mapped as for Arrow input; with `None`,
/// the file must hold the canonical schema with its metadata (as [`write_parquet`] writes it).
///
/// ```
/// use tradedep::io::{read_csv_bytes, read_parquet, write_parquet, ColumnMapping, CsvOptions};
/// use tradedep::{Flow, Freq};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.parquet");
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "usd").flow(Flow::Import).freq(Freq::Annual);
/// let text = b"year,iso_o,iso_d,hs6,usd\n2021,DEU,CHN,854231,1.5\n2021,DEU,RUS,854231,2\n";
/// let t = read_csv_bytes(text, "t.csv", &mapping, &CsvOptions::default())?;
/// write_parquet(&t, &path)?;
/// let back = read_parquet(&path, None)?;
/// assert_eq!(back.batches(), t.batches());
/// assert_eq!(back.meta().freq, Freq::Annual);
/// // With a mapping the file is any table: here tradedep's own columns, mapped one to one.
/// let own = ColumnMapping::new()
///     .column("period", "period").column("reporter", "reporter").column("partner", "partner")
///     .column("product", "product").column("value", "value").flow(Flow::Import);
/// assert_eq!(read_parquet(&path, Some(&own))?.num_rows(), 2);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_parquet(path: &Path, mapping: Option<&ColumnMapping>) -> Result<TradeTable> {
    read_parquet_cancellable(path, mapping, &Cancellation::default())
}

/// [`read_parquet`] that stops with [`Error::Cancelled`] once `cancel` is set.
///
/// ```
/// use tradedep::cancel::Cancellation;
/// use tradedep::io::generic::read_parquet_cancellable;
/// use tradedep::io::{read_csv_bytes, write_parquet, ColumnMapping, CsvOptions};
/// use tradedep::{Error, Flow, Freq};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.parquet");
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "usd").flow(Flow::Import).freq(Freq::Annual);
/// let text = b"year,iso_o,iso_d,hs6,usd\n2021,DEU,CHN,854231,1.5\n2021,DEU,RUS,854231,2\n";
/// let t = read_csv_bytes(text, "t.csv", &mapping, &CsvOptions::default())?;
/// write_parquet(&t, &path)?;
/// let cancel = Cancellation::new();
/// assert_eq!(read_parquet_cancellable(&path, None, &cancel)?.num_rows(), 2);
/// cancel.cancel();
/// assert!(matches!(read_parquet_cancellable(&path, None, &cancel), Err(Error::Cancelled)));
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_parquet_cancellable(
    path: &Path,
    mapping: Option<&ColumnMapping>,
    cancel: &Cancellation,
) -> Result<TradeTable> {
    let name = display_name(path);
    let perr = |e: parquet::errors::ParquetError| Error::Parquet {
        path: name.clone(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(perr)?;
    let schema = builder.schema().clone();
    let reader = builder.with_batch_size(1 << 20).build().map_err(perr)?;
    let mut batches: Vec<RecordBatch> = Vec::new();
    for b in reader {
        cancel.check()?;
        batches.push(b.map_err(|e| Error::Parquet {
            path: name.clone(),
            message: e.to_string(),
        })?);
    }
    match mapping {
        Some(m) => {
            let mut m = m.clone();
            if m.source == ColumnMapping::default().source {
                m.source = name.clone();
            }
            convert(
                batches.iter(),
                &m,
                &InputPlace {
                    file: name,
                    first_line: 1,
                    cancel: cancel.clone(),
                },
            )
        }
        None => {
            let meta = TableMeta::from_metadata(schema.metadata()).map_err(|_| {
                Error::schema(
                    format!("{name} was not written by tradedep (no tradedep.freq/currency metadata)"),
                    "pass a column mapping: td.read_parquet(path, columns={...}, flow=..., ...)",
                )
            })?;
            let mut report = ReadReport::new(name.clone());
            let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
            report.rows_read = rows;
            report.rows_kept = rows;
            // Name the file in schema errors (the table's checks do not know it).
            TradeTable::from_batches(batches, meta, report).map_err(|e| match e {
                Error::Schema { what, hint } => Error::schema(format!("{name}: {what}"), hint),
                other => other,
            })
        }
    }
}

/// Writes `table` to Parquet (zstd), keeping the canonical schema and its metadata so that
/// [`read_parquet`] with `None` restores frequency, currency and vintage.
///
/// ```
/// use tradedep::io::{read_csv_bytes, read_parquet, write_parquet, ColumnMapping, CsvOptions};
/// use tradedep::{Flow, Freq, Vintage};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.parquet");
/// let mapping = ColumnMapping::new()
///     .column("period", "year").column("reporter", "iso_o").column("partner", "iso_d")
///     .column("product", "hs6").column("value", "eur")
///     .flow(Flow::Import).freq(Freq::Annual).vintage(Vintage::Hs(2017)).currency("EUR");
/// let text = b"year,iso_o,iso_d,hs6,eur\n2021,DEU,CHN,854231,1.5\n";
/// write_parquet(&read_csv_bytes(text, "t.csv", &mapping, &CsvOptions::default())?, &path)?;
/// let back = read_parquet(&path, None)?;
/// assert_eq!(back.meta().vintage, Some(Vintage::Hs(2017)));
/// assert_eq!(back.meta().currency, "EUR");
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn write_parquet(table: &TradeTable, path: &Path) -> Result<()> {
    let name = display_name(path);
    let perr = |e: parquet::errors::ParquetError| Error::Parquet {
        path: name.clone(),
        message: e.to_string(),
    };
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(perr)?))
        .build();
    let mut writer = ArrowWriter::try_new(file, table.schema(), Some(props)).map_err(perr)?;
    for b in table.batches() {
        writer.write(b).map_err(perr)?;
    }
    writer.close().map_err(perr)?;
    Ok(())
}
