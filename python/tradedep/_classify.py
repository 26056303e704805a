"""Dual-use classification: product codes, nomenclatures, vintage conversion, lists, baskets,
``classify`` and ``explain``.

    >>> import tradedep as td
    >>> td.hs("854231").heading
    '8542'
    >>> chpl = td.lists.chpl()
    >>> td.explain("852589", chpl).listed
    True
"""

from __future__ import annotations

import html
import os
from typing import Any, Iterable, Union

from tradedep import _defaults
from tradedep import lists
from tradedep._table import ArrowResult, TradeTable
from tradedep._tradedep import Basket, Concordances, Nomenclature, ProductCode, ProductList
from tradedep import _tradedep

__all__ = [
    "Basket",
    "Concordances",
    "Explanation",
    "Nomenclature",
    "ProductCode",
    "ProductList",
    "baskets",
    "classify",
    "convert",
    "describe",
    "explain",
    "hs",
    "lists",
    "load_concordances",
    "load_nomenclature",
]

PathLike = Union[str, "os.PathLike[str]"]
Lists = Union[ProductList, Basket, Iterable[Union[ProductList, Basket]]]

# Tables loaded by the user in this session, used when a function is not given one.
_nomenclatures: dict[str, Nomenclature] = {}


def hs(code: str, vintage: str = "HS2022") -> ProductCode:
    """A checked product code with its hierarchy (chapter, heading, subheading, national extension).

        >>> c = td.hs("85423190", "CN2023")
        >>> (c.chapter, c.heading, c.subheading, c.national_extension, c.level)
        ('85', '8542', '854231', '90', 'national')
    """
    return _tradedep.hs(code, vintage)


def load_nomenclature(path: PathLike, vintage: str | None = None) -> Nomenclature:
    """Loads an HS nomenclature (Comtrade ``classificationH6.json`` or ``hs2022_harmonized-system.csv``)
    and makes it the one ``describe`` uses for its vintage.

        >>> td.load_nomenclature("classificationH6.json")  # doctest: +SKIP
    """
    nom = Nomenclature.load(os.fspath(path), vintage)
    _nomenclatures[nom.vintage] = nom
    return nom


def describe(code: str, vintage: str = "HS2022", nomenclature: Nomenclature | None = None) -> str:
    """The description of a code with its chapter and heading; an unknown code raises
    ``InvalidProductError`` (never an empty answer). National codes (``vintage="CN2023"``) are
    described by their HS6 subheading in the HS edition they are built on.

        >>> td.describe("854470")  # doctest: +SKIP
        '854470 (HS2022): Insulated electric conductors; optical fibre cables ... [85 ... > 8544 ...]'
    """
    nom = nomenclature or _nomenclatures.get(_tradedep.hs("01", vintage).hs_vintage)
    if nom is None:
        raise _tradedep.InvalidArgumentError(
            f"no {vintage} nomenclature loaded. Call td.load_nomenclature(path) with the Comtrade "
            "classification JSON or the harmonized-system CSV first"
        )
    return nom.describe(code)


def load_concordances(path: PathLike, *, with_embedded: bool = True) -> Concordances:
    """Loads the UNSD correlation tables of a folder (CSV or the .xlsx workbooks) or one file.
    Pass the result as ``concordances=`` to ``classify``, ``explain``, ``convert`` and the metrics.

    No call is needed for HS1992 ... HS2022: every function's default (``concordances=None``) is
    the UNSD tables embedded in tradedep, ``td.Concordances.embedded()`` (sources and checksums in
    docs/methods/hs-editions.md). Load tables for newer editions or corrected files; with
    ``with_embedded=True`` the embedded tables fill in the pairs the loaded ones do not cover.

        >>> conc = td.load_concordances("hs_concordance/")  # doctest: +SKIP
        >>> conc.path("HS2022", "HS2012")  # doctest: +SKIP
        >>> td.classify(trade, td.lists.chpl(), concordances=conc)  # doctest: +SKIP
    """
    p = os.fspath(path)
    if os.path.isdir(p):
        conc = Concordances.load_dir(p)
    else:
        conc = Concordances()
        conc.add(p)
    return conc.with_embedded() if with_embedded else conc


def _as_lists(lsts: Lists) -> list[ProductList]:
    if isinstance(lsts, (ProductList, Basket)):
        lsts = [lsts]
    out = []
    for x in lsts:
        if isinstance(x, Basket):
            out.append(x.to_list())
        elif isinstance(x, ProductList):
            out.append(x)
        else:
            raise _tradedep.InvalidArgumentError(f"expected a ProductList or Basket, got {type(x).__name__}")
    return out


def _weighting_args(weighting: Any, base_periods: tuple[int, int] | None) -> tuple[Any, int | None, int | None]:
    if isinstance(weighting, TradeTable):
        weighting = weighting._inner
    lo, hi = base_periods if base_periods is not None else (None, None)
    return weighting, lo, hi


