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

from tradedep import _defaults
from tradedep import _args, _conversion, _progress, _tradedep
from tradedep import plot
from tradedep._method import covered
from tradedep._arrow import arrow_table
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


def _importers(importer: Any, name: str = "importer") -> list[tuple[str | None, list[int] | None]]:
    """Importer argument -> (label, codes) pairs; codes None = named group resolved per period."""
    if isinstance(importer, Mapping):
        return [(str(k), _resolve(_args.countries(f"{name}[{k!r}]", v))) for k, v in importer.items()]
    if isinstance(importer, (str, int, float)):
        items = [importer]
    elif isinstance(importer, Iterable):
        items = list(importer)
    else:
        items = [_args.country(name, importer)]
    out: list[tuple[str | None, list[int] | None]] = []
    for item in items:
        item = _args.country(name, item)
        if isinstance(item, int):
            out.append((None, [item]))
        elif item.upper().replace(" ", "") in _GROUP_NAMES:
            out.append((item, None))
        else:
            out.append((str(item), _resolve(item)))
    return out


def _products(products: Any, vintage: str | None) -> tuple[list[tuple[str, float]] | None, str]:
    """A list of codes/prefixes, one code (commas split it), or any object with
    ``_product_weights(vintage)``."""
    if products is None:
        return None, "products"
    if isinstance(products, _conversion.Products):  # resolved with its conversion (weighting, bounds)
        return products.entries, products.name
    if hasattr(products, "_product_weights"):
        weights = products._product_weights(vintage)
        name = str(getattr(products, "name", "basket"))
        return [(str(k), float(v)) for k, v in dict(weights).items()], name
    codes = _args.product_codes(products)
    return [(c, 1.0) for c in codes], codes[0] if len(codes) == 1 else "products"


def _groups(groups: Mapping[str, Iterable[Any]] | None) -> list[tuple[str, list[int]]]:
    return [(k, _resolve(v)) for k, v in _args.groups(groups).items()]


def _selection(
    table: TradeTable,
    importer: Any,
    products: Any,
    groups: Mapping[str, Iterable[Any]] | None = None,
    source: str = _defaults.SOURCE,
    cif_fob: float = _defaults.CIF_FOB,
    include_intra_group: bool = False,
) -> dict[str, Any]:
    """Whose imports and which of them count, as the one dict the binding reads (``importer=None``:
    every importer of the table)."""
    entries, name = _products(products, table.vintage)
    if not isinstance(source, str):
        raise _args.InvalidArgumentError(f"invalid argument: source={source!r}. Pass \"auto\", \"reported\" or \"mirror\"")
    return dict(
        importers=None if importer is None else _importers(importer),
        products=entries,
        products_name=name,
        vintage=table.vintage,
        groups=_groups(groups),
        source=source,
        cif_fob=_args.number("cif_fob", cif_fob, positive=True),
        include_intra_group=bool(include_intra_group),
    )


def _by(by: str | Sequence[str] | None) -> list[str]:
    return _args.by(by)


