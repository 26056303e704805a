//! Bilateral asymmetry: how much A depends on B against how much B depends on A.
//!
//! For each period: B's share of A's imports, A's share of B's imports and A's share of B's
//! exports (A as a market for B), for all products and, when a selection is given, for it too
//! (`products` column says which). Exports of a country are the view's imports of everyone else
//! from it (so under `source = mirror` they are its own reported exports). For groups, trade
//! between members is left out.
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `a`, `b` | Utf8 | the two importers' labels |
//! | `products` | Utf8 | `all` or the selection's name |
//! | time key (`period`/`year`/`quarter`, + `n_months`) | | as in supplier shares |
//! | `a_imports_from_b`, `a_imports`, `b_share_of_a_imports` | Float64 | |
//! | `b_imports_from_a`, `b_imports`, `a_share_of_b_imports` | Float64 | |
//! | `b_exports`, `a_share_of_b_exports` | Float64 | B's exports to all, A's share of them (= a_imports_from_b / b_exports) |
//! | `a_exports`, `b_share_of_a_exports` | Float64 | |
//! | `import_asymmetry` | Float64 | b_share_of_a_imports / a_share_of_b_imports (> 1: A depends more on B than B on A) |
//! | `market_asymmetry` | Float64 | b_share_of_a_imports / a_share_of_b_exports |
//! | `n_rows` | UInt64 | view rows that touched A or B |

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field};

use crate::error::{Error, Result};
use crate::metrics::columns::record_batch;
use crate::metrics::cube::{PeriodSlots, SlotLookup};
use crate::metrics::group::{Importer, ImporterSlots};
use crate::metrics::shares::{By, TimeKey};
use crate::metrics::view::{Source, ViewOptions, ViewPlan};
use crate::model::{Freq, ProductSelection, TradeTable};

/// Arguments of [`bilateral_asymmetry`].
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type, Array};
/// use tradedep::metrics::{bilateral_asymmetry, AsymmetryOptions, By, Importer, Source};
/// use tradedep::model::{Flow, Freq, ProductSelection, TableMeta, TradeRow, TradeTableBuilder};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// for (importer, supplier, product, v) in [(643, 156, "854231", 60.0), (643, 792, "854231", 40.0), (156, 643, "270900", 300.0)] {
///     b.push(TradeRow::new(2023, importer, supplier, Flow::Import, product, v))?;
/// }
/// let opts = AsymmetryOptions {
///     a: Importer::country(643),
///     b: Importer::country(156),
///     products: Some(ProductSelection::from_codes("ICs", ["8542"], None)), // besides all products
///     by: vec![By::Year],
///     source: Source::Reported,
///     cif_fob: 1.0,
///     cancel: Default::default(),
/// };
/// let out = bilateral_asymmetry(&b.finish()?, &opts)?;
/// let products = out.column_by_name("products").unwrap().as_string::<i32>();
/// assert_eq!((products.value(0), products.value(1)), ("all", "ICs"));
/// let b_share = out.column_by_name("b_share_of_a_imports").unwrap().as_primitive::<Float64Type>();
/// assert_eq!(b_share.value(1), 0.6); // China: 60 of Russia's 100 of ICs
/// // China imports no ICs: Russia's share of them is undefined, not 0.
/// assert!(out.column_by_name("a_share_of_b_imports").unwrap().is_null(1));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AsymmetryOptions {
    pub a: Importer,
    pub b: Importer,
    /// A basket computed besides all products.
    pub products: Option<ProductSelection>,
    /// Time key (period, year, quarter) or none for all periods together.
    pub by: Vec<By>,
    pub source: Source,
    pub cif_fob: f64,
    /// Stops the call between blocks of 65,536 rows once cancelled (the binding's Ctrl-C).
    pub cancel: crate::cancel::Cancellation,
}

#[derive(Default, Clone, Copy)]
struct Sums {
    a_from_b: f64,
    a_imp: f64,
    b_from_a: f64,
    b_imp: f64,
    a_exp: f64,
    b_exp: f64,
    months: u16,
    n: u64,
}

