//! Group-by machinery shared by the metrics: importers (countries or groups with membership by
//! period), supplier groups ("China+HK"), and per-cell accumulators with integer keys.

use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::metrics::view::{country_label, ImportView, NO_UNIT};
use crate::model::{Freq, Period};
use crate::reference::groups;

/// Who imports: one country, an explicit set of countries, or a named group whose membership
/// depends on the period (e.g. EU27, resolved with [`groups::members`]).
///
/// ```
/// use tradedep::metrics::{Importer, Membership};
/// let ru = Importer::country(643);
/// assert_eq!((ru.label.as_str(), &ru.members), ("RUS", &Membership::Countries(vec![643])));
/// assert!(!ru.is_group());
/// assert!(Importer::countries("China+HK", [156, 344]).is_group()); // two countries
/// assert!(!Importer::countries("Russia", [643]).is_group());
/// let eu = Importer::group("EU27");
/// assert_eq!((eu.label.as_str(), eu.is_group()), ("EU27", true));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Importer {
    /// Name in the output (`"RUS"`, `"EU27"`).
    pub label: String,
    /// Who is in it.
    pub members: Membership,
}

/// Membership of an importer or supplier group.
///
/// ```
/// use tradedep::metrics::{Importer, Membership};
/// assert_eq!(Importer::group("EAEU").members, Membership::Group("EAEU".into()));
/// assert_eq!(Importer::countries("China+HK", [156, 344]).members, Membership::Countries(vec![156, 344]));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Membership {
    /// Fixed numeric codes.
    Countries(Vec<u16>),
    /// A built-in group, members looked up per period with `reference::groups::members`.
    Group(String),
}

impl Importer {
    /// One country, labelled with its ISO3 code when known.
    ///
    /// ```
    /// use tradedep::metrics::Importer;
    /// assert_eq!(Importer::country(398).label, "KAZ");
    /// assert_eq!(Importer::country(697).label, "697"); // Europe EFTA nes: no ISO3 code
    /// ```
    pub fn country(code: u16) -> Self {
        Importer {
            label: country_label(code),
            members: Membership::Countries(vec![code]),
        }
    }
    /// A fixed set of countries under a name (e.g. `"EU27"` with an explicit member list).
    ///
    /// ```
    /// use tradedep::metrics::{Importer, Membership};
    /// let hubs = Importer::countries("Caucasus", [51, 268]);
    /// assert_eq!((hubs.label.as_str(), hubs.members), ("Caucasus", Membership::Countries(vec![51, 268])));
    /// ```
    pub fn countries(label: &str, codes: impl IntoIterator<Item = u16>) -> Self {
        Importer {
            label: label.to_string(),
            members: Membership::Countries(codes.into_iter().collect()),
        }
    }
    /// A built-in group (membership by period).
    ///
    /// ```
    /// use tradedep::metrics::{Importer, Membership};
    /// assert_eq!(Importer::group("EAEU").members, Membership::Group("EAEU".to_string()));
    /// ```
    pub fn group(name: &str) -> Self {
        Importer {
            label: name.to_string(),
            members: Membership::Group(name.to_string()),
        }
    }
    /// True when more than one country can be in it (intra-group trade is then excluded).
    ///
    /// ```
    /// use tradedep::metrics::Importer;
    /// assert!(Importer::group("EU27").is_group());
    /// assert!(Importer::countries("CHN+HKG", [156, 344]).is_group());
    /// assert!(!Importer::country(643).is_group());
    /// ```
    pub fn is_group(&self) -> bool {
        match &self.members {
            Membership::Countries(c) => c.len() > 1,
            Membership::Group(_) => true,
        }
    }
}

/// A named set of suppliers that counts as one partner.
///
/// ```
/// use tradedep::metrics::SupplierGroup;
/// let g = SupplierGroup::new("China+HK", [156, 344]);
/// assert_eq!((g.name.as_str(), g.members.as_slice()), ("China+HK", &[156u16, 344][..]));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierGroup {
    /// Name in the output (the `supplier` column).
    pub name: String,
    /// Numeric country codes.
    pub members: Vec<u16>,
}