def supplier_shares(
    table: TradeTable,
    importer: Any,
    *,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    by: str | Sequence[str] = "period",
    source: str = _defaults.SOURCE,
    cif_fob: float = _defaults.CIF_FOB,
    top: int | None = None,
    include_intra_group: bool = False,
    explain: bool = False,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
    bounds: bool = False,
) -> ArrowResult:
    """Each supplier's (or supplier group's) share of an importer's imports.

    ``importer``: a code, a name, a group (``"EU27"``, membership by period), a list of them, or
    ``{"label": [codes]}``. ``products``: codes or prefixes (``["8542", "850760"]``) or a basket/list
    object. ``groups``: suppliers counted as one (``{"China+HK": ["CHN", "HKG"]}``). ``by``: any of
    ``"period"``, ``"year"``, ``"quarter"``, ``"product"``. ``source``: ``"auto"`` (the default:
    reported where the importer reported in that period, mirror otherwise), ``"reported"``
    (importer's imports) or ``"mirror"`` (partners' exports, flagged estimated; ``cif_fob``
    multiplies them). ``top=n`` keeps the n largest suppliers and one ``Rest of world`` row.

    An argument that selects nothing in the table raises (``InvalidArgumentError``,
    ``InvalidProductError``) with what the table holds; the result's ``notes`` and ``method``
    say the source, CIF/FOB, currency, vintage, codes absent, reporters and quantity coverage
    (every metric does; keys in docs/methods/results.md).

    A list of another HS edition than the table is carried over with ``concordances`` (default:
    the embedded UNSD tables) and ``weighting`` (``"continuity"``, ``"equal"``, trade shares);
    ``bounds=True`` adds ``value_lower``/``share_lower`` (exact codes only) and
    ``value_upper``/``share_upper`` (every linked code whole); the notes and
    ``method["products_conversion"]`` state the conversion (per code with ``explain=True``), see
    docs/methods/hs-editions.md.

    Columns: importer, period|year|quarter (+ n_months when months are summed), product,
    supplier, supplier_code, rank, value, total_value, share, quantity, quantity_unit,
    quantity_value_share, total_quantity, total_quantity_value_share, quantity_share, source,
    estimated, n_rows (+ rows with ``explain``). Quantities are summed over the rows that have one
    (one unit); the ``*_value_share`` columns give the share of value they cover.

        >>> s = td.supplier_shares(trade, importer=643, products=["8542"],
        ...                        groups={"China+HK": [156, 344]}, by="year")  # doctest: +SKIP
        >>> s.to_pandas()                                                     # doctest: +SKIP
    """
    args = dict(locals())  # the call as made, re-run for the bounds
    table = _args.trade_table(table, "supplier_shares")
    top = _args.whole("top", top, minimum=1, none=True)
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=explain, bounds=bounds)
    selection = _selection(table, importer, prod, groups, source, cif_fob, include_intra_group)
    run, method, notes = covered(table, selection, "supplier_shares")
    t = _tradedep._supplier_shares(table._inner, run, by=_by(by), top=top, explain=explain)
    notes.append("total = sum of partner rows (no World row)")
    quantity_notes, quantity_method = _quantity_coverage(t)
    result = ArrowResult(t, "supplier shares", notes + quantity_notes, {**method, **quantity_method, "by": _by(by), "top": top})
    return _conversion.finish(result, prod, ("value", "share"), supplier_shares, args)


def concentration(
    table: TradeTable,
    by: str | Sequence[str] = ("period", "product"),
    over: str = "partner",
    *,
    importer: Any = None,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    source: str = _defaults.SOURCE,
    cif_fob: float = _defaults.CIF_FOB,
    crn: int = 3,
    include_intra_group: bool = False,
    explain: bool = False,
    weighting: Any = _defaults.WEIGHTING,
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
    table = _args.trade_table(table, "concentration")
    crn = _args.count("crn", crn)
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=explain, bounds=bounds)
    selection = _selection(table, importer, prod, groups, source, cif_fob, include_intra_group)
    run, method, notes = covered(table, selection, "concentration")
    t = _tradedep._concentration(table._inner, run, by=_by(by), over=over, crn=crn, explain=explain)
    result = ArrowResult(t, f"concentration over {over}", notes, {**method, "by": _by(by), "over": over, "crn": crn})
    return _conversion.finish(result, prod, ("total_value", "hhi"), concentration, args)


