//! Row selection by reporter, partner, flow, product (code or prefix) and period.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int8Type, UInt16Type};
use arrow_array::{Array, BooleanArray};
use arrow_select::filter::filter_record_batch;

use crate::error::{Error, Result};
use crate::model::{Flow, TradeTable};

/// Which rows to keep. Each `None` keeps everything; conditions combine with AND.
///
/// ```
/// use tradedep::model::{Filter, Flow};
/// let f = Filter::default()
///     .reporters([643])
///     .partners([156, 344])
///     .flows([Flow::Import])
///     .products(["8542"])
///     .periods(Some(202201), None); // the demo table is monthly
/// let t = tradedep::demo::demo_table()?.filter(&f)?;
/// assert!(t.num_rows() > 0);
/// assert_eq!((f.period_from, f.period_to), (Some(202201), None));
/// assert!(t.num_rows() < tradedep::demo::demo_table()?.num_rows());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub reporters: Option<Vec<u16>>,
    pub partners: Option<Vec<u16>>,
    pub flows: Option<Vec<Flow>>,
    /// Product codes or prefixes: `"8542"` keeps `854231`, `854232` ...
    pub products: Option<Vec<String>>,
    /// Inclusive period bounds, in the table's `period` encoding (YYYY or YYYYMM).
    pub period_from: Option<i32>,
    pub period_to: Option<i32>,
}

impl Filter {
    /// Keeps rows of these reporters (numeric country codes); see the example on [`Filter`].
    ///
    /// ```
    /// let t = tradedep::demo::demo_table()?.filter(&tradedep::model::Filter::default().reporters([804]))?;
    /// assert!(t.num_rows() > 0 && t.num_rows() < tradedep::demo::demo_table()?.num_rows()); // Ukraine only
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn reporters(mut self, codes: impl IntoIterator<Item = u16>) -> Self {
        self.reporters = Some(codes.into_iter().collect());
        self
    }
    /// Keeps rows with these partners; see the example on [`Filter`].
    ///
    /// ```
    /// use tradedep::model::Filter;
    /// assert_eq!(Filter::default().partners([156, 344]).partners, Some(vec![156, 344]));
    /// ```
    pub fn partners(mut self, codes: impl IntoIterator<Item = u16>) -> Self {
        self.partners = Some(codes.into_iter().collect());
        self
    }
    /// Keeps rows of these flows; see the example on [`Filter`].
    ///
    /// ```
    /// use tradedep::{model::Filter, Flow};
    /// let t = tradedep::demo::demo_table()?; // imports only
    /// assert_eq!(t.filter(&Filter::default().flows([Flow::Export]))?.num_rows(), 0);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn flows(mut self, flows: impl IntoIterator<Item = Flow>) -> Self {
        self.flows = Some(flows.into_iter().collect());
        self
    }
    /// Keeps rows whose product starts with one of these codes; see the example on [`Filter`].
    ///
    /// ```
    /// use tradedep::model::Filter;
    /// let t = tradedep::demo::demo_table()?;
    /// let chips = t.filter(&Filter::default().products(["8542"]))?;
    /// let cpus = t.filter(&Filter::default().products(["854231"]))?;
    /// assert_eq!(chips.num_rows(), cpus.num_rows()); // 854231 is the demo's only 8542 code
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn products<S: Into<String>>(mut self, codes: impl IntoIterator<Item = S>) -> Self {
        self.products = Some(codes.into_iter().map(Into::into).collect());
        self
    }
    /// Keeps periods in `from..=to` (either bound open); see the example on [`Filter`].
    ///
    /// ```
    /// use tradedep::model::Filter;
    /// let t = tradedep::demo::demo_table()?; // monthly, 2021-01 to 2023-12
    /// let y2022 = t.filter(&Filter::default().periods(Some(202201), Some(202212)))?;
    /// let to_2022 = t.filter(&Filter::default().periods(None, Some(202212)))?;
    /// assert!(y2022.num_rows() > 0 && y2022.num_rows() < to_2022.num_rows());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn periods(mut self, from: Option<i32>, to: Option<i32>) -> Self {
        self.period_from = from;
        self.period_to = to;
        self
    }
}

fn member_mask(set: &Option<Vec<u16>>) -> Option<Vec<bool>> {
    set.as_ref().map(|codes| {
        let mut m = vec![false; u16::MAX as usize + 1];
        for c in codes {
            m[*c as usize] = true;
        }
        m
    })
}

impl TradeTable {
    /// Keeps the rows that satisfy `filter`. Arrow buffers of untouched columns are filtered,
    /// not re-parsed; the report gains a note saying what was filtered.
    ///
    /// ```
    /// # use tradedep::model::*;
    /// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
    /// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "854231", 10.0)).unwrap();
    /// b.push(TradeRow::new(2023, 643, 344, Flow::Import, "850760", 5.0)).unwrap();
    /// let t = b.finish().unwrap();
    /// assert_eq!(t.filter(&Filter::default().products(["8542"])).unwrap().num_rows(), 1);
    /// ```
    pub fn filter(&self, filter: &Filter) -> Result<TradeTable> {
        let reporters = member_mask(&filter.reporters);
        let partners = member_mask(&filter.partners);
        let mut out = Vec::with_capacity(self.batches().len());
        for batch in self.batches() {
            let n = batch.num_rows();
            let mut keep = vec![true; n];
            let period = batch.column(0).as_primitive::<Int32Type>().values();
            if filter.period_from.is_some() || filter.period_to.is_some() {
                let lo = filter.period_from.unwrap_or(i32::MIN);
                let hi = filter.period_to.unwrap_or(i32::MAX);
                for (k, p) in keep.iter_mut().zip(period.iter()) {
                    *k &= *p >= lo && *p <= hi;
                }
            }
            for (mask, idx) in [(&reporters, 1), (&partners, 2)] {
                if let Some(mask) = mask {
                    let codes = batch.column(idx).as_primitive::<UInt16Type>().values();
                    for (k, c) in keep.iter_mut().zip(codes.iter()) {
                        *k &= mask[*c as usize];
                    }
                }
            }
            if let Some(flows) = &filter.flows {
                let keys = batch.column(3).as_dictionary::<Int8Type>().keys().values();
                for (k, f) in keep.iter_mut().zip(keys.iter()) {
                    *k &= flows.iter().any(|fl| *fl as i8 == *f);
                }
            }
            if let Some(prefixes) = &filter.products {
                let dict = batch.column(4).as_dictionary::<Int32Type>();
                let values = dict.values().as_string::<i32>();
                let selected: Vec<bool> = (0..values.len())
                    .map(|i| values.is_valid(i) && prefixes.iter().any(|p| values.value(i).starts_with(p.as_str())))
                    .collect();
                for (k, key) in keep.iter_mut().zip(dict.keys().values().iter()) {
                    *k &= selected[*key as usize];
                }
            }
            let mask = BooleanArray::from(keep);
            out.push(filter_record_batch(batch, &mask).map_err(|e| Error::arrow("filtering rows", e))?);
        }
        Ok(self.with_batches(out))
    }
}
