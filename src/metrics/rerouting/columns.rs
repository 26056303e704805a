//! Stage 4 of re-routing, the output: the four tables' columns (see the module docs).

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Int32Array, RecordBatch, StringArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field};

use super::window::WindowMean;
use crate::error::Result;
use crate::metrics::columns::{f64_column, record_batch};
use crate::metrics::group::Qty;
use crate::metrics::view::NO_UNIT;

/// Quantity and unit as output columns (the cube's unit names).
pub(super) fn qty_columns(q: Qty, units: &[String]) -> (Option<f64>, Option<String>) {
    crate::metrics::shares::qty_parts(q, units)
}

fn head(
    cols: &mut Vec<(Field, ArrayRef)>,
    names: (&str, &str),
    label: Vec<String>,
    code: Vec<Option<u16>>,
    product: Vec<Option<String>>,
    by_product: bool,
) {
    cols.push((
        Field::new(names.0, DataType::Utf8, false),
        Arc::new(StringArray::from(label)),
    ));
    cols.push((
        Field::new(names.1, DataType::UInt16, true),
        Arc::new(UInt16Array::from(code)),
    ));
    if by_product {
        cols.push((
            Field::new("product", DataType::Utf8, true),
            Arc::new(StringArray::from(product)),
        ));
    }
}

/// The per-period columns the flows and hub -> target tables share: `period`, `window`,
/// `value`, `gap`, `baseline_mean`, `n_baseline`, `index`, `log_change`.
#[derive(Default)]
pub(super) struct PeriodCols {
    pub period: Vec<i32>,
    pub window: Vec<Option<&'static str>>,
    pub value: Vec<Option<f64>>,
    pub gap: Vec<bool>,
    pub base: Vec<Option<f64>>,
    pub n_base: Vec<u32>,
    pub index: Vec<Option<f64>>,
    pub log: Vec<Option<f64>>,
}

impl PeriodCols {
    pub fn push(
        &mut self,
        k: i32,
        window: Option<&'static str>,
        v: Option<f64>,
        base: &WindowMean,
        (index, log): (Option<f64>, Option<f64>),
    ) {
        self.period.push(k);
        self.window.push(window);
        self.value.push(v);
        self.gap.push(v.is_none());
        self.base.push(base.mean);
        self.n_base.push(base.n);
        self.index.push(index);
        self.log.push(log);
    }

    pub fn finish(self, cols: &mut Vec<(Field, ArrayRef)>) {
        cols.push((
            Field::new("period", DataType::Int32, false),
            Arc::new(Int32Array::from(self.period)),
        ));
        cols.push((
            Field::new("window", DataType::Utf8, true),
            Arc::new(StringArray::from(self.window)),
        ));
        cols.push(f64_column("value", self.value));
        cols.push((
            Field::new("gap", DataType::Boolean, false),
            Arc::new(BooleanArray::from(self.gap)),
        ));
        cols.push(f64_column("baseline_mean", self.base));
        cols.push((
            Field::new("n_baseline", DataType::UInt32, false),
            Arc::new(UInt32Array::from(self.n_base)),
        ));
        cols.push(f64_column("index", self.index));
        cols.push(f64_column("log_change", self.log));
    }
}

#[derive(Default)]
pub(super) struct FlowCols {
    pub role: Vec<&'static str>,
    pub dest: Vec<String>,
    pub code: Vec<u16>,
    pub product: Vec<Option<String>>,
    pub series: PeriodCols,
    pub ctrl_value: Vec<Option<f64>>,
    pub ctrl_log: Vec<Option<f64>>,
    pub did: Vec<Option<f64>>,
    pub quantity: Vec<Option<f64>>,
    pub unit: Vec<Option<String>>,
    pub coverage: Vec<Option<f64>>,
    pub unit_value: Vec<Option<f64>>,
    pub base_uv: Vec<Option<f64>>,
    pub uv_index: Vec<Option<f64>>,
    pub source: Vec<Option<&'static str>>,
    pub n_rows: Vec<u64>,
}

