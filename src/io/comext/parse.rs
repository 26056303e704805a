//! One row's checks, on its own: period, flow, amounts, level and product code, frequency and
//! geo codes. A [`RowParser`] needs nothing from the rows before it, so chunks of a file are
//! parsed on several threads at once; what it finds goes into a [`Tally`] that
//! [`State::combine`](super::State) adds to the read in file order (trades by their key,
//! product numbers, duplicates and regimes need the rows before them, and stay there).

use std::collections::BTreeSet;

use hashbrown::HashMap;

use super::{
    amount, comext_period, eurostat_geo_code, pack8, ComextLevel, Ctx, Layout, R_AGGREGATE, R_CONFIDENTIAL, R_FREQ,
    R_NO_VALUE, R_OTHER_LEVEL, R_UNKNOWN_GEO,
};
use crate::error::{Error, Result};
use crate::model::{Flow, Freq, Period};

/// A row that passed every check of its own: what [`State::combine`](super::State) needs.
pub(super) struct Kept {
    pub line: u64,
    /// Where the row's line starts in its chunk's text (to quote it in an error).
    pub at: usize,
    pub period: i32,
    pub reporter: u16,
    pub partner: u16,
    pub flow: Flow,
    /// The product code's digits, packed (see [`pack8`]).
    pub product: u64,
    pub value: f64,
    pub kg: Option<f64>,
    /// Supplementary quantity and its unit, an index into [`Tally::supp_units`].
    pub supp: Option<(f64, u16)>,
    pub total_regime: bool,
}

/// Rows set aside for one reason: how many, and the first few as the report keeps them.
pub(super) struct Aside {
    pub reason: &'static str,
    pub count: u64,
    pub examples: Vec<(u64, String)>,
}

/// What the rows of one chunk (or one record) added up to, in their order.
#[derive(Default)]
pub(super) struct Tally {
    pub rows_read: u64,
    pub kept: Vec<Kept>,
    pub asides: Vec<Aside>,
    /// Value of each row set aside with a value, in file order (summed per reason by the
    /// combine in the same order as one pass would).
    pub aside_values: Vec<(&'static str, f64)>,
    pub level_rows: [u64; 2],
    /// Rows past the frequency check, [annual, monthly].
    pub freqs: [u64; 2],
    pub years: BTreeSet<i32>,
    pub unknown_geo: BTreeSet<String>,
    /// Supplementary unit codes in order of first appearance in these rows.
    pub supp_units: Vec<String>,
    pub supp_without_unit: u64,
    /// Whether a row got as far as the file's flow column.
    pub flow_seen: bool,
    /// The last year added to `years` (most rows repeat it).
    last_year: Option<i32>,
}

/// As many examples per reason as a [`crate::ReadReport`] keeps.
const EXAMPLES: usize = 5;

impl Tally {
    fn set_aside(&mut self, reason: &'static str, line: u64, detail: impl FnOnce() -> String) {
        // The reasons are constants: their address nearly always tells them apart.
        let same = |a: &Aside| std::ptr::eq(a.reason, reason) || a.reason == reason;
        let i = match self.asides.iter().position(same) {
            Some(i) => i,
            None => {
                self.asides.push(Aside {
                    reason,
                    count: 0,
                    examples: vec![],
                });
                self.asides.len() - 1
            }
        };
        let a = &mut self.asides[i];
        a.count += 1;
        if a.examples.len() < EXAMPLES {
            a.examples.push((line, detail()));
        }
    }

    fn set_aside_valued(
        &mut self,
        reason: &'static str,
        line: u64,
        value: Option<f64>,
        detail: impl FnOnce() -> String,
    ) {
        self.set_aside(reason, line, detail);
        self.aside_values.push((reason, value.unwrap_or(0.0)));
    }

