//! Reference facts typed by the project (countries, groups, product lists) and loaders for the
//! large official tables users download (nomenclatures, concordances).

pub mod countries;
pub mod country_table;
pub mod groups;
