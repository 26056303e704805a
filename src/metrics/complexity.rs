//! Economic complexity: revealed comparative advantage (Balassa), the Economic Complexity Index
//! (ECI) of exporters and the Product Complexity Index (PCI) of products, by the eigenvector
//! method exactly as the Growth Lab's `ecomplexity` package computes them (domain notes,
//! section 6).
//!
//! **Exports.** The rows come from the one import view every metric uses
//! ([`crate::metrics::ImportView`]'s rule), read from the exporter's side ([`ExportSource`]): `reported` takes the exporters' own reported exports
//! (rows with flow export, reporter = exporter; every BACI row is one), `mirror` rebuilds them
//! from the partners' reported imports (rows with flow import, partner = exporter; CIF values,
//! as reported). Re-exports and re-imports are not exports here. A monthly table is summed to
//! years: each year is its own exporter x product matrix, and the notes say how many months
//! each year has. Products are the table's codes, or their first `digits` digits (e.g. 4 for
//! HS4 headings); codes shorter than that and `TOTAL` rows are left out and counted in a note.
//!
//! **RCA.** For exporter c and product p of one year, with x_cp the exports summed over
//! partners: `rca = (x_cp / Σ_p x_cp) / (Σ_c x_cp / Σ_cp x_cp)` and `m = rca >= threshold`
//! (default 1).
//!
//! **ECI and PCI.** Per year, on the binary matrix M: exporters with diversity k_c = Σ_p M_cp = 0
//! and products with ubiquity k_p = Σ_c M_cp = 0 are left out (their `eci`/`pci` is null; the
//! notes count them). `kp` is the unit-norm eigenvector of `Mpp = D_p⁻¹ Mᵀ D_c⁻¹ M` for its second
//! largest eigenvalue, `kc = D_c⁻¹ M kp`, `s = sign(corr(diversity, kc))`, `eci = s·kc`,
//! `pci = s·kp`. It is taken from the symmetric exporter x exporter matrix
//! `S = D_c^-1/2 M D_p⁻¹ Mᵀ D_c^-1/2` (similar to `Mcc = D_c⁻¹ M D_p⁻¹ Mᵀ`, whose nonzero
//! eigenvalues are those of Mpp): with u its eigenvector, `kp ∝ D_p⁻¹ Mᵀ D_c^-1/2 u`. Then, as
//! `ecomplexity` does ([`PciScale::Eci`], the default), `pci = (pci - mean(eci)) / std(eci)` and
//! `eci = (eci - mean(eci)) / std(eci)` with the population standard deviation; [`PciScale::Own`]
//! standardises PCI by its own mean and standard deviation instead.
//!
//! **Degenerate years.** A year with fewer than 2 exporters or 2 products left, a second
//! eigenvalue that is 0 or not separated (by more than [`EIGEN_GAP`]) from the first or the
//! third (the eigenvector is then not unique: e.g. M splits into blocks that share no exporter),
//! or an ECI uncorrelated with diversity (sign undefined) gets null `eci`/`pci` and a note saying
//! which; when no year can be computed, [`complexity`] returns an error with the reasons.
//!
//! RCA table ([`rca`], [`Complexity::rca`]), one row per (year, exporter, product) with exports:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `year` | Int32 | year (months of a monthly table summed) |
//! | `exporter` | Utf8 | ISO3 code when the country table knows it, the number otherwise |
//! | `exporter_code` | UInt16 | numeric (Comtrade/BACI) code |
//! | `product` | Utf8 | product code (first `digits` digits when aggregated) |
//! | `value` | Float64 | x_cp, exports summed over partners (and months, and codes) |
//! | `rca` | Float64 | Balassa's RCA; null when the exporter's or the product's total is 0 |
//! | `m` | Boolean | `rca >= threshold` (false where `rca` is null) |
//! | `n_rows` | UInt64 | table rows summed into `value` |
//!
//! ECI table ([`Complexity::eci`]), one row per (year, exporter):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `year`, `exporter`, `exporter_code` | | as above |
//! | `exports` | Float64 | Σ_p x_cp |
//! | `diversity` | UInt32 | k_c, products with m |
//! | `eci` | Float64 | ECI; null for diversity 0 and in degenerate years |
//!
//! PCI table ([`Complexity::pci`]), one row per (year, product):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `year`, `product` | | as above |
//! | `exports` | Float64 | Σ_c x_cp |
//! | `ubiquity` | UInt32 | k_p, exporters with m |
//! | `pci` | Float64 | PCI; null for ubiquity 0 and in degenerate years |
//!
//! Rows are sorted by year, then exporter code, then product code.

