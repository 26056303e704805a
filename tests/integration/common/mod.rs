//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// Set (to anything but empty or `0`) to skip, with a message, the tests that need the shared data.
pub const SKIP_VAR: &str = "TRADEDEP_SKIP_DATA_TESTS";
/// Overrides where the shared data folder is; when set, it is the only place looked at.
pub const DATA_VAR: &str = "TRADEDEP_SHARED_DATA";

/// The shared real-data folder (`../shared/data` next to the checkout, or `TRADEDEP_SHARED_DATA`).
///
/// Tests that need it carry `#[cfg_attr(not(shared_data), ignore = ...)]`: `build.rs` sets the cfg
/// when the folder exists at build time, so without it they are reported as ignored. A test built
/// with the data that runs without it fails here: a test that passes without its data hides that
/// it checked nothing. `TRADEDEP_SKIP_DATA_TESTS=1` turns that into a skip (`None`, with
/// `SKIPPED` on stderr) for a checkout without the data.
pub fn shared_data() -> Option<PathBuf> {
    let candidates = match std::env::var_os(DATA_VAR) {
        Some(dir) => vec![PathBuf::from(dir)],
        None => vec![
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
        ],
    };
    if let Some(found) = candidates.iter().find(|c| c.join("README.md").exists()) {
        return Some(found.clone());
    }
    let looked = candidates
        .iter()
        .map(|c| c.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if std::env::var(SKIP_VAR).is_ok_and(|v| !v.is_empty() && v != "0") {
        eprintln!("SKIPPED: shared data folder not found (looked at {looked}); {SKIP_VAR} is set");
        return None;
    }
    panic!(
        "this test needs the shared data folder, not found (looked at {looked}): place it at \
         ../shared/data, set {DATA_VAR}=PATH, or set {SKIP_VAR}=1 to skip the tests that need it"
    );
}

/// `shared_data()/rel`, or return from the test (skip) when the folder is absent and
/// `TRADEDEP_SKIP_DATA_TESTS` is set.
#[macro_export]
macro_rules! data_or_skip {
    ($rel:expr_2021) => {
        match $crate::common::shared_data() {
            Some(d) => d.join($rel),
            None => return,
        }
    };
}
