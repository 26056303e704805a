//! BACI (CEPII) reader: `t,i,j,k,v,q` CSV files, plain, gzip-compressed or inside the zip
//! archive CEPII ships.
//!
//! BACI is large (a full year is ~11 million rows, ~350 MB), so this reader does not go through
//! a generic CSV parser: a reader thread cuts the decompressed text into ~32 MB chunks at line
//! breaks, rayon workers parse each chunk with a hand-written byte parser straight into Arrow
//! buffers (one batch per chunk, no allocation per row), and values are validated as they are
//! parsed, so the table is built with [`TradeTable::from_validated_batches`].
//!
//! Mapping to the canonical schema: `t` -> period (annual), `i` (exporter) -> reporter,
//! `j` (importer) -> partner, flow = export, `k` -> product written with 6 digits (`10121` ->
//! `010121`), `v` thousands of USD -> value in USD (x 1000, basis FOB), `q` metric tons ->
//! quantity with unit `t` (null when `NA` or blank), source `BACI`.
//!
//! What is an error and what is set aside (see [`BaciOptions`]):
//! - errors (the read stops, naming file, line, column and value): wrong or missing header,
//!   wrong delimiter, a line without six fields (also a file cut mid-line), an unterminated
//!   quote, text in a number column, a missing or negative or infinite value, a negative
//!   quantity, a year outside 1900..2200 or not the year the file name says, a product code
//!   of more than 6 digits, invalid UTF-8, a truncated or corrupt gzip/zip stream, an empty
//!   file, a vintage argument that disagrees with the file name, an archive mixing vintages;
//! - errors by default, set aside on request ([`OnUnknownCountry::SetAside`]): country codes
//!   unknown to [`crate::reference::countries`];
//! - set aside with a reason: rows of years not asked for (`years`) in a single CSV file;
//! - skipped without counting as rows: blank lines.
//!
//! ```no_run
//! use tradedep::io::baci::{read_baci, BaciOptions};
//! let table = read_baci("BACI_HS17_Y2021_V202401.csv".as_ref(), &BaciOptions::default()).unwrap();
//! println!("{}", table.report());
//! ```

use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::Arc;

use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int8Array, RecordBatch, StringArray, UInt16Array,
};
use arrow_buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use rayon::prelude::*;

use crate::cancel::Cancellation;
use crate::error::{Error, Location, Result};
use crate::io::archive_zip;
use crate::io::mapped;
use crate::io::source::{display_name, Progress};
use crate::model::{canonical_schema, Flow, Freq, ReadReport, TableMeta, TradeTable, ValueBasis, Vintage};
use crate::reference::countries;

/// Target size of one chunk of text (and so of one record batch: about 1 million BACI rows).
const CHUNK_BYTES: usize = 32 << 20;
/// Chunk size of streaming reads ([`scan_baci`]).
const STREAM_CHUNK_BYTES: usize = 8 << 20;
/// Smallest chunk chosen for small files.
const MIN_CHUNK_BYTES: usize = 4 << 20;

/// Chunk size for `text_bytes` of text: at least ~8 chunks so that the last round of work is
/// short, between 4 and 32 MB.
/// Streaming reads (`streaming`) use chunks of at most 8 MB: only a few are held at a time.
fn chunk_size_for(text_bytes: u64, streaming: bool) -> usize {
    let threads = rayon::current_num_threads().max(1) as u64;
    let most = if streaming { STREAM_CHUNK_BYTES } else { CHUNK_BYTES };
    ((text_bytes / (4 * threads)).max(1) as usize).clamp(MIN_CHUNK_BYTES.min(most), most)
}

/// Product codes are at most 6 digits: `k` indexes tables of this size.
const MAX_PRODUCT: usize = 1_000_000;
const BITMAP_WORDS: usize = MAX_PRODUCT.div_ceil(64);
/// Examples kept per set-aside reason and chunk.
const MAX_EXAMPLES: usize = 5;

/// The six BACI columns, in file order.
const COLUMNS: [&str; 6] = ["t", "i", "j", "k", "v", "q"];

/// Reason recorded in the report for rows outside the years asked for.
///
/// ```
/// use tradedep::io::baci::{read_baci, BaciOptions, REASON_YEAR};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("baci_hs17_two_years.csv");
/// std::fs::write(&path, "t,i,j,k,v,q\n2020,156,643,854231,1,NA\n2021,156,643,854231,2,NA\n").unwrap();
/// let t = read_baci(&path, &BaciOptions { years: Some(&[2021]), ..Default::default() })?;
/// assert_eq!(t.num_rows(), 1);
/// assert_eq!(t.report().set_aside[REASON_YEAR], 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const REASON_YEAR: &str = "year not requested";

/// Reason recorded in the report for rows of importers not asked for ([`BaciOptions::importers`]).
///
/// ```
/// use tradedep::io::baci::{read_baci_bytes, BaciOptions, REASON_IMPORTER};
/// let text = b"t,i,j,k,v,q\n2021,156,643,854231,1,NA\n2021,156,804,854231,2,NA\n";
/// let opts = BaciOptions { importers: Some(&[643]), ..Default::default() };
/// let t = read_baci_bytes(text, "BACI_HS17_Y2021_V202401.csv", &opts)?;
/// assert_eq!((t.num_rows(), t.report().set_aside[REASON_IMPORTER]), (1, 1));
/// assert_eq!(t.meta().importers, Some(vec![643]));
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const REASON_IMPORTER: &str = crate::model::REASON_IMPORTER;
/// Set-aside reason: a row equal to an earlier one of the same year, exporter, importer and
/// product (the same reason in every reader).
///
/// ```
/// use tradedep::io::baci::{read_baci_bytes, BaciOptions, REASON_DUPLICATE};
/// let text = b"t,i,j,k,v,q\n2021,156,643,854231,1.5,2\n2021,156,643,854231,1.5,2\n";
/// let t = read_baci_bytes(text, "BACI_HS17_Y2021_V202401.csv", &BaciOptions::default())?;
/// assert_eq!(t.num_rows(), 1);
/// assert_eq!(t.report().set_aside[REASON_DUPLICATE], 1);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const REASON_DUPLICATE: &str = crate::model::REASON_DUPLICATE;

pub(crate) mod duplicates;
/// Reason recorded in the report for rows with a country code unknown to tradedep.
///
/// See the example on [`OnUnknownCountry`].
pub const REASON_UNKNOWN_COUNTRY: &str = "unknown country code";

/// What to do with a row whose exporter or importer code the country table does not know.
///
/// ```
/// use tradedep::io::baci::{read_baci_bytes, BaciOptions, OnUnknownCountry, REASON_UNKNOWN_COUNTRY};
/// let text = b"t,i,j,k,v,q\n2021,156,643,854231,1.5,2\n2021,1234,643,854231,1,NA\n";
/// let name = "BACI_HS17_Y2021_V202401.csv";
/// assert!(read_baci_bytes(text, name, &BaciOptions::default()).is_err()); // the default
/// let opts = BaciOptions { on_unknown_country: OnUnknownCountry::SetAside, ..Default::default() };
/// let t = read_baci_bytes(text, name, &opts)?;
/// assert_eq!((t.num_rows(), t.report().set_aside[REASON_UNKNOWN_COUNTRY]), (1, 1));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnUnknownCountry {
    /// Stop with [`Error::UnknownCountry`] naming the line (default: nothing lost silently).
    #[default]
    Error,
    /// Set the row aside under [`REASON_UNKNOWN_COUNTRY`] and go on.
    SetAside,
}

/// Options of [`read_baci`].
///
/// ```
/// use tradedep::io::baci::{read_baci_bytes, BaciOptions};
/// use tradedep::Vintage;
/// let text = b"t,i,j,k,v,q\n2021,156,643,854231,1.5,2\n";
/// // The vintage comes from the name; one given that disagrees with it is an error.
/// let opts = BaciOptions { vintage: Some(Vintage::Hs(2022)), ..Default::default() };
/// assert!(read_baci_bytes(text, "BACI_HS17_Y2021_V202401.csv", &opts).is_err());
/// assert!(read_baci_bytes(text, "my_extract.csv", &opts).is_ok());
/// ```
#[derive(Default, Clone, Copy)]
pub struct BaciOptions<'a> {
    /// HS vintage of the file; read from the file name (`BACI_HS17_...`, `baci_hs92_...`)
    /// when `None`. When both are given they must agree.
    pub vintage: Option<Vintage>,
    /// Years to keep: archive members of other years are not read; rows of other years in a
    /// single file are set aside under [`REASON_YEAR`].
    pub years: Option<&'a [i32]>,
    /// Importers to keep (numeric codes, BACI's `j`): rows of other importers are set aside
    /// under [`REASON_IMPORTER`] once their year, exporter and importer are checked (rows in
    /// the usual shape are not parsed further, so a bad product, value or quantity there goes
    /// unnoticed), and the table records the restriction
    /// ([`TableMeta::importers`](crate::model::TableMeta::importers)) so that metrics refuse
    /// questions it cannot answer. `None`: every importer.
    pub importers: Option<&'a [u16]>,
    pub on_unknown_country: OnUnknownCountry,
    /// Called with `(bytes_done, bytes_total)` every chunk (~32 MB of text).
    pub progress: Option<Progress<'a>>,
    /// Size of the text chunks parsed in parallel (0: 32 MB). Tests set it small to cross
    /// chunk boundaries.
    #[doc(hidden)]
    pub chunk_bytes: usize,
    /// Polled between chunks: once cancelled, the read stops with [`Error::Cancelled`].
    pub cancel: Option<&'a Cancellation>,
}

impl std::fmt::Debug for BaciOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaciOptions")
            .field("vintage", &self.vintage)
            .field("years", &self.years)
            .field("importers", &self.importers)
            .field("on_unknown_country", &self.on_unknown_country)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.is_some())
            .finish()
    }
}

/// Reads a BACI file: `.csv`, `.csv.gz` or the CEPII `.zip` archive (all its yearly files, or
/// those of `options.years`). The kind of file is recognised from its first bytes. A plain
/// file is memory-mapped a window at a time ([`crate::io::mapped`]: a file truncated while it is
/// read gives an error, not a crash; `TRADEDEP_NO_MMAP=1` reads it through buffers instead).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::io::baci::{read_baci, BaciOptions};
/// use tradedep::{Flow, Vintage};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("BACI_HS17_Y2021_V202401.csv");
/// std::fs::write(&path, "t,i,j,k,v,q\n2021,156,643,854231,1500.5,2.0\n2021,276,643,10121,500,NA\n").unwrap();
/// let t = read_baci(&path, &BaciOptions::default())?;
/// assert_eq!(t.meta().vintage, Some(Vintage::Hs(2017))); // from the file name
/// assert_eq!(t.num_rows(), 2);
/// let values: Vec<f64> = t.column("value")?.iter().flat_map(|a| a.as_primitive::<Float64Type>().values().to_vec()).collect();
/// assert_eq!(values, [1_500_500.0, 500_000.0]); // thousands of USD -> USD
/// let f = tradedep::model::Filter::default().flows([Flow::Export]).products(["010121"]);
/// assert_eq!(t.filter(&f)?.num_rows(), 1); // 10121 is HS 010121
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_baci(path: &Path, options: &BaciOptions<'_>) -> Result<TradeTable> {
    let mut chunks = Vec::new();
    let mut sink = |c: ChunkOut| {
        chunks.push(c);
        Ok(())
    };
    let outcome = read_path(path, options, &mut sink, None)?;
    finish(chunks, outcome, options.importers)
}