mod cells;
mod columns;

use arrow_array::RecordBatch;
use nalgebra::{DMatrix, SymmetricEigen};

use crate::error::{Error, Location, Result};
use crate::metrics::view::Source;
use crate::model::TradeTable;
use cells::{Exports, YearCells};
use columns::{EciColumns, PciColumns, RcaColumns};

/// Smallest gap accepted between the second eigenvalue and its neighbours (the eigenvalues lie
/// in [0, 1], the first is 1): below it the eigenvector defining ECI/PCI is not unique.
///
/// ```
/// use tradedep::metrics::{complexity, complexity::EIGEN_GAP, ComplexityOptions};
/// use tradedep::model::*;
/// assert!(EIGEN_GAP > 0.0 && EIGEN_GAP < 1e-6);
/// // Two exporters with nothing in common: two blocks, the eigenvector is not unique.
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// b.push(TradeRow::new(2021, 4, 643, Flow::Export, "010121", 10.0))?;
/// b.push(TradeRow::new(2021, 8, 643, Flow::Export, "020110", 10.0))?;
/// assert!(complexity(&b.finish()?, &ComplexityOptions::default()).is_err()); // no year can be computed
/// # Ok::<(), tradedep::Error>(())
/// ```
pub const EIGEN_GAP: f64 = 1e-9;

/// Where export rows come from, seen from the exporter.
///
/// ```
/// use tradedep::metrics::ExportSource;
/// assert_eq!(ExportSource::parse("mirror")?, ExportSource::Mirror);
/// assert_eq!(ExportSource::default().as_str(), "reported");
/// assert!(ExportSource::parse("customs").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportSource {
    /// Exporters' own reported exports: rows with flow export (BACI rows), reporter = exporter.
    #[default]
    Reported,
    /// Partners' reported imports, mirrored: rows with flow import, partner = exporter.
    Mirror,
}

impl ExportSource {
    /// Parses `reported` or `mirror`.
    ///
    /// ```
    /// use tradedep::metrics::ExportSource;
    /// assert_eq!(ExportSource::parse("exports")?, ExportSource::Reported);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<ExportSource> {
        match s.trim().to_ascii_lowercase().as_str() {
            "reported" | "exporter" | "export" | "exports" => Ok(ExportSource::Reported),
            "mirror" | "mirrored" | "imports" => Ok(ExportSource::Mirror),
            other => Err(Error::invalid_argument(
                format!("unknown export source {other:?}"),
                "use exports=\"reported\" (exporters' reported exports, e.g. BACI) or \"mirror\" (partners' imports)",
            )),
        }
    }
    /// The name the results' `method` mapping uses: `reported` or `mirror`.
    ///
    /// ```
    /// assert_eq!(tradedep::metrics::ExportSource::Mirror.as_str(), "mirror");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ExportSource::Reported => "reported",
            ExportSource::Mirror => "mirror",
        }
    }
    /// The import view holding these rows: an exporter's reported exports are the view's
    /// mirror rows, partners' imports its reported rows.
    fn view_source(self) -> Source {
        match self {
            ExportSource::Reported => Source::Mirror,
            ExportSource::Mirror => Source::Reported,
        }
    }
}

/// How PCI is standardised.
///
/// ```
/// use tradedep::metrics::PciScale;
/// assert_eq!(PciScale::parse("ecomplexity")?, PciScale::Eci);
/// assert_eq!(PciScale::default(), PciScale::Eci);
/// assert_eq!(PciScale::Own.as_str(), "own");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PciScale {
    /// By ECI's mean and standard deviation, as `ecomplexity` (and its Stata original) does.
    #[default]
    Eci,
    /// By PCI's own mean and standard deviation (PCI then has mean 0 and std 1).
    Own,
}

