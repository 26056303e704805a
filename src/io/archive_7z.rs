//! Reading the data file out of a `.7z` archive, as Eurostat ships its Comext bulk files
//! (`full202401.7z` holds `full202401.dat`).
//!
//! The member is decompressed into memory: a monthly Comext file is a few hundred MB of text,
//! well within one machine; stream readers can come later if full years become the unit.

use std::path::Path;

use sevenz_rust2::{ArchiveReader, Password};

use crate::error::{Error, Location, Result};
use crate::io::source::display_name;

/// Data member names the readers understand.
const DATA_EXTENSIONS: [&str; 4] = [".dat", ".csv", ".tsv", ".txt"];

/// Largest member decompressed into memory (8 GiB): a guard against a damaged size field.
const MAX_MEMBER: u64 = 8 << 30;

/// Returns `(member name, decompressed bytes)` of the one data file (`.dat`, `.csv`, `.tsv`,
/// `.txt`) inside the archive at `path`.
///
/// Errors name the archive and list its members when there is no data file or more than one.
///
/// ```
/// use sevenz_rust2::{ArchiveEntry, ArchiveWriter};
/// use tradedep::io::archive_7z::read_data_member;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("full202401.7z");
/// let mut w = ArchiveWriter::create(&path).unwrap();
/// w.push_archive_entry(ArchiveEntry::new_file("full202401.dat"), Some(&b"PERIOD\n202401\n"[..])).unwrap();
/// w.push_archive_entry(ArchiveEntry::new_file("readme.pdf"), Some(&b"%PDF"[..])).unwrap();
/// w.finish().unwrap();
/// let (name, bytes) = read_data_member(&path)?;
/// assert_eq!((name.as_str(), bytes.as_slice()), ("full202401.dat", &b"PERIOD\n202401\n"[..]));
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn read_data_member(path: &Path) -> Result<(String, Vec<u8>)> {
    let name = display_name(path);
    let bad = |what: String| {
        Error::format(
            what,
            Location::file(name.clone()),
            "pass the .7z archive Eurostat ships (one .dat file inside), or extract it and pass the .dat",
        )
    };
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let mut reader =
        ArchiveReader::open(path, Password::empty()).map_err(|e| bad(format!("not a readable 7z archive ({e})")))?;
    let members: Vec<(String, u64)> = reader
        .archive()
        .files
        .iter()
        .filter(|f| !f.is_directory())
        .map(|f| (f.name().to_string(), f.size()))
        .collect();
    let data: Vec<&(String, u64)> = members
        .iter()
        .filter(|(n, _)| {
            let lower = n.to_ascii_lowercase();
            DATA_EXTENSIONS.iter().any(|e| lower.ends_with(e))
        })
        .collect();
    let all = || members.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    let (member, size) = match data.as_slice() {
        [one] => (*one).clone(),
        [] => return Err(bad(format!("archive has no .dat/.csv member (members: [{}])", all()))),
        _ => {
            return Err(bad(format!(
                "archive has several data members ([{}]); extract the one to read",
                all()
            )))
        }
    };
    if size > MAX_MEMBER {
        return Err(bad(format!(
            "member {member} declares {size} bytes, more than this reader decompresses in memory"
        )));
    }
    let bytes = reader
        .read_file(&member)
        .map_err(|e| bad(format!("cannot decompress member {member} ({e})")))?;
    Ok((member, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sevenz_rust2::{ArchiveEntry, ArchiveWriter};

    #[test]
    fn reads_the_one_data_member_and_refuses_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("full202101.7z");
        let mut w = ArchiveWriter::create(&p).unwrap();
        w.push_archive_entry(ArchiveEntry::new_file("full202101.dat"), Some(&b"A,B\n1,2\n"[..]))
            .unwrap();
        w.push_archive_entry(ArchiveEntry::new_file("readme.pdf"), Some(&b"%PDF"[..]))
            .unwrap();
        w.finish().unwrap();
        let (name, bytes) = read_data_member(&p).unwrap();
        assert_eq!(name, "full202101.dat");
        assert_eq!(bytes, b"A,B\n1,2\n");

        let junk = dir.path().join("junk.7z");
        std::fs::write(&junk, b"not an archive at all").unwrap();
        let e = read_data_member(&junk).unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{e}");
        assert!(e.to_string().contains("junk.7z"));
    }
}
