//! What a metric's selection covers in a table, and the refusal of a selection that covers
//! nothing.
//!
//! [`check_selection`] is run before a metric (the Python binding runs it before every metric
//! that reads the import view). It raises an error that says what the table holds and what to
//! pass when an argument selects nothing:
//! - a product code that is malformed (`"8507.60"`, `"abc"`) or longer than the table's codes
//!   (CN8 codes on HS6 data);
//! - products of which no code is in the table;
//! - an importer that is in no row of the table, or only on the side the source does not read
//!   (`source = reported` on an exporter-reported table such as BACI or a Comext export file);
//! - a selection that is empty as a whole (the importers never bought those products);
//! - an importer that a table limited to some importers (`read_baci(importers=...)`, a panel)
//!   does not cover (`check_importers_read`, also run by every import cube).
//!
//! The Rust metrics whose result is one import cube (shares, concentration, series, unit values,
//! compare) run it themselves when their cube is empty (`refuse_empty`): an empty selection is
//! an error for Rust callers too, never an empty result.
//!
//! Otherwise it returns a [`Coverage`]: which side each record came from (for `auto`), who
//! reported on each side, the codes asked for that are absent, and the share of value that has
//! a quantity. These are the facts the results' notes and `method` mapping state.

use hashbrown::HashSet;

use crate::error::{Error, Result};
use crate::metrics::group::{Importer, Membership};
use crate::metrics::selection::ImportSelection;
use crate::metrics::view::{country_label, row_units, Cols, Source, ViewOptions, ViewPlan, ViewRow, FOLD_BLOCK_UNITS};
use crate::model::product::is_table_code;
use crate::model::{Flow, TradeTable};
use crate::reference::groups;

/// What a selection covers in a table (see the module docs).
///
/// ```
/// use tradedep::metrics::{check_selection, ImportSelection, Importer, Source};
/// use tradedep::model::{Flow, Freq, ProductSelection, TableMeta, TradeRow, TradeTableBuilder, Vintage};
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
/// let mut with_qty = TradeRow::new(2023, 643, 156, Flow::Import, "850760", 100.0);
/// with_qty.quantity = Some(10.0);
/// with_qty.quantity_unit = Some("kg");
/// b.push(with_qty)?;
/// b.push(TradeRow::new(2023, 643, 792, Flow::Import, "850760", 50.0))?;
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "854231", 30.0))?;
/// let t = b.finish()?;
/// let imports = ImportSelection {
///     products: Some(ProductSelection::from_codes("batteries and drone parts", ["850760", "880730"], None)),
///     ..Default::default()
/// };
/// let cov = check_selection(&t, Some(&[Importer::country(643)]), &imports)?;
/// assert_eq!(cov.source_used, Source::Reported);
/// assert_eq!((cov.records_reported, cov.value_reported, cov.records_mirror), (2, 150.0, 0));
/// assert_eq!(cov.value(), 150.0);
/// assert!((cov.quantity_share().unwrap() - 100.0 / 150.0).abs() < 1e-12);
/// assert_eq!((cov.importers, cov.suppliers), (vec![643], vec![156, 792]));
/// assert_eq!((cov.products_asked, cov.products_absent, cov.products_selected), (2, vec!["880730".to_string()], 1));
/// assert_eq!((cov.importers_reporting, cov.exporters_reporting), (vec![643], vec![]));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    /// The source the records were read with: `auto` on a table with rows of one side only is
    /// that side (`mirror` on an exporter-reported table, `reported` on an importer-reported
    /// one), since auto then selects exactly those rows.
    pub source_used: Source,
    /// Countries that reported imports anywhere in the table (numeric codes, sorted).
    pub importers_reporting: Vec<u16>,
    /// Countries that reported exports anywhere in the table (numeric codes, sorted).
    pub exporters_reporting: Vec<u16>,
    /// Records selected from importers' reported imports, and their value.
    pub records_reported: u64,
    pub value_reported: f64,
    /// Records selected from partners' exports (mirror), and their value (after `cif_fob`).
    pub records_mirror: u64,
    pub value_mirror: f64,
    /// Value of the selected records that have a quantity with a unit.
    pub value_with_quantity: f64,
    /// Importers and suppliers that occur in the selected records (sorted).
    pub importers: Vec<u16>,
    pub suppliers: Vec<u16>,
    /// Product codes or prefixes asked for, and those of them that match no selected record.
    pub products_asked: usize,
    pub products_absent: Vec<String>,
    /// Distinct table codes selected.
    pub products_selected: usize,
}