    /// Empties the tally, keeping its buffers.
    pub fn clear(&mut self) {
        self.rows_read = 0;
        self.kept.clear();
        self.asides.clear();
        self.aside_values.clear();
        self.level_rows = [0; 2];
        self.freqs = [0; 2];
        self.years.clear();
        self.unknown_geo.clear();
        self.supp_units.clear();
        self.supp_without_unit = 0;
        self.flow_seen = false;
        self.last_year = None;
    }
}

/// A record's field: bytes, checked as UTF-8 when read, or text already checked (a chunk is
/// checked once as a whole: fields cut at ASCII commas are then text).
pub(super) trait Field<'r>: Copy {
    fn bytes(self) -> &'r [u8];
    fn text(self) -> std::result::Result<&'r str, std::str::Utf8Error>;
}

impl<'r> Field<'r> for &'r [u8] {
    fn bytes(self) -> &'r [u8] {
        self
    }
    fn text(self) -> std::result::Result<&'r str, std::str::Utf8Error> {
        std::str::from_utf8(self)
    }
}

impl<'r> Field<'r> for &'r str {
    fn bytes(self) -> &'r [u8] {
        self.as_bytes()
    }
    fn text(self) -> std::result::Result<&'r str, std::str::Utf8Error> {
        Ok(self)
    }
}

/// Slots of [`RowParser::geo2`].
const GEO_UNSEEN: u32 = u32::MAX;
const GEO_UNKNOWN: u32 = u32::MAX - 1;

/// Checks rows one at a time into its [`Tally`], with caches of what it has looked up.
pub(super) struct RowParser {
    pub tally: Tally,
    /// Period texts of up to 7 bytes (see [`pack7`]) -> their period.
    period_cache: HashMap<u64, Option<Period>>,
    /// The last periods looked up, by a few bits of their packed text (most files have a few
    /// dozen periods: no hashing per row).
    period_slots: Vec<(u64, Option<Period>)>,
    /// [`eurostat_geo_code`] of two-letter codes by their two bytes: `GEO_UNSEEN` not looked up
    /// yet, `GEO_UNKNOWN` not a known code (no hashing per row for the usual codes).
    geo2: Vec<u32>,
    geo_cache: HashMap<String, Option<u16>>,
}

impl RowParser {
    pub fn new() -> Self {
        RowParser {
            tally: Tally::default(),
            period_cache: HashMap::new(),
            period_slots: vec![(NO_TEXT, None); 256],
            geo2: vec![GEO_UNSEEN; 1 << 16],
            geo_cache: HashMap::new(),
        }
    }

    /// One record after the header, starting at byte `at` of its chunk; blank records are
    /// skipped.
    pub fn record<'r, F: Field<'r>>(&mut self, ctx: &Ctx, rec: &[F], line: u64, at: usize) -> Result<()> {
        if rec.len() <= 1
            && rec
                .first()
                .map(|f| f.bytes().iter().all(|b| b.is_ascii_whitespace()))
                .unwrap_or(true)
        {
            return Ok(());
        }
        self.tally.rows_read += 1;
        self.row(ctx, rec, line, at)
    }