impl SupplierGroup {
    /// A group named `name` of the countries `members`.
    ///
    /// ```
    /// use tradedep::metrics::SupplierGroup;
    /// assert_eq!(SupplierGroup::new("China+HK", vec![156, 344]).members, [156, 344]);
    /// ```
    pub fn new(name: &str, members: impl IntoIterator<Item = u16>) -> Self {
        SupplierGroup {
            name: name.to_string(),
            members: members.into_iter().collect(),
        }
    }
}

/// First key of supplier groups in a supplier key; country codes are below it.
pub const GROUP_BASE: u32 = 1 << 16;
/// Supplier key of "rest of world" rows.
pub const REST_OF_WORLD: u32 = u32::MAX - 1;

/// Maps a supplier code to its key: the code, or `GROUP_BASE + group index`.
///
/// ```
/// use tradedep::metrics::SupplierGroup;
/// use tradedep::metrics::group::{SupplierKeys, GROUP_BASE, REST_OF_WORLD};
/// let keys = SupplierKeys::new(&[SupplierGroup::new("China+HK", [156, 344])])?;
/// assert_eq!((keys.key(156), keys.key(344)), (GROUP_BASE, GROUP_BASE)); // group 0
/// assert_eq!(keys.key(792), 792); // Türkiye stays its own supplier
/// assert_eq!(keys.label(GROUP_BASE), ("China+HK".to_string(), None));
/// assert_eq!(keys.label(792), ("TUR".to_string(), Some(792)));
/// assert_eq!(keys.label(REST_OF_WORLD), ("Rest of world".to_string(), None));
/// // China in two groups would be counted twice.
/// let twice = [SupplierGroup::new("a", [156]), SupplierGroup::new("b", [156, 344])];
/// assert!(SupplierKeys::new(&twice).is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SupplierKeys {
    map: Vec<u32>,
    names: Vec<String>,
}

impl SupplierKeys {
    /// Keys for `groups`; an error when a country is in two of them.
    ///
    /// ```
    /// use tradedep::metrics::{group::SupplierKeys, SupplierGroup};
    /// assert!(SupplierKeys::new(&[]).is_ok()); // every supplier on its own
    /// let overlap = [SupplierGroup::new("China+HK", [156, 344]), SupplierGroup::new("Greater China", [156, 158])];
    /// assert!(SupplierKeys::new(&overlap).is_err()); // China would count twice
    /// ```
    pub fn new(groups: &[SupplierGroup]) -> Result<Self> {
        let mut map: Vec<u32> = (0..=u16::MAX as u32).collect();
        let mut owner: HashMap<u16, usize> = HashMap::new();
        for (g, group) in groups.iter().enumerate() {
            for m in &group.members {
                if let Some(prev) = owner.insert(*m, g) {
                    if prev != g {
                        return Err(Error::invalid_argument(
                            format!(
                                "country {} is in supplier groups {:?} and {:?}",
                                country_label(*m),
                                groups[prev].name,
                                group.name
                            ),
                            "a supplier can belong to one group only, or the shares would count it twice",
                        ));
                    }
                }
                map[*m as usize] = GROUP_BASE + g as u32;
            }
        }
        Ok(SupplierKeys {
            map,
            names: groups.iter().map(|g| g.name.clone()).collect(),
        })
    }
    /// The key of supplier `code`: its group's, or the code itself.
    ///
    /// ```
    /// use tradedep::metrics::group::{SupplierKeys, GROUP_BASE};
    /// use tradedep::metrics::SupplierGroup;
    /// let keys = SupplierKeys::new(&[SupplierGroup::new("a", [4]), SupplierGroup::new("b", [8])])?;
    /// assert_eq!((keys.key(4), keys.key(8), keys.key(12)), (GROUP_BASE, GROUP_BASE + 1, 12));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    #[inline]
    pub fn key(&self, code: u16) -> u32 {
        self.map[code as usize]
    }
    /// Display label and numeric code (None for groups and the rest of the world).
    ///
    /// ```
    /// use tradedep::metrics::group::{SupplierKeys, REST_OF_WORLD};
    /// let keys = SupplierKeys::new(&[])?;
    /// assert_eq!(keys.label(keys.key(156)), ("CHN".to_string(), Some(156)));
    /// assert_eq!(keys.label(REST_OF_WORLD).1, None);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn label(&self, key: u32) -> (String, Option<u16>) {
        let (label, code) = self.label_str(key);
        (label.into_owned(), code)
    }

    /// [`Self::label`] borrowed where it can be (a finish writing a label per cell into an
    /// Arrow column needs no `String` of its own).
    pub(crate) fn label_str(&self, key: u32) -> (std::borrow::Cow<'_, str>, Option<u16>) {
        if key == REST_OF_WORLD {
            ("Rest of world".into(), None)
        } else if key >= GROUP_BASE {
            (
                self.names
                    .get((key - GROUP_BASE) as usize)
                    .map_or("", String::as_str)
                    .into(),
                None,
            )
        } else {
            (crate::reference::countries::label_str(key as u16), Some(key as u16))
        }
    }
}

