//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared real-data folder (`../shared/data` next to the checkout), or `None` with a
/// message on stderr so a skipped test says why. `TRADEDEP_SHARED_DATA` overrides the place.
pub fn shared_data() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TRADEDEP_SHARED_DATA").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.join("README.md").exists() {
            return Some(c);
        }
    }
    eprintln!("SKIPPED: shared data folder not found (set TRADEDEP_SHARED_DATA or place it at ../shared/data)");
    None
}

/// `shared_data()/rel`, or return from the test (skip) when the folder is absent.
#[macro_export]
macro_rules! data_or_skip {
    ($rel:expr) => {
        match $crate::common::shared_data() {
            Some(d) => d.join($rel),
            None => return,
        }
    };
}