/// Opens `path` and reads it (plain, gzip or zip, from its first bytes) into `sink`; a plain
/// regular file is mapped. `recycled` (streaming reads) takes back the chunks `sink` is done with.
fn read_path(
    path: &Path,
    options: &BaciOptions<'_>,
    sink: &mut dyn FnMut(ChunkOut) -> Result<()>,
    recycled: Option<Recycled>,
) -> Result<Outcome> {
    check_importers(options)?;
    let name = display_name(path);
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    let mut magic = [0u8; 4];
    let got = read_up_to(&mut file, &mut magic).map_err(|e| Error::io(path, e))?;
    file.rewind().map_err(|e| Error::io(path, e))?;
    // A second handle to map the file by (regular files only, not pipes or devices).
    let mappable = if meta.is_file() { file.try_clone().ok() } else { None };
    read_any(
        file,
        &magic[..got],
        meta.len(),
        &name,
        options,
        ChunkSink {
            sink,
            in_flight: rayon::current_num_threads().max(1) + 1,
            streaming: recycled.is_some(),
            file: mappable.as_ref(),
            recycled,
        },
    )
}

/// Refuses an empty or unknown list of importers to keep: it would read nothing, silently.
fn check_importers(options: &BaciOptions<'_>) -> Result<()> {
    options.importers.map_or(Ok(()), countries::check_importer_codes)
}

/// Reads BACI data held in memory (plain CSV, gzip or zip, recognised from the first bytes).
/// `name` plays the part of the file name: it gives the vintage and appears in messages.
///
/// ```
/// use std::io::Write;
/// use tradedep::io::baci::{read_baci_bytes, BaciOptions};
/// let text = b"t,i,j,k,v,q\n2021,156,643,854231,1.5,2\n";
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
/// gz.write_all(text).unwrap();
/// let t = read_baci_bytes(&gz.finish().unwrap(), "BACI_HS17_Y2021_V202401.csv.gz", &BaciOptions::default())?;
/// assert_eq!(t.num_rows(), 1); // gzip recognised from the first bytes
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_baci_bytes(bytes: &[u8], name: &str, options: &BaciOptions<'_>) -> Result<TradeTable> {
    check_importers(options)?;
    let magic = &bytes[..bytes.len().min(4)];
    let mut chunks = Vec::new();
    let mut sink = |c: ChunkOut| {
        chunks.push(c);
        Ok(())
    };
    let outcome = read_any(
        Cursor::new(bytes),
        magic,
        bytes.len() as u64,
        name,
        options,
        ChunkSink {
            sink: &mut sink,
            in_flight: rayon::current_num_threads().max(1) + 1,
            streaming: false,
            file: None,
            recycled: None,
        },
    )?;
    finish(chunks, outcome, options.importers)
}

/// One parsed chunk of a BACI file (about a million rows or fewer) as plain columns, handed
/// to [`scan_baci`]'s sink. Rows are checked and converted as for [`read_baci`]: set-aside rows
/// are absent; `value` is in USD.
///
/// ```
/// use tradedep::io::baci::{scan_baci, BaciOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("BACI_HS17_Y2021_V202401.csv");
/// std::fs::write(&path, "t,i,j,k,v,q\n2021,156,643,854231,1.5,2\n2021,156,643,10121,0.5,NA\n").unwrap();
/// let (mut value, mut products, mut missing_q) = (0.0, vec![], 0);
/// let report = scan_baci(&path, &BaciOptions::default(), &mut |c| {
///     value += c.value.iter().sum::<f64>();
///     products.extend_from_slice(c.product);
///     missing_q += c.quantity.iter().filter(|q| q.is_nan()).count();
///     assert!(c.period.iter().all(|y| *y == 2021) && c.exporter[0] == 156 && c.importer[0] == 643);
///     Ok(())
/// })?;
/// assert_eq!((value, products, missing_q), (2000.0, vec![854231, 10121], 1));
/// assert_eq!(report.rows_kept, 2);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BaciChunk<'a> {
    /// Year `t`.
    pub period: &'a [i32],
    /// Exporter `i` (BACI country code).
    pub exporter: &'a [u16],
    /// Importer `j` (BACI country code).
    pub importer: &'a [u16],
    /// Product `k` as a number (`10121` is HS `"010121"`).
    pub product: &'a [i32],
    /// Value in USD (BACI's thousands x 1000).
    pub value: &'a [f64],
    /// Quantity `q` as read (NaN where missing): what tells a duplicate row from a row of the
    /// same key with other numbers.
    pub quantity: &'a [f64],
}

/// Streams a BACI file (same inputs, checks and errors as [`read_baci`]) through `sink`, chunk by
/// chunk in file order, without building the table: memory stays at a few chunks whatever the
/// file size. Parsing of the next chunks goes on in parallel while `sink` runs. Returns the read
/// report; an error of `sink` stops the read and is returned.
///
/// ```no_run
/// use tradedep::io::baci::{scan_baci, BaciOptions};
/// let mut total = 0.0;
/// let report = scan_baci("BACI_HS17_Y2021_V202401.csv".as_ref(), &BaciOptions::default(), &mut |c| {
///     total += c.value.iter().sum::<f64>();
///     Ok(())
/// }).unwrap();
/// println!("{} rows, {total} USD", report.rows_kept);
/// ```
pub fn scan_baci(
    path: &Path,
    options: &BaciOptions<'_>,
    sink: &mut dyn FnMut(BaciChunk<'_>) -> Result<()>,
) -> Result<ReadReport> {
    let recycled: Recycled = Default::default();
    let mut to_columns = |c: ChunkOut| {
        sink(BaciChunk {
            period: &c.period,
            exporter: &c.reporter,
            importer: &c.partner,
            product: &c.product,
            value: &c.value,
            quantity: &c.quantity,
        })?;
        if let Ok(mut pool) = recycled.lock() {
            pool.push(c);
        }
        Ok(())
    };
    let outcome = read_path(path, options, &mut to_columns, Some(recycled.clone()))?;
    let mut report = outcome.report;
    report.note("values converted from thousands of USD to USD (x 1000), FOB as BACI reconciles them");
    if let Some(r) = outcome.release {
        report.note(format!("BACI release {r}, {}", outcome.vintage.name()));
    }
    Ok(report)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// What a read found besides its rows: the report, the vintage, the release and the archive's
/// product list.
struct Outcome {
    report: ReadReport,
    vintage: Vintage,
    release: Option<String>,
    product_file: Option<(String, Vec<u32>)>,
}

/// Where parsed chunks go, in file order: a sink, and how many chunks may be read ahead of it
/// (which bounds the memory of text buffers and parsed chunks waiting).
struct ChunkSink<'s> {
    sink: &'s mut dyn FnMut(ChunkOut) -> Result<()>,
    in_flight: usize,
    /// Streaming reads use smaller chunks.
    streaming: bool,
    /// The plain file being read, when it may be mapped instead of read.
    file: Option<&'s File>,
    /// Parsed chunks the sink is done with, for the parser to fill again (streaming reads):
    /// fresh buffers for every chunk would cost a page fault every 4 KB.
    recycled: Option<Recycled>,
}

/// Parsed chunks given back for reuse.
type Recycled = Arc<std::sync::Mutex<Vec<ChunkOut>>>;

/// Adds a delivered chunk's rows and set-asides to the report.
fn account(c: &ChunkOut, report: &mut ReadReport) {
    report.rows_read += c.rows_read;
    report.rows_kept += c.value.len() as u64;
    for (reason, n) in &c.set_aside {
        report.set_aside_many(reason, *n);
    }
    for (reason, line, detail) in &c.examples {
        let ex = report.examples.entry(reason.to_string()).or_default();
        if ex.len() < MAX_EXAMPLES {
            ex.push((*line, detail.clone()));
        }
    }
}

fn read_any<R: Read + Seek + Send>(
    src: R,
    magic: &[u8],
    total: u64,
    name: &str,
    options: &BaciOptions<'_>,
    out: ChunkSink<'_>,
) -> Result<Outcome> {
    if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"PK\x05\x06") {
        return read_archive(src, name, options, out);
    }
    let vintage = resolve_vintage(name, options.vintage)?;
    let mut ctx = FileCtx::new(name, year_from_name(name), options);
    ctx.recycled = out.recycled.clone();
    ctx.streamed = out.streaming;
    if options.chunk_bytes == 0 {
        // Enough chunks to keep every worker busy to the end (BACI text is ~4x its gzip size).
        let text = if magic.starts_with(&[0x1f, 0x8b]) {
            total.saturating_mul(4)
        } else {
            total
        };
        // Small inputs get a buffer their size, not 4 MB.
        ctx.chunk_bytes = chunk_size_for(text, out.streaming).min(
            usize::try_from(text)
                .unwrap_or(usize::MAX)
                .saturating_add(1)
                .max(1 << 16),
        );
    }
    let counter = Arc::new(AtomicU64::new(0));
    let progress = ProgressCtx {
        callback: options.progress,
        counter: counter.clone(),
        base: 0,
        total,
    };
    let mut report = ReadReport::new(name);
    let sink = out.sink;
    let mut deliver = |c: ChunkOut| {
        account(&c, &mut report);
        sink(c)
    };
    if magic.starts_with(&[0x1f, 0x8b]) {
        let counted = Counted { inner: src, counter };
        let gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(1 << 20, counted));
        parse_stream(Input::Stream(gz), &ctx, &progress, true, &mut deliver, out.in_flight)?;
    } else {
        let input = match out.file {
            Some(file) if mapping_allowed() => Input::Mapped(file, total),
            _ => Input::Stream(Counted { inner: src, counter }),
        };
        parse_stream(input, &ctx, &progress, false, &mut deliver, out.in_flight)?;
    }
    Ok(Outcome {
        report,
        vintage,
        release: release_from_name(name),
        product_file: None,
    })
}