impl FlowCols {
    pub fn finish(self, by_product: bool) -> Result<RecordBatch> {
        let mut cols: Vec<(Field, ArrayRef)> = vec![(
            Field::new("role", DataType::Utf8, false),
            Arc::new(StringArray::from(self.role)),
        )];
        head(
            &mut cols,
            ("destination", "destination_code"),
            self.dest,
            self.code.into_iter().map(Some).collect(),
            self.product,
            by_product,
        );
        self.series.finish(&mut cols);
        cols.push(f64_column("controls_value", self.ctrl_value));
        cols.push(f64_column("controls_log_change", self.ctrl_log));
        cols.push(f64_column("did", self.did));
        cols.push(f64_column("quantity", self.quantity));
        cols.push((
            Field::new("quantity_unit", DataType::Utf8, true),
            Arc::new(StringArray::from(self.unit)),
        ));
        cols.push(f64_column("quantity_value_share", self.coverage));
        cols.push(f64_column("unit_value", self.unit_value));
        cols.push(f64_column("baseline_unit_value", self.base_uv));
        cols.push(f64_column("unit_value_index", self.uv_index));
        cols.push((
            Field::new("source", DataType::Utf8, true),
            Arc::new(StringArray::from(self.source)),
        ));
        cols.push((
            Field::new("n_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(self.n_rows)),
        ));
        record_batch(cols, "assembling re-routing flows")
    }
}

#[derive(Default)]
pub(super) struct SummaryCols {
    pub role: Vec<&'static str>,
    pub dest: Vec<String>,
    pub code: Vec<Option<u16>>,
    pub product: Vec<Option<String>>,
    pub base: Vec<Option<f64>>,
    pub n_base: Vec<u32>,
    pub after: Vec<Option<f64>>,
    pub n_after: Vec<u32>,
    pub index: Vec<Option<f64>>,
    pub log: Vec<Option<f64>>,
    pub ctrl_log: Vec<Option<f64>>,
    pub did: Vec<Option<f64>>,
    pub unit: Vec<Option<String>>,
    pub base_uv: Vec<Option<f64>>,
    pub after_uv: Vec<Option<f64>>,
    pub uv_index: Vec<Option<f64>>,
}

impl SummaryCols {
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        role: &'static str,
        dest: String,
        code: Option<u16>,
        product: Option<&str>,
        base: &WindowMean,
        after: &WindowMean,
        index: Option<f64>,
        log: Option<f64>,
        ctrl_log: Option<f64>,
        did: Option<f64>,
        units: &[String],
    ) {
        self.role.push(role);
        self.dest.push(dest);
        self.code.push(code);
        self.product.push(product.map(str::to_string));
        self.base.push(base.mean);
        self.n_base.push(base.n);
        self.after.push(after.mean);
        self.n_after.push(after.n);
        self.index.push(index);
        self.log.push(log);
        self.ctrl_log.push(ctrl_log);
        self.did.push(did);
        let same = match (base.unit_value, after.unit_value) {
            (Some((b, ub)), Some((a, ua))) if ub == ua && b > 0.0 => Some(100.0 * a / b),
            _ => None,
        };
        let unit = if base.mixed || after.mixed {
            Some("mixed".to_string())
        } else {
            base.unit_value
                .or(after.unit_value)
                .map(|(_, u)| u)
                .filter(|u| *u != NO_UNIT)
                .and_then(|u| units.get(u as usize).cloned())
        };
        self.unit.push(unit);
        self.base_uv.push(base.unit_value.map(|u| u.0));
        self.after_uv.push(after.unit_value.map(|u| u.0));
        self.uv_index.push(same);
    }