def importer_product_concentration(
    table: TradeTable | str | os.PathLike[str],
    source: str | None = None,
    *,
    vintage: str | None = None,
    years: int | Iterable[int] | None = None,
    on_unknown_country: str = _defaults.ON_UNKNOWN_COUNTRY,
) -> ArrowResult:
    """For every importer, product and period: total, supplier HHI, top supplier and its share.

    A table is aggregated on the import cube, like every metric; a path is streamed through the
    parallel kernel without building the table. Columns: importer (code),
    period, product, total_value, n_suppliers, hhi, top_code, top_share, n_rows.

    ``table`` is a :class:`TradeTable`, or the path of a BACI file (``.csv``, ``.csv.gz``, CEPII
    ``.zip``): the file is then streamed into the kernel as it is parsed, never built as a table,
    which is faster and needs far less memory than ``read_baci`` first (same result, same checks
    and errors as :func:`read_baci`; ``vintage``, ``years`` and ``on_unknown_country`` are passed
    to the reader; the read report is in the result's notes). A file in CEPII's row order (year,
    exporter, importer, product) is aggregated in one pass; any other order, or a second row of
    one key with other numbers, is found on its first such row and the file is read a second time
    with the general aggregation (same result; the notes say "one pass" or "read twice"). Exact
    duplicate rows are set aside and counted as ``read_baci`` does (a file out of order that has
    some is read a third time without them; docs/methods/bad_inputs.md).

    ``source``: ``"auto"`` (the default: on a table with one side only, that side), ``"reported"``
    (rows with flow import) or ``"mirror"`` (exporters' rows, BACI-style: every row an export; the
    only choice for a BACI path).

        >>> td.importer_product_concentration(baci, source="mirror")  # doctest: +SKIP
        >>> td.importer_product_concentration("BACI_HS17_Y2021_V202401.csv")  # doctest: +SKIP
    """
    if isinstance(table, (str, os.PathLike)):
        if source not in (None, "mirror", "auto"):
            raise _args.InvalidArgumentError(
                f"source={source!r}: every BACI row is an export, so a BACI path is read as mirror data; "
                "pass source='mirror' or leave it out"
            )
        if years is None:
            year_list = None
        elif isinstance(years, int):
            year_list = [years]
        else:
            year_list = [int(y) for y in years]
        with _progress.task(f"importer x product concentration of {os.path.basename(table)}"):
            t, report = _tradedep._importer_product_concentration_baci(
                os.fspath(table), vintage=vintage, years=year_list, on_unknown_country=on_unknown_country
            )
        method = {
            "metric": "importer_product_concentration", "source": "mirror", "source_used": "mirror", "cif_fob": 1.0,
            "currency": "USD", "vintage": vintage, "file": os.fspath(table), "years": year_list,
            "coverage": ["suppliers: only the exporters in the BACI file (every BACI row is an exporter's report)"],
        }
        return ArrowResult(t, "importer x product concentration", ["source: mirror (BACI, streamed)", report], method)
    if vintage is not None or years is not None or on_unknown_country != "error":
        raise _args.InvalidArgumentError("invalid argument: vintage, years and on_unknown_country apply to a BACI path, not to a table")
    trade: TradeTable = _args.trade_table(table, "importer_product_concentration")
    selection = _selection(trade, None, None, source="auto" if source is None else source)
    run, method, notes = covered(trade, selection, "importer_product_concentration")
    if run["source"] == "auto":
        raise _args.InvalidArgumentError(
            "invalid argument: source='auto' on a table with both importers' and exporters' reports: the kernel reads "
            "one side. Pass source='reported' or 'mirror', or use td.concentration(table, source='auto')"
        )
    with _progress.task("importer x product concentration"):
        t = _tradedep._importer_product_concentration(trade._inner, run["source"])
    return ArrowResult(t, "importer x product concentration", notes, method)


