//! Which of the importers' imports a metric counts: the arguments that supplier shares, import
//! series, unit values and compare have in common, kept in one [`ImportSelection`].

use crate::metrics::group::SupplierGroup;
use crate::metrics::view::Source;
use crate::model::ProductSelection;

/// Which imports count: the products, the suppliers counted as one, and where the rows come
/// from. The `imports` field of [`SharesOptions`], [`SeriesOptions`], [`UnitValueOptions`],
/// [`CompareOptions`] and [`ConcentrationOptions`]; the default counts every product, each supplier on its own, reported
/// imports as they are, without an importer group's imports from its own members.
///
/// ```
/// use tradedep::metrics::{Importer, SharesOptions, Source, SupplierGroup};
/// let mut opts = SharesOptions::new(vec![Importer::group("EU27")]);
/// opts.imports.groups = vec![SupplierGroup::new("China+HK", [156, 344])];
/// opts.imports.source = Source::Mirror;
/// opts.imports.cif_fob = 1.05;
/// ```
///
/// [`SharesOptions`]: crate::metrics::SharesOptions
/// [`SeriesOptions`]: crate::metrics::SeriesOptions
/// [`UnitValueOptions`]: crate::metrics::UnitValueOptions
/// [`CompareOptions`]: crate::metrics::CompareOptions
/// [`ConcentrationOptions`]: crate::metrics::ConcentrationOptions
#[derive(Debug, Clone)]
pub struct ImportSelection {
    /// Products counted (with weights); `None` counts every product of the table.
    pub products: Option<ProductSelection>,
    /// Supplier groups counted as one partner each.
    pub groups: Vec<SupplierGroup>,
    /// Importers' reported imports, partners' exports mirrored, or reported where it exists.
    pub source: Source,
    /// Factor applied to mirror values (FOB) to approximate CIF; 1.0 keeps FOB.
    pub cif_fob: f64,
    /// Count an importer group's imports from its own members.
    pub include_intra_group: bool,
    /// Stops the call between blocks of 65,536 rows once cancelled (the binding's Ctrl-C).
    pub cancel: crate::cancel::Cancellation,
}

impl Default for ImportSelection {
    fn default() -> Self {
        ImportSelection {
            products: None,
            groups: vec![],
            source: Source::Reported,
            cif_fob: 1.0,
            include_intra_group: false,
            cancel: Default::default(),
        }
    }
}
