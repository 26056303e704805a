//! The fast path: text cut into chunks of whole lines, each chunk's rows checked on a worker
//! thread ([`RowParser`]), the chunks' tallies added to the read on the calling thread in file
//! order ([`State::combine`](super::State)). Lines, errors, examples and sums are those of one
//! pass over the file: a chunk's rows stop at its first error, and a chunk is combined only
//! after every chunk before it.

use std::collections::VecDeque;
use std::io::{Cursor, Read};
use std::sync::{mpsc, Mutex};

use super::{csv_error, needs_csv, Ctx, Reader, RowParser, Tally};
use crate::error::{Error, Location, Result};
use crate::model::TradeTable;

/// Reads `input` with `workers` parsing threads, `chunk` bytes at a time (grown to a line).
pub(super) fn read<R: Read>(mut reader: Reader, mut input: R, chunk: usize, workers: usize) -> Result<TradeTable> {
    let mut src = Source {
        size: chunk,
        carry: vec![],
        eof: false,
        spare: vec![],
    };
    // The header: lines up to the first one that is not empty, read here.
    let (first, from) = loop {
        let Some(buf) = src.next(&mut input, reader.name)? else {
            return reader.finish();
        };
        if needs_csv(&buf) {
            let rest = Cursor::new(buf).chain(Cursor::new(std::mem::take(&mut src.carry)));
            return reader.rest_csv(rest.chain(input));
        }
        let mut pos = 0;
        while pos < buf.len() && reader.started.is_none() {
            let end = memchr::memchr(b'\n', &buf[pos..]).map_or(buf.len(), |i| pos + i);
            let raw = &buf[pos..end];
            pos = end + 1;
            reader.line += 1;
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if raw.is_empty() {
                continue; // as the csv crate: empty lines are no records
            }
            let fields: Vec<&[u8]> = raw.split(|b| *b == b',').collect();
            let line = reader.line;
            reader.record(&fields, line)?;
        }
        if reader.started.is_some() {
            let from = pos.min(buf.len());
            break (buf, from);
        }
    };
    let started = reader.started.as_mut().expect("the header was read");
    let ctx = &started.ctx;
    let state = &mut started.state;
    let lines_before = reader.line;
    let (jobs, job_rx) = mpsc::sync_channel::<Job>(workers);
    let job_rx = Mutex::new(job_rx);
    let ended = std::thread::scope(|s| {
        for _ in 0..workers {
            let job_rx = &job_rx;
            s.spawn(move || {
                let mut parser = RowParser::new();
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    let done = job.done.clone();
                    let _ = done.send(parse(ctx, &mut parser, job));
                }
            });
        }
        let mut pending: VecDeque<Pending> = VecDeque::new();
        let mut line = lines_before;
        let mut next = Some((first, from));
        let mut reading = true;
        let mut handover = None;
        let mut tallies: Vec<Tally> = vec![];
        let ended = loop {
            // Keep the workers fed, a few chunks ahead of the combine.
            while reading && pending.len() < 2 * workers + 1 {
                let (text, from) = match next.take() {
                    Some(first) => first,
                    None => match src.next(&mut input, reader.name) {
                        Ok(Some(buf)) if needs_csv(&buf) => {
                            reading = false;
                            handover = Some(buf);
                            break;
                        }
                        Ok(Some(buf)) => (buf, 0),
                        Ok(None) => {
                            reading = false;
                            break;
                        }
                        Err(e) => {
                            // Reported once the chunks before it are combined.
                            reading = false;
                            pending.push_back(Pending::Failed(e));
                            break;
                        }
                    },
                };
                if from >= text.len() {
                    src.spare.push(text);
                    continue;
                }
                // Every chunk but the last ends with a newline: its lines are its newlines.
                let lines = memchr::memchr_iter(b'\n', &text[from..]).count() as u64;
                let (done, result) = mpsc::sync_channel(1);
                let job = Job {
                    text,
                    from,
                    first_line: line + 1,
                    tally: tallies.pop().unwrap_or_default(),
                    done,
                };
                line += lines;
                pending.push_back(match jobs.send(job) {
                    Ok(()) => Pending::Chunk(result),
                    Err(_) => Pending::Failed(worker_stopped(reader.name)),
                });
            }
            let Some(p) = pending.pop_front() else {
                break Ok(handover.map(|h| (h, line)));
            };
            let mut out = match p {
                Pending::Failed(e) => break Err(e),
                Pending::Chunk(result) => match result.recv() {
                    Ok(out) => out,
                    Err(_) => break Err(worker_stopped(reader.name)),
                },
            };
            let text = &out.text;
            if let Err(e) = state.combine(&mut out.tally, &|at| quote_line(ctx, text, at)) {
                break Err(e);
            }
            if let Some(e) = out.error {
                break Err(e);
            }
            src.spare.push(out.text);
            tallies.push(out.tally);
        };
        // The workers end once the queue is closed.
        drop(jobs);
        ended
    })?;
    match ended {
        None => reader.finish(),
        Some((buf, line)) => {
            // From this chunk on, the csv crate reads (it knows quoting).
            reader.line = line;
            let rest = Cursor::new(buf).chain(Cursor::new(std::mem::take(&mut src.carry)));
            reader.rest_csv(rest.chain(input))
        }
    }
}

