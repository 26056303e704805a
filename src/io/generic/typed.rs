//! The generic CSV reader's fast path: the text after the header is cut into chunks at record
//! boundaries, each chunk is split and converted by a rayon worker straight into typed columns
//! (no string batch, no row struct per row, cells decoded through small caches), and the chunks
//! are joined in file order: exact duplicates found in parallel buckets (`duplicates`), one
//! product dictionary for every batch, the chunks' reports merged with their lines.
//!
//! The rules are those of [`crate::io::arrow_input`] on string cells (a cell is trimmed, empty is
//! null, `NA` is a missing amount), row by row in the same order of checks. Whatever the fast
//! path would have to turn into an error (a bad period, an unknown country under
//! `on_unknown_country="error"`, a bad number, a field count, a quote, invalid UTF-8 ...) makes
//! [`read`] return `Ok(None)`: the caller then runs the general conversion, which gives the same
//! table or the error naming file, line, column and value. Tests compare both paths.

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::{types::Int32Type, UInt16Array};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int8Array, RecordBatch, StringArray,
};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use hashbrown::HashMap;
use rayon::prelude::*;

mod duplicates;

use super::scan::{count, field_end, first_of, is_space, parse_number, trim};
use super::split::split_short;
use super::{CsvOptions, Lines};
use crate::error::{Error, Result};
use crate::io::arrow_input::{
    named_country, ColumnMapping, CountryCoding, CountryKind, REASON_NO_VALUE, REASON_UNKNOWN_COUNTRY, REASON_WORLD,
};
use crate::io::baci::OnUnknownCountry;
use crate::model::builder::{fixed_dict, fixed_dict_of};
use crate::model::schema::col;
use crate::model::{
    canonical_schema, Flow, Freq, Period, ProductCode, ReadReport, TableMeta, TradeTable, ValueBasis, REASON_IMPORTER,
};
use crate::reference::countries;
use duplicates::{duplicate_rows, row_hash, text_hash, Buckets};

/// Rows of other importers named in a chunk's report (as many examples as a report keeps).
const IMPORTER_EXAMPLES: usize = 5;

/// Bytes of text per chunk (bounds; the text is cut into at least 8 chunks per thread).
const CHUNK_MIN: usize = 256 << 10;
const CHUNK_MAX: usize = 4 << 20;

/// The file's layout as the header gave it.
pub(super) struct Header<'h> {
    /// Fields per record.
    pub width: usize,
    /// Field position of each source column name.
    pub position: &'h dyn Fn(&str) -> Option<usize>,
}

/// Reads the records of `text[start..]` (lines counted from `line0`, the lines before `start`)
/// through `mapping` (its `source` already the file name), in chunks of `chunk` bytes (or a size
/// from the text's length), each chunk given to `release` once converted. `Ok(None)`: not
/// taken, run the general conversion. `Err` only for a cancellation.
#[allow(clippy::too_many_arguments)]
pub(super) fn read(
    text: &[u8],
    release: &(dyn Fn(&[u8]) + Sync),
    start: usize,
    line0: u64,
    header: &Header<'_>,
    mapping: &ColumnMapping,
    options: &CsvOptions,
    chunk: Option<usize>,
) -> Result<Option<TradeTable>> {
    let Some(fields) = Fields::resolve(header, mapping) else {
        return Ok(None);
    };
    let delim = options.delimiter;
    let body = &text[start..];
    let Some(freq) = mapping.freq.or_else(|| first_freq(body, delim, fields.period)) else {
        return Ok(None);
    };
    let threads = rayon::current_num_threads().max(1);
    let size = chunk
        .unwrap_or_else(|| (body.len() / (8 * threads)).clamp(CHUNK_MIN, CHUNK_MAX))
        .max(1);
    let cuts = cut(body, size);
    let width = header.width;
    let results: Vec<Result<Option<Chunk>>> = cuts
        .par_windows(2)
        .map_init(
            || Decoder::new(mapping, freq),
            |dec, w| {
                options.cancel.check()?;
                let piece = &body[w[0]..w[1]];
                let chunk = convert_chunk(dec, piece, width, &fields, delim);
                release(piece);
                Ok(chunk)
            },
        )
        .collect();
    let mut chunks = Vec::with_capacity(results.len());
    for r in results {
        match r? {
            Some(c) => chunks.push(c),
            None => return Ok(None),
        }
    }
    options.cancel.check()?;
    Ok(join(chunks, line0, mapping, freq))
}

