//! One panel of an importer's imports from several sources (GACC, Comext, Comtrade, BACI ...).
//!
//! Each source gives the importer's imports as its exporters' exports to it (flagged
//! `estimated`, FOB) and, if any, the importer's own reported imports. Rows are summed per
//! source, period, exporter and HS6 code (codes cut to their first `digits`); where several
//! sources give the same exporter, period and product, the source listed first keeps its row and
//! the others are set aside (counted in [`ImportPanel::overlaps`]), never both. The sources must
//! share frequency, currency and HS edition (the Python layer converts currencies and editions
//! first). [`ImportPanel::missing`] lists, per period of a complete calendar, the expected
//! partners without a row.
//!
//! Output columns: `overlaps`: source, rows, value (rows set aside for a source of higher
//! priority); `missing`: period, n_missing, missing (list of codes).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, UInt16Builder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int8Type, UInt16Type};
use arrow_array::{Array, Int32Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field};

use super::columns::{f64_column, record_batch, Column};
use super::time::Calendar;
use crate::error::{Error, Result};
use crate::model::{Flow, TableMeta, TradeRow, TradeTable, TradeTableBuilder, ValueBasis, Vintage};

/// Options of [`import_panel`].
///
/// ```
/// use tradedep::metrics::{import_panel, PanelOptions};
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder, Vintage};
/// let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
/// b.push(TradeRow::new(2023, 792, 643, Flow::Export, "854231", 30.0))?;
/// b.push(TradeRow::new(2023, 156, 643, Flow::Export, "854231", 100.0))?;
/// b.push(TradeRow::new(2023, 156, 398, Flow::Export, "854231", 5.0))?; // to Kazakhstan: not Russia's imports
/// let opts = PanelOptions { importer: 643, vintage: Vintage::Hs(2022), expected: None };
/// let p = import_panel(&[("comtrade".into(), b.finish()?)], &opts)?;
/// assert_eq!(p.expected, [156, 792]); // every exporter seen, when none are given
/// assert_eq!(p.table.num_rows(), 2);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PanelOptions {
    pub importer: u16,
    /// HS edition of the panel (`Vintage::Hs(2022)`); every source must be built on it.
    pub vintage: Vintage,
    /// Partners each period should have; `None`: every exporter seen in the panel.
    pub expected: Option<Vec<u16>>,
}

/// The panel, what was set aside for priority, and the gaps.
///
/// ```
/// use arrow_array::{cast::AsArray, types::{Int32Type, UInt64Type}};
/// use tradedep::metrics::{import_panel, PanelOptions};
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTable, TradeTableBuilder, Vintage};
/// let table = |rows: &[(u16, u16, Flow, f64)]| -> tradedep::Result<TradeTable> {
///     let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
///     for (reporter, partner, flow, v) in rows {
///         b.push(TradeRow::new(2023, *reporter, *partner, *flow, "854231", *v))?;
///     }
///     b.finish()
/// };
/// // China's customs report exports to Russia; Comtrade holds Russia's partners' exports too.
/// let gacc = table(&[(156, 643, Flow::Export, 100.0)])?;
/// let comtrade = table(&[(156, 643, Flow::Export, 120.0), (792, 643, Flow::Export, 30.0)])?;
/// let opts = PanelOptions { importer: 643, vintage: Vintage::Hs(2022), expected: Some(vec![156, 792, 344]) };
/// let p = import_panel(&[("gacc".into(), gacc), ("comtrade".into(), comtrade)], &opts)?;
/// assert_eq!(p.table.num_rows(), 2); // China from GACC (listed first), Turkey from Comtrade
/// // One row per source: nothing set aside from GACC, Comtrade's China row from Comtrade.
/// let set_aside = p.overlaps.column_by_name("rows").unwrap().as_primitive::<UInt64Type>();
/// assert_eq!(set_aside.values(), &[0, 1]);
/// let n_missing = p.missing.column_by_name("n_missing").unwrap();
/// assert_eq!(n_missing.as_primitive::<Int32Type>().value(0), 1); // Hong Kong (344)
/// assert_eq!(p.expected.len(), 3);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImportPanel {
    /// Reporter = importer, partner = exporter, flow import, `source` = the source's name.
    pub table: TradeTable,
    pub overlaps: RecordBatch,
    pub missing: RecordBatch,
    /// The expected partners (given or seen).
    pub expected: Vec<u16>,
    pub notes: Vec<String>,
}