def dependency_flags(
    table: TradeTable,
    method: str = "geodep",
    *,
    importer: Any = None,
    products: Any = None,
    source: str = _defaults.SOURCE,
    cif_fob: float = _defaults.CIF_FOB,
    hhi: float = 0.4,
    world_hhi: float = 0.4,
    ratio: float = 1.0,
    share: float = 0.5,
    persistence: int = 2,
    window: int = 3,
    world: TradeTable | None = None,
    world_min_countries: int = 100,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """Dependency criteria with each criterion's value and flag; thresholds are arguments.

    ``method="geodep"`` (CEPII): per importer, product and year, C1 importer supplier HHI > ``hhi``,
    C2 world-export HHI > ``world_hhi``, C3 imports/exports > ``ratio`` (9999 when exports are 0),
    C4 C1-C3 hold in ``persistence`` of ``window`` years. Columns: importer, year, product, imports,
    exports, c1_hhi, c1, c2_hhi, c2, c2_reason, c3_ratio, c3, c3_reason, c123, c4_years, c4,
    source, n_rows.

    World exports (C2) and the importer's own exports (C3) come from ``world`` (another table, e.g.
    BACI, read with source auto) or the table itself. A year of that table counts as the world when
    it holds at least ``world_min_countries`` exporters and destinations; an importer's (or the
    group's) exports count as complete there when the table is the world or they reach that many
    destinations. Elsewhere C2/C3 are null with the reason in ``c2_reason``/``c3_reason``, never
    9999 or an HHI over a partial table; 9999 only where complete exports are 0 (CEPII's
    convention, said in ``c3_reason``). See docs/methods/coverage.md.

    ``method="eu2021"`` (SWD(2021) 352) for an importer group (default ``"EU27"``, or
    ``importer={"EU": [codes]}``): extra-group supplier HHI > ``hhi``, extra-group share of imports
    > ``share``, extra-group imports / exports > ``ratio``. Columns: importer, year, product,
    extra_imports, total_imports, extra_exports, hhi, c1, extra_share, c2, ratio, c3, c3_reason,
    dependent, source, n_rows (extra_exports and ratio null where the group's exports to non-members
    are not in the world table). The criteria are annual: a group is taken with each year's members
    (a year's membership on 1 July), also for every month of a monthly table.

        >>> td.dependency_flags(baci, method="geodep", source="mirror")  # doctest: +SKIP
    """
    table = _args.trade_table(table, "dependency_flags")
    persistence = _args.count("persistence", persistence)
    window = _args.count("window", window)
    thresholds = {k: _args.number(k, v) for k, v in dict(hhi=hhi, world_hhi=world_hhi, ratio=ratio, share=share).items()}
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    selection = _selection(table, importer, prod, source=source, cif_fob=cif_fob)
    check = dict(selection)
    if importer is None and str(method).strip().lower().replace("_", "") in ("eu2021", "eu"):
        # The EU method's importer is the EU27 by default: it must be an importer of the table.
        check["importers"] = _importers("EU27")
    _, facts, notes = covered(table, check, "dependency_flags")
    run = dict(selection, source=facts["source_used"])
    t = _tradedep._dependency_flags(
        table._inner,
        run,
        method,
        hhi=hhi,
        world_hhi=world_hhi,
        ratio=ratio,
        share=share,
        persistence=persistence,
        window=window,
        world=None if world is None else _args.trade_table(world, "dependency_flags(world=)")._inner,
        world_min_countries=_args.count("world_min_countries", world_min_countries),
    )
    coverage_notes, coverage_method = _flags_coverage(t, world is not None, world_min_countries)
    notes.append(f"thresholds: hhi>{hhi}, world_hhi>{world_hhi}, ratio>{ratio}, share>{share}, {persistence} of {window} years")
    facts.update(coverage_method, flag_method=method, thresholds=thresholds, persistence=persistence, window=window)
    return _conversion.finish(ArrowResult(t, f"dependency flags ({method})", notes + coverage_notes, facts), prod)


def _flags_coverage(t: Any, world_given: bool, min_countries: int) -> tuple[list[str], dict[str, Any]]:
    """Notes and method entries for the world inputs of the flags, counted from the reason columns."""
    import pyarrow.compute as pc

    table = arrow_table(t)
    notes = [
        "world exports (C2) and the importer's exports (C3) from "
        + ("the world= table (source auto)" if world_given else "this table")
        + f"; a year is the world with at least {min_countries} exporters and destinations"
    ]
    method: dict[str, Any] = {
        "world_exports": "world= table" if world_given else "this table",
        "world_min_countries": min_countries,
    }
    for column in ("c2_reason", "c3_reason"):
        if column not in table.column_names:
            continue
        # In order of first appearance (as value_counts gives them), nulls left out.
        vc = pc.value_counts(table.column(column))
        counts: dict[str, int] = {
            v: n for v, n in zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist()) if v is not None
        }
        method[column] = counts
        for reason, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5]:
            notes.append(f"{column[:2]} on {n} of {table.num_rows} rows: {reason}")
        if len(counts) > 5:
            notes.append(f"{column[:2]}: {len(counts) - 5} more reasons in the {column} column")
    return notes, method


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
    source: str = _defaults.SOURCE,
    cif_fob: float = _defaults.CIF_FOB,
    include_intra_group: bool = False,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
    bounds: bool = False,
) -> ArrowResult:
    """Imports over time on a complete calendar: ``freq`` month, quarter or year.

    A period without rows is 0 where the reporting side (the importer for reported imports; the
    supplier, or any exporter for a total, for mirror data) reported other flows in it, and a gap
    (``value`` null, ``gap`` true) where that side reported nothing. Columns: importer, [product],
    [supplier, supplier_code], period|quarter|year (+ n_months), value, gap, complete, yoy,
    rolling_year (12 months / 4 quarters), [index: 100 x value / mean of the ``baseline`` years],
    source, n_rows.

        >>> td.import_series(trade, 643, "month", groups={"China+HK": [156, 344]},
        ...                  by_supplier=True, baseline=(2017, 2021))  # doctest: +SKIP
    """
    args = dict(locals())  # the call as made, re-run for the bounds
    table = _args.trade_table(table, "import_series")
    if baseline is not None:
        baseline = (_args.whole("baseline", baseline[0]), _args.whole("baseline", baseline[1]))  # type: ignore[assignment]
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False, bounds=bounds)
    selection = _selection(table, importer, prod, groups, source, cif_fob, include_intra_group)
    run, method, notes = covered(table, selection, "import_series")
    t = _tradedep._import_series(
        table._inner, run, freq=freq, by_supplier=by_supplier, by_product=by_product, baseline=baseline
    )
    gaps = arrow_table(t).column("gap").to_pylist()
    rule = (
        "a period without rows is 0 where the reporting side (the importer for reported imports; the "
        "supplier, or any exporter for a total, for mirror) reported other flows in it, and a gap (value "
        "null, gap=true) where that side reported nothing"
    )
    notes += [rule, f"{sum(gaps)} of {len(gaps)} periods are gaps"]
    result = ArrowResult(
        t,
        f"import series ({freq})",
        notes,
        {**method, "freq_asked": freq, "baseline": baseline, "gaps": rule, "gap_periods": sum(gaps), "periods": len(gaps)},
    )
    return _conversion.finish(result, prod, ("value",), import_series, args)


