//! Group-by machinery shared by the metrics: importers (countries or groups with membership by
//! period), supplier groups ("China+HK"), and per-cell accumulators with integer keys.

use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::metrics::view::{country_label, ImportView, NO_UNIT};
use crate::model::{Freq, Period};
use crate::reference::groups;

/// Who imports: one country, an explicit set of countries, or a named group whose membership
/// depends on the period (e.g. EU27, resolved with [`groups::members`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Importer {
    /// Name in the output (`"RUS"`, `"EU27"`).
    pub label: String,
    pub members: Membership,
}

/// Membership of an importer or supplier group.
#[derive(Debug, Clone, PartialEq)]
pub enum Membership {
    /// Fixed numeric codes.
    Countries(Vec<u16>),
    /// A built-in group, members looked up per period with `reference::groups::members`.
    Group(String),
}

impl Importer {
    /// One country, labelled with its ISO3 code when known.
    pub fn country(code: u16) -> Self {
        Importer {
            label: country_label(code),
            members: Membership::Countries(vec![code]),
        }
    }
    /// A fixed set of countries under a name (e.g. `"EU27"` with an explicit member list).
    pub fn countries(label: &str, codes: impl IntoIterator<Item = u16>) -> Self {
        Importer {
            label: label.to_string(),
            members: Membership::Countries(codes.into_iter().collect()),
        }
    }
    /// A built-in group (membership by period).
    pub fn group(name: &str) -> Self {
        Importer {
            label: name.to_string(),
            members: Membership::Group(name.to_string()),
        }
    }
    /// True when more than one country can be in it (intra-group trade is then excluded).
    pub fn is_group(&self) -> bool {
        match &self.members {
            Membership::Countries(c) => c.len() > 1,
            Membership::Group(_) => true,
        }
    }
}

/// A named set of suppliers that counts as one partner.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierGroup {
    pub name: String,
    pub members: Vec<u16>,
}

impl SupplierGroup {
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
#[derive(Debug, Clone)]
pub struct SupplierKeys {
    map: Vec<u32>,
    names: Vec<String>,
}

impl SupplierKeys {
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
    #[inline]
    pub fn key(&self, code: u16) -> u32 {
        self.map[code as usize]
    }
    /// Display label and numeric code (None for groups and the rest of the world).
    pub fn label(&self, key: u32) -> (String, Option<u16>) {
        if key == REST_OF_WORLD {
            ("Rest of world".to_string(), None)
        } else if key >= GROUP_BASE {
            (
                self.names.get((key - GROUP_BASE) as usize).cloned().unwrap_or_default(),
                None,
            )
        } else {
            (country_label(key as u16), Some(key as u16))
        }
    }
}

/// Importers resolved per period: which importer slots a country belongs to.
pub struct ImporterSlots {
    pub importers: Vec<Importer>,
    /// period -> (code -> slots)
    by_period: HashMap<i32, HashMap<u16, Vec<u16>>>,
    freq: Freq,
}

impl ImporterSlots {
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

    /// Codes that can appear as importers in any period, or `None` when a named group makes
    /// that unknown before the periods are seen.
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
    pub fn is_intra(&mut self, slot: u16, supplier: u16, period: i32) -> Result<bool> {
        if !self.importers[slot as usize].is_group() {
            return Ok(false);
        }
        Ok(self.slots(supplier, period)?.contains(&slot))
    }
}

/// Sentinels for key parts that are not in the grouping.
pub const NO_PERIOD: i32 = i32::MIN;
pub const NO_PRODUCT: u32 = u32::MAX;
pub const NO_PARTNER: u32 = u32::MAX;

/// A group key: importer slot, period, product id, partner key (each may be a sentinel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    pub importer: u16,
    pub period: i32,
    pub product: u32,
    pub partner: u32,
}

/// Quantity state of an accumulator. Rows without a quantity leave it unchanged: quantities
/// are summed over the rows that have one, and the value of those rows is carried along so
/// that unit values are value-with-quantity / quantity and the coverage (the share of value
/// the quantities cover) can be stated.
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
    pub fn merge(self, other: Qty) -> Qty {
        match (self, other) {
            (Qty::Empty, o) => o,
            (s, Qty::Empty) => s,
            (Qty::Unit(a, x, vx), Qty::Unit(b, y, vy)) if a == b => Qty::Unit(a, x + y, vx + vy),
            _ => Qty::Mixed,
        }
    }
    /// Unit value: value of the rows with a quantity / their quantity (quantity > 0, one unit).
    pub fn unit_value(self) -> Option<(f64, u16)> {
        match self {
            Qty::Unit(u, q, v) if q > 0.0 => Some((v / q, u)),
            _ => None,
        }
    }
}

/// Sums of one group: value, quantity (when in one unit), rows and their origin.
#[derive(Debug, Clone)]
pub struct Acc {
    pub value: f64,
    pub qty: Qty,
    pub n_rows: u64,
    pub n_mirrored: u64,
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
    #[inline]
    pub fn add(&mut self, v: &ImportView, i: usize, explain: bool, month_bit: u16) {
        self.add_valued(v, i, v.value[i], explain, month_bit)
    }
    /// [`Acc::add`] with the row's value replaced by `value` (e.g. divided by a CIF/FOB factor).
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
    pub fn quantity_value_share(&self) -> Option<f64> {
        match self.qty {
            _ if self.value <= 0.0 => None,
            Qty::Empty => Some(0.0),
            Qty::Unit(_, _, v) => Some(v / self.value),
            Qty::Mixed => None,
        }
    }
    /// `"reported"`, `"mirror"` or `"mixed"` by the origin of the rows.
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