    fn row<'r, F: Field<'r>>(&mut self, ctx: &Ctx, rec: &[F], line: u64, at: usize) -> Result<()> {
        let cols = &ctx.cols;
        if rec.len() != cols.width {
            let text = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f.bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(",");
            return Err(Error::format(
                format!("line has {} fields where the header has {}", rec.len(), cols.width),
                crate::error::Location::file(ctx.name).line(line).value(text),
                "check the delimiter and quoting; Comext files are comma-separated",
            ));
        }
        let reporter_s = ctx.field(rec, cols.reporter, line)?;
        let partner_s = ctx.field(rec, cols.partner, line)?;
        let product_s = ctx.field(rec, cols.product, line)?;
        let period_s = ctx.field(rec, cols.period, line)?;
        let value_s = ctx.field(rec, cols.value, line)?;

        let period = self.period(period_s).ok_or_else(|| {
            Error::parse(
                "period",
                ctx.loc(line, cols.period, period_s),
                "Comext periods are YYYYMM (month 52 = annual total) or YYYY-MM",
            )
        })?;

        let flow = match cols.flow {
            Some(c) => {
                self.tally.flow_seen = true;
                let s = ctx.field(rec, c, line)?;
                match s.to_ascii_uppercase().as_str() {
                    "1" | "IMPORT" | "IMPORTS" => Flow::Import,
                    "2" | "EXPORT" | "EXPORTS" => Flow::Export,
                    _ => {
                        return Err(Error::parse(
                            "trade flow",
                            ctx.loc(line, c, s),
                            "Comext FLOW is 1 (import) or 2 (export)",
                        ))
                    }
                }
            }
            None => Flow::Export,
        };

        let value = match value_s {
            "" | ":" => None,
            s => Some(amount(s).ok_or_else(|| {
                Error::parse(
                    "trade value in EUR",
                    ctx.loc(line, cols.value, s),
                    "values are non-negative numbers in euros",
                )
            })?),
        };
        let kg = match cols.kg {
            None => None,
            Some(c) => match ctx.field(rec, c, line)? {
                "" | ":" => None,
                s => Some(amount(s).ok_or_else(|| {
                    Error::parse(
                        "quantity in kg",
                        ctx.loc(line, c, s),
                        "quantities are non-negative numbers",
                    )
                })?),
            },
        };

        let supp = match cols.supp {
            None => None,
            Some((qc, uc)) => match (ctx.field(rec, qc, line)?, ctx.field(rec, uc, line)?.trim()) {
                ("" | ":", _) => None,
                (q, unit) => {
                    let q = amount(q).ok_or_else(|| {
                        Error::parse(
                            "supplementary quantity",
                            ctx.loc(line, qc, q),
                            "SUP_QUANTITY holds non-negative numbers (empty where the product has no supplementary unit)",
                        )
                    })?;
                    if unit.is_empty() {
                        // A quantity without its unit cannot be summed with anything: left out,
                        // and counted in the notes when it is not zero.
                        self.tally.supp_without_unit += (q > 0.0) as u64;
                        None
                    } else {
                        Some((q, super::unit_index(&mut self.tally.supp_units, unit)))
                    }
                }
            },
        };

        // Product and level.
        let upper: std::borrow::Cow<str> = if product_s.bytes().any(|b| b.is_ascii_lowercase()) {
            product_s.to_ascii_uppercase().into()
        } else {
            product_s.into()
        };
        if let Some(lc) = cols.level {
            let lv_s = ctx.field(rec, lc, line)?;
            let expected = if lv_s.eq_ignore_ascii_case("CN8") {
                ComextLevel::Cn8
            } else if lv_s.eq_ignore_ascii_case("HS4") {
                ComextLevel::Hs4
            } else {
                return Err(Error::parse(
                    "level",
                    ctx.loc(line, lc, &lv_s.to_ascii_uppercase()),
                    "the level column holds CN8 or HS4",
                ));
            };
            let lv = expected.label();
            if upper.len() != expected.digits() || !upper.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::InvalidProduct {
                    code: product_s.to_string(),
                    context: format!(" at {} (level {lv})", ctx.loc(line, cols.product, product_s)),
                    hint: "a CN8 code has 8 digits and an HS4 code 4, with leading zeros".into(),
                });
            }
            self.tally.level_rows[expected as usize] += 1;
            if expected != ctx.opts.level {
                self.tally
                    .set_aside_valued(R_OTHER_LEVEL, line, value, || product_s.to_string());
                return Ok(());
            }
        } else if ctx.layout == Layout::Long && !(upper.len() == 8 && upper.bytes().all(|b| b.is_ascii_digit())) {
            return Err(Error::InvalidProduct {
                code: product_s.to_string(),
                context: format!(" at {}", ctx.loc(line, cols.product, product_s)),
                hint: "without a level column every product_code must be an 8-digit CN code".into(),
            });
        }
        if ctx.layout == Layout::Bulk {
            if upper == "TOTAL" || (matches!(upper.len(), 2 | 4 | 6) && upper.bytes().all(|b| b.is_ascii_digit())) {
                self.tally
                    .set_aside_valued(R_AGGREGATE, line, value, || product_s.to_string());
                return Ok(());
            }
            if upper.is_empty() {
                return Err(Error::InvalidProduct {
                    code: product_s.to_string(),
                    context: format!(" at {}", ctx.loc(line, cols.product, product_s)),
                    hint: "PRODUCT_NC holds CN8 codes (8 digits), TOTAL, or confidential codes like 8542XXXX".into(),
                });
            }
            if !(upper.len() == 8 && upper.bytes().all(|b| b.is_ascii_digit())) {
                // Confidential (8542XXXX) and other special codes: not CN8, set aside with value.
                self.tally
                    .set_aside_valued(R_CONFIDENTIAL, line, value, || product_s.to_string());
                return Ok(());
            }
        }

        // Frequency.
        let freq = period.freq();
        if let Some(f) = ctx.opts.freq {
            if f != freq {
                self.tally
                    .set_aside_valued(R_FREQ, line, value, || period_s.to_string());
                return Ok(());
            }
        }
        self.tally.freqs[(freq == Freq::Monthly) as usize] += 1;

        let (rep, par) = (self.geo(reporter_s), self.geo(partner_s));
        let (Some(reporter), Some(partner)) = (rep, par) else {
            for (s, code) in [(reporter_s, rep), (partner_s, par)] {
                if code.is_none() {
                    self.tally.unknown_geo.insert(s.to_string());
                }
            }
            self.tally
                .set_aside_valued(R_UNKNOWN_GEO, line, value, || format!("{reporter_s} -> {partner_s}"));
            return Ok(());
        };
        let Some(value) = value else {
            self.tally.set_aside(R_NO_VALUE, line, || product_s.to_string());
            return Ok(());
        };
        let year = period.year();
        if self.tally.last_year != Some(year) {
            self.tally.years.insert(year);
            self.tally.last_year = Some(year);
        }
        let total_regime = match cols.regime {
            Some(c) => ctx.field(rec, c, line)?.eq_ignore_ascii_case("TOTAL"),
            None => false,
        };
        self.tally.kept.push(Kept {
            line,
            at,
            period: period.code(),
            reporter,
            partner,
            flow,
            // Every kept code has 4 or 8 digits here: its packed bytes identify it.
            product: pack8(upper.as_bytes()),
            value,
            kg,
            supp,
            total_regime,
        });
        Ok(())
    }

    /// [`comext_period`], parsed once per distinct text.
    fn period(&mut self, s: &str) -> Option<Period> {
        let Some(key) = pack7(s.as_bytes()) else {
            return comext_period(s);
        };
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
        if self.period_slots[slot].0 == key {
            return self.period_slots[slot].1;
        }
        let p = match self.period_cache.get(&key) {
            Some(p) => *p,
            None => {
                let p = comext_period(s);
                self.period_cache.insert(key, p);
                p
            }
        };
        self.period_slots[slot] = (key, p);
        p
    }

    /// [`eurostat_geo_code`], looked up once per distinct code.
    fn geo(&mut self, code: &str) -> Option<u16> {
        if let &[a, b] = code.as_bytes() {
            let slot = &mut self.geo2[(a as usize) << 8 | b as usize];
            if *slot == GEO_UNSEEN {
                *slot = eurostat_geo_code(code).map(u32::from).unwrap_or(GEO_UNKNOWN);
            }
            return (*slot != GEO_UNKNOWN).then_some(*slot as u16);
        }
        if let Some(c) = self.geo_cache.get(code) {
            return *c;
        }
        let c = eurostat_geo_code(code);
        self.geo_cache.insert(code.to_string(), c);
        c
    }
}

/// No [`pack7`] key (its last byte, the length, is at most 7).
const NO_TEXT: u64 = u64::MAX;

/// Up to 7 bytes and their length as one integer (distinct for distinct texts); `None` if
/// longer.
fn pack7(b: &[u8]) -> Option<u64> {
    (b.len() <= 7).then(|| {
        let mut a = [0u8; 8];
        a[..b.len()].copy_from_slice(b);
        a[7] = b.len() as u8;
        u64::from_le_bytes(a)
    })
}