impl PciScale {
    /// Parses `eci` or `own`.
    ///
    /// ```
    /// use tradedep::metrics::PciScale;
    /// assert_eq!(PciScale::parse("OWN")?, PciScale::Own);
    /// assert!(PciScale::parse("zscore").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<PciScale> {
        match s.trim().to_ascii_lowercase().as_str() {
            "eci" | "ecomplexity" => Ok(PciScale::Eci),
            "own" | "pci" => Ok(PciScale::Own),
            other => Err(Error::invalid_argument(
                format!("unknown PCI scaling {other:?}"),
                "use pci_scale=\"eci\" (ecomplexity: by ECI's mean and std) or \"own\" (PCI's own)",
            )),
        }
    }
    /// The name the results' `method` mapping uses: `eci` or `own`.
    ///
    /// ```
    /// assert_eq!(tradedep::metrics::PciScale::Eci.as_str(), "eci");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            PciScale::Eci => "eci",
            PciScale::Own => "own",
        }
    }
}

/// Arguments of [`rca`] (and the RCA part of [`complexity`]).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::metrics::{rca, RcaOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
/// for (exporter, product, v) in [(156, "850760", 30.0), (156, "850780", 10.0), (276, "854231", 60.0)] {
///     b.push(TradeRow::new(2021, exporter, 643, Flow::Export, product, v))?;
/// }
/// // Headings: China exports only 8507, Germany only 8542.
/// let opts = RcaOptions { digits: Some(4), threshold: 1.0, ..Default::default() };
/// let out = rca(&b.finish()?, &opts)?;
/// assert_eq!(out.table.num_rows(), 2);
/// let r = out.table.column_by_name("rca").unwrap().as_primitive::<Float64Type>();
/// assert_eq!(r.value(0), 1.0 / 0.4); // (40 / 40) / (40 / 100)
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RcaOptions {
    pub exports: ExportSource,
    /// Aggregate products to their first `digits` digits (2, 4, 6, 8 or 10); `None` keeps the
    /// table's codes.
    pub digits: Option<usize>,
    /// `m = rca >= threshold`.
    pub threshold: f64,
    /// Stops the call between blocks of 65,536 rows once cancelled (the binding's Ctrl-C).
    pub cancel: crate::cancel::Cancellation,
}

impl Default for RcaOptions {
    fn default() -> Self {
        RcaOptions {
            exports: ExportSource::Reported,
            digits: None,
            threshold: 1.0,
            cancel: Default::default(),
        }
    }
}

/// Arguments of [`complexity`].
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::metrics::{complexity, ComplexityOptions, PciScale, RcaOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// for (exporter, product) in [(4, "010121"), (4, "020110"), (4, "030111"), (8, "010121"), (8, "020110"), (12, "010121")] {
///     b.push(TradeRow::new(2021, exporter, 643, Flow::Export, product, 10.0))?;
/// }
/// let opts = ComplexityOptions { rca: RcaOptions::default(), pci_scale: PciScale::Own };
/// let out = complexity(&b.finish()?, &opts)?;
/// let pci = out.pci.column_by_name("pci").unwrap().as_primitive::<Float64Type>();
/// let mean = pci.values().iter().sum::<f64>() / 3.0;
/// let var = pci.values().iter().map(|p| (p - mean).powi(2)).sum::<f64>() / 3.0;
/// assert!(mean.abs() < 1e-9 && (var - 1.0).abs() < 1e-9); // PCI standardised by its own mean and std
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ComplexityOptions {
    pub rca: RcaOptions,
    pub pci_scale: PciScale,
}

/// The RCA table and what went into it.
///
/// ```
/// use tradedep::metrics::{rca, RcaOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Monthly, "USD", None));
/// b.push(TradeRow::new(202101, 156, 643, Flow::Export, "850760", 30.0))?;
/// b.push(TradeRow::new(202102, 156, 643, Flow::Export, "850760", 10.0))?;
/// let out = rca(&b.finish()?, &RcaOptions::default())?;
/// assert_eq!(out.table.num_rows(), 1); // the months summed to the year
/// assert!(!out.notes.is_empty());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Rca {
    pub table: RecordBatch,
    /// Which rows went in, products left out, months per year.
    pub notes: Vec<String>,
    /// What the export view covers (records and value, exporters), counted in the same pass:
    /// what [`crate::metrics::check_selection`] gives for that view.
    pub coverage: crate::metrics::Coverage,
}

