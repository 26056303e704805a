//! The generic CSV reader with a column mapping on arbitrary text: any error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradedep::io::arrow_input::ColumnMapping;
use tradedep::io::generic::{read_csv_bytes, CsvOptions};
use tradedep::Flow;

fuzz_target!(|data: &[u8]| {
    let (flags, body) = match data.split_first() {
        Some((f, rest)) => (*f, rest),
        None => (0, data),
    };
    let mut mapping = ColumnMapping::new()
        .column("period", "period")
        .column("reporter", "reporter")
        .column("partner", "partner")
        .column("product", "product")
        .column("value", "value")
        .column("quantity", "quantity");
    if flags & 1 == 1 {
        mapping = mapping.column("flow", "flow");
    } else {
        mapping = mapping.flow(Flow::Import);
    }
    if flags & 2 == 2 {
        mapping.quantity_unit = Some("kg".into());
    }
    let options = CsvOptions {
        delimiter: if flags & 4 == 4 { b';' } else { b',' },
        ..Default::default()
    };
    if let Ok(table) = read_csv_bytes(body, "fuzz.csv", &mapping, &options) {
        assert!(table.report().is_balanced());
    }
});
