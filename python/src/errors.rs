//! Maps `tradedep::Error` onto the Python exception hierarchy rooted at `TradeDepError`.

use std::path::Path;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyOSError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

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

// `TradeDepIOError` is also an `OSError` and its missing-file case also a `FileNotFoundError`,
// so `except OSError` / `except FileNotFoundError` catch them. `create_exception!` takes one
// base, so these two classes are built with two bases at import.
static IO_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static NOT_FOUND_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `type(name, bases, {...})`: an exception class with several bases, shown as `tradedep.<name>`.
fn exception_class<'py>(py: Python<'py>, name: &str, bases: &[Bound<'py, PyType>], doc: &str) -> PyResult<Py<PyType>> {
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", "tradedep")?;
    namespace.set_item("__doc__", doc)?;
    // The message as given, not OSError's "[Errno 2] ...: 'path'" built from errno and filename.
    namespace.set_item("__str__", py.get_type::<PyException>().getattr("__str__")?)?;
    let class = py
        .get_type::<PyType>()
        .call1((name, PyTuple::new(py, bases)?, namespace))?;
    Ok(class.cast_into::<PyType>()?.unbind())
}

fn io_error_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    let class = IO_ERROR.get_or_try_init(py, || {
        exception_class(
            py,
            "TradeDepIOError",
            &[py.get_type::<TradeDepError>(), py.get_type::<PyOSError>()],
            "A file could not be opened or read (also an OSError; errno and filename are set).",
        )
    })?;
    Ok(class.bind(py))
}

fn not_found_error_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    let class = NOT_FOUND_ERROR.get_or_try_init(py, || {
        exception_class(
            py,
            "TradeDepFileNotFoundError",
            &[io_error_class(py)?.clone(), py.get_type::<PyFileNotFoundError>()],
            "The file does not exist (a TradeDepIOError and a FileNotFoundError).",
        )
    })?;
    Ok(class.bind(py))
}

/// The exception for a failed read: the message of the core error, with `errno` and `filename`
/// set as on a built-in `OSError`.
fn io_error(msg: String, path: &Path, source: &std::io::Error) -> PyErr {
    Python::attach(|py| {
        let class = if source.kind() == std::io::ErrorKind::NotFound {
            not_found_error_class(py)?
        } else {
            io_error_class(py)?
        };
        let err = class.call1((msg,))?;
        err.setattr("errno", source.raw_os_error())?;
        err.setattr("strerror", source.to_string())?;
        err.setattr("filename", path.to_string_lossy())?;
        Ok::<_, PyErr>(PyErr::from_value(err))
    })
    .unwrap_or_else(|e| e)
}

/// Converts a core error into the matching Python exception.
pub fn to_py(err: tradedep::Error) -> PyErr {
    use tradedep::Error as E;
    let msg = err.to_string();
    match err {
        E::Io { ref path, ref source } => io_error(msg, path, source),
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
    m.add("TradeDepIOError", io_error_class(py)?)?;
    m.add("TradeDepFileNotFoundError", not_found_error_class(py)?)?;
    Ok(())
}
