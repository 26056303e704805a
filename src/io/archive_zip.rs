//! The zip archive CEPII ships BACI in: yearly data files `BACI_HS17_Y2017_V202401.csv`, plus
//! `country_codes_V202401.csv` and `product_codes_HS17_V202401.csv`.

use std::io::{Read, Seek};

use zip::ZipArchive;

use crate::error::{Error, Location, Result};
use crate::io::baci::{release_from_name, vintage_from_name, year_from_name};
use crate::model::Vintage;
use crate::reference::countries;

/// Opens a zip archive, mapping a damaged one to [`Error::Format`].
///
/// ```
/// use std::io::{Cursor, Write};
/// use tradedep::io::archive_zip::open;
/// let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
/// w.start_file("a.csv", zip::write::SimpleFileOptions::default()).unwrap();
/// w.write_all(b"t,i,j,k,v,q\n").unwrap();
/// let bytes = w.finish().unwrap().into_inner();
/// assert_eq!(open(Cursor::new(&bytes), "baci.zip")?.len(), 1);
/// assert!(open(Cursor::new(&bytes[..bytes.len() / 2]), "baci.zip").is_err()); // truncated
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn open<R: Read + Seek>(src: R, file: &str) -> Result<ZipArchive<R>> {
    ZipArchive::new(src).map_err(|e| zip_error(file, e))
}

/// A zip error as this crate reports it.
///
/// ```
/// use tradedep::{io::archive_zip::zip_error, Error};
/// let e = zip_error("baci.zip", zip::result::ZipError::InvalidArchive("bad central directory".into()));
/// assert!(matches!(e, Error::Format { .. }));
/// assert!(e.to_string().contains("damaged or truncated"));
/// ```
pub fn zip_error(file: &str, e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => Error::Io {
            path: file.into(),
            source: io,
        },
        other => Error::format(
            format!("the zip archive is damaged or truncated ({other})"),
            Location::file(file),
            "download the archive again",
        ),
    }
}

/// One yearly data file of a BACI archive.
///
/// ```
/// use std::io::{Cursor, Write};
/// use tradedep::io::archive_zip::{baci_contents, open};
/// let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
/// w.start_file("BACI/BACI_HS17_Y2021_V202401.csv", zip::write::SimpleFileOptions::default()).unwrap();
/// w.write_all(b"t,i,j,k,v,q\n").unwrap();
/// let bytes = w.finish().unwrap().into_inner();
/// let contents = baci_contents(&mut open(Cursor::new(bytes), "baci.zip")?, "baci.zip")?;
/// let m = &contents.members[0];
/// assert_eq!((m.path.as_str(), m.name.as_str(), m.year, m.size), ("BACI/BACI_HS17_Y2021_V202401.csv", "BACI_HS17_Y2021_V202401.csv", 2021, 12));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BaciMember {
    /// Path inside the archive.
    pub path: String,
    /// File name without folders.
    pub name: String,
    pub year: i32,
    /// Uncompressed size in bytes.
    pub size: u64,
}

/// What a BACI archive holds.
///
/// ```
/// use std::io::{Cursor, Write};
/// use tradedep::io::archive_zip::{baci_contents, open, read_member, unknown_country_codes};
/// use tradedep::Vintage;
/// let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
/// for (name, text) in [
///     ("BACI_HS17_Y2021_V202401.csv", "t,i,j,k,v,q\n"),
///     ("BACI_HS17_Y2020_V202401.csv", "t,i,j,k,v,q\n"),
///     ("country_codes_V202401.csv", "country_code,country_name\n4,Afghanistan\n1234,Nowhere\n"),
///     ("product_codes_HS17_V202401.csv", "code,description\n010121,Horses\n"),
/// ] {
///     w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
///     w.write_all(text.as_bytes()).unwrap();
/// }
/// let mut zip = open(w.finish().unwrap(), "baci.zip")?;
/// let c = baci_contents(&mut zip, "baci.zip")?;
/// assert_eq!((c.vintage, c.release.as_deref()), (Vintage::Hs(2017), Some("V202401")));
/// assert_eq!(c.members.iter().map(|m| m.year).collect::<Vec<_>>(), [2020, 2021]); // sorted by year
/// assert_eq!(c.select(Some(&[2021]), "baci.zip")?.len(), 1);
/// assert!(c.select(Some(&[2019]), "baci.zip").is_err()); // a year the archive lacks
/// let countries = read_member(&mut zip, c.country_codes.as_deref().unwrap(), "baci.zip")?;
/// assert_eq!(unknown_country_codes(&countries), [1234]);
/// assert_eq!(c.product_codes.as_deref(), Some("product_codes_HS17_V202401.csv"));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BaciContents {
    pub vintage: Vintage,
    pub release: Option<String>,
    /// Data files sorted by year.
    pub members: Vec<BaciMember>,
    pub country_codes: Option<String>,
    pub product_codes: Option<String>,
}

