//! Dependency metrics. Each takes a [`TradeTable`] and returns an Arrow `RecordBatch` whose
//! columns are documented in its module:
//!
//! | function | question |
//! |---|---|
//! | [`supplier_shares`] | each supplier's (or group's) share of an importer's imports, with rest of world |
//! | [`concentration()`] | HHI, normalized HHI, CR1/CR3/CRn, entropy, equivalent suppliers, top supplier |
//! | [`importer_product_concentration`] | the same for every importer x product, streamed over a whole BACI year |
//! | [`dependency_flags`] | CEPII GeoDep C1-C4 or EU 2021 criteria, each value next to its flag |
//! | [`import_series`] | monthly/quarterly/annual series, yoy, rolling year, baseline index, explicit gaps |
//! | [`unit_values`] | quantities within one unit, unit values, relative unit values |
//! | [`bilateral_asymmetry`] | B's share of A's imports against A's share of B's imports and exports |
//! | [`compare()`] | several importers against one basket, side by side |
//! | [`mirror_gap`] | importers' reported imports against partners' reported exports |
//! | [`rerouting()`] | origin's exports to hubs and a target against a baseline, difference in differences against control destinations, hub -> target exports, ghost trade, unit values |
//! | [`rca`], [`complexity()`] | exporters' revealed comparative advantage (Balassa); ECI and PCI as `ecomplexity` computes them |
//!
//! Every metric starts from the [`view::ImportView`]: importers' reported imports, partners'
//! exports mirrored into imports, or reported where it exists and mirror elsewhere
//! ([`Source`]). World totals are sums of partner rows, never a reporter's "World" row.
//! Which of the importers' imports count (products, supplier groups, source, `cif_fob`,
//! intra-group imports) is one [`ImportSelection`], the `imports` field of [`SharesOptions`],
//! [`SeriesOptions`], [`UnitValueOptions`], [`CompareOptions`] and [`ConcentrationOptions`].
//!
//! **Which rows went into a number.** Every output row carries `n_rows` (table rows summed)
//! and `source`/`estimated` (reported, mirror or mixed); [`supplier_shares`] and
//! [`concentration()`] take `explain = true` to add a `rows` list column with the 0-based row
//! numbers of the table (batches counted in order), so the rows can be pulled back with
//! Arrow's `take`.
//!
//! Shares, concentration, series, unit values, compare, the dependency flags (GeoDep and EU
//! 2021), re-routing, mirror gap and the importer x product workload on tables are finishes over
//! the import cube (`cube`, crate-private): records keyed by one integer, read on rayon's
//! threads, sorted (or, for few keys, summed while read), summed one cell at a time
//! (ARCHITECTURE.md). The
//! streaming kernel (`kernel`) partitions 16-byte partial aggregates for the form that streams
//! a BACI file without building the table.
//!
//! [`TradeTable`]: crate::TradeTable

pub mod asymmetry;
mod columns;
pub mod compare;
pub mod complexity;
pub mod concentration;
pub mod coverage;
pub(crate) mod cube;
pub mod flags;
mod flags_eu2021;
pub mod group;
pub mod importer_product;
pub mod kernel;
pub mod mirror;
pub mod panel;
pub mod reporting;
pub mod rerouting;
pub mod selection;
pub mod shares;
mod sorted_exports;
pub mod stats;
pub mod time;
pub mod unit_value;
pub mod view;
pub mod world;

pub use asymmetry::{bilateral_asymmetry, AsymmetryOptions};
pub use compare::{compare, CompareOptions};
pub use complexity::{complexity, rca, Complexity, ComplexityOptions, ExportSource, PciScale, Rca, RcaOptions};
pub use concentration::{concentration, ConcentrationOptions, Over};
pub use coverage::{check_selection, Coverage};
pub use flags::{dependency_flags, dependency_flags_with_world, FlagMethod, FlagOptions};
pub use group::{Importer, Membership, SupplierGroup};
pub use importer_product::importer_product_concentration_selected;
pub use kernel::{
    importer_product_concentration, importer_product_concentration_baci, importer_product_concentration_table,
    ImporterProductConcentration,
};
pub use mirror::{mirror_gap, MirrorOptions};
pub use panel::{import_panel, ImportPanel, PanelOptions};
pub use rerouting::{rerouting, Rerouting, ReroutingOptions};
pub use selection::ImportSelection;
pub use shares::{supplier_shares, By, SharesOptions};
pub use stats::{Concentration, RunningHhi};
pub use time::{import_series, SeriesFreq, SeriesOptions};
pub use unit_value::{unit_values, UnitValueOptions};
pub use view::{country_label, ImportView, Source, ViewOptions};
