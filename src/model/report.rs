//! What a reader did with its input: rows read, kept, and set aside with the reason.

use std::collections::BTreeMap;

/// The account of one read. `rows_read == rows_kept + sum(set_aside)` always holds
/// (rows merged into others, e.g. breakdown rows summed into a total, count as set aside
/// under their own reason).
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
pub const REASON_DUPLICATE: &str = "duplicate row";

impl ReadReport {
    pub fn new(source: impl Into<String>) -> Self {
        ReadReport {
            sources: vec![source.into()],
            ..Default::default()
        }
    }

    /// Records one set-aside row.
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
    pub fn set_aside_many(&mut self, reason: &str, n: u64) {
        if n > 0 {
            *self.set_aside.entry(reason.to_string()).or_default() += n;
        }
    }

    pub fn rows_set_aside(&self) -> u64 {
        self.set_aside.values().sum()
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Combines the reports of several chunks or files.
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