def classify(
    table: Any,
    lists: Lists,
    *,
    product: str = "product",
    vintage: str | None = None,
    concordances: Concordances | None = None,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
) -> ArrowResult:
    """Tags each row with the lists its product is on.

    ``table`` is a ``td.TradeTable`` or any Arrow table (pyarrow, polars, a pandas frame through
    ``pyarrow.table(df)``) with a text column ``product``. The result has the table's own columns
    (not copied) plus, per list, ``<list>.entry``, ``<list>.tier``, ``<list>.category``,
    ``<list>.control_entry``, ``<list>.match`` (exact / prefix / converted) and ``<list>.weight``
    (the part of the row that counts: 1, or the conversion weight; 0 when not on the list).

    A list of another HS edition than the table is carried over with the correlation tables
    (``concordances``; by default the UNSD tables of every edition embedded in tradedep,
    ``td.Concordances.embedded()``). ``weighting`` says how a code linked to several codes of the
    other edition is split (docs/methods/hs-editions.md):

    - ``"continuity"`` (default): a code's trade follows its direct successors (the same code when
      it continues, and the codes of the other edition that come from it alone); its n:n links to
      carve-outs fed by many codes (the HS2022 e-waste heading 8549, 8524, 854151/854159) get 0.
      So HS2017 854231 counts 1 for the HS2022 CHPL entry 854231, and HS2017 851712 (phones) goes
      to 851713/851714, half each, not to 854151/854159; a code with no direct successor is split
      equally over every link.
    - ``"equal"``: every counterpart gets 1/n (HS2017 854231 counts only 1/7).
    - a base-period ``TradeTable`` (``base_periods=(2022, 2022)``) or a dict code -> base-period
      value: trade shares of the counterparts.

    The notes name the weighting asked for and those applied.

        >>> tagged = td.classify(trade, td.lists.chpl())  # doctest: +SKIP
        >>> tagged.to_pandas().groupby("CHPL.tier")["value"].sum()  # doctest: +SKIP
    """
    w, lo, hi = _weighting_args(weighting, base_periods)
    if isinstance(table, TradeTable) and vintage is None and _period_groups(table):
        return _classify_per_period(table, lists, product, concordances, weighting, base_periods)
    t = table._inner if isinstance(table, TradeTable) else table
    names = [lst.name for lst in _as_lists(lists)]
    pytable, notes = _tradedep._classify(
        t, _as_lists(lists), product, vintage, concordances, w, lo, hi
    )
    return ArrowResult(pytable, f"classified against {', '.join(names)}", list(notes))


def _period_groups(table: TradeTable) -> dict[str, list[int]]:
    """HS base -> years, for a table whose per-period vintages span several HS editions
    (CN2021 is HS2017-based, CN2022 HS2022-based); {} when one edition holds for all periods."""
    groups: dict[str, list[int]] = {}
    for year, v in sorted(table.vintages.items()):
        groups.setdefault(str(_tradedep.hs("01", v).hs_vintage), []).append(year)
    return groups if len(groups) > 1 else {}


