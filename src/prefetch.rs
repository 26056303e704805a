//! A cache hint: what a loop will read a little later is asked into the CPU's cache now (the
//! BACI parser's text 2 KB ahead; the cube's sums of the keys a few rows ahead).

/// Asks the CPU to bring `buf[at]` into cache without waiting for it (a hint: it never faults,
/// and does nothing past the end or on other architectures).
#[inline(always)]
pub(crate) fn prefetch<T>(buf: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(b) = buf.get(at) {
        // SAFETY: a prefetch reads nothing the program sees and cannot fault; the address is
        // inside `buf` anyway. SSE, which it needs, is part of every x86_64 CPU.
        unsafe { core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>((b as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (buf, at);
}