fn read_archive<R: Read + Seek + Send>(
    src: R,
    name: &str,
    options: &BaciOptions<'_>,
    out: ChunkSink<'_>,
) -> Result<Outcome> {
    let mut zip = archive_zip::open(src, name)?;
    let contents = archive_zip::baci_contents(&mut zip, name)?;
    let vintage = match (contents.vintage, options.vintage) {
        (v, Some(asked)) if v != asked => {
            return Err(Error::invalid_data(
                format!(
                    "vintage argument {} disagrees with the archive's files, which are {}",
                    asked.name(),
                    v.name()
                ),
                Location::file(name),
                "drop the vintage argument (the file names say it) or pass the archive of the vintage you want",
            ))
        }
        (v, _) => v,
    };
    let members = contents.select(options.years, name)?;
    let mut report = ReadReport::new(name);
    report.sources.clear();

    // Companion files: check the archive's country list against ours, keep its products.
    if let Some(cc) = &contents.country_codes {
        let text = archive_zip::read_member(&mut zip, cc, name)?;
        let unknown = archive_zip::unknown_country_codes(&text);
        if !unknown.is_empty() {
            report.note(format!(
                "{cc} lists {} country code(s) unknown to tradedep: {}; rows with them are {}",
                unknown.len(),
                unknown.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "),
                match options.on_unknown_country {
                    OnUnknownCountry::Error => "errors (pass on_unknown_country='set_aside' to set them aside)",
                    OnUnknownCountry::SetAside => "set aside",
                }
            ));
        }
    }
    let products = match &contents.product_codes {
        Some(pc) => Some((
            pc.clone(),
            archive_zip::product_codes(&archive_zip::read_member(&mut zip, pc, name)?),
        )),
        None => None,
    };

    let total: u64 = members.iter().map(|m| m.size).sum();
    let counter = Arc::new(AtomicU64::new(0));
    let mut base = 0;
    let sink = out.sink;
    for m in &members {
        let member_name = format!("{name}:{}", m.name);
        let mut ctx = FileCtx::new(&member_name, Some(m.year), options);
        ctx.recycled = out.recycled.clone();
        ctx.streamed = out.streaming;
        if options.chunk_bytes == 0 {
            ctx.chunk_bytes = chunk_size_for(m.size, out.streaming);
        }
        let progress = ProgressCtx {
            callback: options.progress,
            counter: counter.clone(),
            base,
            total,
        };
        counter.store(0, Ordering::Relaxed);
        let reader = zip.by_name(&m.path).map_err(|e| archive_zip::zip_error(name, e))?;
        let mut deliver = |c: ChunkOut| {
            account(&c, &mut report);
            sink(c)
        };
        parse_stream(
            Input::Stream(Counted {
                inner: reader,
                counter: counter.clone(),
            }),
            &ctx,
            &progress,
            true,
            &mut deliver,
            out.in_flight,
        )?;
        report.sources.push(m.name.clone());
        base += m.size;
    }
    Ok(Outcome {
        report,
        vintage,
        release: contents.release,
        product_file: products,
    })
}

fn resolve_vintage(name: &str, asked: Option<Vintage>) -> Result<Vintage> {
    match (vintage_from_name(name), asked) {
        (Some(v), Some(a)) if v != a => Err(Error::invalid_data(
            format!(
                "vintage argument {} disagrees with the file name, which says {}",
                a.name(),
                v.name()
            ),
            Location::file(name),
            "drop the vintage argument or check that this is the file you meant",
        )),
        (Some(v), _) | (None, Some(v)) => Ok(v),
        (None, None) => Err(Error::invalid_argument(
            format!("cannot tell the HS vintage of {name:?}: the name does not follow BACI_HS17_Y2021_V202401.csv"),
            "pass vintage= (e.g. vintage=\"HS2017\")",
        )),
    }
}

/// The HS vintage named by a BACI file name: `BACI_HS17_...` or `baci_hs92_...` (any case),
/// also inside a path.
///
/// ```
/// use tradedep::io::baci::vintage_from_name;
/// use tradedep::Vintage;
/// assert_eq!(vintage_from_name("BACI_HS17_Y2021_V202401.csv"), Some(Vintage::Hs(2017)));
/// assert_eq!(vintage_from_name("baci_hs92_2021_exports.csv.gz"), Some(Vintage::Hs(1992)));
/// assert_eq!(vintage_from_name("trade.csv"), None);
/// ```
pub fn vintage_from_name(name: &str) -> Option<Vintage> {
    let base = name
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or(name)
        .to_ascii_uppercase();
    let rest = base.strip_prefix("BACI_HS")?;
    let digits = rest.get(0..2)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || rest.as_bytes().get(2).is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    Vintage::parse(&format!("HS{digits}")).ok()
}

/// The year in `_Y2021` of a BACI file name.
///
/// ```
/// use tradedep::io::baci::year_from_name;
/// assert_eq!(year_from_name("BACI_HS17_Y2021_V202401.csv"), Some(2021));
/// assert_eq!(year_from_name("country_codes_V202401.csv"), None);
/// ```
pub fn year_from_name(name: &str) -> Option<i32> {
    let base = name
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or(name)
        .to_ascii_uppercase();
    base.split(['_', '.']).find_map(|part| {
        let y = part.strip_prefix('Y')?;
        (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
            .then(|| y.parse().ok())
            .flatten()
    })
}

/// The release in `_V202401` of a BACI file name.
///
/// ```
/// use tradedep::io::baci::release_from_name;
/// assert_eq!(release_from_name("data/BACI_HS17_Y2021_V202401b.csv").as_deref(), None);
/// assert_eq!(release_from_name("data/BACI_HS17_Y2021_V202401.csv").as_deref(), Some("V202401"));
/// ```
pub fn release_from_name(name: &str) -> Option<String> {
    let base = name
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or(name)
        .to_ascii_uppercase();
    base.split(['_', '.']).find_map(|part| {
        let v = part.strip_prefix('V')?;
        (v.len() >= 6 && v.bytes().all(|b| b.is_ascii_digit())).then(|| part.to_string())
    })
}

// ---- reading a stream in chunks -------------------------------------------------------------

struct FileCtx<'a> {
    name: String,
    expected_year: Option<i32>,
    years: Option<&'a [i32]>,
    on_unknown_country: OnUnknownCountry,
    chunk_bytes: usize,
    /// `known[code]`: the country table's answer for every u16 code, asked once.
    known: Vec<bool>,
    /// `wanted[code]`: whether rows of importer `code` are kept (`None`: every importer).
    wanted: Option<Vec<bool>>,
    recycled: Option<Recycled>,
    /// Chunks go to a sink, not into a table ([`ChunkOut::streamed`]).
    streamed: bool,
    cancel: Option<&'a Cancellation>,
}

impl<'a> FileCtx<'a> {
    fn new(name: &str, expected_year: Option<i32>, options: &BaciOptions<'a>) -> Self {
        FileCtx {
            name: name.to_string(),
            expected_year,
            years: options.years,
            on_unknown_country: options.on_unknown_country,
            chunk_bytes: if options.chunk_bytes == 0 {
                CHUNK_BYTES
            } else {
                options.chunk_bytes
            },
            known: (0..=u16::MAX).map(countries::is_known_code).collect(),
            wanted: options.importers.map(countries::code_mask),
            recycled: None,
            streamed: false,
            cancel: options.cancel,
        }
    }
}

struct ProgressCtx<'a> {
    callback: Option<Progress<'a>>,
    counter: Arc<AtomicU64>,
    base: u64,
    total: u64,
}

impl ProgressCtx<'_> {
    fn tick(&self) {
        if let Some(cb) = self.callback {
            let done = self.base + self.counter.load(Ordering::Relaxed);
            cb(done.min(self.total.max(done)), self.total.max(done));
        }
    }
}

/// Counts the bytes read from the underlying input, for progress.
struct Counted<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn stream_error(file: &str, e: std::io::Error, compressed: bool) -> Error {
    use std::io::ErrorKind as K;
    if compressed || matches!(e.kind(), K::UnexpectedEof | K::InvalidData | K::InvalidInput) {
        Error::format(
            format!("compressed data is corrupt or ends early ({e})"),
            Location::file(file),
            "the file is probably truncated (an interrupted download): download it again",
        )
    } else {
        Error::Io {
            path: file.into(),
            source: e,
        }
    }
}

/// Text handed to a parser: a reused buffer the file was read into, or a window of the file
/// mapped into memory ([`mapped::map`], safe against truncation).
enum Text {
    Owned(Vec<u8>),
    Mapped(mapped::Window),
}

impl std::ops::Deref for Text {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Text::Owned(v) => v,
            Text::Mapped(m) => m,
        }
    }
}

/// A chunk of text to parse: its index in the file, the text and the range of whole lines.
type TextChunk = (usize, Text, usize, usize);

/// Where a stream's text comes from.
enum Input<'f, R> {
    /// Read through `std::io::Read` (compressed data, archives, bytes in memory).
    Stream(R),
    /// A plain file of this many bytes, mapped window by window.
    Mapped(&'f File, u64),
}

/// The size of mapped chunk `index`: 1 MB, 2 MB, 4 MB... up to `chunk_bytes`. Whoever consumes
/// the chunks in file order waits for the first one; a small first chunk starts it after a
/// millisecond or two instead of the ~20 ms an 8 MB chunk takes to parse.
fn first_chunks_smaller(chunk_bytes: usize, index: usize) -> usize {
    chunk_bytes.min((1 << 20) << index.min(12))
}

/// Window offsets are multiples of this (the largest page size of common systems).
const MAP_ALIGN: u64 = 64 << 10;

/// Whether plain files are mapped (not when `TRADEDEP_NO_MMAP` is set to anything but `0`).
fn mapping_allowed() -> bool {
    std::env::var_os("TRADEDEP_NO_MMAP").is_none_or(|v| v == "0")
}

