//! The RCA, ECI and PCI tables' columns (documented in the parent module), built year by year.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field};

use super::cells::YearCells;
use super::{Indices, Presence};
use crate::error::Result;
use crate::metrics::columns::record_batch;
use crate::metrics::view::country_label;

fn col(name: &str, data_type: DataType, nullable: bool, array: ArrayRef) -> (Field, ArrayRef) {
    (Field::new(name, data_type, nullable), array)
}

/// `year`, `exporter` (ISO3 label) and `exporter_code`, the keys of the RCA and ECI tables.
fn exporter_keys(year: Vec<i32>, exporter: Vec<u16>) -> Vec<(Field, ArrayRef)> {
    // Rows come in runs of one exporter: one label per run.
    let mut labels = StringBuilder::with_capacity(exporter.len(), exporter.len() * 3);
    let mut last: Option<(u16, String)> = None;
    for c in &exporter {
        if last.as_ref().map(|l| l.0) != Some(*c) {
            last = Some((*c, country_label(*c)));
        }
        labels.append_value(&last.as_ref().expect("set above").1);
    }
    vec![
        col("year", DataType::Int32, false, Arc::new(Int32Array::from(year))),
        col("exporter", DataType::Utf8, false, Arc::new(labels.finish())),
        col(
            "exporter_code",
            DataType::UInt16,
            false,
            Arc::new(UInt16Array::from(exporter)),
        ),
    ]
}

/// Product codes of the ids `ids`.
fn product_column(products: &[String], ids: &[u32]) -> (Field, ArrayRef) {
    let codes = StringArray::from_iter_values(ids.iter().map(|p| products[*p as usize].as_str()));
    col("product", DataType::Utf8, false, Arc::new(codes))
}

#[derive(Default)]
pub(super) struct RcaColumns {
    year: Vec<i32>,
    exporter: Vec<u16>,
    product: Vec<u32>,
    value: Vec<f64>,
    rca: Vec<Option<f64>>,
    m: Vec<bool>,
    n_rows: Vec<u64>,
}

impl RcaColumns {
    pub fn push_year(&mut self, year: &YearCells, rca: &[Option<f64>], threshold: f64) {
        self.year.extend(std::iter::repeat_n(year.year, rca.len()));
        self.exporter.extend_from_slice(&year.exporter);
        self.product.extend_from_slice(&year.product);
        self.value.extend_from_slice(&year.value);
        self.rca.extend_from_slice(rca);
        self.m.extend(rca.iter().map(|r| r.is_some_and(|r| r >= threshold)));
        self.n_rows.extend_from_slice(&year.n_rows);
    }

    pub fn finish(self, products: &[String]) -> Result<RecordBatch> {
        let mut cols = exporter_keys(self.year, self.exporter);
        cols.extend([
            product_column(products, &self.product),
            col(
                "value",
                DataType::Float64,
                false,
                Arc::new(Float64Array::from(self.value)),
            ),
            col("rca", DataType::Float64, true, Arc::new(Float64Array::from(self.rca))),
            col("m", DataType::Boolean, false, Arc::new(BooleanArray::from(self.m))),
            col(
                "n_rows",
                DataType::UInt64,
                false,
                Arc::new(UInt64Array::from(self.n_rows)),
            ),
        ]);
        record_batch(cols, "assembling the RCA table")
    }
}

#[derive(Default)]
pub(super) struct EciColumns {
    year: Vec<i32>,
    exporter: Vec<u16>,
    exports: Vec<f64>,
    diversity: Vec<u32>,
    eci: Vec<Option<f64>>,
}

impl EciColumns {
    pub fn push_year(&mut self, year: &YearCells, m: &Presence, ix: Option<&Indices>) {
        for (c, code) in m.exporters.iter().enumerate() {
            self.year.push(year.year);
            self.exporter.push(*code);
            self.exports.push(m.exporter_total[c]);
            self.diversity.push(m.diversity[c]);
            self.eci.push(ix.and_then(|ix| ix.eci[c]));
        }
    }

    pub fn finish(self) -> Result<RecordBatch> {
        let mut cols = exporter_keys(self.year, self.exporter);
        cols.extend([
            col(
                "exports",
                DataType::Float64,
                false,
                Arc::new(Float64Array::from(self.exports)),
            ),
            col(
                "diversity",
                DataType::UInt32,
                false,
                Arc::new(UInt32Array::from(self.diversity)),
            ),
            col("eci", DataType::Float64, true, Arc::new(Float64Array::from(self.eci))),
        ]);
        record_batch(cols, "assembling the ECI table")
    }
}

#[derive(Default)]
pub(super) struct PciColumns {
    year: Vec<i32>,
    product: Vec<u32>,
    exports: Vec<f64>,
    ubiquity: Vec<u32>,
    pci: Vec<Option<f64>>,
}

impl PciColumns {
    pub fn push_year(&mut self, year: &YearCells, m: &Presence, ix: Option<&Indices>) {
        for (p, id) in m.products.iter().enumerate() {
            self.year.push(year.year);
            self.product.push(*id);
            self.exports.push(m.product_total[p]);
            self.ubiquity.push(m.ubiquity[p]);
            self.pci.push(ix.and_then(|ix| ix.pci[p]));
        }
    }

    pub fn finish(self, products: &[String]) -> Result<RecordBatch> {
        let cols = vec![
            col("year", DataType::Int32, false, Arc::new(Int32Array::from(self.year))),
            product_column(products, &self.product),
            col(
                "exports",
                DataType::Float64,
                false,
                Arc::new(Float64Array::from(self.exports)),
            ),
            col(
                "ubiquity",
                DataType::UInt32,
                false,
                Arc::new(UInt32Array::from(self.ubiquity)),
            ),
            col("pci", DataType::Float64, true, Arc::new(Float64Array::from(self.pci))),
        ];
        record_batch(cols, "assembling the PCI table")
    }
}
