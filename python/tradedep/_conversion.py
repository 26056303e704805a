"""Products of one HS edition meeting data of another: the conversion every metric that takes
products states (notes + ``method["products_conversion"]``), its ``weighting`` and its bounds.

A list (the CHPL is HS2022) selecting products in a table of another edition is carried over
with the UNSD correlation tables (``concordances``; by default those embedded in tradedep,
``td.Concordances.embedded()``). ``weighting`` says how a code linked to several codes is
split (see docs/methods/hs-editions.md):

- ``"continuity"`` (default): a code's trade follows its direct successors (the same code, and
  the codes of the other edition that come from it alone), never the n:n carve-out links;
- ``"equal"``: 1/n over every link;
- a base-period ``TradeTable`` (with ``base_periods``) or a dict code -> value: trade shares.

``bounds=True`` adds ``<column>_lower`` (exact codes only) and ``<column>_upper`` (every linked
code whole) beside the central figure.

    >>> s = td.supplier_shares(trade17, "RUS", products=td.lists.chpl(), bounds=True)  # doctest: +SKIP
    >>> s.method["products_conversion"]["tables"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from tradedep import _defaults
from tradedep import _tradedep
from tradedep._table import ArrowResult, TradeTable

# Result columns that identify a row (what lower/upper figures are joined on).
_KEYS = ("importer", "exporter", "period", "year", "quarter", "month", "product", "supplier", "partner", "a", "b")


class Products:
    """Products resolved for a table's vintage: ``entries`` (code or prefix, weight), ``name``,
    the conversion's ``notes`` and ``method``, and the ``lower``/``upper`` entries for bounds."""

    def __init__(self, entries: list[tuple[str, float]] | None, name: str) -> None:
        self.entries = entries
        self.name = name
        self.notes: list[str] = []
        self.method: dict[str, Any] | None = None
        self.lower: list[tuple[str, float]] | None = entries
        self.upper: list[tuple[str, float]] | None = entries


def _hs_base(vintage: str) -> str:
    return str(_tradedep.hs("01", vintage).hs_vintage)


def _weighting_name(weighting: Any, base_periods: tuple[int, int] | None) -> str:
    if weighting is None or weighting == "continuity":
        return "continuity"
    if isinstance(weighting, str):
        return weighting
    span = f" over periods {base_periods[0]}..{base_periods[1]}" if base_periods else ""
    return ("trade shares of a base-period table" if isinstance(weighting, TradeTable) else "trade shares of given values") + span


def resolve(
    products: Any,
    table: "TradeTable | str | None",
    *,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
    explain: bool = False,
    bounds: bool = False,
) -> Products:
    """``products`` (codes/prefixes, one code, a list or basket) as entries for the data of
    ``table`` (or of a vintage), with the conversion stated. A table whose periods span HS
    editions (``table.vintages``) gets the list carried to each period's edition."""
    vintage = table.vintage if isinstance(table, TradeTable) else table
    if isinstance(table, TradeTable) and hasattr(products, "_product_weights"):
        from tradedep._classify import _period_groups

        groups = _period_groups(table)
        if groups:
            return _per_period(products, table, groups, weighting, base_periods, concordances, explain, bounds)
    if products is None:
        return Products(None, "products")
    if isinstance(products, Products):
        return products
    if not hasattr(products, "_product_weights"):
        from tradedep._args import product_codes

        # Plain codes are checked in one place (_args): ints refused, commas split.
        codes = product_codes(products)
        return Products([(c, 1.0) for c in codes], codes[0] if len(codes) == 1 else "products")
    w = weighting._inner if isinstance(weighting, TradeTable) else weighting
    lo, hi = base_periods if base_periods is not None else (None, None)
    weights = products._product_weights(vintage, concordances, w, lo, hi)
    out = Products([(str(k), float(v)) for k, v in dict(weights).items()], str(getattr(products, "name", "basket")))
    src = str(products.vintage)
    if vintage is None or _hs_base(vintage) == _hs_base(src):
        return out
    conc = concordances if concordances is not None else _tradedep.Concordances.embedded()
    lst = products.to_list() if isinstance(products, _tradedep.Basket) else products
    mapped = lst.map_to(vintage, conc, w, lo, hi)
    applied = Counter(str(m["weighting"]) for m in mapped)
    tables = list(conc.path(src, vintage))
    wname = _weighting_name(weighting, base_periods)
    out.method = {
        "from": src,
        "to": vintage,
        "tables": tables,
        "chain": len(tables) > 1,
        "concordances": "embedded UNSD tables (td.Concordances.embedded())" if concordances is None else "given by the caller",
        "weighting": wname,
        "n_codes": len(mapped),
        "weightings_applied": dict(applied),
    }
    if explain:
        out.method["codes"] = [
            {"code": m["code"], "weight": m["weight"], "entries": m["entries"], "weighting": m["weighting"]} for m in mapped
        ]
    out.notes.append(
        f"products: {out.name} ({src}) carried to {vintage} through {' then '.join(tables)}"
        f" with weighting {wname}: {len(mapped)} {vintage} codes ("
        + "; ".join(f"{n} by {k}" for k, n in sorted(applied.items()))
        + ")"
    )
    if bounds:
        low, up = lst._product_bounds(vintage, concordances)
        out.lower = [(str(k), 1.0) for k in sorted(low)]
        out.upper = [(str(k), 1.0) for k in sorted(up)]
        out.method["bounds"] = {
            "lower": "exact codes only (a code counts whole when its own digits are on the list or all its links are)",
            "upper": "every linked code whole",
            "n_lower": len(out.lower),
            "n_upper": len(out.upper),
        }
    return out


