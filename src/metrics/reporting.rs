//! Who reported in which period: the one rule for gaps and zeros shared by every time-based
//! metric ([`import_series`](crate::metrics::import_series) and
//! [`rerouting`](mod@crate::metrics::rerouting)).
//!
//! **Rule.** Declarations are complete: a flow its reporting side did not declare in a period in
//! which that side declared other flows did not happen, so the period counts **0**. A period in
//! which the reporting side declared nothing at all (any product, any partner, that flow
//! direction) is a **gap**: null, `gap = true`, never a silent zero. The reporting side is the
//! importer for importer-reported imports, the exporter (the supplier, or any exporter for a
//! total over suppliers) for mirror data, and for `source = auto` the importer where it
//! reported in that period and the exporters elsewhere.

use hashbrown::HashSet;

use crate::metrics::view::Cols;
use crate::model::{Flow, TradeTable};

/// (reporter, period) pairs with any row of flow import, and of flow export, in a table.
///
/// ```
/// use tradedep::metrics::reporting::Reporting;
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 643, 156, Flow::Import, "8542", 10.0))?;
/// b.push(TradeRow::new(2022, 156, 643, Flow::Export, "8542", 12.0))?;
/// let r = Reporting::of(&b.finish()?);
/// assert!(r.imports(643, 2021) && !r.imports(643, 2022)); // 2022: a gap in Russia's imports
/// assert!(r.exports(156, 2022) && !r.exports(156, 2021));
/// assert!(r.any_exports(2022) && !r.any_exports(2021));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct Reporting {
    imports: HashSet<(u16, i32)>,
    exports: HashSet<(u16, i32)>,
    any_exports: HashSet<i32>,
}

impl Reporting {
    /// One pass over the table; consecutive rows of one reporter and period (the usual order)
    /// are inserted once.
    ///
    /// See the example on [`Reporting`].
    ///
    /// ```
    /// use tradedep::metrics::reporting::Reporting;
    /// let r = Reporting::of(&tradedep::demo::demo_table()?);
    /// assert!(r.imports(643, 202101) && !r.imports(643, 2021)); // a monthly table's periods are YYYYMM
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn of(table: &TradeTable) -> Reporting {
        let mut r = Reporting::default();
        let mut last = None;
        for batch in table.batches() {
            let c = Cols::of(batch);
            for i in 0..batch.num_rows() {
                let key = (c.flow[i], c.reporter[i], c.period[i]);
                if last == Some(key) {
                    continue;
                }
                last = Some(key);
                match c.flow[i] {
                    f if f == Flow::Import as i8 => {
                        r.imports.insert((c.reporter[i], c.period[i]));
                    }
                    f if f == Flow::Export as i8 => {
                        r.exports.insert((c.reporter[i], c.period[i]));
                        r.any_exports.insert(c.period[i]);
                    }
                    _ => {}
                }
            }
        }
        r
    }

    /// `country` reported some import (any product, any partner) in `period`.
    ///
    /// See the example on [`Reporting`].
    ///
    /// ```
    /// use tradedep::metrics::reporting::Reporting;
    /// let r = Reporting::of(&tradedep::demo::demo_table()?);
    /// assert!(r.imports(804, 202312) && !r.imports(156, 202312)); // China reports no imports in the demo
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    #[inline]
    pub fn imports(&self, country: u16, period: i32) -> bool {
        self.imports.contains(&(country, period))
    }

    /// `country` reported some export in `period`.
    ///
    /// See the example on [`Reporting`].
    ///
    /// ```
    /// use tradedep::metrics::reporting::Reporting;
    /// let r = Reporting::of(&tradedep::demo::demo_table()?);
    /// assert!(!r.exports(156, 202101)); // the demo holds importers' reports only
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    #[inline]
    pub fn exports(&self, country: u16, period: i32) -> bool {
        self.exports.contains(&(country, period))
    }

    /// Some country reported some export in `period` (the reporting side of a mirror total).
    ///
    /// See the example on [`Reporting`].
    ///
    /// ```
    /// use tradedep::metrics::reporting::Reporting;
    /// let r = Reporting::of(&tradedep::demo::demo_table()?);
    /// assert!(!r.any_exports(202101));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    #[inline]
    pub fn any_exports(&self, period: i32) -> bool {
        self.any_exports.contains(&period)
    }
}

/// The table periods (`YYYY`, or `YYYYMM` in a monthly table) inside a calendar key: the key
/// itself for a table's own periods, the months of a quarter (`YYYYQ`) or a year.
pub(crate) fn months_of(key: i32, quarter: bool, year_of_months: bool) -> Vec<i32> {
    if quarter {
        let (y, q) = (key / 10, key % 10);
        (1..=3).map(|m| y * 100 + 3 * (q - 1) + m).collect()
    } else if year_of_months {
        (1..=12).map(|m| key * 100 + m).collect()
    } else {
        vec![key]
    }
}
