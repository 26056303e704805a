//! # tradedep
//!
//! Trade records, dual-use classifications and dependency metrics on Apache Arrow.
//!
//! Data flows one way: [`io`] readers produce a [`TradeTable`] (the [`model`]), [`classify`]
//! tags products against lists and baskets, [`metrics`] turn tables into Arrow tables of
//! shares, concentration and flags. [`mod@reference`] holds the facts typed by the project
//! (countries, groups, the CHPL) and loaders for official tables users download.
//!
//! ```
//! use tradedep::metrics::{supplier_shares, By, Importer, SharesOptions, SupplierGroup};
//! use tradedep::model::ProductSelection;
//!
//! let trade = tradedep::demo::demo_table()?; // small SYNTHETIC table, HS2022, USD
//! let mut opts = SharesOptions::new(vec![Importer::country(643)]); // Russia
//! opts.imports.products = Some(ProductSelection::from_codes("ICs", ["8542"], None));
//! opts.imports.groups = vec![SupplierGroup::new("China+HK", [156, 344])];
//! opts.by = vec![By::Year];
//! let shares = supplier_shares(&trade, &opts)?;
//! assert!(shares.num_rows() > 0);
//! # Ok::<(), tradedep::Error>(())
//! ```
//!
//! `examples/chpl_shares.rs` answers the first question of the field (China+HK's share of an
//! importer's CHPL imports, by year) end to end.

pub mod cancel;
pub mod classify;
pub mod demo;
pub mod error;
pub mod io;
mod memory;
pub mod metrics;
pub mod model;
mod prefetch;
pub mod reference;

pub use error::{Error, Location, Result};
pub use model::{Flow, Freq, Period, ProductCode, ReadReport, TableMeta, TradeTable, Vintage};
