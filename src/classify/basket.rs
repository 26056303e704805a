//! Baskets: a user's set of products (codes or prefixes) in one vintage, with set operations,
//! and the documented baskets shipped with the crate.
//!
//! A basket is kept as a minimal set of prefixes: `8542` stands for every code under it.
//! Union, intersection and difference work on prefixes directly; a difference that cuts a
//! hole into a prefix (`85` minus `8542`) replaces the prefix by its children one level down
//! (`8501` ... `8599` without `8542`), which needs no nomenclature.
//!
//! ```
//! use tradedep::classify::basket::Basket;
//! use tradedep::Vintage;
//! let chips = Basket::new("chips", ["8542"], Vintage::Hs(2022)).unwrap();
//! let cpus = Basket::new("cpus", ["854231"], Vintage::Hs(2022)).unwrap();
//! let rest = chips.difference(&cpus).unwrap();
//! assert!(rest.contains("854232") && !rest.contains("854231"));
//! ```

use std::collections::BTreeSet;

use super::concordance::{Concordances, Weighting};
use super::list::{EntryAttrs, ListEntry, Mapping, ProductList};
use crate::error::{Error, Location, Result};
use crate::model::{ProductSelection, Vintage};

/// A named set of product codes or prefixes in one vintage.
///
/// ```
/// use tradedep::classify::basket::Basket;
/// use tradedep::Vintage;
/// let b = Basket::new("chips", ["8542", "854231", "8541.10"], Vintage::Hs(2022))?.with_reasoning("semiconductors");
/// assert_eq!(b.prefixes().collect::<Vec<_>>(), ["854110", "8542"]); // 854231 lies under 8542
/// assert_eq!((b.len(), b.is_empty()), (2, false));
/// assert!(b.contains("85423190"));
/// assert_eq!(b.reasoning, "semiconductors");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Basket {
    pub name: String,
    pub vintage: Vintage,
    /// Why these codes: shown in explanations and notebooks.
    pub reasoning: String,
    prefixes: BTreeSet<String>,
}

/// Removes prefixes covered by shorter ones.
fn minimal(set: BTreeSet<String>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    // Shorter first, so a prefix is seen before the codes under it.
    let mut v: Vec<String> = set.into_iter().collect();
    v.sort_by_key(|s| (s.len(), s.clone()));
    for c in v {
        if !out.iter().any(|p| c.starts_with(p.as_str())) {
            out.insert(c);
        }
    }
    out
}

impl Basket {
    /// A basket of codes or prefixes. Codes are cleaned (`8542.31` -> `854231`) and checked:
    /// digits of even length up to the vintage's width.
    ///
    /// ```
    /// use tradedep::{classify::basket::Basket, Vintage};
    /// assert!(Basket::new("bad", ["854"], Vintage::Hs(2022)).is_err()); // odd length
    /// assert!(Basket::new("bad", ["85423190"], Vintage::Hs(2022)).is_err()); // too long for HS
    /// ```
    pub fn new<S: AsRef<str>>(name: &str, codes: impl IntoIterator<Item = S>, vintage: Vintage) -> Result<Basket> {
        let mut set = BTreeSet::new();
        for c in codes {
            let raw = c.as_ref();
            let d = super::codes::clean_code(raw);
            if d.is_empty()
                || !d.bytes().all(|b| b.is_ascii_digit())
                || d.len() % 2 == 1
                || d.len() > vintage.max_digits()
            {
                return Err(Error::invalid_data(
                    format!("malformed code {raw:?} for a {vintage} basket"),
                    Location::default().column("codes").value(raw),
                    format!(
                        "give 2, 4 or 6{} digits with leading zeros",
                        if vintage.max_digits() > 6 {
                            format!(" ... {}", vintage.max_digits())
                        } else {
                            String::new()
                        }
                    ),
                ));
            }
            set.insert(d);
        }
        if set.is_empty() {
            return Err(Error::invalid_argument(
                format!("basket {name:?} has no codes"),
                "give at least one code or prefix",
            ));
        }
        Ok(Basket {
            name: name.into(),
            vintage,
            reasoning: String::new(),
            prefixes: minimal(set),
        })
    }

