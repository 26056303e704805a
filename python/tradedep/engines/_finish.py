"""The finish: a merged cube becomes a TradeTable, the ordinary metric runs on it, and the result's
``n_rows`` counts source rows again.

A cube row stands for ``n_rows`` source rows, so a metric run on the cube counts cube rows. The
metric is therefore run with ``explain=True``: its ``rows`` column lists the cube rows behind each
result row, and ``n_rows`` becomes the sum of their source-row counts (exact: every source row is
in exactly one cube row). The ``rows`` column (cube row numbers, meaningless for the source) is
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from tradedep._table import ArrowResult, TradeTable
from tradedep._tradedep import InvalidArgumentError, InvalidDataError
from tradedep.engines._cube import DERIVED_KEYS, KEYS, SUMS, SourceSpec

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa


@dataclass
class Cube:
    """A merged import cube as a trade table, with the number of source rows behind each row.

    ``table``: the cube's kept rows as a :class:`~tradedep.TradeTable` (one row per key; any metric
    accepts it, see docs/methods/engines.md for what differs). ``n_rows``: source rows per table
    row (numpy int64, aligned with ``table``). ``source_rows``: rows that went into the cube,
    ``set_aside``: of those, rows left out of the table by reason (partner World, no value).

        >>> c = td.engines.duckdb.cube("panel/", columns=BACI, flow="export")  # doctest: +SKIP
        >>> td.concentration(c.table)                                           # doctest: +SKIP
    """

    table: TradeTable
    n_rows: "np.ndarray"
    engine: str
    source_rows: int
    set_aside: dict[str, int] = field(default_factory=dict)
    chunk: Any = None

    def supplier_shares(self, importer: Any, *, by: str | Sequence[str] = "period", **kwargs: Any) -> ArrowResult:
        """``td.supplier_shares`` on this cube (``n_rows`` counting source rows, the engine in
        ``method``); arguments as there, except ``explain``.

            >>> c.supplier_shares("RUS", groups={"China+HK": ["CHN", "HKG"]}, source="mirror")  # doctest: +SKIP
        """
        import tradedep as td

        no_explain(kwargs)
        return finish([self], lambda t: td.supplier_shares(t, importer, by=by, explain=True, **kwargs), self._engine())

    def concentration(self, by: str | Sequence[str] = ("period", "product"), **kwargs: Any) -> ArrowResult:
        """``td.concentration`` on this cube (``n_rows`` counting source rows, the engine in
        ``method``); arguments as there, except ``explain``.

            >>> c.concentration(by=["importer", "period", "product"], source="auto")  # doctest: +SKIP
        """
        import tradedep as td

        no_explain(kwargs)
        return finish([self], lambda t: td.concentration(t, by=by, explain=True, **kwargs), self._engine())

    def _engine(self) -> dict[str, Any]:
        return dict(engine=self.engine, per_period=False)

    @property
    def cube_rows(self) -> int:
        return self.table.num_rows

    def method(self) -> dict[str, Any]:
        """What the engine did, for a result's ``method`` mapping."""
        return dict(engine=self.engine, source_rows=self.source_rows, cube_rows=self.cube_rows, set_aside=self.set_aside)

    @classmethod
    def from_batches(cls, batches: Iterable["pa.RecordBatch"], spec: SourceSpec, engine: str, chunk: Any = None) -> "Cube":
        """Builds the cube from merged cube batches (columns ``KEYS + SUMS``), streaming them into
        ``TradeTable.from_arrow``; set-aside rows are counted and left out."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        counts: list[np.ndarray] = []
        set_aside: dict[str, int] = {}
        source_rows = 0
        table_columns = [c for c in spec.mapping()["columns"]]
        out_schema: pa.Schema | None = None

        def kept() -> Iterator[pa.RecordBatch]:
            nonlocal source_rows, out_schema
            for b in batches:
                n = b.column("n_rows").to_numpy(zero_copy_only=False).astype(np.int64)
                source_rows += int(n.sum())
                reason = b.column("set_aside")
                if reason.null_count < len(reason):
                    grouped = pa.table({"r": reason, "n": n}).group_by("r").aggregate([("n", "sum")])
                    for r, s in zip(grouped.column("r").to_pylist(), grouped.column("n_sum").to_pylist()):
                        if r is not None:
                            set_aside[r] = set_aside.get(r, 0) + int(s)
                    mask = pc.is_null(reason)
                    b = b.filter(mask)
                    n = n[mask.to_numpy(zero_copy_only=False)]
                counts.append(n)
                out = b.select(table_columns)
                out_schema = out.schema
                yield out

        # The first batch gives the schema the stream declares.
        it = iter(kept())
        first = next(it, None)
        if first is None:
            raise InvalidDataError(f"the {engine} cube is empty: the source has no rows (check the path and filters)")

        def chained() -> Iterator[pa.RecordBatch]:
            yield first
            yield from it

        reader = pa.RecordBatchReader.from_batches(first.schema, chained())
        table = TradeTable.from_arrow(reader, **spec.mapping())
        n_rows = np.concatenate(counts) if counts else np.zeros(0, np.int64)
        if table.num_rows != len(n_rows):
            raise InvalidDataError(
                f"the {engine} cube has {len(n_rows)} rows the reader should keep but the trade table has "
                f"{table.num_rows}: rows were set aside for a reason the cube does not know "
                "(use on_unknown_country='error', or clean the source first)"
            )
        return cls(table, n_rows, engine, source_rows, set_aside, chunk)


def no_explain(kwargs: dict[str, Any]) -> None:
    if "explain" in kwargs:
        raise InvalidArgumentError(
            "explain is not offered on an engine's cube: its row numbers would be cube rows, not source rows"
        )


def source_row_counts(result: "pa.Table", n_rows: "np.ndarray") -> "pa.Table":
    """``result`` (a metric run with ``explain=True`` on a cube) with ``n_rows`` = the source rows
    of the cube rows its ``rows`` column lists, and without ``rows``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = result.column("rows").combine_chunks()
    flat = pc.list_flatten(rows).to_numpy(zero_copy_only=False).astype(np.int64)
    parents = pc.list_parent_indices(rows).to_numpy(zero_copy_only=False)
    # Integer sums (float weights would be exact below 2^53 too, but this says it).
    total = np.zeros(result.num_rows, np.int64)
    np.add.at(total, parents, n_rows[flat])
    i = result.column_names.index("n_rows")
    out = result.set_column(i, pa.field("n_rows", pa.uint64(), nullable=False), pa.array(total.astype(np.uint64)))
    return out.drop_columns(["rows"])


