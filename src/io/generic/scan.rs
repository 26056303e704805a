//! Byte-level helpers of the typed fast path: counting a byte, finding a field's end, trimming a
//! cell and reading a number, each giving exactly what the plain standard-library way gives
//! (tests compare them), only with less work per byte.

/// Occurrences of `b`, eight bytes at a time: a byte equal to `b` becomes zero after an
/// exclusive or and then a one in its lane, lanes are added up for 255 words (before one can
/// overflow) and then summed. A `filter().count()` widened every byte to a 64-bit sum, and a
/// tenth of a chunk's conversion was spent counting its lines.
pub(super) fn count(s: &[u8], b: u8) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const PAIRS: u64 = 0x00FF_00FF_00FF_00FF;
    let pattern = ONES * u64::from(b);
    let mut words = s.chunks_exact(8);
    let mut n = 0;
    loop {
        let mut lanes = 0u64;
        let mut taken = 0;
        for w in words.by_ref().take(255) {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            let y = u64::from_le_bytes(word) ^ pattern;
            // The top bit of each byte of `nonzero` is set where that byte of `y` is not zero
            // (no carry crosses a byte).
            let nonzero = ((y & LOW7) + LOW7) | y;
            lanes += (!nonzero >> 7) & ONES;
            taken += 1;
        }
        // Eight lanes of at most 255 into four of at most 510, then their sum in the top 16 bits.
        let pairs = (lanes & PAIRS) + ((lanes >> 8) & PAIRS);
        n += (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
        if taken < 255 {
            break;
        }
    }
    n + words.remainder().iter().filter(|c| **c == b).count()
}

/// The first `delim` or line break in `text` from `j` on (or the end).
#[inline]
pub(super) fn field_end(text: &[u8], j: usize, delim: u8) -> usize {
    first_of(text, j, delim, b'\n')
}

