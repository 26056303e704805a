//! Decoding the text of statistics downloads: UTF-8 with or without a byte-order mark, Latin-1
//! (ISO-8859-1, as the Comtrade Plus website writes its CSV), or UTF-8 with a few stray Latin-1
//! bytes (files re-saved by hand). Numbers and codes are ASCII in every case, so the decoding
//! only touches descriptions; the reader says in its report what it did.

/// What [`decode`] did to the bytes.
///
/// ```
/// use tradedep::io::comtrade::text::{decode, Decoding};
/// let (_, how) = decode(b"plain ASCII");
/// assert_eq!(how, Decoding::default());
/// let (_, how) = decode(b"C\xF4te d'Ivoire, Cura\xE7ao");
/// assert_eq!(how, Decoding { bom_removed: false, latin1_bytes: 2 });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Decoding {
    /// A UTF-8 byte-order mark was removed from the start.
    pub bom_removed: bool,
    /// Bytes that were not valid UTF-8 and were read as Latin-1 characters.
    pub latin1_bytes: usize,
}

impl Decoding {
    /// A sentence for the read report, or `None` when the input was plain UTF-8.
    ///
    /// ```
    /// use tradedep::io::comtrade::text::Decoding;
    /// assert_eq!(Decoding::default().note(), None);
    /// let bom = Decoding { bom_removed: true, latin1_bytes: 0 };
    /// assert_eq!(bom.note().unwrap(), "removed a UTF-8 byte-order mark at the start of the file");
    /// let both = Decoding { bom_removed: true, latin1_bytes: 3 };
    /// assert!(both.note().unwrap().starts_with("removed a UTF-8 byte-order mark; read 3 byte(s)"));
    /// ```
    pub fn note(&self) -> Option<String> {
        match (self.bom_removed, self.latin1_bytes) {
            (false, 0) => None,
            (true, 0) => Some("removed a UTF-8 byte-order mark at the start of the file".into()),
            (bom, n) => Some(format!(
                "{}read {n} byte(s) that are not valid UTF-8 as Latin-1 (ISO-8859-1) characters; they occur in text columns only",
                if bom { "removed a UTF-8 byte-order mark; " } else { "" }
            )),
        }
    }
}

/// Decodes `bytes` to text: valid UTF-8 runs stay UTF-8, every other byte is taken as Latin-1.
///
/// ```
/// use tradedep::io::comtrade::text::decode;
/// let (text, how) = decode(b"\xEF\xBB\xBFname\nCura\xE7ao\n");
/// assert_eq!(text, "name\nCuraçao\n");
/// assert!(how.bom_removed);
/// assert_eq!(how.latin1_bytes, 1);
/// ```
pub fn decode(bytes: &[u8]) -> (String, Decoding) {
    let mut how = Decoding::default();
    let mut rest = bytes;
    if let Some(r) = rest.strip_prefix(b"\xEF\xBB\xBF") {
        how.bom_removed = true;
        rest = r;
    }
    let mut out = String::with_capacity(rest.len());
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                // `good` is valid UTF-8 by construction of valid_up_to.
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let n = e.error_len().unwrap_or(bad.len()).max(1).min(bad.len());
                for b in &bad[..n] {
                    out.push(char::from(*b));
                }
                how.latin1_bytes += n;
                rest = &bad[n..];
            }
        }
    }
    (out, how)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_untouched() {
        let (t, how) = decode("Côte d'Ivoire".as_bytes());
        assert_eq!(t, "Côte d'Ivoire");
        assert_eq!(how, Decoding::default());
        assert!(how.note().is_none());
    }

    #[test]
    fn latin1_bytes_become_their_characters() {
        let (t, how) = decode(b"C\xF4te d'Ivoire,\xE9");
        assert_eq!(t, "Côte d'Ivoire,é");
        assert_eq!(how.latin1_bytes, 2);
        assert!(how.note().unwrap().contains("Latin-1"));
    }

    #[test]
    fn truncated_utf8_at_end_does_not_loop() {
        let (t, how) = decode(b"ab\xE2\x82");
        assert_eq!(t.chars().count(), 4);
        assert_eq!(how.latin1_bytes, 2);
    }
}