def finish(
    cubes: Iterable[Cube],
    metric: Callable[[TradeTable], ArrowResult],
    engine_method: dict[str, Any],
) -> ArrowResult:
    """Runs ``metric`` (called with ``explain=True`` inside) on each cube in turn and concatenates
    the results; ``method`` gets the metric's own mapping plus the engine's account."""
    import pyarrow as pa

    parts: list[pa.Table] = []
    # The metric's title, notes and method (the same for every chunk), not its table.
    last: tuple[str, list[str], dict[str, Any]] | None = None
    source_rows = cube_rows = chunks = 0
    set_aside: dict[str, int] = {}
    accounts: list[tuple[list[str], dict[str, Any]]] = []
    for cube in cubes:
        res = metric(cube.table)
        parts.append(source_row_counts(res.to_arrow(), cube.n_rows))
        last = (res.title, res.notes, res.method)
        accounts.append((res.notes, res.method))
        source_rows += cube.source_rows
        cube_rows += cube.cube_rows
        chunks += 1
        for k, v in cube.set_aside.items():
            set_aside[k] = set_aside.get(k, 0) + v
        del cube, res
        # Hand the chunk's buffers back before the next chunk is built (Arrow's pool keeps them).
        pa.default_memory_pool().release_unused()
    if last is None:
        raise InvalidArgumentError("no cube to finish: the source selected no periods (check the path and `where`)")
    schema = parts[0].schema.remove_metadata()
    table = pa.concat_tables([p.replace_schema_metadata(None).cast(schema) for p in parts])
    title = last[0]
    metric_notes, metric_method = merge_accounts(accounts)
    method = dict(metric_method)
    method.update(engine_method)
    method.update(source_rows=source_rows, cube_rows=cube_rows, chunks=chunks, set_aside=set_aside)
    method["n_rows"] = "source rows behind each result row (summed from the cube)"
    notes = list(metric_notes)
    notes.append(
        f"cube built by {engine_method['engine']} from {source_rows} source rows "
        f"({cube_rows} cube rows, {chunks} chunk(s)); n_rows counts source rows"
    )
    if set_aside:
        notes.append("set aside: " + ", ".join(f"{n} rows: {r}" for r, n in sorted(set_aside.items())))
    return ArrowResult(table, title, notes, method)


