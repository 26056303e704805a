//! Dependency metrics: supplier shares, concentration, dependency flags, time series,
//! quantities and unit values, bilateral asymmetry. Each takes a [`TradeTable`] and returns an
//! Arrow `RecordBatch` with documented columns (see each module).
//!
//! Every metric starts from the [`view::ImportView`]: importers' reported imports, partners'
//! exports mirrored into imports, or both ([`Source`]). Every output row says where its rows
//! came from (`source`, `estimated`), how many table rows went into it (`n_rows`) and, with
//! `explain`, which ones (`rows`, 0-based row numbers of the table).
//!
//! [`TradeTable`]: crate::TradeTable

pub mod asymmetry;
pub mod compare;
pub mod concentration;
pub mod flags;
pub mod group;
pub mod kernel;
pub mod mirror;
pub mod shares;
pub mod stats;
pub mod time;
pub mod unit_value;
pub mod view;

pub use flags::{dependency_flags, FlagMethod, FlagOptions};
pub use asymmetry::{bilateral_asymmetry, AsymmetryOptions};
pub use mirror::{mirror_gap, MirrorOptions};
pub use compare::{compare, CompareOptions};
pub use unit_value::{unit_values, UnitValueOptions};
pub use concentration::{concentration, ConcentrationOptions, Over};
pub use kernel::{importer_product_concentration, importer_product_concentration_table, ImporterProductConcentration};
pub use group::{Importer, Membership, SupplierGroup};
pub use shares::{supplier_shares, By, SharesOptions};
pub use stats::{Concentration, RunningHhi};
pub use time::{import_series, SeriesFreq, SeriesOptions};
pub use view::{ImportView, Source, ViewOptions};
