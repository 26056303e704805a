//! Product classification: product codes with vintages, lists and baskets, vintage
//! conversion, classify and explain.
//!
//! - [`codes`]: the HS hierarchy (chapter, heading, subheading, national extension)
//! - [`nomenclature`]: HS nomenclatures loaded from the files users download; validity, `describe`
//! - [`concordance`]: UNSD conversion and correlation tables; converting codes, lists and tables
//! - [`hs_editions`]: the UNSD correlation tables of every HS edition, embedded
//! - [`list`]: versioned [`ProductList`]s with tiers and attributes; user list files; diffs
//! - [`chpl`]: the built-in Common High Priority List of 2024-02-23
//! - [`dual_use`]: EU Annex I entries and the CN-to-Annex-I correlation table
//! - [`basket`]: user baskets with set operations and the shipped baskets
//! - [`classify()`]: tag the rows of a table; [`explain()`]: why a code is (not) on a list
//!
//! ```
//! use tradedep::classify::{chpl, concordance::{Concordances, Weighting}};
//! use tradedep::Vintage;
//! let sel = chpl::chpl().tier("1").unwrap().to_selection(Some(Vintage::Hs(2022)), &Concordances::new(), &Weighting::default()).unwrap();
//! assert_eq!(sel.weight("85423190"), Some(1.0));
//! ```

pub mod basket;
pub mod chpl;
#[allow(clippy::module_inception)] // the classify function lives in classify::classify, as named in the brief
pub mod classify;
pub mod codes;
pub mod concordance;
pub mod dual_use;
pub mod explain;
pub mod hs_editions;
pub mod list;
pub mod nomenclature;
mod sheet;

pub use basket::Basket;
pub use classify::{classify, Classified};
pub use concordance::{Concordances, Conversion, Correlation, Split, Weighting};
pub use explain::{explain, Explanation};
pub use list::{ListDiff, ListEntry, ListMeta, MatchKind, ProductList};
pub use nomenclature::Nomenclature;