impl Coverage {
    /// Value of every selected record.
    ///
    /// See the example on [`Coverage`].
    ///
    /// ```
    /// use tradedep::metrics::Coverage;
    /// let c = Coverage { value_reported: 150.0, value_mirror: 50.0, ..Default::default() };
    /// assert_eq!(c.value(), 200.0);
    /// ```
    pub fn value(&self) -> f64 {
        self.value_reported + self.value_mirror
    }
    /// Share of the selected value that has a quantity; `None` when nothing has value.
    ///
    /// See the example on [`Coverage`].
    ///
    /// ```
    /// use tradedep::metrics::Coverage;
    /// let c = Coverage { value_reported: 150.0, value_mirror: 50.0, value_with_quantity: 50.0, ..Default::default() };
    /// assert_eq!(c.quantity_share(), Some(0.25));
    /// assert_eq!(Coverage::default().quantity_share(), None); // nothing selected
    /// ```
    pub fn quantity_share(&self) -> Option<f64> {
        let v = self.value();
        (v > 0.0).then(|| self.value_with_quantity / v)
    }
}

/// Checks that `imports` (for `importers`, `None` = every importer) selects something in `table`
/// and says what it covers. Errors are [`Error::InvalidProduct`] for malformed codes and
/// [`Error::InvalidArgument`] for selections that are empty, each naming what the table holds.
///
/// ```
/// use tradedep::metrics::{check_selection, ImportSelection, Importer};
/// use tradedep::model::ProductSelection;
/// let t = tradedep::demo::demo_table()?; // imports of Russia (643) and Ukraine (804)
/// let all = ImportSelection::default();
/// assert!(check_selection(&t, Some(&[Importer::country(643)]), &all).is_ok());
/// assert!(check_selection(&t, Some(&[Importer::country(276)]), &all).is_err()); // Germany imports nothing here
/// let cn8 = ImportSelection { products: Some(ProductSelection::from_codes("cn8", ["85423190"], None)), ..Default::default() };
/// assert!(check_selection(&t, None, &cn8).is_err()); // longer than the table's HS6 codes
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn check_selection(
    table: &TradeTable,
    importers: Option<&[Importer]>,
    imports: &ImportSelection,
) -> Result<Coverage> {
    let sides = Sides::of(table);
    let codes = table_codes(table);
    if let Some(sel) = &imports.products {
        check_codes(table, &codes, sel.entries.iter().map(|(c, _)| c.as_str()))?;
    }
    let importer_codes: Option<Vec<u16>> = match importers {
        None => None,
        Some(list) => {
            check_importers_read(table, list)?;
            let mut all = vec![];
            for imp in list {
                let members = members_ever(imp)?;
                check_importer(imp, &members, imports.source, &sides)?;
                all.extend(members);
            }
            Some(all)
        }
    };
    check_source(imports.source, &sides)?;

    let source_used = match imports.source {
        Source::Auto if sides.importers.is_empty() => Source::Mirror,
        Source::Auto if sides.exporters.is_empty() => Source::Reported,
        s => s,
    };
    let mut cov = Coverage {
        source_used,
        importers_reporting: sides.importers.clone(),
        exporters_reporting: sides.exporters.clone(),
        ..Default::default()
    };
    // Bitmaps, not hash sets, and on rayon's threads: this scan runs over every selected row
    // before each metric.
    let plan = ViewPlan::new(
        table,
        &ViewOptions {
            source: imports.source,
            cif_fob: imports.cif_fob,
            products: imports.products.as_ref(),
            importers: importer_codes.as_deref(),
            cancel: Some(&imports.cancel),
        },
    )?;
    let names = &plan.products;
    let t = plan.fold(
        Some(&imports.cancel),
        || Tally::new(names.len()),
        Tally::add,
        Tally::merge,
    )?;
    cov.records_reported = t.records_reported;
    cov.value_reported = t.value_reported;
    cov.records_mirror = t.records_mirror;
    cov.value_mirror = t.value_mirror;
    cov.value_with_quantity = t.value_with_quantity;
    let seen_products = t.products;
    cov.importers = codes_of(&t.importers);
    cov.suppliers = codes_of(&t.suppliers);
    let selected: Vec<&str> = (0..seen_products.len())
        .filter(|p| seen_products[*p])
        .map(|p| names[p].as_str())
        .collect();
    cov.products_selected = selected.len();
    if let Some(sel) = &imports.products {
        cov.products_asked = sel.entries.len();
        cov.products_absent = sel
            .entries
            .iter()
            .filter(|(e, _)| !selected.iter().any(|c| c.starts_with(e.as_str())))
            .map(|(e, _)| e.clone())
            .collect();
        cov.products_absent.sort_unstable();
        if cov.products_absent.len() == sel.entries.len() {
            return Err(Error::invalid_argument(
                format!(
                    "none of the {} product code(s) asked for ({}) is in the {} selected",
                    sel.entries.len(),
                    preview(sel.entries.iter().map(|(e, _)| e.clone())),
                    what_selected(importers, imports.source)
                ),
                format!(
                    "the table holds {} product codes ({}); pass codes or prefixes of those",
                    codes.len(),
                    preview(codes.iter().take(8).cloned())
                ),
            ));
        }
    }
    if cov.records_reported + cov.records_mirror == 0 {
        return Err(Error::invalid_argument(
            format!(
                "the selection is empty: no {} in the table",
                what_selected(importers, imports.source)
            ),
            "check the importer, the products and the source against the table (td.summary or python -m tradedep FILE)",
        ));
    }
    Ok(cov)
}

