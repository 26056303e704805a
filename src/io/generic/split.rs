//! Splitting a short record of the typed fast path from bit masks of a 64-byte window: where the
//! delimiters, line breaks, quotes and carriage returns are, found sixteen bytes at a time, then
//! which of them are inside quotes (a prefix XOR of the quote bits). A BACI-shaped row (about 44
//! bytes, six fields) is then split without a loop per byte or per field end.
//!
//! It takes only records the byte-by-byte split in `typed::next_record` splits the same way: on
//! one line within the window, every quote opening a field or closing it just before a delimiter
//! or the line end (no doubled quote, no quote inside an unquoted field, no line break inside
//! quotes). Anything else is left to that split (`None`), which decides as before; tests compare
//! both on generated records.

/// Bit `i` set where byte `i` of the window is the delimiter, a line feed, a quote, a carriage
/// return.
struct Masks {
    delim: u64,
    lf: u64,
    quote: u64,
    cr: u64,
}

#[cfg(target_arch = "x86_64")]
fn masks(w: &[u8; 64], delim: u8) -> Masks {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let bits = |found: i32, k: usize| u64::from(found as u16) << (16 * k);
    let mut m = Masks {
        delim: 0,
        lf: 0,
        quote: 0,
        cr: 0,
    };
    // SAFETY: SSE2 is part of every x86_64 processor; each unaligned load reads 16 bytes at
    // offset 16 * k < 64 of the 64-byte array.
    unsafe {
        let (d, lf, q, cr) = (
            _mm_set1_epi8(delim as i8),
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(b'"' as i8),
            _mm_set1_epi8(b'\r' as i8),
        );
        for k in 0..4 {
            let v = _mm_loadu_si128(w.as_ptr().add(16 * k).cast::<__m128i>());
            m.delim |= bits(_mm_movemask_epi8(_mm_cmpeq_epi8(v, d)), k);
            m.lf |= bits(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)), k);
            m.quote |= bits(_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)), k);
            m.cr |= bits(_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr)), k);
        }
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(w: &[u8; 64], delim: u8) -> Masks {
    masks_bytewise(w, delim)
}

/// [`masks`] a byte at a time: elsewhere than x86_64, and the reference its tests compare with
/// (compiled everywhere, so that this path is built and checked on every machine).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn masks_bytewise(w: &[u8; 64], delim: u8) -> Masks {
    let of = |b: u8| {
        w.iter()
            .enumerate()
            .fold(0u64, |m, (i, c)| m | (u64::from(*c == b) << i))
    };
    Masks {
        delim: of(delim),
        lf: of(b'\n'),
        quote: of(b'"'),
        cr: of(b'\r'),
    }
}

/// Bit `i` set where an odd number of the bits `0..=i` of `x` are set: with `x` the quotes, the
/// bytes from an opening quote up to (not including) its closing one.
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    for s in [1, 2, 4, 8, 16, 32] {
        x ^= x << s;
    }
    x
}

