//! Concentration statistics of one set of values (domain notes, section 6).

/// Concentration of one importer's imports over its suppliers (or products).
///
/// With shares `s_i = v_i / Σ v` over the items with a positive value:
/// `hhi = Σ s²`, `hhi_norm = (hhi - 1/n) / (1 - 1/n)` (1 when n = 1), `cr_k` = sum of the k
/// largest shares, `entropy = -Σ s ln s`, `n_equivalent = 1 / hhi`.
///
/// ```
/// use tradedep::metrics::Concentration;
/// let c = Concentration::of(&[50.0, 30.0, 20.0], 2).unwrap();
/// assert!((c.hhi - 0.38).abs() < 1e-12);
/// assert!((c.crn - 0.8).abs() < 1e-12);
/// assert_eq!(c.top, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concentration {
    pub total: f64,
    /// Items with a positive value.
    pub n: usize,
    pub hhi: f64,
    pub hhi_norm: f64,
    pub cr1: f64,
    pub cr3: f64,
    /// Sum of the `n` largest shares for the `n` asked for.
    pub crn: f64,
    pub entropy: f64,
    pub n_equivalent: f64,
    /// Index (into the input) of the largest value; ties go to the first.
    pub top: usize,
    pub top_share: f64,
}

impl Concentration {
    /// `None` when no value is positive (nothing imported: shares are undefined).
    ///
    /// ```
    /// use tradedep::metrics::Concentration;
    /// let c = Concentration::of(&[60.0, 0.0, 40.0], 3).unwrap();
    /// assert_eq!((c.n, c.top, c.cr1), (2, 0, 0.6));
    /// assert!((c.hhi_norm - (0.52 - 0.5) / 0.5).abs() < 1e-12); // hhi = 0.36 + 0.16
    /// assert_eq!(Concentration::of(&[0.0, 0.0], 1), None);
    /// ```
    pub fn of(values: &[f64], crn: usize) -> Option<Concentration> {
        let total: f64 = values.iter().filter(|v| **v > 0.0).sum();
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !total.is_finite() {
            return None;
        }
        // Shares in input order, recomputed for each sum rather than kept: called once per
        // cell (a million cells in a BACI year), an allocation each cost more than the divisions.
        let shares = || values.iter().filter(|v| **v > 0.0).map(|v| v / total);
        let n = shares().count();
        let mut top = 0;
        for (i, v) in values.iter().enumerate() {
            if *v > values[top] {
                top = i;
            }
        }
        let hhi: f64 = shares().map(|s| s * s).sum();
        let entropy: f64 = -shares().map(|s| s * s.ln()).sum::<f64>();
        let largest = Largest::of(shares(), crn.max(3));
        let cr = |k: usize| largest.first(k).iter().sum::<f64>();
        let hhi_norm = if n > 1 {
            let inv = 1.0 / n as f64;
            ((hhi - inv) / (1.0 - inv)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        Some(Concentration {
            total,
            n,
            hhi,
            hhi_norm,
            cr1: cr(1),
            cr3: cr(3),
            crn: cr(crn),
            entropy: entropy.max(0.0),
            n_equivalent: 1.0 / hhi,
            top,
            top_share: values[top] / total,
        })
    }
}

/// The largest shares, largest first: what `cr_k` adds, in the order a full sort would give.
enum Largest {
    /// Up to [`Largest::KEPT`] of them, kept by insertion (no allocation, no full sort).
    Few([f64; Largest::KEPT], usize),
    /// Every share, sorted (a `crn` above [`Largest::KEPT`]).
    All(Vec<f64>),
}

impl Largest {
    const KEPT: usize = 16;

    /// The `k` largest of `shares` (all of them when `k` is above [`Largest::KEPT`]).
    fn of(shares: impl Iterator<Item = f64>, k: usize) -> Largest {
        if k > Self::KEPT {
            let mut all: Vec<f64> = shares.collect();
            all.sort_unstable_by(|a, b| b.total_cmp(a));
            return Largest::All(all);
        }
        let mut kept = [0.0; Self::KEPT];
        let mut len = 0;
        for s in shares {
            if len == k && s.total_cmp(&kept[k - 1]).is_le() {
                continue;
            }
            // Insert before the first smaller share; the smallest falls out when full.
            let mut at = len.min(k - 1);
            while at > 0 && kept[at - 1].total_cmp(&s).is_lt() {
                kept[at] = kept[at - 1];
                at -= 1;
            }
            kept[at] = s;
            len = (len + 1).min(k);
        }
        Largest::Few(kept, len)
    }

    /// The `k` largest, largest first (fewer when there are fewer).
    fn first(&self, k: usize) -> &[f64] {
        match self {
            Largest::Few(kept, len) => &kept[..k.min(*len)],
            Largest::All(all) => &all[..k.min(all.len())],
        }
    }
}

/// HHI of the positive values, as [`Concentration::of`] computes it (shares of the positive
/// values' total, squared and summed) without sorting or allocating; `None` when no value is
/// positive.
///
/// ```
/// use tradedep::metrics::stats::hhi;
/// let v = [90.0, 10.0, 0.0, -5.0]; // only positive values are suppliers
/// assert!((hhi(v.iter().copied()).unwrap() - (0.9f64.powi(2) + 0.1f64.powi(2))).abs() < 1e-12);
/// assert_eq!(hhi([0.0, -1.0].iter().copied()), None);
/// ```
pub fn hhi(values: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let total: f64 = values.clone().filter(|v| *v > 0.0).sum();
    if !(total > 0.0 && total.is_finite()) {
        return None;
    }
    Some(
        values
            .filter(|v| *v > 0.0)
            .map(|v| {
                let s = v / total;
                s * s
            })
            .sum(),
    )
}

/// Running concentration over values that arrive one item at a time, each item once
/// (mergeable only over disjoint items).
///
/// ```
/// use tradedep::metrics::RunningHhi;
/// let mut h = RunningHhi::default();
/// for (supplier, value) in [(156, 50.0), (792, 30.0), (276, 20.0), (842, 0.0)] {
///     h.push(supplier, value);
/// }
/// assert_eq!((h.n, h.top_key, h.total), (3, 156, 100.0)); // the zero is not a supplier
/// assert!((h.hhi().unwrap() - 0.38).abs() < 1e-12); // as Concentration::of gives
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunningHhi {
    pub total: f64,
    pub sum_sq: f64,
    pub n: u32,
    pub top_key: u32,
    pub top_value: f64,
}

impl RunningHhi {
    /// Adds one item's value; values of 0 or less are not items. Ties for the top go to the lower key.
    ///
    /// ```
    /// use tradedep::metrics::RunningHhi;
    /// let mut h = RunningHhi::default();
    /// h.push(7, 5.0);
    /// h.push(3, 5.0);
    /// assert_eq!(h.top_key, 3);
    /// ```
    #[inline]
    pub fn push(&mut self, key: u32, v: f64) {
        if v > 0.0 {
            self.total += v;
            self.sum_sq += v * v;
            self.n += 1;
            if v > self.top_value || (v == self.top_value && key < self.top_key) {
                self.top_value = v;
                self.top_key = key;
            }
        }
    }
    /// `Σ v² / (Σ v)²`; `None` before any positive value.
    ///
    /// ```
    /// use tradedep::metrics::RunningHhi;
    /// let mut h = RunningHhi::default();
    /// assert_eq!(h.hhi(), None);
    /// h.push(1, 2.0);
    /// h.push(2, 2.0);
    /// assert_eq!(h.hhi(), Some(0.5));
    /// ```
    pub fn hhi(&self) -> Option<f64> {
        (self.total > 0.0).then(|| self.sum_sq / (self.total * self.total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_supplier_has_hhi_one() {
        let c = Concentration::of(&[7.0], 3).unwrap();
        assert_eq!(c.hhi, 1.0);
        assert_eq!(c.hhi_norm, 1.0);
        assert_eq!(c.n_equivalent, 1.0);
        assert_eq!(c.entropy, 0.0);
        assert_eq!(c.cr3, 1.0);
    }

    #[test]
    fn equal_suppliers_hand_worked() {
        let c = Concentration::of(&[1.0, 1.0, 1.0, 1.0], 3).unwrap();
        assert!((c.hhi - 0.25).abs() < 1e-12);
        assert!(c.hhi_norm.abs() < 1e-12);
        assert!((c.n_equivalent - 4.0).abs() < 1e-12);
        assert!((c.entropy - 4f64.ln()).abs() < 1e-12);
        assert!((c.cr3 - 0.75).abs() < 1e-12);
    }

    #[test]
    fn zeros_do_not_count_as_suppliers_and_empty_is_none() {
        let c = Concentration::of(&[0.0, 3.0, 1.0], 1).unwrap();
        assert_eq!(c.n, 2);
        assert_eq!(c.top, 1);
        assert!((c.top_share - 0.75).abs() < 1e-12);
        assert!((c.hhi - (0.75f64.powi(2) + 0.25f64.powi(2))).abs() < 1e-12);
        assert!(Concentration::of(&[0.0, 0.0], 3).is_none());
        assert!(Concentration::of(&[], 3).is_none());
    }

    /// The sums of the largest shares as a full sort gives them, bit for bit, for every
    /// `crn` (kept by insertion up to 16, sorted above), with ties, zeros and negatives.
    #[test]
    fn largest_shares_add_as_a_full_sort_does() {
        let mut x = 7u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..400 {
            let len = (next() % 40) as usize;
            let values: Vec<f64> = (0..len)
                .map(|_| match next() % 6 {
                    0 => 0.0,
                    1 => -1.5,
                    2 => 4.0, // ties
                    _ => (next() % 10_000) as f64 / 7.0,
                })
                .collect();
            for crn in [1, 2, 3, 5, 16, 17, 40] {
                let got = Concentration::of(&values, crn);
                let total: f64 = values.iter().filter(|v| **v > 0.0).sum();
                if total <= 0.0 {
                    assert_eq!(got, None);
                    continue;
                }
                let c = got.expect("a positive total");
                let mut shares: Vec<f64> = values.iter().filter(|v| **v > 0.0).map(|v| v / total).collect();
                let hhi: f64 = shares.iter().map(|s| s * s).sum();
                shares.sort_unstable_by(|a, b| b.total_cmp(a));
                let cr = |k: usize| shares.iter().take(k).sum::<f64>();
                assert_eq!(c.n, shares.len(), "case {case}");
                assert_eq!(c.hhi.to_bits(), hhi.to_bits(), "case {case}");
                for (k, got) in [(1, c.cr1), (3, c.cr3), (crn, c.crn)] {
                    assert_eq!(got.to_bits(), cr(k).to_bits(), "case {case}, cr{k} of {values:?}");
                }
            }
        }
    }

    #[test]
    fn hhi_is_the_concentration_hhi() {
        for vals in [
            &[5.0, 0.0, 2.5, 9.0, 1.0][..],
            &[7.0],
            &[0.0, -1.0, 3.0],
            &[f64::MAX, f64::MAX],
        ] {
            assert_eq!(hhi(vals.iter().copied()), Concentration::of(vals, 1).map(|c| c.hhi));
        }
        assert_eq!(hhi([0.0, -2.0].into_iter()), None);
        assert_eq!(hhi(std::iter::empty()), None);
    }

    #[test]
    fn running_matches_batch() {
        let vals = [5.0, 0.0, 2.5, 9.0, 1.0];
        let mut r = RunningHhi::default();
        for (i, v) in vals.iter().enumerate() {
            r.push(i as u32, *v);
        }
        let c = Concentration::of(&vals, 3).unwrap();
        assert!((r.hhi().unwrap() - c.hhi).abs() < 1e-12);
        assert_eq!(r.top_key as usize, c.top);
        assert_eq!(r.n as usize, c.n);
    }
}