/// Offsets cutting `body` into pieces of about `size` bytes, each ending after a line break
/// outside quotes (an even number of quotes before it). A wrong cut (a stray quote in an unquoted
/// field) leaves a chunk ending inside a quoted field, which its worker finds unterminated.
/// Quotes are counted between the candidate cuts in parallel; a candidate inside quotes is
/// skipped (its piece joins the next).
fn cut(body: &[u8], size: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = size;
    while at < body.len() {
        let Some(nl) = memchr::memchr(b'\n', &body[at..]).map(|p| at + p) else {
            break;
        };
        ends.push(nl + 1);
        at = nl + 1 + size;
    }
    let odd: Vec<bool> = (0..ends.len())
        .into_par_iter()
        .map(|k| count(&body[if k == 0 { 0 } else { ends[k - 1] }..ends[k]], b'"') % 2 == 1)
        .collect();
    let mut cuts = vec![0];
    let mut quotes_odd = false;
    for (end, odd) in ends.into_iter().zip(odd) {
        quotes_odd ^= odd;
        if !quotes_odd {
            cuts.push(end);
        }
    }
    if *cuts.last().unwrap_or(&0) < body.len() {
        cuts.push(body.len());
    }
    cuts
}

/// Splits the record at `lines.pos` into `fields` (borrowed from the text) and returns its first
/// line: `Some(None)` at the end, `None` where the general path must decide (a malformed record,
/// or a mapped field holding a doubled quote). Records on one line whose quoted fields hold no
/// doubled quote and end at a delimiter are split here (from bit masks when short, else byte by
/// byte); the others by [`Lines`], which also skips blank lines; all count lines alike.
fn next_record<'a>(
    lines: &mut Lines<'a>,
    delim: u8,
    fields: &mut Vec<&'a [u8]>,
    scratch: &mut Vec<Cow<'a, [u8]>>,
    mapped: &[bool],
) -> Option<Option<u64>> {
    let text = lines.text;
    let start = lines.pos;
    let Some(first) = text.get(start) else {
        return Some(None);
    };
    fields.clear();
    if !matches!(first, b'\n' | b'\r' | b' ' | b'\t') {
        let masked = !matches!(delim, b'"' | b'\n' | b'\r');
        let next = match masked.then(|| split_short(text, start, delim, fields)).flatten() {
            Some(next) => Some(next),
            None => split_simple(text, start, delim, fields),
        };
        if let Some(next) = next {
            lines.pos = next;
            lines.line += 1;
            return Some(Some(lines.line));
        }
        fields.clear();
    }
    let line = lines.next_record(delim, scratch).ok()?;
    for (k, f) in scratch.iter().enumerate() {
        match f {
            Cow::Borrowed(b) => fields.push(b),
            Cow::Owned(_) if mapped.get(k) == Some(&true) => return None,
            Cow::Owned(_) => fields.push(b""),
        }
    }
    Some(line)
}

/// The record at `start` split byte by byte into `fields` when it is on one line and its quoted
/// fields hold no doubled quote and end at a delimiter (or the line end): where the next record
/// starts, or `None` (`fields` then holds a part of the record).
pub(super) fn split_simple<'a>(text: &'a [u8], start: usize, delim: u8, fields: &mut Vec<&'a [u8]>) -> Option<usize> {
    let mut i = start;
    loop {
        if text.get(i) == Some(&b'"') {
            // The closing quote, unless a line break comes first (a record of several lines).
            let close = first_of(text, i + 1, b'"', b'\n');
            if text.get(close) != Some(&b'"') || text.get(close + 1) == Some(&b'"') {
                return None;
            }
            fields.push(&text[i + 1..close]);
            i = close + 1;
            // A CRLF line end after the closing quote (CEPII's files) is no data either.
            if text.get(i) == Some(&b'\r') && text.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            if !matches!(text.get(i), None | Some(b'\n')) && text.get(i) != Some(&delim) {
                return None;
            }
        } else {
            let j = field_end(text, i, delim);
            // As `Lines`: a carriage return ending the line is not data.
            let e = if j > i && text[j - 1] == b'\r' && text.get(j) != Some(&delim) {
                j - 1
            } else {
                j
            };
            fields.push(&text[i..e]);
            i = j;
        }
        match text.get(i) {
            Some(b) if *b == delim => i += 1,
            Some(_) => return Some(i + 1),
            None => return Some(i),
        }
    }
}

/// The frequency of the first record's period, if it has a readable one.
fn first_freq(body: &[u8], delim: u8, period: usize) -> Option<Freq> {
    let mut lines = Lines::new(body, 0);
    let mut fields = Vec::new();
    lines.next_record(delim, &mut fields).ok()??;
    let s = std::str::from_utf8(fields.get(period)?).ok()?.trim();
    Period::parse(s).ok().map(Period::freq)
}

