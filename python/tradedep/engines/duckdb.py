"""DuckDB builds the import cube with SQL over Parquet files (one file, a folder, a hive-partitioned
dataset, larger than memory) and streams it as Arrow into the metrics.

One query per period chunk (``WHERE period = ?``) keeps DuckDB's hash table and the finish to one
chunk's cube at a time; a hive-partitioned or period-sorted dataset lets DuckDB read only that
chunk's files or row groups. See docs/methods/engines.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from tradedep import _defaults
from tradedep._table import ArrowResult
from tradedep._tradedep import InvalidArgumentError
from tradedep.engines._cube import CANONICAL_COLUMNS, SourceSpec, map_sql
from tradedep.engines._finish import Cube, finish, no_explain

if TYPE_CHECKING:
    import duckdb

__all__ = ["cube", "cubes", "supplier_shares", "concentration"]

ENGINE = "duckdb"
# Rows per Arrow batch streamed out of DuckDB.
BATCH_ROWS = 1 << 20


def _connect(
    source: Any, memory_limit: str | None, threads: int | None, temp_directory: str | None
) -> tuple["duckdb.DuckDBPyConnection", str]:
    """A connection and the relation to read: a path (Parquet file, glob or folder) or a connection
    with ``relation=`` given by the caller."""
    import duckdb

    if isinstance(source, duckdb.DuckDBPyConnection):
        con = source
        rel = ""
    elif isinstance(source, (str, os.PathLike)):
        con = duckdb.connect()
        p = Path(source)
        if p.is_dir():
            glob = str(p / "**" / "*.parquet")
        elif p.exists() or any(ch in str(p) for ch in "*?["):
            glob = str(p)
        else:
            raise InvalidArgumentError(f"{os.fspath(source)!r}: no such file or folder; pass a Parquet file, a folder of them or a glob")
        # The cube's row order does not matter: DuckDB may then stream and spill more freely.
        con.execute("SET preserve_insertion_order = false")
        rel = f"read_parquet('{glob.replace(chr(39), chr(39) * 2)}', hive_partitioning = true)"
    else:
        raise InvalidArgumentError(
            f"cannot read {type(source).__name__}: pass a Parquet path (file, folder, glob) or a duckdb connection with relation="
        )
    if memory_limit is not None:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    if temp_directory is not None:
        con.execute(f"SET temp_directory = '{os.fspath(temp_directory)}'")
    return con, rel


def _spec(
    con: "duckdb.DuckDBPyConnection", relation: str, source: Any, columns: Mapping[str, str] | None, mapping: dict[str, Any]
) -> SourceSpec:
    """The source spec; without ``columns`` the canonical columns present, and the frequency,
    currency and vintage from the metadata ``TradeTable.write_parquet`` wrote (unless given)."""
    if columns is None:
        present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
        columns = {c: s for c, s in CANONICAL_COLUMNS.items() if s in present}
        meta = _parquet_meta(source)
        for key in ("freq", "currency", "vintage"):
            if mapping.get(key) in (None, "USD") and key in meta:
                mapping[key] = meta[key]
    return SourceSpec(columns=dict(columns), **mapping)


def _parquet_meta(source: Any) -> dict[str, str]:
    """freq / currency / vintage from the schema metadata of the first Parquet file of a path."""
    if not isinstance(source, (str, os.PathLike)):
        return {}
    import pyarrow.parquet as pq

    p = Path(source)
    if p.is_dir():
        files = sorted(p.rglob("*.parquet"))
    else:
        import glob

        files = [p] if p.exists() else sorted(Path(f) for f in glob.glob(str(p), recursive=True))
    if not files:
        return {}
    meta = pq.read_schema(files[0]).metadata or {}
    out = {}
    for key in ("freq", "currency", "vintage"):
        v = meta.get(f"tradedep.{key}".encode())
        if v is not None:
            out[key] = v.decode()
    return out


def _stream(con: "duckdb.DuckDBPyConnection", sql: str, params: list[Any] | None = None) -> Any:
    """The query's rows as an Arrow record batch reader, batch by batch as DuckDB produces them
    (a relation's ``to_arrow_reader`` from DuckDB 2, ``fetch_record_batch`` in 1.x)."""
    rel = con.sql(sql, params=params)
    if hasattr(rel, "to_arrow_reader"):
        return rel.to_arrow_reader(BATCH_ROWS)
    return rel.fetch_arrow_reader(BATCH_ROWS)


def _periods(con: "duckdb.DuckDBPyConnection", relation: str, spec: SourceSpec, where: str | None) -> list[Any]:
    col = '"' + spec.columns["period"].replace('"', '""') + '"'
    filt = f" WHERE {where}" if where else ""
    return [r[0] for r in con.execute(f"SELECT DISTINCT {col} FROM {relation}{filt} ORDER BY 1").fetchall()]


def cubes(
    data: Any,
    columns: Mapping[str, str] | None = None,
    *,
    relation: str | None = None,
    where: str | None = None,
    per_period: bool = True,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | None = None,
    flow: str | None = None,
    freq: str | None = None,
    currency: str = _defaults.CURRENCY,
    vintage: str | None = None,
    unit: str | None = None,
    value_scale: float = _defaults.VALUE_SCALE,
    value_basis: str | None = None,
    country_coding: str = _defaults.COUNTRY_CODING,
) -> Iterator[Cube]:
    """The cube one period at a time (``per_period=True``) or whole: a generator of :class:`Cube`.

    Arguments as in :func:`cube`. Each cube is built, streamed into a TradeTable and handed over
    before the next query runs, so memory holds one period's cube.
    """
    con, rel = _connect(data, memory_limit, threads, temp_directory)
    if relation is not None:
        rel = relation if relation.lstrip().lower().startswith("read_") or " " not in relation.strip() else f"({relation})"
    if not rel:
        raise InvalidArgumentError("with a duckdb connection, pass relation= (a table or view name, or a SELECT)")
    mapping = dict(
        flow=flow, freq=freq, currency=currency, vintage=vintage, unit=unit, value_scale=value_scale,
        value_basis=value_basis, country_coding=country_coding,
    )
    spec = _spec(con, rel, data, columns, mapping)
    if not per_period:
        reader = _stream(con, map_sql(spec, rel, where))
        yield Cube.from_batches(reader, spec, ENGINE)
        return
    col = '"' + spec.columns["period"].replace('"', '""') + '"'
    for p in _periods(con, rel, spec, where):
        cond = f"{col} = ?" + (f" AND ({where})" if where else "")
        reader = _stream(con, map_sql(spec, rel, cond), [p])
        yield Cube.from_batches(reader, spec, ENGINE, chunk=p)


def cube(data: Any, columns: Mapping[str, str] | None = None, **kwargs: Any) -> Cube:
    """The whole import cube of a Parquet dataset, built by DuckDB, as a :class:`Cube` whose
    ``.table`` is a TradeTable (one row per source key, ``.n_rows`` source rows each).

    ``data``: a Parquet file, a folder (every ``*.parquet`` below it, hive partitions such as
    ``year=2021/`` read as columns), a glob, or a ``duckdb`` connection with ``relation=`` (a
    table, view or ``SELECT``). ``columns``: canonical column -> source column (default: the
    canonical columns of ``TradeTable.write_parquet``, whose frequency, currency and vintage are
    read from the file's metadata). ``where``: an SQL filter on source columns. ``memory_limit``
    (e.g. ``"1GB"``), ``threads`` and ``temp_directory`` (where DuckDB spills) are DuckDB settings. Mapping arguments (``flow``, ``freq``,
    ``vintage``, ``unit``, ``value_scale`` ...) as in ``td.read_parquet``.

        >>> baci = {"period": "t", "reporter": "i", "partner": "j", "product": "k", "value": "v", "quantity": "q"}
        >>> c = td.engines.duckdb.cube("baci_parquet/", baci, flow="export", vintage="HS2017",
        ...                            unit="t", value_scale=1000)           # doctest: +SKIP
        >>> c.source_rows, c.cube_rows                                       # doctest: +SKIP
    """
    kwargs["per_period"] = False
    (only,) = list(cubes(data, columns, **kwargs))
    return only


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def _chunked(by: list[str], per_period: bool | None) -> bool:
    """Period chunks are exact only when every result row lies in one period."""
    if per_period is None:
        return "period" in by
    if per_period and "period" not in by:
        raise InvalidArgumentError(
            f"per_period=True needs 'period' in by (got {by}): a result row over several periods would be split; "
            "pass per_period=False"
        )
    return per_period


_CUBE_ARGS = ("relation", "where", "memory_limit", "threads", "temp_directory", "flow", "freq", "currency", "vintage", "unit",
              "value_scale", "value_basis", "country_coding")


def _split(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    cube_args = {k: kwargs.pop(k) for k in list(kwargs) if k in _CUBE_ARGS}
    no_explain(kwargs)
    return cube_args, kwargs


def supplier_shares(
    data: Any,
    importer: Any,
    columns: Mapping[str, str] | None = None,
    *,
    by: str | Sequence[str] = "period",
    per_period: bool | None = None,
    **kwargs: Any,
) -> ArrowResult:
    """``td.supplier_shares`` on the cube DuckDB builds from ``source`` (arguments of :func:`cube`
    and of ``td.supplier_shares``: ``products=``, ``groups=``, ``source=`` ...). Period by period
    when ``by`` has ``"period"``.

        >>> td.engines.duckdb.supplier_shares("baci/", "RUS", baci, flow="export", source="mirror",
        ...     groups={"China+HK": ["CHN", "HKG"]}, vintage="HS2017")  # doctest: +SKIP
    """
    import tradedep as td

    cube_args, metric_args = _split(kwargs)
    b = _by_list(by)
    chunks = cubes(data, columns, per_period=_chunked(b, per_period), **cube_args)
    return finish(
        chunks,
        lambda t: td.supplier_shares(t, importer, by=b, explain=True, **metric_args),
        dict(engine=ENGINE, per_period=_chunked(b, per_period)),
    )


def concentration(
    data: Any,
    columns: Mapping[str, str] | None = None,
    *,
    by: str | Sequence[str] = ("period", "product"),
    per_period: bool | None = None,
    **kwargs: Any,
) -> ArrowResult:
    """``td.concentration`` on the cube DuckDB builds from ``source`` (arguments of :func:`cube`
    and of ``td.concentration``: ``importer=``, ``source=`` ...). Period by period when ``by`` has
    ``"period"``.

        >>> td.engines.duckdb.concentration("baci/", baci, flow="export", source="mirror",
        ...     by=["importer", "period", "product"], vintage="HS2017")  # doctest: +SKIP
    """
    import tradedep as td

    cube_args, metric_args = _split(kwargs)
    b = _by_list(by)
    chunks = cubes(data, columns, per_period=_chunked(b, per_period), **cube_args)
    return finish(
        chunks,
        lambda t: td.concentration(t, by=b, explain=True, **metric_args),
        dict(engine=ENGINE, per_period=_chunked(b, per_period)),
    )

