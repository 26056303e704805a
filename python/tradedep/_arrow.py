"""Arrow objects to pyarrow tables, without importing pandas."""

from __future__ import annotations

from typing import Any

# Imported with the package, not on the first result: every result is Arrow, and importing
# pyarrow (0.08 s) inside the first call made every script's first metric look slower.
import pyarrow


def arrow_table(obj: Any) -> "pyarrow.Table":
    """A ``pyarrow.Table`` from an Arrow object (table, batch, or any ``__arrow_c_stream__`` /
    ``__arrow_c_array__`` exporter), without ``pa.table``: that one imports pandas to test
    whether ``obj`` is a DataFrame, which cost 0.3 s on the first result of every process."""
    pa = pyarrow
    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj])
    if hasattr(obj, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(obj).read_all()
    if hasattr(obj, "__arrow_c_array__"):
        return pa.Table.from_batches([pa.RecordBatch._import_from_c_capsule(*obj.__arrow_c_array__())])
    return pa.table(obj)
