"""The import cube's partial aggregate, defined once for every engine.

Map (any engine, any partition of the rows): group the trade rows by the key columns *as written
in the source* (period, reporter, partner, flow, product, value_basis, quantity_unit, estimated)
and two derived keys, and sum ``value``, ``quantity`` and the number of rows ``n_rows``. Merge:
group the partial cubes by the same keys and sum the same three columns — exact, whatever the
partitioning (up to the order of floating-point additions).

The derived keys keep the finish exact:

- ``quantity_known``: rows without a quantity are never summed with rows that have one, so "every
  row had a quantity" (what the metrics require to report one) is decided as on the rows;
- ``set_aside``: the reason ``TradeTable.from_arrow`` would set the row aside (partner World, no
  value), so these rows are counted but never reach the table, and the kept cube rows are the rows
  of the cube's TradeTable one for one.

Keys are grouped as written (codes not yet converted), so converting a cube row converts each of
its source rows the same way. The cube is a valid trade table: the finish is the ordinary metric
run on it, with ``n_rows`` put back from the cube (see :mod:`tradedep.engines._finish`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from tradedep import _defaults
from tradedep._tradedep import InvalidArgumentError

if TYPE_CHECKING:
    import pyarrow as pa

# Key columns taken from the source (canonical names; absent optional ones become NULL / false).
SOURCE_KEYS: tuple[str, ...] = (
    "period",
    "reporter",
    "partner",
    "flow",
    "product",
    "value_basis",
    "quantity_unit",
    "estimated",
)
# Keys derived from a row (see the module docs).
DERIVED_KEYS: tuple[str, ...] = ("quantity_known", "set_aside")
KEYS: tuple[str, ...] = SOURCE_KEYS + DERIVED_KEYS
# Summed columns; n_rows is the number of source rows (1 per row in the map step).
SUMS: tuple[str, ...] = ("value", "quantity", "n_rows")

REQUIRED = ("period", "reporter", "partner", "product", "value")
OPTIONAL = ("flow", "value_basis", "quantity", "quantity_unit", "estimated")
# The reasons TradeTable.from_arrow sets rows aside under (src/io/arrow_input.rs), same words.
REASON_WORLD = "partner is World (a total, not a partner)"
REASON_NO_VALUE = "value missing"


@dataclass(frozen=True)
class SourceSpec:
    """Where the canonical columns are in the source, and the mapping arguments of
    ``TradeTable.from_arrow`` that turn a cube into a trade table.

    ``columns``: canonical name -> source column (default: the canonical names, as written by
    ``TradeTable.write_parquet``). Other arguments as in ``td.read_parquet``.
    """

    columns: Mapping[str, str]
    flow: str | None = None
    freq: str | None = None
    currency: str = _defaults.CURRENCY
    vintage: str | None = None
    unit: str | None = None
    value_scale: float = _defaults.VALUE_SCALE
    value_basis: str | None = None
    country_coding: str = _defaults.COUNTRY_CODING
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in REQUIRED if c not in self.columns]
        if "flow" not in self.columns and self.flow is None:
            missing.append("flow")
        if missing:
            raise InvalidArgumentError(
                f"the column mapping lacks {missing}; map them with columns={{canonical: source}} "
                "(or pass flow='import'/'export' when every row has the same flow)"
            )
        unknown = sorted(set(self.columns) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise InvalidArgumentError(
                f"columns {unknown} are not canonical columns the cube keeps; use {list(REQUIRED + OPTIONAL)} "
                "(net_weight_kg is not summed: no metric reads it)"
            )

    def select_sql(self, quote: str = '"') -> list[str]:
        """The map step's projection: one SQL expression per key and summed column, named as in
        the cube. Plain SQL that DuckDB and Spark SQL both run."""

        def col(c: str) -> str:
            return quote + self.columns[c].replace(quote, quote * 2) + quote

        out = []
        for k in SOURCE_KEYS:
            if k in self.columns:
                out.append(f"{col(k)} AS {k}")
            elif k == "estimated":
                out.append("FALSE AS estimated")
            else:
                out.append(f"CAST(NULL AS STRING) AS {k}" if quote == "`" else f"CAST(NULL AS VARCHAR) AS {k}")
        qty = col("quantity") if "quantity" in self.columns else "CAST(NULL AS DOUBLE)"
        out.append(f"({qty} IS NOT NULL) AS quantity_known")
        partner = col("partner")
        text = "STRING" if quote == "`" else "VARCHAR"
        numeric_world = (
            f"TRY_CAST({partner} AS DOUBLE) = 0 OR " if self.country_coding in ("auto", "numeric") else ""
        )
        out.append(
            f"CASE WHEN {col('value')} IS NULL THEN '{REASON_NO_VALUE}' "
            f"WHEN {numeric_world}lower(trim(CAST({partner} AS {text}))) IN ('world', 'wld', 'w00') "
            f"THEN '{REASON_WORLD}' END AS set_aside"
        )
        out.append(f"CAST({col('value')} AS DOUBLE) AS value")
        out.append(f"CAST({qty} AS DOUBLE) AS quantity")
        return out

    def mapping(self) -> dict[str, Any]:
        """Arguments of ``TradeTable.from_arrow`` for a cube (its columns have canonical names)."""
        cols = {c: c for c in self.columns}
        return dict(
            columns=cols,
            flow=self.flow,
            freq=self.freq,
            currency=self.currency,
            vintage=self.vintage,
            unit=self.unit,
            value_scale=self.value_scale,
            value_basis=self.value_basis,
            country_coding=self.country_coding,
        )


CANONICAL_COLUMNS: dict[str, str] = {c: c for c in REQUIRED + OPTIONAL}


def map_sql(spec: SourceSpec, relation: str, where: str | None = None, quote: str = '"') -> str:
    """The map step as one SQL query over ``relation`` (a table, view or ``read_parquet(...)``)."""
    sums = "SUM(value) AS value, SUM(quantity) AS quantity, COUNT(*) AS n_rows"
    keys = ", ".join(KEYS)
    filt = f" WHERE {where}" if where else ""
    return (
        f"SELECT {keys}, {sums} FROM (SELECT {', '.join(spec.select_sql(quote))} FROM {relation}{filt}) "
        f"GROUP BY {keys}"
    )


def merge_sql(relation: str) -> str:
    """The merge step as SQL: partial cubes (any number, any partitioning) summed by key."""
    keys = ", ".join(KEYS)
    return (
        f"SELECT {keys}, SUM(value) AS value, SUM(quantity) AS quantity, SUM(n_rows) AS n_rows "
        f"FROM {relation} GROUP BY {keys}"
    )


def merge_arrow(partials: "pa.Table") -> "pa.Table":
    """The merge step in pyarrow (``Table.group_by``): the same sums as :func:`merge_sql`.

    Input rows are mapped rows (``n_rows`` 1 each) or partial cubes; a group's quantity is null
    when every quantity in it is null (``min_count=1``), as SQL's SUM.
    """
    import pyarrow as pa

    agg = partials.group_by(list(KEYS), use_threads=False).aggregate(
        [("value", "sum"), ("quantity", "sum"), ("n_rows", "sum")]
    )
    agg = agg.rename_columns([c.removesuffix("_sum") for c in agg.column_names]).select(list(KEYS + SUMS))
    return agg.set_column(len(KEYS) + 2, "n_rows", agg.column("n_rows").cast(pa.int64()))
