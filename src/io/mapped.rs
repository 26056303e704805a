//! Windows of a plain file mapped into memory, safe against the file being truncated while
//! they are read.
//!
//! Touching a mapped page that lies beyond the end of its file raises SIGBUS, which ends the
//! process: a file cut by another program during a read used to kill Python. On Unix a SIGBUS
//! handler (installed once, before the first window; any handler there before it is called
//! for faults that are not ours) maps a page of zeros over a faulting page that belongs to a
//! live window, so the parser reads zeros instead of crashing. Zeros are never valid text, and
//! the reader checks the file's length before each window, on any row problem and at the end
//! ([`shrank`]): the read ends in an error that says the file changed.

use std::fs::File;

/// A mapped window; unregistered (no longer protected) and unmapped when dropped.
///
/// ```
/// use tradedep::io::mapped::map;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.csv");
/// std::fs::write(&path, "t,i,j,k,v,q\n").unwrap();
/// let file = std::fs::File::open(&path).unwrap();
/// let window = map(&file, 0, 12).unwrap();
/// assert_eq!(&window[..6], b"t,i,j,"); // a window derefs to its bytes
/// ```
pub struct Window {
    map: memmap2::Mmap,
    #[cfg(unix)]
    slot: Option<usize>,
}

impl std::ops::Deref for Window {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.map
    }
}

impl Window {
    /// Gives back to the system the pages wholly inside `part` (a slice of this window, already
    /// read): a reader that maps a whole file would otherwise hold every page of it to the end
    /// (482 MB of an 11-million-row BACI year, counted in the process's memory). The mapping is
    /// private, read-only and never written, so a later read of those pages (the general path
    /// after the fast one declined) reads the same bytes from the file again. Unix only; a part
    /// outside the window, or another system, gives back nothing.
    ///
    /// ```
    /// use tradedep::io::mapped::map;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("a.csv");
    /// std::fs::write(&path, vec![b'7'; 1 << 20]).unwrap();
    /// let window = map(&std::fs::File::open(&path).unwrap(), 0, 1 << 20).unwrap();
    /// window.release(&window[4096..(1 << 20) - 100]);
    /// assert!(window.iter().all(|b| *b == b'7')); // read again from the file
    /// ```
    pub fn release(&self, part: &[u8]) {
        #[cfg(unix)]
        {
            let base = self.map.as_ptr() as usize;
            let at = part.as_ptr() as usize;
            if part.is_empty() || at < base || at + part.len() > base + self.map.len() {
                return;
            }
            let page = guard::page();
            let start = (at + page - 1) & !(page - 1);
            let end = (at + part.len()) & !(page - 1);
            if end > start {
                // SAFETY: a private, read-only file mapping that nothing writes: dropped pages
                // read back from the file unchanged (madvise(2), MADV_DONTNEED), so no slice
                // borrowed from the window sees other bytes. An error only means the pages stay.
                let _ = unsafe {
                    self.map
                        .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start - base, end - start)
                };
            }
        }
        #[cfg(not(unix))]
        let _ = part;
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(slot) = self.slot {
            guard::unregister(slot);
        }
    }
}

/// Maps `len` bytes of `file` from `offset` (a multiple of the page size) read-only.
///
/// One of the crate's `unsafe` calls. `memmap2` cannot check its contract (the file is not
/// truncated while mapped); the SIGBUS guard above keeps a truncation from ending the process,
/// and the caller's length checks turn it into an error.
///
/// ```
/// use tradedep::io::mapped::map;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.csv");
/// std::fs::write(&path, "2021,156,643\n").unwrap();
/// let file = std::fs::File::open(&path).unwrap();
/// assert_eq!(map(&file, 0, 4).unwrap().len(), 4);
/// ```
pub fn map(file: &File, offset: u64, len: usize) -> std::io::Result<Window> {
    #[cfg(unix)]
    guard::install();
    // SAFETY: read-only, private mapping of a regular file; a truncation is caught (module docs).
    let map = unsafe { memmap2::MmapOptions::new().offset(offset).len(len).map(file)? };
    Ok(Window {
        #[cfg(unix)]
        slot: guard::register(map.as_ptr() as usize, map.len()),
        map,
    })
}

