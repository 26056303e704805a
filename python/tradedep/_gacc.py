"""China customs (GACC) reader: ``td.read_gacc`` and the embedded partner table."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from tradedep import _defaults
from tradedep import _tradedep
from tradedep._table import TradeTable

if TYPE_CHECKING:
    import pyarrow

__all__: list[str] = ["read_gacc", "gacc_partners", "GaccTable"]


class GaccTable(TradeTable):
    """A GACC table: the canonical trade records plus, row for row, what they have no place for
    (``details``: product_name, gacc_partner, gacc_partner_name, regime_code, regime,
    province_code, province, quantity_1, unit_1, quantity_2, unit_2).

    ``to_arrow()``/``to_pandas()``/``to_polars()`` give the canonical columns followed by the
    details; every metric reads the canonical columns (rows of one product and partner in
    several regimes or provinces add up). ``filter``, ``concat`` and ``to_currency`` return plain
    tables.
    """

    def __init__(self, inner: Any, details: Any) -> None:
        super().__init__(inner)
        import pyarrow as pa

        # Read as the Arrow record batch it is: pa.table() would first ask whether it is a pandas
        # DataFrame, which imports pandas (about a second on a cold start of the reader).
        self.details: "pyarrow.Table" = (
            pa.Table.from_batches([pa.record_batch(details)])
            if hasattr(details, "__arrow_c_array__")
            else pa.table(details)
        )

    def to_arrow(self) -> "pyarrow.Table":
        """Canonical columns, then the details columns (same rows)."""
        t = super().to_arrow()
        for name in self.details.column_names:
            t = t.append_column(name, self.details.column(name))
        return t

    def to_polars(self) -> Any:
        import polars as pl

        return pl.from_arrow(self.to_arrow())


def read_gacc(
    path: str | os.PathLike[str],
    *,
    period: str | int | None = None,
    flow: str | None = None,
    table: str | None = None,
    vintage: str | None = None,
    encoding: str = "auto",
    on_unknown_country: str = _defaults.ON_UNKNOWN_COUNTRY,
) -> GaccTable:
    """Read the CSV China customs' online query (stats.customs.gov.cn) exports.

    English or Chinese headers (商品编码, 贸易伙伴编码, 第一数量, 美元 / 人民币 ...), UTF-8 with stray
    GBK bytes or GB18030, thousands separators, trailing commas, ``?`` for no unit. The
    reporter is China (156); partners are **China's own codes** (344 is Russia there, 110 Hong
    Kong) turned into Comtrade codes through an embedded table generated from China customs'
    code lists; every row's partner name is checked against it (a disagreement is an
    ``InvalidDataError`` naming file, line and value, or a set-aside row with
    ``on_unknown_country="set_aside"``).

    Args:
        path: the file.
        period: the month the query was for (``"2023-05"``), or the year of a January-December
            cumulative table. Not in the file (unless it has a ``Date of data`` column); taken
            from the file name ``..._YYYYMM_...`` when not given.
        flow: ``"export"`` (China's exports, FOB) or ``"import"`` (CIF); else from the file name.
        table: ``"monthly"`` (the month's trade: a monthly table) or ``"cumulative"`` (January to
            the month: read as the year when the month is December, refused otherwise); else from
            the file name (``..._monthly``/``..._cumulative``).
        vintage: nomenclature of the 8-digit codes; default ``CHN<year>`` (China's tariff codes,
            HS-based: HS2022 from 2022), matched to HS6 lists through their first six digits.
        encoding: ``"auto"``, ``"utf-8"`` or ``"gb18030"``.
        on_unknown_country: ``"error"`` or ``"set_aside"`` (partner codes outside the table and
            names that disagree with their code).

    Kilograms go to ``net_weight_kg``, the other unit (items, metres, pairs ...) to
    ``quantity``/``quantity_unit`` (``m`` converts to km with ``/ 1000``); both quantities keep
    their units in ``details``. Values in USD (``US dollar``) or CNY (``Renminbi Yuan``):
    ``table.to_currency("USD")`` converts.

    Example::

        >>> g = td.read_gacc("gacc_export_202305_monthly.csv")           # doctest: +SKIP
        >>> g = td.read_gacc("query.csv", period="2023-05", flow="export",
        ...                  table="monthly")                               # doctest: +SKIP
        >>> g.details.column_names[:3]                                     # doctest: +SKIP
        ['product_name', 'gacc_partner', 'gacc_partner_name']
    """
    inner, details = _tradedep._read_gacc(
        str(path),
        period=None if period is None else str(period),
        flow=flow,
        table=table,
        vintage=vintage,
        encoding=encoding,
        on_unknown_country=on_unknown_country,
    )
    return GaccTable(inner, details)


def gacc_partners() -> "pyarrow.Table":
    """The embedded GACC partner table: gacc_code, name_en, name_zh, comtrade_code.

        >>> t = td.gacc_partners()
        >>> {r["gacc_code"]: r["comtrade_code"] for r in t.to_pylist()}[344]
        643
    """
    import pyarrow as pa

    rows = _tradedep._gacc_partners()
    return pa.table(
        {
            "gacc_code": pa.array([r[0] for r in rows], pa.uint16()),
            "name_en": [r[1] for r in rows],
            "name_zh": [r[2] for r in rows],
            "comtrade_code": pa.array([r[3] for r in rows], pa.uint16()),
        }
    )