    /// Same basket with a reasoning text.
    ///
    /// See the example on [`Basket`].
    ///
    /// ```
    /// let b = tradedep::classify::basket::Basket::new("fibre", ["854470"], tradedep::Vintage::Hs(2022))?
    ///     .with_reasoning("fibre-optic guided drones");
    /// assert_eq!(b.reasoning, "fibre-optic guided drones");
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn with_reasoning(mut self, text: &str) -> Basket {
        self.reasoning = text.into();
        self
    }

    /// The codes of some tiers of a list (all entries when `tiers` is empty).
    ///
    /// ```
    /// use tradedep::classify::{basket::Basket, chpl::chpl};
    /// let tier1 = Basket::from_list(&chpl(), &["1"])?;
    /// assert_eq!(tier1.len(), 4);
    /// assert!(tier1.contains("854232"));
    /// assert_eq!(Basket::from_list(&chpl(), &[])?.len(), 50);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn from_list(list: &ProductList, tiers: &[&str]) -> Result<Basket> {
        let mut codes: Vec<String> = vec![];
        if tiers.is_empty() {
            codes.extend(list.codes().map(String::from));
        }
        for t in tiers {
            codes.extend(list.tier(t)?.codes().map(String::from));
        }
        let name = if tiers.is_empty() {
            list.name().to_string()
        } else {
            format!("{} tier {}", list.name(), tiers.join("+"))
        };
        Ok(Basket::new(&name, codes, list.vintage())?.with_reasoning(&format!(
            "entries of {} version {}",
            list.name(),
            list.version()
        )))
    }

    /// The minimal prefixes, sorted. See the example on [`Basket`].
    ///
    /// ```
    /// let b = tradedep::classify::basket::Basket::new("x", ["8806", "880610"], tradedep::Vintage::Hs(2022))?;
    /// assert_eq!(b.prefixes().collect::<Vec<_>>(), ["8806"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn prefixes(&self) -> impl Iterator<Item = &str> {
        self.prefixes.iter().map(|s| s.as_str())
    }
    /// Number of prefixes. See the example on [`Basket`].
    ///
    /// ```
    /// assert_eq!(tradedep::classify::basket::microelectronics().len(), 5);
    /// ```
    pub fn len(&self) -> usize {
        self.prefixes.len()
    }
    /// True without prefixes. See the example on [`Basket`].
    ///
    /// ```
    /// use tradedep::classify::basket::Basket;
    /// let b = Basket::new("x", ["8542"], tradedep::Vintage::Hs(2022))?;
    /// assert!(b.difference(&b)?.is_empty());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }

    /// True when `code` (same HS base vintage) lies under one of the prefixes.
    ///
    /// ```
    /// use tradedep::{classify::basket::Basket, Vintage};
    /// let b = Basket::new("batteries", ["850760"], Vintage::Hs(2022))?;
    /// assert!(b.contains("85076000") && !b.contains("8507"));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn contains(&self, code: &str) -> bool {
        self.prefixes.iter().any(|p| code.starts_with(p.as_str()))
    }

    fn same_base(&self, other: &Basket) -> Result<()> {
        if self.vintage.hs_base() != other.vintage.hs_base() {
            return Err(Error::invalid_argument(
                format!(
                    "basket {:?} is {} but {:?} is {}",
                    self.name, self.vintage, other.name, other.vintage
                ),
                "convert one basket first (to_selection with a correlation table) or build both in one vintage",
            ));
        }
        Ok(())
    }

    /// Codes in either basket.
    ///
    /// ```
    /// use tradedep::{classify::basket::Basket, Vintage};
    /// let a = Basket::new("a", ["854231"], Vintage::Hs(2022))?;
    /// let b = Basket::new("b", ["8542", "8806"], Vintage::Hs(2022))?;
    /// assert_eq!(a.union(&b)?.prefixes().collect::<Vec<_>>(), ["8542", "8806"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn union(&self, other: &Basket) -> Result<Basket> {
        self.same_base(other)?;
        let set = self.prefixes.iter().chain(other.prefixes.iter()).cloned().collect();
        Ok(Basket {
            name: format!("{} | {}", self.name, other.name),
            vintage: self.vintage,
            reasoning: String::new(),
            prefixes: minimal(set),
        })
    }

    /// Codes in both baskets.
    ///
    /// ```
    /// use tradedep::{classify::basket::Basket, Vintage};
    /// let a = Basket::new("a", ["854231", "8806"], Vintage::Hs(2022))?;
    /// let b = Basket::new("b", ["8542"], Vintage::Hs(2022))?;
    /// assert_eq!(a.intersection(&b)?.prefixes().collect::<Vec<_>>(), ["854231"]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn intersection(&self, other: &Basket) -> Result<Basket> {
        self.same_base(other)?;
        let mut set = BTreeSet::new();
        for p in &self.prefixes {
            for q in &other.prefixes {
                if p.starts_with(q.as_str()) {
                    set.insert(p.clone());
                } else if q.starts_with(p.as_str()) {
                    set.insert(q.clone());
                }
            }
        }
        Ok(Basket {
            name: format!("{} & {}", self.name, other.name),
            vintage: self.vintage,
            reasoning: String::new(),
            prefixes: minimal(set),
        })
    }

    /// Codes of `self` not in `other` (may be empty).
    ///
    /// ```
    /// use tradedep::{classify::basket::Basket, Vintage};
    /// let a = Basket::new("a", ["85"], Vintage::Hs(2022))?;
    /// let b = Basket::new("b", ["8542"], Vintage::Hs(2022))?;
    /// let rest = a.difference(&b)?;
    /// assert_eq!(rest.len(), 99); // 8500 ... 8599 without 8542
    /// assert!(rest.contains("854110") && !rest.contains("854231"));
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn difference(&self, other: &Basket) -> Result<Basket> {
        self.same_base(other)?;
        let mut out = BTreeSet::new();
        let mut work: Vec<String> = self.prefixes.iter().cloned().collect();
        while let Some(p) = work.pop() {
            if other.prefixes.iter().any(|q| p.starts_with(q.as_str())) {
                continue; // all of p removed
            }
            if other.prefixes.iter().any(|q| q.starts_with(p.as_str())) {
                // A hole inside p: go one level down and look again.
                for i in 0..100 {
                    work.push(format!("{p}{i:02}"));
                }
            } else {
                out.insert(p);
            }
        }
        Ok(Basket {
            name: format!("{} - {}", self.name, other.name),
            vintage: self.vintage,
            reasoning: String::new(),
            prefixes: minimal(out),
        })
    }

    fn entries(&self) -> Vec<ListEntry> {
        self.prefixes
            .iter()
            .map(|p| ListEntry {
                code: p.clone(),
                attrs: EntryAttrs::default(),
                line: None,
            })
            .collect()
    }

    /// The basket for data of vintage `target` (`None` = own vintage), through correlation
    /// tables where the HS editions differ.
    ///
    /// ```
    /// use tradedep::classify::{basket::Basket, Concordances, Weighting};
    /// use tradedep::Vintage;
    /// let b = Basket::new("phones", ["851713"], Vintage::Hs(2022))?;
    /// let own = b.to_selection(None, &Concordances::new(), &Weighting::default())?;
    /// assert_eq!(own.weight("851713"), Some(1.0));
    /// // In HS2017 data, 851712 (all cellular phones) counts in part for HS2022 851713.
    /// let old = b.to_selection(Some(Vintage::Hs(2017)), &Concordances::embedded(), &Weighting::default())?;
    /// let w = old.weight("851712").unwrap();
    /// assert!(w > 0.0 && w < 1.0);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn to_selection(
        &self,
        target: Option<Vintage>,
        concordances: &Concordances,
        weighting: &Weighting,
    ) -> Result<ProductSelection> {
        super::list::selection(
            &self.name,
            &self.entries(),
            self.vintage,
            target,
            concordances,
            weighting,
        )
    }

    /// The codes of `to` standing for this basket, with weights and the prefixes they come from.
    ///
    /// ```
    /// use tradedep::classify::{basket::Basket, Concordances, Weighting};
    /// use tradedep::Vintage;
    /// let b = Basket::new("phones", ["851713", "851714"], Vintage::Hs(2022))?;
    /// let m = b.map_to(Vintage::Hs(2017), &Concordances::embedded(), &Weighting::default())?;
    /// let phones = m.codes.iter().find(|c| c.code == "851712").unwrap();
    /// assert_eq!(phones.weight, 1.0); // both its direct successors are in the basket
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn map_to(&self, to: Vintage, concordances: &Concordances, weighting: &Weighting) -> Result<Mapping> {
        super::list::map_entries(&self.entries(), self.vintage, to, concordances, weighting)
    }

    /// The basket as a list (no tiers), so it can go wherever lists go (classify, explain).
    ///
    /// ```
    /// use tradedep::classify::basket::drone_components;
    /// let list = drone_components().to_list();
    /// assert_eq!(list.name(), "drone components");
    /// assert_eq!(list.len(), drone_components().len());
    /// ```
    pub fn to_list(&self) -> ProductList {
        let meta = super::list::ListMeta {
            name: self.name.clone(),
            version: String::new(),
            effective: None,
            source: if self.reasoning.is_empty() {
                "basket".into()
            } else {
                format!("basket: {}", self.reasoning)
            },
            vintage: self.vintage,
            tiers: vec![],
        };
        // Minimal prefixes are distinct and well-formed (checked in `new`).
        ProductList::from_checked(meta, self.entries())
    }
}

