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
use crate::metrics::flags::{all3, ratio_with_reason, year_of, FlagOptions};
use crate::metrics::group::{Importer, ImporterSlots};
use crate::metrics::stats::hhi;
use crate::metrics::view::{for_each_row, Source, ViewOptions};
use crate::metrics::world::WorldCoverage;
use crate::model::{Freq, TradeTable};

type Extra = ((u32, i32, u16), f64, u64, u64);

/// The group's members by year: a mask over country codes and the sorted codes per slot.
struct Members {
    slots: ImporterSlots,
    by_year: HashMap<i32, usize>,
    masks: Vec<Vec<bool>>,
    codes: Vec<Vec<u16>>,
    /// The last year asked and its slot (rows come in runs of one year).
    last: Option<(i32, usize)>,
}

impl Members {
    fn slot(&mut self, y: i32) -> Result<usize> {
        if let Some((ly, s)) = self.last {
            if ly == y {
                return Ok(s);
            }
        }
        let s = match self.by_year.get(&y) {
            Some(s) => *s,
            None => {
                let mut codes: Vec<u16> = self.slots.members(y)?.into_iter().flatten().collect();
                codes.sort_unstable();
                codes.dedup();
                let mut mask = vec![false; 1 << 16];
                codes.iter().for_each(|c| mask[*c as usize] = true);
                self.masks.push(mask);
                self.codes.push(codes);
                self.by_year.insert(y, self.masks.len() - 1);
                self.masks.len() - 1
            }
        };
        self.last = Some((y, s));
        Ok(s)
    }
}

/// The EU 2021 criteria for the group of `opts.importers` (EU27 by default), its exports to
/// non-members from `world` (read with source auto; `coverage` says whether it holds them).
/// Two streaming passes: only the group's imports and exports are kept.
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
    let mut members = Members {
        slots: ImporterSlots::new(vec![group], Freq::Annual)?,
        by_year: HashMap::new(),
        masks: vec![],
        codes: vec![],
        last: None,
    };
    let view = |source: Source, cif_fob: f64| ViewOptions {
        source,
        cif_fob,
        products: opts.products.as_ref(),
        importers: None,
        cancel: Some(&opts.cancel),
    };
    let mut failed: Option<Error> = None;
    // Members' imports: total per (product, year), and per extra-group supplier (value, rows,
    // mirrored rows); products by first-seen id until the pass ends.
    let mut total: HashMap<(u32, i32), f64> = HashMap::new();
    let mut by_supplier: HashMap<(u32, i32, u16), (f64, u64, u64)> = HashMap::new();
    let freq = table.meta().freq;
    let names = for_each_row(table, &view(opts.source, opts.cif_fob), |r| {
        let y = year_of(r.period, freq);
        let m = match members.slot(y) {
            Ok(s) => &members.masks[s],
            Err(e) => {
                failed.get_or_insert(e);
                return;
            }
        };
        if m[r.importer as usize] {
            *total.entry((r.product, y)).or_default() += r.value;
            if !m[r.supplier as usize] {
                let e = by_supplier.entry((r.product, y, r.supplier)).or_default();
                e.0 += r.value;
                e.1 += 1;
                e.2 += r.mirrored as u64;
            }
        }
    })?;
    // Extra-group exports from the world table: members' exports to non-members.
    let mut world_x: HashMap<(u32, i32), f64> = HashMap::new();
    let wfreq = world.meta().freq;
    let world_names = for_each_row(world, &view(Source::Auto, 1.0), |r| {
        let y = year_of(r.period, wfreq);
        let m = match members.slot(y) {
            Ok(s) => &members.masks[s],
            Err(e) => {
                failed.get_or_insert(e);
                return;
            }
        };
        if m[r.supplier as usize] && !m[r.importer as usize] {
            *world_x.entry((r.product, y)).or_default() += r.value;
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    // Products in code order; world products mapped to them by code.
    let mut order: Vec<(&str, u32)> = names.iter().map(String::as_str).zip(0u32..).collect();
    order.sort_unstable();
    let mut rank = vec![0u32; order.len()];
    for (r, (_, id)) in order.iter().enumerate() {
        rank[*id as usize] = r as u32;
    }
    let ids: HashMap<&str, u32> = names.iter().map(String::as_str).zip(0u32..).collect();
    let mut exports: HashMap<(u32, i32), f64> = HashMap::new();
    for ((wp, y), v) in world_x {
        if let Some(id) = ids.get(world_names[wp as usize].as_str()) {
            *exports.entry((rank[*id as usize], y)).or_default() += v;
        }
    }
    let total: HashMap<(u32, i32), f64> = total
        .into_iter()
        .map(|((p, y), v)| ((rank[p as usize], y), v))
        .collect();
    let mut extra: Vec<Extra> = by_supplier
        .into_iter()
        .map(|((p, y, s), (v, n, m))| ((rank[p as usize], y, s), v, n, m))
        .collect();
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
        let slot = members.slot(y)?;
        let group = &members.codes[slot];
        let x = coverage
            .exports_complete(group, y, &label)
            .map(|()| exports.get(&(p, y)).copied().unwrap_or(0.0));
        let (x, r, reason) = ratio_with_reason(value, x, &label, y, coverage.label);
        let share = (tot > 0.0).then(|| value / tot);
        let c1 = hhi.map(|h| h > opts.hhi);
        let c2 = share.map(|s| s > opts.share);
        let c3 = r.map(|r| r > opts.ratio);
        c.year.push(y);
        c.product.push(order[p as usize].0);
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