/// Field positions of the mapped columns.
struct Fields {
    period: usize,
    reporter: usize,
    partner: usize,
    flow: Option<usize>,
    product: usize,
    value: usize,
    basis: Option<usize>,
    quantity: Option<usize>,
    unit: Option<usize>,
    weight: Option<usize>,
    estimated: Option<usize>,
    /// Every mapped position (each checked for UTF-8 on every row, as the general path does).
    all: Vec<usize>,
    /// Of those, the positions that decide whether a row is kept (period, countries, flow),
    /// and the others.
    first: Vec<usize>,
    rest: Vec<usize>,
}

impl Fields {
    fn resolve(header: &Header<'_>, mapping: &ColumnMapping) -> Option<Fields> {
        let pos = |canonical: &str| -> Option<Option<usize>> {
            match mapping.columns.get(canonical) {
                None => Some(None),
                Some(src) => (header.position)(src).map(Some),
            }
        };
        let mut all: Vec<usize> = Vec::new();
        for src in mapping.columns.values() {
            let p = (header.position)(src)?;
            if !all.contains(&p) {
                all.push(p);
            }
        }
        let (period, reporter, partner, flow) = (
            pos(col::PERIOD)??,
            pos(col::REPORTER)??,
            pos(col::PARTNER)??,
            pos(col::FLOW)?,
        );
        let (first, rest) = all
            .iter()
            .partition(|p| [Some(period), Some(reporter), Some(partner), flow].contains(&Some(**p)));
        Some(Fields {
            period,
            reporter,
            partner,
            flow,
            product: pos(col::PRODUCT)??,
            value: pos(col::VALUE)??,
            basis: pos(col::VALUE_BASIS)?,
            quantity: pos(col::QUANTITY)?,
            unit: pos(col::QUANTITY_UNIT)?,
            weight: pos(col::NET_WEIGHT_KG)?,
            estimated: pos(col::ESTIMATED)?,
            all,
            first,
            rest,
        })
    }
}

/// One chunk's rows, kept ones in typed columns (products and units as chunk-local keys).
#[derive(Default)]
struct Chunk {
    report: ReadReport,
    /// Lines the chunk spans (added to the lines of the chunks after it).
    lines: u64,
    period: Vec<i32>,
    reporter: Vec<u16>,
    partner: Vec<u16>,
    flow: Vec<i8>,
    product: Vec<i32>,
    value: Vec<f64>,
    /// Empty when the mapping has no such column (as `weight` and `estimated`).
    basis: Vec<Option<i8>>,
    /// Missing quantities and weights as NaN (amounts are never NaN): 8 bytes a row, not 16.
    quantity: Vec<f64>,
    unit: Vec<Option<i8>>,
    weight: Vec<f64>,
    estimated: Vec<bool>,
    /// Hashes of the kept rows by bucket.
    buckets: Buckets,
    /// Lines of kept rows within the chunk (the chunk's first line is `line0`), as the rows
    /// where the line stops following the row by a fixed step (after a row set aside, a blank
    /// line or a record of several lines) and their lines: a few a chunk, not 4 bytes a row.
    jumps: Vec<(u32, u32)>,
    line0: u64,
    /// Products and units in order of first kept row (products shared with the decoder's
    /// codes: a chunk takes a few thousand, a string copied for each took 4 % of a read).
    products: Vec<Arc<str>>,
    units: Vec<String>,
    unit_hashes: Vec<u64>,
    padded: u64,
}

impl Chunk {
    /// The line of kept row `r` within the chunk.
    fn line(&self, r: usize) -> u32 {
        let k = self.jumps.partition_point(|&(r0, _)| r0 as usize <= r) - 1;
        let (r0, l0) = self.jumps[k];
        l0 + (r as u32 - r0)
    }

    fn reserve(&mut self, rows: usize) {
        self.period.reserve(rows);
        self.reporter.reserve(rows);
        self.partner.reserve(rows);
        self.flow.reserve(rows);
        self.product.reserve(rows);
        self.value.reserve(rows);
        self.basis.reserve(rows);
        self.quantity.reserve(rows);
        self.unit.reserve(rows);
        self.weight.reserve(rows);
        self.estimated.reserve(rows);
    }
}

/// Decoding caches of one worker.
struct Decoder<'m> {
    mapping: &'m ColumnMapping,
    freq: Freq,
    last_period: (Vec<u8>, i32),
    countries: HashMap<Box<str>, CountryKind>,
    /// Digit-only product cells (length and number) and other cells -> index into `codes`.
    product_digits: HashMap<u64, (u32, bool)>,
    product_text: HashMap<Box<str>, (u32, bool)>,
    /// Normalised codes by index, and for each its hash and its key in the chunk once a row
    /// kept it (-1 before): 16 bytes a code apart from the text, read on every row.
    codes: Vec<Arc<str>>,
    code_keys: Vec<(u64, i32)>,
    code_index: HashMap<String, u32>,
    last_flow: Option<(Box<str>, Flow)>,
    /// `importers[code]`: whether rows of importer `code` are kept (`ColumnMapping::importers`).
    importers: Option<Vec<bool>>,
    /// Kept rows' hashes of the current chunk in row order, the buffer kept from chunk to chunk
    /// (fresh pages for each chunk cost a page fault every 512 rows).
    hashes: Vec<u64>,
    /// Where the last row's unit text was and its key in the chunk: the mapping's unit (one
    /// text for every row) needs no comparison.
    last_unit: Option<(usize, usize, i8)>,
}

