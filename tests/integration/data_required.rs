//! Tests that read `../shared/data` are marked ignored when the folder is absent at build time
//! (`build.rs` sets `cfg(shared_data)`), so a checkout without it reports them as ignored. A binary
//! built with the data that runs without it (the folder moved, `TRADEDEP_SHARED_DATA` pointed
//! elsewhere) fails such a test unless told to skip: these tests run this test binary again on one
//! data test with the folder pointed elsewhere (so they need a build with the data themselves).

use std::process::{Command, Output};

use crate::common;

/// A test that reads the shared data (the BACI sample).
const DATA_TEST: &str = "io_baci::real_sample_matches_an_independent_parse";

fn run_data_test(skip: Option<&str>) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([DATA_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(common::DATA_VAR, "/nonexistent/shared/data")
        .env_remove(common::SKIP_VAR);
    if let Some(v) = skip {
        cmd.env(common::SKIP_VAR, v);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs a build with the shared data folder")]
fn a_data_test_fails_when_the_data_is_absent() {
    let out = run_data_test(None);
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("needs the shared data folder"), "{all}");
    assert!(all.contains("/nonexistent/shared/data"), "{all}");
    assert!(all.contains("1 failed"), "{all}");
    // "0" does not count as set.
    assert!(!run_data_test(Some("0")).status.success());
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs a build with the shared data folder")]
fn a_data_test_skips_loudly_when_told_to() {
    let out = run_data_test(Some("1"));
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("SKIPPED: shared data folder not found"), "{all}");
    assert!(all.contains("1 passed"), "{all}");
}
