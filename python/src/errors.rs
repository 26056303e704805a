//! Maps `tradedep::Error` onto the Python exception hierarchy rooted at `TradeDepError`.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    tradedep,
    TradeDepError,
    PyException,
    "Base class of every tradedep error."
);
create_exception!(
    tradedep,
    FileFormatError,
    TradeDepError,
    "The input's structure is wrong (header, delimiter, encoding, truncation, empty file)."
);
create_exception!(
    tradedep,
    ParseError,
    TradeDepError,
    "A value could not be parsed (text in a number column, bad date)."
);
create_exception!(
    tradedep,
    InvalidDataError,
    TradeDepError,
    "A value breaks a rule of the domain (negative value, quantity without unit, mixed vintages)."
);
create_exception!(
    tradedep,
    UnknownCountryError,
    TradeDepError,
    "A country name or code the country table does not know."
);
create_exception!(
    tradedep,
    InvalidProductError,
    TradeDepError,
    "A malformed product code or one missing from the nomenclature."
);
create_exception!(
    tradedep,
    SchemaError,
    TradeDepError,
    "A canonical column is missing or has the wrong type."
);
create_exception!(
    tradedep,
    InvalidArgumentError,
    TradeDepError,
    "Arguments that cannot work together."
);
create_exception!(
    tradedep,
    ArrowError,
    TradeDepError,
    "An error from the Arrow or Parquet layer."
);
create_exception!(
    tradedep,
    TradeDepIOError,
    TradeDepError,
    "A file could not be opened or read."
);

/// Converts a core error into the matching Python exception.
pub fn to_py(err: tradedep::Error) -> PyErr {
    use tradedep::Error as E;
    let msg = err.to_string();
    match err {
        E::Io { .. } => TradeDepIOError::new_err(msg),
        E::Format { .. } => FileFormatError::new_err(msg),
        E::Parse { .. } => ParseError::new_err(msg),
        E::InvalidData { .. } => InvalidDataError::new_err(msg),
        E::UnknownCountry { .. } => UnknownCountryError::new_err(msg),
        E::InvalidProduct { .. } => InvalidProductError::new_err(msg),
        E::Schema { .. } => SchemaError::new_err(msg),
        E::InvalidArgument { .. } => InvalidArgumentError::new_err(msg),
        E::Arrow { .. } | E::Parquet { .. } => ArrowError::new_err(msg),
        E::Cancelled => pyo3::exceptions::PyKeyboardInterrupt::new_err(msg),
    }
}

/// `?`-friendly conversion: `core_call().map_err(to_py)?` is spelled `py_result(core_call())?`.
pub fn py_result<T>(r: tradedep::Result<T>) -> PyResult<T> {
    r.map_err(to_py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("TradeDepError", py.get_type::<TradeDepError>())?;
    m.add("FileFormatError", py.get_type::<FileFormatError>())?;
    m.add("ParseError", py.get_type::<ParseError>())?;
    m.add("InvalidDataError", py.get_type::<InvalidDataError>())?;
    m.add("UnknownCountryError", py.get_type::<UnknownCountryError>())?;
    m.add("InvalidProductError", py.get_type::<InvalidProductError>())?;
    m.add("SchemaError", py.get_type::<SchemaError>())?;
    m.add("InvalidArgumentError", py.get_type::<InvalidArgumentError>())?;
    m.add("ArrowError", py.get_type::<ArrowError>())?;
    m.add("TradeDepIOError", py.get_type::<TradeDepIOError>())?;
    Ok(())
}