/// The first `a` or `b` in `text` from `j` on (or the end), eight bytes at a time: a byte equal
/// to either becomes zero after an exclusive or, and the lowest zero byte of a word is found
/// without a branch per byte (bytes above a zero may be flagged too, never below). A field of a
/// trade file is a word or two: no vector set-up per call, as `memchr` has.
#[inline]
pub(super) fn first_of(text: &[u8], mut j: usize, a: u8, b: u8) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(w) = text.get(j..j + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let x = u64::from_le_bytes(word);
        let zero = |y: u64| y.wrapping_sub(ONES) & !y & HIGH;
        let found = zero(x ^ (ONES * u64::from(a))) | zero(x ^ (ONES * u64::from(b)));
        if found != 0 {
            return j + (found.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while j < text.len() && text[j] != a && text[j] != b {
        j += 1;
    }
    j
}

/// An ASCII byte `char::is_whitespace` (Unicode White_Space) holds for: tab to carriage return
/// (vertical tab included, which `u8::is_ascii_whitespace` leaves out) and space.
#[inline]
pub(super) fn is_space(c: u8) -> bool {
    matches!(c, b'\t'..=b'\r' | b' ')
}

/// `s.trim()`: ASCII spaces are cut byte by byte; where a byte of a longer character is left at
/// an end (a Unicode space may start there), the standard `trim` decides.
#[inline]
pub(super) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let Some(start) = b.iter().position(|c| !is_space(*c)) else {
        return "";
    };
    let end = b.iter().rposition(|c| !is_space(*c)).map_or(start, |e| e + 1);
    // Both cuts are next to ASCII bytes, hence on character boundaries.
    let t = &s[start..end];
    let t_b = t.as_bytes();
    if t_b[0].is_ascii() && t_b[t_b.len() - 1].is_ascii() {
        t
    } else {
        t.trim()
    }
}

/// Powers of ten a double holds exactly.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `s` as `str::parse::<f64>` reads it. A decimal of at most 15 digits with at most one inner
/// point is read in one pass as an integer over a power of ten: both are exact doubles, so
/// their quotient is the correctly rounded value, as `parse` gives it (Clinger's fast path).
/// Other plain decimals go through fast-float2 (also correctly rounded), anything else through
/// the standard library.
#[inline]
pub(super) fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if (1..=16).contains(&b.len()) && b[0].is_ascii_digit() && b[b.len() - 1].is_ascii_digit() {
        let mut m = 0u64;
        let mut point = None;
        let mut ok = true;
        for (i, c) in b.iter().enumerate() {
            let d = c.wrapping_sub(b'0');
            if d < 10 {
                m = m * 10 + u64::from(d);
            } else if *c == b'.' && point.is_none() {
                point = Some(i);
            } else {
                ok = false;
                break;
            }
        }
        let digits = b.len() - usize::from(point.is_some());
        if ok && digits <= 15 {
            let scale = point.map_or(0, |p| b.len() - 1 - p);
            return Some(m as f64 / POW10[scale]);
        }
    }
    let mut dots = 0;
    let plain = b.first().is_some_and(u8::is_ascii_digit)
        && b.last().is_some_and(u8::is_ascii_digit)
        && b.iter().all(|c| {
            dots += usize::from(*c == b'.');
            c.is_ascii_digit() || *c == b'.'
        })
        && dots <= 1;
    if plain {
        fast_float2::parse::<f64, _>(b).ok()
    } else {
        s.parse::<f64>().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ends_are_those_a_byte_loop_finds() {
        let text =
            "2021,842,,643,\"x\",12345678.25,a\r\nb;c\n,,,\n12345678901234567890,\nCôte d’Ivoire,\u{80}\u{ff}\t,\n"
                .as_bytes();
        for delim in [b',', b';', b'\t'] {
            for j in 0..=text.len() {
                let mut k = j;
                while k < text.len() && text[k] != delim && text[k] != b'\n' {
                    k += 1;
                }
                assert_eq!(field_end(text, j, delim), k, "from {j}, delimiter {delim}");
            }
        }
        // Quotes, as the typed path looks for a closing one (or a line break before it).
        let text = b"\"a\"\"b\",\"12345678.25\"\r\n\"c\nd\",\"\"\"\",\"";
        for j in 0..=text.len() {
            let k = (j..text.len())
                .find(|&k| text[k] == b'"' || text[k] == b'\n')
                .unwrap_or(text.len());
            assert_eq!(first_of(text, j, b'"', b'\n'), k, "from {j}");
        }
    }

    #[test]
    fn counts_are_those_of_a_filter() {
        // Runs of the byte longer than a counter holds (255 per lane), and lengths around the
        // block sizes.
        let mut text: Vec<u8> = (0..20_000u32)
            .map(|i| if i % 7 == 0 { b'\n' } else { b'a' + (i % 26) as u8 })
            .collect();
        text.extend(std::iter::repeat_n(b'\n', 32 * 300));
        text.extend(b"x\"y\"\n");
        for len in [0, 1, 31, 32, 33, 8159, 8160, 8161, 20_000, text.len()] {
            for b in [b'\n', b'"', b'a', b'z'] {
                let want = text[..len].iter().filter(|c| **c == b).count();
                assert_eq!(count(&text[..len], b), want, "{len} bytes, byte {b}");
            }
        }
    }

    #[test]
    fn trims_as_the_standard_trim() {
        let cells = [
            "",
            " ",
            "   ",
            "a",
            " a ",
            "\t12\r",
            "\u{b}FRA",
            "FRA\u{b}",
            "\u{c}x\u{c}",
            "\u{a0}x",
            "x\u{a0}",
            " \u{3000}x\u{3000} ",
            "Côte d’Ivoire ",
            " é",
            "é ",
            "\u{1f}x\u{1f}",
            "\u{85}x",
            " \u{85} ",
            "a b",
            "        2.239",
        ];
        for s in cells {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn numbers_are_read_as_parse_reads_them() {
        let mut cells: Vec<String> = [
            "0",
            "00",
            "0.0",
            "1",
            "2.239",
            "3.079",
            "0.1",
            "0.3",
            "123456789012345",
            "1234567890123456",
            "12345678901234.5",
            "1234567890123.45",
            "0.000000000000001",
            "9007199254740993",
            "1.",
            ".5",
            "1..2",
            "1.2.3",
            "1e5",
            "1E-3",
            "-0",
            "+1",
            "0x10",
            "inf",
            "NaN",
            "1_0",
            " 1",
            "999999999999999",
            "99999999999999.9",
            "4.35",
            "1234.5678",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        // Pseudo-random decimals of 1 to 19 digits with a point anywhere (or none).
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = 1 + (x % 19) as usize;
            let mut s: String = (0..digits)
                .map(|i| char::from(b'0' + ((x >> (i * 3 % 60)) % 10) as u8))
                .collect();
            let at = ((x >> 40) as usize) % (digits + 1);
            if at < digits {
                s.insert(at, '.');
            }
            cells.push(s);
        }
        for s in &cells {
            let want = s.parse::<f64>().ok().map(f64::to_bits);
            assert_eq!(parse_number(s).map(f64::to_bits), want, "{s:?}");
        }
    }
}