/// Parts of small drones and loitering munitions, HS2022.
///
/// - `8806` unmanned aircraft (new heading in HS2022; before, drones sat in 8802 or 852580)
/// - `880730` parts of aeroplanes, helicopters or unmanned aircraft n.e.c. (new in HS2022)
/// - `850110`, `850131` electric motors up to 37.5 W and DC motors up to 750 W (brushless
///   propulsion motors and servos of small multirotors)
/// - `850760` lithium-ion accumulators (flight batteries)
/// - `852589` cameras other than TV/digital/video recorders of 852581-852583 (gimbal and FPV
///   cameras; new in HS2022)
/// - `852691` radio navigational aid apparatus (GNSS receivers and modules)
/// - `8542` electronic integrated circuits (flight controllers, ESC chips)
/// - `854470` optical fibre cables (fibre-optic guided drones spool several km of it)
/// - `900110` optical fibres and bundles (the fibre itself)
///
/// ```
/// let b = tradedep::classify::basket::drone_components();
/// assert_eq!(b.len(), 10);
/// assert!(b.contains("880610") && b.contains("850760") && b.contains("854470"));
/// ```
pub fn drone_components() -> Basket {
    basket(
        "drone components",
        &["8806", "880730", "850110", "850131", "850760", "852589", "852691", "8542", "854470", "900110"],
        "Airframes (8806), drone parts (880730), small electric motors (850110, 850131), Li-ion batteries (850760), \
         cameras (852589), GNSS receivers (852691), integrated circuits (8542), optical fibre cable (854470) and optical \
         fibres (900110) for fibre-guided drones; HS2022 codes",
    )
}

