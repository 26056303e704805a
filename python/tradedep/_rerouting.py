"""Re-routing detection: did an origin's exports to a sanctioned target move to hubs?

The core computes, per destination (hubs, the target, control destinations) and period, the
origin's exports against a baseline (index, log change), the difference in differences against
the controls summed, the hubs' exports to the target, ghost trade (origin's reported exports to a
hub minus the hub's reported imports from it) and unit values. See :func:`rerouting`.
"""

from __future__ import annotations

import html
from typing import Any, Iterable, Literal

from tradedep import _defaults
from tradedep import _tradedep
from tradedep import _conversion
from tradedep._metrics import _importers, _products, _resolve
from tradedep._method import rerouting_method
from tradedep._table import ArrowResult, TradeTable, _html_table

__all__: list[str] = ["rerouting", "Rerouting"]

ExportSource = Literal["reported", "mirror"]


class Rerouting:
    """The four tables of a re-routing analysis, each an :class:`~tradedep.ArrowResult`.

    ``flows``: per (destination, [product], period) the origin's exports with role, window,
    value, gap, baseline_mean, n_baseline, index, log_change, controls_value,
    controls_log_change, did, quantity, quantity_unit, quantity_value_share, unit_value, baseline_unit_value,
    unit_value_index, source, n_rows. ``summary``: per (destination, [product]) and for the
    controls summed, the after window's mean against the baseline mean (baseline_mean,
    n_baseline, after_mean, n_after, index, log_change, controls_log_change, did,
    quantity_unit, baseline_unit_value, after_unit_value, unit_value_index). ``hub_target``:
    per (hub, [product], period) the hubs' exports to the target with their index.
    ``ghost``: per (hub, [product], period) exports_reported, imports_reported, imports_fob,
    ghost, ghost_share, hub_reported, n_export_rows, n_import_rows. ``notes``: which rows went
    in, the controls, the windows, and why a number is null (shared by the four).
    """

    def __init__(
        self, flows: ArrowResult, summary: ArrowResult, hub_target: ArrowResult, ghost: ArrowResult, notes: list[str]
    ) -> None:
        self.flows = flows
        self.summary = summary
        self.hub_target = hub_target
        self.ghost = ghost
        self.notes = notes

    def __repr__(self) -> str:
        lines = [
            f"Rerouting(flows: {self.flows.num_rows} rows, summary: {self.summary.num_rows} rows, "
            f"hub_target: {self.hub_target.num_rows} rows, ghost: {self.ghost.num_rows} rows)"
        ]
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = ["<div><b>re-routing</b></div>"]
        parts.append(_html_table(self.summary.to_arrow(), "summary (after window against baseline)", [], limit=20))
        parts.append(
            f"<div>flows: {self.flows.num_rows:,} rows (<code>.flows</code>), hub -> target: "
            f"{self.hub_target.num_rows:,} (<code>.hub_target</code>), ghost trade: {self.ghost.num_rows:,} "
            "(<code>.ghost</code>)</div>"
        )
        parts.extend(f"<div><i>{html.escape(n)}</i></div>" for n in self.notes)
        return "".join(parts)


def _one_code(x: Any, what: str) -> int:
    codes = _resolve(x)
    if len(codes) != 1:
        raise _tradedep.InvalidArgumentError(f"{what}={x!r} names {len(codes)} countries; name one country")
    return codes[0]


def _codes(xs: Iterable[Any], what: str) -> list[int]:
    items = [xs] if isinstance(xs, (str, int)) else list(xs)
    return [_one_code(x, what) for x in items]


def _range(r: int | tuple[int, int] | None) -> tuple[int, int] | None:
    if r is None:
        return None
    if isinstance(r, int):
        return (r, r)
    lo, hi = r
    return (int(lo), int(hi))


