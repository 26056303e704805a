//! Tags the rows of a trade table with the lists their products are on.
//!
//! **Representation.** [`classify`] returns the table's own columns (the same Arrow arrays,
//! reference-counted, not copied) followed by one group of columns per list, named
//! `<list>.<field>`:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `<list>.entry` | Dictionary(Int8/16/32, Utf8) | the list entry (or entries, comma-joined, after a conversion) the row's code falls under; null when not on the list |
//! | `<list>.tier` | Dictionary(Int8/16/32, Utf8) | tier(s) of those entries |
//! | `<list>.category` | Dictionary(Int8/16/32, Utf8) | category of those entries |
//! | `<list>.control_entry` | Dictionary(Int8/16/32, Utf8) | control entries (e.g. `3A001`) |
//! | `<list>.match` | Dictionary(Int8/16/32, Utf8) | `exact`, `prefix` or `converted` |
//! | `<list>.weight` | Float64 | part of the row's value that counts for the list: 1 for a direct match, the conversion weight after a split (1 for a code that continues under the default continuity weighting), 0 when not on the list |
//!
//! The list columns are computed once per distinct code and spread over the rows as
//! dictionary keys of the smallest width that fits the list (Int8 for the CHPL: about one
//! byte per row and column); rows not on a list are null. Dictionary values are unique and
//! never null, so pandas and polars read the columns as categoricals. A code on several lists is tagged in each
//! list's group. Each group's field metadata carries the list's name, version, vintage and
//! (after a conversion) the tables and weighting used.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int16Type, Int32Type, Int8Type};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Float64Array, Int16Array, Int32Array, Int8Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::concordance::{Concordances, Weighting};
use super::list::{MappedCode, MatchKind, ProductList};
use crate::error::{Error, Result};
use crate::model::TradeTable;

/// How one code stands with one list.
///
/// ```
/// use tradedep::classify::{chpl::chpl, classify::Matcher, Concordances, MatchKind, Weighting};
/// let list = chpl();
/// let m = Matcher::new(&list, None, &Concordances::new(), &Weighting::default())?;
/// let hit = m.get("85423190").unwrap();
/// assert_eq!((hit.kind, hit.weight), (MatchKind::Prefix, 1.0));
/// assert_eq!(list.entries()[hit.entries[0].0].code, "854231");
/// assert!(m.get("030211").is_none());
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CodeMatch {
    /// Indices of the list entries, with the weight each carries.
    pub entries: Vec<(usize, f64)>,
    pub kind: MatchKind,
    pub weight: f64,
}

/// A list prepared for the codes of one vintage (conversion done once).
///
/// ```
/// use tradedep::classify::{chpl::chpl, classify::Matcher, Concordances, MatchKind, Weighting};
/// use tradedep::Vintage;
/// let list = chpl();
/// let m = Matcher::new(&list, Some(Vintage::Hs(2017)), &Concordances::embedded(), &Weighting::default())?;
/// let hit = m.get("854231").unwrap();
/// assert_eq!((hit.kind, hit.weight), (MatchKind::Converted, 1.0));
/// assert!(!m.notes.is_empty()); // the tables and weighting used
/// # Ok::<(), tradedep::Error>(())
/// ```
pub struct Matcher<'a> {
    pub list: &'a ProductList,
    mapped: Option<HashMap<String, MappedCode>>,
    /// Tables and weighting used, empty when the vintages share an HS base.
    pub notes: Vec<String>,
}