/// The [`Coverage`] of a whole view of `table` under `source` (every importer, every product,
/// `cif_fob` 1: the export view of RCA and complexity) from the [`Tally`] that the metric's own
/// pass over the view made, so that the metric reads its rows once. Equal to what
/// [`check_selection`] returns for that selection (a test compares them).
pub(crate) fn of_whole_view(table: &TradeTable, source: Source, tally: Tally) -> Coverage {
    let sides = Sides::of(table);
    Coverage {
        source_used: source,
        importers_reporting: sides.importers,
        exporters_reporting: sides.exporters,
        records_reported: tally.records_reported,
        value_reported: tally.value_reported,
        records_mirror: tally.records_mirror,
        value_mirror: tally.value_mirror,
        value_with_quantity: tally.value_with_quantity,
        importers: codes_of(&tally.importers),
        suppliers: codes_of(&tally.suppliers),
        products_selected: tally.products.iter().filter(|p| **p).count(),
        ..Default::default()
    }
}

/// What the scan of the selected records counts, in one block of rows or in the table.
pub(crate) struct Tally {
    records_reported: u64,
    value_reported: f64,
    records_mirror: u64,
    value_mirror: f64,
    value_with_quantity: f64,
    /// Seen product ids, importer codes and supplier codes.
    products: Vec<bool>,
    importers: Vec<bool>,
    suppliers: Vec<bool>,
}

impl Tally {
    pub(crate) fn new(n_products: usize) -> Tally {
        Tally {
            records_reported: 0,
            value_reported: 0.0,
            records_mirror: 0,
            value_mirror: 0.0,
            value_with_quantity: 0.0,
            products: vec![false; n_products],
            importers: vec![false; 1 << 16],
            suppliers: vec![false; 1 << 16],
        }
    }