def unit_values(
    table: TradeTable,
    importer: Any,
    *,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    by: str | Sequence[str] = "period",
    source: str = _defaults.SOURCE,
    cif_fob: float = _defaults.CIF_FOB,
    include_intra_group: bool = False,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """Quantities (summed within one unit only), unit values and relative unit values.

    Quantities are summed over the rows that have one; ``quantity_value_share`` is the share of
    value they cover and unit values are value with quantity / quantity.

    Columns: importer, time key, product, supplier, supplier_code, value, quantity, quantity_unit
    (``mixed`` when units differ), quantity_value_share, unit_value, others_value, others_quantity, n_others,
    relative_unit_value (against the importer's other suppliers of the product, same unit),
    source, estimated, n_rows.

        >>> td.unit_values(trade, 643, products=["854470"], by="month")  # doctest: +SKIP
    """
    table = _args.trade_table(table, "unit_values")
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    selection = _selection(table, importer, prod, groups, source, cif_fob, include_intra_group)
    run, method, notes = covered(table, selection, "unit_values")
    t = _tradedep._unit_values(table._inner, run, by=_by(by))
    notes.append(f"unit values in {table.currency} per quantity unit")
    quantity_notes, quantity_method = _quantity_coverage(t)
    return _conversion.finish(
        ArrowResult(t, "unit values", notes + quantity_notes, {**method, **quantity_method, "by": _by(by)}), prod
    )


def _quantity_coverage(t: Any) -> tuple[list[str], dict[str, Any]]:
    """The share of value that quantities cover, over the whole result (rows with one unit)."""
    table = arrow_table(t)
    values = table.column("value").to_pylist()
    shares = table.column("quantity_value_share").to_pylist()
    covered = sum(v * s for v, s in zip(values, shares) if v is not None and s is not None)
    total = sum(v for v, s in zip(values, shares) if v is not None and s is not None)
    share = covered / total if total > 0 else None
    rule = (
        "quantities summed over the rows that have one, within one unit (never across units); unit value = "
        "value of the rows with a quantity / quantity; quantity_value_share = share of value they cover"
    )
    notes = [rule]
    if share is not None:
        notes.append(f"quantities cover {100 * share:.2f}% of the value (rows with one unit)")
    return notes, {"quantities": rule, "quantity_value_share": share}


def bilateral_asymmetry(
    table: TradeTable,
    a: Any,
    b: Any,
    *,
    products: Any = None,
    by: str | Sequence[str] = "period",
    source: str = _defaults.SOURCE,
    cif_fob: float = _defaults.CIF_FOB,
    weighting: Any = _defaults.WEIGHTING,
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
    table = _args.trade_table(table, "bilateral_asymmetry")
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    ia, ib = _importers(a, "a"), _importers(b, "b")
    if len(ia) != 1 or len(ib) != 1:
        raise _args.InvalidArgumentError("invalid argument: a and b are one country or group each")
    selection = _selection(table, None, prod, source=source, cif_fob=cif_fob)
    selection["importers"] = ia + ib
    run, method, notes = covered(table, selection, "bilateral_asymmetry")
    t = _tradedep._bilateral_asymmetry(
        table._inner, ia[0], ib[0], products=run["products"], products_name=run["products_name"], vintage=table.vintage,
        by=_by(by), source=run["source"], cif_fob=run["cif_fob"],
    )
    return _conversion.finish(ArrowResult(t, "bilateral asymmetry", notes, {**method, "by": _by(by)}), prod)


def compare(
    table: TradeTable,
    importers: Any,
    *,
    products: Any = None,
    groups: Mapping[str, Iterable[Any]] | None = None,
    by: str | Sequence[str] = "period",
    source: str = _defaults.SOURCE,
    cif_fob: float = _defaults.CIF_FOB,
    top: int | None = None,
    include_intra_group: bool = False,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """Several importers against one basket, side by side: ``value_<L>`` and ``share_<L>`` per
    importer label L, one row per (time key, supplier). Share 0 means the importer imported, but
    not from that supplier; null means it imported nothing in the period.

        >>> td.compare(trade, ["RUS", "UKR"], products=drones, groups={"China+HK": ["CHN", "HKG"]})  # doctest: +SKIP
    """
    table = _args.trade_table(table, "compare")
    top = _args.whole("top", top, minimum=1, none=True)
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    selection = _selection(table, importers, prod, groups, source, cif_fob, include_intra_group)
    selection, method, notes = covered(table, selection, "compare")
    # Every importer labelled: the columns are named after the labels.
    selection["importers"] = [
        (label if label is not None or codes is None else str(codes[0]), codes)
        for label, codes in selection["importers"]
    ]
    t = _tradedep._compare(table._inner, selection, by=_by(by), top=top)
    return _conversion.finish(ArrowResult(t, "importers compared", notes, {**method, "by": _by(by), "top": top}), prod)


def mirror_gap(
    table: TradeTable,
    by: str | Sequence[str] = "period",
    *,
    products: Any = None,
    importer: Any = None,
    exporter: Any = None,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> ArrowResult:
    """Importers' reported imports against partners' reported exports, per pair and period.

    Columns: importer, exporter, time key, [product], imports_reported (M), exports_reported (X),
    gap (M - X), ratio (M / X, the CIF/FOB ratio when both report), missing (``import``,
    ``export`` or null), n_import_rows, n_export_rows. A side that reported nothing is null.

        >>> td.mirror_gap(trade, by="year", importer="KAZ", exporter=EU)  # doctest: +SKIP
    """
    table = _args.trade_table(table, "mirror_gap")
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods,
                               concordances=concordances, explain=False)
    selection = _selection(table, importer, prod)
    _, method, _ = covered(table, selection, "mirror_gap")
    importers = None if importer is None else _resolve(_args.countries("importer", importer))
    exporters = None if exporter is None else _resolve(_args.countries("exporter", exporter))
    t = _tradedep._mirror_gap(
        table._inner, by=_by(by), products=selection["products"], products_name=selection["products_name"],
        vintage=table.vintage, importers=importers, exporters=exporters,
    )
    rep, exp = method["reporters"]["importers"], method["reporters"]["exporters"]
    method.update(metric="mirror_gap", source="both", source_used="both", by=_by(by))
    notes = ["M: importer-reported (usually CIF); X: exporter-reported (usually FOB)", f"values in {table.currency}"]
    notes.append(f"importers that reported imports in the table: {len(rep)}; exporters that reported exports: {len(exp)}")
    if not rep or not exp:
        notes.append(
            "the table holds " + ("no importer's reports: imports_reported is null everywhere" if not rep
                                  else "no exporter's reports: exports_reported is null everywhere")
        )
    return _conversion.finish(ArrowResult(t, "mirror comparison", notes, method), prod)


def _table_from_columns(**columns: Any) -> TradeTable:
    """A TradeTable from plain Python columns (tests, small examples)."""
    return TradeTable(_tradedep._trade_table_from_columns(**columns))
