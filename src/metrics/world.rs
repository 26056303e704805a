//! The world table behind the dependency flags: is it the world, for a year, and for one
//! country's exports? Decided from what is in it, never assumed.
//!
//! GeoDep's C2 (world-export HHI of a product) needs every exporter's exports to every
//! destination; C3 (imports / exports) needs the importer's own exports to every destination;
//! the EU 2021 ratio needs the group's exports to non-members. A table of EU exporters only
//! (Comext) or of China <-> Russia trade holds none of these.
//!
//! **Rule.** Trade pairs (exporter, destination) are read from every row of the world table,
//! any product: a row of flow export is its reporter's export to its partner, a row of flow
//! import its partner's export to its reporter (in a mirror view, partners' imports from a
//! country count as its exports). For a year:
//! - the table **is the world** when at least `min_countries` exporters and `min_countries`
//!   destinations appear in it (default [`WORLD_MIN_COUNTRIES`]; BACI holds about 220 of each);
//! - a country's (or a group's) **exports are complete** when the table is the world, or when
//!   its exports reach at least `min_countries` destinations (e.g. a Comtrade extract of its
//!   own reported exports).
//!
//! Otherwise the criterion is null with the reason; exports that are complete and 0 give
//! CEPII's ratio 9999, said in the reason.

use hashbrown::HashMap;

use crate::metrics::flags::year_of;
use crate::metrics::view::Cols;
use crate::model::{Flow, TradeTable};

/// Default number of exporters and of destinations a year of a world table holds at least.
///
/// [`FlagOptions`](crate::metrics::FlagOptions) starts from it:
///
/// ```
/// use tradedep::metrics::world::WORLD_MIN_COUNTRIES;
/// use tradedep::metrics::FlagOptions;
/// assert_eq!(WORLD_MIN_COUNTRIES, 100);
/// assert_eq!(FlagOptions::default().world_min_countries, WORLD_MIN_COUNTRIES);
/// ```
pub const WORLD_MIN_COUNTRIES: usize = 100;

/// Who exported to whom in each year of the world table.
pub(crate) struct WorldCoverage {
    /// year -> (exporters, destinations)
    breadth: HashMap<i32, (usize, usize)>,
    /// Dense number of each country code seen (`u16::MAX` for none).
    rank: Vec<u16>,
    /// Bit words per (year, exporter rank): destinations by rank.
    words: usize,
    dests: HashMap<i32, Vec<u64>>,
    n_countries: usize,
    pub min_countries: usize,
    /// How the world table is named in reasons ("this table", "the world table").
    pub label: &'static str,
    /// The table's restriction to some importers in words ([`crate::model::TableMeta::restriction`]):
    /// such a table is never the world and holds no country's exports in full.
    restriction: Option<String>,
}

