//! Quantities and unit values per importer, product and supplier.
//!
//! Quantities are summed only within one unit: a supplier whose rows carry different units has
//! `quantity_unit = "mixed"` and no quantity or unit value. Rows lacking a quantity are left out
//! of the quantity, and their value out of the unit value (value of the rows with a quantity /
//! quantity); `quantity_value_share` states the share of value the quantity covers. The relative unit value compares a supplier's unit value
//! with that of the importer's other suppliers of the same product, in the same unit and period.
//!
//! Columns:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `importer` | Utf8 | importer label |
//! | `period` / `year` / `quarter` (+ `n_months`) | | time key of `by`, as in supplier shares |
//! | `product` | Utf8 | product code |
//! | `supplier`, `supplier_code` | Utf8, UInt16 | supplier or group |
//! | `value` | Float64 | imports from the supplier |
//! | `quantity`, `quantity_unit` | Float64, Utf8 | summed quantity and its unit (`mixed`, or null when unknown) |
//! | `quantity_value_share` | Float64 | share of `value` in rows with a quantity (null for mixed units) |
//! | `unit_value` | Float64 | value of the rows with a quantity / quantity, per `quantity_unit` |
//! | `others_value`, `others_quantity` | Float64 | the other suppliers' value with quantities and quantity, same unit |
//! | `n_others` | UInt32 | how many other suppliers those are |
//! | `relative_unit_value` | Float64 | unit_value / (others_value / others_quantity) |
//! | `source`, `estimated`, `n_rows` | | as in supplier shares |

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field};

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::group::{Importer, ImporterSlots, Qty, SupplierKeys};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::{qty_parts, By, TimeKey};
use crate::model::{Freq, TradeTable};

/// Arguments of [`unit_values`].
///
/// ```
/// use tradedep::metrics::{By, Importer, Source, UnitValueOptions};
/// let mut opts = UnitValueOptions::new(vec![Importer::country(156)]);
/// assert_eq!(opts.by, [By::Period]);
/// opts.by = vec![By::Year]; // months of a monthly table summed per year
/// opts.imports.source = Source::Mirror; // from the suppliers' exports
/// ```
#[derive(Debug, Clone)]
pub struct UnitValueOptions {
    /// Whose imports.
    pub importers: Vec<Importer>,
    /// Which of their imports count: products, supplier groups, source.
    pub imports: ImportSelection,
    /// Time key: [`By::Period`] (default), [`By::Year`] or [`By::Quarter`]; the product is always a key.
    pub by: Vec<By>,
}

impl UnitValueOptions {
    /// Unit values of `importers`' imports by period, reported data, every product.
    ///
    /// ```
    /// use tradedep::metrics::{By, Importer, UnitValueOptions};
    /// let opts = UnitValueOptions::new(vec![Importer::country(643), Importer::country(398)]);
    /// assert_eq!((opts.importers.len(), opts.by), (2, vec![By::Period]));
    /// assert!(opts.imports.groups.is_empty()); // each supplier on its own
    /// ```
    pub fn new(importers: Vec<Importer>) -> Self {
        UnitValueOptions {
            importers,
            imports: ImportSelection::default(),
            by: vec![By::Period],
        }
    }
}

