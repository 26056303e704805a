//! The Common High Priority List (CHPL) of the EU, US, UK and Japan, version of 2024-02-23:
//! 50 HS2022 subheadings in tiers 1, 2, 3.A, 3.B, 4.A and 4.B, typed here from the published
//! list.
//!
//! Source: US Department of Commerce, Bureau of Industry and Security, "Common High Priority
//! List (February 23, 2024)", <https://www.bis.gov/licensing/country-guidance/common-high-priority-items-list-chpl>,
//! and European Commission, "List of common high priority items" (version of February 2024),
//! <https://finance.ec.europa.eu/publications/list-common-high-priority-items_en>.
//! Descriptions are the HS2022 subheading texts. Later revisions are not included.

use std::collections::BTreeMap;

use super::list::{EntryAttrs, ListEntry, ListMeta, ProductList};
use crate::model::Vintage;

/// Version date of the built-in list.
///
/// ```
/// use tradedep::classify::chpl::{chpl, VERSION};
/// assert_eq!(VERSION, "2024-02-23");
/// assert_eq!(chpl().version(), VERSION);
/// ```
pub const VERSION: &str = "2024-02-23";

/// Tiers in order, with the BIS definition of each.
///
/// ```
/// use tradedep::classify::chpl::TIERS;
/// let names: Vec<&str> = TIERS.iter().map(|(t, _)| *t).collect();
/// assert_eq!(names, ["1", "2", "3.A", "3.B", "4.A", "4.B"]);
/// assert!(TIERS[5].1.contains("CNC"));
/// ```
pub const TIERS: [(&str, &str); 6] = [
    ("1", "Items of the highest concern due to their critical role in the production of advanced Russian precision-guided weapons systems, Russia's lack of domestic production, and limited global manufacturers"),
    ("2", "Additional electronics items for which Russia may have some domestic production capability but a preference to source from the United States and its partners and allies"),
    ("3.A", "Further electronic components used in Russian weapons systems, with a broader range of suppliers"),
    ("3.B", "Mechanical and other components utilized in Russian weapons systems"),
    ("4.A", "Manufacturing, production and quality testing equipment for electric components, circuit boards and modules"),
    ("4.B", "Computer Numerically Controlled (CNC) machine tools and components for them"),
];

