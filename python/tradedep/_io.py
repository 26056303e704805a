"""Readers and writers: BACI, generic CSV/Parquet with a column mapping, Arrow input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from tradedep import _args, _defaults
from tradedep import _progress, _tradedep
from tradedep._tradedep import InvalidArgumentError
from tradedep._table import TradeTable

__all__: list[str] = ["read_baci", "read_csv", "read_parquet"]

def _size(path: Any) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def read_baci(
    path: str | os.PathLike[str],
    vintage: str | None = None,
    years: int | Iterable[int] | None = None,
    progress: bool | None = None,
    on_unknown_country: str = _defaults.ON_UNKNOWN_COUNTRY,
    importers: Any = None,
) -> TradeTable:
    """Read a CEPII BACI file: ``.csv``, ``.csv.gz`` or the ``.zip`` archive CEPII ships.

    Values become USD (BACI's thousands x 1000, FOB), quantities metric tons (unit ``t``,
    null where BACI writes ``NA``), products 6-digit strings (``10121`` -> ``"010121"``),
    reporter = exporter ``i``, partner = importer ``j``, flow ``export``.

    A plain ``.csv`` is memory-mapped a window at a time rather than copied (faster); a file
    truncated by another program while it is read raises ``FileFormatError`` ("the file changed
    while it was read"). Set ``TRADEDEP_NO_MMAP=1`` to read it through buffers instead.

    Args:
        path: the file. Its name gives the HS vintage (``BACI_HS17_Y2021_V202401.csv``,
            ``baci_hs92_...``); otherwise pass ``vintage``.
        vintage: ``"HS2017"``, ``"HS17"``, ``"H5"`` ...; must agree with the file name.
        years: a year or years to keep (archive members of other years are not read).
        progress: show a progress bar (tqdm) once the read takes over a second; default
            ``td.options.progress``.
        on_unknown_country: ``"error"`` (default) or ``"set_aside"`` for country codes the
            country table does not know; set-aside rows are counted in ``table.report``.
        importers: read only the flows into these importers (codes, ISO3 codes, names or a
            group such as ``"EU27"``: its members of any year); the rest of the file is
            scanned but not kept, so a question about Russia's imports reads a world year in
            a fraction of the time and memory. Rows of other importers are counted in
            ``table.report`` under "importer not requested" (their year, exporter and importer
            are checked; a bad product, value or quantity there goes unnoticed). The table
            remembers it (``table.importers_read``, and a note in every result): metrics
            refuse other importers, RCA, complexity and re-routing (they need exports to every
            destination), and the dependency flags' world criteria are null with that reason.

    Raises:
        FileFormatError: wrong header or delimiter, truncated or empty file, invalid UTF-8.
        ParseError: text in a number column (the message names file, line, column, value).
        InvalidDataError: negative values, mixed vintages, vintage argument disagreeing.
        UnknownCountryError: a country code unknown to tradedep (see ``on_unknown_country``).

    Example::

        >>> import tradedep as td
        >>> t = td.read_baci("BACI_HS17_Y2021_V202401.csv")   # doctest: +SKIP
        >>> t.num_rows, t.vintage                                # doctest: +SKIP
        (11234567, 'HS2017')
        >>> print(t.report_text)                                 # doctest: +SKIP
        >>> rus = td.read_baci("BACI_HS17_Y2021_V202401.csv", importers=["RUS"])  # doctest: +SKIP
        >>> td.supplier_shares(rus, importer="RUS", by="year")                     # doctest: +SKIP
    """
    p = Path(path)
    importer_codes = None if importers is None else _resolve_importers(importers)
    if years is None:
        year_list = None
    elif isinstance(years, int):
        year_list = [years]
    else:
        year_list = [int(y) for y in years]
    with _progress.task(f"reading {p.name}", _size(p), enabled=progress) as bar:
        inner = _tradedep._read_baci(
            str(p), vintage=vintage, years=year_list, on_unknown_country=on_unknown_country, progress=bar.callback,
            importers=importer_codes,
        )
    return TradeTable(inner)


def _resolve_importers(importers: Any) -> list[int]:
    """``importers=`` of a read -> numeric codes (groups: their members of any year)."""
    from tradedep._countries_py import resolve_codes

    codes = resolve_codes(_args.countries("importers", importers))
    if not codes:
        raise InvalidArgumentError(f"invalid argument: importers={importers!r} names no country")
    return codes


_MAPPING_DOC = """
    Mapping arguments (shared by ``TradeTable.from_arrow``, ``read_csv`` and ``read_parquet``):
        columns: canonical column -> your column, e.g. ``{"period": "year", "reporter": "iso3_o",
            "partner": "iso3_d", "product": "hs6", "value": "usd"}``. Required: period, reporter,
            partner, product, value (and flow unless ``flow=`` is given). Optional: flow,
            value_basis, quantity, quantity_unit, net_weight_kg, estimated.
        flow: flow of every row (``"import"``, ``"export"``, ``"M"``, ``"X"`` ...).
        freq: ``"A"`` or ``"M"``; inferred from the first period when omitted.
        currency: ISO code of the values (default USD).
        vintage: nomenclature of the product codes (``"HS2017"``, ``"CN2022"`` ...), checked.
        unit: unit of every quantity when there is no quantity_unit column (``"kg"``, ``"t"`` ...).
        value_scale: multiplies every value (1000 for thousands).
        value_basis: ``"CIF"`` or ``"FOB"`` for every row.
        country_coding: ``"auto"`` (numbers are Comtrade codes, text ISO codes or names),
            ``"numeric"``, ``"iso3"`` or ``"iso2"``.
        on_unknown_country: ``"error"`` or ``"set_aside"``.
        importers: keep the rows whose importer (the reporter of an import, the partner of an
            export) is one of these (codes, ISO3 codes, names or a group such as ``"EU27"``);
            the others are counted in ``table.report`` under "importer not requested", and the
            table is limited to them as with ``td.read_baci(importers=...)``: metrics refuse
            other importers and exporters' world totals.

    Product codes written as integers (or digit strings of odd length) get back their leading
    zero (``10121`` -> ``"010121"``); rows with partner World are set aside; rows without a value
    are set aside; everything set aside is counted in ``table.report``.
"""


def _mapping(
    columns: dict[str, str],
    flow: str | None,
    freq: str | None,
    currency: str,
    vintage: str | None,
    unit: str | None,
    value_scale: float,
    value_basis: str | None,
    country_coding: str,
    on_unknown_country: str,
    source: str | None = None,
    importers: Any = None,
) -> dict[str, Any]:
    """The mapping arguments as the one dict the binding reads (``_tradedep._read_csv`` etc.)."""
    return dict(
        importers=None if importers is None else _resolve_importers(importers),
        columns=dict(columns),
        flow=flow,
        freq=freq,
        currency=currency,
        vintage=vintage,
        unit=unit,
        value_scale=float(value_scale),
        value_basis=value_basis,
        country_coding=country_coding,
        on_unknown_country=on_unknown_country,
        source=source,
    )


def _from_arrow(obj: Any, mapping: dict[str, Any]) -> TradeTable:
    """``TradeTable.from_arrow``: a pandas, polars or pyarrow table (anything with
    ``__arrow_c_stream__``) read through ``mapping`` (built by :func:`_mapping`).

    Strings may be Utf8, LargeUtf8 (pandas) or Utf8View (polars); integers any width.
    """
    columns = getattr(obj, "columns", None)
    if columns is not None and not isinstance(columns, (str, bytes)):
        # pandas allows a name twice; pyarrow would raise a bare ValueError while converting.
        names = [str(c) for c in columns]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            first = names.index(twice[0])
            second = names.index(twice[0], first + 1)
            raise _tradedep.FileFormatError(
                f"two columns are named {twice[0]!r} (columns {first + 1} and {second + 1}). "
                "rename or remove one of them so that each column name is used once"
            )
    if not hasattr(obj, "__arrow_c_stream__") and not hasattr(obj, "__arrow_c_array__"):
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover
            pd = None
        if pd is not None and isinstance(obj, pd.DataFrame):
            import pyarrow as pa

            obj = pa.Table.from_pandas(obj, preserve_index=False)
        else:
            raise _tradedep.InvalidArgumentError(
                f"cannot read {type(obj).__name__} as Arrow: pass a pandas, polars or pyarrow table"
            )
    return TradeTable(_tradedep._from_arrow(obj, mapping))


def read_csv(
    path: str | os.PathLike[str],
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
    delimiter: str = ",",
    importers: Any = None,
) -> TradeTable:
    """Read a delimited text file (plain or ``.gz``) of your own layout through a column mapping.

    Every column is read as text first (an explicit schema: ``"010121"`` stays a string).
    Errors name the file, line, column and value.

    Example::

        >>> t = td.read_csv("exports.csv", columns={"period": "year", "reporter": "exporter",
        ...     "partner": "importer", "product": "hs6", "value": "value_k"},
        ...     flow="export", vintage="HS2017", value_scale=1000)   # doctest: +SKIP
    """
    mapping = _mapping(
        columns, flow, freq, currency, vintage, unit, value_scale, value_basis, country_coding, on_unknown_country,
        importers=importers,
    )
    with _progress.task(f"reading {Path(path).name}"):
        return TradeTable(_tradedep._read_csv(str(path), mapping, delimiter=delimiter))


def read_parquet(
    path: str | os.PathLike[str],
    columns: dict[str, str] | None = None,
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
    importers: Any = None,
) -> TradeTable:
    """Read a Parquet file: one written by ``TradeTable.write_parquet`` (no mapping needed: the
    frequency, currency and vintage travel in its metadata), or your own through ``columns=``.

    Example::

        >>> t.write_parquet("trade.parquet")             # doctest: +SKIP
        >>> td.read_parquet("trade.parquet").vintage     # doctest: +SKIP
        'HS2017'
    """
    if columns is None and importers is not None:
        raise InvalidArgumentError(
            "invalid argument: importers= reads your own layout through columns=; a file written by "
            "TradeTable.write_parquet keeps the importers it was read for (table.importers_read)"
        )
    mapping = None if columns is None else _mapping(
        columns, flow, freq, currency, vintage, unit, value_scale, value_basis, country_coding, on_unknown_country,
        importers=importers,
    )
    with _progress.task(f"reading {Path(path).name}"):
        if mapping is None:
            return TradeTable(_tradedep._read_parquet(str(path)))
        return TradeTable(_tradedep._read_parquet(str(path), mapping))


read_csv.__doc__ = (read_csv.__doc__ or "") + _MAPPING_DOC
read_parquet.__doc__ = (read_parquet.__doc__ or "") + _MAPPING_DOC