/// Importers resolved per period: which importer slots a country belongs to.
///
/// ```
/// use tradedep::metrics::{group::ImporterSlots, Importer};
/// use tradedep::model::Freq;
/// let mut slots = ImporterSlots::new(vec![Importer::country(643), Importer::group("EAEU")], Freq::Annual)?;
/// assert_eq!(slots.static_codes(), None); // the EAEU's members depend on the year
/// assert_eq!(slots.slots(643, 2021)?, [0, 1]); // Russia: itself, and a member of the EAEU
/// // Kyrgyzstan joined the EAEU on 2015-08-12: a member from 2016 (1 July counts).
/// assert!(slots.slots(417, 2015)?.is_empty());
/// assert_eq!(slots.slots(417, 2016)?, [1]);
/// assert_eq!(slots.members(2016)?[1].len(), 5);
/// assert!(slots.is_intra(1, 398, 2021)?); // Kazakhstan supplying the EAEU
/// assert!(!slots.is_intra(0, 643, 2021)?); // Russia is no group
/// let fixed = ImporterSlots::new(vec![Importer::countries("China+HK", [156, 344])], Freq::Annual)?;
/// assert_eq!(fixed.static_codes(), Some(vec![156, 344]));
/// assert!(ImporterSlots::new(vec![], Freq::Annual).is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub struct ImporterSlots {
    /// The importers, in slot order.
    pub importers: Vec<Importer>,
    /// period -> (code -> slots)
    by_period: HashMap<i32, HashMap<u16, Vec<u16>>>,
    freq: Freq,
}

impl ImporterSlots {
    /// Slots for `importers` (at least one, at most 65,535) of a table of frequency `freq`.
    ///
    /// ```
    /// use tradedep::metrics::{group::ImporterSlots, Importer};
    /// use tradedep::model::Freq;
    /// assert_eq!(ImporterSlots::new(vec![Importer::country(643)], Freq::Monthly)?.importers.len(), 1);
    /// assert!(ImporterSlots::new(vec![], Freq::Monthly).is_err()); // no importer
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn new(importers: Vec<Importer>, freq: Freq) -> Result<Self> {
        if importers.is_empty() {
            return Err(Error::invalid_argument(
                "no importer given",
                "name at least one importer (code or group)",
            ));
        }
        if importers.len() > u16::MAX as usize {
            return Err(Error::invalid_argument(
                "too many importers",
                "pass at most 65535 importers",
            ));
        }
        Ok(ImporterSlots {
            importers,
            by_period: HashMap::new(),
            freq,
        })
    }

    /// The frequency whose periods [`ImporterSlots::members`] takes.
    pub(crate) fn freq(&self) -> Freq {
        self.freq
    }