impl<'a> Matcher<'a> {
    /// Prepares `list` for codes of `vintage` (`None`: assumed to be the list's vintage, with a note).
    ///
    /// See the example on [`Matcher`].
    ///
    /// ```
    /// use tradedep::classify::{chpl::chpl, classify::Matcher, Concordances, Weighting};
    /// let list = chpl();
    /// let m = Matcher::new(&list, None, &Concordances::new(), &Weighting::default())?;
    /// assert!(m.get("854231").is_some());
    /// assert!(!m.notes.is_empty()); // says the codes were taken to be in the list's vintage
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn new(
        list: &'a ProductList,
        vintage: Option<crate::model::Vintage>,
        conc: &Concordances,
        weighting: &Weighting,
    ) -> Result<Matcher<'a>> {
        let Some(v) = vintage else {
            return Ok(Matcher {
                list,
                mapped: None,
                notes: vec![format!(
                    "the table declares no vintage; codes compared with {} as {} codes",
                    list.name(),
                    list.vintage()
                )],
            });
        };
        if v.hs_base() == list.vintage().hs_base() {
            return Ok(Matcher {
                list,
                mapped: None,
                notes: vec![],
            });
        }
        let m = list.map_to(v, conc, weighting)?;
        let notes = vec![format!(
            "{} ({}) applied to {} codes through {} (correlation, weighting {}; applied: {})",
            list.name(),
            list.vintage(),
            v,
            m.path.join(" then "),
            weighting.describe(),
            {
                let mut w: Vec<&str> = m.codes.iter().map(|c| c.weighting.as_str()).collect();
                w.sort();
                w.dedup();
                w.join("; ")
            }
        )];
        Ok(Matcher {
            list,
            mapped: Some(m.codes.into_iter().map(|c| (c.code.clone(), c)).collect()),
            notes,
        })
    }

    /// The match of `code`, or `None`.
    ///
    /// See the example on [`Matcher`].
    ///
    /// ```
    /// use tradedep::classify::{chpl::chpl, classify::Matcher, Concordances, Weighting};
    /// let list = chpl();
    /// let m = Matcher::new(&list, Some(tradedep::Vintage::Cn(2023)), &Concordances::new(), &Weighting::default())?;
    /// assert_eq!(m.get("84581100").unwrap().weight, 1.0); // a CN8 code under the CNC lathe entry 845811
    /// assert!(m.get("84581900").is_none());
    /// # Ok::<(), tradedep::Error>(())
    /// ```
    pub fn get(&self, code: &str) -> Option<CodeMatch> {
        match &self.mapped {
            None => {
                let (e, kind) = self.list.lookup(code)?;
                let i = self.list.entries().iter().position(|x| std::ptr::eq(x, e))?;
                Some(CodeMatch {
                    entries: vec![(i, 1.0)],
                    kind,
                    weight: 1.0,
                })
            }
            Some(m) => {
                // Mapped codes are HS6; national codes of the table match by their subheading.
                let c = m.get(code).or_else(|| code.get(..6).and_then(|k| m.get(k)))?;
                Some(CodeMatch {
                    entries: c.via.clone(),
                    kind: MatchKind::Converted,
                    weight: c.weight,
                })
            }
        }
    }
}

/// The table with one group of columns per list (see the module docs).
///
/// ```
/// use arrow_array::{cast::AsArray, types::Float64Type, Array};
/// use tradedep::classify::{chpl::chpl, classify, Concordances, Weighting};
/// use tradedep::model::{Flow, Freq, TableMeta, TradeRow, TradeTableBuilder};
/// use tradedep::Vintage;
/// let mut b = TradeTableBuilder::new("x", TableMeta::new(Freq::Annual, "USD", Some(Vintage::Hs(2022))));
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "854231", 10.0))?;
/// b.push(TradeRow::new(2023, 643, 156, Flow::Import, "030211", 5.0))?; // fish, not on the CHPL
/// let c = classify(&b.finish()?, &[&chpl()], &Concordances::new(), &Weighting::default())?;
/// assert_eq!(c.schema.fields().len(), 12 + 6); // the table's columns, then CHPL.entry ... CHPL.weight
/// let i = c.schema.index_of("CHPL.weight").unwrap();
/// assert_eq!(c.batches[0].column(i).as_primitive::<Float64Type>().values(), &[1.0, 0.0]);
/// assert!(c.batches[0].column(c.schema.index_of("CHPL.tier").unwrap()).is_null(1));
/// # Ok::<(), tradedep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Classified {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    /// How each list was applied (conversions, weightings).
    pub notes: Vec<String>,
}