/// Microelectronics and the means to make them, HS2022.
///
/// - `8541` semiconductor devices (diodes, transistors, photosensitive devices, LEDs, crystals)
/// - `8542` electronic integrated circuits
/// - `8486` machines for making semiconductor boules, wafers, devices, ICs and flat panels
/// - `903082` instruments for measuring or checking semiconductor wafers or devices
/// - `381800` chemical elements doped for electronics (silicon wafers)
///
/// ```
/// let b = tradedep::classify::basket::microelectronics();
/// assert_eq!(b.len(), 5);
/// assert!(b.contains("854110") && b.contains("848620"));
/// ```
pub fn microelectronics() -> Basket {
    basket(
        "microelectronics",
        &["8541", "8542", "8486", "903082", "381800"],
        "Semiconductor devices (8541), integrated circuits (8542), semiconductor manufacturing equipment (8486), wafer and \
         device test instruments (903082) and doped wafers (381800); HS2022 codes",
    )
}

/// Machine tools for metal working and their parts, HS2022 headings 8456-8466.
///
/// 8456 (laser, EDM, ultrasonic machining), 8457 (machining centres), 8458 (lathes), 8459
/// (drilling, boring, milling), 8460 (grinding), 8461 (planing, gear cutting, sawing), 8462
/// (forging, bending, pressing), 8463 (other), 8464/8465 (stone, wood: kept because they
/// share parts heading 8466), 8466 (parts and accessories). Numerically controlled
/// subheadings are not separable in every heading at HS6, so the basket is wider than CNC alone.
///
/// ```
/// let b = tradedep::classify::basket::cnc_machine_tools();
/// assert!(b.contains("845811")); // CNC horizontal lathes
/// assert!(b.contains("846693")); // parts for 8456-8461
/// assert!(!b.contains("8467"));
/// ```
pub fn cnc_machine_tools() -> Basket {
    basket(
        "CNC machine tools",
        &[
            "8456", "8457", "8458", "8459", "8460", "8461", "8462", "8463", "8464", "8465", "8466",
        ],
        "Machine tools of headings 8456-8466 (HS2022) including parts (8466); HS6 does not separate numerically \
         controlled machines in every heading, so this is an upper bound for CNC",
    )
}

