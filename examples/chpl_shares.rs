//! The first question users ask, from Rust: China+HK's share of an importer's CHPL imports, by
//! year. Runs on the embedded SYNTHETIC demo table (no download):
//!
//! ```sh
//! cargo run --example chpl_shares
//! ```

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use tradedep::classify::chpl::chpl;
use tradedep::classify::concordance::{Concordances, Weighting};
use tradedep::metrics::{supplier_shares, By, Importer, SharesOptions, Source, SupplierGroup};

fn main() -> tradedep::Result<()> {
    let trade = tradedep::demo::demo_table()?;
    // The demo table is HS2022 like the CHPL, so no concordance table is needed.
    let products = chpl().to_selection(trade.meta().vintage, &Concordances::new(), &Weighting::default())?;
    let mut opts = SharesOptions::new(vec![Importer::country(643)]);
    opts.imports.products = Some(products);
    opts.imports.groups = vec![SupplierGroup::new("China+HK", [156, 344])];
    opts.by = vec![By::Year];
    opts.imports.source = Source::Auto;
    let shares = supplier_shares(&trade, &opts)?;
    let supplier = shares
        .column_by_name("supplier")
        .expect("documented column")
        .as_string::<i32>();
    let year = shares
        .column_by_name("year")
        .expect("documented column")
        .as_primitive::<Int32Type>();
    let share = shares
        .column_by_name("share")
        .expect("documented column")
        .as_primitive::<Float64Type>();
    println!("China+HK share of Russia's CHPL imports (SYNTHETIC demo data):");
    for i in 0..shares.num_rows() {
        if supplier.value(i) == "China+HK" {
            println!("  {}: {:.1}%", year.value(i), 100.0 * share.value(i));
        }
    }
    Ok(())
}