fn join_attr(
    list: &ProductList,
    m: &CodeMatch,
    f: impl Fn(&super::list::ListEntry) -> Option<String>,
) -> Option<String> {
    let mut v: Vec<String> = m
        .entries
        .iter()
        .filter_map(|(i, _)| list.entries().get(*i))
        .filter_map(&f)
        .filter(|s| !s.is_empty())
        .collect();
    v.sort();
    v.dedup();
    (!v.is_empty()).then(|| v.join(","))
}

/// Tags every row of `table` with each list of `lists` (see the module docs for the columns).
/// Lists in another HS edition than the table are carried over with the correlation tables
/// of `conc` and `weighting` (pass `&Weighting::default()`, continuity, unless you mean another).
/// The notes and the list columns' field metadata name the weighting asked for and the ones
/// applied.
///
/// ```
/// use tradedep::classify::{basket::drone_components, classify, Concordances, Weighting};
/// let t = tradedep::demo::demo_table()?;
/// let drones = drone_components().to_list();
/// let c = classify(&t, &[&drones], &Concordances::new(), &Weighting::default())?;
/// let rows: usize = c.batches.iter().map(|b| b.num_rows()).sum();
/// assert_eq!(rows, t.num_rows()); // one output row per input row
/// assert!(c.schema.index_of("drone components.match").is_ok());
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn classify(
    table: &TradeTable,
    lists: &[&ProductList],
    conc: &Concordances,
    weighting: &Weighting,
) -> Result<Classified> {
    classify_batches(
        &table.schema(),
        table.batches(),
        "product",
        table.meta().vintage,
        lists,
        conc,
        weighting,
    )
}

/// Row keys into a per-code array: the dictionary's own keys (shared, not copied) or keys
/// built for a plain string column.
fn code_keys(col: &ArrayRef, name: &str) -> Result<(Int32Array, Vec<Option<String>>)> {
    let plain = |codes: Vec<Option<&str>>| {
        let mut ix: HashMap<&str, i32> = HashMap::new();
        let mut values: Vec<Option<String>> = vec![];
        let keys: Int32Array = codes
            .iter()
            .map(|c| {
                c.map(|c| {
                    *ix.entry(c).or_insert_with(|| {
                        values.push(Some(c.to_string()));
                        values.len() as i32 - 1
                    })
                })
            })
            .collect();
        (keys, values)
    };
    match col.data_type() {
        DataType::Dictionary(k, _) if **k == DataType::Int32 => {
            let d = col.as_dictionary::<Int32Type>();
            let values = arrow_cast::cast(d.values(), &DataType::Utf8).map_err(|e| Error::arrow("reading product codes", e))?;
            let values = values.as_string::<i32>();
            Ok((d.keys().clone(), values.iter().map(|x| x.map(String::from)).collect()))
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
            let s = arrow_cast::cast(col, &DataType::Utf8).map_err(|e| Error::arrow("reading product codes", e))?;
            Ok(plain(s.as_string::<i32>().iter().collect()))
        }
        other => Err(Error::schema(
            format!("product column {name:?} is {other}, not text"),
            "product codes are text with leading zeros (\"010121\"); read the file with an explicit string type for the code column",
        )),
    }
}

/// Key width of a list's dictionary columns: enough for every distinct value the list can
/// produce (one per entry, or one per mapped code after a conversion), the same in every batch.
fn key_type(m: &Matcher) -> DataType {
    let bound = m.list.len().max(m.mapped.as_ref().map(|x| x.len()).unwrap_or(0)) + 1;
    if bound < i8::MAX as usize {
        DataType::Int8
    } else if bound < i16::MAX as usize {
        DataType::Int16
    } else {
        DataType::Int32
    }
}