fn basket(name: &str, codes: &[&str], reasoning: &str) -> Basket {
    let prefixes = minimal(codes.iter().map(|c| c.to_string()).collect());
    Basket {
        name: name.into(),
        vintage: Vintage::Hs(2022),
        reasoning: reasoning.into(),
        prefixes,
    }
}

/// The shipped baskets by name.
///
/// ```
/// use tradedep::classify::basket::{builtin, drone_components};
/// assert_eq!(builtin("Drone components")?, drone_components());
/// assert!(builtin("tanks").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn builtin(name: &str) -> Result<Basket> {
    let key = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    match key.as_str() {
        "drone_components" | "drones" => Ok(drone_components()),
        "microelectronics" => Ok(microelectronics()),
        "cnc_machine_tools" | "cnc" | "machine_tools" => Ok(cnc_machine_tools()),
        _ => Err(Error::invalid_argument(
            format!("no built-in basket {name:?}"),
            "built-in baskets: drone_components, microelectronics, cnc_machine_tools",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn b(codes: &[&str]) -> Basket {
        Basket::new("t", codes.iter().copied(), Vintage::Hs(2022)).unwrap()
    }

    #[test]
    fn set_operations_on_prefixes() {
        let all: Vec<String> = ["850110", "854231", "854232", "854110", "880730", "880621"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let a = b(&["8542", "8541", "880730"]);
        let c = b(&["854231", "8806", "8541"]);
        let u = a.union(&c).unwrap();
        let i = a.intersection(&c).unwrap();
        let d = a.difference(&c).unwrap();
        for code in &all {
            assert_eq!(u.contains(code), a.contains(code) || c.contains(code), "union {code}");
            assert_eq!(
                i.contains(code),
                a.contains(code) && c.contains(code),
                "intersection {code}"
            );
            assert_eq!(
                d.contains(code),
                a.contains(code) && !c.contains(code),
                "difference {code}"
            );
        }
        assert_eq!(i.prefixes().collect::<Vec<_>>(), ["8541", "854231"]);
        assert!(b(&["85"]).difference(&b(&["8542"])).unwrap().contains("854110"));
    }

    #[test]
    fn malformed_basket_codes_are_errors() {
        assert!(Basket::new("x", ["85423"], Vintage::Hs(2022)).is_err());
        assert!(Basket::new("x", ["85423190"], Vintage::Hs(2022)).is_err());
        assert!(Basket::new("x", ["85423190"], Vintage::Cn(2022)).is_ok());
    }
}
