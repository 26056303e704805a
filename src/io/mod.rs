//! Readers and writers. Each reader returns a [`TradeTable`](crate::TradeTable) whose
//! [`ReadReport`](crate::ReadReport) accounts for every row read.

pub mod source;

pub mod archive_zip;
pub mod baci;

pub use baci::{read_baci, read_baci_bytes, BaciOptions, OnUnknownCountry};