    /// Codes that can appear as importers in any period, or `None` when a named group makes
    /// that unknown before the periods are seen.
    ///
    /// ```
    /// use tradedep::metrics::{group::ImporterSlots, Importer};
    /// use tradedep::model::Freq;
    /// let fixed = vec![Importer::country(643), Importer::countries("Caucasus", [51, 268])];
    /// assert_eq!(ImporterSlots::new(fixed, Freq::Annual)?.static_codes(), Some(vec![643, 51, 268]));
    /// let dated = vec![Importer::country(643), Importer::group("EU27")];
    /// assert_eq!(ImporterSlots::new(dated, Freq::Annual)?.static_codes(), None);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn static_codes(&self) -> Option<Vec<u16>> {
        let mut out = vec![];
        for i in &self.importers {
            match &i.members {
                Membership::Countries(c) => out.extend(c.iter().copied()),
                Membership::Group(_) => return None,
            }
        }
        Some(out)
    }

    /// Members of every importer in `period`, resolving named groups.
    ///
    /// ```
    /// use tradedep::metrics::{group::ImporterSlots, Importer};
    /// use tradedep::model::Freq;
    /// let slots = ImporterSlots::new(vec![Importer::country(643), Importer::group("EU27")], Freq::Monthly)?;
    /// let before = slots.members(202001)?; // January 2020: the UK still a member
    /// let after = slots.members(202002)?;
    /// assert_eq!(before[0], [643]);
    /// assert!(before[1].contains(&826) && !after[1].contains(&826));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn members(&self, period: i32) -> Result<Vec<Vec<u16>>> {
        let p = Period::from_code(period, self.freq);
        self.importers
            .iter()
            .map(|i| match &i.members {
                Membership::Countries(c) => Ok(c.clone()),
                Membership::Group(name) => groups::members(name, p),
            })
            .collect()
    }

    /// Slots of `code` in `period` (empty when it is no importer's member).
    ///
    /// ```
    /// use tradedep::metrics::{group::ImporterSlots, Importer};
    /// use tradedep::model::Freq;
    /// let mut slots = ImporterSlots::new(vec![Importer::country(276), Importer::group("EU27")], Freq::Annual)?;
    /// assert_eq!(slots.slots(276, 2021)?, [0, 1]); // Germany, and in the EU
    /// assert_eq!(slots.slots(643, 2021)?, [] as [u16; 0]); // Russia: neither
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn slots(&mut self, code: u16, period: i32) -> Result<&[u16]> {
        if !self.by_period.contains_key(&period) {
            let mut m: HashMap<u16, Vec<u16>> = HashMap::new();
            for (slot, members) in self.members(period)?.into_iter().enumerate() {
                for c in members {
                    m.entry(c).or_default().push(slot as u16);
                }
            }
            self.by_period.insert(period, m);
        }
        Ok(self
            .by_period
            .get(&period)
            .and_then(|m| m.get(&code))
            .map(|v| v.as_slice())
            .unwrap_or(&[]))
    }

    /// True when `supplier` is a member of importer `slot` in `period` and the importer is a group.
    ///
    /// ```
    /// use tradedep::metrics::{group::ImporterSlots, Importer};
    /// use tradedep::model::Freq;
    /// let mut slots = ImporterSlots::new(vec![Importer::group("EU27")], Freq::Annual)?;
    /// assert!(slots.is_intra(0, 276, 2021)?); // Germany supplying the EU
    /// assert!(!slots.is_intra(0, 826, 2021)?); // the UK, after Brexit
    /// assert!(slots.is_intra(0, 826, 2019)?); // and before
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn is_intra(&mut self, slot: u16, supplier: u16, period: i32) -> Result<bool> {
        if !self.importers[slot as usize].is_group() {
            return Ok(false);
        }
        Ok(self.slots(supplier, period)?.contains(&slot))
    }
}

/// Period of a [`CellKey`] when periods are not in the grouping (all summed).
pub const NO_PERIOD: i32 = i32::MIN;
/// Product of a [`CellKey`] when products are not in the grouping.
pub const NO_PRODUCT: u32 = u32::MAX;
/// Partner of a [`CellKey`] when partners are not in the grouping.
pub const NO_PARTNER: u32 = u32::MAX;

