"""Dependency metrics: supplier shares, concentration, and the fast importer x product kernel.

Every function takes a :class:`~tradedep.TradeTable` and returns an :class:`~tradedep.ArrowResult`
(hand it to pandas, polars, DuckDB or pyarrow without a copy). Each output row says where its
numbers came from: ``source`` (``reported``, ``mirror`` or ``mixed``), ``estimated``, ``n_rows``
(table rows summed), and with ``explain=True`` a ``rows`` list column of 0-based table rows.
Economic complexity (``td.rca``, ``td.complexity``: RCA, ECI, PCI) lives in ``_complexity``.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, Sequence

from tradedep import _conversion, _tradedep
from tradedep import plot
from tradedep._table import ArrowResult, TradeTable

__all__: list[str] = [
    "supplier_shares",
    "concentration",
    "importer_product_concentration",
    "dependency_flags",
    "import_series",
    "unit_values",
    "bilateral_asymmetry",
    "compare",
    "mirror_gap",
    "plot",
]

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
    if isinstance(products, _conversion.Products):  # resolved with its conversion (weighting, bounds)
        return products.entries, products.name
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


def _selection(
    table: TradeTable,
    importer: Any,
    products: Any,
    groups: Mapping[str, Iterable[Any]] | None = None,
    source: str = "reported",
    cif_fob: float = 1.0,
    include_intra_group: bool = False,
) -> dict[str, Any]:
    """Whose imports and which of them count, as the one dict the binding reads (``importer=None``:
    every importer of the table)."""
    entries, name = _products(products, table.vintage)
    return dict(
        importers=None if importer is None else _importers(importer),
        products=entries,
        products_name=name,
        vintage=table.vintage,
        groups=_groups(groups),
        source=source,
        cif_fob=cif_fob,
        include_intra_group=include_intra_group,
    )


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
    weighting: Any = "continuity",
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
    bounds: bool = False,
) -> ArrowResult:
    """Each supplier's (or supplier group's) share of an importer's imports.

    ``importer``: a code, a name, a group (``"EU27"``, membership by period), a list of them, or
    ``{"label": [codes]}``. ``products``: codes or prefixes (``["8542", "850760"]``) or a basket/list
    object. ``groups``: suppliers counted as one (``{"China+HK": ["CHN", "HKG"]}``). ``by``: any of
    ``"period"``, ``"year"``, ``"quarter"``, ``"product"``. ``source``: ``"reported"`` (importer's
    imports), ``"mirror"`` (partners' exports, flagged estimated; ``cif_fob`` multiplies them) or
    ``"auto"`` (reported where the importer reported in that period). ``top=n`` keeps the n largest
    suppliers and one ``Rest of world`` row. A list of another HS edition than the table is carried
    over with ``concordances`` (default: the embedded UNSD tables) and ``weighting``
    (``"continuity"``, ``"equal"``, trade shares); ``bounds=True`` adds ``value_lower``/``share_lower``
    (exact codes only) and ``value_upper``/``share_upper`` (every linked code whole); the notes and
    ``method["products_conversion"]`` state the conversion (per code with ``explain=True``), see
    docs/methods/hs-editions.md.

    Columns: importer, period|year|quarter (+ n_months when months are summed), product,
    supplier, supplier_code, rank, value, total_value, share, quantity, quantity_unit,
    total_quantity, quantity_share, source, estimated, n_rows (+ rows with ``explain``).

        >>> s = td.supplier_shares(trade, importer=643, products=["8542"],
        ...                        groups={"China+HK": [156, 344]}, by="year")  # doctest: +SKIP
        >>> s.to_pandas()                                                     # doctest: +SKIP
    """
    args = dict(locals())  # the call as made, re-run for the bounds
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=explain, bounds=bounds)
    selection = _selection(table, importer, prod, groups, source, cif_fob, include_intra_group)
    t = _tradedep._supplier_shares(table._inner, selection, by=_by(by), top=top, explain=explain)
    notes = [f"source: {source}" + (f", mirror values x {cif_fob}" if source != "reported" and cif_fob != 1.0 else "")]
    notes.append(f"values in {table.currency}; total = sum of partner rows (no World row)")
    return _conversion.finish(ArrowResult(t, "supplier shares", notes), prod, ('value', 'share'), supplier_shares, args)


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
    weighting: Any = "continuity",
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
    bounds: bool = False,
) -> ArrowResult:
    """Concentration of each importer's imports over suppliers (``over="partner"``) or products.

    Columns: importer, the ``by`` keys, total_value, n_suppliers|n_products, hhi, hhi_norm, cr1,
    cr3 (and ``cr<crn>``), entropy, n_equivalent, top, top_code, top_share, source, estimated,
    n_rows (+ rows). ``importer=None`` takes every importer of the table.

        >>> td.concentration(trade, by=["importer", "product", "period"])  # doctest: +SKIP
    """
    args = dict(locals())  # the call as made, re-run for the bounds
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=explain, bounds=bounds)
    selection = _selection(table, importer, prod, groups, source, cif_fob, include_intra_group)
    t = _tradedep._concentration(table._inner, selection, by=_by(by), over=over, crn=crn, explain=explain)
    return _conversion.finish(ArrowResult(t, f"concentration over {over}", [f"source: {source}"]), prod, ('total_value', 'hhi'), concentration, args)


def importer_product_concentration(
    table: TradeTable | str | os.PathLike[str],
    source: str | None = None,
    *,
    vintage: str | None = None,
    years: int | Iterable[int] | None = None,
    on_unknown_country: str = "error",
) -> ArrowResult:
    """For every importer, product and period: total, supplier HHI, top supplier and its share.

    The fast path for whole BACI years (streaming kernel, parallel). Columns: importer (code),
    period, product, total_value, n_suppliers, hhi, top_code, top_share, n_rows.

    ``table`` is a :class:`TradeTable`, or the path of a BACI file (``.csv``, ``.csv.gz``, CEPII
    ``.zip``): the file is then streamed into the kernel as it is parsed, never built as a table,
    which is faster and needs far less memory than ``read_baci`` first (same result, same checks
    and errors as :func:`read_baci`; ``vintage``, ``years`` and ``on_unknown_country`` are passed
    to the reader; the read report is in the result's notes). A file in CEPII's row order (year,
    exporter, importer, product, each once) is aggregated in one pass; any other order, or a
    repeated row, is found on its first such row and the file is read a second time with the
    general aggregation (same result; the notes say "one pass" or "read twice").

    ``source``: ``"reported"`` (rows with flow import; the default for tables) or ``"mirror"``
    (exporters' rows, BACI-style: every row an export; the only choice for a BACI path).

        >>> td.importer_product_concentration(baci, source="mirror")  # doctest: +SKIP
        >>> td.importer_product_concentration("BACI_HS17_Y2021_V202401.csv")  # doctest: +SKIP
    """
    if isinstance(table, (str, os.PathLike)):
        if source not in (None, "mirror"):
            raise ValueError(
                f"source={source!r}: every BACI row is an export, so a BACI path is read as mirror data; "
                "pass source='mirror' or leave it out"
            )
        if years is None:
            year_list = None
        elif isinstance(years, int):
            year_list = [years]
        else:
            year_list = [int(y) for y in years]
        t, report = _tradedep._importer_product_concentration_baci(
            os.fspath(table), vintage=vintage, years=year_list, on_unknown_country=on_unknown_country
        )
        return ArrowResult(t, "importer x product concentration", ["source: mirror (BACI, streamed)", report])
    if vintage is not None or years is not None or on_unknown_country != "error":
        raise ValueError("vintage, years and on_unknown_country apply to a BACI path, not to a table")
    source = "reported" if source is None else source
    t = _tradedep._importer_product_concentration(table._inner, source)
    return ArrowResult(t, "importer x product concentration", [f"source: {source}"])


def dependency_flags(
    table: TradeTable,
    method: str = "geodep",
    *,
    importer: Any = None,
    products: Any = None,
    source: str = "reported",
    cif_fob: float = 1.0,
    hhi: float = 0.4,
    world_hhi: float = 0.4,
    ratio: float = 1.0,
    share: float = 0.5,
    persistence: int = 2,
    window: int = 3,
    weighting: Any = "continuity",
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """Dependency criteria with each criterion's value and flag; thresholds are arguments.

    ``method="geodep"`` (CEPII): per importer, product and year, C1 importer supplier HHI > ``hhi``,
    C2 world-export HHI > ``world_hhi``, C3 imports/exports > ``ratio`` (9999 when exports are 0),
    C4 C1-C3 hold in ``persistence`` of ``window`` years. Columns: importer, year, product, imports,
    exports, c1_hhi, c1, c2_hhi, c2, c3_ratio, c3, c123, c4_years, c4, source, n_rows.

    ``method="eu2021"`` (SWD(2021) 352) for an importer group (default ``"EU27"``, or
    ``importer={"EU": [codes]}``): extra-group supplier HHI > ``hhi``, extra-group share of imports
    > ``share``, extra-group imports / exports > ``ratio``. Columns: importer, year, product,
    extra_imports, total_imports, extra_exports, hhi, c1, extra_share, c2, ratio, c3, dependent,
    source, n_rows.

        >>> td.dependency_flags(baci, method="geodep", source="mirror")  # doctest: +SKIP
    """
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    selection = _selection(table, importer, prod, source=source, cif_fob=cif_fob)
    t = _tradedep._dependency_flags(
        table._inner,
        selection,
        method,
        hhi=hhi,
        world_hhi=world_hhi,
        ratio=ratio,
        share=share,
        persistence=persistence,
        window=window,
    )
    return _conversion.finish(ArrowResult(t, f"dependency flags ({method})", [f"source: {source}", f"thresholds: hhi>{hhi}, world_hhi>{world_hhi}, ratio>{ratio}, share>{share}, {persistence} of {window} years"]), prod)


def import_series(
    table: TradeTable,
    importer: Any,
    freq: str = "month",
    *,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    by_supplier: bool = False,
    by_product: bool = False,
    baseline: tuple[int, int] | None = None,
    source: str = "reported",
    cif_fob: float = 1.0,
    include_intra_group: bool = False,
    weighting: Any = "continuity",
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
    bounds: bool = False,
) -> ArrowResult:
    """Imports over time on a complete calendar: ``freq`` month, quarter or year.

    Gaps are explicit (``value`` null, ``gap`` true), never zeros. Columns: importer, [product],
    [supplier, supplier_code], period|quarter|year (+ n_months), value, gap, complete, yoy,
    rolling_year (12 months / 4 quarters), [index: 100 x value / mean of the ``baseline`` years],
    source, n_rows.

        >>> td.import_series(trade, 643, "month", groups={"China+HK": [156, 344]},
        ...                  by_supplier=True, baseline=(2017, 2021))  # doctest: +SKIP
    """
    args = dict(locals())  # the call as made, re-run for the bounds
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False, bounds=bounds)
    selection = _selection(table, importer, prod, groups, source, cif_fob, include_intra_group)
    t = _tradedep._import_series(
        table._inner, selection, freq=freq, by_supplier=by_supplier, by_product=by_product, baseline=baseline
    )
    return _conversion.finish(ArrowResult(t, f"import series ({freq})", ["gaps: value null and gap=true, never zero"]), prod, ('value',), import_series, args)


def unit_values(
    table: TradeTable,
    importer: Any,
    *,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    by: str | Sequence[str] = "period",
    source: str = "reported",
    cif_fob: float = 1.0,
    include_intra_group: bool = False,
    weighting: Any = "continuity",
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """Quantities (summed within one unit only), unit values and relative unit values.

    Columns: importer, time key, product, supplier, supplier_code, value, quantity, quantity_unit
    (``mixed`` when units differ), unit_value, others_value, others_quantity, n_others,
    relative_unit_value (against the importer's other suppliers of the product, same unit),
    source, estimated, n_rows.

        >>> td.unit_values(trade, 643, products=["854470"], by="month")  # doctest: +SKIP
    """
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    selection = _selection(table, importer, prod, groups, source, cif_fob, include_intra_group)
    t = _tradedep._unit_values(table._inner, selection, by=_by(by))
    return _conversion.finish(ArrowResult(t, "unit values", [f"values in {table.currency} per quantity unit"]), prod)


def bilateral_asymmetry(
    table: TradeTable,
    a: Any,
    b: Any,
    *,
    products: Any = None,
    by: str | Sequence[str] = "period",
    source: str = "reported",
    cif_fob: float = 1.0,
    weighting: Any = "continuity",
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """B's share of A's imports against A's share of B's imports and exports, for all products
    and (``products=``) a basket.

    Columns: a, b, products, time key, a_imports_from_b, a_imports, b_share_of_a_imports,
    b_imports_from_a, b_imports, a_share_of_b_imports, b_exports, a_share_of_b_exports, a_exports,
    b_share_of_a_exports, import_asymmetry, market_asymmetry, n_rows.

        >>> td.bilateral_asymmetry(trade, "RUS", "CHN", products=chpl, by="year")  # doctest: +SKIP
    """
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    entries, name = _products(prod, table.vintage)
    ia, ib = _importers(a), _importers(b)
    if len(ia) != 1 or len(ib) != 1:
        raise ValueError("a and b are one country or group each")
    t = _tradedep._bilateral_asymmetry(
        table._inner, ia[0], ib[0], products=entries, products_name=name, vintage=table.vintage,
        by=_by(by), source=source, cif_fob=cif_fob,
    )
    return _conversion.finish(ArrowResult(t, "bilateral asymmetry", [f"source: {source}"]), prod)


def compare(
    table: TradeTable,
    importers: Any,
    *,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    by: str | Sequence[str] = "period",
    source: str = "reported",
    cif_fob: float = 1.0,
    top: int | None = None,
    include_intra_group: bool = False,
    weighting: Any = "continuity",
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """Several importers against one basket, side by side: ``value_<L>`` and ``share_<L>`` per
    importer label L, one row per (time key, supplier). Share 0 means the importer imported, but
    not from that supplier; null means it imported nothing in the period.

        >>> td.compare(trade, ["RUS", "UKR"], products=drones, groups={"China+HK": ["CHN", "HKG"]})  # doctest: +SKIP
    """
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    selection = _selection(table, importers, prod, groups, source, cif_fob, include_intra_group)
    # Every importer labelled: the columns are named after the labels.
    selection["importers"] = [
        (label if label is not None or codes is None else str(codes[0]), codes)
        for label, codes in selection["importers"]
    ]
    t = _tradedep._compare(table._inner, selection, by=_by(by), top=top)
    return _conversion.finish(ArrowResult(t, "importers compared", [f"source: {source}"]), prod)


def mirror_gap(
    table: TradeTable,
    by: str | Sequence[str] = "period",
    *,
    products: Any = None,
    importer: Any = None,
    exporter: Any = None,
    weighting: Any = "continuity",
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """Importers' reported imports against partners' reported exports, per pair and period.

    Columns: importer, exporter, time key, [product], imports_reported (M), exports_reported (X),
    gap (M - X), ratio (M / X, the CIF/FOB ratio when both report), missing (``import``,
    ``export`` or null), n_import_rows, n_export_rows. A side that reported nothing is null.

        >>> td.mirror_gap(trade, by="year", importer="KAZ", exporter=EU)  # doctest: +SKIP
    """
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    entries, name = _products(prod, table.vintage)
    t = _tradedep._mirror_gap(
        table._inner, by=_by(by), products=entries, products_name=name, vintage=table.vintage,
        importers=None if importer is None else _resolve(importer),
        exporters=None if exporter is None else _resolve(exporter),
    )
    return _conversion.finish(ArrowResult(t, "mirror comparison", ["M: importer-reported (usually CIF); X: exporter-reported (usually FOB)"]), prod)


def _table_from_columns(**columns: Any) -> TradeTable:
    """A TradeTable from plain Python columns (tests, small examples)."""
    return TradeTable(_tradedep._trade_table_from_columns(**columns))
