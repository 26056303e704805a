"""The import cube on engines beyond tradedep's own: DuckDB over Parquet larger than memory, Spark.

``tradedep.engines.duckdb`` and ``tradedep.engines.spark`` build the cube's partial aggregates where
the data are and merge them exactly; the metrics then run on the merged cube. Each engine module
imports its engine (``duckdb``, ``pyspark``) only when used. See docs/methods/engines.md.

    >>> import tradedep.engines.duckdb                          # doctest: +SKIP
    >>> tradedep.engines.duckdb.concentration("panel/", source="mirror")  # doctest: +SKIP
"""

from __future__ import annotations

from tradedep.engines._cube import KEYS, SUMS, SourceSpec, map_sql, merge_arrow, merge_sql
from tradedep.engines._finish import Cube, finish

__all__ = ["Cube", "KEYS", "SUMS", "SourceSpec", "finish", "map_sql", "merge_arrow", "merge_sql"]


def __getattr__(name: str) -> object:
    """``td.engines.duckdb`` / ``td.engines.spark`` load on first use (their engines are optional)."""
    if name in ("duckdb", "spark"):
        import importlib

        return importlib.import_module(f"tradedep.engines.{name}")
    raise AttributeError(f"module 'tradedep.engines' has no attribute {name!r}")
