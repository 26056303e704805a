//! Cancelling a long call: a flag the caller sets and the readers and kernels poll between
//! chunks. No signals and no Python here: the binding sets the flag when Ctrl-C arrives.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// A shared flag; clones see the same flag. The default is a fresh flag nobody sets.
///
/// ```
/// use tradedep::cancel::Cancellation;
/// let flag = Cancellation::new();
/// let seen_by_reader = flag.clone();
/// assert!(seen_by_reader.check().is_ok());
/// flag.cancel();
/// assert!(seen_by_reader.is_cancelled());
/// assert!(matches!(seen_by_reader.check(), Err(tradedep::Error::Cancelled)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancellation(Arc<AtomicBool>);

impl Cancellation {
    /// A fresh flag, not set.
    ///
    /// ```
    /// assert!(!tradedep::cancel::Cancellation::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
    /// Asks every holder to stop at its next check.
    ///
    /// ```
    /// let c = tradedep::cancel::Cancellation::new();
    /// c.cancel();
    /// assert!(c.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// True once any clone called [`Cancellation::cancel`].
    ///
    /// ```
    /// let c = tradedep::cancel::Cancellation::default();
    /// let d = c.clone();
    /// d.cancel();
    /// assert!(c.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    /// `Err(Error::Cancelled)` once cancelled: `cancel.check()?` between chunks.
    ///
    /// ```
    /// let c = tradedep::cancel::Cancellation::new();
    /// for chunk in 0..3 {
    ///     if chunk == 1 {
    ///         c.cancel(); // e.g. Ctrl-C arrives
    ///     }
    ///     if chunk == 2 {
    ///         assert!(c.check().is_err());
    ///     }
    /// }
    /// ```
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let a = Cancellation::new();
        let b = a.clone();
        assert!(a.check().is_ok());
        b.cancel();
        assert!(a.is_cancelled());
        assert!(matches!(a.check(), Err(Error::Cancelled)));
        assert!(Cancellation::default().check().is_ok());
    }
}
