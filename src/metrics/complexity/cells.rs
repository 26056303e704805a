//! Exports summed per (year, exporter, product) cell: the aggregation under RCA and complexity.
//!
//! The rows are the import view's ([`ViewPlan`]: the one place that decides which rows are
//! exports under [`ExportSource`]), read on rayon's threads in blocks of rows
//! ([`ViewPlan::fold`]). Each row becomes
//! integer keys: year index, exporter index (country codes of the table, in code order) and
//! product at `digits` (the table's codes cut to their first digits, in code order, so the cut
//! is a lookup per dictionary code, not per row). A block sums its rows into cells indexed by
//! those keys: per (year, exporter) one row of product cells, allocated at the pair's first
//! row. A year of BACI at HS4 is about 230 x 1,250 cells, so the sums stay in cache and no
//! per-row record is kept (the import view of 11M rows was 440 MB; a sort of 11M records would
//! cost more than the sums).
//!
//! **Exactness.** Blocks are fixed runs of rows (not one per thread) and are merged in row
//! order, so a sum depends on the table only, never on the number of threads: within a block
//! rows are added in row order, then block sums in block order (a cell whose rows lie in one
//! block, as in CEPII's row order, gets the sum of a sequential pass to the bit). Counts are
//! exact.

use rayon::prelude::*;

use super::{ExportSource, RcaOptions};
use crate::error::{Error, Result};
use crate::metrics::coverage::{self, Coverage, Tally};
use crate::metrics::view::{row_units, Cols, ViewOptions, ViewPlan, ViewRow, FOLD_BLOCK_UNITS};
use crate::model::product::TOTAL;
use crate::model::{Freq, TradeTable};

/// Exports summed per (exporter, product) cell, one matrix per year.
pub(super) struct Exports {
    /// Product codes (aggregated), sorted; cells refer to them by index.
    pub products: Vec<String>,
    pub years: Vec<YearCells>,
    pub notes: Vec<String>,
    /// What the export view covers, counted in the same pass over its rows.
    pub coverage: Coverage,
}

/// One year's cells, sorted by (exporter, product).
pub(super) struct YearCells {
    pub year: i32,
    pub exporter: Vec<u16>,
    pub product: Vec<u32>,
    pub value: Vec<f64>,
    pub n_rows: Vec<u64>,
}

/// Product id of a row with product `TOTAL` (left out, counted).
const LEFT_TOTAL: u32 = u32::MAX;
/// Product id of a row whose code is shorter than `digits` (left out, counted).
const LEFT_SHORT: u32 = u32::MAX - 1;

/// One cell's sums.
#[derive(Clone, Copy, Default)]
struct Cell {
    value: f64,
    n_rows: u64,
}

/// What the scan needs to key a row.
struct Keys {
    /// Distinct years of the table's periods, sorted.
    years: Vec<i32>,
    /// Country code -> exporter index (codes in order), for every code of the table.
    exporter: Vec<u32>,
    /// Exporter codes by index.
    exporters: Vec<u16>,
    /// The view's product id -> aggregated product id, or [`LEFT_TOTAL`] / [`LEFT_SHORT`].
    product: Vec<u32>,
    n_products: usize,
    freq: Freq,
}

/// The sums of one block of rows (and, merged, of the table).
struct Partial {
    /// (year index x exporters + exporter index) -> its product cells, from its first row.
    rows: Vec<Option<Box<[Cell]>>>,
    total_rows: u64,
    short_rows: u64,
    /// Months present per year index (monthly tables).
    months: Vec<u16>,
    /// The last row's period and supplier, and the index of its row of cells: one
    /// exporter's rows come together in CEPII's order, so the lookups are mostly skipped.
    last: Option<(i32, u16, usize)>,
    /// The coverage facts of every row of the view (the method's counts and exporters).
    tally: Tally,
}

impl Partial {
    fn new(k: &Keys) -> Partial {
        Partial {
            rows: vec![None; k.years.len() * k.exporters.len()],
            total_rows: 0,
            short_rows: 0,
            months: vec![0; k.years.len()],
            last: None,
            tally: Tally::new(k.product.len()),
        }
    }

    /// Adds `other`, the sums of the rows after this one's.
    fn merge(&mut self, other: Partial) {
        for (mine, theirs) in self.rows.iter_mut().zip(other.rows) {
            match (mine.as_mut(), theirs) {
                (_, None) => {}
                (None, Some(t)) => *mine = Some(t),
                (Some(m), Some(t)) => {
                    for (a, b) in m.iter_mut().zip(t.iter()) {
                        a.value += b.value;
                        a.n_rows += b.n_rows;
                    }
                }
            }
        }
        self.total_rows += other.total_rows;
        self.short_rows += other.short_rows;
        for (a, b) in self.months.iter_mut().zip(other.months) {
            *a |= b;
        }
        self.tally.merge(other.tally);
    }
}