def _classify_per_period(
    table: TradeTable, lists: Lists, product: str, concordances: Any, weighting: Any, base_periods: Any
) -> ArrowResult:
    """``classify`` of each period in its own vintage: the rows of each year group are tagged
    with the list carried to that year's vintage, then put back in the table's order."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = table.to_arrow()
    t = t.append_column("__row", pa.array(range(t.num_rows), pa.int64()))
    year = pc.divide(t["period"], 100) if table.freq == "M" else t["period"]
    parts, notes = [], []
    for years in _period_groups(table).values():
        vintages = sorted({table.vintages[y] for y in years})
        part = t.filter(pc.is_in(year, pa.array(years, pa.int32())))
        r = classify(part, lists, product=product, vintage=vintages[-1], concordances=concordances,
                     weighting=weighting, base_periods=base_periods)
        parts.append(r.to_arrow())
        notes += [f"periods {years[0]}-{years[-1]} ({', '.join(vintages)}): {n}" for n in r.notes]
    out = pa.concat_tables(parts, promote_options="permissive")
    out = out.take(pc.sort_indices(out["__row"])).drop_columns(["__row"])
    names = [lst.name for lst in _as_lists(lists)]
    return ArrowResult(out, f"classified against {', '.join(names)} per period", notes,
                       {"period_vintages": table.vintages})


class Explanation:
    """Why a code is or is not on a list. ``str(e)`` reads as sentences; the fields hold the parts:
    ``listed``, ``match``, ``weight``, ``entries`` [(entry, tier, weight)], ``path`` (correlation
    tables used), ``weighting`` (the one applied to this code's conversion, None without
    conversion), ``counterparts`` [(code, weight)] and ``nearby`` entries."""

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d
        self.text: str = d["text"]
        self.code: str = d["code"]
        self.vintage: str = d["vintage"]
        self.list: str = d["list"]
        self.listed: bool = d["listed"]
        self.match: str | None = d["match"]
        self.weight: float = d["weight"]
        self.entries: list[tuple[str, str | None, float]] = list(d["entries"])
        self.path: list[str] = list(d["path"])
        self.weighting: str | None = d["weighting"]
        self.counterparts: list[tuple[str, float]] = list(d["counterparts"])
        self.nearby: list[str] = list(d["nearby"])

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Explanation({self.text!r})"

    def _repr_html_(self) -> str:
        return f"<div>{html.escape(self.text)}</div>"


def explain(
    code: str,
    lst: ProductList | Basket,
    *,
    vintage: str | None = None,
    concordances: Concordances | None = None,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
) -> Explanation:
    """Why ``code`` (of ``vintage``, default the list's) is or is not on ``lst``, and through which
    conversion and weighting (``weighting`` as in :func:`classify`; the answer's ``weighting``
    field and text name the one applied to this code).

        >>> print(td.explain("852589", td.lists.chpl()))
        852589 (HS2022) is on CHPL 2024-02-23 (HS2022): exact match of entry 852589 (tier 3.A) Television cameras; n.e.c. in item no 8525.8.
    """
    w, lo, hi = _weighting_args(weighting, base_periods)
    lst = _as_lists(lst)[0]
    d = _tradedep._explain(code, lst, vintage, concordances, w, lo, hi)
    return Explanation(dict(d))


def convert(
    table: TradeTable,
    to: str,
    *,
    concordances: Concordances | None = None,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
) -> TradeTable:
    """The table in another HS edition: rows of codes that split become several rows with value,
    quantity and weight multiplied by the weights (and ``estimated`` set when a weight is below 1);
    the report notes the tables and weighting used. ``weighting`` as in :func:`classify`: by
    default (``"continuity"``) a code that continues in ``to`` keeps its row whole, others are
    split equally; parts of weight 0 make no row.

        >>> trade22 = td.convert(trade17, "HS2022", weighting=base_2022, base_periods=(2022, 2022))  # doctest: +SKIP
    """
    conc = concordances if concordances is not None else Concordances.embedded()
    w, lo, hi = _weighting_args(weighting, base_periods)
    return TradeTable(conc.convert_table(table._inner, to, w, lo, hi))


class _Baskets:
    """Documented baskets shipped with tradedep (HS2022). Each has ``reasoning``; see the Rust docs
    of ``tradedep::classify::basket`` for the code-by-code reasons."""

    @staticmethod
    def drone_components() -> Basket:
        """Drone parts: 8806 (unmanned aircraft), 880730 (their parts), 850110 and 850131 (small
        motors), 850760 (Li-ion batteries), 852589 (cameras), 852691 (GNSS receivers), 8542 (ICs),
        854470 (optical fibre cable) and 900110 (optical fibres) for fibre-guided drones.

            >>> "880621" in td.baskets.drone_components()
            True
        """
        return Basket.builtin("drone_components")

    @staticmethod
    def microelectronics() -> Basket:
        """8541 semiconductor devices, 8542 ICs, 8486 semiconductor manufacturing machines,
        903082 wafer/device test instruments, 381800 doped wafers.

            >>> "854231" in td.baskets.microelectronics()
            True
        """
        return Basket.builtin("microelectronics")

    @staticmethod
    def cnc_machine_tools() -> Basket:
        """Machine tools of headings 8456-8466 including parts (8466): an upper bound for CNC,
        since HS6 does not separate numerically controlled machines in every heading.

            >>> "845811" in td.baskets.cnc_machine_tools()
            True
        """
        return Basket.builtin("cnc_machine_tools")

    def __repr__(self) -> str:
        return "td.baskets: drone_components(), microelectronics(), cnc_machine_tools()"


baskets = _Baskets()


def _list_html(lst: ProductList) -> str:
    """HTML for Jupyter: the list's identity, then its entries."""
    rows = lst.entries()
    cols = ["code", "tier", "description", "control_entries"]
    cols = [c for c in cols if any(r.get(c) for r in rows)] or ["code"]
    head = (
        f"<div><b>{html.escape(lst.name)}</b> version {html.escape(lst.version)} "
        f"({html.escape(lst.vintage)}), {len(lst)} entries"
        + (f"; tiers {html.escape(', '.join(lst.tiers()))}" if lst.tiers() else "")
        + f"<br><i>{html.escape(lst.source)}</i></div>"
    )
    body = ["<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr></thead><tbody>"]
    for r in rows[:60]:
        cells = []
        for c in cols:
            v = r.get(c)
            v = " ".join(v) if isinstance(v, list) else ("" if v is None else str(v))
            cells.append(f"<td>{html.escape(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    body.append("</tbody></table>")
    if len(rows) > 60:
        body.append(f"<div>... {len(rows) - 60} more entries</div>")
    return head + "".join(body)


def _basket_html(b: Basket) -> str:
    return (
        f"<div><b>{html.escape(b.name)}</b> ({html.escape(b.vintage)}): "
        f"{html.escape(', '.join(b.prefixes()))}"
        + (f"<br><i>{html.escape(b.reasoning)}</i>" if b.reasoning else "")
        + "</div>"
    )
