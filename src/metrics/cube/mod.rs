//! The import cube: the one aggregation under the metrics.
//!
//! A metric asks for the imports of some importers (countries, or groups whose members change
//! by period), broken down by cells (`by`: period/year/quarter, product, partner) and, in each
//! cell, by items (suppliers or supplier groups; or products, for concentration over products).
//! The cube answers with the sums of every (cell, item): value, quantity per unit, rows,
//! mirrored and estimated rows, months present ([`Acc`]), in key order, each cell's items
//! contiguous ([`ImportCube::for_each_cell`]). A metric is then a finish step over those
//! contiguous groups.
//!
//! Stages, one file each:
//! 1. [`slots`]: who imports — importer slots of a country in a period, resolved once per
//!    distinct membership (EU27 before and after 2020-02-01), not per row;
//! 2. [`scan`]: the map stage — row ranges of the table read through the import view
//!    ([`ViewPlan`]: source, products and weights, `cif_fob`) on rayon's threads into records
//!    keyed by one integer ([`key`]: importer slot, time key, product or partner, item; its
//!    order is the output order);
//! 3. [`sort`]: each thread's run of records sorted in place (a radix pass on the key's top
//!    bits, then each bucket), the runs read in key order by merging them; or, for a cube of
//!    few keys, [`combine`]: rows summed per key while they are read, no records kept;
//! 4. [`cells`]: the sorted records summed per (cell, item), one cell at a time, into the
//!    metric's finish (only the current cell's accumulators exist).
//!
//! The same partial aggregate, defined in SQL, is what `tradedep.engines` computes on DuckDB
//! and Spark before handing the merged cube to the metrics.

mod cells;
mod combine;
mod key;
#[cfg(test)]
mod paths_test;
mod scan;
#[cfg(test)]
mod shapes_test;
mod slots;
mod sort;

pub(crate) use slots::{PeriodSlots, SlotLookup};

use crate::error::Result;
use crate::metrics::group::{Acc, CellKey, ImporterSlots, SupplierKeys};
use crate::metrics::selection::ImportSelection;
use crate::metrics::shares::{By, TimeKey};
use crate::metrics::view::{ViewOptions, ViewPlan};
use crate::model::{Freq, TradeTable};

/// The aggregated imports: records sorted into cells, and the names behind the ids. A metric
/// reads it with [`ImportCube::for_each_cell`].
pub struct ImportCube {
    /// Product codes by product id (ids are in code order).
    pub products: Vec<String>,
    /// Unit names by unit id (the `u16` of [`crate::metrics::group::Qty::Unit`]).
    pub units: Vec<String>,
    keyed: cells::Keyed,
    layout: key::KeyLayout,
    /// Smallest and largest time key of the table's periods (`None` without periods).
    time_span: Option<(i32, i32)>,
    shape: CubeShape,
    cancel: crate::cancel::Cancellation,
}

/// How the map stage sums: while it reads when the cube has few keys ([`combine`]), else by
/// sorting records ([`sort`]).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Summing {
    Auto,
    #[cfg_attr(not(test), allow(dead_code))]
    WhileRead,
    #[cfg_attr(not(test), allow(dead_code))]
    Sorted,
}

#[cfg(test)]
thread_local! {
    /// Tests build the same cube both ways ([`paths_test`]).
    static FORCED_SUMMING: std::cell::Cell<Summing> = const { std::cell::Cell::new(Summing::Auto) };
}

impl Summing {
    fn chosen() -> Summing {
        #[cfg(test)]
        return FORCED_SUMMING.with(|f| f.get());
        #[cfg(not(test))]
        Summing::Auto
    }
}

/// What a metric's finish reads of each item's sums: the map stage keeps no more per record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Detail {
    /// Value, rows, mirrored and estimated rows, months: records of 16 bytes where the key
    /// leaves room for the flags ([`scan::Narrow`]), else full ones.
    Values,
    /// Also quantities per unit.
    Quantities,
    /// Also each item's table rows (`explain`).
    Rows,
}

impl Detail {
    /// [`Detail::Rows`] when the metric explains its numbers, else `self`.
    pub fn or_rows(self, explain: bool) -> Detail {
        if explain {
            Detail::Rows
        } else {
            self
        }
    }
}