/// A cell: `None` when null (empty after trimming).
type Cell<'a> = Option<&'a str>;

fn is_null_amount(c: Cell<'_>) -> bool {
    matches!(c, None | Some("NA"))
}

impl<'m> Decoder<'m> {
    fn new(mapping: &'m ColumnMapping, freq: Freq) -> Self {
        Decoder {
            mapping,
            freq,
            last_period: (Vec::new(), 0),
            countries: HashMap::new(),
            product_digits: HashMap::new(),
            product_text: HashMap::new(),
            codes: Vec::new(),
            code_keys: Vec::new(),
            code_index: HashMap::new(),
            last_flow: None,
            importers: mapping.importers.as_deref().map(countries::code_mask),
            last_unit: None,
            hashes: Vec::new(),
        }
    }

    fn period(&mut self, c: Cell<'_>) -> Option<i32> {
        let s = c?;
        // Compared as one word (a call to memcmp per row otherwise).
        let short =
            |b: &[u8]| (b.len() < 8).then(|| b.iter().rev().fold(b.len() as u64, |k, c| k << 8 | u64::from(*c)));
        let last = &self.last_period.0;
        let same = match (short(last), short(s.as_bytes())) {
            (Some(a), Some(b)) => a == b,
            _ => last == s.as_bytes(),
        };
        if same {
            return Some(self.last_period.1);
        }
        let p = Period::parse(s).ok()?;
        if p.freq() != self.freq {
            return None;
        }
        self.last_period = (s.as_bytes().to_vec(), p.code());
        Some(p.code())
    }

    /// As the general path's `country`: `None` where that one errs (an empty cell).
    fn country(&mut self, c: Cell<'_>) -> Option<CountryKind> {
        let s = c?;
        let coding = self.mapping.country_coding;
        let numeric_ok = matches!(coding, CountryCoding::Auto | CountryCoding::Numeric);
        let numeric = |n: i64| match n {
            0 => CountryKind::World,
            n if (1..=u16::MAX as i64).contains(&n) && countries::is_known_code(n as u16) => {
                CountryKind::Known(n as u16)
            }
            _ => CountryKind::Unknown,
        };
        let digits = s.bytes().all(|b| b.is_ascii_digit());
        if digits && numeric_ok {
            // Up to 18 digits fit an i64: added up here, as `parse` would.
            let n = match s.len() {
                ..=18 => Some(s.bytes().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'))),
                _ => s.parse::<i64>().ok(),
            };
            return Some(n.map(numeric).unwrap_or(CountryKind::Unknown));
        }
        if let Some(k) = self.countries.get(s) {
            return Some(*k);
        }
        let kind = named_country(s, coding);
        self.countries.insert(s.into(), kind);
        Some(kind)
    }

    fn flow(&mut self, c: Cell<'_>) -> Option<Flow> {
        match (c, self.mapping.flow) {
            (None, Some(f)) => Some(f),
            (Some(s), _) => {
                if let Some((last, f)) = &self.last_flow {
                    if **last == *s {
                        return Some(*f);
                    }
                }
                let f = Flow::parse(s).ok()?;
                self.last_flow = Some((s.into(), f));
                Some(f)
            }
            (None, None) => None,
        }
    }

    /// The index of the cell's normalised code in `codes` and whether a leading zero was put
    /// back; `None` where the general path errs.
    fn product(&mut self, c: Cell<'_>) -> Option<(u32, bool)> {
        let s = c?;
        let b = s.as_bytes();
        if b.len() <= 12 && b.iter().all(u8::is_ascii_digit) {
            let n = b.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            let key = ((b.len() as u64) << 40) | n;
            if let Some(hit) = self.product_digits.get(&key) {
                return Some(*hit);
            }
            let hit = self.new_product(s)?;
            self.product_digits.insert(key, hit);
            return Some(hit);
        }
        if let Some(hit) = self.product_text.get(s) {
            return Some(*hit);
        }
        let hit = self.new_product(s)?;
        self.product_text.insert(s.into(), hit);
        Some(hit)
    }

    fn new_product(&mut self, s: &str) -> Option<(u32, bool)> {
        let mut code: String = s.chars().filter(|ch| !matches!(ch, '.' | ' ')).collect();
        let digits = !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit());
        let padded = digits && code.len() % 2 == 1;
        if padded {
            code.insert(0, '0');
        }
        let ok = match self.mapping.vintage {
            Some(v) => ProductCode::new(&code, v).is_ok(),
            None => crate::model::product::is_valid_code(&code),
        };
        if !ok {
            return None;
        }
        let next = self.codes.len() as u32;
        let idx = *self.code_index.entry(code.clone()).or_insert(next);
        if idx == next {
            self.code_keys.push((text_hash(&code), -1));
            self.codes.push(code.into());
        }
        Some((idx, padded))
    }