/// `(HS2022 code, tier, HS2022 description)`.
///
/// ```
/// use tradedep::classify::chpl::CODES;
/// assert_eq!(CODES[0].0, "854231"); // processors and controllers
/// assert_eq!(CODES.iter().filter(|(_, tier, _)| *tier == "1").count(), 4);
/// ```
pub const CODES: [(&str, &str, &str); 50] = [
    ("854231", "1", "Electronic integrated circuits; processors and controllers, whether or not combined with memories, converters, logic circuits, amplifiers, clock and timing circuits, or other circuits"),
    ("854232", "1", "Electronic integrated circuits; memories"),
    ("854233", "1", "Electronic integrated circuits; amplifiers"),
    ("854239", "1", "Electronic integrated circuits; n.e.c. in heading no. 8542"),
    ("851762", "2", "Communication apparatus (excluding telephone sets or base stations); machines for the reception, conversion and transmission or regeneration of voice, images or other data, including switching and routing apparatus"),
    ("852691", "2", "Radio navigational aid apparatus"),
    ("853221", "2", "Electrical capacitors; fixed, tantalum"),
    ("853224", "2", "Electrical capacitors; fixed, ceramic dielectric, multilayer"),
    ("854800", "2", "Electrical parts of machinery or apparatus; not specified or elsewhere included in this chapter"),
    ("847150", "3.A", "Units of automatic data processing machines; processing units other than those of item no. 8471.41 or 8471.49, whether or not containing in the same housing one or two of the following types of unit: storage units, input units or output units"),
    ("850440", "3.A", "Electrical static converters"),
    ("851769", "3.A", "Communication apparatus (excluding telephone sets or base stations); machines for the transmission or reception of voice, images or other data (including wired/wireless networks), n.e.c. in item no. 8517.6"),
    ("852589", "3.A", "Television cameras; n.e.c. in item no 8525.8"),
    ("852910", "3.A", "Reception and transmission apparatus; aerials and aerial reflectors of all kinds and parts suitable for use therewith"),
    ("852990", "3.A", "Reception and transmission apparatus; for use with the apparatus of heading no. 8524 to 8528, excluding aerials and aerial reflectors"),
    ("853669", "3.A", "Electrical apparatus; plugs and sockets, for a voltage not exceeding 1000 volts"),
    ("853690", "3.A", "Electrical apparatus; n.e.c. in heading no. 8536, for switching or protecting electrical circuits, for a voltage not exceeding 1000 volts"),
    ("854110", "3.A", "Electrical apparatus; diodes, other than photosensitive or light-emitting diodes (LED)"),
    ("854121", "3.A", "Electrical apparatus; transistors, (other than photosensitive), with a dissipation rate of less than 1W"),
    ("854129", "3.A", "Electrical apparatus; transistors, (other than photosensitive), with a dissipation rate of 1W or more"),
    ("854130", "3.A", "Electrical apparatus; thyristors, diacs and triacs, other than photosensitive devices"),
    ("854149", "3.A", "Electrical apparatus; photosensitive semiconductor devices, diodes other than light emitting diodes and photovoltaic cells whether or not assembled in modules or made up into panels"),
    ("854151", "3.A", "Electrical apparatus; photosensitive semiconductor devices, semiconductor-based transducers"),
    ("854159", "3.A", "Electrical apparatus; photosensitive semiconductor devices n.e.c. in heading no. 8541"),
    ("854160", "3.A", "Crystals; mounted piezo-electric"),
    ("848210", "3.B", "Ball bearings"),
    ("848220", "3.B", "Bearings; tapered roller bearings, including cone and tapered roller assemblies"),
    ("848230", "3.B", "Bearings; spherical roller bearings"),
    ("848250", "3.B", "Bearings; cylindrical roller bearings, including cage and roller assemblies n.e.c. in heading no. 8482"),
    ("880730", "3.B", "Aircraft and spacecraft; parts of aeroplanes, helicopters or unmanned aircraft n.e.c. in heading no. 8807"),
    ("901310", "3.B", "Optical appliances and instruments; telescopic sights for fitting to arms; periscopes; telescopes designed to form parts of machines, appliances, instruments or apparatus of this chapter"),
    ("901380", "3.B", "Optical devices, appliances and instruments; n.e.c. in heading no. 9013"),
    ("901420", "3.B", "Navigational instruments and appliances; for aeronautical or space navigation (excluding compasses)"),
    ("901480", "3.B", "Navigational instruments and appliances; for navigation other than aeronautical or space navigation (excluding direction finding compasses)"),
    ("847180", "4.A", "Units of automatic data processing machines; n.e.c. in item no. 8471.50, 8471.60 or 8471.70"),
    ("848610", "4.A", "Machines and apparatus of a kind used solely or principally for the manufacture of semiconductor boules or wafers"),
    ("848620", "4.A", "Machines and apparatus of a kind used solely or principally for the manufacture of semiconductor devices or of electronic integrated circuits"),
    ("848640", "4.A", "Machines and apparatus of a kind used solely or principally for the manufacture or repair of masks and reticles, assembling semiconductor devices or electronic integrated circuits, or for lifting, handling, loading or unloading items of heading 8486"),
    ("853400", "4.A", "Circuits; printed"),
    ("854320", "4.A", "Electrical machines and apparatus; signal generators"),
    ("902750", "4.A", "Instruments and apparatus; using optical radiations (UV, visible, IR), (other than spectrometers, spectrophotometers and spectrographs)"),
    ("903020", "4.A", "Oscilloscopes and oscillographs"),
    ("903032", "4.A", "Multimeters; for measuring or checking voltage, current, resistance or power, with a recording device"),
    ("903039", "4.A", "Instruments and apparatus; for measuring or checking voltage, current, resistance or power, with a recording device (excluding multimeters)"),
    ("903082", "4.A", "Instruments and apparatus; for measuring or checking semiconductor wafers or devices (including integrated circuits)"),
    ("845710", "4.B", "Machining centres; for working metal"),
    ("845811", "4.B", "Lathes; for removing metal, horizontal, numerically controlled"),
    ("845891", "4.B", "Lathes; for removing metal, numerically controlled, other than horizontal lathes"),
    ("845961", "4.B", "Machine-tools; for milling by removing metal, (not knee-type), numerically controlled"),
    ("846693", "4.B", "Parts & accessories suited for use solely/principally with machines of headings 8456-8465; n.e.c. in heading no. 8466"),
];

/// The CHPL of 2024-02-23 as a [`ProductList`] (vintage HS2022). The category of each entry
/// is its tier's definition.
///
/// ```
/// let chpl = tradedep::classify::chpl::chpl();
/// assert_eq!(chpl.version(), "2024-02-23");
/// assert_eq!(chpl.tier("3").unwrap().len(), 25);
/// ```
pub fn chpl() -> ProductList {
    let meta = ListMeta {
        name: "CHPL".into(),
        version: VERSION.into(),
        effective: Some(VERSION.into()),
        source: "BIS/EU Common High Priority List, version of 2024-02-23 (built in)".into(),
        vintage: Vintage::Hs(2022),
        tiers: TIERS.iter().map(|(t, _)| t.to_string()).collect(),
    };
    let entries = CODES
        .iter()
        .enumerate()
        .map(|(i, (code, tier, desc))| ListEntry {
            code: code.to_string(),
            attrs: EntryAttrs {
                tier: Some(tier.to_string()),
                category: TIERS.iter().find(|(t, _)| t == tier).map(|(_, d)| d.to_string()),
                control_entries: vec![],
                description: Some(desc.to_string()),
                extra: BTreeMap::new(),
            },
            line: Some(i as u64 + 1),
        })
        .collect();
    // The table above is checked by the tests below (50 distinct codes, known tiers).
    ProductList::from_checked(meta, entries)
}

#[cfg(test)]
mod tests {
    #[test]
    fn built_in_list_validates() {
        let entries: Vec<_> = super::CODES.iter().map(|(c, _, _)| *c).collect();
        let mut uniq = entries.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), 50);
        let list = super::chpl();
        let rebuilt = crate::classify::list::ProductList::new(list.meta.clone(), list.entries().to_vec()).unwrap();
        assert_eq!(rebuilt.len(), 50);
    }
}