/// A chunk to parse: `text[from..]`, whose first line is `first_line` of the file.
struct Job {
    text: Vec<u8>,
    from: usize,
    first_line: u64,
    /// An empty tally to fill (reused: its buffers are already grown).
    tally: Tally,
    done: mpsc::SyncSender<Parsed>,
}

/// A parsed chunk: its rows up to its first error, and that error.
struct Parsed {
    text: Vec<u8>,
    tally: Tally,
    error: Option<Error>,
}

enum Pending {
    Chunk(mpsc::Receiver<Parsed>),
    /// Reading the input failed here.
    Failed(Error),
}

fn parse(ctx: &Ctx, parser: &mut RowParser, job: Job) -> Parsed {
    let Job {
        text,
        from,
        first_line,
        tally,
        ..
    } = job;
    parser.tally = tally;
    let mut error = None;
    // Checked as UTF-8 once: its lines and fields, cut at ASCII bytes, are then text. A chunk
    // that is not is read as bytes, each field checked, so the error names the field.
    let utf8 = simdutf8::basic::from_utf8(&text[from..]).ok();
    let mut fields: Vec<&[u8]> = Vec::with_capacity(32);
    let mut texts: Vec<&str> = Vec::with_capacity(32);
    let mut line = first_line - 1;
    let mut pos = from;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let at = pos;
        let raw = &text[pos..end];
        pos = end + 1;
        line += 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() {
            continue; // as the csv crate: empty lines are no records
        }
        let read = match utf8 {
            Some(s) => {
                texts.clear();
                let raw = &s[at - from..at - from + raw.len()];
                // Byte by byte: lines are short, and `str::split` looks for a char.
                let mut start = 0;
                for (i, b) in raw.bytes().enumerate() {
                    if b == b',' {
                        texts.push(&raw[start..i]);
                        start = i + 1;
                    }
                }
                texts.push(&raw[start..]);
                parser.record(ctx, &texts, line, at)
            }
            None => {
                fields.clear();
                fields.extend(raw.split(|b| *b == b','));
                parser.record(ctx, &fields, line, at)
            }
        };
        if let Err(e) = read {
            error = Some(e);
            break;
        }
    }
    Parsed {
        text,
        tally: std::mem::take(&mut parser.tally),
        error,
    }
}

/// [`Ctx::quote`] of the line starting at byte `at` of `text`.
fn quote_line(ctx: &Ctx, text: &[u8], at: usize) -> String {
    let rest = &text[at..];
    let raw = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let fields: Vec<&[u8]> = raw.split(|b| *b == b',').collect();
    ctx.quote(&fields)
}

fn worker_stopped(name: &str) -> Error {
    Error::invalid_data(
        "a parsing thread stopped before its chunk was read",
        Location::file(name),
        "this is a bug in tradedep: please report it with the file",
    )
}

/// The input as chunks of whole lines.
struct Source {
    size: usize,
    /// Bytes read past the last chunk's last line.
    carry: Vec<u8>,
    eof: bool,
    /// Buffers of combined chunks, reused.
    spare: Vec<Vec<u8>>,
}

impl Source {
    /// The next chunk: about `size` bytes up to a line end (or the end of the input), grown
    /// for lines longer than that; `None` at the end.
    fn next<R: Read>(&mut self, input: &mut R, name: &str) -> Result<Option<Vec<u8>>> {
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.append(&mut self.carry);
        let mut want = buf.len() + self.size;
        loop {
            while !self.eof && buf.len() < want {
                let filled = buf.len();
                buf.resize(want, 0);
                match input.read(&mut buf[filled..]) {
                    Ok(0) => {
                        buf.truncate(filled);
                        self.eof = true;
                    }
                    Ok(n) => buf.truncate(filled + n),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(filled),
                    // As the csv crate reports it.
                    Err(e) => return Err(csv_error(csv::Error::from(e), name, 0)),
                }
            }
            if self.eof {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            match memchr::memrchr(b'\n', &buf) {
                Some(nl) => {
                    self.carry.extend_from_slice(&buf[nl + 1..]);
                    buf.truncate(nl + 1);
                    return Ok(Some(buf));
                }
                // One line longer than the chunk: read on.
                None => want *= 2,
            }
        }
    }
}
