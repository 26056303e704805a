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

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt16Array, UInt64Array};
use arrow_schema::{DataType, Field};

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::group::NO_PRODUCT;
use crate::metrics::shares::{By, TimeKey};
use crate::metrics::view::{ImportView, Source, ViewOptions};
use crate::model::{Freq, ProductSelection, TradeTable};

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
    let mut cells: BTreeMap<(u16, u16, i32, u32), Side> = BTreeMap::new();
    let mut products: Vec<String> = vec![];
    let mut product_ids: hashbrown::HashMap<String, u32> = hashbrown::HashMap::new();
    for source in [Source::Reported, Source::Mirror] {
        let view = ImportView::build(
            table,
            &ViewOptions {
                source,
                cif_fob: 1.0,
                products: opts.products.as_ref(),
                importers: opts.importers.as_deref(),
                cancel: Some(&opts.cancel),
            },
        )?;
        // Product ids differ between the two views: key on the code's rank in a shared list.
        let ids: Vec<u32> = view
            .products
            .iter()
            .map(|p| {
                *product_ids.entry(p.clone()).or_insert_with(|| {
                    products.push(p.clone());
                    (products.len() - 1) as u32
                })
            })
            .collect();
        for i in 0..view.len() {
            if i % crate::metrics::view::CANCEL_CHECK_ROWS == 0 {
                opts.cancel.check()?;
            }
            if opts.exporters.as_ref().is_some_and(|e| !e.contains(&view.supplier[i])) {
                continue;
            }
            let p = view.period[i];
            let key = (
                view.importer[i],
                view.supplier[i],
                time.key(p),
                if by_product {
                    ids[view.product[i] as usize]
                } else {
                    NO_PRODUCT
                },
            );
            let s = cells.entry(key).or_default();
            if monthly {
                s.months |= 1 << ((p % 100 - 1).clamp(0, 15));
            }
            if source == Source::Reported {
                s.m += view.value[i];
                s.nm += 1;
            } else {
                s.x += view.value[i];
                s.nx += 1;
            }
        }
    }
    // Sort output by product code, not by first appearance.
    let mut order: Vec<(u16, u16, i32, String, Side)> = cells
        .into_iter()
        .map(|((a, b, t, p), s)| {
            (
                a,
                b,
                t,
                if p == NO_PRODUCT {
                    String::new()
                } else {
                    products[p as usize].clone()
                },
                s,
            )
        })
        .collect();
    order.sort_by(|a, b| (a.0, a.1, a.2, &a.3).cmp(&(b.0, b.1, b.2, &b.3)));
    let n = order.len();
    let (mut imp, mut exp, mut t, mut months, mut prod) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut m, mut x, mut gap, mut ratio, mut missing, mut nm, mut nx) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (a, b, k, p, s) in order {
        imp.push(a);
        exp.push(b);
        t.push(k);
        months.push(s.months);
        prod.push(p);
        let mv = (s.nm > 0).then_some(s.m);
        let xv = (s.nx > 0).then_some(s.x);
        m.push(mv);
        x.push(xv);
        gap.push(mv.zip(xv).map(|(m, x)| m - x));
        ratio.push(mv.zip(xv).and_then(|(m, x)| (x > 0.0).then(|| m / x)));
        missing.push(match (mv, xv) {
            (None, _) => Some("import"),
            (_, None) => Some("export"),
            _ => None,
        });
        nm.push(s.nm);
        nx.push(s.nx);
    }
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
