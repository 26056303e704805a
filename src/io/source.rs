//! Opening inputs: plain or gzip-compressed text, with progress reporting.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::cancel::Cancellation;
use crate::error::{Error, Location, Result};

/// Called with `(bytes_done, bytes_total)` of the compressed input while a reader works;
/// the Python binding drives a tqdm bar from it, the CLI an indicatif bar.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use tradedep::io::baci::{read_baci, BaciOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("BACI_HS17_Y2021_V202401.csv");
/// std::fs::write(&path, "t,i,j,k,v,q\n2021,156,643,854231,1500.5,2.0\n").unwrap();
/// let seen = AtomicU64::new(0);
/// let progress = |done: u64, _total: u64| seen.store(done, Ordering::Relaxed);
/// let opts = BaciOptions { progress: Some(&progress), ..Default::default() };
/// read_baci(&path, &opts)?;
/// assert_eq!(seen.load(Ordering::Relaxed), std::fs::metadata(&path).unwrap().len());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Counts bytes read from the underlying file for progress reporting.
pub struct CountingReader<R> {
    inner: R,
    pub count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Opens `path` as a buffered byte stream, decompressing `.gz` transparently.
///
/// ```
/// use std::io::{BufRead, Write};
/// use tradedep::io::source::open_text;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.csv.gz");
/// let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::default());
/// gz.write_all(b"t,i,j\n2021,156,643\n").unwrap();
/// gz.finish().unwrap();
/// let lines: Vec<String> = open_text(&path)?.lines().map(|l| l.unwrap()).collect();
/// assert_eq!(lines, ["t,i,j", "2021,156,643"]);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn open_text(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let is_gz = path.extension().map(|e| e.eq_ignore_ascii_case("gz")).unwrap_or(false);
    Ok(if is_gz {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(BufReader::new(file)),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 20, file))
    })
}

/// A reader of `inner` running on a thread of its own, `block` bytes at a time and up to
/// `ahead` blocks ahead of the consumer: decompressing a `.gz` file overlaps the parse that
/// consumes it (on two cores, the read costs the longer of the two instead of their sum).
/// The thread ends at the end of the input, at its first error (handed on to the consumer),
/// or when the consumer is dropped.
///
/// ```
/// use std::io::Read;
/// use tradedep::io::source::read_ahead;
/// let text: Vec<u8> = (0..10_000u32).flat_map(|i| i.to_le_bytes()).collect();
/// let mut r = read_ahead(std::io::Cursor::new(text.clone()), 4096, 2); // 4 KB blocks, 2 ahead
/// let mut back = vec![];
/// r.read_to_end(&mut back).unwrap();
/// assert_eq!(back, text); // the same bytes, in order, across block boundaries
/// ```
pub struct ReadAhead {
    blocks: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    block: Vec<u8>,
    pos: usize,
}

/// Starts a [`ReadAhead`] of `inner`.
///
/// ```
/// use std::io::Read;
/// let mut r = tradedep::io::source::read_ahead(&b"t,i,j\n2021,156,643\n"[..], 8, 1);
/// let mut s = String::new();
/// r.read_to_string(&mut s).unwrap();
/// assert_eq!(s.lines().nth(1), Some("2021,156,643"));
/// ```
pub fn read_ahead<R: Read + Send + 'static>(mut inner: R, block: usize, ahead: usize) -> ReadAhead {
    let (tx, rx) = std::sync::mpsc::sync_channel(ahead.max(1));
    std::thread::spawn(move || loop {
        let mut buf = vec![0u8; block.max(1)];
        let mut filled = 0;
        while filled < buf.len() {
            match inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if filled == 0 {
            return;
        }
        buf.truncate(filled);
        if tx.send(Ok(buf)).is_err() {
            return;
        }
    });
    ReadAhead {
        blocks: rx,
        block: Vec::new(),
        pos: 0,
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.block.len() {
            match self.blocks.recv() {
                Ok(block) => {
                    self.block = block?;
                    self.pos = 0;
                }
                // The thread has ended: the input is done.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.block.len() - self.pos);
        out[..n].copy_from_slice(&self.block[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Reads the whole (decompressed) content of `path` into memory.
///
/// ```
/// use tradedep::io::source::read_all;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.csv");
/// std::fs::write(&path, "t,i,j\n").unwrap();
/// assert_eq!(read_all(&path)?, b"t,i,j\n");
/// assert!(read_all(&dir.path().join("missing.csv")).is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_all(path: &Path) -> Result<Vec<u8>> {
    read_all_cancellable(path, &Cancellation::default())
}

/// [`read_all`] in 16 MB steps, stopping with [`Error::Cancelled`] once `cancel` is set.
///
/// ```
/// use tradedep::{cancel::Cancellation, io::source::read_all_cancellable, Error};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.csv");
/// std::fs::write(&path, "t,i,j\n").unwrap();
/// let cancel = Cancellation::new();
/// assert_eq!(read_all_cancellable(&path, &cancel)?.len(), 6);
/// cancel.cancel();
/// assert!(matches!(read_all_cancellable(&path, &cancel), Err(Error::Cancelled)));
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_all_cancellable(path: &Path, cancel: &Cancellation) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut input = open_text(path)?.take(0);
    // A plain file's length is its text's: one allocation, no copy as the buffer grows.
    let plain = !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if let (true, Ok(meta)) = (plain, std::fs::metadata(path)) {
        out.reserve_exact(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    }
    loop {
        cancel.check()?;
        input.set_limit(16 << 20);
        match input.read_to_end(&mut out).map_err(|e| Error::io(path, e))? {
            0 => return Ok(out),
            _ => continue,
        }
    }
}

/// A short display name for messages: the file name, or the whole path if it has none.
///
/// ```
/// use std::path::Path;
/// use tradedep::io::source::display_name;
/// assert_eq!(display_name(Path::new("/data/baci/BACI_HS17_Y2021_V202401.csv")), "BACI_HS17_Y2021_V202401.csv");
/// assert_eq!(display_name(Path::new("/")), "/");
/// ```
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Two columns of the same name (a header, an Arrow schema): which one holds the data would be
/// a guess, so every reader makes it this error.
///
/// ```
/// let e = tradedep::io::source::duplicate_column("a.csv", "value", 4, 7);
/// assert!(e.to_string().starts_with("two columns are named \"value\" (columns 5 and 8) at file a.csv, column 'value'."));
/// ```
pub fn duplicate_column(file: &str, column: &str, first: usize, second: usize) -> Error {
    Error::format(
        format!(
            "two columns are named {column:?} (columns {} and {})",
            first + 1,
            second + 1
        ),
        Location::file(file).column(column),
        "rename or remove one of them so that each column name is used once",
    )
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::read_ahead;

    #[test]
    fn read_ahead_hands_on_every_byte_in_order() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        for (block, ahead) in [(1, 1), (7, 2), (4096, 4), (1 << 20, 4)] {
            let mut out = Vec::new();
            read_ahead(std::io::Cursor::new(data.clone()), block, ahead)
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, data, "block {block}");
        }
    }

    #[test]
    fn read_ahead_hands_on_the_error() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "corrupt deflate stream",
                    ));
                }
                let n = buf.len().min(self.0);
                buf[..n].fill(b'x');
                self.0 -= n;
                Ok(n)
            }
        }
        let mut out = Vec::new();
        let err = read_ahead(Failing(10_000), 4096, 2).read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("corrupt deflate"), "{err}");
        assert_eq!(out.len(), 8192, "the whole blocks before the error are handed on");
    }
}
