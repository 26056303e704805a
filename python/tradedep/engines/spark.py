"""Spark builds the import cube: partial cubes per partition (``mapInArrow``, pyarrow group-by),
merged by a second aggregation over the same keys, collected as Arrow into the metrics.

Steps, each one line of Spark:

1. project (Spark SQL, the same expressions as DuckDB's map step: ``SourceSpec.select_sql``);
2. ``mapInArrow(partial_cube)``: every partition sums its rows by key (:func:`partial_cube`);
3. ``groupBy(*KEYS).agg(sum(value), sum(quantity), sum(n_rows))``: the exact merge;
4. collect as Arrow on the driver, stream into a TradeTable, run the metric
   (:func:`tradedep.engines.finish`).

The merged cube must fit on the driver; split by period (``where=``) when it does not.
See docs/methods/engines.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from tradedep import _defaults
from tradedep._table import ArrowResult
from tradedep.engines._cube import CANONICAL_COLUMNS, KEYS, SourceSpec, merge_arrow
from tradedep.engines._finish import Cube, no_explain

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

__all__ = ["cube", "partial_cube", "partial_cubes", "supplier_shares", "concentration"]

ENGINE = "spark"
# A partition's partial cube is folded every this many input rows, so its memory stays bounded
# by the partition's number of distinct keys, not its rows.
FOLD_ROWS = 1 << 20


def partial_cube(batches: Iterable["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
    """The map step of one partition, for ``DataFrame.mapInArrow``: projected rows (columns
    ``KEYS``, ``value``, ``quantity``, ``n_rows``) summed by key with :func:`merge_arrow`.

        >>> projected.mapInArrow(partial_cube, projected.schema)  # doctest: +SKIP
    """
    import pyarrow as pa

    folded: list[pa.Table] = []
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for b in batches:
        pending.append(b)
        pending_rows += b.num_rows
        if pending_rows >= FOLD_ROWS:
            folded = [merge_arrow(pa.Table.from_batches(pending).combine_chunks() if not folded else pa.concat_tables([*folded, pa.Table.from_batches(pending)]))]
            pending, pending_rows = [], 0
    if pending:
        folded = [merge_arrow(pa.concat_tables([*folded, pa.Table.from_batches(pending)]))]
    for t in folded:
        yield from t.to_batches()


def _spec(df: "DataFrame", columns: Mapping[str, str] | None, mapping: dict[str, Any]) -> SourceSpec:
    if columns is None:
        columns = {c: s for c, s in CANONICAL_COLUMNS.items() if s in df.columns}
    return SourceSpec(columns=dict(columns), **mapping)


def partial_cubes(df: "DataFrame", spec: SourceSpec, where: str | None = None) -> "DataFrame":
    """Steps 1-3 as a Spark DataFrame: the merged cube (one row per key), not yet collected."""
    from pyspark.sql import functions as F

    if where:
        df = df.where(where)
    projected = df.selectExpr(*spec.select_sql(quote="`"), "CAST(1 AS BIGINT) AS n_rows")
    partial = projected.mapInArrow(partial_cube, projected.schema)
    return partial.groupBy(*KEYS).agg(
        F.sum("value").alias("value"), F.sum("quantity").alias("quantity"), F.sum("n_rows").alias("n_rows")
    )


def _collect(merged: "DataFrame") -> "pa.Table":
    """The merged cube on the driver as Arrow (``toArrow`` from Spark 4, the Arrow collect before)."""
    if hasattr(merged, "toArrow"):
        return merged.toArrow()
    collect: Any = getattr(merged, "_collect_as_arrow")  # Spark 3.5
    return collect()


def cube(
    df: "DataFrame",
    columns: Mapping[str, str] | None = None,
    *,
    where: str | None = None,
    flow: str | None = None,
    freq: str | None = None,
    currency: str = _defaults.CURRENCY,
    vintage: str | None = None,
    unit: str | None = None,
    value_scale: float = _defaults.VALUE_SCALE,
    value_basis: str | None = None,
    country_coding: str = _defaults.COUNTRY_CODING,
) -> Cube:
    """The import cube of a Spark DataFrame of trade rows, built by Spark, as a :class:`Cube`
    (``.table`` a TradeTable, ``.n_rows`` source rows per cube row).

    ``columns``: canonical column -> DataFrame column (default: the canonical names present).
    ``where``: a Spark SQL filter. Mapping arguments as in ``td.read_parquet``.

        >>> df = spark.read.parquet("s3://bucket/baci/")                        # doctest: +SKIP
        >>> c = td.engines.spark.cube(df, {"period": "t", "reporter": "i", "partner": "j",
        ...     "product": "k", "value": "v", "quantity": "q"}, flow="export", vintage="HS2017",
        ...     unit="t", value_scale=1000)                                       # doctest: +SKIP
        >>> td.concentration(c.table, source="mirror")                            # doctest: +SKIP
    """
    mapping = dict(
        flow=flow, freq=freq, currency=currency, vintage=vintage, unit=unit, value_scale=value_scale,
        value_basis=value_basis, country_coding=country_coding,
    )
    spec = _spec(df, columns, mapping)
    table = _collect(partial_cubes(df, spec, where))
    return Cube.from_batches(table.to_batches(), spec, ENGINE)


_CUBE_ARGS = ("where", "flow", "freq", "currency", "vintage", "unit", "value_scale", "value_basis", "country_coding")


def _cube_of(df: "DataFrame", columns: Mapping[str, str] | None, kwargs: dict[str, Any]) -> Cube:
    return cube(df, columns, **{k: kwargs.pop(k) for k in list(kwargs) if k in _CUBE_ARGS})


def supplier_shares(
    df: "DataFrame", importer: Any, columns: Mapping[str, str] | None = None, *, by: str | Sequence[str] = "period", **kwargs: Any
) -> ArrowResult:
    """``td.supplier_shares`` on the cube Spark builds from ``df`` (arguments of :func:`cube` and
    of ``td.supplier_shares``). To run several metrics, build the cube once with :func:`cube` and
    call its methods.

        >>> td.engines.spark.supplier_shares(df, "RUS", baci, flow="export", source="mirror",
        ...     groups={"China+HK": ["CHN", "HKG"]}, vintage="HS2017")  # doctest: +SKIP
    """
    no_explain(kwargs)
    return _cube_of(df, columns, kwargs).supplier_shares(importer, by=by, **kwargs)


def concentration(
    df: "DataFrame", columns: Mapping[str, str] | None = None, *, by: str | Sequence[str] = ("period", "product"), **kwargs: Any
) -> ArrowResult:
    """``td.concentration`` on the cube Spark builds from ``df`` (arguments of :func:`cube` and of
    ``td.concentration``).

        >>> td.engines.spark.concentration(df, baci, flow="export", source="mirror", vintage="HS2017")  # doctest: +SKIP
    """
    no_explain(kwargs)
    return _cube_of(df, columns, kwargs).concentration(by=by, **kwargs)
