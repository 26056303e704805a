"""One monthly panel of an importer's imports from several sources: ``td.import_panel``.

Russia publishes no trade statistics; its imports are read from its partners' exports: China's
customs (GACC), the EU's (Comext), everybody else's (Comtrade, BACI). ``import_panel`` puts them
into one table of the importer's imports, in one currency and one HS6 edition, every row keeping
its source, and where two sources cover the same flow (exporter, importer, period, product) takes
the one of higher priority, never both.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from tradedep._table import ArrowResult, TradeTable, concat

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
    currency: str = "USD",
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
    import pyarrow.compute as pc

    from tradedep import InvalidArgumentError
    from tradedep._countries import country

    imp = _codes(importer)
    if len(imp) != 1:
        raise InvalidArgumentError(f"invalid argument: importer {importer!r} is {len(imp)} codes. Give one country")
    imp_code = imp[0]
    items = list(sources.items()) if isinstance(sources, Mapping) else list(sources)
    if not items:
        raise InvalidArgumentError("invalid argument: no sources. Pass {name: table, ...}")
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"invalid argument: source names repeat: {names}")
    freqs = {t.freq for _, t in items}
    if len(freqs) != 1:
        raise InvalidArgumentError(
            f"invalid argument: sources of frequencies {sorted(freqs)}. A panel has one frequency: "
            "give monthly tables for a monthly panel (or annual ones for an annual panel)"
        )
    freq = freqs.pop()
    edition = _hs_base(vintage)
    target = f"HS{edition}"
    notes: list[str] = []
    method: dict[str, Any] = {"importer": imp_code, "currency": currency.upper(), "vintage": target, "freq": freq,
                              "priority": names, "sources": {}}
    frames = []
    for rank, (name, t) in enumerate(items):
        m: dict[str, Any] = {"currency_in": t.currency, "vintage_in": t.vintage}
        if t.vintage is None:
            raise InvalidArgumentError(f"invalid argument: source {name!r} has no declared vintage. Read it with vintage=...")
        if _hs_base(t.vintage) != edition:
            from tradedep._classify import convert

            t = convert(t, target, concordances=concordances)
            m["converted_to"] = target
        if t.currency != currency.upper():
            t = t.to_currency(currency, rates=None if rates is None else rates.get(name))
            m["currency_conversion"] = [n for n in t.report["notes"] if n.startswith("values converted")][-1:]
        a = pa.table(t._inner._arrow_table())
        flow = a.column("flow").cast(pa.string())
        mirror = pc.and_(pc.equal(flow, "export"), pc.equal(a.column("partner"), imp_code))
        reported = pc.and_(pc.equal(flow, "import"), pc.equal(a.column("reporter"), imp_code))
        parts = []
        for mask, exporter_col, est, basis in ((mirror, "reporter", True, "FOB"), (reported, "partner", False, None)):
            s = a.filter(mask)
            if s.num_rows == 0:
                continue
            parts.append(pa.table({
                "period": s.column("period"),
                "exporter": s.column(exporter_col),
                "product": s.column("product").cast(pa.string()),
                "value": s.column("value"),
                "net_weight_kg": s.column("net_weight_kg"),
                "estimated": pa.array([est] * s.num_rows),
                "value_basis": s.column("value_basis").cast(pa.string()) if basis is None
                else pa.array([basis] * s.num_rows),
            }))
        m["rows_in"] = sum(p.num_rows for p in parts)
        if not parts:
            notes.append(f"{name}: no exports to {imp_code} and no imports of it")
            method["sources"][name] = m
            continue
        df = pa.concat_tables(parts).to_pandas()
        short = df["product"].str.len() < 6
        if short.any():
            notes.append(f"{name}: {int(short.sum())} rows of product codes shorter than six digits set aside "
                         f"(aggregates; value {df.loc[short, 'value'].sum():,.0f} {currency.upper()})")
            df = df[~short]
        df["product"] = df["product"].str[:6]
        g = (df.groupby(["period", "exporter", "product"], as_index=False)
             .agg(value=("value", "sum"), net_weight_kg=("net_weight_kg", lambda s: s.sum(min_count=1)),
                  estimated=("estimated", "all"), value_basis=("value_basis", "first"), n=("value", "size")))
        g["source"], g["rank"] = name, rank
        frames.append(g)
        method["sources"][name] = m
    import pandas as pd

    if not frames:
        raise InvalidArgumentError(f"invalid argument: no source has trade of importer {imp_code}")
    allrows = pd.concat(frames, ignore_index=True)
    best = allrows.groupby(["period", "exporter", "product"])["rank"].transform("min")
    keep, drop = allrows[allrows["rank"] == best], allrows[allrows["rank"] != best]
    ov = drop.groupby("source", as_index=False).agg(rows=("value", "size"), value=("value", "sum"))
    overlaps = ArrowResult(pa.Table.from_pandas(ov, preserve_index=False), "rows set aside: flow covered by a source of higher priority",
                           [f"priority: {' > '.join(names)}"], {"priority": names})
    if len(drop):
        notes.append(f"{len(drop)} exporter-period-product cells given by several sources: kept the first of "
                     f"{' > '.join(names)}, set aside {drop['value'].sum():,.0f} {currency.upper()} (panel.overlaps)")
    tables = []
    for name in names:
        part = keep[keep["source"] == name]
        if part.empty:
            continue
        part = part.assign(reporter=imp_code)
        tables.append(TradeTable.from_arrow(
            pa.Table.from_pandas(part[["period", "reporter", "exporter", "product", "value", "net_weight_kg",
                                       "estimated", "value_basis"]], preserve_index=False),
            columns={"period": "period", "reporter": "reporter", "partner": "exporter", "product": "product",
                     "value": "value", "net_weight_kg": "net_weight_kg", "estimated": "estimated",
                     "value_basis": "value_basis"},
            flow="import", freq=freq, currency=currency.upper(), vintage=target, country_coding="numeric",
            source=name,
        ))
    panel = concat(tables)
    # Missing partners per period, against the user's list or the union seen.
    expected = sorted(set(_codes(list(partners)))) if partners is not None else sorted(keep["exporter"].unique().tolist())
    periods = _calendar(int(keep["period"].min()), int(keep["period"].max()), freq)
    seen = keep.groupby("period")["exporter"].apply(set).to_dict()
    rows = []
    for p in periods:
        miss = [c for c in expected if c not in seen.get(p, set())]
        rows.append({"period": p, "n_missing": len(miss), "missing": miss,
                     "missing_names": [_name(country, c) for c in miss]})
    basis = "the partners given" if partners is not None else "the union of exporters seen in the panel"
    missing = ArrowResult(pa.Table.from_pylist(rows), f"partners missing per period (vs {basis})",
                          [f"expected partners: {basis} ({len(expected)})"], {"expected": expected, "basis": basis})
    gaps = sum(r["n_missing"] > 0 for r in rows)
    notes.append(f"{gaps} of {len(rows)} periods lack at least one of {len(expected)} expected partners (panel.missing)")
    notes.append(f"values in {currency.upper()}, products HS6 of {target}; exporters' exports read as imports (FOB, estimated)")
    method["expected_partners"] = expected
    return ImportPanel(panel, missing, overlaps, notes, method)


def _name(country: Any, code: int) -> str:
    try:
        return str(country(code).name)
    except Exception:  # an area without a country row (899 Areas, nes)
        return str(code)


def _calendar(lo: int, hi: int, freq: str) -> list[int]:
    if freq == "A":
        return list(range(lo, hi + 1))
    out, p = [], lo
    while p <= hi:
        out.append(p)
        y, m = divmod(p, 100)
        p = (y + 1) * 100 + 1 if m == 12 else p + 1
    return out
