//! Readers and writers. Each reader returns a [`TradeTable`](crate::TradeTable) whose
//! [`ReadReport`](crate::ReadReport) accounts for every row read.

pub mod archive_7z;
pub mod archive_zip;
pub mod arrow_input;
pub mod baci;
pub mod comext;
pub mod comtrade;
pub mod generic;
pub mod mapped;
pub mod source;

pub use arrow_input::{from_record_batches, ColumnMapping, CountryCoding};
pub use baci::{read_baci, read_baci_bytes, BaciOptions, OnUnknownCountry};
pub use generic::{read_csv, read_csv_bytes, read_parquet, write_parquet, CsvOptions};
pub mod gacc;
