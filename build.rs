//! Build script: only for the integration tests. Tests that read the shared real-data folder
//! (`../shared/data`, or `TRADEDEP_SHARED_DATA`) are marked ignored when it is absent, so that a
//! checkout without it reports them as ignored instead of failing (or passing having checked
//! nothing). The library itself does not depend on this cfg.
use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=TRADEDEP_SHARED_DATA");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let candidates = match std::env::var_os("TRADEDEP_SHARED_DATA") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => vec![manifest.join("../shared/data"), manifest.join("../../shared/data")],
    };
    if let Some(found) = candidates.iter().find(|c| c.join("README.md").exists()) {
        // Watched only when present: removing the folder re-runs this script.
        println!("cargo::rerun-if-changed={}", found.join("README.md").display());
        println!("cargo::rustc-cfg=shared_data");
    }
}
