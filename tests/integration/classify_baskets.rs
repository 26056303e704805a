//! Basket set operations against plain set semantics on random codes, the shipped baskets,
//! and classification over several batches.

use proptest::prelude::*;
use tradedep::classify::basket::{self, Basket};
use tradedep::classify::{chpl, classify, Concordances, Weighting};
use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
use tradedep::{TradeTable, Vintage};

fn prefix() -> impl Strategy<Value = String> {
    // Few digits so that prefixes overlap often.
    (
        prop::sample::select(vec![2usize, 4, 6]),
        prop::collection::vec(prop::sample::select(vec!['8', '5', '4']), 6),
    )
        .prop_map(|(len, d)| d.into_iter().take(len).collect())
}

proptest! {
    #[test]
    fn set_operations_match_set_semantics(
        a in prop::collection::vec(prefix(), 1..5),
        b in prop::collection::vec(prefix(), 1..5),
        codes in prop::collection::vec(prop::collection::vec(prop::sample::select(vec!['8', '5', '4']), 6), 1..30),
    ) {
        let a = Basket::new("a", &a, Vintage::Hs(2022)).unwrap();
        let b = Basket::new("b", &b, Vintage::Hs(2022)).unwrap();
        let (u, i, d) = (a.union(&b).unwrap(), a.intersection(&b).unwrap(), a.difference(&b).unwrap());
        for c in codes {
            let c: String = c.into_iter().collect();
            prop_assert_eq!(u.contains(&c), a.contains(&c) || b.contains(&c));
            prop_assert_eq!(i.contains(&c), a.contains(&c) && b.contains(&c));
            prop_assert_eq!(d.contains(&c), a.contains(&c) && !b.contains(&c));
        }
    }
}

#[test]
fn shipped_baskets_hold_their_documented_codes() {
    let d = basket::drone_components();
    for c in [
        "880621", "880730", "850110", "850131", "850760", "852589", "852691", "854231", "854470", "900110",
    ] {
        assert!(d.contains(c), "{c}");
    }
    assert!(!d.contains("880211"), "HS2022 drones are in 8806, not 8802");
    let m = basket::microelectronics();
    assert!(m.contains("854231") && m.contains("848620") && m.contains("903082"));
    let cnc = basket::cnc_machine_tools();
    assert!(cnc.contains("845811") && cnc.contains("846693") && !cnc.contains("846711"));
    assert_eq!(cnc.len(), 11);
    for b in [d, m, cnc] {
        assert_eq!(b.vintage, Vintage::Hs(2022));
        assert!(!b.reasoning.is_empty());
    }
    assert!(basket::builtin("drone components").is_ok());
    assert!(basket::builtin("tanks").is_err());
    // CHPL tier 4.B is inside the CNC basket; tier 1 inside microelectronics.
    let t4b = Basket::from_list(&chpl::chpl(), &["4.B"]).unwrap();
    assert_eq!(t4b.difference(&basket::cnc_machine_tools()).unwrap().len(), 0);
    let t1 = Basket::from_list(&chpl::chpl(), &["1"]).unwrap();
    assert!(t1
        .intersection(&basket::microelectronics())
        .unwrap()
        .prefixes()
        .eq(t1.prefixes()));
}

fn table(codes: &[&str]) -> TradeTable {
    let mut b = TradeTableBuilder::new("t", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
    for c in codes {
        b.push(TradeRow::new(2023, 643, 156, Flow::Import, c, 1.0)).unwrap();
    }
    b.finish().unwrap()
}

#[test]
fn batches_with_different_dictionaries_classify_alike() {
    // Two batches whose product dictionaries differ (the same code has another key).
    let t = TradeTable::concat(vec![
        table(&["010121", "854231", "880621"]),
        table(&["880621", "854231", "847150"]),
    ])
    .unwrap();
    assert_eq!(t.batches().len(), 2);
    let drones = basket::drone_components().to_list();
    let list = chpl::chpl();
    let out = classify(&t, &[&list, &drones], &Concordances::new(), &Weighting::Equal).unwrap();
    let col = |bi: usize, name: &str| -> Vec<Option<String>> {
        let a = arrow_cast::cast(
            out.batches[bi].column_by_name(name).unwrap(),
            &arrow_schema::DataType::Utf8,
        )
        .unwrap();
        use arrow_array::cast::AsArray;
        a.as_string::<i32>().iter().map(|x| x.map(String::from)).collect()
    };
    let s = |x: &str| Some(x.to_string());
    assert_eq!(col(0, "CHPL.tier"), vec![None, s("1"), None]);
    assert_eq!(col(1, "CHPL.tier"), vec![None, s("1"), s("3.A")]);
    assert_eq!(col(0, "drone components.entry"), vec![None, s("8542"), s("8806")]);
    assert_eq!(col(1, "drone components.entry"), vec![s("8806"), s("8542"), None]);
    assert_eq!(col(1, "drone components.match"), vec![s("prefix"), s("prefix"), None]);
}

#[test]
fn malformed_codes_are_reported_in_the_notes() {
    use arrow_array::{RecordBatch, StringArray};
    use std::sync::Arc;
    let schema = Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "hs",
        arrow_schema::DataType::Utf8,
        true,
    )]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(StringArray::from(vec![
            Some("854231"),
            Some("10121"),
            None,
            Some("TOTAL"),
        ]))],
    )
    .unwrap();
    let list = chpl::chpl();
    let out = tradedep::classify::classify::classify_batches(
        &schema,
        &[batch],
        "hs",
        Some(Vintage::Hs(2022)),
        &[&list],
        &Concordances::new(),
        &Weighting::Equal,
    )
    .unwrap();
    assert_eq!(out.batches[0].num_rows(), 4);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("2 distinct product values") && n.contains("10121") && n.contains("TOTAL")),
        "{:?}",
        out.notes
    );
    let e = tradedep::classify::explain("85x231", None, &list, &Concordances::new(), &Weighting::Equal);
    assert!(e.is_err());
}