/// RCA, ECI and PCI tables (columns in the module docs) and what went into them.
///
/// ```
/// use arrow_array::{cast::AsArray, types::UInt32Type};
/// use tradedep::metrics::{complexity, ComplexityOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// // Exporter 4 ships three products, 8 two, 12 one, 10 each. RCA >= 1 gives
/// // 4: {020110, 030111}, 8: {010121, 020110}, 12: {010121}.
/// for (exporter, product) in [(4, "010121"), (4, "020110"), (4, "030111"), (8, "010121"), (8, "020110"), (12, "010121")] {
///     b.push(TradeRow::new(2021, exporter, 643, Flow::Export, product, 10.0))?;
/// }
/// let out = complexity(&b.finish()?, &ComplexityOptions::default())?;
/// assert_eq!(out.rca.num_rows(), 6);
/// let diversity = out.eci.column_by_name("diversity").unwrap().as_primitive::<UInt32Type>();
/// assert_eq!(diversity.values(), &[2, 2, 1]);
/// let ubiquity = out.pci.column_by_name("ubiquity").unwrap().as_primitive::<UInt32Type>();
/// assert_eq!(ubiquity.values(), &[2, 2, 1]);
/// assert!(!out.notes.is_empty());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Complexity {
    pub rca: RecordBatch,
    pub eci: RecordBatch,
    pub pci: RecordBatch,
    /// Which rows went in, and per year the matrix size, the exporters and products left out,
    /// the eigenvalues, or why the year is degenerate.
    pub notes: Vec<String>,
    /// As [`Rca::coverage`].
    pub coverage: crate::metrics::Coverage,
}

/// Balassa's RCA per (year, exporter, product) (see the module docs for the columns).
///
/// ```
/// use tradedep::model::*;
/// use tradedep::metrics::{rca, RcaOptions};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
/// // Exporter 156 ships 30 of product A and 10 of B; 276 ships 10 of A and 50 of B.
/// for (exporter, product, v) in [(156, "850760", 30.0), (156, "854231", 10.0), (276, "850760", 10.0), (276, "854231", 50.0)] {
///     b.push(TradeRow::new(2021, exporter, 643, Flow::Export, product, v)).unwrap();
/// }
/// let out = rca(&b.finish().unwrap(), &RcaOptions::default()).unwrap();
/// # use arrow_array::cast::AsArray;
/// let r = out.table.column_by_name("rca").unwrap().as_primitive::<arrow_array::types::Float64Type>();
/// // (30 / 40) / (40 / 100)
/// assert!((r.value(0) - 1.875).abs() < 1e-12);
/// ```
pub fn rca(table: &TradeTable, opts: &RcaOptions) -> Result<Rca> {
    let exports = Exports::collect(table, opts)?;
    let mut notes = exports.notes.clone();
    notes.push(format!("m = rca >= {}", opts.threshold));
    let mut out = RcaColumns::default();
    for year in &exports.years {
        opts.cancel.check()?;
        out.push_year(year, &year.rca(), opts.threshold);
    }
    Ok(Rca {
        table: out.finish(&exports.products)?,
        notes,
        coverage: exports.coverage,
    })
}

