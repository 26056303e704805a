//! Any bytes given to the Comext reader give a table or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradedep::io::comext::{read_comext_reader, ComextLevel, ComextOptions};

fuzz_target!(|data: &[u8]| {
    for level in [ComextLevel::Cn8, ComextLevel::Hs4] {
        let opts = ComextOptions {
            level,
            ..Default::default()
        };
        if let Ok(t) = read_comext_reader(data, "fuzz.dat", &opts) {
            assert!(t.report().is_balanced());
        }
    }
});