impl BaciContents {
    /// The members of `years` (all when `None`); a year the archive lacks is an error.
    ///
    /// See the example on [`BaciContents`].
    ///
    /// ```
    /// use std::io::{Cursor, Write};
    /// use tradedep::io::archive_zip::{baci_contents, open};
    /// let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    /// for year in [2020, 2021, 2022] {
    ///     w.start_file(format!("BACI_HS17_Y{year}_V202401.csv"), zip::write::SimpleFileOptions::default()).unwrap();
    ///     w.write_all(b"t,i,j,k,v,q\n").unwrap();
    /// }
    /// let c = baci_contents(&mut open(w.finish().unwrap(), "baci.zip")?, "baci.zip")?;
    /// assert_eq!(c.select(None, "baci.zip")?.len(), 3);
    /// assert_eq!(c.select(Some(&[2022, 2020]), "baci.zip")?.iter().map(|m| m.year).collect::<Vec<_>>(), [2020, 2022]);
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn select(&self, years: Option<&[i32]>, file: &str) -> Result<Vec<BaciMember>> {
        let Some(years) = years else {
            return Ok(self.members.clone());
        };
        let have: Vec<i32> = self.members.iter().map(|m| m.year).collect();
        if let Some(missing) = years.iter().find(|y| !have.contains(y)) {
            return Err(Error::invalid_argument(
                format!("{file} has no data file for year {missing}"),
                format!(
                    "the archive holds years {}",
                    have.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Ok(self
            .members
            .iter()
            .filter(|m| years.contains(&m.year))
            .cloned()
            .collect())
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Lists the data and companion files of a BACI archive. Data files of more than one HS
/// vintage in one archive are an error: a table has one vintage.
///
/// ```
/// use std::io::{Cursor, Write};
/// use tradedep::io::archive_zip::{baci_contents, open};
/// let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
/// for name in ["BACI_HS17_Y2021_V202401.csv", "BACI_HS22_Y2022_V202401.csv"] {
///     w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
///     w.write_all(b"t,i,j,k,v,q\n").unwrap();
/// }
/// let mut zip = open(w.finish().unwrap(), "mixed.zip")?;
/// assert!(baci_contents(&mut zip, "mixed.zip").unwrap_err().to_string().contains("mixes HS vintages"));
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn baci_contents<R: Read + Seek>(zip: &mut ZipArchive<R>, file: &str) -> Result<BaciContents> {
    let mut members = Vec::new();
    let mut country_codes = None;
    let mut product_codes = None;
    let mut vintages: Vec<(Vintage, String)> = Vec::new();
    let mut release = None;
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(|e| zip_error(file, e))?;
        let path = entry.name().to_string();
        let size = entry.size();
        drop(entry);
        let name = base_name(&path).to_string();
        let lower = name.to_ascii_lowercase();
        if !lower.ends_with(".csv") {
            continue;
        }
        if lower.starts_with("country_codes") {
            country_codes = Some(path);
        } else if lower.starts_with("product_codes") {
            product_codes = Some(path);
        } else if let (Some(v), Some(year)) = (vintage_from_name(&name), year_from_name(&name)) {
            if !vintages.iter().any(|(w, _)| *w == v) {
                vintages.push((v, name.clone()));
            }
            if release.is_none() {
                release = release_from_name(&name);
            }
            members.push(BaciMember { path, name, year, size });
        }
    }
    match vintages.as_slice() {
        [] => Err(Error::format(
            "no BACI data file (BACI_HS<vintage>_Y<year>_V<release>.csv) in the archive",
            Location::file(file),
            "pass the zip archive CEPII distributes, or one of its CSV files",
        )),
        [(v, _)] => {
            members.sort_by_key(|m| m.year);
            // Two files of one year (two releases, or a copy in another folder) would double
            // that year's rows and values.
            if let Some(w) = members.windows(2).find(|w| w[0].year == w[1].year) {
                return Err(Error::invalid_data(
                    format!(
                        "the archive holds two files for year {}: {} and {}",
                        w[0].year, w[0].path, w[1].path
                    ),
                    Location::file(file),
                    "reading both would count that year twice: keep one release per year in the archive, or read the CSV file you want",
                ));
            }
            Ok(BaciContents {
                vintage: *v,
                release,
                members,
                country_codes,
                product_codes,
            })
        }
        [(a, an), (b, bn), ..] => Err(Error::invalid_data(
            format!("the archive mixes HS vintages: {an} is {a}, {bn} is {b}"),
            Location::file(file),
            "a table holds one vintage: read each vintage's files separately and convert with classify::convert",
        )),
    }
}

/// The whole text of a (small) member.
///
/// ```
/// use std::io::{Cursor, Write};
/// use tradedep::io::archive_zip::{open, read_member};
/// let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
/// w.start_file("readme.txt", zip::write::SimpleFileOptions::default()).unwrap();
/// w.write_all(b"BACI").unwrap();
/// let mut zip = open(w.finish().unwrap(), "baci.zip")?;
/// assert_eq!(read_member(&mut zip, "readme.txt", "baci.zip")?, b"BACI");
/// assert!(read_member(&mut zip, "missing.txt", "baci.zip").is_err());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_member<R: Read + Seek>(zip: &mut ZipArchive<R>, path: &str, file: &str) -> Result<Vec<u8>> {
    let mut entry = zip.by_name(path).map_err(|e| zip_error(file, e))?;
    let mut out = Vec::new();
    entry.read_to_end(&mut out).map_err(|e| {
        Error::format(
            format!("cannot read {path} in the archive ({e})"),
            Location::file(file),
            "download the archive again",
        )
    })?;
    Ok(out)
}

/// First-column integers of a small CSV with a header (quoted or not).
fn first_column_codes(text: &[u8]) -> Vec<u32> {
    text.split(|b| *b == b'\n')
        .skip(1)
        .filter_map(|line| {
            let first = line.split(|b| *b == b',').next()?;
            let s = std::str::from_utf8(first).ok()?.trim().trim_matches('"').trim();
            s.parse().ok()
        })
        .collect()
}

/// Codes of a BACI `country_codes_V*.csv` that the country table does not know.
///
/// ```
/// use tradedep::io::archive_zip::unknown_country_codes;
/// let text = b"country_code,country_name\n4,Afghanistan\n0,World\n\"842\",USA\n";
/// assert_eq!(unknown_country_codes(text), [0]); // World is no partner
/// ```
pub fn unknown_country_codes(text: &[u8]) -> Vec<u32> {
    let mut out: Vec<u32> = first_column_codes(text)
        .into_iter()
        .filter(|c| *c > u16::MAX as u32 || !countries::is_known_code(*c as u16))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Product codes (as integers) of a BACI `product_codes_HS*_V*.csv`.
///
/// ```
/// use tradedep::io::archive_zip::product_codes;
/// assert_eq!(product_codes(b"code,description\n\"010121\",\"Horses\"\n854231,Processors\n"), [10121, 854231]);
/// ```
pub fn product_codes(text: &[u8]) -> Vec<u32> {
    first_column_codes(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companion_files_parse() {
        assert_eq!(
            product_codes(b"code,description\n\"010121\",\"Horses\"\n10129,x\n"),
            vec![10121, 10129]
        );
        assert_eq!(
            unknown_country_codes(b"country_code,country_name\n4,Afghanistan\n0,World\n"),
            vec![0]
        );
    }
}
