//! The trade record model: the canonical Arrow schema and the [`TradeTable`] that holds it.

pub mod builder;
pub mod filter;
pub mod flow;
pub mod period;
pub mod product;
pub mod report;
pub mod schema;
pub mod table;

pub use builder::{TradeRow, TradeTableBuilder};
pub use filter::Filter;
pub use flow::{Flow, ValueBasis};
pub use period::{Freq, Period};
pub use product::{ProductCode, ProductSelection, Vintage};
pub use report::{ReadReport, REASON_DUPLICATE, REASON_IMPORTER};
pub use schema::{canonical_schema, col, TableMeta};
pub use table::TradeTable;
pub mod currency;
