//! Exact duplicate rows in BACI files whose rows are not in CEPII's order: a generated file
//! with duplicates (some three times) and rows of one key with other numbers, in random order,
//! against a reference that keeps the first of every equal row in file order.

use std::collections::HashSet;

use tradedep::io::baci::{read_baci_bytes, BaciOptions};
use tradedep::model::REASON_DUPLICATE;
use tradedep::Vintage;

use super::io_baci::{reference_rows, rows};

/// A small deterministic generator (SplitMix64), so that the test needs no seed file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `unique` rows of random keys and numbers, then exact copies (some copied twice) and rows of
/// an existing key with another value, all shuffled.
fn shuffled_with_duplicates(unique: usize, seed: u64) -> String {
    const COUNTRIES: [u16; 12] = [4, 8, 24, 36, 156, 251, 276, 392, 643, 699, 710, 842];
    let mut rng = Rng(seed);
    let mut lines: Vec<String> = (0..unique)
        .map(|_| {
            let q = match rng.below(10) {
                0 => "NA".to_string(),
                _ => format!("{}.{:03}", rng.below(500), rng.below(1000)),
            };
            format!(
                "{},{},{},{},{}.{:03},{q}",
                2016 + rng.below(2),
                COUNTRIES[rng.below(COUNTRIES.len())],
                COUNTRIES[rng.below(COUNTRIES.len())],
                10121 + rng.below(600) * 1000,
                rng.below(9000),
                rng.below(1000),
            )
        })
        .collect();
    for copy in 0..unique / 20 {
        let l = lines[rng.below(unique)].clone();
        if copy % 5 == 0 {
            lines.push(l.clone());
        }
        if copy % 7 == 0 {
            // Same key, another value: kept.
            let key: Vec<&str> = l.split(',').take(4).collect();
            lines.push(format!("{},{}.5,NA", key.join(","), rng.below(100)));
        }
        lines.push(l);
    }
    for i in (1..lines.len()).rev() {
        lines.swap(i, rng.below(i + 1));
    }
    format!("t,i,j,k,v,q\n{}\n", lines.join("\n"))
}

#[test]
fn duplicates_in_random_order_are_set_aside_as_a_reference_finds_them() {
    for (unique, chunk_bytes) in [(300, 0), (40_000, 0), (40_000, 50_000)] {
        let text = shuffled_with_duplicates(unique, unique as u64 + chunk_bytes as u64);
        // Reference: the first of every equal row (every value, in file order) is kept.
        let mut seen = HashSet::new();
        let mut expected = Vec::new();
        let mut duplicate_rows = Vec::new();
        for (i, r) in reference_rows(&text).into_iter().enumerate() {
            let whole = (r.0, r.1, r.2, r.3.clone(), r.4.to_bits(), r.5.map(f64::to_bits));
            if seen.insert(whole) {
                expected.push(r);
            } else {
                duplicate_rows.push(i as u64 + 1);
            }
        }
        assert!(duplicate_rows.len() > unique / 25, "the generator made duplicates");
        let options = BaciOptions {
            vintage: Some(Vintage::Hs(2017)),
            chunk_bytes,
            ..Default::default()
        };
        let t = read_baci_bytes(text.as_bytes(), "x.csv", &options).unwrap();
        let what = format!("{unique} rows, chunks of {chunk_bytes} bytes");
        assert!(chunk_bytes == 0 || t.batches().len() > 10, "{what}");
        assert_eq!(rows(&t), expected, "{what}");
        let r = t.report();
        assert_eq!(
            r.set_aside.get(REASON_DUPLICATE).copied(),
            Some(duplicate_rows.len() as u64),
            "{what}"
        );
        assert_eq!(r.rows_kept, expected.len() as u64, "{what}");
        assert!(r.is_balanced(), "{what}");
        let examples: Vec<u64> = r.examples[REASON_DUPLICATE].iter().map(|(row, _)| *row).collect();
        assert_eq!(examples, duplicate_rows[..examples.len()], "{what}");
        let note = format!("{} duplicate row(s)", duplicate_rows.len());
        assert!(r.notes.iter().any(|n| n.contains(&note)), "{what}: {:?}", r.notes);
    }
}
