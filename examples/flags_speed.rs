//! Times `dependency_flags` on one BACI file in a release build (not a test):
//!
//! ```sh
//! cargo build --release --example flags_speed
//! target/release/examples/flags_speed FILE [REPS] [METHOD] [SOURCE] [DUMP]
//! ```
//!
//! METHOD is `geodep` (default) or `eu2021`, SOURCE `mirror` (default), `reported` or `auto`.
//! Prints the read time, each call's wall time and their median; with DUMP, writes the last
//! result as text (one line per row, floats in full precision) so that two builds can be
//! checked to give the same rows.

mod timing;

use std::io::Write;
use std::time::Instant;

use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use tradedep::metrics::{dependency_flags, FlagMethod, FlagOptions, Source};

fn main() -> tradedep::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: flags_speed FILE [REPS] [METHOD] [SOURCE] [DUMP]");
    let reps: usize = args.next().map(|r| r.parse().expect("REPS is a number")).unwrap_or(5);
    let method = FlagMethod::parse(&args.next().unwrap_or_else(|| "geodep".into()))?;
    let source = Source::parse(&args.next().unwrap_or_else(|| "mirror".into()))?;
    let dump = args.next();
    let table = timing::read_hs2017(&path)?;
    let fo = FlagOptions {
        method,
        source,
        ..Default::default()
    };
    let mut times = vec![];
    let mut last = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let b = dependency_flags(&table, &fo)?;
        times.push(t0.elapsed().as_secs_f64());
        last = Some(b);
    }
    let b = last.expect("at least one repetition");
    println!("times_s {times:.3?}");
    println!("median_s {:.3} out_rows {}", timing::median(&mut times), b.num_rows());
    if let Some(d) = dump {
        write_dump(&b, &d).expect("writing the dump");
    }
    Ok(())
}

fn write_dump(b: &RecordBatch, path: &str) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let schema = b.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    writeln!(out, "{}", names.join("\t"))?;
    let fmt = FormatOptions::default().with_null("null");
    let cols: Vec<ArrayFormatter> = b
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &fmt).expect("formattable column"))
        .collect();
    for i in 0..b.num_rows() {
        let cells: Vec<String> = cols.iter().map(|c| c.value(i).to_string()).collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    out.flush()
}