/// RCA, ECI and PCI per year (see the module docs for the columns and the method).
///
/// ```
/// use tradedep::model::*;
/// use tradedep::metrics::{complexity, ComplexityOptions};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2017))));
/// // A nested matrix: exporter 1 makes everything, exporter 3 only the most common product.
/// let rows = [(4, ["010121", "020110", "030111"]), (8, ["010121", "020110", ""]), (12, ["010121", "", ""])];
/// for (exporter, products) in rows {
///     for p in products.iter().filter(|p| !p.is_empty()) {
///         b.push(TradeRow::new(2021, exporter, 643, Flow::Export, p, 10.0)).unwrap();
///     }
/// }
/// let out = complexity(&b.finish().unwrap(), &ComplexityOptions::default()).unwrap();
/// assert_eq!(out.eci.num_rows(), 3);
/// # use arrow_array::cast::AsArray;
/// let eci = out.eci.column_by_name("eci").unwrap().as_primitive::<arrow_array::types::Float64Type>();
/// assert!(eci.value(0) > eci.value(2)); // the diversified exporter ranks first
/// ```
pub fn complexity(table: &TradeTable, opts: &ComplexityOptions) -> Result<Complexity> {
    let exports = Exports::collect(table, &opts.rca)?;
    let mut notes = exports.notes.clone();
    notes.push(format!(
        "m = rca >= {}; ECI/PCI by the eigenvector method of ecomplexity; {}",
        opts.rca.threshold,
        match opts.pci_scale {
            PciScale::Eci => "PCI standardised by ECI's mean and std (ecomplexity)",
            PciScale::Own => "PCI standardised by its own mean and std",
        }
    ));
    let mut rca_out = RcaColumns::default();
    let mut eci_out = EciColumns::default();
    let mut pci_out = PciColumns::default();
    let mut degenerate = vec![];
    for year in &exports.years {
        // A year's RCA and eigenvectors are seconds on a large table: look in between.
        opts.rca.cancel.check()?;
        let rca = year.rca();
        rca_out.push_year(year, &rca, opts.rca.threshold);
        let m = Presence::of(year, &rca, opts.rca.threshold);
        let indices = match m.eci_pci(opts.pci_scale) {
            Ok(ix) => {
                notes.push(format!(
                    "{}: {} exporters x {} products in M{}; eigenvalues 1st {:.6}, 2nd {:.6}{}",
                    year.year,
                    ix.n_exporters,
                    ix.n_products,
                    m.dropped_note(),
                    ix.eigenvalues[0],
                    ix.eigenvalues[1],
                    ix.eigenvalues
                        .get(2)
                        .map(|l| format!(", 3rd {l:.6}"))
                        .unwrap_or_default(),
                ));
                Some(ix)
            }
            Err(why) => {
                let msg = format!("{}: ECI and PCI not computed (null): {why}", year.year);
                notes.push(msg.clone());
                degenerate.push(msg);
                None
            }
        };
        eci_out.push_year(year, &m, indices.as_ref());
        pci_out.push_year(year, &m, indices.as_ref());
    }
    if degenerate.len() == exports.years.len() {
        return Err(Error::invalid_data(
            format!("no year has an ECI: {}", degenerate.join("; ")),
            Location::default(),
            "complexity needs, per year, at least 2 exporters and 2 products with RCA >= threshold in a \
             connected exporter x product matrix; take more exporters or products (or a lower threshold), \
             or use rca() alone",
        ));
    }
    Ok(Complexity {
        rca: rca_out.finish(&exports.products)?,
        eci: eci_out.finish()?,
        pci: pci_out.finish(&exports.products)?,
        notes,
        coverage: exports.coverage,
    })
}

impl YearCells {
    /// Balassa's RCA of every cell; `None` where the exporter's or the product's total is 0.
    fn rca(&self) -> Vec<Option<f64>> {
        // Cells are sorted by exporter: each exporter's total is the sum of its run.
        let mut by_exporter: Vec<f64> = Vec::with_capacity(self.value.len());
        let mut by_product = vec![0.0f64; self.product.iter().max().map_or(0, |p| *p as usize + 1)];
        for i in 0..self.value.len() {
            if i == 0 || self.exporter[i] != self.exporter[i - 1] {
                by_exporter.push(0.0);
            }
            *by_exporter.last_mut().expect("pushed above") += self.value[i];
            by_product[self.product[i] as usize] += self.value[i];
        }
        let world: f64 = self.value.iter().sum();
        let mut run = 0;
        (0..self.value.len())
            .map(|i| {
                if i > 0 && self.exporter[i] != self.exporter[i - 1] {
                    run += 1;
                }
                let xc = by_exporter[run];
                let xp = by_product[self.product[i] as usize];
                (xc > 0.0 && xp > 0.0).then(|| (self.value[i] / xc) / (xp / world))
            })
            .collect()
    }
}