def _per_period(
    products: Any,
    table: TradeTable,
    groups: dict[str, list[int]],
    weighting: Any,
    base_periods: Any,
    concordances: Any,
    explain: bool,
    bounds: bool,
) -> Products:
    """One selection for a table whose periods span HS editions: the list carried to each
    period group's edition, joined. Exact because a code of one edition that also exists in
    another must get the same weight in both; where it would not, raises (filter the table by
    period and call the metric once per edition)."""
    conc = concordances if concordances is not None else _tradedep.Concordances.embedded()
    per: dict[str, tuple[list[int], Products]] = {}
    for base, years in groups.items():
        v = table.vintages[years[-1]]
        per[base] = (years, resolve(products, v, weighting=weighting, base_periods=base_periods,
                                    concordances=concordances, explain=explain, bounds=bounds))
    joined: dict[str, float] = {}
    for base, (_, p) in per.items():
        for code, w in p.entries or []:
            other = [(b, dict(q.entries or [])) for b, (_, q) in per.items() if b != base]
            for b, entries in other:
                wb = entries.get(code)
                exists = wb is not None or bool(conc.split(code, b, base)["parts"]) if len(code) == 6 else wb is not None
                if exists and (wb or 0.0) != w:
                    raise _tradedep.InvalidArgumentError(
                        f"{code} counts {w:g} in {base} periods and {wb or 0.0:g} in {b} periods of this table "
                        f"(vintages per period {table.vintages}): filter the table by period "
                        "(table.filter(periods=...)) and select in each edition separately"
                    )
            joined[code] = w
    out = Products(sorted(joined.items()), next(iter(per.values()))[1].name)
    out.method = {
        "per_period": {
            f"{years[0]}-{years[-1]}": (p.method or {"from": products.vintage, "to": table.vintages[years[-1]], "tables": []})
            for years, p in per.values()
        },
        "period_vintages": table.vintages,
    }
    out.notes = [f"periods {years[0]}-{years[-1]}: {n}" for years, p in per.values() for n in p.notes] or [
        f"products selected per period in each period's vintage {table.vintages}"
    ]
    if bounds:
        out.lower = sorted({e for _, p in per.values() for e in (p.lower or [])})
        out.upper = sorted({e for _, p in per.values() for e in (p.upper or [])})
    return out


def finish(
    result: ArrowResult,
    prod: Products,
    cols: tuple[str, ...] = (),
    metric: Callable[..., ArrowResult] | None = None,
    args: dict[str, Any] | None = None,
) -> ArrowResult:
    """The result with the conversion's notes and method; when ``args["bounds"]`` the columns
    ``<col>_lower`` and ``<col>_upper``, from ``metric`` called again with ``args`` on the lower
    and upper products, joined on the result's key columns (0 where a bound selects nothing)."""
    rerun = None
    if metric is not None and args is not None and args.get("bounds"):
        rerun = lambda e: metric(**{**args, "products": Products(e, prod.name), "bounds": False})  # noqa: E731
    import pyarrow as pa

    table = result.to_arrow()
    method = dict(result.method)
    if prod.method is not None:
        method["products_conversion"] = prod.method
    if rerun is not None:
        keys = [k for k in _KEYS if k in table.column_names]
        here = list(zip(*(table[k].to_pylist() for k in keys))) if keys else [()] * table.num_rows
        for side, entries in (("lower", prod.lower), ("upper", prod.upper)):
            other = rerun(entries).to_arrow()
            there = list(zip(*(other[k].to_pylist() for k in keys))) if keys else [()] * other.num_rows
            for c in cols:
                if c not in other.column_names:
                    continue
                found = dict(zip(there, other[c].to_pylist()))
                # A cell the bound selects nothing in has 0 value (other figures are undefined there).
                missing = 0.0 if c in ("value", "total_value") else None
                table = table.append_column(f"{c}_{side}", pa.array([found.get(k, missing) for k in here], pa.float64()))
        method.setdefault("products_conversion", {"from": None, "to": None, "tables": []})
        method["bounds_columns"] = [f"{c}_{s}" for c in cols for s in ("lower", "upper")]
    return ArrowResult(table, result.title, result.notes + prod.notes, method)