    #[inline]
    pub(crate) fn add(&mut self, r: ViewRow<'_>) {
        if r.mirrored {
            self.records_mirror += 1;
            self.value_mirror += r.value;
        } else {
            self.records_reported += 1;
            self.value_reported += r.value;
        }
        if r.quantity.is_some_and(|q| !q.is_nan()) {
            self.value_with_quantity += r.value;
        }
        self.products[r.product as usize] = true;
        self.importers[r.importer as usize] = true;
        self.suppliers[r.supplier as usize] = true;
    }

    /// Adds `later`, the tally of the rows after this one's.
    pub(crate) fn merge(&mut self, later: Tally) {
        self.records_reported += later.records_reported;
        self.value_reported += later.value_reported;
        self.records_mirror += later.records_mirror;
        self.value_mirror += later.value_mirror;
        self.value_with_quantity += later.value_with_quantity;
        for (mine, theirs) in [
            (&mut self.products, later.products),
            (&mut self.importers, later.importers),
            (&mut self.suppliers, later.suppliers),
        ] {
            mine.iter_mut().zip(theirs).for_each(|(a, b)| *a |= b);
        }
    }
}

/// Who reported on each side of the table (numeric codes, in order).
struct Sides {
    /// Reporters of import rows.
    importers: Vec<u16>,
    /// Reporters of export rows.
    exporters: Vec<u16>,
    /// Partners of export rows (importers as seen by exporters).
    export_partners: Vec<u16>,
}

impl Sides {
    fn of(table: &TradeTable) -> Sides {
        use rayon::prelude::*;
        // Reporters of import rows, reporters of export rows, partners of export rows.
        let blocks: Vec<[Vec<bool>; 3]> = row_units(table)
            .par_chunks(FOLD_BLOCK_UNITS)
            .map(|block| {
                let mut seen = [vec![false; 1 << 16], vec![false; 1 << 16], vec![false; 1 << 16]];
                for (b, rows) in block {
                    let c = Cols::of(&table.batches()[*b]);
                    for i in rows.clone() {
                        if c.flow[i] == Flow::Import as i8 {
                            seen[0][c.reporter[i] as usize] = true;
                        } else if c.flow[i] == Flow::Export as i8 {
                            seen[1][c.reporter[i] as usize] = true;
                            seen[2][c.partner[i] as usize] = true;
                        }
                    }
                }
                seen
            })
            .collect();
        let mut all = [vec![false; 1 << 16], vec![false; 1 << 16], vec![false; 1 << 16]];
        for block in blocks {
            for (a, b) in all.iter_mut().zip(block) {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
            }
        }
        Sides {
            importers: codes_of(&all[0]),
            exporters: codes_of(&all[1]),
            export_partners: codes_of(&all[2]),
        }
    }
}

/// The codes set in a bitmap over country codes, in order.
fn codes_of(seen: &[bool]) -> Vec<u16> {
    (0..seen.len()).filter(|c| seen[*c]).map(|c| c as u16).collect()
}

/// The distinct product codes of the table, sorted.
fn table_codes(table: &TradeTable) -> Vec<String> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    use arrow_array::Array;
    let mut set: HashSet<String> = HashSet::new();
    for batch in table.batches() {
        let dict = batch.column(4).as_dictionary::<Int32Type>();
        let names = dict.values().as_string::<i32>();
        for k in 0..names.len() {
            if names.is_valid(k) && !set.contains(names.value(k)) {
                set.insert(names.value(k).to_string());
            }
        }
    }
    let mut v: Vec<String> = set.into_iter().collect();
    v.sort_unstable();
    v
}

