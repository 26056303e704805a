//! The integration tests, one module per concept, linked as one test binary: twenty binaries each
//! linking arrow and parquet cost minutes of linking and gigabytes of disk. Run one module with
//! `cargo test --test integration io_baci::`.

#[macro_use]
mod common;

mod baci_duplicates;
mod baci_streaming;
mod bad_inputs;
mod classify_baskets;
mod classify_chpl;
mod classify_continuity;
mod classify_convert;
mod classify_lists;
mod countries;
mod data_required;
mod hs_editions;
mod io_baci;
mod io_baci_importers;
mod io_comext;
mod io_comtrade;
mod io_gacc;
mod io_generic;
mod io_generic_paths;
mod io_stats_mutations;
mod metrics_cancel;
mod metrics_comext_mirror;
mod metrics_compare_units;
mod metrics_complexity;
mod metrics_coverage;
mod metrics_flags;
mod metrics_kernel;
mod metrics_mirror;
mod metrics_rerouting;
mod metrics_shares;
mod metrics_time;