/// The binary matrix M of one year, with every exporter and product of the year.
struct Presence {
    /// Exporters in code order (cells are sorted by exporter) and each one's total exports.
    exporters: Vec<u16>,
    exporter_total: Vec<f64>,
    /// Product ids in code order and each one's world exports.
    products: Vec<u32>,
    product_total: Vec<f64>,
    /// Cells with m, as (exporter index, product index).
    ones: Vec<(usize, usize)>,
    diversity: Vec<u32>,
    ubiquity: Vec<u32>,
}

/// ECI/PCI of one year by exporter and product index (`None`: left out).
struct Indices {
    eci: Vec<Option<f64>>,
    pci: Vec<Option<f64>>,
    n_exporters: usize,
    n_products: usize,
    /// The three largest eigenvalues (two when two exporters are left).
    eigenvalues: Vec<f64>,
}

impl Presence {
    fn of(year: &YearCells, rca: &[Option<f64>], threshold: f64) -> Presence {
        let mut products: Vec<u32> = year.product.clone();
        products.sort_unstable();
        products.dedup();
        let mut index = vec![0usize; products.last().map_or(0, |p| *p as usize + 1)];
        for (i, p) in products.iter().enumerate() {
            index[*p as usize] = i;
        }
        let mut out = Presence {
            exporters: vec![],
            exporter_total: vec![],
            product_total: vec![0.0; products.len()],
            ubiquity: vec![0; products.len()],
            products,
            ones: vec![],
            diversity: vec![],
        };
        for (i, r) in rca.iter().enumerate() {
            if out.exporters.last() != Some(&year.exporter[i]) {
                out.exporters.push(year.exporter[i]);
                out.exporter_total.push(0.0);
                out.diversity.push(0);
            }
            let c = out.exporters.len() - 1;
            let p = index[year.product[i] as usize];
            out.exporter_total[c] += year.value[i];
            out.product_total[p] += year.value[i];
            if r.is_some_and(|r| r >= threshold) {
                out.ones.push((c, p));
                out.diversity[c] += 1;
                out.ubiquity[p] += 1;
            }
        }
        out
    }

    /// "; left out: ..." when exporters or products have diversity or ubiquity 0.
    fn dropped_note(&self) -> String {
        let c = self.diversity.iter().filter(|d| **d == 0).count();
        let p = self.ubiquity.iter().filter(|u| **u == 0).count();
        if c == 0 && p == 0 {
            return String::new();
        }
        format!(" (left out, eci/pci null: {c} exporters with diversity 0, {p} products with ubiquity 0)")
    }

