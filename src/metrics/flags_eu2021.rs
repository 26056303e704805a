//! The EU 2021 strategic-dependency criteria (SWD(2021) 352) for an importer group, the
//! `method = eu2021` half of [`dependency_flags`](crate::metrics::dependency_flags) (columns in
//! the [`flags`](crate::metrics::flags) module docs). The group's exports to non-members come
//! from the world table, and the ratio is null with the reason where it does not hold them.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field};
use hashbrown::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::flags::{all3, ratio_with_reason, year_of, FlagOptions, World};
use crate::metrics::group::{Acc, Importer, ImporterSlots};
use crate::metrics::stats::Concentration;
use crate::metrics::view::ImportView;
use crate::model::{Freq, TradeTable};

pub(crate) fn eu2021(table: &TradeTable, view: &ImportView, world: &World, opts: &FlagOptions) -> Result<RecordBatch> {
    let freq = table.meta().freq;
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
    let slots = ImporterSlots::new(vec![group], Freq::Annual)?;
    let mut members: HashMap<i32, HashSet<u16>> = HashMap::new();
    // (product, year) -> extra-group supplier sums, total imports, extra exports.
    let mut extra: BTreeMap<(u32, i32), HashMap<u16, Acc>> = BTreeMap::new();
    let mut total: HashMap<(u32, i32), f64> = HashMap::new();
    let member_of = |y: i32, members: &mut HashMap<i32, HashSet<u16>>| -> Result<()> {
        if !members.contains_key(&y) {
            let m: HashSet<u16> = slots.members(y)?.into_iter().flatten().collect();
            members.insert(y, m);
        }
        Ok(())
    };
    // Extra-group exports from the world table: members' exports to non-members.
    let ids: HashMap<&str, u32> = view
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i as u32))
        .collect();
    let w = world.view;
    let to_main: Vec<Option<u32>> = w.products.iter().map(|p| ids.get(p.as_str()).copied()).collect();
    let mut exports: HashMap<(u32, i32), f64> = HashMap::new();
    for i in 0..w.len() {
        let Some(p) = to_main[w.product[i] as usize] else {
            continue;
        };
        let y = year_of(w.period[i], world.freq);
        member_of(y, &mut members)?;
        let m = &members[&y];
        if m.contains(&w.supplier[i]) && !m.contains(&w.importer[i]) {
            *exports.entry((p, y)).or_default() += w.value[i];
        }
    }
    for i in 0..view.len() {
        let y = year_of(view.period[i], freq);
        member_of(y, &mut members)?;
        let m = &members[&y];
        let (imp_in, sup_in) = (m.contains(&view.importer[i]), m.contains(&view.supplier[i]));
        let key = (view.product[i], y);
        if imp_in {
            *total.entry(key).or_default() += view.value[i];
            if !sup_in {
                extra
                    .entry(key)
                    .or_default()
                    .entry(view.supplier[i])
                    .or_default()
                    .add(view, i, false, 0);
            }
        }
    }
    let mut c = EuCols::default();
    for ((p, y), sup) in &extra {
        let mut acc = Acc::default();
        let values: Vec<f64> = sup
            .values()
            .map(|a| {
                acc.merge(a);
                a.value
            })
            .collect();
        let hhi = Concentration::of(&values, 1).map(|s| s.hhi);
        let tot = total.get(&(*p, *y)).copied().unwrap_or(0.0);
        let mut group: Vec<u16> = members.get(y).map(|m| m.iter().copied().collect()).unwrap_or_default();
        group.sort_unstable();
        let x = world
            .coverage
            .exports_complete(&group, *y, &label)
            .map(|()| exports.get(&(*p, *y)).copied().unwrap_or(0.0));
        let (x, r, reason) = ratio_with_reason(acc.value, x, &label, *y, world.coverage.label);
        let share = (tot > 0.0).then(|| acc.value / tot);
        let c1 = hhi.map(|h| h > opts.hhi);
        let c2 = share.map(|s| s > opts.share);
        let c3 = r.map(|r| r > opts.ratio);
        c.year.push(*y);
        c.product.push(view.products[*p as usize].clone());
        c.extra.push(acc.value);
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
        c.source.push(acc.source());
        c.n_rows.push(acc.n_rows);
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
