//! Readers and writers. Each reader returns a [`TradeTable`](crate::TradeTable) whose
//! [`ReadReport`](crate::ReadReport) accounts for every row read.

pub mod source;
pub mod archive_7z;
pub mod comext;
pub mod comtrade;
