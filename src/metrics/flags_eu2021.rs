//! The EU 2021 strategic-dependency criteria (SWD(2021) 352) for an importer group, the
//! `method = eu2021` half of [`dependency_flags`](crate::metrics::dependency_flags) (columns in
//! the [`flags`](crate::metrics::flags) module docs). The group's exports to non-members come
//! from the world table, and the ratio is null with the reason where it does not hold them.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field};
use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::cube::{Detail, ImportCube};
use crate::metrics::flags::{all3, ratio_with_reason, FlagOptions};
use crate::metrics::group::{Importer, ImporterSlots, SupplierKeys};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::By;
use crate::metrics::stats::hhi;
use crate::metrics::view::Source;
use crate::metrics::world::WorldCoverage;
use crate::model::{Freq, TradeTable};

/// The group's members by year, sorted, and a mask over country codes.
#[derive(Default)]
struct Members {
    by_year: HashMap<i32, (Vec<u16>, Vec<bool>)>,
}

impl Members {
    fn of(&mut self, slots: &ImporterSlots, year: i32) -> Result<&(Vec<u16>, Vec<bool>)> {
        if !self.by_year.contains_key(&year) {
            let mut codes: Vec<u16> = slots.members(year)?.into_iter().flatten().collect();
            codes.sort_unstable();
            codes.dedup();
            let mut mask = vec![false; 1 << 16];
            codes.iter().for_each(|c| mask[*c as usize] = true);
            self.by_year.insert(year, (codes, mask));
        }
        Ok(&self.by_year[&year])
    }
}