    /// `Some(None)` for a missing amount, `None` where the general path errs.
    fn amount(c: Cell<'_>) -> Option<Option<f64>> {
        if is_null_amount(c) {
            return Some(None);
        }
        let s = c?;
        if !s.starts_with(|ch: char| ch.is_ascii_digit() || matches!(ch, '.' | '-' | '+')) {
            return None;
        }
        let v = parse_number(s)?;
        (v.is_finite() && v >= 0.0).then_some(Some(v))
    }

    fn estimated(c: Cell<'_>) -> Option<bool> {
        match c {
            None => Some(false),
            Some(s) => match s.to_ascii_lowercase().as_str() {
                "na" => Some(false),
                "true" | "1" | "yes" | "t" | "y" => Some(true),
                "false" | "0" | "no" | "f" | "n" => Some(false),
                _ => None,
            },
        }
    }
}

/// `field` as text: cut out of `valid` (the chunk `text`, checked once) when it lies in the
/// chunk, checked on its own otherwise (a chunk that is not UTF-8, a field rebuilt elsewhere).
fn field_str<'a>(field: &'a [u8], text: &[u8], valid: Option<&'a str>) -> Option<&'a str> {
    let at = (field.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    match valid.and_then(|v| v.get(at..at.checked_add(field.len())?)) {
        Some(s) if s.as_ptr() == field.as_ptr() => Some(s),
        _ => std::str::from_utf8(field).ok(),
    }
}

/// A field as a cell: trimmed, `None` when empty; `None` outside where it is not text.
#[inline]
fn cell_text<'a>(b: &'a [u8], text: &[u8], valid: Option<&'a str>) -> Option<Cell<'a>> {
    // Nothing to trim when both ends are ASCII and not whitespace (Unicode spaces start with a
    // byte >= 0x80): `trim` is skipped for nearly every field.
    let plain = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii() && !is_space(*c));
    let s = field_str(b, text, valid)?;
    let s = if plain(b.first()) && plain(b.last()) {
        s
    } else {
        trim(s)
    };
    Some((!s.is_empty()).then_some(s))
}