/// What the cube is keyed by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CubeShape {
    pub time: TimeKey,
    pub by_product: bool,
    pub by_partner: bool,
    /// Items are products (concentration over products) instead of suppliers.
    pub over_product: bool,
    pub monthly: bool,
    pub explain: bool,
    /// The finish reads no quantities and no rows ([`Detail::Values`]).
    pub values_only: bool,
    /// Keys order product (or partner) before time: (slot, product, time, item).
    pub product_major: bool,
    /// Slots are the exporters (the view's suppliers) and items the importers: an origin's
    /// exports by destination ([`ImportCube::build_exports`]).
    pub exports: bool,
    /// Both flows read, and items carry the side: `item << 1 | mirrored` (importers' reported
    /// imports next to partners' reported exports of the same flow, [`ImportCube::build_sides`]).
    pub sides: bool,
}

impl ImportCube {
    /// Whether the view selected no record. A metric whose result is this cube refuses it with
    /// what the table holds ([`crate::metrics::coverage::refuse_empty`]): an empty result is
    /// never returned silently.
    pub(crate) fn is_empty(&self) -> bool {
        self.keyed.is_empty()
    }

    /// Aggregates the `imports` of `table` for the importers of `slots`, cells keyed by `by`,
    /// items by supplier key (`suppliers`, from `imports.groups`) or, with `over_product`, by
    /// product id; each item's sums as far as `detail` asks.
    pub(crate) fn build(
        table: &TradeTable,
        slots: &ImporterSlots,
        imports: &ImportSelection,
        by: &[By],
        detail: Detail,
        suppliers: &SupplierKeys,
        over_product: bool,
    ) -> Result<ImportCube> {
        let shape = CubeShape {
            time: TimeKey::from_by(by, table.meta().freq)?,
            by_product: by.contains(&By::Product),
            by_partner: by.contains(&By::Partner),
            over_product,
            monthly: table.meta().freq == Freq::Monthly,
            explain: detail == Detail::Rows,
            values_only: detail == Detail::Values,
            product_major: false,
            exports: false,
            sides: false,
        };
        Self::with_shape(table, slots, imports, suppliers, shape)
    }

    /// Cells by importer, product and year — in that order, so that one importer's years of a
    /// product are neighbours (the dependency flags' persistence over a window of years) —
    /// items by supplier.
    pub(crate) fn build_by_product_year(
        table: &TradeTable,
        slots: &ImporterSlots,
        imports: &ImportSelection,
        suppliers: &SupplierKeys,
        detail: Detail,
    ) -> Result<ImportCube> {
        let shape = CubeShape {
            time: TimeKey::Year,
            by_product: true,
            by_partner: false,
            over_product: false,
            monthly: table.meta().freq == Freq::Monthly,
            explain: detail == Detail::Rows,
            values_only: detail == Detail::Values,
            product_major: true,
            exports: false,
            sides: false,
        };
        Self::with_shape(table, slots, imports, suppliers, shape)
    }

    /// Exports instead of imports: slots are exporters (the view's suppliers: under
    /// `imports.source` reported the partners of flow-import rows, under mirror the reporters of
    /// flow-export rows) and items the importers' codes; cells by `by`'s time key and product.
    /// The importers of `slots` are the exporters; `include_intra_group` decides as for imports.
    /// With `sides`, both flows in one scan: items `importer << 1 | side`, side 1 for the
    /// exporters' own reports (flow export), 0 for the importers' (flow import; `cif_fob` unused).
    pub(crate) fn build_exports(
        table: &TradeTable,
        slots: &ImporterSlots,
        imports: &ImportSelection,
        by: &[By],
        sides: bool,
    ) -> Result<ImportCube> {
        let shape = CubeShape {
            time: TimeKey::from_by(by, table.meta().freq)?,
            by_product: by.contains(&By::Product),
            by_partner: false,
            over_product: false,
            monthly: table.meta().freq == Freq::Monthly,
            explain: false,
            values_only: false,
            product_major: false,
            exports: true,
            sides,
        };
        Self::with_shape(table, slots, imports, &SupplierKeys::new(&[])?, shape)
    }

    /// Reported and mirror side by side: both flows of the table are read (`imports.source` is
    /// not used; mirror values are not multiplied by `cif_fob`), cells by importer, partner and
    /// time key in that order (`CellKey::partner` the partner's code), items `product << 1 |
    /// side` with side 1 for a partner's reported export. Product ids are in code order; without
    /// [`By::Product`] in `by` every item's product is 0 (items are the two sides).
    pub(crate) fn build_sides(
        table: &TradeTable,
        slots: &ImporterSlots,
        imports: &ImportSelection,
        by: &[By],
    ) -> Result<ImportCube> {
        let shape = CubeShape {
            time: TimeKey::from_by(by, table.meta().freq)?,
            by_product: by.contains(&By::Product),
            by_partner: true,
            over_product: true,
            monthly: table.meta().freq == Freq::Monthly,
            explain: false,
            values_only: false,
            product_major: true,
            exports: false,
            sides: true,
        };
        Self::with_shape(table, slots, imports, &SupplierKeys::new(&[])?, shape)
    }

