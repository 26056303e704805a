//! The GACC reader on arbitrary bytes (any encoding mix): it may return any error but never
//! panic, and what it returns keeps its invariants (details row-aligned with the table).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradedep::io::baci::OnUnknownCountry;
use tradedep::io::gacc::{read_gacc_bytes, GaccOptions, GaccTableKind};
use tradedep::model::{Flow, Period};

fuzz_target!(|data: &[u8]| {
    let (flags, body) = match data.split_first() {
        Some((f, rest)) => (*f, rest),
        None => (0, data),
    };
    let options = GaccOptions {
        period: Some(if flags & 2 == 2 {
            Period::Year(2023)
        } else {
            Period::Month { year: 2023, month: 5 }
        }),
        flow: Some(Flow::Export),
        kind: Some(if flags & 4 == 4 {
            GaccTableKind::Cumulative
        } else {
            GaccTableKind::Monthly
        }),
        on_unknown_country: if flags & 1 == 1 {
            OnUnknownCountry::SetAside
        } else {
            OnUnknownCountry::Error
        },
        ..Default::default()
    };
    if let Ok(read) = read_gacc_bytes(body, "gacc.csv", &options) {
        assert!(read.table.report().is_balanced());
        assert_eq!(read.table.num_rows(), read.details.num_rows());
        read.table.validate().expect("a table the reader returns is valid");
    }
});
