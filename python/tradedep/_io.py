"""Readers and writers: BACI, generic CSV/Parquet with a column mapping, Arrow input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable

from tradedep import _tradedep
from tradedep._table import TradeTable

__all__: list[str] = ["read_baci"]

# Files smaller than this read in well under a second: no progress bar.
_PROGRESS_MIN_BYTES = 64 << 20


def _progress_bar(path: Path, progress: bool) -> tuple[Callable[[int, int], None] | None, Any]:
    """A tqdm.auto bar driven by the core's (done, total) callback, for big files only."""
    if not progress:
        return None, None
    try:
        size = os.path.getsize(path)
    except OSError:
        return None, None
    if size < _PROGRESS_MIN_BYTES:
        return None, None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        return None, None
    bar = tqdm(total=size, unit="B", unit_scale=True, desc=path.name, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return update, bar


def read_baci(
    path: str | os.PathLike[str],
    vintage: str | None = None,
    years: int | Iterable[int] | None = None,
    progress: bool = True,
    on_unknown_country: str = "error",
) -> TradeTable:
    """Read a CEPII BACI file: ``.csv``, ``.csv.gz`` or the ``.zip`` archive CEPII ships.

    Values become USD (BACI's thousands x 1000, FOB), quantities metric tons (unit ``t``,
    null where BACI writes ``NA``), products 6-digit strings (``10121`` -> ``"010121"``),
    reporter = exporter ``i``, partner = importer ``j``, flow ``export``.

    Args:
        path: the file. Its name gives the HS vintage (``BACI_HS17_Y2021_V202401.csv``,
            ``baci_hs92_...``); otherwise pass ``vintage``.
        vintage: ``"HS2017"``, ``"HS17"``, ``"H5"`` ...; must agree with the file name.
        years: a year or years to keep (archive members of other years are not read).
        progress: show a progress bar (tqdm) for files over 64 MB.
        on_unknown_country: ``"error"`` (default) or ``"set_aside"`` for country codes the
            country table does not know; set-aside rows are counted in ``table.report``.

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
    """
    p = Path(path)
    if years is None:
        year_list = None
    elif isinstance(years, int):
        year_list = [years]
    else:
        year_list = [int(y) for y in years]
    callback, bar = _progress_bar(p, progress)
    try:
        inner = _tradedep._read_baci(
            str(p), vintage=vintage, years=year_list, on_unknown_country=on_unknown_country, progress=callback
        )
    finally:
        if bar is not None:
            bar.close()
    return TradeTable(inner)
