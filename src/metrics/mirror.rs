//! Mirror comparison: what importers report buying against what their partners report selling.
//!
//! For each (importer, exporter, period[, product]): M = the importer's reported imports from
//! the exporter (usually CIF), X = the exporter's reported exports to the importer (usually FOB),
//! `gap = M - X`, `ratio = M / X` (about 1.05-1.10 when both report well; far off when one side
//! under-reports, and null when X is missing). Either side may be missing: the value is then
//! null, not 0, and `missing` says which. Russia after 2021 shows as importer rows with
//! `missing = "import"`; EU exports that a hub never records as imports ("ghost trade") show as
//! `gap < 0`.
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `importer`, `exporter` | UInt16 | numeric codes |
//! | time key (`period`/`year`/`quarter`, + `n_months`) | | as in supplier shares |
//! | \[`product`\] | Utf8 | with [`By::Product`] |
//! | `imports_reported` | Float64 | M; null when the importer reported nothing for the cell |
//! | `exports_reported` | Float64 | X; null when the exporter reported nothing |
//! | `gap` | Float64 | M - X when both exist |
//! | `ratio` | Float64 | M / X when both exist and X > 0 |
//! | `missing` | Utf8 | `import`, `export` or null |
//! | `n_import_rows`, `n_export_rows` | UInt64 | table rows on each side |

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt16Array, UInt64Array};
use arrow_schema::{DataType, Field};

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::cube::ImportCube;
use crate::metrics::group::{Acc, Importer, ImporterSlots};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::{By, TimeKey};
use crate::metrics::view::Cols;
use crate::model::{Flow, Freq, ProductSelection, TradeTable};

/// Arguments of [`mirror_gap`].
///
/// ```
/// use tradedep::metrics::{mirror_gap, By, MirrorOptions};
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "8542", 110.0))?; // Russia's imports from China
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "8542", 100.0))?; // China's exports to Russia
/// b.push(TradeRow::new(2021, 156, 398, Flow::Export, "8542", 40.0))?; // to Kazakhstan
/// let opts = MirrorOptions { by: vec![By::Period], importers: Some(vec![643]), ..Default::default() };
/// let out = mirror_gap(&b.finish()?, &opts)?;
/// assert_eq!(out.num_rows(), 1); // Kazakhstan is not asked for
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MirrorOptions {
    /// Time key and optionally [`By::Product`].
    pub by: Vec<By>,
    pub products: Option<ProductSelection>,
    /// Only these importers (all when `None`).
    pub importers: Option<Vec<u16>>,
    /// Only these exporters (all when `None`).
    pub exporters: Option<Vec<u16>>,
    /// Stops the call between blocks of 65,536 rows once cancelled (the binding's Ctrl-C).
    pub cancel: crate::cancel::Cancellation,
}

#[derive(Default, Clone, Copy)]
struct Side {
    m: f64,
    x: f64,
    nm: u64,
    nx: u64,
    months: u16,
}

impl Side {
    /// Adds one item of the sides cube (`product << 1 | side`, side 1 a partner's export).
    fn add(&mut self, item: u32, acc: &Acc) {
        if item & 1 == 0 {
            self.m += acc.value;
            self.nm += acc.n_rows;
        } else {
            self.x += acc.value;
            self.nx += acc.n_rows;
        }
        self.months |= acc.months;
    }
}

/// Every importer of `table`: reporters of flow-import rows and partners of flow-export rows.
fn importer_codes(table: &TradeTable) -> Vec<u16> {
    let mut seen = vec![false; 1 << 16];
    for batch in table.batches() {
        let c = Cols::of(batch);
        for i in 0..batch.num_rows() {
            if c.flow[i] == Flow::Import as i8 {
                seen[c.reporter[i] as usize] = true;
            } else if c.flow[i] == Flow::Export as i8 {
                seen[c.partner[i] as usize] = true;
            }
        }
    }
    (0..=u16::MAX).filter(|c| seen[*c as usize]).collect()
}

