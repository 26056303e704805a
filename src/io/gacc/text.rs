//! Text of a GACC export: its encoding, its numbers and its unit names.
//!
//! The online query writes UTF-8 but leaves GBK bytes in some names (`Hong Kong\xa3\xacChina`,
//! a full-width comma), and the Chinese interface writes GB18030. Numbers carry thousands
//! separators (`19,121,826`); `?` stands for "no unit" and its quantity.

use encoding_rs::GB18030;

/// How the bytes of a file are decoded.
///
/// ```
/// use tradedep::io::gacc::GaccEncoding;
/// assert_eq!(GaccEncoding::parse("GBK")?, GaccEncoding::Gb18030);
/// assert_eq!(GaccEncoding::parse("utf-8")?, GaccEncoding::Utf8);
/// assert_eq!(GaccEncoding::default(), GaccEncoding::Auto);
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GaccEncoding {
    /// UTF-8 when the bytes are valid UTF-8; GB18030 when they hold no UTF-8 multi-byte
    /// character at all; otherwise UTF-8 with each invalid pair read as GB18030 (default).
    #[default]
    Auto,
    Utf8,
    Gb18030,
}

impl GaccEncoding {
    /// Reads `auto`, `utf-8` or `gb18030` (also `gbk`, `gb2312`). See the example on [`GaccEncoding`].
    ///
    /// ```
    /// use tradedep::io::gacc::GaccEncoding;
    /// assert_eq!(GaccEncoding::parse("gb2312")?, GaccEncoding::Gb18030);
    /// assert!(GaccEncoding::parse("latin-1").is_err());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn parse(s: &str) -> crate::Result<GaccEncoding> {
        match s.trim().to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "auto" => Ok(GaccEncoding::Auto),
            "utf8" => Ok(GaccEncoding::Utf8),
            "gb18030" | "gbk" | "gb2312" => Ok(GaccEncoding::Gb18030),
            other => Err(crate::Error::invalid_argument(
                format!("unknown encoding {other:?}"),
                "use \"auto\", \"utf-8\" or \"gb18030\"",
            )),
        }
    }
}

/// The decoded text and what decoding took: `(text, encoding used, GBK pairs inside UTF-8)`.
///
/// ```
/// use tradedep::io::gacc::{text::decode, GaccEncoding};
/// // UTF-8 text (香港) with one GBK pair (a full-width comma).
/// let bytes = b"Hong Kong\xa3\xacChina \xe9\xa6\x99\xe6\xb8\xaf";
/// assert_eq!(decode(bytes, GaccEncoding::Auto), ("Hong Kong，China 香港".to_string(), "UTF-8 with GBK pairs", 1));
/// // Without any UTF-8 character, the bytes are read as GB18030.
/// assert_eq!(decode(b"Hong Kong\xa3\xacChina", GaccEncoding::Auto).1, "GB18030");
/// assert_eq!(decode("俄罗斯".as_bytes(), GaccEncoding::Auto).1, "UTF-8");
/// ```
pub fn decode(bytes: &[u8], enc: GaccEncoding) -> (String, &'static str, usize) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let gb = |b: &[u8]| GB18030.decode_without_bom_handling(b).0.into_owned();
    match enc {
        GaccEncoding::Gb18030 => return (gb(bytes), "GB18030", 0),
        GaccEncoding::Utf8 => return (String::from_utf8_lossy(bytes).into_owned(), "UTF-8", 0),
        GaccEncoding::Auto => {}
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), "UTF-8", 0);
    }
    // Mixed reading: valid UTF-8 runs as UTF-8, each invalid pair as GB18030. A GB18030 file
    // gives far more invalid pairs than well-formed UTF-8 characters (a few of its pairs happen
    // to be valid UTF-8: 品 is C6 B7, "Ʒ"); a UTF-8 file with stray GBK bytes the other way round.
    let (mut out, mut rest, mut pairs, mut utf8_chars) = (String::with_capacity(bytes.len()), bytes, 0, 0);
    loop {
        let (ok, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s, 0),
            Err(e) => (
                std::str::from_utf8(&rest[..e.valid_up_to()]).expect("checked by valid_up_to"),
                2.min(rest.len() - e.valid_up_to()),
            ),
        };
        utf8_chars += ok.chars().filter(|c| !c.is_ascii()).count();
        out.push_str(ok);
        if bad == 0 {
            break;
        }
        out.push_str(&gb(&rest[ok.len()..ok.len() + bad]));
        pairs += 1;
        rest = &rest[ok.len() + bad..];
    }
    if pairs > utf8_chars {
        return (gb(bytes), "GB18030", 0);
    }
    (out, "UTF-8 with GBK pairs", pairs)
}