/// The table's years (sorted) and every country code of its reporter and partner columns
/// (a superset of the exporters under either source: an index with no row costs nothing).
fn years_and_countries(table: &TradeTable, freq: Freq) -> (Vec<i32>, Vec<u16>) {
    let parts: Vec<(Vec<i32>, Vec<bool>)> = row_units(table)
        .par_chunks(FOLD_BLOCK_UNITS)
        .map(|block| {
            let mut years = vec![];
            let mut seen = vec![false; 1 << 16];
            for (b, range) in block {
                let c = Cols::of(&table.batches()[*b]);
                let mut last = None;
                for i in range.clone() {
                    if last != Some(c.period[i]) {
                        last = Some(c.period[i]);
                        years.push(year_of(c.period[i], freq));
                    }
                    seen[c.reporter[i] as usize] = true;
                    seen[c.partner[i] as usize] = true;
                }
                years.sort_unstable();
                years.dedup();
            }
            (years, seen)
        })
        .collect();
    let mut years = vec![];
    let mut seen = vec![false; 1 << 16];
    for (y, s) in parts {
        years.extend(y);
        seen.iter_mut().zip(s).for_each(|(a, b)| *a |= b);
    }
    years.sort_unstable();
    years.dedup();
    let codes = (0..seen.len()).filter(|c| seen[*c]).map(|c| c as u16).collect();
    (years, codes)
}

fn year_of(period: i32, freq: Freq) -> i32 {
    crate::metrics::flags::year_of(period, freq)
}

impl Partial {
    /// Adds one record of the view.
    #[inline]
    fn add(&mut self, k: &Keys, r: ViewRow<'_>) {
        self.tally.add(r);
        let p = k.product[r.product as usize];
        if p == LEFT_TOTAL {
            self.total_rows += 1;
            return;
        }
        if p == LEFT_SHORT {
            self.short_rows += 1;
            return;
        }
        let at = match self.last {
            Some((period, supplier, at)) if period == r.period && supplier == r.supplier => at,
            _ => {
                let year = year_of(r.period, k.freq);
                let y = k.years.binary_search(&year).expect("every year of the table is a key");
                // Every kept row's period passes here once at least: its month is marked.
                if k.freq == Freq::Monthly {
                    self.months[y] |= 1 << ((r.period % 100 - 1).clamp(0, 15));
                }
                let at = y * k.exporters.len() + k.exporter[r.supplier as usize] as usize;
                self.last = Some((r.period, r.supplier, at));
                at
            }
        };
        let row = &mut self.rows[at];
        let cells = row.get_or_insert_with(|| vec![Cell::default(); k.n_products].into_boxed_slice());
        let cell = &mut cells[p as usize];
        cell.value += r.value;
        cell.n_rows += 1;
    }
}

