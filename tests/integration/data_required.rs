//! The tests that read `../shared/data` fail when it is absent, unless told to skip: they run
//! this test binary again on one such test with the data folder pointed elsewhere.

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
fn a_data_test_skips_loudly_when_told_to() {
    let out = run_data_test(Some("1"));
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("SKIPPED: shared data folder not found"), "{all}");
    assert!(all.contains("1 passed"), "{all}");
}
