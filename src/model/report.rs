//! What a reader did with its input: rows read, kept, and set aside with the reason.

use std::collections::BTreeMap;

/// The account of one read. `rows_read == rows_kept + sum(set_aside)` always holds
/// (rows merged into others, e.g. breakdown rows summed into a total, count as set aside
/// under their own reason).
///
/// ```
/// use tradedep::ReadReport;
/// let mut r = ReadReport::new("a.csv");
/// r.rows_read = 4;
/// r.rows_kept = 2;
/// r.set_aside("unknown country", 3, || "reporter 999".into());
/// r.set_aside_many("zero value", 1);
/// assert_eq!(r.rows_set_aside(), 2);
/// assert!(r.is_balanced());
/// assert_eq!(r.examples["unknown country"], [(3, "reporter 999".to_string())]);
/// assert!(r.to_string().contains("set aside 1 rows: zero value"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadReport {
    /// Files (or archive members) read, in order.
    pub sources: Vec<String>,
    /// Data rows seen (header excluded).
    pub rows_read: u64,
    /// Rows that became rows of the table.
    pub rows_kept: u64,
    /// Reason -> number of rows set aside for it.
    pub set_aside: BTreeMap<String, u64>,
    /// First few set-aside rows per reason, as `(line, detail)` so users can look them up.
    pub examples: BTreeMap<String, Vec<(u64, String)>>,
    /// Decisions the reader took that change numbers (e.g. "kept totals, dropped 120 breakdown rows").
    pub notes: Vec<String>,
}

const MAX_EXAMPLES: usize = 5;

/// The set-aside reason every reader uses for a row equal in every value to an earlier row
/// (docs/methods/bad_inputs.md: exact duplicates are set aside and counted, never kept twice).
///
/// ```
/// use tradedep::model::REASON_DUPLICATE;
/// let mut r = tradedep::ReadReport::new("a.csv");
/// r.set_aside(REASON_DUPLICATE, 7, || "same as line 6".into());
/// assert_eq!(r.set_aside[REASON_DUPLICATE], 1);
/// ```
pub const REASON_DUPLICATE: &str = "duplicate row";

/// Set-aside reason of a read limited to some importers (`importers=`): a row of another
/// importer (the same reason in every reader that takes the option).
///
/// ```
/// use tradedep::model::REASON_IMPORTER;
/// assert_eq!(REASON_IMPORTER, "importer not requested");
/// ```
pub const REASON_IMPORTER: &str = "importer not requested";

impl ReadReport {
    /// Notes a read limited to some importers (`restriction`: [`TableMeta::restriction`](crate::model::TableMeta::restriction)),
    /// with the rows of other importers it set aside; nothing for a read of every importer.
    ///
    /// ```
    /// use tradedep::model::{ReadReport, REASON_IMPORTER};
    /// let mut r = ReadReport::new("a.csv");
    /// r.set_aside(REASON_IMPORTER, 3, || "importer 804".into());
    /// r.note_restriction(Some("limited to flows into RUS"));
    /// assert!(r.notes[0].starts_with("read with importers=, the table is limited to flows into RUS: 1 rows"));
    /// ```
    pub fn note_restriction(&mut self, restriction: Option<&str>) {
        if let Some(read) = restriction {
            let n = self.set_aside.get(REASON_IMPORTER).copied().unwrap_or(0);
            self.note(format!(
                "read with importers=, the table is {read}: {n} rows of other importers set aside; metrics answer for these importers' imports and refuse other importers and exporters' world totals"
            ));
        }
    }

    /// A report for one source, with no rows yet.
    ///
    /// ```
    /// let r = tradedep::ReadReport::new("a.csv");
    /// assert_eq!((r.sources.len(), r.rows_read), (1, 0));
    /// ```
    pub fn new(source: impl Into<String>) -> Self {
        ReadReport {
            sources: vec![source.into()],
            ..Default::default()
        }
    }

