//! The BACI reader on arbitrary bytes (plain, gzip or zip, told apart by their first bytes):
//! it may return any error but never panic, and a table it returns keeps its invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradedep::io::baci::{read_baci_bytes, BaciOptions, OnUnknownCountry};

fuzz_target!(|data: &[u8]| {
    // The first byte picks options so that both country policies and small chunks are covered.
    let (flags, body) = match data.split_first() {
        Some((f, rest)) => (*f, rest),
        None => (0, data),
    };
    let years = [2021];
    let options = BaciOptions {
        on_unknown_country: if flags & 1 == 1 {
            OnUnknownCountry::SetAside
        } else {
            OnUnknownCountry::Error
        },
        years: if flags & 2 == 2 { Some(&years) } else { None },
        chunk_bytes: if flags & 4 == 4 { 64 } else { 0 },
        ..Default::default()
    };
    if let Ok(table) = read_baci_bytes(body, "BACI_HS17_Y2021_V202401.csv", &options) {
        assert!(table.report().is_balanced());
        table.validate().expect("a table the reader returns is valid");
    }
});
