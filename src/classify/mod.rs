//! Product classification: product codes with vintages, lists and baskets, vintage
//! conversion, classify and explain.