/// A number as the query writes it: `19,121,826`, `47690`, `1.5`; empty or `?` is `None`.
///
/// ```
/// use tradedep::io::gacc::text::number;
/// assert_eq!(number("19,121,826"), Some(Ok(19_121_826.0)));
/// assert_eq!(number("?"), None);
/// assert_eq!(number("12a"), Some(Err(())));
/// ```
pub fn number(s: &str) -> Option<Result<f64, ()>> {
    let t = s.trim();
    if t.is_empty() || t == "?" || t == "-" {
        return None;
    }
    let clean: String = t.chars().filter(|c| *c != ',' && *c != '，').collect();
    Some(clean.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or(()))
}

/// A unit name of the query (English or Chinese) as a tradedep unit: `(unit, factor)`.
/// `None` for `?` (no unit). Unknown names are kept as `gacc:<name>` so that quantities are only
/// ever summed within one unit and never under a guessed one.
///
/// ```
/// use tradedep::io::gacc::text::unit;
/// assert_eq!(unit("千克"), Some(("kg".to_string(), 1.0)));
/// assert_eq!(unit("Gram"), Some(("kg".to_string(), 0.001)));
/// assert_eq!(unit("Set"), Some(("gacc:Set".to_string(), 1.0))); // kept, never guessed
/// assert_eq!(unit("?"), None);
/// ```
pub fn unit(name: &str) -> Option<(String, f64)> {
    let t = name.trim();
    if t.is_empty() || t == "?" || t == "？" {
        return None;
    }
    let known = match t.to_ascii_lowercase().as_str() {
        "kilogram" | "kilograms" | "千克" | "公斤" => Some(("kg", 1.0)),
        "gram" | "grams" | "克" => Some(("kg", 0.001)),
        "ton" | "tons" | "tonne" | "吨" => Some(("t", 1.0)),
        "number of item" | "number of items" | "item" | "piece" | "个" | "件" | "只" => Some(("u", 1.0)),
        "meter" | "meters" | "metre" | "米" => Some(("m", 1.0)),
        "kilometer" | "kilometre" | "千米" => Some(("km", 1.0)),
        "square meter" | "square metre" | "平方米" => Some(("m2", 1.0)),
        "cubic meter" | "cubic metre" | "立方米" => Some(("m3", 1.0)),
        "liter" | "litre" | "升" => Some(("l", 1.0)),
        "pair" | "pairs" | "双" | "对" => Some(("pair", 1.0)),
        "carat" | "克拉" => Some(("carat", 1.0)),
        _ => None,
    };
    Some(match known {
        Some((u, f)) => (u.to_string(), f),
        None => (format!("gacc:{t}"), 1.0),
    })
}

/// Folds a partner name for comparison: lower case, letters and digits only (the full-width
/// comma of `Hong Kong，China`, spaces and brackets do not count).
///
/// ```
/// use tradedep::io::gacc::text::fold;
/// assert_eq!(fold("Hong Kong，China"), fold("hong kong (china)"));
/// ```
pub fn fold(name: &str) -> String {
    crate::reference::countries::normalize(name)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_stray_gbk_pairs_inside_utf8() {
        let (s, enc, n) = decode(b"T\xc3\xbcrkiye,Hong Kong\xa3\xacChina", GaccEncoding::Auto);
        assert_eq!(s, "Türkiye,Hong Kong，China");
        assert_eq!((enc, n), ("UTF-8 with GBK pairs", 1));
        let gb = GB18030.encode("商品编码,美元").0;
        assert_eq!(decode(&gb, GaccEncoding::Auto).0, "商品编码,美元");
    }

    #[test]
    fn numbers_and_units() {
        assert_eq!(number("19,121,826"), Some(Ok(19_121_826.0)));
        assert_eq!(number("?"), None);
        assert_eq!(number("12a"), Some(Err(())));
        assert_eq!(unit("Meter"), Some(("m".into(), 1.0)));
        assert_eq!(unit("?"), None);
        assert_eq!(unit("Set"), Some(("gacc:Set".into(), 1.0)));
        assert_eq!(fold("Hong Kong，China"), fold("Hong Kong,China"));
    }
}
