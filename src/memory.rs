//! Memory handed back to the system before its owner is dropped: a vector shrinking piece by
//! piece while its records move elsewhere (the cube's sort) gives back the pages it no longer
//! uses, so that its records and their new place are never both held in full.

/// Gives the whole memory pages of `v`'s spare capacity (past its length) back to the system
/// (Linux and other Unix: `madvise(MADV_DONTNEED)`; elsewhere nothing). `v` keeps its capacity:
/// a later push touches fresh zeroed pages.
pub(crate) fn release_spare<T>(v: &mut Vec<T>) {
    #[cfg(unix)]
    {
        let size = std::mem::size_of::<T>();
        let page = page_size();
        if size == 0 || page == 0 {
            return;
        }
        let base = v.as_mut_ptr() as usize;
        let start = (base + v.len() * size).next_multiple_of(page);
        let end = (base + v.capacity() * size) / page * page;
        if end > start {
            // SAFETY: [start, end) lies inside `v`'s allocation, past its initialised part: no
            // value lives there and nothing reads it before writing. On private anonymous
            // memory MADV_DONTNEED drops the pages, which read as zeros if touched again; the
            // allocator keeps no bookkeeping inside an allocation in use. A failure only
            // means the pages stay.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = v;
}

#[cfg(unix)]
fn page_size() -> usize {
    static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    // SAFETY: sysconf reads a constant of the system.
    *PAGE.get_or_init(|| usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_values_survive_and_the_vector_still_grows() {
        let mut v: Vec<u64> = (0..(1u64 << 20)).collect();
        v.truncate(1000);
        release_spare(&mut v);
        assert_eq!(v, (0..1000).collect::<Vec<u64>>());
        v.extend(0..(1u64 << 19));
        assert_eq!(v.len(), 1000 + (1 << 19));
        assert_eq!(v[1000 + 12345], 12345);
        let mut empty: Vec<u64> = Vec::new();
        release_spare(&mut empty);
        assert!(empty.is_empty());
    }
}