/// A dictionary column with unique values (pandas rejects repeated or null categories) and
/// keys of `key` width; rows without a value are null keys.
fn dict_column(keys: &Int32Array, values: Vec<Option<String>>, key: &DataType) -> Result<ArrayRef> {
    let mut uniq: Vec<&str> = vec![];
    let mut index: HashMap<&str, usize> = HashMap::new();
    let per_code: Vec<Option<usize>> = values
        .iter()
        .map(|v| {
            v.as_deref().map(|v| {
                *index.entry(v).or_insert_with(|| {
                    uniq.push(v);
                    uniq.len() - 1
                })
            })
        })
        .collect();
    let row = |k: Option<i32>| k.and_then(|k| per_code.get(k as usize).copied().flatten());
    let dict: ArrayRef = Arc::new(StringArray::from(uniq.clone()));
    let err = |e| Error::arrow("building classify columns", e);
    Ok(match key {
        DataType::Int8 => {
            let k: Int8Array = keys.iter().map(|k| row(k).and_then(|u| i8::try_from(u).ok())).collect();
            Arc::new(DictionaryArray::<Int8Type>::try_new(k, dict).map_err(err)?)
        }
        DataType::Int16 => {
            let k: Int16Array = keys
                .iter()
                .map(|k| row(k).and_then(|u| i16::try_from(u).ok()))
                .collect();
            Arc::new(DictionaryArray::<Int16Type>::try_new(k, dict).map_err(err)?)
        }
        _ => {
            let k: Int32Array = keys
                .iter()
                .map(|k| row(k).and_then(|u| i32::try_from(u).ok()))
                .collect();
            Arc::new(DictionaryArray::<Int32Type>::try_new(k, dict).map_err(err)?)
        }
    })
}

