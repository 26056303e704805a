"""One monthly panel of an importer's imports from several sources: ``td.import_panel``.

Russia publishes no trade statistics; its imports are read from its partners' exports: China's
customs (GACC), the EU's (Comext), everybody else's (Comtrade, BACI). ``import_panel`` puts them
into one table of the importer's imports, in one currency and one HS6 edition, every row keeping
its source, and where two sources cover the same flow (exporter, importer, period, product) takes
the one of higher priority, never both.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from tradedep import _defaults, _tradedep
from tradedep._arrow import arrow_table
from tradedep._table import ArrowResult, TradeTable

__all__: list[str] = ["import_panel", "ImportPanel"]

_HS_EDITIONS = (1992, 1996, 2002, 2007, 2012, 2017, 2022)


def _hs_base(vintage: str) -> int:
    """The HS edition a vintage name (HS2022, CN2023, CHN2023, HTS2023) is built on."""
    digits = "".join(c for c in vintage if c.isdigit())
    year = int(digits) if len(digits) == 4 else 2000 + int(digits) if int(digits) < 88 else 1900 + int(digits)
    return max(e for e in _HS_EDITIONS if e <= year)


class ImportPanel:
    """The result of :func:`import_panel`.

    ``table``: a ``TradeTable`` of the importer's imports (reporter = importer, partner =
    exporter, flow ``import``, products HS6, ``source`` = the name of the source each row comes
    from, ``estimated`` true for rows read from exporters' exports) ready for
    ``td.supplier_shares``; ``missing``: partners each period lacks; ``overlaps``: per source, the
    rows and value set aside because a source of higher priority covered the same flow;
    ``notes`` and ``method`` say how it was built.
    """

    def __init__(self, table: TradeTable, missing: ArrowResult, overlaps: ArrowResult, notes: list[str],
                 method: dict[str, Any]) -> None:
        self.table = table
        self.missing = missing
        self.overlaps = overlaps
        self.notes = notes
        self.method = method

    def __repr__(self) -> str:
        return f"ImportPanel({self.table!r}; " + "; ".join(self.notes) + ")"


def _codes(x: Any) -> list[int]:
    from tradedep._countries_py import resolve_codes

    codes = resolve_codes(x)
    return [] if codes is None else [int(c) for c in codes]


def import_panel(
    importer: Any,
    sources: Mapping[str, TradeTable] | Sequence[tuple[str, TradeTable]],
    *,
    currency: str = _defaults.CURRENCY,
    vintage: str = "HS2022",
    rates: Mapping[str, Any] | None = None,
    partners: Iterable[Any] | None = None,
    concordances: Any = None,
) -> ImportPanel:
    """One panel of ``importer``'s imports from several sources, in one currency and HS6 edition.

    Args:
        importer: the importing country (``"RUS"``, 643, ``"Russia"``).
        sources: ``{name: table}`` (or ``[(name, table), ...]``) in order of **priority**, first
            highest: e.g. ``{"gacc": china, "comext": eu, "comtrade": others}``. From each table
            the panel takes the exporters' exports to ``importer`` (a mirror reading, flagged
            ``estimated``, FOB) and the importer's own reported imports, if any.
        currency: the panel's currency; tables in another one are converted with
            ``table.to_currency(currency, rates=rates.get(name))`` (ECB monthly averages by default).
        vintage: the panel's HS edition; 8-digit codes (GACC, CN) are cut to their first six digits
            when their nomenclature is built on this edition, tables in another edition are
            converted with ``td.convert`` (``concordances``).
        rates: ``{source name: rates}`` for ``to_currency``; sources not named use ECB rates.
        partners: the exporters every period should have; default the union seen in the panel.

    Where two sources give the same exporter, period and product, the row of the source listed
    first is kept and the other set aside (``panel.overlaps`` counts rows and value per source).
    Products shorter than six digits (aggregates) are set aside and counted in the notes. All
    sources must have the panel's frequency (monthly tables make a monthly panel).

        >>> p = td.import_panel("RUS", {"gacc": gacc, "comext": eu, "comtrade": ct})  # doctest: +SKIP
        >>> td.supplier_shares(p.table, "RUS", products=td.lists.chpl(),
        ...                    groups={"China+HK": ["CHN", "HKG"]})                   # doctest: +SKIP
        >>> p.missing.to_pandas()                                                     # doctest: +SKIP
    """
    import pyarrow as pa

    from tradedep import InvalidArgumentError
    from tradedep._countries import country

    imp = _codes(importer)
    if len(imp) != 1:
        raise InvalidArgumentError(f"invalid argument: importer {importer!r} is {len(imp)} codes. Give one country")
    items = list(sources.items()) if isinstance(sources, Mapping) else list(sources)
    if not items:
        raise InvalidArgumentError("invalid argument: no sources. Pass {name: table, ...}")
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"invalid argument: source names repeat: {names}")
    target = f"HS{_hs_base(vintage)}"
    cur = currency.strip().upper()
    method: dict[str, Any] = {"importer": imp[0], "currency": cur, "vintage": target, "priority": names, "sources": {}}
    ready = []
    for name, t in items:
        m: dict[str, Any] = {"currency_in": t.currency, "vintage_in": t.vintage}
        if t.vintage is not None and _hs_base(t.vintage) != _hs_base(target):
            from tradedep._classify import convert

            t = convert(t, target, concordances=concordances)
            m["converted_to"] = target
        if t.currency != cur:
            t = t.to_currency(cur, rates=None if rates is None else rates.get(name))
            m["currency_conversion"] = [n for n in t.report["notes"] if n.startswith("values converted")][-1:]
        method["sources"][name] = m
        ready.append((name, t._inner))
    expected = None if partners is None else _codes(list(partners))
    inner, overlaps, missing, seen, notes = _tradedep._import_panel(ready, imp[0], target, expected)
    notes = list(notes) + [f"values in {cur}, products HS6 of {target}; exporters' exports read as imports (FOB, estimated)"]
    basis = "the partners given" if partners is not None else "the union of exporters seen in the panel"
    miss = arrow_table(missing)
    miss = miss.append_column(
        "missing_names", pa.array([[_name(country, c) for c in row] for row in miss.column("missing").to_pylist()])
    )
    method["expected_partners"] = list(seen)
    method["freq"] = TradeTable(inner).freq
    return ImportPanel(
        TradeTable(inner),
        ArrowResult(miss, f"partners missing per period (vs {basis})", [f"expected partners: {basis} ({len(seen)})"],
                    {"expected": list(seen), "basis": basis}),
        ArrowResult(overlaps, "rows set aside: flow covered by a source of higher priority",
                    [f"priority: {' > '.join(names)}"], {"priority": names}),
        notes,
        method,
    )


def _name(country: Any, code: int) -> str:
    try:
        return str(country(code).name)
    except Exception:  # an area without a country row (899 Areas, nes)
        return str(code)
