//! The Comext reader's kept trades as the canonical table, built column by column in one pass:
//! product keys are the reader's own product indices (numbered in order of first kept row, as
//! the row builder would number them), cut into batches of 65,536 rows sharing one dictionary.
//! No string is hashed per row (the row builder looks every product and unit up by its text).

use std::sync::Arc;

use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::UInt16Array;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int8Array, RecordBatch, StringArray,
};

use super::{Acc, Key};
use crate::error::{Error, Result};
use crate::model::builder::fixed_dict;
use crate::model::{canonical_schema, Flow, ReadReport, TableMeta, TradeTable, ValueBasis};

/// Rows per batch, as the row builder cuts them.
const BATCH_ROWS: usize = 65_536;

/// The table of `trades` (products by index into `products`, supplementary units into `units`,
/// fewer than 127 of them).
pub(super) fn from_trades(
    source: &str,
    meta: TableMeta,
    mut report: ReadReport,
    trades: &[(Key, Acc)],
    products: &[String],
    units: &[String],
) -> Result<TradeTable> {
    let n = trades.len();
    let mut period = Vec::with_capacity(n);
    let mut reporter = Vec::with_capacity(n);
    let mut partner = Vec::with_capacity(n);
    let mut flow: Vec<i8> = Vec::with_capacity(n);
    let mut product = Vec::with_capacity(n);
    let mut value = Vec::with_capacity(n);
    let mut basis: Vec<i8> = Vec::with_capacity(n);
    let mut quantity = Vec::with_capacity(n);
    let mut unit = Vec::with_capacity(n);
    let mut weight = Vec::with_capacity(n);
    for ((p, r, q, f, pid), acc) in trades {
        period.push(*p);
        reporter.push(*r);
        partner.push(*q);
        flow.push(*f as i8);
        product.push(*pid as i32);
        value.push(acc.value);
        let b = if *f == Flow::Import {
            ValueBasis::Cif
        } else {
            ValueBasis::Fob
        };
        basis.push(b as i8);
        quantity.push(acc.supp.map(|(q, _)| q));
        unit.push(acc.supp.map(|(_, u)| u as i8));
        weight.push(acc.kg);
    }
    let products: ArrayRef = Arc::new(StringArray::from_iter_values(products));
    let units: Vec<&str> = units.iter().map(String::as_str).collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(period)),
        Arc::new(UInt16Array::from(reporter)),
        Arc::new(UInt16Array::from(partner)),
        dict(flow, &Flow::DICTIONARY)?,
        Arc::new(
            DictionaryArray::<Int32Type>::try_new(Int32Array::from(product), products)
                .map_err(|e| Error::arrow("building product column", e))?,
        ),
        Arc::new(Float64Array::from(value)),
        dict(basis, &ValueBasis::DICTIONARY)?,
        Arc::new(Float64Array::from(quantity)),
        fixed_dict(unit, &units),
        Arc::new(Float64Array::from(weight)),
        Arc::new(BooleanArray::from(vec![false; n])),
        dict(vec![0; n], &[source])?,
    ];
    let all = RecordBatch::try_new(canonical_schema(&meta), columns)
        .map_err(|e| Error::arrow("assembling a trade batch", e))?;
    let batches: Vec<RecordBatch> = (0..n)
        .step_by(BATCH_ROWS)
        .map(|at| all.slice(at, BATCH_ROWS.min(n - at)))
        .collect();
    report.rows_kept = n as u64;
    if report.rows_read < report.rows_kept + report.rows_set_aside() {
        report.rows_read = report.rows_kept + report.rows_set_aside();
    }
    TradeTable::from_batches(batches, meta, report)
}

/// A dictionary column of `keys` (every row has one) into `values`.
fn dict(keys: Vec<i8>, values: &[&str]) -> Result<ArrayRef> {
    let values = Arc::new(StringArray::from(values.to_vec()));
    DictionaryArray::<Int8Type>::try_new(Int8Array::from(keys), values)
        .map(|d| Arc::new(d) as ArrayRef)
        .map_err(|e| Error::arrow("building a dictionary column", e))
}

#[cfg(test)]
mod tests {
    use arrow_array::Array;
    use arrow_schema::DataType;

    use super::*;
    use crate::model::{Freq, TradeTableBuilder, Vintage};

    fn decoded(t: &TradeTable) -> Vec<ArrayRef> {
        let b = arrow_select::concat::concat_batches(&t.schema(), t.batches()).unwrap();
        b.columns()
            .iter()
            .map(|c| match c.data_type() {
                DataType::Dictionary(..) => arrow_cast::cast(c, &DataType::Utf8).unwrap(),
                _ => c.clone(),
            })
            .collect()
    }

    /// The columns built here equal the row builder's (the reader's path before), row for row.
    #[test]
    fn from_trades_equals_the_row_builder() {
        let products: Vec<String> = ["01012100", "85423190", "8471", "27090010"].map(String::from).to_vec();
        let units: Vec<String> = ["supp_unit:NAR", "supp_unit:LTR"].map(String::from).to_vec();
        let trades: Vec<(Key, Acc)> = (0..150_000u32)
            .map(|i| {
                let flow = if i % 3 == 0 { Flow::Import } else { Flow::Export };
                let key = (
                    202001 + (i % 12) as i32,
                    276,
                    [643, 398, 268][(i % 3) as usize],
                    flow,
                    i % 4,
                );
                let acc = Acc {
                    line: u64::from(i) + 2,
                    value: f64::from(i) * 1.5,
                    kg: (i % 5 != 0).then_some(f64::from(i)),
                    supp: (i % 7 != 0).then_some((f64::from(i) / 3.0, (i % 2) as u16)),
                    parts: 1,
                    has_total_regime: false,
                };
                (key, acc)
            })
            .collect();
        let meta = TableMeta::new(Freq::Monthly, "EUR", Some(Vintage::Cn(2020)));
        let mut report = ReadReport::new("f.csv");
        report.rows_read = trades.len() as u64 + 3;
        report.set_aside("x", 5, || "y".into());
        let fast = from_trades("f.csv", meta.clone(), report.clone(), &trades, &products, &units).unwrap();
        let mut b = TradeTableBuilder::new("f.csv", meta);
        *b.report_mut() = report;
        for (key, acc) in &trades {
            b.push(super::super::trade_row(key, acc, &products, &units)).unwrap();
        }
        let slow = b.finish().unwrap();
        assert_eq!(fast.report(), slow.report());
        assert_eq!(fast.meta(), slow.meta());
        assert_eq!(fast.num_rows(), slow.num_rows());
        for (i, (a, b)) in decoded(&fast).iter().zip(decoded(&slow)).enumerate() {
            assert_eq!(a.as_ref(), b.as_ref(), "column {i}");
        }
    }
}
