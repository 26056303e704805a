"""Python face of trade tables and result tables: Arrow, pandas and polars out, HTML in Jupyter."""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from tradedep import _defaults
from tradedep._arrow import arrow_table
from tradedep import _tradedep

# Schema-metadata keys of a result: its method mapping and its notes, as JSON.
METHOD_KEY = b"tradedep.method"
NOTES_KEY = b"tradedep.notes"

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow



class ArrowResult:
    """An Arrow table returned by a tradedep function.

    Hand it to pandas, polars, DuckDB or pyarrow without a copy (it implements the Arrow
    PyCapsule interface ``__arrow_c_stream__``)::

        >>> shares.to_pandas()          # doctest: +SKIP
        >>> duckdb.sql("select * from shares")  # doctest: +SKIP
    """

    def __init__(
        self,
        table: Any,
        title: str = "",
        notes: list[str] | None = None,
        method: Mapping[str, Any] | None = None,
    ) -> None:
        self.title = title
        self.notes: list[str] = list(notes or [])
        # The machine-readable account of how the numbers were made (source, cif_fob, products and
        # their conversion, coverage ...): what the notes say in words, as data.
        self.method: dict[str, Any] = dict(method or {})
        t = arrow_table(table)
        meta = dict(t.schema.metadata or {})
        meta[METHOD_KEY] = json.dumps(self.method, default=str).encode()
        meta[NOTES_KEY] = json.dumps(self.notes).encode()
        # Kept in the schema metadata too, so that pa.table(result) or a Parquet file keeps them.
        self._table = t.replace_schema_metadata(meta)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._table.__arrow_c_stream__(requested_schema)

    def to_arrow(self) -> "pyarrow.Table":
        """The result as a ``pyarrow.Table`` (zero-copy), with ``tradedep.method`` and
        ``tradedep.notes`` (JSON) in its schema metadata."""
        return self._table

    def to_pandas(self) -> "pandas.DataFrame":
        """The result as a ``pandas.DataFrame``."""
        return self.to_arrow().to_pandas()

    def to_polars(self) -> "polars.DataFrame":
        """The result as a ``polars.DataFrame`` (zero-copy where types allow)."""
        import polars as pl

        return pl.DataFrame(self)

    @property
    def num_rows(self) -> int:
        return int(self.to_arrow().num_rows)

    @property
    def column_names(self) -> list[str]:
        return list(self.to_arrow().column_names)

    def __len__(self) -> int:
        return self.num_rows

    def __repr__(self) -> str:
        t = self.to_arrow()
        head = t.slice(0, 10).to_pylist()
        lines = [f"{self.title or 'tradedep result'}: {t.num_rows} rows x {t.num_columns} columns"]
        lines.append("  " + " | ".join(t.column_names))
        for row in head:
            lines.append("  " + " | ".join(_fmt(v) for v in row.values()))
        if t.num_rows > 10:
            lines.append(f"  ... {t.num_rows - 10} more rows")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _html_table(self.to_arrow(), self.title, self.notes, method=self.method)


