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
use crate::metrics::flags::cells::{product_map, ImportCells};
use crate::metrics::flags::{all3, ratio_with_reason, FlagOptions, World};
use crate::metrics::group::{Importer, ImporterSlots};
use crate::metrics::stats::hhi;
use crate::model::Freq;

type Extra = ((u32, i32, u16), f64, u64, u64);

/// The group's members by year: a mask over country codes and the sorted codes.
struct Members {
    slots: ImporterSlots,
    by_year: HashMap<i32, (Vec<bool>, Vec<u16>)>,
}

impl Members {
    fn of(&mut self, y: i32) -> Result<&(Vec<bool>, Vec<u16>)> {
        if !self.by_year.contains_key(&y) {
            let mut codes: Vec<u16> = self.slots.members(y)?.into_iter().flatten().collect();
            codes.sort_unstable();
            codes.dedup();
            let mut mask = vec![false; 1 << 16];
            codes.iter().for_each(|c| mask[*c as usize] = true);
            self.by_year.insert(y, (mask, codes));
        }
        Ok(&self.by_year[&y])
    }
}

pub(crate) fn eu2021(cells: &ImportCells, world: &World, opts: &FlagOptions) -> Result<RecordBatch> {
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
    let mut members = Members {
        slots: ImporterSlots::new(vec![group], Freq::Annual)?,
        by_year: HashMap::new(),
    };
    // Extra-group exports from the world cells: members' exports to non-members.
    let w = world.cells;
    let to_main = product_map(w, &cells.products);
    let mut exports: HashMap<(u32, i32), f64> = HashMap::new();
    for i in 0..w.len() {
        let (imp, p, y, sup) = w.key(i);
        let Some(p) = to_main[p as usize] else {
            continue;
        };
        let (m, _) = members.of(y)?;
        if m[sup as usize] && !m[imp as usize] {
            *exports.entry((p, y)).or_default() += w.value(i);
        }
    }
    // Members' imports: total per (product, year), and per extra-group supplier.
    let mut total: HashMap<(u32, i32), f64> = HashMap::new();
    // ((product, year, supplier), value, rows, mirrored rows)
    let mut extra: Vec<Extra> = vec![];
    for i in 0..cells.len() {
        let (imp, p, y, sup) = cells.key(i);
        let (m, _) = members.of(y)?;
        if m[imp as usize] {
            *total.entry((p, y)).or_default() += cells.value(i);
            if !m[sup as usize] {
                let (n, mir) = (cells.n_rows[i] as u64, cells.n_mirrored[i] as u64);
                extra.push(((p, y, sup), cells.value(i), n, mir));
            }
        }
    }
    opts.cancel.check()?;
    extra.sort_by_key(|e| e.0);
    let mut c = EuCols::default();
    let mut start = 0;
    while start < extra.len() {
        let (p, y, _) = extra[start].0;
        let mut end = start;
        // Sum each supplier's entries (one per member importer), then the group's.
        let mut values: Vec<f64> = vec![];
        let (mut value, mut n_rows, mut n_mirrored) = (0.0, 0u64, 0u64);
        while end < extra.len() && (extra[end].0 .0, extra[end].0 .1) == (p, y) {
            let e = &extra[end];
            match values.last_mut() {
                Some(v) if end > start && extra[end - 1].0 == e.0 => *v += e.1,
                _ => values.push(e.1),
            }
            value += e.1;
            n_rows += e.2;
            n_mirrored += e.3;
            end += 1;
        }
        start = end;
        let hhi = hhi(values.iter().copied());
        let tot = total.get(&(p, y)).copied().unwrap_or(0.0);
        let group = &members.of(y)?.1;
        let x = world
            .coverage
            .exports_complete(group, y, &label)
            .map(|()| exports.get(&(p, y)).copied().unwrap_or(0.0));
        let (x, r, reason) = ratio_with_reason(value, x, &label, y, world.coverage.label);
        let share = (tot > 0.0).then(|| value / tot);
        let c1 = hhi.map(|h| h > opts.hhi);
        let c2 = share.map(|s| s > opts.share);
        let c3 = r.map(|r| r > opts.ratio);
        c.year.push(y);
        c.product.push(cells.products[p as usize].as_str());
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
    }
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
struct EuCols<'a> {
    year: Vec<i32>,
    product: Vec<&'a str>,
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