CUBE_COLUMNS = KEYS + SUMS
__all__ = ["Cube", "finish", "no_explain", "source_row_counts", "CUBE_COLUMNS", "DERIVED_KEYS"]


def merge_accounts(accounts: list[tuple[list[str], dict[str, Any]]]) -> tuple[list[str], dict[str, Any]]:
    """The metric's notes and method over every chunk, not the last chunk's: counts and values
    summed, reporters and countries united, codes absent only where absent from every chunk, the
    quantity share weighted by value. ``records`` counts the engine's table rows (cube rows)."""
    methods = [m for _, m in accounts]
    if len(methods) == 1:
        return list(accounts[0][0]), dict(methods[0])
    merged: dict[str, Any] = {}
    totals = [sum((m.get("value") or {}).values()) for m in methods]
    for key in dict.fromkeys(k for m in methods for k in m):
        vals = [m.get(key) for m in methods if key in m]
        if all(v == vals[0] for v in vals):
            merged[key] = vals[0]
        elif key in ("records", "value") and all(isinstance(v, dict) for v in vals):
            merged[key] = {k: sum(v.get(k, 0) for v in vals) for k in dict.fromkeys(k for v in vals for k in v)}
        elif key == "quantity_share":
            pairs = [(q, t) for q, t in zip((m.get(key) for m in methods), totals) if q is not None]
            weight = sum(t for _, t in pairs)
            merged[key] = sum(q * t for q, t in pairs) / weight if weight > 0 else None
        elif key == "products_absent":
            merged[key] = [c for c in vals[0] if all(c in v for v in vals)]
        elif all(isinstance(v, list) for v in vals):
            merged[key] = list(dict.fromkeys(x for v in vals for x in v))
        elif all(isinstance(v, dict) for v in vals) and all(
            isinstance(x, list) for v in vals for x in v.values()
        ):
            merged[key] = {k: list(dict.fromkeys(x for v in vals for x in v.get(k, []))) for k in vals[0]}
        else:
            merged[key] = {"per_chunk": vals}
    merged["records_counted"] = "cube rows (the engine's table), summed over chunks; source_rows counts source rows"
    # Sentences built from the merged facts, in place of each chunk's own.
    rebuilt: dict[str, str] = {}
    if isinstance(merged.get("records"), dict) and isinstance(merged.get("reporters"), dict):
        from tradedep._method import coverage_sentences, source_sentence

        n_rep, n_mir = merged["records"].get("reported", 0), merged["records"].get("mirror", 0)
        rep = merged["reporters"]
        coverage = coverage_sentences(n_rep, n_mir, rep.get("importers", []), rep.get("exporters", []))
        if "coverage" in merged:
            merged["coverage"] = coverage
        for c in coverage:
            rebuilt[c.split(":")[0]] = c
        if isinstance(merged.get("source"), str) and isinstance(merged.get("cif_fob"), float):
            rebuilt["source"] = source_sentence(merged["source"], n_rep, n_mir, merged["cif_fob"])
    # Notes common to every chunk as they are; the quantity line from the merged share; other
    # lines that differ between chunks kept once each, marked per chunk.
    notes: list[str] = []
    for line in dict.fromkeys(n for ns, _ in accounts for n in ns):
        head = line.split(":")[0] if ":" in line else None
        if head == "source" and "source" in rebuilt:
            if rebuilt["source"] not in notes:
                notes.append(rebuilt["source"])
        elif head in rebuilt:  # the coverage sentences together, in their own order
            notes.extend(c for k, c in rebuilt.items() if k != "source" and c not in notes)
        elif all(line in ns for ns, _ in accounts):
            notes.append(line)
        elif line.startswith("quantities known for"):
            if merged.get("quantity_share") is not None and not any(n.startswith("quantities known for") for n in notes):
                notes.append(f"quantities known for {100 * merged['quantity_share']:.1f}% of the value")
        else:
            notes.append(f"(in some chunks) {line}")
    return notes, merged