/// Unit values and relative unit values (see the module docs for the columns).
///
/// ```
/// use arrow_array::{cast::AsArray, types::{Float64Type, UInt32Type}};
/// use tradedep::metrics::{unit_values, Importer, UnitValueOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// let row = |partner, value, qty| TradeRow {
///     quantity: Some(qty),
///     quantity_unit: Some("u"),
///     ..TradeRow::new(2021, 643, partner, Flow::Import, "854231", value)
/// };
/// b.push(row(156, 100.0, 50.0))?; // China: 2 per unit
/// b.push(row(792, 60.0, 20.0))?; // Türkiye: 3 per unit
/// let out = unit_values(&b.finish()?, &UnitValueOptions::new(vec![Importer::country(643)]))?;
/// let col = |c: &str| out.column_by_name(c).unwrap().as_primitive::<Float64Type>().values().to_vec();
/// assert_eq!(out.column_by_name("supplier").unwrap().as_string::<i32>().value(0), "CHN");
/// assert_eq!(col("unit_value"), [2.0, 3.0]);
/// // Each against the other supplier: 2 / 3 and 3 / 2.
/// assert_eq!(col("relative_unit_value"), [2.0 / 3.0, 1.5]);
/// assert_eq!(out.column_by_name("n_others").unwrap().as_primitive::<UInt32Type>().values().to_vec(), [1, 1]);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn unit_values(table: &TradeTable, opts: &UnitValueOptions) -> Result<RecordBatch> {
    if opts.by.contains(&By::Partner) {
        return Err(Error::invalid_argument(
            "unit values are per supplier already",
            "drop \"partner\" from by",
        ));
    }
    let mut by: Vec<By> = opts.by.iter().copied().filter(|b| *b != By::Product).collect();
    by.push(By::Product);
    let time = TimeKey::from_by(&by, table.meta().freq)?;
    let monthly = table.meta().freq == Freq::Monthly;
    let suppliers = SupplierKeys::new(&opts.imports.groups)?;
    let slots = ImporterSlots::new(opts.importers.clone(), table.meta().freq)?;
    let view = ImportCube::build(table, &slots, &opts.imports, &by, Detail::Quantities, &suppliers, false)?;
    crate::metrics::coverage::refuse_empty(view.is_empty(), table, Some(&opts.importers), &opts.imports)?;
    let mut c = Cols::default();
    view.for_each_cell(|cell, items| {
        for (k, (sup, acc)) in items.iter().enumerate() {
            let (q, unit) = qty_parts(acc.qty, &view.units);
            let uv = acc.qty.unit_value().map(|u| u.0);
            let (mut ov, mut oq, mut n) = (0.0, 0.0, 0u32);
            if let Qty::Unit(u, ..) = acc.qty {
                for (j, (_, other)) in items.iter().enumerate() {
                    if let (true, Qty::Unit(ou, oqty, oval)) = (j != k, other.qty) {
                        if ou == u {
                            ov += oval;
                            oq += oqty;
                            n += 1;
                        }
                    }
                }
            }
            let others_uv = (n > 0 && oq > 0.0).then(|| ov / oq);
            c.importer.push(slots.importers[cell.importer as usize].label.clone());
            c.time.push(cell.period);
            c.months.push(acc.months);
            c.product
                .push(view.products.get(cell.product as usize).cloned().unwrap_or_default());
            let (label, code) = suppliers.label(*sup);
            c.supplier.push(label);
            c.supplier_code.push(code);
            c.value.push(acc.value);
            c.quantity.push(q);
            c.unit.push(unit);
            c.coverage.push(acc.quantity_value_share());
            c.unit_value.push(uv);
            c.others_value.push((n > 0).then_some(ov));
            c.others_quantity.push((n > 0).then_some(oq));
            c.n_others.push(n);
            c.relative.push(match (uv, others_uv) {
                (Some(a), Some(b)) if b > 0.0 => Some(a / b),
                _ => None,
            });
            c.source.push(acc.source());
            c.estimated.push(acc.n_estimated > 0);
            c.n_rows.push(acc.n_rows);
        }
        Ok(())
    })?;
    let mut cols: Vec<(Field, ArrayRef)> = vec![(
        Field::new("importer", DataType::Utf8, false),
        Arc::new(StringArray::from(c.importer)),
    )];
    cols.extend(time.columns(&c.time, &c.months, monthly));
    cols.extend([
        (
            Field::new("product", DataType::Utf8, false),
            Arc::new(StringArray::from(c.product)) as ArrayRef,
        ),
        (
            Field::new("supplier", DataType::Utf8, false),
            Arc::new(StringArray::from(c.supplier)),
        ),
        (
            Field::new("supplier_code", DataType::UInt16, true),
            Arc::new(UInt16Array::from(c.supplier_code)),
        ),
        (
            Field::new("value", DataType::Float64, false),
            Arc::new(Float64Array::from(c.value)),
        ),
        (
            Field::new("quantity", DataType::Float64, true),
            Arc::new(Float64Array::from(c.quantity)),
        ),
        (
            Field::new("quantity_unit", DataType::Utf8, true),
            Arc::new(StringArray::from(c.unit)),
        ),
        (
            Field::new("quantity_value_share", DataType::Float64, true),
            Arc::new(Float64Array::from(c.coverage)),
        ),
        (
            Field::new("unit_value", DataType::Float64, true),
            Arc::new(Float64Array::from(c.unit_value)),
        ),
        (
            Field::new("others_value", DataType::Float64, true),
            Arc::new(Float64Array::from(c.others_value)),
        ),
        (
            Field::new("others_quantity", DataType::Float64, true),
            Arc::new(Float64Array::from(c.others_quantity)),
        ),
        (
            Field::new("n_others", DataType::UInt32, false),
            Arc::new(UInt32Array::from(c.n_others)),
        ),
        (
            Field::new("relative_unit_value", DataType::Float64, true),
            Arc::new(Float64Array::from(c.relative)),
        ),
        (
            Field::new("source", DataType::Utf8, false),
            Arc::new(StringArray::from(c.source)),
        ),
        (
            Field::new("estimated", DataType::Boolean, false),
            Arc::new(BooleanArray::from(c.estimated)),
        ),
        (
            Field::new("n_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(c.n_rows)),
        ),
    ]);
    record_batch(cols, "assembling unit values")
}

#[derive(Default)]
struct Cols {
    importer: Vec<String>,
    time: Vec<i32>,
    months: Vec<u16>,
    product: Vec<String>,
    supplier: Vec<String>,
    supplier_code: Vec<Option<u16>>,
    value: Vec<f64>,
    quantity: Vec<Option<f64>>,
    unit: Vec<Option<String>>,
    coverage: Vec<Option<f64>>,
    unit_value: Vec<Option<f64>>,
    others_value: Vec<Option<f64>>,
    others_quantity: Vec<Option<f64>>,
    n_others: Vec<u32>,
    relative: Vec<Option<f64>>,
    source: Vec<&'static str>,
    estimated: Vec<bool>,
    n_rows: Vec<u64>,
}