    /// Records one set-aside row.
    ///
    /// Keeps at most five examples per reason; `detail` is only called for those.
    ///
    /// ```
    /// let mut r = tradedep::ReadReport::new("a.csv");
    /// for line in 1..=7 {
    ///     r.set_aside("negative value", line, || format!("line {line}"));
    /// }
    /// assert_eq!(r.set_aside["negative value"], 7);
    /// assert_eq!(r.examples["negative value"].len(), 5);
    /// ```
    pub fn set_aside(&mut self, reason: &str, line: u64, detail: impl FnOnce() -> String) {
        // Looked up before inserting: no key allocated per row once a reason is known.
        match self.set_aside.get_mut(reason) {
            Some(n) => *n += 1,
            None => {
                self.set_aside.insert(reason.to_string(), 1);
            }
        }
        match self.examples.get_mut(reason) {
            Some(ex) if ex.len() >= MAX_EXAMPLES => {}
            Some(ex) => ex.push((line, detail())),
            None => {
                self.examples.insert(reason.to_string(), vec![(line, detail())]);
            }
        }
    }

    /// Records `n` rows set aside at once (no examples).
    ///
    /// ```
    /// let mut r = tradedep::ReadReport::new("a.csv");
    /// r.set_aside_many("breakdown rows summed into totals", 120);
    /// assert_eq!(r.rows_set_aside(), 120);
    /// assert!(r.examples.is_empty());
    /// ```
    pub fn set_aside_many(&mut self, reason: &str, n: u64) {
        if n > 0 {
            *self.set_aside.entry(reason.to_string()).or_default() += n;
        }
    }

    /// Rows set aside, all reasons together.
    ///
    /// ```
    /// let mut r = tradedep::ReadReport::new("a.csv");
    /// r.set_aside_many("a", 2);
    /// r.set_aside_many("b", 3);
    /// assert_eq!(r.rows_set_aside(), 5);
    /// ```
    pub fn rows_set_aside(&self) -> u64 {
        self.set_aside.values().sum()
    }

    /// Adds a note about a decision that changes numbers.
    ///
    /// ```
    /// let mut r = tradedep::ReadReport::new("a.csv");
    /// r.note("kept totals");
    /// assert_eq!(r.notes, ["kept totals"]);
    /// ```
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Combines the reports of several chunks or files.
    ///
    /// ```
    /// use tradedep::ReadReport;
    /// let mut a = ReadReport::new("2022.csv");
    /// a.rows_read = 10;
    /// let mut b = ReadReport::new("2023.csv");
    /// b.rows_read = 5;
    /// b.set_aside_many("zero value", 1);
    /// a.merge(b);
    /// assert_eq!(a.sources, ["2022.csv", "2023.csv"]);
    /// assert_eq!((a.rows_read, a.rows_set_aside()), (15, 1));
    /// ```
    pub fn merge(&mut self, other: ReadReport) {
        for s in other.sources {
            if !self.sources.contains(&s) {
                self.sources.push(s);
            }
        }
        self.rows_read += other.rows_read;
        self.rows_kept += other.rows_kept;
        for (k, v) in other.set_aside {
            *self.set_aside.entry(k).or_default() += v;
        }
        for (k, v) in other.examples {
            let ex = self.examples.entry(k).or_default();
            for e in v {
                if ex.len() < MAX_EXAMPLES {
                    ex.push(e);
                }
            }
        }
        self.notes.extend(other.notes);
    }

    /// True when every row read is accounted for.
    ///
    /// ```
    /// let mut r = tradedep::ReadReport::new("a.csv");
    /// r.rows_read = 3;
    /// r.rows_kept = 2;
    /// assert!(!r.is_balanced());
    /// r.set_aside_many("zero value", 1);
    /// assert!(r.is_balanced());
    /// ```
    pub fn is_balanced(&self) -> bool {
        self.rows_read == self.rows_kept + self.rows_set_aside()
    }
}

impl std::fmt::Display for ReadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "read {} rows from {}", self.rows_read, self.sources.join(", "))?;
        writeln!(f, "kept {} rows", self.rows_kept)?;
        for (reason, n) in &self.set_aside {
            writeln!(f, "set aside {n} rows: {reason}")?;
            if let Some(ex) = self.examples.get(reason) {
                for (line, detail) in ex {
                    writeln!(f, "    line {line}: {detail}")?;
                }
            }
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}