/// Cuts the mapped `file` of `len` bytes into chunks of whole lines, as [`read_chunks`] does
/// with a stream: the header checked and skipped, one token taken before each chunk.
fn map_chunks(
    file: &File,
    len: u64,
    ctx: &FileCtx<'_>,
    progress: &ProgressCtx<'_>,
    abort: &AtomicBool,
    emit: &mut dyn FnMut(TextChunk),
    tokens: Receiver<()>,
) -> Result<()> {
    let name = ctx.name.as_str();
    if len == 0 {
        return Err(Error::format(
            "the file is empty",
            Location::file(name),
            "a BACI file starts with the header t,i,j,k,v,q; download it again",
        ));
    }
    let mut pos = 0u64; // first byte not yet handed out
    let mut index = 0usize;
    while pos < len {
        if abort.load(Ordering::Relaxed) || tokens.recv().is_err() {
            return Ok(());
        }
        let base = pos / MAP_ALIGN * MAP_ALIGN;
        let size = first_chunks_smaller(ctx.chunk_bytes, index);
        let end = (pos + size as u64).min(len);
        if let Some(now) = mapped::shrank(file, len) {
            return Err(file_shrank(name, len, now));
        }
        let window = mapped::map(file, base, (end - base) as usize).map_err(|e| stream_error(name, e, false))?;
        progress.counter.store(end, Ordering::Relaxed);
        progress.tick();
        let mut start = (pos - base) as usize;
        if pos == 0 {
            let Some(nl) = memchr::memchr(b'\n', &window[start..]) else {
                if end == len {
                    return check_header(&window[start..], name); // header only
                }
                return Err(no_line_break(name, size, true));
            };
            check_header(&window[start..start + nl], name)?;
            start += nl + 1;
        }
        let stop = if end == len {
            window.len()
        } else {
            match memchr::memrchr(b'\n', &window[start..]) {
                Some(p) => start + p + 1,
                None => return Err(no_line_break(name, size, false)),
            }
        };
        pos = base + stop as u64;
        if stop > start {
            emit((index, Text::Mapped(window), start, stop));
            index += 1;
        }
    }
    Ok(())
}

/// Cuts `src` into chunks of whole lines (the header checked and skipped) and sends them to
/// `tx`. With `tokens`, takes one before each chunk: the consumer returns one per chunk done,
/// which bounds the chunks in flight.
#[allow(clippy::too_many_arguments)]
fn read_chunks<R: Read>(
    mut src: R,
    ctx: &FileCtx<'_>,
    progress: &ProgressCtx<'_>,
    compressed: bool,
    abort: &AtomicBool,
    emit: &mut dyn FnMut(TextChunk),
    free_rx: Receiver<Vec<u8>>,
    tokens: Receiver<()>,
) -> Result<()> {
    let file = ctx.name.as_str();
    let mut carry: Vec<u8> = Vec::new();
    let mut index = 0usize;
    let mut first = true;
    loop {
        if abort.load(Ordering::Relaxed) {
            return Ok(());
        }
        if tokens.recv().is_err() {
            return Ok(()); // the consumer stopped
        }
        // Buffers keep their full length and are recycled: zeroed once, never again.
        let mut buf = free_rx.try_recv().unwrap_or_default();
        if buf.len() < ctx.chunk_bytes {
            buf.resize(ctx.chunk_bytes, 0);
        }
        let mut filled = carry.len();
        buf[..filled].copy_from_slice(&carry);
        carry.clear();
        let mut eof = false;
        while filled < buf.len() {
            match src.read(&mut buf[filled..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(stream_error(file, e, compressed)),
            }
        }
        progress.tick();
        let mut start = 0;
        if first {
            first = false;
            if filled == 0 {
                return Err(Error::format(
                    "the file is empty",
                    Location::file(file),
                    "a BACI file starts with the header t,i,j,k,v,q; download it again",
                ));
            }
            let Some(nl) = memchr::memchr(b'\n', &buf[..filled]) else {
                if eof {
                    check_header(&buf[..filled], file)?;
                    return Ok(()); // header only
                }
                return Err(no_line_break(file, ctx.chunk_bytes, true));
            };
            check_header(&buf[..nl], file)?;
            start = nl + 1;
        }
        let mut end = filled;
        if !eof {
            match memchr::memrchr(b'\n', &buf[start..filled]) {
                Some(p) => {
                    end = start + p + 1;
                    carry.extend_from_slice(&buf[end..filled]);
                }
                None => return Err(no_line_break(file, ctx.chunk_bytes, false)),
            }
        }
        if end > start {
            emit((index, Text::Owned(buf), start, end));
            index += 1;
        }
        if eof {
            return Ok(());
        }
    }
}

/// Reads `src` in chunks on a helper thread, parses them on the rayon pool and hands them to
/// `sink` in file order on this thread (example lines made file lines). At most `in_flight`
/// chunks are read ahead of the sink. The first error in file order wins: a row problem of an
/// earlier chunk, then the sink's error, then a reading error.
///
/// Rayon workers only parse (they never wait for the reader or the sink), so a sink may itself
/// use the rayon pool.
fn parse_stream<R: Read + Send>(
    src: Input<'_, R>,
    ctx: &FileCtx<'_>,
    progress: &ProgressCtx<'_>,
    compressed: bool,
    sink: &mut dyn FnMut(ChunkOut) -> Result<()>,
    in_flight: usize,
) -> Result<()> {
    let abort = AtomicBool::new(false);
    // The first chunk (in file order) that failed: only chunks after it skip their parse. A chunk
    // before it must still count its lines, or the error would name a line too early.
    let first_failed = std::sync::atomic::AtomicUsize::new(usize::MAX);
    // A mapped file is re-measured on any problem and at the end: a truncation while it was
    // read (zeros where text was, see `mapped`) is reported as such.
    let mapped_file = match &src {
        Input::Mapped(f, len) => Some((*f, *len)),
        Input::Stream(_) => None,
    };
    let shrank =
        || mapped_file.and_then(|(f, len)| mapped::shrank(f, len).map(|now| file_shrank(ctx.name.as_str(), len, now)));
    let (free_tx, free_rx) = channel::<Vec<u8>>();
    let (done_tx, done_rx) = channel::<(usize, std::result::Result<ChunkOut, RowProblem>)>();
    let in_flight = in_flight.max(1);
    let (token_tx, token_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(());
    }
    let file = ctx.name.as_str();

    std::thread::scope(|s| {
        let abort = &abort;
        let first_failed = &first_failed;
        let reader = s.spawn(move || {
            rayon::in_place_scope(|sc| {
                let mut emit = |(i, buf, start, end): TextChunk| {
                    let free_tx = free_tx.clone();
                    let done_tx = done_tx.clone();
                    sc.spawn(move |_| {
                        let out = if i > first_failed.load(Ordering::Relaxed) {
                            Ok(ChunkOut::with_capacity(0, ctx.streamed))
                        } else {
                            parse_chunk(buf.get(start..end).unwrap_or_default(), ctx)
                        };
                        if out.is_err() {
                            first_failed.fetch_min(i, Ordering::Relaxed);
                            abort.store(true, Ordering::Relaxed);
                        }
                        if let Text::Owned(buf) = buf {
                            let _ = free_tx.send(buf);
                        }
                        let _ = done_tx.send((i, out));
                    });
                };
                let r = match src {
                    Input::Stream(src) => {
                        read_chunks(src, ctx, progress, compressed, abort, &mut emit, free_rx, token_rx)
                    }
                    Input::Mapped(file, len) => map_chunks(file, len, ctx, progress, abort, &mut emit, token_rx),
                };
                drop(done_tx);
                r
            })
        });
        // Deliver in file order; chunks finished early wait here.
        let mut pending: std::collections::BTreeMap<usize, std::result::Result<ChunkOut, RowProblem>> =
            Default::default();
        let mut next = 0usize;
        let mut line0: u64 = 1; // lines before the chunk: the header
        let mut failed: Option<Error> = None;
        for (i, r) in done_rx.iter() {
            if failed.is_none() && ctx.cancel.is_some_and(Cancellation::is_cancelled) {
                first_failed.fetch_min(next, Ordering::Relaxed);
                abort.store(true, Ordering::Relaxed);
                failed = Some(Error::Cancelled);
            }
            pending.insert(i, r);
            while let Some(r) = pending.remove(&next) {
                next += 1;
                if failed.is_none() {
                    match r {
                        Ok(mut c) => {
                            for ex in &mut c.examples {
                                ex.1 += line0;
                            }
                            line0 += c.lines;
                            if let Err(e) = sink(c) {
                                first_failed.fetch_min(next, Ordering::Relaxed);
                                abort.store(true, Ordering::Relaxed);
                                failed = Some(e);
                            }
                        }
                        Err(p) => {
                            abort.store(true, Ordering::Relaxed);
                            failed = Some(shrank().unwrap_or_else(|| p.into_error(file, line0)));
                        }
                    }
                }
                let _ = token_tx.try_send(());
            }
            if failed.is_some() {
                // A reader waiting for a token goes on and sees the abort.
                let _ = token_tx.try_send(());
            }
        }
        drop(token_tx);
        let reader_result = reader.join().unwrap_or_else(|_| {
            Err(Error::format(
                "the reader thread failed",
                Location::file(file),
                "please report this as a bug",
            ))
        });
        match failed {
            Some(e) => Err(e),
            None => match shrank() {
                Some(e) => Err(e),
                None => reader_result.map_err(|e| locate_long_line(e, line0)),
            },
        }
    })
}

/// The file got shorter while it was read (another program cut or rewrote it).
fn file_shrank(file: &str, was: u64, now: u64) -> Error {
    Error::format(
        format!("the file changed while it was read: it had {was} bytes and now has {now}"),
        Location::file(file),
        "another program truncated or rewrote it; read it again once that program has finished (or read a copy)",
    )
}

/// A line longer than a chunk. In the header it is line 1; further on, the reader does not
/// count lines (the parsers do), so it leaves line 0 and [`parse_stream`] puts the line that
/// follows the last chunk delivered ([`locate_long_line`]).
fn no_line_break(file: &str, chunk_bytes: usize, header: bool) -> Error {
    Error::format(
        format!("no line break within {chunk_bytes} bytes"),
        Location::file(file).line(if header { 1 } else { 0 }),
        "this is not a BACI CSV file (one row per line, t,i,j,k,v,q)",
    )
}

/// Gives a reader's [`no_line_break`] error the line after the `lines_before` delivered.
fn locate_long_line(e: Error, lines_before: u64) -> Error {
    match e {
        Error::Format {
            what,
            mut location,
            hint,
        } if location.line == Some(0) => {
            location.line = Some(lines_before + 1);
            Error::Format { what, location, hint }
        }
        other => other,
    }
}

/// Checks the header line `t,i,j,k,v,q` (quoted or not, any case, BOM allowed).
fn check_header(line: &[u8], file: &str) -> Result<()> {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let loc = || Location::file(file).line(1);
    let text = std::str::from_utf8(line).map_err(|_| {
        Error::format(
            "the header is not valid UTF-8 text",
            loc().value(String::from_utf8_lossy(line)),
            "this is not a BACI CSV file; check that it is not an archive or a spreadsheet",
        )
    })?;
    let names = |sep: char| -> Vec<String> {
        text.split(sep)
            .map(|f| f.trim().trim_matches('"').trim().to_ascii_lowercase())
            .collect()
    };
    if names(',') == COLUMNS {
        return Ok(());
    }
    for sep in [';', '\t', '|'] {
        if names(sep) == COLUMNS {
            return Err(Error::format(
                format!("wrong delimiter {sep:?} (BACI files are comma-separated)"),
                loc().value(text),
                "convert the file to commas, or read it with td.read_csv and a column mapping",
            ));
        }
    }
    let first = text
        .split([',', ';', '\t'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"');
    if !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::format(
            "missing header: the first line is data",
            loc().value(text),
            "BACI files start with the header t,i,j,k,v,q; add it or read the file with td.read_csv",
        ));
    }
    Err(Error::format(
        "unexpected header (expected t,i,j,k,v,q)",
        loc().value(text),
        "this is not a BACI data file; for other layouts use td.read_csv with a column mapping",
    ))
}

// ---- parsing one chunk ----------------------------------------------------------------------

/// The parsed rows of one chunk: Arrow-ready buffers plus the chunk's account.
struct ChunkOut {
    /// Lines in the chunk (rows, blank lines).
    lines: u64,
    rows_read: u64,
    /// `t` per row, left empty while every row of the chunk has the year `year` (the usual
    /// case: a BACI file is one year), so that a whole-year table shares one constant column.
    period: Vec<i32>,
    year: Option<i32>,
    /// Rows pushed so far.
    rows: usize,
    /// Handed to a sink ([`scan_baci`]), not built into a table: `period` holds every row, and
    /// `products_seen`, which only tables use, stays empty.
    streamed: bool,
    reporter: Vec<u16>,
    partner: Vec<u16>,
    /// `k` as read; replaced by dictionary keys when the batches are assembled.
    product: Vec<i32>,
    value: Vec<f64>,
    quantity: Vec<f64>,
    /// NaN where the quantity is missing (the parsers never produce NaN otherwise); the
    /// validity bitmap is built from it once per chunk, not bit by bit.
    quantity_nulls: usize,
    /// Bit `k` set when product `k` occurs in the chunk.
    products_seen: Vec<u64>,
    set_aside: Vec<(&'static str, u64)>,
    /// Rows of importers not asked for, counted apart while the chunk is parsed.
    other_importers: u64,
    /// `(reason, line, detail)`, line chunk-local until the stream is done.
    examples: Vec<(&'static str, u64, String)>,
}

impl ChunkOut {
    fn with_capacity(n: usize, streamed: bool) -> Self {
        ChunkOut {
            lines: 0,
            rows_read: 0,
            period: Vec::new(),
            year: None,
            rows: 0,
            streamed,
            reporter: Vec::with_capacity(n),
            partner: Vec::with_capacity(n),
            product: Vec::with_capacity(n),
            value: Vec::with_capacity(n),
            quantity: Vec::with_capacity(n),
            quantity_nulls: 0,
            products_seen: vec![0; BITMAP_WORDS],
            set_aside: Vec::new(),
            other_importers: 0,
            examples: Vec::new(),
        }
    }

    /// Empties a chunk for reuse, keeping its buffers, with room for `n` rows.
    fn reset(&mut self, n: usize, streamed: bool) {
        self.streamed = streamed;
        self.lines = 0;
        self.rows_read = 0;
        self.quantity_nulls = 0;
        self.set_aside.clear();
        self.other_importers = 0;
        self.examples.clear();
        if !self.streamed {
            self.products_seen.fill(0);
        }
        self.year = None;
        self.rows = 0;
        for v in [&mut self.period, &mut self.product] {
            v.clear();
            v.reserve(n);
        }
        for v in [&mut self.reporter, &mut self.partner] {
            v.clear();
            v.reserve(n);
        }
        for v in [&mut self.value, &mut self.quantity] {
            v.clear();
            v.reserve(n);
        }
    }

    /// Counts a row of an importer not asked for (added to `set_aside` when the chunk is done:
    /// most rows of a read for a few importers come here).
    #[inline]
    fn other_importer(&mut self, line: u64, j: u16) {
        if self.other_importers < MAX_EXAMPLES as u64 {
            self.examples.push((REASON_IMPORTER, line, format!("j = {j}")));
        }
        self.other_importers += 1;
    }

    fn set_aside(&mut self, reason: &'static str, line: u64, detail: impl FnOnce() -> String) {
        match self.set_aside.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => self.set_aside.push((reason, 1)),
        }
        if self.examples.iter().filter(|(r, _, _)| *r == reason).count() < MAX_EXAMPLES {
            self.examples.push((reason, line, detail()));
        }
    }
}

/// What [`fast_row`] made of a line.
enum Parsed {
    Row(Row),
    /// A row of this importer, not asked for.
    OtherImporter(u16),
}

/// One parsed and checked row, before the unit conversions.
struct Row {
    t: i32,
    i: u16,
    j: u16,
    k: u32,
    v: f64,
    q: Option<f64>,
}

impl ChunkOut {
    #[inline(always)]
    fn push(&mut self, r: Row) {
        if self.streamed {
            // The sink takes every row's year and quantity (to find duplicates), not the
            // product bitmap.
            self.period.push(r.t);
            self.quantity.push(r.q.unwrap_or(f64::NAN));
        } else {
            if self.year.is_some_and(|y| y != r.t) || !self.period.is_empty() {
                if self.period.len() < self.rows {
                    // The first row of another year: the rows before it get their year written out.
                    self.period.resize(self.rows, self.year.unwrap_or(r.t));
                }
                self.period.push(r.t);
            }
            if let Some(w) = self.products_seen.get_mut(r.k as usize / 64) {
                *w |= 1u64 << (r.k % 64);
            }
            self.quantity.push(r.q.unwrap_or(f64::NAN));
            self.quantity_nulls += r.q.is_none() as usize;
        }
        self.year.get_or_insert(r.t);
        self.rows += 1;
        self.reporter.push(r.i);
        self.partner.push(r.j);
        self.product.push(r.k as i32);
        // Thousands of USD -> USD.
        self.value.push(r.v * 1000.0);
    }
}

/// How far ahead of the row being parsed the text is asked into cache: past the next 4 KB page
/// boundary half the time, which the hardware prefetcher does not cross (measured: 2 KB ahead
/// took 7-8 % off the workload's CPU; 256 bytes less, 1-4 KB the same).
const PREFETCH_AHEAD: usize = 2048;

/// Digits up to a comma; `None` (take the careful path) for anything else.
#[inline(always)]
fn fast_uint(buf: &[u8], p: &mut usize, max_digits: usize) -> Option<u32> {
    let start = *p;
    let mut n = 0u32;
    while let Some(&b) = buf.get(*p) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        n = n.wrapping_mul(10).wrapping_add(d as u32);
        *p += 1;
    }
    let len = *p - start;
    if len == 0 || len > max_digits || buf.get(*p) != Some(&b',') {
        return None;
    }
    *p += 1;
    Some(n)
}

/// Exact powers of ten as f64 (10^0 ..= 10^15 are exactly representable).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A number starting with a digit (so never negative), correctly rounded.
///
/// BACI writes plain decimals (`52.051`): with at most 15 digits the digits form an exact
/// integer `m < 2^53` and the value is `m / 10^f` for an exact power of ten, one correctly
/// rounded division (Clinger's fast path), so the result equals a correct decimal parser's.
/// Longer numbers and exponents go to fast-float2.
#[inline(always)]
fn fast_amount(buf: &[u8], p: &mut usize) -> Option<f64> {
    let start = *p;
    let mut q = start;
    let mut m: u64 = 0;
    let mut digits = 0usize;
    while let Some(&b) = buf.get(q) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        m = m.wrapping_mul(10).wrapping_add(d as u64);
        digits += 1;
        q += 1;
    }
    if digits == 0 {
        return None;
    }
    let mut frac = 0usize;
    if buf.get(q) == Some(&b'.') {
        q += 1;
        while let Some(&b) = buf.get(q) {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            m = m.wrapping_mul(10).wrapping_add(d as u64);
            digits += 1;
            frac += 1;
            q += 1;
        }
    }
    if digits <= 15 && !matches!(buf.get(q), Some(b'e' | b'E')) {
        *p = q;
        // frac <= digits <= 15, so the index is in range.
        return Some(m as f64 / POW10[frac]);
    }
    let (v, n) = fast_float2::parse_partial::<f64, _>(buf.get(start..)?).ok()?;
    *p = start + n;
    (v < AMOUNT_LIMIT).then_some(v)
}