def rerouting(
    table: TradeTable,
    origin: Any = "EU27",
    hubs: Iterable[Any] = ("KAZ", "KGZ", "ARM", "GEO", "UZB", "TUR", "ARE"),
    target: Any = "RUS",
    *,
    baseline: int | tuple[int, int],
    after: int | tuple[int, int] | None = None,
    controls: Iterable[Any] | None = None,
    products: Any = None,
    by_product: bool = False,
    exports: ExportSource = "reported",
    hub_exports: ExportSource = "reported",
    cif_fob: float = _defaults.CIF_FOB,
    weighting: Any = _defaults.WEIGHTING,
    base_periods: tuple[int, int] | None = None,
    concordances: Any = None,
) -> Rerouting:
    """Did the origin's exports to ``target`` re-route through ``hubs``?

    ``origin``: a country, a list of countries or a group resolved per period (``"EU27"``: the
    UK counts until 2020-01-31); exports between its members are left out. ``hubs`` and
    ``target``: countries (codes, ISO3 or names). ``controls``: destinations to compare with
    (default: every other destination of the origin in the table that is neither a hub, the
    target, an origin member in any period, nor a sanctioned destination: Russia, Council Reg.
    (EU) 833/2014, and Belarus, Council Reg. (EC) 765/2006; the notes list them and warn when one
    control is over half of the controls' baseline). ``products``: codes,
    prefixes, or a basket/list object; summed, or one series each with ``by_product=True``.

    ``baseline`` and ``after``: a year or an inclusive ``(first, last)`` range of years, or of
    ``YYYYMM`` months in a monthly table; ``after`` defaults to every period after the
    baseline. Rows are the table's periods on a complete calendar. A period in which the
    series' reporting side (the origin, or the destination with ``exports="mirror"``) reported
    other flows but not this one counts 0; only a period it reported nothing in is a gap (null,
    never a silent zero). The baseline mean is the mean over the baseline periods that are not
    gaps (a monthly table compares months with the mean month). ``index = 100 v / baseline_mean``, ``log_change = ln(v /
    baseline_mean)``, ``did = log_change - controls_log_change`` (controls summed) for the hubs
    and the target.

    ``exports="reported"``: the origin's reported exports (flow export); ``"mirror"``: the
    destinations' imports from the origin divided by ``cif_fob``. ``hub_exports`` likewise for
    hub -> target (the hubs' exports, or the target's imports from the hubs). Ghost trade is
    always the origin's reported exports minus the hub's reported imports / ``cif_fob``; null
    where the hub reported no imports in the period. Values stay in the table's currency.

        >>> import tradedep as td
        >>> eu = td.read_comext("eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz")  # doctest: +SKIP
        >>> r = td.rerouting(eu, origin="EU27", hubs=["KAZ", "KGZ", "ARM"], target="RUS",
        ...                  products=["85423190"], baseline=(2021, 2021))       # doctest: +SKIP
        >>> r.summary.to_pandas()[["destination", "index", "did"]]              # doctest: +SKIP
        >>> r.flows.to_pandas(); r.ghost.to_pandas(); r.notes                   # doctest: +SKIP
    """
    for name, value in (("exports", exports), ("hub_exports", hub_exports)):
        if value not in ("reported", "mirror"):
            raise _tradedep.InvalidArgumentError(f"{name}={value!r}: use 'reported' or 'mirror'")
    # A list of countries is one origin; a dict names it ({"EU": [...]}).
    origins = [("origin", _resolve(list(origin)))] if isinstance(origin, (list, tuple, set)) else _importers(origin)
    if len(origins) != 1:
        raise _tradedep.InvalidArgumentError("origin is one country or group: a code, a name, a group such as 'EU27', a list of countries or {label: codes}")
    # A list of another HS edition is carried to the table's (per period): docs/methods/hs-editions.md.
    prod = _conversion.resolve(products, table, weighting=weighting, base_periods=base_periods, concordances=concordances)
    entries, name = _products(prod, table.vintage)
    arguments = dict(
        origin=origins[0],
        hubs=_codes(hubs, "hubs"),
        target=_one_code(target, "target"),
        controls=None if controls is None else _codes(controls, "controls"),
        products=entries,
        products_name=name,
        vintage=table.vintage,
        by_product=by_product,
        baseline=_range(baseline),
        after=_range(after),
        exports=exports,
        hub_exports=hub_exports,
        cif_fob=float(cif_fob),
    )
    method = rerouting_method(table, arguments)
    flows, summary, hub_target, ghost, notes, facts = _tradedep._rerouting(table._inner, arguments)
    notes = [*notes, *method["coverage"], *prod.notes]
    controls, default, sanctioned, dominant = facts
    method.update(
        controls=controls,
        controls_rule="default: other destinations, not hubs, target, origin members or sanctioned"
        if default else "given",
        sanctioned_left_out=sanctioned,
        sanctioned_list="RUS (Council Reg. (EU) 833/2014), BLR (Council Reg. (EC) 765/2006)",
        dominant_controls=[{"control": c, "product": p, "baseline_share": s} for c, p, s in dominant],
        gaps="0 where the reporting side reported other flows in the period; gap where it reported nothing",
        quantities="summed over rows with a quantity, one unit; unit value = value with quantity / quantity",
    )
    if prod.method is not None:
        method["products_conversion"] = prod.method
    return Rerouting(
        ArrowResult(flows, "re-routing: origin's exports by destination and period", notes, method),
        ArrowResult(summary, "re-routing: after window against baseline", notes, method),
        ArrowResult(hub_target, "re-routing: hub -> target exports", notes, method),
        ArrowResult(ghost, "re-routing: ghost trade", notes, method),
        notes,
    )