    /// ECI and PCI as `ecomplexity` computes them, or why they cannot be.
    fn eci_pci(&self, scale: PciScale) -> std::result::Result<Indices, String> {
        // Kept exporters and products, renumbered.
        let renumber = |k: &[u32]| -> (Vec<Option<usize>>, usize) {
            let mut n = 0;
            let ids = k
                .iter()
                .map(|k| {
                    (*k > 0).then(|| {
                        n += 1;
                        n - 1
                    })
                })
                .collect();
            (ids, n)
        };
        let (cid, nc) = renumber(&self.diversity);
        let (pid, np) = renumber(&self.ubiquity);
        if nc < 2 || np < 2 {
            return Err(format!(
                "{nc} exporters and {np} products with RCA >= threshold (at least 2 of each are needed){}",
                self.dropped_note()
            ));
        }
        let kc: Vec<f64> = self.diversity.iter().filter(|d| **d > 0).map(|d| *d as f64).collect();
        let kp: Vec<f64> = self.ubiquity.iter().filter(|u| **u > 0).map(|u| *u as f64).collect();
        // Exporters of each product, and products of each exporter (kept indices).
        let mut of_product: Vec<Vec<usize>> = vec![vec![]; np];
        let mut of_exporter: Vec<Vec<usize>> = vec![vec![]; nc];
        for (c, p) in &self.ones {
            let (c, p) = (
                cid[*c].expect("m implies diversity > 0"),
                pid[*p].expect("m implies ubiquity > 0"),
            );
            of_product[p].push(c);
            of_exporter[c].push(p);
        }
        // S = D_c^-1/2 M D_p^-1 M^T D_c^-1/2, symmetric, similar to Mcc.
        let mut s = DMatrix::<f64>::zeros(nc, nc);
        for (p, cs) in of_product.iter().enumerate() {
            let w = 1.0 / kp[p];
            for &i in cs {
                for &j in cs {
                    s[(i, j)] += w;
                }
            }
        }
        for i in 0..nc {
            for j in 0..nc {
                s[(i, j)] /= (kc[i] * kc[j]).sqrt();
            }
        }
        let eig = SymmetricEigen::new(s);
        let mut order: Vec<usize> = (0..nc).collect();
        order.sort_by(|a, b| eig.eigenvalues[*b].total_cmp(&eig.eigenvalues[*a]));
        let lambda: Vec<f64> = order.iter().take(3).map(|i| eig.eigenvalues[*i]).collect();
        let shown = lambda.iter().map(|l| format!("{l:.3e}")).collect::<Vec<_>>().join(", ");
        if lambda[1] <= EIGEN_GAP {
            return Err(format!(
                "the second eigenvalue is 0 (largest: {shown}): every exporter has the same products in M"
            ));
        }
        if lambda[0] - lambda[1] <= EIGEN_GAP {
            return Err(format!(
                "the second eigenvalue equals the first (largest: {shown}): M splits into blocks that share no \
                 exporter or product, so the eigenvector is not unique"
            ));
        }
        if lambda.len() > 2 && lambda[1] - lambda[2] <= EIGEN_GAP {
            return Err(format!(
                "the second eigenvalue is not separated from the third (largest: {shown}): the eigenvector is not unique"
            ));
        }
        let u = eig.eigenvectors.column(order[1]);
        let kc_prime: Vec<f64> = (0..nc).map(|i| u[i] / kc[i].sqrt()).collect();
        let mut k_p: Vec<f64> = of_product
            .iter()
            .enumerate()
            .map(|(p, cs)| cs.iter().map(|c| kc_prime[*c]).sum::<f64>() / kp[p])
            .collect();
        let norm = k_p.iter().map(|x| x * x).sum::<f64>().sqrt();
        k_p.iter_mut().for_each(|x| *x /= norm);
        let k_c: Vec<f64> = of_exporter
            .iter()
            .enumerate()
            .map(|(c, ps)| ps.iter().map(|p| k_p[*p]).sum::<f64>() / kc[c])
            .collect();
        let sign = match correlation(&kc, &k_c) {
            None => {
                return Err(format!(
                    "every exporter left has the same diversity ({}): the sign of ECI is undefined",
                    kc[0]
                ))
            }
            Some(r) if r.abs() < 1e-12 => {
                return Err("ECI is uncorrelated with diversity: its sign is undefined".to_string())
            }
            Some(r) => r.signum(),
        };
        let eci: Vec<f64> = k_c.iter().map(|x| sign * x).collect();
        let pci: Vec<f64> = k_p.iter().map(|x| sign * x).collect();
        let (mean_e, std_e) = mean_std(&eci);
        let (mean_p, std_p) = match scale {
            PciScale::Eci => (mean_e, std_e),
            PciScale::Own => mean_std(&pci),
        };
        if !(std_e > 0.0 && std_p > 0.0) {
            return Err("ECI or PCI is constant: it cannot be standardised".to_string());
        }
        let pick = |ids: &[Option<usize>], v: &[f64], mean: f64, std: f64| -> Vec<Option<f64>> {
            ids.iter().map(|i| i.map(|i| (v[i] - mean) / std)).collect()
        };
        Ok(Indices {
            eci: pick(&cid, &eci, mean_e, std_e),
            pci: pick(&pid, &pci, mean_p, std_p),
            n_exporters: nc,
            n_products: np,
            eigenvalues: lambda,
        })
    }
}

/// Mean and population standard deviation (ddof = 0).
fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Pearson correlation; `None` when either side is constant.
fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mx, sx) = mean_std(x);
    let (my, sy) = mean_std(y);
    if sx == 0.0 || sy == 0.0 {
        return None;
    }
    let cov = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum::<f64>() / x.len() as f64;
    Some(cov / (sx * sy))
}
