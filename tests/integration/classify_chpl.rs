//! The built-in CHPL against the shared CSV transcription, and CN8 Comext codes classified
//! against it through their HS6 prefix.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use tradedep::classify::{chpl, classify, Concordances, Weighting};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
use tradedep::Vintage;

fn chpl_csv(path: &std::path::Path) -> BTreeMap<String, (String, String)> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let h = rdr.headers().unwrap().clone();
    let (ic, it, id) = (
        h.iter().position(|x| x == "hs6").unwrap(),
        h.iter().position(|x| x == "tier").unwrap(),
        h.iter().position(|x| x == "hs2022_description").unwrap(),
    );
    rdr.records()
        .map(|r| r.unwrap())
        .map(|r| (r[ic].to_string(), (r[it].to_string(), r[id].to_string())))
        .collect()
}

#[test]
fn tier_counts_are_those_published() {
    // Counts stated by the list (BIS notice of 2024-02-23): 4, 5, 16, 9, 11, 5.
    let list = chpl::chpl();
    let expected = [("1", 4), ("2", 5), ("3.A", 16), ("3.B", 9), ("4.A", 11), ("4.B", 5)];
    for (tier, n) in expected {
        assert_eq!(list.tier(tier).unwrap().len(), n, "tier {tier}");
    }
    assert_eq!(list.len(), 50);
    assert_eq!(list.tier("3").unwrap().len(), 25);
    assert_eq!(list.tier("4").unwrap().len(), 16);
    assert!(list.tier("5").is_err());
    assert_eq!(list.vintage(), Vintage::Hs(2022));
    assert_eq!(list.version(), "2024-02-23");
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn every_code_and_tier_matches_the_csv() {
    let path = data_or_skip!("chpl/chpl_2024-02-23.csv");
    let csv = chpl_csv(&path);
    let list = chpl::chpl();
    let ours: BTreeMap<String, (String, String)> = list
        .entries()
        .iter()
        .map(|e| {
            (
                e.code.clone(),
                (e.attrs.tier.clone().unwrap(), e.attrs.description.clone().unwrap()),
            )
        })
        .collect();
    assert_eq!(ours.len(), 50);
    assert_eq!(ours.keys().collect::<Vec<_>>(), csv.keys().collect::<Vec<_>>());
    for (code, (tier, desc)) in &csv {
        assert_eq!(&ours[code].0, tier, "tier of {code}");
        assert_eq!(&ours[code].1, desc, "description of {code}");
    }
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn every_code_exists_in_the_hs2022_nomenclature() {
    let path = data_or_skip!("hs_nomenclature/classificationH6.json");
    let nom = tradedep::classify::Nomenclature::load(&path, None).unwrap();
    let check = nom.check(chpl::chpl().codes());
    assert_eq!(check.known.len(), 50, "unknown: {:?}", check.unknown);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs the shared data folder (../shared/data or TRADEDEP_SHARED_DATA)"
)]
fn comext_cn8_codes_classify_through_their_hs6_prefix() {
    let path = data_or_skip!(
        "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
    );
    let chpl_path = data_or_skip!("chpl/chpl_2024-02-23.csv");
    let chpl_tiers: BTreeMap<String, String> = chpl_csv(&chpl_path).into_iter().map(|(c, (t, _))| (c, t)).collect();
    // Distinct CN8 codes of the file, read with the csv crate (not with tradedep).
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let ip = rdr.headers().unwrap().iter().position(|h| h == "product_code").unwrap();
    let codes: BTreeSet<String> = rdr
        .records()
        .map(|r| r.unwrap()[ip].to_string())
        .filter(|c| c.len() == 8)
        .collect();
    assert!(codes.len() > 2000, "{} CN8 codes", codes.len());

    // One row per code; the period is 2022 and the CN edition 2022 (built on HS2022).
    let mut b = TradeTableBuilder::new(
        "comext-cn8",
        TableMeta::new(Freq::Annual, "EUR", Some(Vintage::Cn(2022))),
    );
    for c in &codes {
        b.push(TradeRow::new(2022, 276, 643, Flow::Export, c, 1.0)).unwrap();
    }
    let table = b.finish().unwrap();
    let list = chpl::chpl();
    let out = classify(&table, &[&list], &Concordances::new(), &Weighting::Equal).unwrap();
    assert!(out.notes.is_empty(), "no conversion expected: {:?}", out.notes);
    let batch = arrow_select::concat::concat_batches(&out.schema, &out.batches).unwrap();
    let product = arrow_cast::cast(batch.column_by_name("product").unwrap(), &arrow_schema::DataType::Utf8).unwrap();
    let tier = arrow_cast::cast(
        batch.column_by_name("CHPL.tier").unwrap(),
        &arrow_schema::DataType::Utf8,
    )
    .unwrap();
    let kind = arrow_cast::cast(
        batch.column_by_name("CHPL.match").unwrap(),
        &arrow_schema::DataType::Utf8,
    )
    .unwrap();
    use arrow_array::cast::AsArray;
    use arrow_array::Array;
    let (product, tier, kind) = (
        product.as_string::<i32>(),
        tier.as_string::<i32>(),
        kind.as_string::<i32>(),
    );
    let mut matched = 0;
    for i in 0..batch.num_rows() {
        let code = product.value(i);
        let expected = chpl_tiers.get(&code[..6]);
        let got = tier.is_valid(i).then(|| tier.value(i).to_string());
        assert_eq!(got.as_ref(), expected, "code {code}");
        if expected.is_some() {
            matched += 1;
            assert_eq!(kind.value(i), "prefix");
        }
        if code == "85423190" {
            assert_eq!(got.as_deref(), Some("1"));
        }
    }
    assert!(codes.contains("85423190"));
    // Independent count: CN8 codes of the file whose first 6 digits are CHPL codes.
    let expected_n = codes.iter().filter(|c| chpl_tiers.contains_key(&c[..6])).count();
    assert_eq!(matched, expected_n);
    // Counted with Python csv+gzip over the same file: 38 of 2,219 CN8 codes.
    assert_eq!(matched, 38);
    // The original columns are the same arrays, not copies.
    let orig = table.batches()[0].column(5).to_data();
    let kept = out.batches[0].column(5).to_data();
    assert_eq!(orig.buffers()[0].as_ptr(), kept.buffers()[0].as_ptr());
}