impl Sums {
    /// Adds one view row of value `v`; `imp` and `sup` say whether its importer and supplier
    /// are in A (bit 0) and B (bit 1) in the row's period.
    #[inline]
    fn add(&mut self, imp: u8, sup: u8, v: f64, period: i32, monthly: bool) {
        let (ia, ib) = (imp & 1 != 0, imp & 2 != 0);
        let (sa, sb) = (sup & 1 != 0, sup & 2 != 0);
        self.n += 1;
        if monthly {
            self.months |= 1 << ((period % 100 - 1).clamp(0, 15));
        }
        if ia && !sa {
            self.a_imp += v;
            if sb {
                self.a_from_b += v;
            }
        }
        if ib && !sb {
            self.b_imp += v;
            if sa {
                self.b_from_a += v;
            }
        }
        if sa && !ia {
            self.a_exp += v;
        }
        if sb && !ib {
            self.b_exp += v;
        }
    }

    /// Adds the sums of another block of rows.
    fn merge(&mut self, o: &Sums) {
        self.a_from_b += o.a_from_b;
        self.a_imp += o.a_imp;
        self.b_from_a += o.b_from_a;
        self.b_imp += o.b_imp;
        self.a_exp += o.a_exp;
        self.b_exp += o.b_exp;
        self.months |= o.months;
        self.n += o.n;
    }
}

fn div(x: f64, y: f64) -> Option<f64> {
    (y > 0.0).then(|| x / y)
}