    pub fn finish(self, by_product: bool) -> Result<RecordBatch> {
        let mut cols: Vec<(Field, ArrayRef)> = vec![(
            Field::new("role", DataType::Utf8, false),
            Arc::new(StringArray::from(self.role)),
        )];
        head(
            &mut cols,
            ("destination", "destination_code"),
            self.dest,
            self.code,
            self.product,
            by_product,
        );
        cols.push(f64_column("baseline_mean", self.base));
        cols.push((
            Field::new("n_baseline", DataType::UInt32, false),
            Arc::new(UInt32Array::from(self.n_base)),
        ));
        cols.push(f64_column("after_mean", self.after));
        cols.push((
            Field::new("n_after", DataType::UInt32, false),
            Arc::new(UInt32Array::from(self.n_after)),
        ));
        cols.push(f64_column("index", self.index));
        cols.push(f64_column("log_change", self.log));
        cols.push(f64_column("controls_log_change", self.ctrl_log));
        cols.push(f64_column("did", self.did));
        cols.push((
            Field::new("quantity_unit", DataType::Utf8, true),
            Arc::new(StringArray::from(self.unit)),
        ));
        cols.push(f64_column("baseline_unit_value", self.base_uv));
        cols.push(f64_column("after_unit_value", self.after_uv));
        cols.push(f64_column("unit_value_index", self.uv_index));
        record_batch(cols, "assembling re-routing summary")
    }
}

#[derive(Default)]
pub(super) struct HubTargetCols {
    pub hub: Vec<String>,
    pub code: Vec<u16>,
    pub product: Vec<Option<String>>,
    pub series: PeriodCols,
    pub source: Vec<Option<&'static str>>,
    pub n_rows: Vec<u64>,
}

impl HubTargetCols {
    pub fn finish(self, by_product: bool) -> Result<RecordBatch> {
        let mut cols = vec![];
        head(
            &mut cols,
            ("hub", "hub_code"),
            self.hub,
            self.code.into_iter().map(Some).collect(),
            self.product,
            by_product,
        );
        self.series.finish(&mut cols);
        cols.push((
            Field::new("source", DataType::Utf8, true),
            Arc::new(StringArray::from(self.source)),
        ));
        cols.push((
            Field::new("n_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(self.n_rows)),
        ));
        record_batch(cols, "assembling re-routing hub -> target exports")
    }
}

#[derive(Default)]
pub(super) struct GhostCols {
    pub hub: Vec<String>,
    pub code: Vec<u16>,
    pub product: Vec<Option<String>>,
    pub period: Vec<i32>,
    pub x: Vec<Option<f64>>,
    pub m: Vec<Option<f64>>,
    pub m_fob: Vec<Option<f64>>,
    pub ghost: Vec<Option<f64>>,
    pub share: Vec<Option<f64>>,
    pub hub_reported: Vec<bool>,
    pub nx: Vec<u64>,
    pub nm: Vec<u64>,
}

impl GhostCols {
    pub fn finish(self, by_product: bool) -> Result<RecordBatch> {
        let mut cols = vec![];
        head(
            &mut cols,
            ("hub", "hub_code"),
            self.hub,
            self.code.into_iter().map(Some).collect(),
            self.product,
            by_product,
        );
        cols.push((
            Field::new("period", DataType::Int32, false),
            Arc::new(Int32Array::from(self.period)),
        ));
        cols.push(f64_column("exports_reported", self.x));
        cols.push(f64_column("imports_reported", self.m));
        cols.push(f64_column("imports_fob", self.m_fob));
        cols.push(f64_column("ghost", self.ghost));
        cols.push(f64_column("ghost_share", self.share));
        cols.push((
            Field::new("hub_reported", DataType::Boolean, false),
            Arc::new(BooleanArray::from(self.hub_reported)),
        ));
        cols.push((
            Field::new("n_export_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(self.nx)),
        ));
        cols.push((
            Field::new("n_import_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(self.nm)),
        ));
        record_batch(cols, "assembling re-routing ghost trade")
    }
}