/// A group key: importer slot, period, product id, partner key (each may be a sentinel).
///
/// ```
/// use tradedep::metrics::group::{CellKey, NO_PARTNER, NO_PERIOD, NO_PRODUCT};
/// let a = CellKey { importer: 0, period: 2021, product: 3, partner: NO_PARTNER };
/// let b = CellKey { importer: 0, period: 2022, product: 0, partner: NO_PARTNER };
/// let total = CellKey { importer: 1, period: NO_PERIOD, product: NO_PRODUCT, partner: NO_PARTNER };
/// // Ordered by importer slot, period, product, partner: the order of the results.
/// let mut keys = vec![total, b, a];
/// keys.sort();
/// assert_eq!(keys, [a, b, total]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    /// Importer slot (index into the importers asked for).
    pub importer: u16,
    /// Time key (period, year or quarter code), or [`NO_PERIOD`].
    pub period: i32,
    /// Product id, or [`NO_PRODUCT`].
    pub product: u32,
    /// Partner key, or [`NO_PARTNER`].
    pub partner: u32,
}

/// Quantity state of an accumulator. Rows without a quantity leave it unchanged: quantities
/// are summed over the rows that have one, and the value of those rows is carried along so
/// that unit values are value-with-quantity / quantity and the coverage (the share of value
/// the quantities cover) can be stated.
///
/// ```
/// use tradedep::metrics::group::Qty;
/// let kg = Qty::Unit(0, 10.0, 50.0); // 10 of unit 0 worth 50
/// let both = kg.merge(Qty::Unit(0, 30.0, 70.0));
/// assert_eq!(both, Qty::Unit(0, 40.0, 120.0));
/// assert_eq!(both.unit_value(), Some((3.0, 0))); // 120 / 40, in unit 0
/// assert_eq!(both.merge(Qty::Empty), both);
/// assert_eq!(both.merge(Qty::Unit(1, 5.0, 9.0)), Qty::Mixed); // never summed across units
/// assert_eq!(Qty::Mixed.unit_value(), None);
/// assert_eq!(Qty::Unit(0, 0.0, 5.0).unit_value(), None); // no quantity to divide by
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Qty {
    /// No row with a quantity seen yet.
    Empty,
    /// Rows with a quantity all had this unit: (unit, summed quantity, value of those rows).
    Unit(u16, f64, f64),
    /// Units differ between rows (never summed across units).
    Mixed,
}

impl Qty {
    /// Adds a row's quantity `q` in `unit` with its `value` (no unit or NaN: unchanged).
    pub(crate) fn add(self, q: f64, unit: u16, value: f64) -> Qty {
        if unit == NO_UNIT || q.is_nan() {
            return self;
        }
        self.merge(Qty::Unit(unit, q, value))
    }
    /// The state of two sets of rows together: sums in one unit, [`Qty::Mixed`] across units.
    ///
    /// ```
    /// use tradedep::metrics::group::Qty;
    /// assert_eq!(Qty::Empty.merge(Qty::Unit(2, 1.0, 4.0)), Qty::Unit(2, 1.0, 4.0));
    /// assert_eq!(Qty::Unit(2, 1.0, 4.0).merge(Qty::Unit(2, 3.0, 6.0)), Qty::Unit(2, 4.0, 10.0));
    /// assert_eq!(Qty::Unit(2, 1.0, 4.0).merge(Qty::Unit(3, 3.0, 6.0)), Qty::Mixed);
    /// ```
    pub fn merge(self, other: Qty) -> Qty {
        match (self, other) {
            (Qty::Empty, o) => o,
            (s, Qty::Empty) => s,
            (Qty::Unit(a, x, vx), Qty::Unit(b, y, vy)) if a == b => Qty::Unit(a, x + y, vx + vy),
            _ => Qty::Mixed,
        }
    }
    /// Unit value: value of the rows with a quantity / their quantity (quantity > 0, one unit).
    ///
    /// ```
    /// use tradedep::metrics::group::Qty;
    /// assert_eq!(Qty::Unit(2, 4.0, 10.0).unit_value(), Some((2.5, 2)));
    /// assert_eq!(Qty::Empty.unit_value(), None);
    /// ```
    pub fn unit_value(self) -> Option<(f64, u16)> {
        match self {
            Qty::Unit(u, q, v) if q > 0.0 => Some((v / q, u)),
            _ => None,
        }
    }
}

