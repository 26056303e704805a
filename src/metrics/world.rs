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

use hashbrown::{HashMap, HashSet};

use crate::metrics::flags::year_of;
use crate::metrics::view::Cols;
use crate::model::{Flow, TradeTable};

/// Default number of exporters and of destinations a year of a world table holds at least.
pub const WORLD_MIN_COUNTRIES: usize = 100;

/// Who exported to whom in each year of the world table.
pub(crate) struct WorldCoverage {
    /// year -> (exporters, destinations)
    breadth: HashMap<i32, (usize, usize)>,
    /// (exporter, year) -> destinations
    pairs: HashMap<(u16, i32), HashSet<u16>>,
    pub min_countries: usize,
    /// How the world table is named in reasons ("this table", "the world table").
    pub label: &'static str,
}

impl WorldCoverage {
    pub fn of(table: &TradeTable, min_countries: usize, label: &'static str) -> WorldCoverage {
        let freq = table.meta().freq;
        let mut pairs: HashMap<(u16, i32), HashSet<u16>> = HashMap::new();
        let mut last = None;
        for batch in table.batches() {
            let c = Cols::of(batch);
            for i in 0..batch.num_rows() {
                let (exporter, dest) = match c.flow[i] {
                    f if f == Flow::Export as i8 => (c.reporter[i], c.partner[i]),
                    f if f == Flow::Import as i8 => (c.partner[i], c.reporter[i]),
                    _ => continue,
                };
                let y = year_of(c.period[i], freq);
                if last == Some((exporter, dest, y)) {
                    continue;
                }
                last = Some((exporter, dest, y));
                pairs.entry((exporter, y)).or_default().insert(dest);
            }
        }
        let mut exporters: HashMap<i32, usize> = HashMap::new();
        let mut dests: HashMap<i32, HashSet<u16>> = HashMap::new();
        for ((_, y), d) in &pairs {
            *exporters.entry(*y).or_default() += 1;
            dests.entry(*y).or_default().extend(d.iter().copied());
        }
        let breadth = exporters
            .into_iter()
            .map(|(y, n)| (y, (n, dests.get(&y).map_or(0, HashSet::len))))
            .collect();
        WorldCoverage {
            breadth,
            pairs,
            min_countries,
            label,
        }
    }

    /// `Ok` when the table is the world in `year`; the reason otherwise.
    pub fn world(&self, year: i32) -> Result<(), String> {
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
        let mut dests: HashSet<u16> = HashSet::new();
        for c in countries {
            if let Some(d) = self.pairs.get(&(*c, year)) {
                dests.extend(d.iter().filter(|d| !countries.contains(d)));
            }
        }
        if dests.len() >= self.min_countries {
            Ok(())
        } else {
            Err(format!(
                "exports of {who} in {year} are not in {} (they reach {} destinations there, fewer than {}, and the table is not the world); pass world= a table with them",
                self.label,
                dests.len(),
                self.min_countries
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
