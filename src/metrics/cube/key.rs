//! Cube keys: (importer slot, time key, product or partner, item) in one integer whose order is
//! the output order. Bit widths come from the table (slots, time span, product ids, supplier
//! keys), so a BACI year takes about 40 bits and the cube sorts `u64`s; a key that does not fit
//! in 64 bits falls back to `u128`.

use crate::metrics::group::{NO_PARTNER, NO_PERIOD, NO_PRODUCT};

/// Bit layout of a key. `third` and `time` are stored + 1 so that their "not in the
/// grouping" sentinels are 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyLayout {
    time_min: i32,
    third_bits: u32,
    item_bits: u32,
    time_bits: u32,
    slot_bits: u32,
    /// (slot, third, time, item) instead of (slot, time, third, item).
    product_major: bool,
    pub fits_u64: bool,
}

fn bits(max: u64) -> u32 {
    64 - max.leading_zeros()
}

impl KeyLayout {
    /// `time_min..=time_max` the time keys, `third_max` and `item_max` the largest values.
    /// With `product_major`, keys order (slot, third, time, item).
    pub fn new(
        slots: usize,
        time_min: i32,
        time_max: i32,
        third_max: u32,
        item_max: u32,
        product_major: bool,
    ) -> KeyLayout {
        let time_bits = bits((time_max as i64 - time_min as i64 + 1).max(0) as u64);
        let third_bits = bits(third_max as u64 + 1);
        let item_bits = bits(item_max as u64);
        let slot_bits = bits(slots as u64);
        KeyLayout {
            time_min,
            third_bits,
            item_bits,
            time_bits,
            slot_bits,
            product_major,
            fits_u64: slot_bits + time_bits + third_bits + item_bits <= 64,
        }
    }

    /// How many low bits of a key can be set (`pack64`'s, or `pack128`'s up to the slot): the
    /// radix partition takes its buckets from the top of these.
    pub fn used_bits(&self) -> u32 {
        if self.fits_u64 {
            self.slot_bits + self.time_bits + self.third_bits + self.item_bits
        } else {
            96 + self.slot_bits
        }
    }

    /// The smallest key of `k`'s cell (its item part cleared): splitting records at such keys
    /// never splits a cell.
    pub fn cell_floor64(&self, k: u64) -> u64 {
        k.checked_shr(self.item_bits)
            .unwrap_or(0)
            .checked_shl(self.item_bits)
            .unwrap_or(0)
    }

    /// [`KeyLayout::cell_floor64`] of a `pack128` key (the item is its low 32 bits).
    pub fn cell_floor128(&self, k: u128) -> u128 {
        k & !(u32::MAX as u128)
    }

    #[inline]
    fn time_code(&self, time: i32) -> u64 {
        if time == NO_PERIOD {
            0
        } else {
            (time as i64 - self.time_min as i64 + 1) as u64
        }
    }
    #[inline]
    fn third_code(third: u32) -> u64 {
        if third == NO_PRODUCT || third == NO_PARTNER {
            0
        } else {
            third as u64 + 1
        }
    }

    #[inline]
    pub fn pack64(&self, slot: u16, time: i32, third: u32, item: u32) -> u64 {
        let mut k = slot as u64;
        if self.product_major {
            k = (k << self.third_bits) | Self::third_code(third);
            k = (k << self.time_bits) | self.time_code(time);
        } else {
            k = (k << self.time_bits) | self.time_code(time);
            k = (k << self.third_bits) | Self::third_code(third);
        }
        (k << self.item_bits) | item as u64
    }

    /// (slot, time, third, item) of a [`KeyLayout::pack64`] key; `none` is the sentinel of
    /// an absent third part (`NO_PRODUCT` or `NO_PARTNER`, both `u32::MAX`).
    #[inline]
    pub fn unpack64(&self, k: u64) -> (u16, i32, u32, u32) {
        let mask = |b: u32| if b == 0 { 0 } else { u64::MAX >> (64 - b) };
        let item = (k & mask(self.item_bits)) as u32;
        let k = k.checked_shr(self.item_bits).unwrap_or(0);
        let (inner, outer) = if self.product_major {
            (self.time_bits, self.third_bits)
        } else {
            (self.third_bits, self.time_bits)
        };
        let low = k & mask(inner);
        let k = k.checked_shr(inner).unwrap_or(0);
        let high = k & mask(outer);
        let slot = k.checked_shr(outer).unwrap_or(0) as u16;
        let (third, time) = if self.product_major {
            (high as u32, low as i64)
        } else {
            (low as u32, high as i64)
        };
        (
            slot,
            if time == 0 {
                NO_PERIOD
            } else {
                (time - 1 + self.time_min as i64) as i32
            },
            third.wrapping_sub(1),
            item,
        )
    }

    #[inline]
    pub fn pack128(&self, slot: u16, time: i32, third: u32, item: u32) -> u128 {
        let (t, p) = (self.time_code(time) as u128, Self::third_code(third) as u128);
        let (high, low) = if self.product_major { (p, t) } else { (t, p) };
        ((slot as u128) << 96) | (high << 64) | (low << 32) | item as u128
    }

    #[inline]
    pub fn unpack128(&self, k: u128) -> (u16, i32, u32, u32) {
        let (high, low) = ((k >> 64) as u32, (k >> 32) as u32);
        let (third, time) = if self.product_major { (high, low) } else { (low, high) };
        let time = if time == 0 {
            NO_PERIOD
        } else {
            (time as i64 - 1 + self.time_min as i64) as i32
        };
        ((k >> 96) as u16, time, third.wrapping_sub(1), k as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_keep_order() {
        let l = KeyLayout::new(3, 2019, 2023, 5400, (1 << 16) + 2, false);
        assert!(l.fits_u64);
        let parts = [
            (0u16, 2019, 0u32, 4u32),
            (0, 2019, 0, 156),
            (0, 2019, 7, 4),
            (0, 2023, NO_PRODUCT, 4),
            (2, 2020, 5399, (1 << 16) + 1),
            (1, NO_PERIOD, NO_PRODUCT, 0),
        ];
        for p in parts {
            assert_eq!(l.unpack64(l.pack64(p.0, p.1, p.2, p.3)), p);
            assert_eq!(l.unpack128(l.pack128(p.0, p.1, p.2, p.3)), p);
        }
        // Same slot and time: product 0 before product 7; item order within a cell.
        assert!(l.pack64(0, 2019, 0, 156) < l.pack64(0, 2019, 7, 4));
        assert!(l.pack64(0, 2019, 0, 4) < l.pack64(0, 2019, 0, 156));
        assert!(l.pack64(0, 2023, 7, 4) < l.pack64(1, 2019, 0, 0));
        assert!(!KeyLayout::new(60000, 0, 1 << 20, u32::MAX - 2, u32::MAX - 2, false).fits_u64);
        // Product-major: an importer's years of one product are neighbours.
        let p = KeyLayout::new(3, 2019, 2023, 5400, (1 << 16) + 2, true);
        for q in parts {
            assert_eq!(p.unpack64(p.pack64(q.0, q.1, q.2, q.3)), q);
            assert_eq!(p.unpack128(p.pack128(q.0, q.1, q.2, q.3)), q);
        }
        assert!(p.pack64(0, 2023, 0, 4) < p.pack64(0, 2019, 7, 4));
        assert!(p.pack128(0, 2023, 0, 4) < p.pack128(0, 2019, 7, 4));
        assert!(p.pack64(0, 2019, 7, 156) < p.pack64(0, 2020, 7, 4));
    }
}