class TradeTable:
    """Trade records in the canonical schema (period, reporter, partner, flow, product, value, ...).

    Build one with a reader (``td.read_baci``, ``td.read_comtrade``, ``td.read_comext``) or from
    any Arrow-compatible object with :meth:`from_arrow`. The table is Arrow underneath: pass it to
    ``pyarrow.table``, ``polars.DataFrame`` or DuckDB without a copy.

        >>> import tradedep as td
        >>> t = td.demo_table()            # doctest: +SKIP
        >>> t.num_rows                     # doctest: +SKIP
    """

    def __init__(self, inner: Any) -> None:
        if not isinstance(inner, _tradedep.TradeTable):
            raise _tradedep.InvalidArgumentError("use td.TradeTable.from_arrow(obj, columns=...) or a reader")
        self._inner = inner

    # --- construction and output (io) -----------------------------------------------------------
    @classmethod
    def from_arrow(
        cls,
        obj: Any,
        columns: dict[str, str],
        *,
        flow: str | None = None,
        freq: str | None = None,
        currency: str = _defaults.CURRENCY,
        vintage: str | None = None,
        unit: str | None = None,
        value_scale: float = _defaults.VALUE_SCALE,
        value_basis: str | None = None,
        country_coding: str = _defaults.COUNTRY_CODING,
        on_unknown_country: str = _defaults.ON_UNKNOWN_COUNTRY,
        source: str | None = None,
        importers: Any = None,
    ) -> "TradeTable":
        """Trade records from a pandas, polars or pyarrow table through a column mapping.

            >>> df = pd.DataFrame({"year": [2021], "exporter": ["CHN"], "importer": ["RUS"],
            ...                    "hs6": ["854231"], "usd": [1.5e6]})       # doctest: +SKIP
            >>> td.TradeTable.from_arrow(df, columns={"period": "year", "reporter": "exporter",
            ...     "partner": "importer", "product": "hs6", "value": "usd"},
            ...     flow="export", vintage="HS2017")                           # doctest: +SKIP

        See ``td.read_csv`` for every mapping argument.
        """
        from tradedep._io import _from_arrow, _mapping

        mapping = _mapping(
            columns, flow, freq, currency, vintage, unit, value_scale, value_basis, country_coding, on_unknown_country,
            source, importers,
        )
        return _from_arrow(obj, mapping)

    def write_parquet(self, path: Any) -> None:
        """Write the records to Parquet (zstd) with their metadata (frequency, currency,
        vintage); ``td.read_parquet(path)`` reads them back unchanged."""
        _tradedep._write_parquet(self._inner, str(path))

    # --- Arrow, pandas, polars -------------------------------------------------------------
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._inner.__arrow_c_stream__(requested_schema)

    def to_arrow(self) -> "pyarrow.Table":
        """The records as a ``pyarrow.Table`` (zero-copy).

        Dictionary columns (``product``, ``flow`` ...) may carry one dictionary per batch;
        pandas, polars and DuckDB handle that, pyarrow's own ``group_by`` wants
        ``table.unify_dictionaries()`` first.
        """
        return arrow_table(self._inner._arrow_table())

    def to_pandas(self) -> "pandas.DataFrame":
        """The records as a ``pandas.DataFrame``."""
        return self.to_arrow().to_pandas()

    def to_polars(self) -> "polars.DataFrame":
        """The records as a ``polars.DataFrame``."""
        import polars as pl

        return pl.DataFrame(self)

    # --- facts ------------------------------------------------------------------------------
    @property
    def num_rows(self) -> int:
        """Number of trade records."""
        return int(self._inner.num_rows)

    def __len__(self) -> int:
        return self.num_rows

    @property
    def report(self) -> dict[str, Any]:
        """What the reader did: ``rows_read``, ``rows_kept``, ``set_aside`` (reason -> rows), ``notes``."""
        return dict(self._inner.report)

    @property
    def report_text(self) -> str:
        """What the reader did, as readable text (rows read and kept, rows set aside and why,
        notes).

            >>> import tradedep as td
            >>> "rows" in td.demo_table().report_text
            True
        """
        return str(self._inner.report_text)

    @property
    def currency(self) -> str:
        """Currency of ``value`` (USD for BACI and Comtrade, EUR for Comext)."""
        return str(self._inner.currency)

    @property
    def freq(self) -> str:
        """``"A"`` (period is YYYY) or ``"M"`` (period is YYYYMM)."""
        return str(self._inner.freq)

    @property
    def vintage(self) -> str | None:
        """Nomenclature of ``product`` (e.g. ``HS2017``, ``CN2022``), if known."""
        v = self._inner.vintage
        return None if v is None else str(v)

    @property
    def importers_read(self) -> list[str] | None:
        """The importers (ISO3 codes) a restricted read kept (``td.read_baci(path,
        importers=["RUS"])``): the table holds only flows into them, and metrics refuse other
        importers and exporters' world totals. ``None`` for a table of every importer.

            >>> td.demo_table().importers_read is None
            True
        """
        read = self._inner.importers_read
        return None if read is None else [str(c) for c in read]

    @property
    def vintages(self) -> dict[int, str]:
        """``{year: vintage}`` of a table whose codes change nomenclature with the period (a
        2020-2022 Comext file: each year in its own CN); ``{}`` when ``vintage`` holds for all.

            >>> td.read_comext("comext_2020_2022.csv").vintages  # doctest: +SKIP
            {2020: 'CN2020', 2021: 'CN2021', 2022: 'CN2022'}
        """
        return {int(y): str(v) for y, v in self._inner.period_vintages}

    def with_vintage(self, vintage: "str | Mapping[int, str]") -> "TradeTable":
        """The same rows with another declared vintage: one for every period (``"CN2022"``) or
        one per year (``{2021: "CN2021", 2022: "CN2022"}``, every year of the table named).
        Classification and product selection then read each period's codes in its vintage.

            >>> t = t.with_vintage({2021: "CN2021", 2022: "CN2022"})  # doctest: +SKIP
        """
        import pyarrow.compute as pc

        from tradedep._tradedep import InvalidArgumentError

        period = self.to_arrow()["period"]
        years = sorted({int(p) // 100 if self.freq == "M" else int(p) for p in pc.unique(period).to_pylist()})
        if isinstance(vintage, str):
            given = {y: vintage for y in years} or {0: vintage}
        else:
            try:
                given = {int(k): str(v) for k, v in dict(vintage).items()}
            except (TypeError, ValueError) as e:
                raise InvalidArgumentError(f"vintage={vintage!r}: give a vintage or a dict year -> vintage") from e
            missing = [y for y in years if y not in given]
            if missing:
                raise InvalidArgumentError(
                    f"vintage={vintage!r} names no vintage for {missing}; the table's years are {years}"
                )
        return TradeTable(self._inner.with_period_vintages(sorted(given.items())))

    def filter(
        self,
        *,
        reporter: Any = None,
        partner: Any = None,
        flow: str | list[str] | None = None,
        product: str | list[str] | None = None,
        period_from: str | int | None = None,
        period_to: str | int | None = None,
    ) -> "TradeTable":
        """Rows matching every condition given. Countries may be codes, ISO codes, names or groups;
        products are codes or prefixes (``"8542"`` keeps every IC).

            >>> t.filter(reporter="RUS", flow="import", product=["8542", "850760"])  # doctest: +SKIP
        """
        from tradedep._countries_py import resolve_codes

        def _list(x: Any) -> list[str] | None:
            if x is None:
                return None
            return [x] if isinstance(x, str) else list(x)

        return TradeTable(
            self._inner._filter(
                reporters=resolve_codes(reporter),
                partners=resolve_codes(partner),
                flows=_list(flow),
                products=_list(product),
                period_from=None if period_from is None else str(period_from),
                period_to=None if period_to is None else str(period_to),
            )
        )

    def to_currency(self, currency: str, rates: Any = None) -> "TradeTable":
        """The table with its values in ``currency`` (``"USD"``, ``"EUR"`` ...), one rate per period.

        ``rates=None``: ECB reference rates (needs ``pip install tradedep[currency]``): a monthly
        table is converted at each month's average rate, an annual table at each year's average
        (means of the ECB's business-day rates). Or pass your own: a mapping ``{period: rate}``
        (``{"2023-05": 1.087}``, ``{2023: 1.081}``) or a table with columns ``period`` and ``rate``,
        in units of ``currency`` per unit of the table's currency. A period without a rate is an
        error. The rates' source and averaging go into ``report["notes"]``. Tables in one
        currency can then be combined with ``td.concat``.

            >>> eu = td.read_comext("full202305.dat")                         # doctest: +SKIP
            >>> td.concat([eu.to_currency("USD"), comtrade])                   # doctest: +SKIP
        """
        from tradedep._currency import to_currency

        return to_currency(self, currency, rates)

    def __repr__(self) -> str:
        r = self.report
        restriction = self._inner.restriction
        return (
            f"TradeTable({self.num_rows} rows, freq={self.freq}, currency={self.currency}, "
            f"vintage={self.vintage}; read {r['rows_read']}, set aside {r['rows_set_aside']}"
            + ("" if restriction is None else f"; {restriction}")
            + ")"
        )

    def _repr_html_(self) -> str:
        t = self.to_arrow()
        r = self.report
        notes = [f"read {r['rows_read']} rows, kept {r['rows_kept']}"]
        notes += [f"set aside {n}: {reason}" for reason, n in r["set_aside"].items()]
        notes += list(r["notes"])
        restriction = self._inner.restriction
        limited = "" if restriction is None else f", {restriction}"
        title = f"TradeTable ({self.freq}, {self.currency}, {self.vintage or 'vintage unknown'}{limited})"
        return _html_table(t, title, notes)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def _html_table(
    t: "pyarrow.Table", title: str, notes: list[str], limit: int = 20, method: Mapping[str, Any] | None = None
) -> str:
    from tradedep._display import html_table

    return html_table(t, title, notes, limit, method)


def demo_table() -> TradeTable:
    """A small SYNTHETIC table (monthly imports of Russia and Ukraine from eight suppliers,
    2021-2023, six HS2022 products, USD with quantities) for trying tradedep without data.

    The numbers are made up and must never be cited.

        >>> import tradedep as td
        >>> td.demo_table().freq
        'M'
    """
    return TradeTable(_tradedep.demo_table())


def concat(tables: Iterable[TradeTable]) -> TradeTable:
    """Append trade tables into one (the Arrow batches are shared, not copied).

    The tables must have the same frequency, currency and vintage: combining a Comext table
    (EUR) with a Comtrade or BACI one (USD), annual with monthly data, or HS2017 with HS2022
    codes raises ``InvalidArgumentError`` naming both sides, since summing them would be
    wrong. The reports of the tables are merged.

        >>> import tradedep as td
        >>> t = td.demo_table()
        >>> td.concat([t, t]).num_rows == 2 * t.num_rows
        True
    """
    inners = []
    for t in tables:
        if not isinstance(t, TradeTable):
            raise _tradedep.InvalidArgumentError(f"concat takes TradeTable objects, got {type(t).__name__}")
        inners.append(t._inner)
    return TradeTable(_tradedep.concat(inners))