/// A against B, for all products and the selection (see the module docs for the columns).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type};
/// use tradedep::metrics::{bilateral_asymmetry, AsymmetryOptions, By, Importer, Source};
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// for (importer, supplier, v) in [(643, 156, 160.0), (643, 792, 40.0), (156, 643, 300.0), (156, 792, 700.0)] {
///     b.push(TradeRow::new(2023, importer, supplier, Flow::Import, "2709", v))?;
/// }
/// let opts = AsymmetryOptions {
///     a: Importer::country(643), b: Importer::country(156), products: None,
///     by: vec![By::Period], source: Source::Reported, cif_fob: 1.0, cancel: Default::default(),
/// };
/// let out = bilateral_asymmetry(&b.finish()?, &opts)?;
/// let f = |name: &str| out.column_by_name(name).unwrap().as_primitive::<Float64Type>().value(0);
/// assert_eq!(f("b_share_of_a_imports"), 0.8); // China: 160 of Russia's 200
/// assert_eq!(f("a_share_of_b_imports"), 0.3); // Russia: 300 of China's 1000
/// assert!((f("import_asymmetry") - 0.8 / 0.3).abs() < 1e-12);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn bilateral_asymmetry(table: &TradeTable, opts: &AsymmetryOptions) -> Result<RecordBatch> {
    if opts.by.iter().any(|b| matches!(b, By::Product | By::Partner)) {
        return Err(Error::invalid_argument(
            "asymmetry is broken down by time only",
            "use by=[\"period\"], [\"year\"] or []",
        ));
    }
    let freq = table.meta().freq;
    let time = TimeKey::from_by(&opts.by, freq)?;
    let monthly = freq == Freq::Monthly;
    let slots = ImporterSlots::new(vec![opts.a.clone(), opts.b.clone()], freq)?;
    // B's and A's exports to every destination are columns of the result.
    crate::metrics::coverage::refuse_importers_read(
        table,
        "asymmetry compares each side's exports to every destination",
    )?;
    let lookup = SlotLookup::new(table, &slots)?;
    let mut selections: Vec<(String, Option<&ProductSelection>)> = vec![("all".into(), None)];
    if let Some(sel) = &opts.products {
        selections.push((sel.name.clone(), Some(sel)));
    }
    let mut c = Cols::default();
    for (name, sel) in selections {
        let plan = ViewPlan::new(
            table,
            &ViewOptions {
                source: opts.source,
                cif_fob: opts.cif_fob,
                products: sel,
                importers: None,
                cancel: Some(&opts.cancel),
            },
        )?;
        // Each row is classified by who is in A and B in its period (the importer, the supplier:
        // 4 bits), so the result is a few sums per time key: folded on all cores, no sort.
        type Part<'l> = (BTreeMap<i32, Sums>, Option<(i32, PeriodSlots<'l>)>);
        let (sums, _) = plan.fold(
            Some(&opts.cancel),
            Part::default,
            |(sums, last), r| {
                // Rows of one period come together: its membership is looked up once.
                let membership = match *last {
                    Some((period, m)) if period == r.period => m,
                    _ => {
                        let m = lookup.period(r.period);
                        *last = Some((r.period, m));
                        m
                    }
                };
                let bits = |code: u16| {
                    let mut m = 0u8;
                    membership.for_each(code, |slot| m |= 1 << slot);
                    m
                };
                let (imp, sup) = (bits(r.importer), bits(r.supplier));
                if imp | sup != 0 {
                    sums.entry(time.key(r.period))
                        .or_default()
                        .add(imp, sup, r.value, r.period, monthly);
                }
            },
            |(sums, _), (part, _)| {
                for (k, s) in part {
                    sums.entry(k).or_default().merge(&s);
                }
            },
        )?;
        for (k, s) in sums {
            let b_in_a = div(s.a_from_b, s.a_imp);
            let a_in_b = div(s.b_from_a, s.b_imp);
            let a_in_bx = div(s.a_from_b, s.b_exp);
            c.products.push(name.clone());
            c.time.push(k);
            c.months.push(s.months);
            c.v[0].push(Some(s.a_from_b));
            c.v[1].push(Some(s.a_imp));
            c.v[2].push(b_in_a);
            c.v[3].push(Some(s.b_from_a));
            c.v[4].push(Some(s.b_imp));
            c.v[5].push(a_in_b);
            c.v[6].push(Some(s.b_exp));
            c.v[7].push(a_in_bx);
            c.v[8].push(Some(s.a_exp));
            c.v[9].push(div(s.b_from_a, s.a_exp));
            c.v[10].push(b_in_a.zip(a_in_b).and_then(|(x, y)| div(x, y)));
            c.v[11].push(b_in_a.zip(a_in_bx).and_then(|(x, y)| div(x, y)));
            c.n.push(s.n);
        }
    }
    let n = c.products.len();
    let mut cols: Vec<(Field, ArrayRef)> = vec![
        (
            Field::new("a", DataType::Utf8, false),
            Arc::new(StringArray::from(vec![opts.a.label.as_str(); n])),
        ),
        (
            Field::new("b", DataType::Utf8, false),
            Arc::new(StringArray::from(vec![opts.b.label.as_str(); n])),
        ),
        (
            Field::new("products", DataType::Utf8, false),
            Arc::new(StringArray::from(c.products)),
        ),
    ];
    cols.extend(time.columns(&c.time, &c.months, monthly));
    const NAMES: [&str; 12] = [
        "a_imports_from_b",
        "a_imports",
        "b_share_of_a_imports",
        "b_imports_from_a",
        "b_imports",
        "a_share_of_b_imports",
        "b_exports",
        "a_share_of_b_exports",
        "a_exports",
        "b_share_of_a_exports",
        "import_asymmetry",
        "market_asymmetry",
    ];
    for (name, v) in NAMES.iter().zip(c.v) {
        cols.push((
            Field::new(*name, DataType::Float64, true),
            Arc::new(Float64Array::from(v)),
        ));
    }
    cols.push((
        Field::new("n_rows", DataType::UInt64, false),
        Arc::new(UInt64Array::from(c.n)),
    ));
    record_batch(cols, "assembling bilateral asymmetry")
}

#[derive(Default)]
struct Cols {
    products: Vec<String>,
    time: Vec<i32>,
    months: Vec<u16>,
    v: [Vec<Option<f64>>; 12],
    n: Vec<u64>,
}
