//! # tradedep
//!
//! Trade records, dual-use classifications and dependency metrics on Apache Arrow.
//!
//! Data flows one way: [`io`] readers produce a [`TradeTable`] (the [`model`]), [`classify`]
//! tags products against lists and baskets, [`metrics`] turn tables into Arrow tables of
//! shares, concentration and flags. [`reference`] holds the facts typed by the project
//! (countries, groups, the CHPL) and loaders for official tables users download.

pub mod classify;
pub mod demo;
pub mod error;
pub mod io;
pub mod metrics;
pub mod model;
pub mod reference;

pub use error::{Error, Location, Result};
pub use model::{Flow, Freq, Period, ProductCode, ReadReport, TableMeta, TradeTable, Vintage};