/// Every code asked for is digits (2 to 10, even) or `TOTAL`, and no longer than the table's
/// longest code.
fn check_codes<'a>(table: &TradeTable, codes: &[String], asked: impl Iterator<Item = &'a str>) -> Result<()> {
    let longest = codes.iter().map(|c| c.len()).max().unwrap_or(0);
    let vintage = table
        .meta()
        .vintage
        .map(|v| v.name())
        .unwrap_or_else(|| "of unknown vintage".to_string());
    for code in asked {
        if !is_table_code(code) {
            let digits: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
            let hint = if !digits.is_empty() && digits.len() != code.len() && is_table_code(&digits) {
                format!("write the code as digits only: \"{digits}\"")
            } else {
                "a product code or prefix is 2, 4, 6, 8 or 10 digits as text, chapters 01-09 with their leading zero (\"010620\")".to_string()
            };
            return Err(Error::InvalidProduct {
                code: code.to_string(),
                context: String::new(),
                hint,
            });
        }
        if code != crate::model::product::TOTAL && longest > 0 && code.len() > longest {
            return Err(Error::InvalidProduct {
                code: code.to_string(),
                context: format!(" for this table ({vintage}, codes of at most {longest} digits)"),
                hint: format!(
                    "the table's codes have {longest} digits: pass \"{}\" (the first {longest} digits) or a shorter prefix",
                    &code[..longest]
                ),
            });
        }
    }
    Ok(())
}

/// Every code an importer ever had as a member (named groups over their whole history).
fn members_ever(imp: &Importer) -> Result<Vec<u16>> {
    match &imp.members {
        Membership::Countries(c) => Ok(c.clone()),
        Membership::Group(name) => Ok(groups::group(name)?.members.iter().map(|m| m.code).collect()),
    }
}

