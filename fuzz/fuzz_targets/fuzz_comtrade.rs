//! Any bytes given to the Comtrade reader give a table or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradedep::io::comtrade::{read_comtrade_bytes, Breakdown, ComtradeOptions};

fuzz_target!(|data: &[u8]| {
    for breakdown in [Breakdown::Totals, Breakdown::Sum] {
        let opts = ComtradeOptions {
            breakdown,
            ..Default::default()
        };
        if let Ok(t) = read_comtrade_bytes(data, "fuzz.csv", &opts) {
            assert!(t.report().is_balanced());
        }
    }
});