    fn with_shape(
        table: &TradeTable,
        slots: &ImporterSlots,
        imports: &ImportSelection,
        suppliers: &SupplierKeys,
        shape: CubeShape,
    ) -> Result<ImportCube> {
        let over_product = shape.over_product;
        if shape.explain && table.num_rows() > u32::MAX as usize {
            return Err(crate::error::Error::invalid_argument(
                format!("explain on a table of {} rows", table.num_rows()),
                "explain works on tables of at most 4,294,967,295 rows: select a year or importers first",
            ));
        }
        // A table read for some importers answers for them only; an exports cube's slots are
        // exporters, and its metrics say what they need (refuse_importers_read).
        if !shape.exports {
            crate::metrics::coverage::check_importers_read(table, &slots.importers)?;
        }
        // The slots' codes filter the importers, not the exporters of an exports cube.
        let codes = if shape.exports { None } else { slots.static_codes() };
        let plan = ViewPlan::new(
            table,
            &ViewOptions {
                source: imports.source,
                cif_fob: imports.cif_fob,
                products: imports.products.as_ref(),
                importers: codes.as_deref(),
                cancel: Some(&imports.cancel),
            },
        )?
        .with_both_flows(shape.sides);
        let lookup = slots::SlotLookup::new(table, slots)?;
        // Product ranks in code order, so that keys sort products by code.
        let mut order: Vec<u32> = (0..plan.products.len() as u32).collect();
        order.sort_unstable_by(|a, b| plan.products[*a as usize].cmp(&plan.products[*b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (r, id) in order.iter().enumerate() {
            rank[*id as usize] = r as u32;
        }
        let products: Vec<String> = order.iter().map(|id| plan.products[*id as usize].clone()).collect();
        let times = lookup.periods().iter().map(|p| shape.time.key(*p));
        let (time_min, time_max) = times.fold((i32::MAX, i32::MIN), |(a, b), t| (a.min(t), b.max(t)));
        let n_products = products.len().max(1) as u32 - 1;
        let supplier_max = crate::metrics::group::GROUP_BASE + imports.groups.len() as u32;
        let (third_max, item_max) = if over_product {
            (supplier_max, n_products)
        } else {
            (n_products, supplier_max)
        };
        let item_max = if shape.sides { item_max * 2 + 1 } else { item_max };
        let layout = key::KeyLayout::new(
            slots.importers.len(),
            time_min,
            time_max,
            third_max,
            item_max,
            shape.product_major,
        );
        let exclude_intra = !imports.include_intra_group;
        let maker = scan::KeyMaker {
            lookup: &lookup,
            suppliers,
            rank: &rank,
            shape,
            exclude_intra,
        };
        let cancel = &imports.cancel;
        let mut time_keys: Vec<i32> = lookup.periods().iter().map(|p| shape.time.key(*p)).collect();
        time_keys.dedup();
        let few = layout.fits_u64
            && combine::fits_counts(table.num_rows())
            && match Summing::chosen() {
                Summing::Auto => {
                    combine::has_few_keys(shape, slots.importers.len(), time_keys.len(), products.len(), || {
                        combine::distinct_countries(table)
                    })
                }
                Summing::WhileRead => !shape.explain,
                Summing::Sorted => false,
            };
        let flag_bits = scan::narrow_flag_bits(shape.monthly);
        let narrow = shape.values_only && layout.fits_u64 && layout.used_bits() + flag_bits <= 64;
        let keyed = if few {
            cells::Keyed::Summed(combine::scan(
                &plan,
                &maker,
                |s, t, p, i| layout.pack64(s, t, p, i),
                cancel,
            )?)
        } else if narrow {
            cells::Keyed::Narrow {
                runs: scan::scan(
                    table,
                    &plan,
                    &maker,
                    |s, t, p, i| layout.pack64(s, t, p, i),
                    |r| scan::Narrow::of(r, flag_bits),
                    layout.used_bits() + flag_bits,
                    cancel,
                )?,
                flag_bits,
            }
        } else if layout.fits_u64 {
            cells::Keyed::U64(scan::scan(
                table,
                &plan,
                &maker,
                |s, t, p, i| layout.pack64(s, t, p, i),
                |r| r,
                layout.used_bits(),
                cancel,
            )?)
        } else {
            cells::Keyed::U128(scan::scan(
                table,
                &plan,
                &maker,
                |s, t, p, i| layout.pack128(s, t, p, i),
                |r| r,
                layout.used_bits(),
                cancel,
            )?)
        };
        Ok(ImportCube {
            time_span: (time_min <= time_max).then_some((time_min, time_max)),
            products,
            units: plan.units,
            keyed,
            layout,
            shape,
            cancel: imports.cancel.clone(),
        })
    }

    /// The product codes by id, the records let go (before a finish's parts are joined, so
    /// that the records and the joined result never exist together).
    pub fn into_products(self) -> Vec<String> {
        self.products
    }

    /// Smallest and largest time key (year, quarter or period, as the cube is keyed) of the
    /// table's periods: every cell's time lies within it. `None` for a table without periods.
    pub fn time_span(&self) -> Option<(i32, i32)> {
        self.time_span
    }

    /// Calls `f` with each cell (key order: importer slot, time key, product, partner) and its
    /// items (supplier keys, or product ids over products; key order) with their sums, which
    /// `f` may reorder. Stops at the first error of `f`, or when the selection is cancelled.
    pub fn for_each_cell(&self, mut f: impl FnMut(CellKey, &mut [(u32, Acc)]) -> Result<()>) -> Result<()> {
        cells::for_each_cell(&self.keyed, &self.layout, self.shape, &self.cancel, &mut f)
    }

    /// [`ImportCube::for_each_cell`] on every thread: the cells are cut into consecutive parts
    /// (never inside a cell), each part's finish `f` writes into its own state made by `init`,
    /// and the states are returned in key order, for the metric to join (e.g. concatenating
    /// each part's columns).
    pub fn for_each_cell_parallel<S: Send>(
        &self,
        init: impl Fn() -> S + Sync,
        f: impl Fn(&mut S, CellKey, &mut [(u32, Acc)]) -> Result<()> + Sync,
    ) -> Result<Vec<S>> {
        cells::for_each_cell_parallel(&self.keyed, &self.layout, self.shape, &self.cancel, &init, &f)
    }
}

/// One batch of the batches that a parallel finish's parts made, in their order (there is
/// always at least one part). Joined a column at a time, each part's column let go once it is
/// copied, so that the parts and the whole never exist together (at a million cells, about
/// 100 MB).
pub(crate) fn concat_parts(batches: Vec<arrow_array::RecordBatch>) -> Result<arrow_array::RecordBatch> {
    if batches.len() == 1 {
        return Ok(batches.into_iter().next().expect("one batch"));
    }
    let schema = batches.first().map(|b| b.schema()).expect("at least one part");
    let mut parts: Vec<Vec<Option<arrow_array::ArrayRef>>> = batches
        .into_iter()
        .map(|b| b.columns().iter().cloned().map(Some).collect())
        .collect();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for i in 0..schema.fields().len() {
        let pieces: Vec<arrow_array::ArrayRef> = parts.iter_mut().filter_map(|p| p[i].take()).collect();
        let refs: Vec<&dyn arrow_array::Array> = pieces.iter().map(|a| a.as_ref()).collect();
        columns.push(
            arrow_select::concat::concat(&refs)
                .map_err(|e| crate::error::Error::arrow("joining the finish's parts", e))?,
        );
    }
    arrow_array::RecordBatch::try_new(schema, columns)
        .map_err(|e| crate::error::Error::arrow("joining the finish's parts", e))
}

#[cfg(test)]
mod concat_test {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray};

    #[test]
    fn parts_join_in_order_column_by_column() {
        let part = |n: &[i32], s: &[&str]| {
            RecordBatch::try_from_iter([
                ("n", Arc::new(Int32Array::from(n.to_vec())) as ArrayRef),
                ("s", Arc::new(StringArray::from(s.to_vec())) as ArrayRef),
            ])
            .unwrap()
        };
        let joined = super::concat_parts(vec![part(&[1, 2], &["a", "b"]), part(&[], &[]), part(&[3], &["c"])]).unwrap();
        assert_eq!(joined.num_rows(), 3);
        assert_eq!(joined.column(0).as_primitive::<Int32Type>().values(), &[1, 2, 3]);
        let s: Vec<&str> = joined.column(1).as_string::<i32>().iter().map(|v| v.unwrap()).collect();
        assert_eq!(s, ["a", "b", "c"]);
        let one = super::concat_parts(vec![part(&[7], &["x"])]).unwrap();
        assert_eq!(one.num_rows(), 1);
    }
}