/// Parses and checks the row at `pos` in one pass when it has the usual shape
/// (`2021,4,24,382390,52.051,"       13.235"`) and passes every check; returns the row and the
/// position after its line break. `None` sends the line to the careful path, which gives the
/// same result for good rows and the exact error or set-aside reason for the others.
///
/// `prev` holds the `t,i,j,` text of an earlier row that passed: a row starting with the same
/// bytes has the same year, exporter and importer, already checked, and skips them. BACI is
/// sorted by year, exporter and importer, so that is almost every row (a pair trades ~100
/// products), and those three fields are a third of the parsing.
///
/// A row of an importer not asked for ([`BaciOptions::importers`]) comes back as
/// [`Parsed::OtherImporter`] with the position after its line break: its product, value and
/// quantity are not parsed.
#[inline(always)]
fn fast_row(buf: &[u8], pos: usize, ctx: &FileCtx<'_>, prev: &mut RowPrefix) -> Option<(Parsed, usize)> {
    let head = buf
        .get(pos..pos + 16)
        .map(|b| u128::from_le_bytes(b.try_into().unwrap_or([0; 16])));
    let (t, i, j, mut p) = match head {
        Some(h) if prev.mask != 0 && (h ^ prev.bytes) & prev.mask == 0 => (prev.t, prev.i, prev.j, pos + prev.len),
        _ => {
            let mut p = pos;
            let t = fast_uint(buf, &mut p, 4)? as i32;
            let i = fast_uint(buf, &mut p, 5)?;
            let j = fast_uint(buf, &mut p, 5)?;
            let ok = (1900..=2200).contains(&t)
                && ctx.expected_year.is_none_or(|y| y == t)
                && ctx.years.is_none_or(|ys| ys.contains(&t))
                && ctx.known.get(i as usize).copied().unwrap_or(false)
                && ctx.known.get(j as usize).copied().unwrap_or(false);
            if !ok {
                return None;
            }
            let (i, j) = (i as u16, j as u16);
            let len = p - pos;
            *prev = match head {
                // At most 16 bytes: "2200,65535,65535," is 17 and is parsed every time.
                Some(h) if len < 16 => RowPrefix {
                    bytes: h,
                    mask: (1u128 << (8 * len)) - 1,
                    len,
                    t,
                    i,
                    j,
                },
                _ => RowPrefix::default(),
            };
            (t, i, j, p)
        }
    };
    if ctx.wanted.as_ref().is_some_and(|w| !w[j as usize]) {
        let end = memchr::memchr(b'\n', &buf[p..]).map_or(buf.len(), |e| p + e + 1);
        return Some((Parsed::OtherImporter(j), end));
    }
    let k = fast_uint(buf, &mut p, 6).filter(|k| *k >= MIN_PRODUCT)?;
    let v = match delimited_amount(buf, p) {
        Some((v, end)) => {
            p = end;
            v
        }
        None => fast_amount(buf, &mut p)?,
    };
    if buf.get(p) != Some(&b',') {
        return None;
    }
    p += 1;
    let q = match buf.get(p) {
        Some(b'"') => match fixed_quantity(buf, p) {
            Some(q) => {
                p += 15;
                Some(q)
            }
            None => {
                p += 1;
                // Other quoted quantities (NA among them): the padding is counted 16 bytes at
                // a time, as a byte loop would mispredict its exit on most rows.
                if let Some(b) = buf.get(p..p + 16) {
                    let (s0, s1) = (spaces8(&b[..8]), spaces8(&b[8..]));
                    p += if s0 == 8 { 8 + s1 } else { s0 };
                }
                while buf.get(p) == Some(&b' ') {
                    p += 1;
                }
                if buf.get(p..p + 3) == Some(b"NA\"") {
                    p += 3;
                    None
                } else {
                    let q = fast_amount(buf, &mut p)?;
                    if buf.get(p) != Some(&b'"') {
                        return None;
                    }
                    p += 1;
                    Some(q)
                }
            }
        },
        Some(b'N') if buf.get(p..p + 2) == Some(b"NA") => {
            p += 2;
            None
        }
        Some(b'\r' | b'\n') | None => None,
        Some(_) => Some(fast_amount(buf, &mut p)?),
    };
    if buf.get(p) == Some(&b'\r') {
        p += 1;
    }
    match buf.get(p) {
        Some(b'\n') => p += 1,
        None => {}
        Some(_) => return None,
    }
    Some((Parsed::Row(Row { t, i, j, k, v, q }), p))
}

