//! Trade flow direction and value basis.

use crate::error::{Error, Result};

/// Direction of a flow, from the reporter's point of view.
///
/// The discriminant is the key of the `flow` dictionary column, whose values are always
/// [`Flow::DICTIONARY`] in this order, so kernels can read keys without looking at values.
///
/// ```
/// use tradedep::model::Flow;
/// assert_eq!(Flow::parse("M")?, Flow::Import);
/// assert_eq!(Flow::parse("Re-Export")?, Flow::ReExport);
/// assert_eq!(Flow::Export.as_str(), "export");
/// assert_eq!(Flow::from_key(Flow::ReImport as i8), Some(Flow::ReImport));
/// assert_eq!(Flow::DICTIONARY[Flow::Export as usize], "export");
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i8)]
pub enum Flow {
    Import = 0,
    Export = 1,
    ReImport = 2,
    ReExport = 3,
}

impl Flow {
    /// The importing country of a row of this flow: the reporter of an import or re-import,
    /// the partner of an export or re-export.
    ///
    /// ```
    /// use tradedep::Flow;
    /// assert_eq!(Flow::Import.importer(643, 156), 643);
    /// assert_eq!(Flow::ReExport.importer(344, 643), 643);
    /// ```
    pub fn importer(self, reporter: u16, partner: u16) -> u16 {
        match self {
            Flow::Import | Flow::ReImport => reporter,
            Flow::Export | Flow::ReExport => partner,
        }
    }

    /// Dictionary values of the `flow` column, indexed by discriminant.
    pub const DICTIONARY: [&'static str; 4] = ["import", "export", "re_import", "re_export"];

    /// The name in the `flow` column: `import`, `export`, `re_import`, `re_export`.
    ///
    /// ```
    /// assert_eq!(tradedep::Flow::ReExport.as_str(), "re_export");
    /// ```
    pub fn as_str(self) -> &'static str {
        Self::DICTIONARY[self as usize]
    }

    /// The flow of a `flow` dictionary key; `None` outside 0..=3.
    ///
    /// ```
    /// use tradedep::Flow;
    /// assert_eq!(Flow::from_key(1), Some(Flow::Export));
    /// assert_eq!(Flow::from_key(4), None);
    /// ```
    pub fn from_key(key: i8) -> Option<Flow> {
        match key {
            0 => Some(Flow::Import),
            1 => Some(Flow::Export),
            2 => Some(Flow::ReImport),
            3 => Some(Flow::ReExport),
            _ => None,
        }
    }

    /// Parses the names and codes used by Comtrade Plus (`M`, `X`, `RM`, `RX`), legacy Comtrade
    /// (`Import`, `Export`, `Re-Import`, `Re-Export`, 1..4), Comext (`1` import, `2` export) and
    /// this crate's own names.
    ///
    /// ```
    /// use tradedep::Flow;
    /// assert_eq!(Flow::parse("X")?, Flow::Export);
    /// assert_eq!(Flow::parse("2")?, Flow::Export); // Comext
    /// assert!(Flow::parse("transit").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Flow> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "m" | "import" | "imports" | "1" => Flow::Import,
            "x" | "export" | "exports" | "2" => Flow::Export,
            "rm" | "re-import" | "re_import" | "reimport" | "re-imports" | "4" => Flow::ReImport,
            "rx" | "re-export" | "re_export" | "reexport" | "re-exports" | "3" => Flow::ReExport,
            _ => {
                return Err(Error::invalid_argument(
                    format!("unknown trade flow {t:?}"),
                    "use import/export/re_import/re_export (or Comtrade's M, X, RM, RX)",
                ))
            }
        })
    }
}

impl std::fmt::Display for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Valuation basis of a trade value: imports are usually CIF, exports FOB.
///
/// ```
/// use tradedep::model::ValueBasis;
/// assert_eq!(ValueBasis::Fob.as_str(), "FOB");
/// assert_eq!(ValueBasis::from_key(0), Some(ValueBasis::Cif));
/// assert_eq!(ValueBasis::from_key(2), None);
/// assert_eq!(ValueBasis::DICTIONARY, ["CIF", "FOB"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i8)]
pub enum ValueBasis {
    Cif = 0,
    Fob = 1,
}

impl ValueBasis {
    /// Dictionary values of the `value_basis` column, indexed by discriminant.
    pub const DICTIONARY: [&'static str; 2] = ["CIF", "FOB"];
    /// The name in the `value_basis` column: `CIF` or `FOB`.
    ///
    /// ```
    /// assert_eq!(tradedep::model::ValueBasis::Cif.as_str(), "CIF");
    /// ```
    pub fn as_str(self) -> &'static str {
        Self::DICTIONARY[self as usize]
    }
    /// The basis of a `value_basis` dictionary key; `None` outside 0..=1.
    ///
    /// ```
    /// use tradedep::model::ValueBasis;
    /// assert_eq!(ValueBasis::from_key(1), Some(ValueBasis::Fob));
    /// ```
    pub fn from_key(key: i8) -> Option<ValueBasis> {
        match key {
            0 => Some(ValueBasis::Cif),
            1 => Some(ValueBasis::Fob),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comtrade_flow_codes_parse() {
        assert_eq!(Flow::parse("M").unwrap(), Flow::Import);
        assert_eq!(Flow::parse("X").unwrap(), Flow::Export);
        assert_eq!(Flow::parse("RX").unwrap(), Flow::ReExport);
        assert_eq!(Flow::parse("Re-Import").unwrap(), Flow::ReImport);
        assert!(Flow::parse("sideways").unwrap_err().to_string().contains("sideways"));
    }

    #[test]
    fn dictionary_order_matches_discriminants() {
        for f in [Flow::Import, Flow::Export, Flow::ReImport, Flow::ReExport] {
            assert_eq!(Flow::from_key(f as i8), Some(f));
            assert_eq!(Flow::DICTIONARY[f as usize], f.as_str());
        }
    }
}