/// Sums of one group: value, quantity (when in one unit), rows and their origin.
///
/// ```
/// use tradedep::metrics::group::{Acc, Qty};
/// use tradedep::metrics::{ImportView, Source, ViewOptions};
/// use tradedep::model::*;
/// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
/// let row = TradeRow::new(2021, 643, 156, Flow::Import, "8542", 60.0); // Russia reports
/// b.push(TradeRow { quantity: Some(20.0), quantity_unit: Some("u"), ..row })?;
/// b.push(TradeRow::new(2021, 156, 398, Flow::Export, "8542", 40.0))?; // Kazakhstan does not
/// let opts = ViewOptions { source: Source::Auto, ..Default::default() };
/// let view = ImportView::build(&b.finish()?, &opts)?;
/// let mut russia = Acc::default();
/// russia.add(&view, 0, true, 0);
/// assert_eq!((russia.value, russia.qty, russia.source()), (60.0, Qty::Unit(0, 20.0, 60.0), "reported"));
/// assert_eq!((russia.quantity_value_share(), russia.rows.clone()), (Some(1.0), vec![0]));
/// let mut kazakhstan = Acc::default();
/// kazakhstan.add_valued(&view, 1, 42.0, false, 0); // 40 FOB x 1.05
/// assert_eq!((kazakhstan.value, kazakhstan.source(), kazakhstan.n_estimated), (42.0, "mirror", 1));
/// assert_eq!(kazakhstan.quantity_value_share(), Some(0.0)); // no row with a quantity
/// russia.merge(&kazakhstan);
/// assert_eq!((russia.value, russia.n_rows, russia.source()), (102.0, 2, "mixed"));
/// assert_eq!(russia.quantity_value_share(), Some(60.0 / 102.0));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Acc {
    /// Summed value.
    pub value: f64,
    /// Summed quantity, see [`Qty`].
    pub qty: Qty,
    /// Table rows summed.
    pub n_rows: u64,
    /// Of which mirrored (partners' exports).
    pub n_mirrored: u64,
    /// Of which mirrored or flagged estimated.
    pub n_estimated: u64,
    /// Months covered (bit m-1 for month m), for monthly tables.
    pub months: u16,
    /// Contributing table rows (only when explaining).
    pub rows: Vec<u64>,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            value: 0.0,
            qty: Qty::Empty,
            n_rows: 0,
            n_mirrored: 0,
            n_estimated: 0,
            months: 0,
            rows: vec![],
        }
    }
}

