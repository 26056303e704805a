//! Assembling a metric's output: named Arrow columns into one `RecordBatch`, shared by every
//! metric module so that each states only its columns.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

use crate::error::{Error, Result};

/// One output column: its field and its array.
pub(crate) type Column = (Field, ArrayRef);

/// The columns as one batch; `what` names the output in the error (the arrays of a metric
/// always have equal lengths, so an error here is a bug worth reporting, not a user error).
pub(crate) fn record_batch(cols: Vec<Column>, what: &str) -> Result<RecordBatch> {
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = cols.into_iter().unzip();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| Error::arrow(what, e))
}

/// A nullable Float64 column.
pub(crate) fn f64_column(name: &str, values: Vec<Option<f64>>) -> Column {
    (
        Field::new(name, DataType::Float64, true),
        Arc::new(Float64Array::from(values)),
    )
}