/// The EU 2021 criteria for the group of `opts.importers` (EU27 by default), its exports to
/// non-members from `world` (read with source auto; `coverage` says whether it holds them).
///
/// Two import cubes, both keyed by the group's one slot, product and year: the members' imports
/// by supplier (members included, for the total; the finish leaves them out of the extra-group
/// sums) and, from `world`, the members' exports by destination (destinations outside the
/// group only). The group's members are those of each year, also on monthly tables: the
/// criteria are annual.
pub(crate) fn eu2021(
    table: &TradeTable,
    world: &TradeTable,
    coverage: &WorldCoverage,
    opts: &FlagOptions,
) -> Result<RecordBatch> {
    let group = match &opts.importers {
        None => Importer::group("EU27"),
        Some(v) if v.len() == 1 => v[0].clone(),
        Some(_) => {
            return Err(Error::invalid_argument(
                "eu2021 takes one importer group",
                "pass the group alone, e.g. EU27",
            ))
        }
    };
    let label = group.label.clone();
    // Slots of years: a monthly table's months take their year's members.
    let slots = ImporterSlots::new(vec![group], Freq::Annual)?;
    let selection = |source: Source, cif_fob: f64, include_intra_group: bool| ImportSelection {
        source,
        cif_fob,
        products: opts.products.clone(),
        groups: vec![],
        include_intra_group,
        cancel: opts.cancel.clone(),
    };
    // Extra-group exports: the members' exports to non-members, per (year, product code).
    let exports_cube = ImportCube::build_exports(
        world,
        &slots,
        &selection(Source::Auto, 1.0, false),
        &[By::Year, By::Product],
        false,
    )?;
    let mut exports: HashMap<(i32, String), f64> = HashMap::new();
    exports_cube.for_each_cell(|cell, items| {
        let value: f64 = items.iter().map(|(_, acc)| acc.value).sum();
        let code = exports_cube.products[cell.product as usize].clone();
        *exports.entry((cell.period, code)).or_default() += value;
        Ok(())
    })?;
    drop(exports_cube);
    // Members' imports by supplier, cells by product then year (the output's order).
    let cube = ImportCube::build_by_product_year(
        table,
        &slots,
        &selection(opts.source, opts.cif_fob, true),
        &SupplierKeys::new(&[])?,
        Detail::Values,
    )?;
    let mut members = Members::default();
    let mut c = EuCols::default();
    let mut values: Vec<f64> = vec![];
    cube.for_each_cell(|cell, items| {
        let y = cell.period;
        let (group, mask) = members.of(&slots, y)?;
        let tot: f64 = items.iter().map(|(_, acc)| acc.value).sum();
        values.clear();
        let (mut value, mut n_rows, mut n_mirrored) = (0.0, 0u64, 0u64);
        for (supplier, acc) in items.iter() {
            if mask[*supplier as usize] {
                continue;
            }
            values.push(acc.value);
            value += acc.value;
            n_rows += acc.n_rows;
            n_mirrored += acc.n_mirrored;
        }
        if n_rows == 0 {
            return Ok(()); // imports from members only: no extra-group row
        }
        let product = &cube.products[cell.product as usize];
        let hhi = hhi(values.iter().copied());
        let x = coverage
            .exports_complete(group, y, &label)
            .map(|()| exports.get(&(y, product.clone())).copied().unwrap_or(0.0));
        let (x, r, reason) = ratio_with_reason(value, x, &label, y, coverage.label);
        let share = (tot > 0.0).then(|| value / tot);
        let c1 = hhi.map(|h| h > opts.hhi);
        let c2 = share.map(|s| s > opts.share);
        let c3 = r.map(|r| r > opts.ratio);
        c.year.push(y);
        c.product.push(product.clone());
        c.extra.push(value);
        c.total.push(tot);
        c.exports.push(x);
        c.hhi.push(hhi);
        c.c1.push(c1);
        c.share.push(share);
        c.c2.push(c2);
        c.ratio.push(r);
        c.c3.push(c3);
        c.c3_reason.push(reason);
        c.dependent.push(all3(c1, c2, c3));
        c.source.push(crate::metrics::flags::source(n_rows, n_mirrored));
        c.n_rows.push(n_rows);
        Ok(())
    })?;
    let n = c.year.len();
    let cols: Vec<(Field, ArrayRef)> = vec![
        (
            Field::new("importer", DataType::Utf8, false),
            Arc::new(StringArray::from(vec![label.as_str(); n])),
        ),
        (
            Field::new("year", DataType::Int32, false),
            Arc::new(Int32Array::from(c.year)),
        ),
        (
            Field::new("product", DataType::Utf8, false),
            Arc::new(StringArray::from(c.product)),
        ),
        (
            Field::new("extra_imports", DataType::Float64, false),
            Arc::new(Float64Array::from(c.extra)),
        ),
        (
            Field::new("total_imports", DataType::Float64, false),
            Arc::new(Float64Array::from(c.total)),
        ),
        (
            Field::new("extra_exports", DataType::Float64, true),
            Arc::new(Float64Array::from(c.exports)),
        ),
        (
            Field::new("hhi", DataType::Float64, true),
            Arc::new(Float64Array::from(c.hhi)),
        ),
        (
            Field::new("c1", DataType::Boolean, true),
            Arc::new(BooleanArray::from(c.c1)),
        ),
        (
            Field::new("extra_share", DataType::Float64, true),
            Arc::new(Float64Array::from(c.share)),
        ),
        (
            Field::new("c2", DataType::Boolean, true),
            Arc::new(BooleanArray::from(c.c2)),
        ),
        (
            Field::new("ratio", DataType::Float64, true),
            Arc::new(Float64Array::from(c.ratio)),
        ),
        (
            Field::new("c3", DataType::Boolean, true),
            Arc::new(BooleanArray::from(c.c3)),
        ),
        (
            Field::new("c3_reason", DataType::Utf8, true),
            Arc::new(StringArray::from(c.c3_reason)),
        ),
        (
            Field::new("dependent", DataType::Boolean, true),
            Arc::new(BooleanArray::from(c.dependent)),
        ),
        (
            Field::new("source", DataType::Utf8, false),
            Arc::new(StringArray::from(c.source)),
        ),
        (
            Field::new("n_rows", DataType::UInt64, false),
            Arc::new(UInt64Array::from(c.n_rows)),
        ),
    ];
    record_batch(cols, "assembling EU 2021 flags")
}

#[derive(Default)]
struct EuCols {
    year: Vec<i32>,
    product: Vec<String>,
    extra: Vec<f64>,
    total: Vec<f64>,
    exports: Vec<Option<f64>>,
    hhi: Vec<Option<f64>>,
    c1: Vec<Option<bool>>,
    share: Vec<Option<f64>>,
    c2: Vec<Option<bool>>,
    ratio: Vec<Option<f64>>,
    c3: Vec<Option<bool>>,
    c3_reason: Vec<Option<String>>,
    dependent: Vec<Option<bool>>,
    source: Vec<&'static str>,
    n_rows: Vec<u64>,
}
