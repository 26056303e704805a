"""Dependency metrics: supplier shares, concentration, and the fast importer x product kernel.

Every function takes a :class:`~tradedep.TradeTable` and returns an :class:`~tradedep.ArrowResult`
(hand it to pandas, polars, DuckDB or pyarrow without a copy). Each output row says where its
numbers came from: ``source`` (``reported``, ``mirror`` or ``mixed``), ``estimated``, ``n_rows``
(table rows summed), and with ``explain=True`` a ``rows`` list column of 0-based table rows.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from tradedep import _tradedep
from tradedep import plot
from tradedep._table import ArrowResult, TradeTable

__all__: list[str] = ["supplier_shares", "concentration", "importer_product_concentration", "plot"]

# Names that are groups rather than countries: resolved per period by the core.
_GROUP_NAMES = {"EU27", "EU", "EU28", "EAEU", "CHPL_COALITION", "COALITION"}


def _resolve(x: Any) -> list[int]:
    from tradedep._countries_py import resolve_codes

    codes = resolve_codes(x)
    return [] if codes is None else codes


def _importers(importer: Any) -> list[tuple[str | None, list[int] | None]]:
    """Importer argument -> (label, codes) pairs; codes None = named group resolved per period."""
    if isinstance(importer, Mapping):
        return [(str(k), _resolve(v)) for k, v in importer.items()]
    items = [importer] if isinstance(importer, (str, int)) else list(importer)
    out: list[tuple[str | None, list[int] | None]] = []
    for item in items:
        if isinstance(item, int):
            out.append((None, [item]))
        elif isinstance(item, str) and item.upper().replace(" ", "") in _GROUP_NAMES:
            out.append((item, None))
        else:
            out.append((str(item), _resolve(item)))
    return out


def _products(products: Any, vintage: str | None) -> tuple[list[tuple[str, float]] | None, str]:
    """A list of codes/prefixes, one code, or any object with ``_product_weights(vintage)``."""
    if products is None:
        return None, "products"
    if hasattr(products, "_product_weights"):
        weights = products._product_weights(vintage)
        name = str(getattr(products, "name", "basket"))
        return [(str(k), float(v)) for k, v in dict(weights).items()], name
    if isinstance(products, str):
        return [(products, 1.0)], products
    codes = [str(c) for c in products]
    return [(c, 1.0) for c in codes], "products"


def _groups(groups: Mapping[str, Iterable[Any]] | None) -> list[tuple[str, list[int]]]:
    return [(str(k), _resolve(list(v))) for k, v in (groups or {}).items()]


def _by(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def supplier_shares(
    table: TradeTable,
    importer: Any,
    *,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    by: str | Sequence[str] = "period",
    source: str = "reported",
    cif_fob: float = 1.0,
    top: int | None = None,
    include_intra_group: bool = False,
    explain: bool = False,
) -> ArrowResult:
    """Each supplier's (or supplier group's) share of an importer's imports.

    ``importer``: a code, a name, a group (``"EU27"``, membership by period), a list of them, or
    ``{"label": [codes]}``. ``products``: codes or prefixes (``["8542", "850760"]``) or a basket/list
    object. ``groups``: suppliers counted as one (``{"China+HK": ["CHN", "HKG"]}``). ``by``: any of
    ``"period"``, ``"year"``, ``"quarter"``, ``"product"``. ``source``: ``"reported"`` (importer's
    imports), ``"mirror"`` (partners' exports, flagged estimated; ``cif_fob`` multiplies them) or
    ``"auto"`` (reported where the importer reported in that period). ``top=n`` keeps the n largest
    suppliers and one ``Rest of world`` row.

    Columns: importer, period|year|quarter (+ n_months when months are summed), product,
    supplier, supplier_code, rank, value, total_value, share, quantity, quantity_unit,
    total_quantity, quantity_share, source, estimated, n_rows (+ rows with ``explain``).

        >>> s = td.supplier_shares(trade, importer=643, products=["8542"],
        ...                        groups={"China+HK": [156, 344]}, by="year")  # doctest: +SKIP
        >>> s.to_pandas()                                                     # doctest: +SKIP
    """
    entries, name = _products(products, table.vintage)
    t = _tradedep._supplier_shares(
        table._inner,
        _importers(importer),
        products=entries,
        products_name=name,
        vintage=table.vintage,
        groups=_groups(groups),
        by=_by(by),
        source=source,
        cif_fob=cif_fob,
        top=top,
        include_intra_group=include_intra_group,
        explain=explain,
    )
    notes = [f"source: {source}" + (f", mirror values x {cif_fob}" if source != "reported" and cif_fob != 1.0 else "")]
    notes.append(f"values in {table.currency}; total = sum of partner rows (no World row)")
    return ArrowResult(t, "supplier shares", notes)


def concentration(
    table: TradeTable,
    by: str | Sequence[str] = ("period", "product"),
    over: str = "partner",
    *,
    importer: Any = None,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    source: str = "reported",
    cif_fob: float = 1.0,
    crn: int = 3,
    include_intra_group: bool = False,
    explain: bool = False,
) -> ArrowResult:
    """Concentration of each importer's imports over suppliers (``over="partner"``) or products.

    Columns: importer, the ``by`` keys, total_value, n_suppliers|n_products, hhi, hhi_norm, cr1,
    cr3 (and ``cr<crn>``), entropy, n_equivalent, top, top_code, top_share, source, estimated,
    n_rows (+ rows). ``importer=None`` takes every importer of the table.

        >>> td.concentration(trade, by=["importer", "product", "period"])  # doctest: +SKIP
    """
    entries, name = _products(products, table.vintage)
    t = _tradedep._concentration(
        table._inner,
        None if importer is None else _importers(importer),
        products=entries,
        products_name=name,
        vintage=table.vintage,
        groups=_groups(groups),
        by=_by(by),
        over=over,
        source=source,
        cif_fob=cif_fob,
        crn=crn,
        include_intra_group=include_intra_group,
        explain=explain,
    )
    return ArrowResult(t, f"concentration over {over}", [f"source: {source}"])


def importer_product_concentration(table: TradeTable, source: str = "reported") -> ArrowResult:
    """For every importer, product and period: total, supplier HHI, top supplier and its share.

    The fast path for whole BACI years (streaming kernel, parallel). ``source="mirror"`` reads
    exporters' rows (BACI-style tables where every row is an export). Columns: importer (code),
    period, product, total_value, n_suppliers, hhi, top_code, top_share, n_rows.

        >>> td.importer_product_concentration(baci, source="mirror")  # doctest: +SKIP
    """
    t = _tradedep._importer_product_concentration(table._inner, source)
    return ArrowResult(t, "importer x product concentration", [f"source: {source}"])


def _table_from_columns(**columns: Any) -> TradeTable:
    """A TradeTable from plain Python columns (tests, small examples)."""
    return TradeTable(_tradedep._trade_table_from_columns(**columns))