/// One summed cell of one source.
#[derive(Debug, Clone, Default)]
struct Cell {
    value: f64,
    weight: Option<f64>,
    rows: u64,
    estimated: bool,
    basis: Option<ValueBasis>,
}

type Key = (i32, u16, String);

/// Builds the panel from `(name, table)` pairs in order of priority (first highest).
///
/// ```
/// use tradedep::metrics::{import_panel, PanelOptions};
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder, Vintage};
/// let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
/// b.push(TradeRow::new(2023, 156, 643, Flow::Export, "854231", 1.0))?;
/// let opts = PanelOptions { importer: 643, vintage: Vintage::Hs(2022), expected: None };
/// assert!(import_panel(&[("hs2017".into(), b.finish()?)], &opts).is_err()); // another HS edition
/// assert!(import_panel(&[], &opts).is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn import_panel(sources: &[(String, TradeTable)], opts: &PanelOptions) -> Result<ImportPanel> {
    let Some((_, first)) = sources.first() else {
        return Err(Error::invalid_argument("no sources", "pass at least one (name, table)"));
    };
    let meta0 = first.meta().clone();
    let target = opts.vintage.hs_base();
    for (name, t) in sources {
        let m = t.meta();
        if m.freq != meta0.freq || m.currency != meta0.currency {
            return Err(Error::invalid_argument(
                format!(
                    "source {name:?} is {} {}, the first source {} {}",
                    m.freq.as_str(),
                    m.currency,
                    meta0.freq.as_str(),
                    meta0.currency
                ),
                "convert every source to one currency (to_currency) and give one frequency",
            ));
        }
        if !m.covers_importer(opts.importer) {
            return Err(Error::invalid_argument(
                format!(
                    "source {name:?} does not cover importer {}: it was {}",
                    crate::metrics::country_label(opts.importer),
                    m.restriction().unwrap_or_default()
                ),
                "read that source again with the panel's importer among importers= (or without importers=)",
            ));
        }
        if m.vintage.map(|v| v.hs_base()) != Some(target) {
            return Err(Error::invalid_argument(
                format!(
                    "source {name:?} is in {}, the panel in {target}",
                    m.vintage
                        .map(|v| v.name())
                        .unwrap_or_else(|| "an undeclared nomenclature".into())
                ),
                "convert it to the panel's HS edition first (td.convert), or declare its vintage",
            ));
        }
    }
    let mut cells: BTreeMap<Key, Vec<(usize, Cell)>> = BTreeMap::new();
    let mut notes = vec![];
    for (rank, (name, t)) in sources.iter().enumerate() {
        let mut mine: BTreeMap<Key, Cell> = BTreeMap::new();
        let (mut short, mut short_value) = (0u64, 0.0);
        for b in t.batches() {
            let period = b.column(0).as_primitive::<Int32Type>();
            let reporter = b.column(1).as_primitive::<UInt16Type>();
            let partner = b.column(2).as_primitive::<UInt16Type>();
            let flow = b.column(3).as_dictionary::<Int8Type>().keys();
            let product = b.column(4).as_dictionary::<Int32Type>();
            let codes = product.values().as_string::<i32>();
            let value = b.column(5).as_primitive::<Float64Type>();
            let basis = b.column(6).as_dictionary::<Int8Type>().keys();
            let weight = b.column(9).as_primitive::<Float64Type>();
            for i in 0..b.num_rows() {
                let (exporter, estimated, row_basis) = match Flow::from_key(flow.value(i)) {
                    Some(Flow::Export) if partner.value(i) == opts.importer => {
                        (reporter.value(i), true, Some(ValueBasis::Fob))
                    }
                    Some(Flow::Import) if reporter.value(i) == opts.importer => {
                        let b = basis
                            .is_valid(i)
                            .then(|| ValueBasis::from_key(basis.value(i)))
                            .flatten();
                        (partner.value(i), false, b)
                    }
                    _ => continue,
                };
                let code = codes.value(product.keys().value(i) as usize);
                if code.len() < 6 {
                    short += 1;
                    short_value += value.value(i);
                    continue;
                }
                let c = mine
                    .entry((period.value(i), exporter, code[..6].to_string()))
                    .or_insert_with(|| Cell {
                        estimated: true,
                        basis: row_basis,
                        ..Default::default()
                    });
                c.value += value.value(i);
                if weight.is_valid(i) {
                    c.weight = Some(c.weight.unwrap_or(0.0) + weight.value(i));
                }
                c.rows += 1;
                c.estimated &= estimated;
                if c.basis != row_basis {
                    c.basis = None;
                }
            }
        }
        if short > 0 {
            notes.push(format!(
                "{name}: {short} rows of codes shorter than six digits set aside (aggregates; value {short_value:.0} {})",
                meta0.currency
            ));
        }
        if mine.is_empty() {
            notes.push(format!("{name}: no exports to {} and no imports of it", opts.importer));
        }
        for (k, c) in mine {
            cells.entry(k).or_default().push((rank, c));
        }
    }
    // Priority: the first source of each cell keeps it.
    // The panel holds flows into the importer only, and says so: metrics on it refuse others.
    let meta = TableMeta::new(meta0.freq, &meta0.currency, Some(target)).with_importers(Some(vec![opts.importer]));
    let mut builders: Vec<TradeTableBuilder> = sources
        .iter()
        .map(|(name, _)| TradeTableBuilder::new(name, meta.clone()))
        .collect();
    let mut dropped = vec![(0u64, 0.0f64); sources.len()];
    let mut seen: BTreeMap<i32, BTreeSet<u16>> = BTreeMap::new();
    for ((period, exporter, product), mut list) in cells {
        list.sort_by_key(|(rank, _)| *rank);
        let (rank, c) = &list[0];
        for (r, other) in &list[1..] {
            dropped[*r].0 += 1;
            dropped[*r].1 += other.value;
            let report = builders[*r].report_mut();
            report.rows_read += other.rows;
            report.set_aside_many("flow given by a source of higher priority", other.rows);
        }
        let mut row = TradeRow::new(period, opts.importer, exporter, Flow::Import, &product, c.value);
        row.net_weight_kg = c.weight;
        row.estimated = c.estimated;
        row.value_basis = c.basis;
        let report = builders[*rank].report_mut();
        report.rows_read += c.rows;
        report.set_aside_many("summed into one exporter-period-HS6 cell", c.rows - 1);
        builders[*rank].push(row)?;
        seen.entry(period).or_default().insert(exporter);
    }
    let n_dropped: u64 = dropped.iter().map(|d| d.0).sum();
    if n_dropped > 0 {
        let names: Vec<&str> = sources.iter().map(|(n, _)| n.as_str()).collect();
        notes.push(format!(
            "{n_dropped} exporter-period-product cells given by several sources: kept the first of {}, set aside {:.0} {}",
            names.join(" > "),
            dropped.iter().map(|d| d.1).sum::<f64>(),
            meta0.currency
        ));
    }
    let tables: Vec<TradeTable> = builders
        .into_iter()
        .map(|b| b.finish())
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|t| t.num_rows() > 0)
        .collect();
    if tables.is_empty() {
        return Err(Error::invalid_argument(
            format!("no source has trade of importer {}", opts.importer),
            "pass tables holding exports to the importer or its imports",
        ));
    }
    let table = TradeTable::concat(tables)?;
    let overlaps = record_batch(
        vec![
            (
                Field::new("source", DataType::Utf8, false),
                Arc::new(StringArray::from_iter_values(sources.iter().map(|(n, _)| n.as_str()))),
            ),
            (
                Field::new("rows", DataType::UInt64, false),
                Arc::new(UInt64Array::from_iter_values(dropped.iter().map(|d| d.0))),
            ),
            f64_column("value", dropped.iter().map(|d| Some(d.1)).collect()),
        ],
        "panel overlaps",
    )?;
    let expected: Vec<u16> = match &opts.expected {
        Some(e) => e.iter().copied().collect::<BTreeSet<_>>().into_iter().collect(),
        None => seen
            .values()
            .flatten()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    let (lo, hi) = (*seen.keys().next().unwrap_or(&0), *seen.keys().last().unwrap_or(&0));
    let periods = Calendar::of_table(meta0.freq).span(lo, hi);
    let mut list = ListBuilder::new(UInt16Builder::new());
    let (mut n_missing, mut gaps) = (vec![], 0);
    let empty = BTreeSet::new();
    for p in &periods {
        let have = seen.get(p).unwrap_or(&empty);
        let miss: Vec<u16> = expected.iter().copied().filter(|c| !have.contains(c)).collect();
        gaps += usize::from(!miss.is_empty());
        n_missing.push(miss.len() as i32);
        list.append_value(miss.into_iter().map(Some));
    }
    let missing_list = list.finish();
    let cols: Vec<Column> = vec![
        (
            Field::new("period", DataType::Int32, false),
            Arc::new(Int32Array::from(periods.clone())),
        ),
        (
            Field::new("n_missing", DataType::Int32, false),
            Arc::new(Int32Array::from(n_missing)),
        ),
        (
            Field::new("missing", missing_list.data_type().clone(), false),
            Arc::new(missing_list),
        ),
    ];
    let missing = record_batch(cols, "panel missing partners")?;
    notes.push(format!(
        "{gaps} of {} periods lack at least one of {} expected partners ({})",
        periods.len(),
        expected.len(),
        if opts.expected.is_some() {
            "the partners given"
        } else {
            "the union of exporters seen"
        }
    ));
    Ok(ImportPanel {
        table,
        overlaps,
        missing,
        expected,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Freq;

    fn table(cur: &str, v: Vintage, rows: &[(i32, u16, u16, Flow, &str, f64)]) -> TradeTable {
        let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Monthly, cur, Some(v)));
        for (p, r, q, f, code, value) in rows {
            b.push(TradeRow::new(*p, *r, *q, *f, code, *value)).unwrap();
        }
        b.finish().unwrap()
    }

    #[test]
    fn first_source_wins_each_cell_and_gaps_are_listed() {
        let gacc = table(
            "USD",
            Vintage::China(2023),
            &[
                (202301, 156, 643, Flow::Export, "85423190", 10.0),
                (202301, 156, 643, Flow::Export, "85423110", 5.0),
            ],
        );
        let ct = table(
            "USD",
            Vintage::Hs(2022),
            &[
                (202301, 156, 643, Flow::Export, "854231", 99.0),
                (202301, 398, 643, Flow::Export, "854231", 3.0),
                (202302, 398, 643, Flow::Export, "854231", 4.0),
                (202302, 643, 112, Flow::Import, "854231", 2.0),
            ],
        );
        let opts = PanelOptions {
            importer: 643,
            vintage: Vintage::Hs(2022),
            expected: None,
        };
        let p = import_panel(&[("gacc".into(), gacc), ("ct".into(), ct)], &opts).unwrap();
        assert_eq!(p.table.num_rows(), 4);
        let mut total = 0.0;
        for b in p.table.batches() {
            total += b.column(5).as_primitive::<Float64Type>().values().iter().sum::<f64>();
        }
        assert_eq!(total, 15.0 + 3.0 + 4.0 + 2.0);
        assert!(p.table.report().is_balanced());
        let rows = p.overlaps.column(1).as_primitive::<arrow_array::types::UInt64Type>();
        assert_eq!((rows.value(0), rows.value(1)), (0, 1));
        assert_eq!(p.expected, vec![112, 156, 398]);
        let n = p.missing.column(1).as_primitive::<Int32Type>();
        assert_eq!((n.value(0), n.value(1)), (1, 1)); // January lacks 112, February 156
        let other = table(
            "EUR",
            Vintage::Hs(2022),
            &[(202301, 276, 643, Flow::Export, "854231", 1.0)],
        );
        let e = import_panel(&[("a".into(), p.table.clone()), ("eu".into(), other)], &opts).unwrap_err();
        assert!(e.to_string().contains("EUR"), "{e}");
    }
}