/// `Some(now)` when `file` is shorter than the `len` bytes it had when the read began.
///
/// ```
/// use tradedep::io::mapped::shrank;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.csv");
/// std::fs::write(&path, "2021,156,643\n").unwrap();
/// let file = std::fs::File::open(&path).unwrap();
/// assert_eq!(shrank(&file, 13), None);
/// std::fs::write(&path, "2021\n").unwrap(); // another program cuts the file
/// assert_eq!(shrank(&file, 13), Some(5));
/// ```
pub fn shrank(file: &File, len: u64) -> Option<u64> {
    match file.metadata() {
        Ok(m) if m.len() < len => Some(m.len()),
        _ => None,
    }
}

#[cfg(unix)]
mod guard {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Once;

    /// Live windows as (start address, length); 0 marks a free slot. Chunks in flight are a
    /// handful, so this is never near full (a window without a slot is simply unprotected).
    const SLOTS: usize = 256;
    static START: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
    static LEN: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
    static PAGE: AtomicUsize = AtomicUsize::new(4096);
    /// The handler that was there before ours, and its flags.
    static PREVIOUS: AtomicUsize = AtomicUsize::new(libc::SIG_DFL);
    static PREVIOUS_FLAGS: AtomicUsize = AtomicUsize::new(0);
    static INSTALL: Once = Once::new();

    /// The system's page size (known once [`install`] ran).
    pub(super) fn page() -> usize {
        PAGE.load(Ordering::Relaxed)
    }

    pub(super) fn register(start: usize, len: usize) -> Option<usize> {
        if len == 0 {
            return None;
        }
        for (i, s) in START.iter().enumerate() {
            if s.compare_exchange(0, start, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                LEN[i].store(len, Ordering::Release);
                return Some(i);
            }
        }
        None
    }

    pub(super) fn unregister(slot: usize) {
        LEN[slot].store(0, Ordering::Release);
        START[slot].store(0, Ordering::Release);
    }

    pub(super) fn install() {
        INSTALL.call_once(|| {
            // SAFETY: sysconf and sigaction with fully initialised structures; the handler
            // only reads atomics and calls mmap.
            unsafe {
                let page = libc::sysconf(libc::_SC_PAGESIZE);
                if page > 0 {
                    PAGE.store(page as usize, Ordering::Relaxed);
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_sigbus as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(libc::SIGBUS, &action, &mut old) == 0 {
                    PREVIOUS.store(old.sa_sigaction, Ordering::Relaxed);
                    PREVIOUS_FLAGS.store(old.sa_flags as usize, Ordering::Relaxed);
                }
            }
        });
    }

    extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
        let addr = unsafe { (*info).si_addr() } as usize;
        for i in 0..SLOTS {
            let start = START[i].load(Ordering::Acquire);
            let len = LEN[i].load(Ordering::Acquire);
            if start != 0 && addr >= start && addr < start + len {
                let page = addr & !(PAGE.load(Ordering::Relaxed) - 1);
                // SAFETY: replaces one page inside our own live mapping with zeros.
                let r = unsafe {
                    libc::mmap(
                        page as *mut libc::c_void,
                        PAGE.load(Ordering::Relaxed),
                        libc::PROT_READ,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                        -1,
                        0,
                    )
                };
                if r != libc::MAP_FAILED {
                    return; // the access is retried and reads zeros
                }
            }
        }
        // Not ours: what was there before.
        let previous = PREVIOUS.load(Ordering::Relaxed);
        // SAFETY: restoring the default action, or calling the handler that was installed.
        unsafe {
            if previous == libc::SIG_DFL || previous == libc::SIG_IGN {
                libc::signal(libc::SIGBUS, libc::SIG_DFL);
                return; // the fault repeats and ends the process as it would have
            }
            if PREVIOUS_FLAGS.load(Ordering::Relaxed) & libc::SA_SIGINFO as usize != 0 {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(previous);
                f(sig, info, context);
            } else {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(previous);
                f(sig);
            }
        }
    }
}