impl Exports {
    pub fn collect(table: &TradeTable, opts: &RcaOptions) -> Result<Exports> {
        if !(opts.threshold.is_finite() && opts.threshold > 0.0) {
            return Err(Error::invalid_argument(
                format!("RCA threshold {} is not a positive number", opts.threshold),
                "use threshold=1.0 (Balassa), or another positive cut-off",
            ));
        }
        if let Some(d) = opts.digits {
            if !matches!(d, 2 | 4 | 6 | 8 | 10) {
                return Err(Error::invalid_argument(
                    format!("digits={d} is not a level of the HS/CN"),
                    "use digits=2, 4, 6 (or 8, 10 for national codes), or leave it out to keep the table's codes",
                ));
            }
        }
        crate::metrics::coverage::refuse_importers_read(
            table,
            "RCA and complexity need every exporter's exports to every destination",
        )?;
        let plan = ViewPlan::new(
            table,
            &ViewOptions {
                source: opts.exports.view_source(),
                cancel: Some(&opts.cancel),
                ..ViewOptions::default()
            },
        )?;
        let flow = match opts.exports {
            ExportSource::Reported => "flow export: exporters' reported exports",
            ExportSource::Mirror => "flow import: partners' reported imports mirrored as exports (CIF values)",
        };
        // The view's products in code order -> aggregated product ids (also in code order, as
        // a prefix of sorted codes keeps their order).
        let mut order: Vec<usize> = (0..plan.products.len()).collect();
        order.sort_unstable_by(|a, b| plan.products[*a].cmp(&plan.products[*b]));
        let mut products: Vec<String> = vec![];
        let mut product_map = vec![LEFT_SHORT; plan.products.len()];
        let mut lengths: Vec<usize> = vec![];
        for id in order {
            let code = plan.products[id].as_str();
            let key = if code == TOTAL {
                product_map[id] = LEFT_TOTAL;
                continue;
            } else {
                match opts.digits {
                    Some(d) if code.len() < d => continue,
                    Some(d) => &code[..d],
                    None => code,
                }
            };
            if products.last().map(String::as_str) != Some(key) {
                products.push(key.to_string());
            }
            if !lengths.contains(&key.len()) {
                lengths.push(key.len());
            }
            product_map[id] = (products.len() - 1) as u32;
        }
        let freq = table.meta().freq;
        let (years, countries) = years_and_countries(table, freq);
        let mut exporter = vec![0u32; 1 << 16];
        for (i, c) in countries.iter().enumerate() {
            exporter[*c as usize] = i as u32;
        }
        let keys = Keys {
            years,
            exporter,
            exporters: countries,
            product: product_map,
            n_products: products.len(),
            freq,
        };
        let mut sums = plan.fold(
            Some(&opts.cancel),
            || Partial::new(&keys),
            |part, r| part.add(&keys, r),
            Partial::merge,
        )?;
        let tally = std::mem::replace(&mut sums.tally, Tally::new(0));
        let coverage = coverage::of_whole_view(table, opts.exports.view_source(), tally);
        opts.cancel.check()?;
        let (total_rows, short_rows) = (sums.total_rows, sums.short_rows);
        let years = year_cells(&keys, &sums);
        let used: u64 = years.iter().flat_map(|y| &y.n_rows).sum();
        let view_rows = used + total_rows + short_rows;
        if view_rows == 0 {
            let other = match opts.exports {
                ExportSource::Reported => "mirror",
                ExportSource::Mirror => "reported",
            };
            return Err(Error::invalid_argument(
                format!(
                    "no export rows under exports={:?} ({flow}) in a table of {} rows",
                    opts.exports.as_str(),
                    table.num_rows()
                ),
                format!("use exports={other:?}, or a table with such rows"),
            ));
        }
        let mut notes = vec![format!(
            "exports={} ({flow}): {used} of the table's {} rows summed into exporter x product cells",
            opts.exports.as_str(),
            table.num_rows()
        )];
        if total_rows > 0 {
            notes.push(format!("{total_rows} rows with product TOTAL left out"));
        }
        match opts.digits {
            Some(d) => {
                notes.push(format!("products aggregated to their first {d} digits"));
                if short_rows > 0 {
                    notes.push(format!("{short_rows} rows with codes shorter than {d} digits left out"));
                }
            }
            None if lengths.len() > 1 => {
                lengths.sort_unstable();
                notes.push(format!(
                    "product codes of {} digits side by side, each a product of its own; pass digits= to aggregate",
                    lengths.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ")
                ));
            }
            None => {}
        }
        if years.is_empty() {
            return Err(Error::invalid_argument(
                format!("no product codes left among {view_rows} export rows"),
                "every row had product TOTAL or a code shorter than digits; pass a smaller digits or a table of detailed codes",
            ));
        }
        for (y, mask) in keys.years.iter().zip(&sums.months) {
            if *mask != 0 {
                notes.push(format!("{y}: {} months summed", mask.count_ones()));
            }
        }
        Ok(Exports {
            products,
            years,
            notes,
            coverage,
        })
    }
}

/// The cells with rows, per year, sorted by (exporter code, product code).
fn year_cells(k: &Keys, sums: &Partial) -> Vec<YearCells> {
    let mut out = vec![];
    for (y, year) in k.years.iter().enumerate() {
        let mut cells = YearCells {
            year: *year,
            exporter: vec![],
            product: vec![],
            value: vec![],
            n_rows: vec![],
        };
        for (e, code) in k.exporters.iter().enumerate() {
            let Some(row) = &sums.rows[y * k.exporters.len() + e] else {
                continue;
            };
            for (p, cell) in row.iter().enumerate().filter(|(_, c)| c.n_rows > 0) {
                cells.exporter.push(*code);
                cells.product.push(p as u32);
                cells.value.push(cell.value);
                cells.n_rows.push(cell.n_rows);
            }
        }
        if !cells.value.is_empty() {
            out.push(cells);
        }
    }
    out
}