/// Converts one chunk; `None` where the general path would stop with an error (or the chunk
/// cannot be split on its own).
fn convert_chunk(dec: &mut Decoder<'_>, text: &[u8], width: usize, f: &Fields, delim: u8) -> Option<Chunk> {
    let mapping = dec.mapping;
    // The decoder's caches serve every chunk of its worker; product keys are the chunk's own.
    for c in dec.code_keys.iter_mut() {
        c.1 = -1;
    }
    dec.last_unit = None;
    let mut out = Chunk::default();
    let rows = count(text, b'\n') + 1;
    out.reserve(rows);
    // Kept rows' hashes in row order, sorted into buckets after the last row.
    let mut hashes = std::mem::take(&mut dec.hashes);
    hashes.clear();
    hashes.reserve(rows);
    let mut lines = Lines::new(text, 0);
    let mut raw: Vec<&[u8]> = Vec::with_capacity(width);
    let mut scratch = Vec::with_capacity(width);
    let mut mapped = vec![false; width];
    for &i in &f.all {
        mapped[i] = true;
    }
    let mut cells: Vec<Cell<'_>> = vec![None; width];
    // The chunk is checked as UTF-8 once; its fields (cut at ASCII bytes) are then text too.
    let valid = simdutf8::basic::from_utf8(text).ok();
    let (mut importer_examples, mut importer_rest) = (0usize, 0u64);
    // The decoder's index of each product the chunk keeps, in order of first kept row.
    let mut codes_kept: Vec<u32> = Vec::new();
    while let Some(line) = next_record(&mut lines, delim, &mut raw, &mut scratch, &mapped)? {
        if raw.len() != width {
            return None;
        }
        // The fields that decide whether the row is kept first, the others once it is (a row of
        // an importer not asked for is not cut further). Where the chunk is not UTF-8 a field
        // may fail to be text, which the general path reports for every row: all first then.
        for &i in if valid.is_some() { &f.first } else { &f.all } {
            cells[i] = cell_text(raw[i], text, valid)?;
        }
        out.report.rows_read += 1;
        let p = dec.period(cells[f.period])?;
        let mut codes = [0u16; 2];
        let mut skip: Option<(&str, String)> = None;
        for (k, (name, i)) in [(col::REPORTER, f.reporter), (col::PARTNER, f.partner)]
            .into_iter()
            .enumerate()
        {
            let c = cells[i];
            match dec.country(c)? {
                CountryKind::Known(code) => codes[k] = code,
                CountryKind::World if name == col::PARTNER => {
                    skip = Some((REASON_WORLD, c.unwrap_or_default().to_string()));
                    break;
                }
                CountryKind::World | CountryKind::Unknown => match mapping.on_unknown_country {
                    OnUnknownCountry::Error => return None,
                    OnUnknownCountry::SetAside => {
                        skip = Some((REASON_UNKNOWN_COUNTRY, format!("{name} = {}", c.unwrap_or_default())));
                        break;
                    }
                },
            }
        }
        if let Some((reason, detail)) = skip {
            out.report.set_aside(reason, line, || detail);
            continue;
        }
        let flow = dec.flow(f.flow.and_then(|i| cells[i]))?;
        if let Some(wanted) = &dec.importers {
            let importer = flow.importer(codes[0], codes[1]);
            if !wanted[importer as usize] {
                // The first few with their lines, as a report keeps them; the rest only counted
                // (most rows of a read for a few importers come here).
                if importer_examples < IMPORTER_EXAMPLES {
                    importer_examples += 1;
                    out.report
                        .set_aside(REASON_IMPORTER, line, || format!("importer {importer}"));
                } else {
                    importer_rest += 1;
                }
                continue;
            }
        }
        if valid.is_some() {
            for &i in &f.rest {
                cells[i] = cell_text(raw[i], text, valid)?;
            }
        }
        let cell = |i: Option<usize>| i.and_then(|i| cells[i]);
        let (code, padded) = dec.product(cells[f.product])?;
        // Counted as the general path counts it: every row whose code was read.
        out.padded += u64::from(padded);
        let Some(v) = Decoder::amount(cells[f.value])? else {
            out.report.set_aside(REASON_NO_VALUE, line, || "value is empty".into());
            continue;
        };
        let basis = match cell(f.basis) {
            Some(s) if s.eq_ignore_ascii_case("cif") => Some(ValueBasis::Cif),
            Some(s) if s.eq_ignore_ascii_case("fob") => Some(ValueBasis::Fob),
            c if is_null_amount(c) => mapping.value_basis,
            _ => return None,
        };
        let q = Decoder::amount(cell(f.quantity))?;
        let unit: Option<&str> = cell(f.unit).or(mapping.quantity_unit.as_deref());
        if q.is_some() && unit.is_none() {
            return None;
        }
        let w = Decoder::amount(cell(f.weight))?;
        let est = Decoder::estimated(cell(f.estimated))?;
        // Kept (unless a duplicate): the row as the general path builds it.
        let (code_hash, key) = &mut dec.code_keys[code as usize];
        if *key < 0 {
            *key = codes_kept.len() as i32;
            codes_kept.push(code);
        }
        let (code_hash, key) = (*code_hash, *key);
        let unit = q.and(unit);
        let unit_key = match unit {
            None => None,
            Some(u)
                if dec
                    .last_unit
                    .is_some_and(|(at, len, _)| (at, len) == (u.as_ptr() as usize, u.len())) =>
            {
                dec.last_unit.map(|(_, _, k)| k)
            }
            Some(u) => {
                let k = match out.units.iter().position(|x| x == u) {
                    Some(k) => k,
                    None => {
                        out.units.push(u.to_string());
                        out.unit_hashes.push(text_hash(u));
                        out.units.len() - 1
                    }
                };
                // More than 127 units: the general path says what to do.
                let k = i8::try_from(k).ok().filter(|k| *k < i8::MAX)?;
                dec.last_unit = Some((u.as_ptr() as usize, u.len(), k));
                Some(k)
            }
        };
        let value = v * mapping.value_scale;
        // The table is not validated again (`join`): a scale (positive, checked with the mapping)
        // that takes a value beyond a double is the general path's error.
        if !value.is_finite() {
            return None;
        }
        let flags = flow as u64
            | basis.map_or(0, |b| 1 + b as u64) << 3
            | u64::from(est) << 5
            | u64::from(q.is_some()) << 6
            | u64::from(w.is_some()) << 7
            | u64::from(unit_key.is_some()) << 8;
        let hash = row_hash([
            p as u32 as u64 | u64::from(codes[0]) << 32 | u64::from(codes[1]) << 48,
            flags,
            code_hash,
            value.to_bits(),
            q.map_or(0, f64::to_bits),
            w.map_or(0, f64::to_bits),
            unit_key.map_or(0, |k| out.unit_hashes[k as usize]),
        ]);
        let row = out.value.len() as u32;
        hashes.push(hash);
        let line = u32::try_from(line).ok()?;
        if out.jumps.last().is_none_or(|&(r0, l0)| line - l0 != row - r0) {
            out.jumps.push((row, line));
        }
        out.period.push(p);
        out.reporter.push(codes[0]);
        out.partner.push(codes[1]);
        out.flow.push(flow as i8);
        out.product.push(key);
        out.value.push(value);
        // Columns the mapping leaves out are built once per batch in `join`.
        if f.basis.is_some() {
            out.basis.push(basis.map(|b| b as i8));
        }
        out.quantity.push(q.unwrap_or(f64::NAN));
        out.unit.push(unit_key);
        if f.weight.is_some() {
            out.weight.push(w.unwrap_or(f64::NAN));
        }
        if f.estimated.is_some() {
            out.estimated.push(est);
        }
    }
    out.report.set_aside_many(REASON_IMPORTER, importer_rest);
    // The codes' text once the rows are done: reached in the row loop, each new code's string
    // (or its count) was a wait for memory in the middle of a row.
    out.products = codes_kept.iter().map(|&c| Arc::clone(&dec.codes[c as usize])).collect();
    out.lines = lines.line;
    // Into buckets in one pass after the rows (pushing each row's hash into one of 512 buckets
    // while reading missed the cache on the buckets' tails).
    out.buckets = Buckets::of(&hashes);
    dec.hashes = hashes;
    Some(out)
}