impl WorldCoverage {
    pub fn of(table: &TradeTable, min_countries: usize, label: &'static str) -> WorldCoverage {
        let freq = table.meta().freq;
        let (import, export) = (Flow::Import as i8, Flow::Export as i8);
        // Countries by dense rank, so that a year's destinations of an exporter are a bitset.
        let mut rank = vec![u16::MAX; 1 << 16];
        let mut n_countries = 0usize;
        for batch in table.batches() {
            let c = Cols::of(batch);
            for i in 0..batch.num_rows() {
                if c.flow[i] == import || c.flow[i] == export {
                    for code in [c.reporter[i], c.partner[i]] {
                        if rank[code as usize] == u16::MAX {
                            rank[code as usize] = n_countries as u16;
                            n_countries += 1;
                        }
                    }
                }
            }
        }
        let words = n_countries.div_ceil(64).max(1);
        let mut slots: HashMap<i32, usize> = HashMap::new();
        let mut sets: Vec<Vec<u64>> = vec![];
        let mut current: Option<(i32, usize)> = None;
        for batch in table.batches() {
            let c = Cols::of(batch);
            for i in 0..batch.num_rows() {
                let (exporter, dest) = match c.flow[i] {
                    f if f == export => (c.reporter[i], c.partner[i]),
                    f if f == import => (c.partner[i], c.reporter[i]),
                    _ => continue,
                };
                let y = year_of(c.period[i], freq);
                let slot = match current {
                    Some((cy, s)) if cy == y => s,
                    _ => {
                        let s = *slots.entry(y).or_insert_with(|| {
                            sets.push(vec![0; n_countries * words]);
                            sets.len() - 1
                        });
                        current = Some((y, s));
                        s
                    }
                };
                let (e, d) = (rank[exporter as usize] as usize, rank[dest as usize] as usize);
                sets[slot][e * words + d / 64] |= 1 << (d % 64);
            }
        }
        let dests: HashMap<i32, Vec<u64>> = slots
            .into_iter()
            .map(|(y, s)| (y, std::mem::take(&mut sets[s])))
            .collect();
        let breadth = dests
            .iter()
            .map(|(y, bits)| {
                let mut union = vec![0u64; words];
                let mut exporters = 0;
                for row in bits.chunks(words) {
                    exporters += row.iter().any(|w| *w != 0) as usize;
                    union.iter_mut().zip(row).for_each(|(u, w)| *u |= w);
                }
                (*y, (exporters, union.iter().map(|w| w.count_ones() as usize).sum()))
            })
            .collect();
        WorldCoverage {
            breadth,
            rank,
            words,
            dests,
            n_countries,
            min_countries,
            label,
            restriction: table.meta().restriction(),
        }
    }

    /// `Ok` when the table is the world in `year`; the reason otherwise.
    pub fn world(&self, year: i32) -> Result<(), String> {
        if let Some(read) = &self.restriction {
            return Err(format!(
                "{} is not the world: it was {read}; pass world= the file read without importers=",
                self.label
            ));
        }
        let (ne, nd) = self.breadth.get(&year).copied().unwrap_or((0, 0));
        if ne >= self.min_countries && nd >= self.min_countries {
            Ok(())
        } else {
            Err(format!(
                "{} is not the world in {year}: {ne} exporters and {nd} destinations (a world table holds at least {} of each); pass world= a world table such as BACI",
                self.label, self.min_countries
            ))
        }
    }

    /// `Ok` when the exports of `countries` (taken together, to destinations outside them) in
    /// `year` are complete in the table; the reason otherwise.
    pub fn exports_complete(&self, countries: &[u16], year: i32, who: &str) -> Result<(), String> {
        if self.world(year).is_ok() {
            return Ok(());
        }
        if let Some(read) = &self.restriction {
            return Err(format!(
                "exports of {who} in {year} are not complete in {}: it was {read}; pass world= the file read without importers=",
                self.label
            ));
        }
        // Destinations of the countries together, outside them.
        let mut union = vec![0u64; self.words];
        let mut inside = vec![0u64; self.words];
        let bits = self.dests.get(&year);
        for c in countries {
            let r = self.rank[*c as usize] as usize;
            if r < self.n_countries {
                inside[r / 64] |= 1 << (r % 64);
                if let Some(bits) = bits {
                    let row = &bits[r * self.words..(r + 1) * self.words];
                    union.iter_mut().zip(row).for_each(|(u, w)| *u |= w);
                }
            }
        }
        let n: usize = union
            .iter()
            .zip(&inside)
            .map(|(u, i)| (u & !i).count_ones() as usize)
            .sum();
        if n >= self.min_countries {
            Ok(())
        } else {
            Err(format!(
                "exports of {who} in {year} are not in {} (they reach {} destinations there, fewer than {}, and the table is not the world); pass world= a table with them",
                self.label, n, self.min_countries
            ))
        }
    }
}

/// The reason given where exports are complete and 0 (the ratio is then CEPII's 9999).
pub(crate) fn no_exports_reason(who: &str, year: i32, label: &str) -> String {
    format!(
        "{who} exported none of the product in {year} ({label} holds its exports): ratio 9999 by CEPII's convention"
    )
}