impl Acc {
    /// Adds row `i` of the view `v` (its row number too when `explain`; `month_bit` is
    /// `1 << (month - 1)` for a month of a monthly table, 0 otherwise).
    ///
    /// ```
    /// use tradedep::metrics::{group::Acc, ImportView, ViewOptions};
    /// use tradedep::model::*;
    /// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Monthly, "EUR", None));
    /// b.push(TradeRow::new(202103, 276, 156, Flow::Import, "8542", 7.0))?;
    /// let view = ImportView::build(&b.finish()?, &ViewOptions::default())?;
    /// let mut acc = Acc::default();
    /// acc.add(&view, 0, false, 1 << 2); // March
    /// assert_eq!((acc.value, acc.n_rows, acc.months, acc.rows.len()), (7.0, 1, 0b100, 0));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    #[inline]
    pub fn add(&mut self, v: &ImportView, i: usize, explain: bool, month_bit: u16) {
        self.add_valued(v, i, v.value[i], explain, month_bit)
    }
    /// [`Acc::add`] with the row's value replaced by `value` (e.g. divided by a CIF/FOB factor).
    ///
    /// ```
    /// use tradedep::metrics::{group::{Acc, Qty}, ImportView, ViewOptions};
    /// use tradedep::model::*;
    /// let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", None));
    /// let row = TradeRow::new(2021, 643, 156, Flow::Import, "8542", 110.0);
    /// b.push(TradeRow { quantity: Some(4.0), quantity_unit: Some("kg"), ..row })?;
    /// let view = ImportView::build(&b.finish()?, &ViewOptions::default())?;
    /// let mut acc = Acc::default();
    /// acc.add_valued(&view, 0, 100.0, true, 0); // 110 CIF as 100 FOB
    /// assert_eq!((acc.value, acc.qty, acc.rows), (100.0, Qty::Unit(0, 4.0, 100.0), vec![0]));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    #[inline]
    pub fn add_valued(&mut self, v: &ImportView, i: usize, value: f64, explain: bool, month_bit: u16) {
        self.months |= month_bit;
        self.value += value;
        self.qty = self.qty.add(v.quantity[i], v.unit[i], value);
        self.n_rows += 1;
        self.n_mirrored += v.mirrored[i] as u64;
        self.n_estimated += v.estimated[i] as u64;
        if explain {
            self.rows.push(v.row[i]);
        }
    }
    /// Adds the sums of another group.
    ///
    /// ```
    /// use tradedep::metrics::group::{Acc, Qty};
    /// let mut a = Acc { value: 10.0, n_rows: 1, months: 0b001, rows: vec![4], ..Acc::default() };
    /// let b = Acc { value: 5.0, qty: Qty::Unit(0, 2.0, 5.0), n_rows: 2, n_mirrored: 2, months: 0b100, rows: vec![7, 9], ..Acc::default() };
    /// a.merge(&b);
    /// assert_eq!((a.value, a.qty, a.n_rows, a.source()), (15.0, Qty::Unit(0, 2.0, 5.0), 3, "mixed"));
    /// assert_eq!((a.months, a.rows), (0b101, vec![4, 7, 9])); // January and March
    /// ```
    pub fn merge(&mut self, o: &Acc) {
        self.value += o.value;
        self.qty = self.qty.merge(o.qty);
        self.n_rows += o.n_rows;
        self.n_mirrored += o.n_mirrored;
        self.n_estimated += o.n_estimated;
        self.months |= o.months;
        self.rows.extend_from_slice(&o.rows);
    }
    /// Share of the value that rows with a quantity cover (value > 0; null for mixed units,
    /// whose quantities are never summed).
    ///
    /// ```
    /// use tradedep::metrics::group::{Acc, Qty};
    /// let acc = Acc { value: 80.0, qty: Qty::Unit(0, 5.0, 60.0), ..Acc::default() };
    /// assert_eq!(acc.quantity_value_share(), Some(0.75)); // 60 of 80 come with a quantity
    /// assert_eq!(Acc { qty: Qty::Mixed, ..acc.clone() }.quantity_value_share(), None);
    /// assert_eq!(Acc::default().quantity_value_share(), None); // no value
    /// ```
    pub fn quantity_value_share(&self) -> Option<f64> {
        match self.qty {
            _ if self.value <= 0.0 => None,
            Qty::Empty => Some(0.0),
            Qty::Unit(_, _, v) => Some(v / self.value),
            Qty::Mixed => None,
        }
    }
    /// `"reported"`, `"mirror"` or `"mixed"` by the origin of the rows.
    ///
    /// ```
    /// use tradedep::metrics::group::Acc;
    /// let acc = |n_rows, n_mirrored| Acc { n_rows, n_mirrored, ..Acc::default() };
    /// assert_eq!((acc(3, 0).source(), acc(3, 3).source(), acc(3, 1).source()), ("reported", "mirror", "mixed"));
    /// ```
    pub fn source(&self) -> &'static str {
        if self.n_mirrored == 0 {
            "reported"
        } else if self.n_mirrored == self.n_rows {
            "mirror"
        } else {
            "mixed"
        }
    }
}