/// Reported imports against mirror exports per pair (see the module docs for the columns).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type, Array};
/// use tradedep::metrics::{mirror_gap, By, MirrorOptions};
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "8542", 110.0))?;
/// b.push(TradeRow::new(2021, 156, 643, Flow::Export, "8542", 100.0))?;
/// b.push(TradeRow::new(2021, 156, 398, Flow::Export, "8542", 40.0))?; // Kazakhstan reports no imports
/// let out = mirror_gap(&b.finish()?, &MirrorOptions { by: vec![By::Period], ..Default::default() })?;
/// let col = |name: &str| out.column_by_name(name).unwrap().as_primitive::<Float64Type>().clone();
/// // Rows in importer code order: Kazakhstan (398), then Russia (643).
/// assert_eq!(out.num_rows(), 2);
/// assert_eq!((col("imports_reported").value(1), col("exports_reported").value(1)), (110.0, 100.0));
/// assert_eq!(col("gap").value(1), 10.0);
/// assert!((col("ratio").value(1) - 1.1).abs() < 1e-12);
/// assert!(col("imports_reported").is_null(0)); // Kazakhstan: null, not 0
/// assert_eq!(out.column_by_name("missing").unwrap().as_string::<i32>().value(0), "import");
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn mirror_gap(table: &TradeTable, opts: &MirrorOptions) -> Result<RecordBatch> {
    if opts.by.contains(&By::Partner) {
        return Err(Error::invalid_argument(
            "mirror rows are per partner pair already",
            "drop \"partner\" from by",
        ));
    }
    let freq = table.meta().freq;
    let monthly = freq == Freq::Monthly;
    let time = TimeKey::from_by(&opts.by, freq)?;
    let by_product = opts.by.contains(&By::Product);
    // One cube of both flows: cells by importer, exporter and time key, items by product and
    // side, in the output's order (importer and exporter codes, time, product code).
    let mut codes = match &opts.importers {
        Some(c) => c.clone(),
        None => importer_codes(table),
    };
    codes.sort_unstable();
    codes.dedup();
    let mut c = Out::default();
    if !codes.is_empty() {
        let slots = ImporterSlots::new(codes.iter().map(|c| Importer::country(*c)).collect(), freq)?;
        let imports = ImportSelection {
            products: opts.products.clone(),
            include_intra_group: true,
            cancel: opts.cancel.clone(),
            ..ImportSelection::default()
        };
        let cube = ImportCube::build_sides(table, &slots, &imports, &opts.by)?;
        let exporters: Option<Vec<bool>> = opts.exporters.as_ref().map(|e| {
            let mut m = vec![false; 1 << 16];
            e.iter().for_each(|x| m[*x as usize] = true);
            m
        });
        cube.for_each_cell(|cell, items| {
            let exporter = cell.partner as u16;
            if exporters.as_ref().is_some_and(|m| !m[exporter as usize]) {
                return Ok(());
            }
            let importer = codes[cell.importer as usize];
            if by_product {
                // Items of one product are neighbours: side 0 (imports), then side 1 (exports).
                for group in items.chunk_by(|a, b| a.0 >> 1 == b.0 >> 1) {
                    let mut s = Side::default();
                    group.iter().for_each(|(item, acc)| s.add(*item, acc));
                    let product = cube.products[(group[0].0 >> 1) as usize].clone();
                    c.push(importer, exporter, cell.period, product, s);
                }
            } else {
                let mut s = Side::default();
                items.iter().for_each(|(item, acc)| s.add(*item, acc));
                c.push(importer, exporter, cell.period, String::new(), s);
            }
            Ok(())
        })?;
    }
    let Out {
        imp,
        exp,
        t,
        months,
        prod,
        m,
        x,
        gap,
        ratio,
        missing,
        nm,
        nx,
    } = c;
    let mut cols: Vec<(Field, ArrayRef)> = vec![
        (
            Field::new("importer", DataType::UInt16, false),
            Arc::new(UInt16Array::from(imp)),
        ),
        (
            Field::new("exporter", DataType::UInt16, false),
            Arc::new(UInt16Array::from(exp)),
        ),
    ];
    cols.extend(time.columns(&t, &months, monthly));
    if by_product {
        cols.push((
            Field::new("product", DataType::Utf8, false),
            Arc::new(StringArray::from(prod)),
        ));
    }
    cols.extend([
        (
            Field::new("imports_reported", DataType::Float64, true),
            Arc::new(Float64Array::from(m)) as ArrayRef,
        ),
        (
            Field::new("exports_reported", DataType::Float64, true),
            Arc::new(Float64Array::from(x)),
        ),
        (
            Field::new("gap", DataType::Float64, true),
            Arc::new(Float64Array::from(gap)),
        ),
        (
            Field::new("ratio", DataType::Float64, true),
            Arc::new(Float64Array::from(ratio)),
        ),
        (
            Field::new("missing", DataType::Utf8, true),
            Arc::new(StringArray::from(missing)),
        ),
        (
            Field::new("n_import_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(nm)),
        ),
        (
            Field::new("n_export_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(nx)),
        ),
    ]);
    record_batch(cols, "assembling mirror comparison")
}

/// The output columns, one entry per (importer, exporter, time key, \[product\]).
#[derive(Default)]
struct Out {
    imp: Vec<u16>,
    exp: Vec<u16>,
    t: Vec<i32>,
    months: Vec<u16>,
    prod: Vec<String>,
    m: Vec<Option<f64>>,
    x: Vec<Option<f64>>,
    gap: Vec<Option<f64>>,
    ratio: Vec<Option<f64>>,
    missing: Vec<Option<&'static str>>,
    nm: Vec<u64>,
    nx: Vec<u64>,
}

impl Out {
    fn push(&mut self, importer: u16, exporter: u16, time: i32, product: String, s: Side) {
        self.imp.push(importer);
        self.exp.push(exporter);
        self.t.push(time);
        self.months.push(s.months);
        self.prod.push(product);
        let mv = (s.nm > 0).then_some(s.m);
        let xv = (s.nx > 0).then_some(s.x);
        self.m.push(mv);
        self.x.push(xv);
        self.gap.push(mv.zip(xv).map(|(m, x)| m - x));
        self.ratio.push(mv.zip(xv).and_then(|(m, x)| (x > 0.0).then(|| m / x)));
        self.missing.push(match (mv, xv) {
            (None, _) => Some("import"),
            (_, None) => Some("export"),
            _ => None,
        });
        self.nm.push(s.nm);
        self.nx.push(s.nx);
    }
}