/// Sum of 8 digit values (0..=9, most significant in the lowest byte) as one number: pairs,
/// then quads, then the whole, by three multiplications.
#[inline(always)]
fn eight_digits(d: u64) -> u64 {
    let d = (d.wrapping_mul(10 * 256 + 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let d = (d.wrapping_mul(100 * 65_536 + 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    d.wrapping_mul(10_000 * (1 << 32) + 1) >> 32
}

/// A plain decimal ending at a comma, `ddd` or `ddd.ddd` (1 to 8 integer digits, 1 to 7
/// decimals), read without a loop: the comma and the point are found from byte masks of the
/// 16 bytes at `p`, then each digit run is read as the 8 bytes that end with it (the bytes
/// before it masked to zeros), checked at once and combined by [`eight_digits`]. Returns the
/// value and the comma's position; `None` for any other shape (then [`fast_amount`] reads
/// it). The value is `m / 10^f` for the exact integer `m` of the digits, as [`fast_amount`]
/// computes it: the same f64 to the bit.
#[inline(always)]
fn delimited_amount(buf: &[u8], p: usize) -> Option<(f64, usize)> {
    const ONES: u128 = 0x0101_0101_0101_0101_0101_0101_0101_0101;
    const HIGH: u128 = ONES * 0x80;
    // Per-byte "equals c" without carries between bytes: (y & 0x7F) + 0x7F <= 0xFE.
    let eq = |w: u128, c: u8| {
        let y = w ^ (ONES * c as u128);
        !(((y & !HIGH) + !HIGH) | y) & HIGH
    };
    let w = u128::from_le_bytes(buf.get(p..p + 16)?.try_into().ok()?);
    let comma = (eq(w, b',').trailing_zeros() / 8) as usize;
    let dot = (eq(w, b'.').trailing_zeros() / 8) as usize;
    let has_dot = dot < comma;
    let int_len = if has_dot { dot } else { comma };
    let frac_len = if has_dot { comma - dot - 1 } else { 0 };
    if !(1..=8).contains(&int_len) || comma >= 16 || (has_dot && !(1..=7).contains(&frac_len)) {
        return None;
    }
    let int = digits_ending_at(buf, p + int_len, int_len)?;
    let frac = if has_dot {
        digits_ending_at(buf, p + comma, frac_len)?
    } else {
        0
    };
    let m = int * POW10_INT[frac_len] + frac;
    Some((m as f64 / POW10[frac_len], p + comma))
}

/// The number written by the `len` (1..=8) bytes before `end`, `None` unless they are all
/// digits. Reads the 8 bytes before `end`: in a row, earlier fields are always there.
#[inline(always)]
fn digits_ending_at(buf: &[u8], end: usize, len: usize) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    let w = u64::from_le_bytes(buf.get(end.checked_sub(8)?..end)?.try_into().ok()?);
    let x = w ^ (ONES * b'0' as u64);
    let not_digit = (((x & !HIGH) + ONES * 0x76) | x) & HIGH;
    // The last `len` bytes are the high bytes of the little-endian word.
    let keep = !0u64 << (8 * (8 - len));
    (not_digit & keep == 0).then(|| eight_digits(x & keep))
}

/// Exact powers of ten as integers, for [`delimited_amount`].
const POW10_INT: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The quantity at `p` when it has the shape CEPII writes, `"%13.3f"` in quotes: spaces, 1 to
/// 8 integer digits, a point, 3 decimals, the closing quote 14 bytes after the opening one.
/// The fixed places let it be read without a loop (whose exits mispredict): the 8 bytes
/// before the point are classified at once, spaces become leading zeros, and the digits are
/// combined by three multiplications. The value is `m / 1000` for the exact integer `m` of
/// the digits, as [`fast_amount`] computes it: the same f64 to the bit.
#[inline(always)]
fn fixed_quantity(buf: &[u8], p: usize) -> Option<f64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let b = buf.get(p..p + 15)?;
    if b[0] != b'"' || b[1] != b' ' || b[10] != b'.' || b[14] != b'"' {
        return None;
    }
    let f = [b[11], b[12], b[13]].map(|c| c.wrapping_sub(b'0'));
    if f[0].max(f[1]).max(f[2]) > 9 {
        return None;
    }
    let w = u64::from_le_bytes(b[2..10].try_into().ok()?);
    // Per-byte classes without carries between bytes: (x & 0x7F) + 0x76 <= 0xF5.
    let x = w ^ (ONES * b'0' as u64);
    let digit = !(((x & !HIGH) + ONES * 0x76) | x) & HIGH;
    let y = w ^ (ONES * b' ' as u64);
    let space = !(((y & !HIGH) + !HIGH) | y) & HIGH;
    // Spaces then at least one digit, nothing else.
    if digit == 0 || (digit | space) != HIGH || space >= (digit & digit.wrapping_neg()) {
        return None;
    }
    // Spaces count as leading zeros.
    let int = eight_digits(x & ((digit >> 7) * 0xFF));
    let m = int * 1000 + f[0] as u64 * 100 + f[1] as u64 * 10 + f[2] as u64;
    Some(m as f64 / 1000.0)
}

/// Number of leading spaces in the first 8 bytes of `b` (0..=8).
#[inline(always)]
fn spaces8(b: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let w = u64::from_le_bytes(b.get(..8).and_then(|b| b.try_into().ok()).unwrap_or_default());
    let y = w ^ 0x2020_2020_2020_2020;
    // High bit set in each byte that is not a space (no carry: (y & 0x7F) + 0x7F <= 0xFE).
    let not_space = (((y & !HIGH) + !HIGH) | y) & HIGH;
    (not_space.trailing_zeros() / 8) as usize
}

/// The `t,i,j,` text (delimiter included) of the last row whose year, exporter and importer
/// passed every check, and their values; `mask` 0 when there is none.
#[derive(Default)]
struct RowPrefix {
    bytes: u128,
    mask: u128,
    len: usize,
    t: i32,
    i: u16,
    j: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    FieldCount(usize),
    UnterminatedQuote,
    NotNumber,
    Missing,
    Negative,
    NotFinite,
    /// Digits beyond what the column can hold (a country of 11 digits).
    TooManyDigits,
    BadYear,
    WrongYear(i32),
    UnknownCountry,
    BadProduct,
}

/// The first problem of a chunk, with the chunk-local line; made an [`Error`] once the
/// line numbers of the chunks before it are known.
#[derive(Debug)]
struct RowProblem {
    problem: Problem,
    line: u64,
    column: usize,
    value: Vec<u8>,
}

impl RowProblem {
    fn into_error(self, file: &str, lines_before: u64) -> Error {
        let line = lines_before + self.line;
        let column = COLUMNS.get(self.column).copied().unwrap_or("?");
        let value = String::from_utf8_lossy(&self.value).into_owned();
        let loc = Location::file(file).line(line).column(column).value(value.clone());
        if std::str::from_utf8(&self.value).is_err() {
            return Error::format(
                "invalid UTF-8 text",
                loc,
                "BACI files are plain ASCII; the file is damaged or not a BACI file",
            );
        }
        match self.problem {
            Problem::FieldCount(n) => Error::format(
                format!("line has {n} field(s), expected 6 (t,i,j,k,v,q)"),
                Location::file(file).line(line).value(value),
                "the file may be truncated (cut mid-line) or not comma-separated; download it again",
            ),
            Problem::UnterminatedQuote => Error::format(
                "unterminated quoted field",
                loc,
                "the file may be truncated (cut mid-line); download it again",
            ),
            Problem::NotNumber => Error::parse(
                format!("a number in column '{column}'"),
                loc,
                "BACI columns t,i,j,k are integers and v,q decimal numbers (q may be NA)",
            ),
            Problem::Missing => Error::parse(
                format!("a number in column '{column}' (it is empty)"),
                loc,
                "every BACI row has a year, both countries, a product and a value",
            ),
            Problem::Negative => Error::invalid_data(
                format!("negative {}", if column == "v" { "trade value" } else { "quantity" }),
                loc,
                "trade values and quantities are never negative; the file is damaged or not BACI",
            ),
            Problem::NotFinite => Error::invalid_data(
                format!(
                    "number too large to be a {} (it overflows once thousands are made units)",
                    if column == "v" { "trade value" } else { "quantity" }
                ),
                loc,
                "the file is damaged or not BACI",
            ),
            Problem::TooManyDigits => Error::invalid_data(
                format!(
                    "{} has {} digits",
                    match column {
                        "t" => "a year",
                        "k" => "a product code",
                        _ => "a country code",
                    },
                    self.value.len()
                ),
                loc,
                "BACI writes years with 4 digits, countries with at most 3 and HS6 products with 5 or 6; the file is damaged or not BACI",
            ),
            Problem::BadYear => Error::invalid_data(
                "year outside 1900..2200",
                loc,
                "column t holds the year; the file is damaged or not BACI",
            ),
            Problem::WrongYear(expected) => Error::invalid_data(
                format!("row of year {value} in a file named for {expected}"),
                loc,
                "rename the file or check that it was not concatenated from several years",
            ),
            Problem::UnknownCountry => Error::UnknownCountry {
                query: value,
                context: format!(" at {loc}"),
                hint: "the country table does not know this code; pass on_unknown_country='set_aside' \
                       (Rust: OnUnknownCountry::SetAside) to set such rows aside and see them in the report"
                    .into(),
            },
            Problem::BadProduct => Error::InvalidProduct {
                code: value,
                context: format!(" at {loc}"),
                hint: "BACI products are HS6 codes written as integers of 5 or 6 digits (010121 as 10121)".into(),
            },
        }
    }
}

#[inline]
fn trim_spaces(mut f: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = f {
        f = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = f {
        f = rest;
    }
    f
}

/// A field without surrounding spaces and quotes.
#[inline]
fn unquote(raw: &[u8]) -> std::result::Result<&[u8], Problem> {
    let f = trim_spaces(raw);
    match f {
        [b'"', rest @ ..] => match rest {
            [inner @ .., b'"'] => Ok(trim_spaces(inner)),
            _ => Err(Problem::UnterminatedQuote),
        },
        _ => Ok(f),
    }
}

#[inline]
fn parse_uint(f: &[u8]) -> std::result::Result<u32, Problem> {
    if f.is_empty() {
        return Err(Problem::Missing);
    }
    if f.len() > 9 {
        return Err(if f.iter().all(u8::is_ascii_digit) {
            Problem::TooManyDigits
        } else {
            Problem::NotNumber
        });
    }
    let mut n = 0u32;
    for &b in f {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(Problem::NotNumber);
        }
        n = n * 10 + d as u32;
    }
    Ok(n)
}

/// Amounts at or above this overflow to infinity once BACI's thousands are made units (x 1000).
const AMOUNT_LIMIT: f64 = f64::MAX / 1000.0;

/// The smallest product code: an HS6 code written as an integer has 5 or 6 digits (`10121`).
const MIN_PRODUCT: u32 = 10_000;

/// A non-negative decimal number, correctly rounded (fast-float2, as exact as strtod).
#[inline]
fn parse_amount(f: &[u8]) -> std::result::Result<f64, Problem> {
    match f.first() {
        Some(b'0'..=b'9' | b'.') => {
            let v: f64 = fast_float2::parse(f).map_err(|_| Problem::NotNumber)?;
            if v < AMOUNT_LIMIT {
                Ok(v)
            } else {
                Err(Problem::NotFinite)
            }
        }
        Some(b'-' | b'+') => {
            let digit_next = matches!(f.get(1), Some(b'0'..=b'9' | b'.'));
            let v: f64 = if digit_next {
                fast_float2::parse(f).map_err(|_| Problem::NotNumber)?
            } else {
                return Err(Problem::NotNumber);
            };
            if v.is_nan() || v.abs() >= AMOUNT_LIMIT {
                Err(Problem::NotFinite)
            } else if v < 0.0 {
                Err(Problem::Negative)
            } else {
                Ok(v.abs())
            }
        }
        None => Err(Problem::Missing),
        _ => Err(Problem::NotNumber),
    }
}

fn parse_chunk(buf: &[u8], ctx: &FileCtx<'_>) -> std::result::Result<ChunkOut, RowProblem> {
    // ~32 bytes a row in real BACI files.
    let rows = buf.len() / 30 + 16;
    let recycled = ctx.recycled.as_ref().and_then(|r| r.lock().ok()?.pop());
    let mut out = match recycled {
        Some(mut c) => {
            c.reset(rows, ctx.streamed);
            c
        }
        None => ChunkOut::with_capacity(rows, ctx.streamed),
    };
    let mut pos = 0usize;
    let mut line_no = 0u64;
    let mut fields: [&[u8]; 6] = [&[]; 6];
    let mut prefix = RowPrefix::default();
    while pos < buf.len() {
        crate::prefetch::prefetch(buf, pos + PREFETCH_AHEAD);
        if let Some((row, next)) = fast_row(buf, pos, ctx, &mut prefix) {
            // The common case: a well-formed row that passes every check.
            pos = next;
            line_no += 1;
            out.rows_read += 1;
            match row {
                Parsed::Row(row) => out.push(row),
                Parsed::OtherImporter(j) => out.other_importer(line_no, j),
            }
            continue;
        }
        // Anything else (quotes, blanks, errors, rows set aside) takes the careful path.
        let end = memchr::memchr(b'\n', &buf[pos..]).map(|i| pos + i).unwrap_or(buf.len());
        let mut line = &buf[pos..end];
        pos = end + 1;
        line_no += 1;
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if line.iter().all(|b| *b == b' ' || *b == b'\t') {
            continue; // blank line
        }
        out.rows_read += 1;
        let problem = |problem: Problem, column: usize, value: &[u8]| RowProblem {
            problem,
            line: line_no,
            column,
            value: value.to_vec(),
        };

        // Split into exactly six fields.
        let mut n = 0usize;
        let mut start = 0usize;
        for (i, &b) in line.iter().enumerate() {
            if b == b',' {
                if n < 5 {
                    fields[n] = &line[start..i];
                }
                n += 1;
                start = i + 1;
            }
        }
        if n != 5 {
            return Err(problem(Problem::FieldCount(n + 1), 0, line));
        }
        fields[5] = &line[start..];

        let mut f = [&[][..]; 6];
        for c in 0..6 {
            f[c] = unquote(fields[c]).map_err(|p| problem(p, c, fields[c]))?;
        }
        let t = parse_uint(f[0]).map_err(|p| problem(p, 0, f[0]))?;
        if !(1900..=2200).contains(&t) {
            return Err(problem(Problem::BadYear, 0, f[0]));
        }
        let t = t as i32;
        if let Some(y) = ctx.expected_year {
            if t != y {
                return Err(problem(Problem::WrongYear(y), 0, f[0]));
            }
        }
        let i = parse_uint(f[1]).map_err(|p| problem(p, 1, f[1]))?;
        let j = parse_uint(f[2]).map_err(|p| problem(p, 2, f[2]))?;
        let k = parse_uint(f[3]).map_err(|p| problem(p, 3, f[3]))?;
        if k as usize >= MAX_PRODUCT || k < MIN_PRODUCT {
            return Err(problem(Problem::BadProduct, 3, f[3]));
        }
        let v = parse_amount(f[4]).map_err(|p| problem(p, 4, f[4]))?;
        let q = match f[5] {
            b"" | b"NA" => None,
            q => Some(parse_amount(q).map_err(|p| problem(p, 5, q))?),
        };
        if let Some(years) = ctx.years {
            if !years.contains(&t) {
                out.set_aside(REASON_YEAR, line_no, || format!("year {t}"));
                continue;
            }
        }
        let mut unknown = None;
        for (c, code) in [(1usize, i), (2, j)] {
            if code > u16::MAX as u32 || !countries::is_known_code(code as u16) {
                unknown = Some(c);
                break;
            }
        }
        if let Some(c) = unknown {
            match ctx.on_unknown_country {
                OnUnknownCountry::Error => return Err(problem(Problem::UnknownCountry, c, f[c])),
                OnUnknownCountry::SetAside => {
                    out.set_aside(REASON_UNKNOWN_COUNTRY, line_no, || {
                        format!("{} = {}", COLUMNS[c], String::from_utf8_lossy(f[c]))
                    });
                    continue;
                }
            }
        }
        if ctx.wanted.as_ref().is_some_and(|w| !w[j as usize]) {
            out.other_importer(line_no, j as u16);
            continue;
        }
        out.push(Row {
            t,
            i: i as u16,
            j: j as u16,
            k,
            v,
            q,
        });
    }
    if out.other_importers > 0 {
        out.set_aside.push((REASON_IMPORTER, out.other_importers));
    }
    out.lines = line_no;
    Ok(out)
}

// ---- assembling the table -------------------------------------------------------------------

/// `k` written with 6 digits (`10121` -> `010121`); `k` < 1,000,000.
fn six_digits(k: u32) -> SixDigits {
    let mut out = [b'0'; 6];
    let mut k = k;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (k % 10) as u8;
        k /= 10;
    }
    SixDigits(out)
}

/// Six ASCII digits.
struct SixDigits([u8; 6]);

impl SixDigits {
    fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl PartialEq<&str> for SixDigits {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl std::fmt::Debug for SixDigits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", String::from_utf8_lossy(&self.0))
    }
}

/// The codes as one string array of 6-digit values, written into a single buffer.
fn six_digit_strings(codes: &[u32]) -> Result<StringArray> {
    let mut bytes = Vec::with_capacity(codes.len() * 6);
    for k in codes {
        bytes.extend_from_slice(six_digits(*k).as_bytes());
    }
    let offsets = arrow_buffer::OffsetBuffer::new(ScalarBuffer::from(
        (0..=codes.len() as i32).map(|i| i * 6).collect::<Vec<i32>>(),
    ));
    StringArray::try_new(offsets, arrow_buffer::Buffer::from_vec(bytes), None)
        .map_err(|e| Error::arrow("building the product dictionary", e))
}

/// Builds the table from the chunks of every stream read, in order.
fn finish(mut chunks: Vec<ChunkOut>, outcome: Outcome, importers: Option<&[u16]>) -> Result<TradeTable> {
    let Outcome {
        mut report,
        vintage,
        release,
        product_file,
    } = outcome;
    duplicates::set_aside_duplicates(&mut chunks, &mut report);
    // One product dictionary for the whole table: every code seen, in order.
    let mut seen = vec![0u64; BITMAP_WORDS];
    for c in &chunks {
        for (s, w) in seen.iter_mut().zip(&c.products_seen) {
            *s |= *w;
        }
    }
    let mut lookup = vec![0i32; MAX_PRODUCT];
    let mut codes: Vec<u32> = Vec::new();
    for (wi, w) in seen.iter().enumerate() {
        let mut w = *w;
        while w != 0 {
            let k = wi * 64 + w.trailing_zeros() as usize;
            w &= w - 1;
            if let Some(slot) = lookup.get_mut(k) {
                *slot = codes.len() as i32;
            }
            codes.push(k as u32);
        }
    }
    let dictionary: ArrayRef = Arc::new(six_digit_strings(&codes)?);
    chunks.par_iter_mut().for_each(|c| {
        for k in c.product.iter_mut() {
            *k = lookup.get(*k as usize).copied().unwrap_or(0);
        }
    });

    if let Some((file, known)) = product_file {
        if !known.is_empty() {
            let mut in_file = vec![false; MAX_PRODUCT];
            for k in known {
                if let Some(s) = in_file.get_mut(k as usize) {
                    *s = true;
                }
            }
            let missing: Vec<String> = codes
                .iter()
                .filter(|k| !in_file.get(**k as usize).copied().unwrap_or(false))
                .map(|k| format!("{k:06}"))
                .collect();
            if !missing.is_empty() {
                report.note(format!(
                    "{} product code(s) in the data are not in {file}: {}{}",
                    missing.len(),
                    missing.iter().take(10).cloned().collect::<Vec<_>>().join(", "),
                    if missing.len() > 10 { " ..." } else { "" }
                ));
            }
        }
    }

    let meta = TableMeta::new(Freq::Annual, "USD", Some(vintage)).with_importers(importers.map(<[u16]>::to_vec));
    report.note_restriction(meta.restriction().as_deref());
    let schema = canonical_schema(&meta);
    let max_n = chunks.iter().map(|c| c.value.len()).max().unwrap_or(0);
    // Columns that are the same on every row share one buffer across batches.
    let const_dict = |key: i8, values: &[&str]| -> (Int8Array, ArrayRef) {
        (
            Int8Array::new(ScalarBuffer::from(vec![key; max_n]), None),
            Arc::new(StringArray::from(values.to_vec())),
        )
    };
    let dict8 = |keys: Int8Array, values: &ArrayRef| -> Result<ArrayRef> {
        Ok(Arc::new(
            DictionaryArray::<Int8Type>::try_new(keys, values.clone())
                .map_err(|e| Error::arrow("building a BACI column", e))?,
        ))
    };
    // Built (and their keys checked) once; each batch takes an O(1) slice.
    let (flow_keys, flow_values) = const_dict(Flow::Export as i8, &Flow::DICTIONARY);
    let flow = dict8(flow_keys, &flow_values)?;
    let (basis_keys, basis_values) = const_dict(ValueBasis::Fob as i8, &ValueBasis::DICTIONARY);
    let basis = dict8(basis_keys, &basis_values)?;
    let (zero_keys, unit_values) = const_dict(0, &["t"]);
    let source_values: ArrayRef = Arc::new(StringArray::from(vec!["BACI"]));
    let source = dict8(zero_keys.clone(), &source_values)?;
    let no_weight = Float64Array::new_null(max_n);
    let not_estimated = BooleanArray::from(vec![false; max_n]);

    // Chunks of one year share one constant column per year.
    let mut year_columns: std::collections::HashMap<i32, Int32Array> = Default::default();
    for c in &chunks {
        if let (true, Some(y)) = (c.period.is_empty(), c.year) {
            year_columns
                .entry(y)
                .or_insert_with(|| Int32Array::from(vec![y; max_n]));
        }
    }
    let quantity_nulls: usize = chunks.iter().map(|c| c.quantity_nulls).sum();
    // Batches are assembled in parallel: checking the product keys is a pass over every row.
    let batches: Vec<RecordBatch> = chunks
        .into_par_iter()
        .filter(|c| !c.value.is_empty())
        .map(|c| {
            let n = c.value.len();
            let mut quantity = c.quantity;
            let nulls = (c.quantity_nulls > 0).then(|| {
                let valid = BooleanBuffer::collect_bool(n, |r| !quantity[r].is_nan());
                for q in quantity.iter_mut().filter(|q| q.is_nan()) {
                    *q = 0.0;
                }
                NullBuffer::new(valid)
            });
            let product = DictionaryArray::<Int32Type>::try_new(Int32Array::from(c.product), dictionary.clone())
                .map_err(|e| Error::arrow("building the product column", e))?;
            // The unit is null where the quantity is.
            let unit_keys = Int8Array::new(zero_keys.values().slice(0, n), nulls.clone());
            let columns: Vec<ArrayRef> = vec![
                match (c.period.is_empty(), c.year.and_then(|y| year_columns.get(&y))) {
                    (true, Some(column)) => Arc::new(column.slice(0, n)),
                    _ => Arc::new(Int32Array::from(c.period)),
                },
                Arc::new(UInt16Array::from(c.reporter)),
                Arc::new(UInt16Array::from(c.partner)),
                flow.slice(0, n),
                Arc::new(product),
                Arc::new(Float64Array::from(c.value)),
                basis.slice(0, n),
                Arc::new(Float64Array::new(ScalarBuffer::from(quantity), nulls)),
                dict8(unit_keys, &unit_values)?,
                Arc::new(no_weight.slice(0, n)),
                Arc::new(not_estimated.slice(0, n)),
                source.slice(0, n),
            ];
            RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::arrow("assembling a BACI batch", e))
        })
        .collect::<Result<_>>()?;

    report.note("values converted from thousands of USD to USD (x 1000), FOB as BACI reconciles them");
    report.note(format!(
        "quantities in metric tons (unit t); {quantity_nulls} row(s) without quantity (NA or blank) kept with a null quantity"
    ));
    if let Some(r) = release {
        report.note(format!("BACI release {r}, {}", vintage.name()));
    }
    TradeTable::from_validated_batches(batches, meta, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_vintage_year_release() {
        assert_eq!(
            vintage_from_name("/x/BACI_HS22_Y2023_V202501.csv.gz"),
            Some(Vintage::Hs(2022))
        );
        assert_eq!(vintage_from_name("BACI_HS171_Y2023.csv"), None);
        assert_eq!(year_from_name("BACI_HS17_Y2021_V202401.csv"), Some(2021));
        assert_eq!(year_from_name("baci_hs92_2021_exports.csv"), None);
        assert_eq!(
            release_from_name("BACI_HS17_Y2021_V202401.csv").as_deref(),
            Some("V202401")
        );
        assert_eq!(six_digits(10121), "010121");
        assert_eq!(six_digits(0), "000000");
        assert_eq!(six_digits(999999), "999999");
    }

    #[test]
    fn amounts_parse_exactly_and_reject_text() {
        assert_eq!(parse_amount(b"52.051"), Ok(52.051));
        assert_eq!(parse_amount(b"0.1"), Ok(0.1));
        assert_eq!(parse_amount(b"-1.5"), Err(Problem::Negative));
        assert_eq!(parse_amount(b"inf"), Err(Problem::NotNumber));
        assert_eq!(parse_amount(b"1e999"), Err(Problem::NotFinite));
        assert_eq!(parse_amount(b"1.2.3"), Err(Problem::NotNumber));
        assert_eq!(parse_amount(b""), Err(Problem::Missing));
    }

    #[test]
    fn fast_amount_equals_a_correct_parser() {
        let mut s: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for n in 0..200_000 {
            let r = next();
            let text = match n % 5 {
                0 => format!("{}.{:03}", r % 100_000_000, (r >> 32) % 1000),
                1 => format!("{}", r % 10_000_000_000_000_000),
                2 => format!("0.{:0>9}", r % 1_000_000_000),
                3 => format!("{}.{}", r % 10_000_000_000, (r >> 20) % 100_000_000),
                _ => format!("{}e{}", r % 1000, (r >> 40) % 30),
            };
            let bytes = format!("{text},");
            let mut p = 0;
            let got = fast_amount(bytes.as_bytes(), &mut p).unwrap();
            assert_eq!(got, text.parse::<f64>().unwrap(), "{text}");
            assert_eq!(p, text.len(), "{text}");
        }
    }

    #[test]
    fn delimited_amounts_equal_the_general_path() {
        let mut s: u64 = 0x2545_F491_4F6C_DD1D;
        let mut fast = 0;
        for n in 0..300_000u64 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let int = s % 10u64.pow(1 + (n % 10) as u32);
            let f = ((s >> 50) % 9) as usize;
            let field = if f == 0 {
                format!("{int}")
            } else {
                format!("{int}.{:0f$}", (s >> 8) % 10u64.pow(f as u32))
            };
            // As in a row: the earlier fields before the value.
            let text = format!("2021,4,24,10121,{field},\"        1.5\"\r\n");
            let mut p = 16;
            let want = fast_amount(text.as_bytes(), &mut p).map(|v| (v, p));
            match delimited_amount(text.as_bytes(), 16) {
                Some(got) => {
                    assert_eq!(Some(got), want, "{text}");
                    fast += 1;
                }
                // More than 8 integer or 7 decimal digits, or no comma within 16 bytes.
                None => assert!(int >= 100_000_000 || f > 7 || field.len() > 15, "{text}"),
            }
        }
        assert!(fast > 200_000, "{fast}");
        for text in [
            "12a.5,           ",
            "12.5.1,          ",
            "1.,              ",
            ".5,              ",
            ",5,              ",
            "1 2,             ",
            "-1.5,            ",
            "1e5,             ",
            "123456789012345,",
            "1.5",
        ] {
            let row = format!("2021,4,24,10121,{text}");
            assert_eq!(delimited_amount(row.as_bytes(), 16), None, "{text}");
        }
    }

    #[test]
    fn fixed_quantities_equal_the_general_path() {
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        for n in 0..300_000u64 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let int = s % 10u64.pow(1 + (n % 8) as u32);
            let text = format!("\"{:>13}\",", format!("{int}.{:03}", (s >> 40) % 1000));
            let want = {
                let mut p = 1 + text.bytes().skip(1).take_while(|b| *b == b' ').count();
                fast_amount(text.as_bytes(), &mut p)
            };
            assert_eq!(fixed_quantity(text.as_bytes(), 0), want, "{text}");
            assert!(want.is_some(), "{text}");
        }
        // Shapes it leaves to the general path.
        for text in [
            "\"           NA\",",
            "\"      13.2350\",",
            "\"  1 3.235\",    ",
            "\"     1x3.235\",",
            "\"       13.2a5\",",
            "\"123456789.235\",",
            "\"         .235\",",
            "\"       -1.235\",",
            "\"      13.235 \",",
            "\"      13.235",
        ] {
            assert_eq!(fixed_quantity(text.as_bytes(), 0), None, "{text}");
        }
    }

    #[test]
    fn spaces_are_counted_like_a_loop_does() {
        for len in 0..=8 {
            for b in 0..=255u8 {
                let mut bytes = [b' '; 8];
                if len < 8 {
                    bytes[len] = b;
                    for (t, tail) in bytes
                        .iter_mut()
                        .skip(len + 1)
                        .zip([b' ', 0xFF, 0x00, b'1'].iter().cycle())
                    {
                        *t = *tail;
                    }
                }
                let want = bytes.iter().take_while(|c| **c == b' ').count();
                assert_eq!(spaces8(&bytes), want, "{bytes:?}");
            }
        }
    }

    #[test]
    fn fields_unquote() {
        assert_eq!(unquote(b"\"       13.235\""), Ok(&b"13.235"[..]));
        assert_eq!(unquote(b"\"  13"), Err(Problem::UnterminatedQuote));
        assert_eq!(parse_uint(b"010121"), Ok(10121));
        assert_eq!(parse_uint(b"12a"), Err(Problem::NotNumber));
    }
}