/// A table read for some importers only ([`TableMeta::importers`](crate::model::TableMeta::importers))
/// answers for them alone: every member of every importer asked for (a group's members in any
/// year) must be among them, or this says which are not and what to read instead.
///
/// ```
/// use tradedep::io::baci::{read_baci_bytes, BaciOptions};
/// use tradedep::metrics::{check_selection, ImportSelection, Importer, Source};
/// let text = b"t,i,j,k,v,q\n2021,156,643,854231,1,NA\n2021,156,804,854231,2,NA\n";
/// let opts = BaciOptions { importers: Some(&[643]), ..Default::default() };
/// let t = read_baci_bytes(text, "BACI_HS17_Y2021_V202401.csv", &opts)?;
/// let all = ImportSelection { source: Source::Mirror, ..Default::default() };
/// assert!(check_selection(&t, Some(&[Importer::country(643)]), &all).is_ok());
/// let err = check_selection(&t, Some(&[Importer::country(804)]), &all).unwrap_err();
/// assert!(err.to_string().contains("limited to flows into RUS"), "{err}");
/// # Ok::<(), tradedep::Error>(())
/// ```
pub(crate) fn check_importers_read(table: &TradeTable, importers: &[Importer]) -> Result<()> {
    let Some(read) = &table.meta().importers else {
        return Ok(());
    };
    for imp in importers {
        let missing: Vec<u16> = members_ever(imp)?
            .into_iter()
            .filter(|c| read.binary_search(c).is_err())
            .collect();
        if !missing.is_empty() {
            return Err(Error::invalid_argument(
                format!(
                    "{} is not covered: the table was {}, and {} not among them",
                    imp.label,
                    table.meta().restriction().unwrap_or_default(),
                    preview(missing.iter().map(|c| country_label(*c))),
                ),
                format!(
                    "read the file again with importers= including {} (or without importers= for every importer)",
                    imp.label
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses an empty selection (`empty`: the metric's cube selected no record) with the error
/// [`check_selection`] gives, which says what the table holds and what to pass; a selection it
/// finds non-empty (a group's members in other periods) gets a plain "empty" error. The Python
/// binding runs `check_selection` first; this is the same rule for Rust callers.
pub(crate) fn refuse_empty(
    empty: bool,
    table: &TradeTable,
    importers: Option<&[Importer]>,
    imports: &ImportSelection,
) -> Result<()> {
    if !empty {
        return Ok(());
    }
    check_selection(table, importers, imports)?;
    Err(Error::invalid_argument(
        format!(
            "the selection is empty: no {} in the table's periods",
            what_selected(importers, imports.source)
        ),
        "check the importer (a group's members change with the period), the products and the source against the table",
    ))
}

/// Refuses a metric that needs exporters' exports to every destination (`needs`) on a table
/// read for some importers only.
pub(crate) fn refuse_importers_read(table: &TradeTable, needs: &str) -> Result<()> {
    match table.meta().restriction() {
        None => Ok(()),
        Some(read) => Err(Error::invalid_argument(
            format!("{needs}; the table was {read}"),
            "read the file without importers= (every importer) for this metric",
        )),
    }
}

/// An importer must be in the table on the side the source reads.
fn check_importer(imp: &Importer, members: &[u16], source: Source, sides: &Sides) -> Result<()> {
    let reported = members.iter().any(|m| sides.importers.binary_search(m).is_ok());
    let mirrored = members.iter().any(|m| sides.export_partners.binary_search(m).is_ok());
    let ok = match source {
        Source::Reported => reported,
        Source::Mirror => mirrored,
        Source::Auto => reported || mirrored,
    };
    if ok {
        return Ok(());
    }
    let holds = format!(
        "the table holds imports reported by {} and exports reported by {} to {}",
        countries_phrase(&sides.importers),
        countries_phrase(&sides.exporters),
        countries_phrase(&sides.export_partners)
    );
    let (what, hint) = match (reported, mirrored) {
        (false, true) => (
            format!(
                "importer {} reported no imports in this table (source=\"reported\")",
                imp.label
            ),
            format!("{holds}; pass source=\"mirror\" (partners' exports) or \"auto\""),
        ),
        (true, false) => (
            format!(
                "no partner reported exports to importer {} (source=\"mirror\")",
                imp.label
            ),
            format!("{holds}; pass source=\"reported\" or \"auto\""),
        ),
        _ => (
            format!(
                "importer {} is in no row of the table as an importer (no imports it reported, no exports to it)",
                imp.label
            ),
            format!("{holds}; pass one of those"),
        ),
    };
    Err(Error::invalid_argument(what, hint))
}

/// A source must find rows of its side in the table at all.
fn check_source(source: Source, sides: &Sides) -> Result<()> {
    match source {
        Source::Reported if sides.importers.is_empty() => Err(Error::invalid_argument(
            "source=\"reported\" reads importers' reported imports, and no row of this table is an import (it holds exporters' reports only, as BACI and Comext export files do)",
            "pass source=\"mirror\" (partners' exports as imports) or \"auto\"",
        )),
        Source::Mirror if sides.exporters.is_empty() => Err(Error::invalid_argument(
            "source=\"mirror\" reads partners' reported exports, and no row of this table is an export",
            "pass source=\"reported\" or \"auto\"",
        )),
        _ => Ok(()),
    }
}

fn what_selected(importers: Option<&[Importer]>, source: Source) -> String {
    let who = match importers {
        None => "any importer".to_string(),
        Some(list) => list.iter().map(|i| i.label.as_str()).collect::<Vec<_>>().join(", "),
    };
    let side = match source {
        Source::Reported => "reported imports",
        Source::Mirror => "partners' exports",
        Source::Auto => "imports (reported or mirror)",
    };
    format!("{side} of {who}")
}

/// "3 countries (ARM, GEO, KAZ)" or "no country"; long lists are cut.
fn countries_phrase(codes: &[u16]) -> String {
    if codes.is_empty() {
        return "no country".to_string();
    }
    let n = codes.len();
    format!(
        "{n} {} ({})",
        if n == 1 { "country" } else { "countries" },
        preview(codes.iter().map(|c| country_label(*c)))
    )
}

/// The first 10 items joined, "..." after them.
fn preview(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    let mut s = v.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if v.len() > 10 {
        s.push_str(&format!(", ... {} more", v.len() - 10));
    }
    s
}
