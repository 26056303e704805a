//! Stage 1 of the cube: importer slots of a country in a period, looked up without hashing.
//!
//! [`ImporterSlots`] resolves named groups per period; the cube asks once per distinct period
//! of the table and keeps one lookup per distinct membership (a monthly EU27 panel has a few,
//! not one per month).

use hashbrown::HashMap;

use crate::error::Result;
use crate::metrics::group::ImporterSlots;
use crate::metrics::view::Cols;
use crate::model::{Freq, TradeTable};

/// Marks a code that is a member of more than one importer slot (see [`Membership::multi`]).
const MULTI: u16 = u16::MAX - 1;
/// Marks a code that is no importer's member.
const NONE: u16 = u16::MAX;

/// One membership: slot of each country code.
struct Membership {
    slot: Vec<u16>,
    /// Codes in several slots (an importer list naming a country and a group it belongs to).
    multi: HashMap<u16, Vec<u16>>,
    /// Per slot: is it a group (imports from its own members are intra-group)?
    group: Vec<bool>,
}

/// Importer slots by period, for every period of a table.
pub(crate) struct SlotLookup {
    memberships: Vec<Membership>,
    /// period -> membership index
    by_period: HashMap<i32, usize>,
    /// The table's periods, sorted.
    periods: Vec<i32>,
}

impl SlotLookup {
    pub fn new(table: &TradeTable, slots: &ImporterSlots) -> Result<SlotLookup> {
        let mut periods: Vec<i32> = vec![];
        for batch in table.batches() {
            let mut last = None;
            for &p in Cols::of(batch).period {
                if last != Some(p) {
                    last = Some(p);
                    periods.push(p);
                }
            }
            periods.sort_unstable();
            periods.dedup();
        }
        let group: Vec<bool> = slots.importers.iter().map(|i| i.is_group()).collect();
        let mut seen: Vec<Vec<Vec<u16>>> = vec![];
        let mut memberships = vec![];
        let mut by_period = HashMap::new();
        // Slots made for years resolve a monthly table's months by their year (the EU 2021
        // criteria take a year's members for all its months).
        let by_year = slots.freq() == Freq::Annual && table.meta().freq == Freq::Monthly;
        for &p in &periods {
            let members = slots.members(if by_year { p / 100 } else { p })?;
            let idx = match seen.iter().position(|m| *m == members) {
                Some(i) => i,
                None => {
                    let mut slot = vec![NONE; 1 << 16];
                    let mut multi: HashMap<u16, Vec<u16>> = HashMap::new();
                    for (s, codes) in members.iter().enumerate() {
                        for &c in codes {
                            match slot[c as usize] {
                                NONE => slot[c as usize] = s as u16,
                                MULTI => multi.entry(c).or_default().push(s as u16),
                                first => {
                                    slot[c as usize] = MULTI;
                                    multi.insert(c, vec![first, s as u16]);
                                }
                            }
                        }
                    }
                    for v in multi.values_mut() {
                        v.sort_unstable();
                        v.dedup();
                    }
                    seen.push(members);
                    memberships.push(Membership {
                        slot,
                        multi,
                        group: group.clone(),
                    });
                    seen.len() - 1
                }
            };
            by_period.insert(p, idx);
        }
        Ok(SlotLookup {
            memberships,
            by_period,
            periods,
        })
    }

    /// The table's periods, sorted.
    pub fn periods(&self) -> &[i32] {
        &self.periods
    }

    /// The membership of `period` (every period of the table has one).
    #[inline]
    pub fn period(&self, period: i32) -> PeriodSlots<'_> {
        PeriodSlots(&self.memberships[self.by_period[&period]])
    }
}

/// Importer slots in one period.
#[derive(Clone, Copy)]
pub(crate) struct PeriodSlots<'a>(&'a Membership);

impl<'a> PeriodSlots<'a> {
    /// Calls `f` with each slot `code` is a member of.
    #[inline]
    pub fn for_each(self, code: u16, mut f: impl FnMut(u16)) {
        match self.0.slot[code as usize] {
            NONE => {}
            MULTI => self.0.multi[&code].iter().for_each(|s| f(*s)),
            s => f(s),
        }
    }

    /// True when slot `slot` is a group and `supplier` one of its members in this period.
    #[inline]
    pub fn is_intra(self, slot: u16, supplier: u16) -> bool {
        if !self.0.group[slot as usize] {
            return false;
        }
        match self.0.slot[supplier as usize] {
            NONE => false,
            MULTI => self.0.multi[&supplier].contains(&slot),
            s => s == slot,
        }
    }
}