/// Splits the record at `start` of `text` into `fields` (a quoted field without its quotes, a
/// carriage return before the line feed left out) and returns where the next record starts;
/// `None` where the record is not one such line within `text[start..start + 64]`.
#[inline]
pub(super) fn split_short<'a>(text: &'a [u8], start: usize, delim: u8, fields: &mut Vec<&'a [u8]>) -> Option<usize> {
    let w: &[u8; 64] = text.get(start..start + 64)?.try_into().ok()?;
    let m = masks(w, delim);
    let inside = prefix_xor(m.quote);
    let ends = m.lf & !inside;
    if ends == 0 {
        return None;
    }
    let e = ends.trailing_zeros();
    let before = (1u64 << e) - 1;
    if m.lf & before != 0 {
        // A line feed inside quotes: a record of several lines.
        return None;
    }
    let delims = m.delim & !inside & before;
    let seps = delims | (1u64 << e);
    let starts = 1 | (delims << 1);
    let quotes = m.quote & before;
    // A quote that opens (an odd count so far) must start a field; one that closes must come
    // just before a delimiter or the line end, or before a carriage return ending the line.
    let crlf_end = if e >= 2 { (m.cr >> (e - 1) & 1) << (e - 2) } else { 0 };
    let closes_ok = (seps >> 1) | crlf_end;
    if quotes & inside & !starts != 0 || quotes & !inside & !closes_ok != 0 {
        return None;
    }
    fields.clear();
    let mut rest = seps;
    let mut a = 0usize;
    while rest != 0 {
        let s = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        let last = s == e as usize;
        // A carriage return before the line feed is no data (after a closing quote too).
        let mut b = s;
        if last && b > a && w[b - 1] == b'\r' {
            b -= 1;
        }
        let field = if quotes >> a & 1 == 1 {
            // Opening quote at `a`, closing at `b - 1` (checked above).
            &text[start + a + 1..start + b - 1]
        } else {
            &text[start + a..start + b]
        };
        fields.push(field);
        a = s + 1;
    }
    Some(start + e as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_those_a_byte_loop_finds() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..500 {
            let mut w = [0u8; 64];
            for b in w.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = b",;\n\"\r a1\xc3"[(state % 9) as usize];
            }
            for delim in [b',', b';'] {
                let (m, r) = (masks(&w, delim), masks_bytewise(&w, delim));
                assert_eq!((m.delim, m.lf, m.quote, m.cr), (r.delim, r.lf, r.quote, r.cr));
                // The byte-at-a-time reference itself, bit by bit.
                for (i, c) in w.iter().enumerate() {
                    let bit = |x: u64| x >> i & 1 == 1;
                    assert_eq!(
                        (bit(r.delim), bit(r.lf), bit(r.quote), bit(r.cr)),
                        (*c == delim, *c == b'\n', *c == b'"', *c == b'\r')
                    );
                }
            }
        }
    }

    #[test]
    fn records_split_as_the_byte_by_byte_split_splits_them() {
        use super::super::typed::split_simple;
        // Fields of every kind the split meets: plain, empty, quoted (with delimiters, spaces,
        // a carriage return inside), doubled quotes, stray quotes, long ones; lines ending in LF
        // or CRLF, records past the window, a line feed inside quotes.
        let pieces: [&[u8]; 16] = [
            b"2021",
            b"",
            b"\"        2.239\"",
            b"\"a,b\"",
            b"a\"b",
            b"\"a\"\"b\"",
            b"\"\"",
            b"\"x\"y",
            b"12345678901234567890",
            b" 842 ",
            b"\"c\rd\"",
            b"x\r",
            b"\"",
            b"\"p\nq\"",
            b"\"e\"\r",
            b"3.079",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let (mut taken, mut left) = (0, 0);
        for _ in 0..20_000 {
            let delim = [b',', b';', b'\t'][next(3) as usize];
            let mut text = Vec::new();
            for k in 0..1 + next(7) {
                if k > 0 {
                    text.push(delim);
                }
                text.extend_from_slice(pieces[next(16) as usize]);
            }
            text.extend_from_slice([&b"\n"[..], b"\r\n"][next(2) as usize]);
            let record = text.len();
            text.extend_from_slice(&b"2021,4,8,20860,3.079,\"        2.239\"\r\n"[..]);
            text.extend_from_slice(&[b'x'; 70][..next(70) as usize]);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            match split_short(&text, 0, delim, &mut a) {
                Some(end) => {
                    taken += 1;
                    assert_eq!(
                        split_simple(&text, 0, delim, &mut b),
                        Some(end),
                        "{:?}",
                        String::from_utf8_lossy(&text)
                    );
                    assert_eq!(end, record, "{:?}", String::from_utf8_lossy(&text));
                    assert_eq!(a, b, "{:?}", String::from_utf8_lossy(&text));
                }
                None => left += 1,
            }
        }
        // Both kinds occur: the plain records taken, the doubtful ones left to the other split.
        assert!(taken > 2_000 && left > 2_000, "{taken} taken, {left} left");
    }

    #[test]
    fn prefix_xor_marks_the_bytes_inside_quotes() {
        // Quotes at 1 and 4, 8 and 9: inside from each opening up to its closing quote.
        let q = 1 << 1 | 1 << 4 | 1 << 8 | 1 << 9;
        assert_eq!(prefix_xor(q), 0b1110 | 1 << 8);
    }
}
