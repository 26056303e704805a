//! A cancelled flag in a metric's options stops it with `Error::Cancelled` (the binding sets it
//! on Ctrl-C); a fresh flag changes nothing.

use tradedep::metrics::{
    complexity, concentration, rca, supplier_shares, ComplexityOptions, ConcentrationOptions, Importer, RcaOptions,
    SharesOptions, Source,
};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTable, TradeTableBuilder, Vintage};
use tradedep::Error;

fn table() -> TradeTable {
    let mut b = TradeTableBuilder::new("c", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
    for (rep, par, flow, v) in [
        (156, 643, Flow::Export, 80.0),
        (792, 643, Flow::Export, 20.0),
        (643, 156, Flow::Import, 75.0),
        (643, 792, Flow::Import, 25.0),
    ] {
        b.push(TradeRow::new(2023, rep, par, flow, "854231", v)).unwrap();
        b.push(TradeRow::new(2023, rep, par, flow, "300490", v / 2.0)).unwrap();
    }
    b.finish().unwrap()
}

#[test]
fn a_cancelled_flag_stops_the_metrics() {
    let t = table();
    // Both forms run on the import cube (scan and cell-by-cell finish), with and without explain.
    for (source, explain) in [(Source::Mirror, false), (Source::Reported, true)] {
        let mut opts = ConcentrationOptions::default();
        opts.imports.source = source;
        opts.explain = explain;
        assert!(concentration(&t, &opts).unwrap().num_rows() > 0);
        opts.imports.cancel.cancel();
        assert!(matches!(concentration(&t, &opts), Err(Error::Cancelled)), "{source:?}");
    }
    let shares = SharesOptions::new(vec![Importer::country(643)]);
    assert!(supplier_shares(&t, &shares).unwrap().num_rows() > 0);
    shares.imports.cancel.cancel();
    assert!(matches!(supplier_shares(&t, &shares), Err(Error::Cancelled)));
    let opts = RcaOptions::default();
    assert!(rca(&t, &opts).unwrap().table.num_rows() > 0);
    opts.cancel.cancel();
    assert!(matches!(rca(&t, &opts), Err(Error::Cancelled)));
    let opts = ComplexityOptions::default();
    opts.rca.cancel.cancel();
    assert!(matches!(complexity(&t, &opts), Err(Error::Cancelled)));
}
