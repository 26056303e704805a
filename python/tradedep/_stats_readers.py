"""Readers of statistics offices' files: UN Comtrade (USD) and Eurostat Comext (EUR)."""

from __future__ import annotations

import os
from typing import Literal

from tradedep import _progress, _tradedep
from tradedep._table import TradeTable

__all__: list[str] = ["read_comtrade", "read_comext"]


def read_comtrade(
    path: str | os.PathLike[str],
    breakdown: Literal["totals", "sum"] = "totals",
    level: int | Literal["TOTAL"] | None = None,
    freq: Literal["A", "M"] | None = None,
    vintage: str | None = None,
) -> TradeTable:
    """Read a UN Comtrade file: Comtrade Plus CSV (website or API), the API's JSON response
    (``{"data": [...]}``), or files with the legacy/comtradr column names; ``.gz`` works too.

    Values are ``primaryValue`` in USD (CIF for imports, FOB for exports). What the reader
    set aside, and why, is in ``table.report``:

    - World rows (partner code 0) are never partners;
    - a file with TOTAL, 2-, 4- and 6-digit rows keeps one level (the most detailed, or
      ``level=4`` ..., ``level="TOTAL"``), since summing levels double counts. All-commodity
      ``cmdCode`` TOTAL rows are a level of their own: a file of totals only reads into rows
      whose ``product`` is ``"TOTAL"``, with no vintage (``table.vintage is None``: a total of
      all goods is the same in every HS edition) and no quantities;
    - breakdown rows (customs procedure, mode of transport, second partner):
      ``breakdown="totals"`` keeps the file's totals and sums the parts only where a total is
      missing; ``breakdown="sum"`` builds every total from its parts;
    - one table has one frequency (``freq="A"``/``"M"`` picks one in a mixed file) and one HS
      edition (``vintage="HS2017"`` picks one; default the file's most frequent).

    Example::

        >>> import tradedep as td
        >>> t = td.read_comtrade("TradeData_4_22_2026_12_19_27.csv")  # doctest: +SKIP
        >>> t.report["set_aside"]                                      # doctest: +SKIP
        {'World total row (partnerCode 0): World is never a partner': 862, ...}
        >>> t.to_pandas().groupby("period")["value"].sum()             # doctest: +SKIP
    """
    with _progress.task(f"reading {os.path.basename(path)}"):
        return TradeTable(_tradedep._read_comtrade(os.fspath(path), breakdown, level, freq, vintage))


def read_comext(
    path: str | os.PathLike[str],
    level: Literal["CN8", "HS4"] = "CN8",
    freq: Literal["A", "M"] | None = None,
    vintage: "str | dict[int, str] | None" = None,
) -> TradeTable:
    """Read Eurostat Comext trade by CN8, in **EUR** (``table.currency == "EUR"``; never
    converted: combining it with a USD table raises ``InvalidArgumentError``).

    Accepts the bulk files Eurostat ships (``full202201.7z`` or the extracted ``.dat``),
    whose statistical regimes are summed into one row per trade and whose aggregate or
    confidential product codes (TOTAL, ``8542XXXX``) are set aside; and long tables
    ``reporter_iso2, partner_iso2, product_code, level, period, value_eur``, where HS4 and CN8
    rows overlap and one ``level`` is kept. Greece ``EL`` and the UK ``UK`` are understood.
    A file spanning several years is read with each year in its own CN (``table.vintages``:
    ``{2020: "CN2020", 2021: "CN2021", 2022: "CN2022"}``), so that classification and product
    selection read each period's codes in that year's nomenclature; ``vintage="CN2022"``
    declares one for every year, ``vintage={2021: "CN2021", 2022: "CN2022"}`` one per year.

    ``QUANTITY_IN_KG`` becomes ``net_weight_kg``. ``SUP_QUANTITY`` (pieces, litres, metres...
    where the CN asks for a supplementary unit: lithium-ion cells are counted in pieces)
    becomes ``quantity``, its unit ``"supp_unit:<code>"`` with the file's ``SUPP_UNIT`` code:
    tradedep does not guess Eurostat's code list, and quantities are only summed within one
    code (relabel with your own mapping if you need unit names).

    Example::

        >>> import tradedep as td
        >>> t = td.read_comext("full202201.7z")                     # doctest: +SKIP
        >>> t.currency                                              # doctest: +SKIP
        'EUR'
        >>> t.filter(partner=[643], product="85423190").to_pandas()  # doctest: +SKIP
    """
    one = vintage if isinstance(vintage, str) or vintage is None else None
    with _progress.task(f"reading {os.path.basename(path)}"):
        t = TradeTable(_tradedep._read_comext(os.fspath(path), level, freq, one))
    return t if one is not None or vintage is None else t.with_vintage(vintage)