/// [`classify`] for any Arrow batches with a text (or dictionary) column of product codes, e.g.
/// a user's DataFrame. `vintage` is the codes' nomenclature (`None`: assumed to be each
/// list's, with a note). The batches' columns are kept as they are and the list columns follow.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{cast::AsArray, types::Float64Type, ArrayRef, RecordBatch, StringArray};
/// use tradedep::classify::{chpl::chpl, classify::classify_batches, Concordances, Weighting};
/// use tradedep::Vintage;
/// let codes: ArrayRef = Arc::new(StringArray::from(vec!["854231", "010121"]));
/// let batch = RecordBatch::try_from_iter([("hs6", codes)]).unwrap();
/// let c = classify_batches(&batch.schema(), &[batch], "hs6", Some(Vintage::Hs(2022)), &[&chpl()], &Concordances::new(), &Weighting::default())?;
/// let w = c.batches[0].column(c.schema.index_of("CHPL.weight").unwrap()).as_primitive::<Float64Type>();
/// assert_eq!(w.values(), &[1.0, 0.0]);
/// # Ok::<(), tradedep::Error>(())
/// ```
pub fn classify_batches(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    product: &str,
    vintage: Option<crate::model::Vintage>,
    lists: &[&ProductList],
    conc: &Concordances,
    weighting: &Weighting,
) -> Result<Classified> {
    let mut names: Vec<&str> = lists.iter().map(|l| l.name()).collect();
    names.sort();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::invalid_argument(
            "two lists have the same name",
            "rename one (its name prefixes its columns)",
        ));
    }
    let pi = schema.index_of(product).map_err(|_| {
        Error::schema(
            format!("no product column {product:?}"),
            format!(
                "columns are [{}]; name the code column",
                schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let matchers: Vec<Matcher> = lists
        .iter()
        .map(|l| Matcher::new(l, vintage, conc, weighting))
        .collect::<Result<_>>()?;
    let notes: Vec<String> = matchers.iter().flat_map(|m| m.notes.clone()).collect();

    let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
    for m in &matchers {
        let dict = DataType::Dictionary(Box::new(key_type(m)), Box::new(DataType::Utf8));
        let l = m.list;
        let mut md = HashMap::new();
        md.insert("tradedep.list".to_string(), l.name().to_string());
        md.insert("tradedep.list.version".to_string(), l.version().to_string());
        md.insert("tradedep.list.vintage".to_string(), l.vintage().name());
        if !m.notes.is_empty() {
            md.insert("tradedep.list.conversion".to_string(), m.notes.join("; "));
        }
        for f in ["entry", "tier", "category", "control_entry", "match"] {
            let name = format!("{}.{f}", l.name());
            if schema.index_of(&name).is_ok() {
                return Err(Error::invalid_argument(
                    format!("the table already has a column {name:?}"),
                    "classify a table once per list, or rename the list",
                ));
            }
            fields.push(Arc::new(Field::new(name, dict.clone(), true).with_metadata(md.clone())));
        }
        fields.push(Arc::new(
            Field::new(format!("{}.weight", l.name()), DataType::Float64, false).with_metadata(md),
        ));
    }
    let out_schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));

    let mut cache: Vec<HashMap<String, Option<CodeMatch>>> = vec![HashMap::new(); matchers.len()];
    let mut out = vec![];
    let mut malformed: std::collections::BTreeSet<String> = Default::default();
    for b in batches {
        let (keys, codes) = code_keys(b.column(pi), product)?;
        for c in codes.iter().flatten() {
            if !crate::model::product::is_valid_code(c) {
                malformed.insert(c.clone());
            }
        }
        let mut cols: Vec<ArrayRef> = b.columns().to_vec();
        for (li, m) in matchers.iter().enumerate() {
            let per_code: Vec<Option<CodeMatch>> = codes
                .iter()
                .map(|code| {
                    let code = code.as_deref().unwrap_or("");
                    cache[li].entry(code.to_string()).or_insert_with(|| m.get(code)).clone()
                })
                .collect();
            let l = m.list;
            let attr = |f: &dyn Fn(&super::list::ListEntry) -> Option<String>| -> Vec<Option<String>> {
                per_code
                    .iter()
                    .map(|pm| pm.as_ref().and_then(|pm| join_attr(l, pm, f)))
                    .collect()
            };
            let str_cols: [Vec<Option<String>>; 5] = [
                attr(&|e| Some(e.code.clone())),
                attr(&|e| e.attrs.tier.clone()),
                attr(&|e| e.attrs.category.clone()),
                attr(&|e| Some(e.attrs.control_entries.join(" "))),
                per_code
                    .iter()
                    .map(|pm| pm.as_ref().map(|pm| pm.kind.as_str().to_string()))
                    .collect(),
            ];
            let kt = key_type(m);
            for values in str_cols {
                cols.push(dict_column(&keys, values, &kt)?);
            }
            let w: Vec<f64> = per_code
                .iter()
                .map(|pm| pm.as_ref().map(|pm| pm.weight).unwrap_or(0.0))
                .collect();
            let weight: Float64Array = keys
                .iter()
                .map(|k| k.and_then(|k| w.get(k as usize).copied()).unwrap_or(0.0))
                .collect::<Vec<f64>>()
                .into();
            cols.push(Arc::new(weight));
        }
        out.push(
            RecordBatch::try_new(out_schema.clone(), cols)
                .map_err(|e| Error::arrow("assembling classified batch", e))?,
        );
    }
    let mut notes = notes;
    if !malformed.is_empty() {
        let ex: Vec<&str> = malformed.iter().take(5).map(|s| s.as_str()).collect();
        notes.push(format!(
            "{} distinct product values are not 2-10 digit codes and match no list (e.g. {}); check for lost leading zeros",
            malformed.len(),
            ex.join(", ")
        ));
    }
    Ok(Classified {
        schema: out_schema,
        batches: out,
        notes,
    })
}