/// Joins the chunks in file order: duplicates set aside, one product and unit dictionary, the
/// reports merged with their lines; the notes as the general path writes them.
fn join(mut chunks: Vec<Chunk>, line0: u64, mapping: &ColumnMapping, freq: Freq) -> Option<TradeTable> {
    let meta = TableMeta::new(freq, &mapping.currency, mapping.vintage).with_importers(mapping.importers.clone());
    let mut report = ReadReport::new(mapping.source.clone());
    // Lines: each chunk's relative lines shifted by the lines before it.
    let mut offset = line0;
    for c in chunks.iter_mut() {
        for ex in c.report.examples.values_mut() {
            for (l, _) in ex.iter_mut() {
                *l += offset;
            }
        }
        c.line0 = offset;
        offset += c.lines;
    }
    let duplicates = duplicate_rows(&chunks);
    // The row hashes (12 bytes a row) are not needed once duplicates are known.
    for c in chunks.iter_mut() {
        c.buckets = Buckets::default();
    }
    for c in chunks.iter_mut() {
        report.rows_read += c.report.rows_read;
        c.report.rows_read = 0;
        report.merge(std::mem::take(&mut c.report));
    }
    let mut n_duplicates = 0u64;
    for (ci, dups) in duplicates.iter().enumerate() {
        let c = &chunks[ci];
        for &r in dups {
            n_duplicates += 1;
            report.set_aside(crate::model::REASON_DUPLICATE, c.line0 + u64::from(c.line(r)), || {
                format!(
                    "{} {} -> {} {}",
                    c.period[r], c.reporter[r], c.partner[r], c.products[c.product[r] as usize]
                )
            });
        }
    }
    // One dictionary for every batch, in order of first kept row (as the row builder has it).
    let mut products: Vec<&str> = Vec::new();
    let mut product_keys: HashMap<&str, i32> = HashMap::new();
    let mut units: Vec<&str> = Vec::new();
    let mut remaps: Vec<(Vec<i32>, Vec<i8>)> = Vec::with_capacity(chunks.len());
    for c in &chunks {
        let p: Vec<i32> = c
            .products
            .iter()
            .map(|s| {
                *product_keys.entry(&**s).or_insert_with(|| {
                    products.push(s);
                    products.len() as i32 - 1
                })
            })
            .collect();
        let mut u = Vec::with_capacity(c.units.len());
        for s in &c.units {
            let k = match units.iter().position(|x| x == s) {
                Some(k) => k,
                None => {
                    units.push(s);
                    units.len() - 1
                }
            };
            u.push(i8::try_from(k).ok().filter(|k| *k < i8::MAX)?);
        }
        remaps.push((p, u));
    }
    let schema = canonical_schema(&meta);
    let product_values: ArrayRef = Arc::new(StringArray::from(products.clone()));
    let source = mapping.source.as_str();
    let units: Vec<String> = units.into_iter().map(str::to_string).collect();
    let units: Vec<&str> = units.iter().map(String::as_str).collect();
    let padded: u64 = chunks.iter().map(|c| c.padded).sum();
    drop(product_keys);
    drop(products);
    // Columns the mapping fixes for every row are built once; each batch takes a slice of them
    // (for 11 million rows up to 165 MB that a column for each batch would take).
    let most = chunks.iter().map(|c| c.value.len()).max().unwrap_or(0);
    let basis_all = fixed_dict(
        vec![mapping.value_basis.map(|b| b as i8); most],
        &ValueBasis::DICTIONARY,
    );
    let weight_all: ArrayRef = Arc::new(Float64Array::new_null(most));
    let estimated_all: ArrayRef = Arc::new(BooleanArray::from(vec![false; most]));
    let source_all = fixed_dict(vec![Some(0); most], &[source]);
    let batches: Vec<RecordBatch> = chunks
        .into_par_iter()
        .zip(remaps.into_par_iter())
        .zip(duplicates.into_par_iter())
        .filter(|((c, _), d)| c.value.len() > d.len())
        .map(|((c, (pk, uk)), dups)| {
            // Rows kept: all of them (the columns move into Arrow as they are) or all but the duplicates.
            let keep: Option<Vec<bool>> = (!dups.is_empty()).then(|| {
                let mut keep = vec![true; c.value.len()];
                for &r in &dups {
                    keep[r] = false;
                }
                keep
            });
            fn kept<T: Copy>(v: Vec<T>, keep: &Option<Vec<bool>>) -> Vec<T> {
                match keep {
                    None => v,
                    Some(keep) => v.iter().zip(keep).filter(|(_, k)| **k).map(|(x, _)| *x).collect(),
                }
            }
            let rows = c.value.len();
            let n = rows - dups.len();
            let product: Vec<i32> = kept(c.product, &keep).into_iter().map(|k| pk[k as usize]).collect();
            let unit = kept(c.unit, &keep);
            let unit = Int8Array::new(
                unit.iter().map(|k| k.map_or(0, |k| uk[k as usize])).collect(),
                Some(NullBuffer::from(BooleanBuffer::collect_bool(unit.len(), |i| {
                    unit[i].is_some()
                })))
                .filter(|n| n.null_count() > 0),
            );
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int32Array::from(kept(c.period, &keep))),
                Arc::new(UInt16Array::from(kept(c.reporter, &keep))),
                Arc::new(UInt16Array::from(kept(c.partner, &keep))),
                fixed_dict_of(Int8Array::from(kept(c.flow, &keep)), &Flow::DICTIONARY),
                Arc::new(
                    DictionaryArray::<Int32Type>::try_new(Int32Array::from(product), product_values.clone())
                        .map_err(|e| Error::arrow("building product column", e))?,
                ),
                Arc::new(Float64Array::from(kept(c.value, &keep))),
                if c.basis.len() == rows {
                    fixed_dict(kept(c.basis, &keep), &ValueBasis::DICTIONARY)
                } else {
                    basis_all.slice(0, n)
                },
                Arc::new(nullable(kept(c.quantity, &keep))),
                fixed_dict_of(unit, &units),
                if c.weight.len() == rows {
                    Arc::new(nullable(kept(c.weight, &keep)))
                } else {
                    weight_all.slice(0, n)
                },
                if c.estimated.len() == rows {
                    Arc::new(BooleanArray::from(kept(c.estimated, &keep)))
                } else {
                    estimated_all.slice(0, n)
                },
                source_all.slice(0, n),
            ];
            RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::arrow("assembling a trade batch", e))
        })
        .collect::<Result<_>>()
        .ok()?;
    if n_duplicates > 0 {
        report.note(format!(
            "{n_duplicates} duplicate row(s) (equal in every column to an earlier row) set aside"
        ));
    }
    if padded > 0 {
        report.note(format!(
            "{padded} product code(s) had an odd number of digits and got back their leading zero (10121 -> 010121)"
        ));
    }
    if mapping.value_scale != 1.0 {
        report.note(format!("values multiplied by {}", mapping.value_scale));
    }
    report.note_restriction(meta.restriction().as_deref());
    report.rows_kept = batches.iter().map(|b| b.num_rows() as u64).sum();
    if report.rows_read < report.rows_kept + report.rows_set_aside() {
        report.rows_read = report.rows_kept + report.rows_set_aside();
    }
    // Every kept row was checked as `TradeTable::validate` checks it (a period of the table's
    // frequency, known countries, a valid code, amounts finite and not negative, a unit for each
    // quantity): a second pass over 11 million rows took 4 % of a read.
    TradeTable::from_validated_batches(batches, meta, report).ok()
}

/// Amounts with NaN for missing ones as a nullable array (the values move, no copy).
fn nullable(v: Vec<f64>) -> Float64Array {
    let nulls = arrow_buffer::NullBuffer::new(arrow_buffer::BooleanBuffer::collect_bool(v.len(), |i| !v[i].is_nan()));
    Float64Array::new(v.into(), (nulls.null_count() > 0).then_some(nulls))
}
