"""The ``method`` mapping and notes every metric result carries: how its numbers were made and
what they cover.

The facts come from the core's coverage check (``metrics::check_selection``, bound as
``_tradedep._coverage``), which also refuses a selection that selects nothing. This module only
puts them into a mapping and into words; the keys are documented in ``docs/methods/results.md``.
"""

from __future__ import annotations

from typing import Any

from tradedep import _tradedep
from tradedep._table import TradeTable

# Lists of countries longer than this are given as a count in the notes (the method keeps them all).
_LIST_IN_WORDS = 30


def _listed(labels: list[str]) -> str:
    """" (AUT, BEL ...)" for a short list of countries, nothing for a long one."""
    return f" ({', '.join(labels)})" if 0 < len(labels) <= _LIST_IN_WORDS else ""


def table_facts(table: TradeTable) -> dict[str, Any]:
    """The table's own facts every method states."""
    return {"currency": table.currency, "vintage": table.vintage, "freq": table.freq, "importers_read": table.importers_read}


def source_sentence(source: str, n_rep: int, n_mir: int, cif_fob: float) -> str:
    """The note that says whose reports a result rests on."""
    src = f"source: {source}"
    if source == "auto":
        src += f" ({n_rep:,} records from importers' reported imports, {n_mir:,} from partners' exports (mirror))"
    if n_mir and cif_fob != 1.0:
        src += f"; mirror values x {cif_fob} (CIF/FOB)"
    elif n_mir:
        src += "; mirror values FOB as exporters reported them (cif_fob=1.0)"
    return src


def coverage_sentences(n_rep: int, n_mir: int, importers: list[str], exporters: list[str]) -> list[str]:
    """Who the numbers cover: the exporters behind mirror values, the importers behind reported ones."""
    coverage: list[str] = []
    if n_mir:
        coverage.append(f"suppliers: only the {len(exporters)} exporters that reported exports in the table{_listed(exporters)}")
    if n_rep:
        coverage.append(f"reported imports: only the {len(importers)} importers that reported imports in the table{_listed(importers)}")
    return coverage


def covered(table: TradeTable, selection: dict[str, Any], metric: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Runs the coverage check on ``selection`` (raises when it selects nothing) and returns the
    selection to compute with (``auto`` resolved to the only side a one-sided table has: same
    rows, the fast paths apply), the method mapping and the notes."""
    cov = dict(_tradedep._coverage(table._inner, selection))
    method, notes = describe(table, selection, cov, metric)
    run = dict(selection)
    run["source"] = cov["source_used"]
    return run, method, notes


def describe(
    table: TradeTable, selection: dict[str, Any], cov: dict[str, Any], metric: str
) -> tuple[dict[str, Any], list[str]]:
    """Method mapping and notes from a selection and its coverage facts."""
    source, used = selection["source"], cov["source_used"]
    cif_fob = selection["cif_fob"]
    n_rep, n_mir = cov["records_reported"], cov["records_mirror"]
    method: dict[str, Any] = {"metric": metric, "source": source, "source_used": used}
    method["records"] = {"reported": n_rep, "mirror": n_mir}
    method["value"] = {"reported": cov["value_reported"], "mirror": cov["value_mirror"]}
    method["cif_fob"] = cif_fob
    method.update(table_facts(table))
    absent = list(cov["products_absent"])
    if selection["products"] is None:
        method["products"] = {"name": "all products", "n_asked": 0, "absent": [], "n_codes_selected": cov["products_selected"]}
    else:
        method["products"] = {
            "name": selection["products_name"],
            "n_asked": cov["products_asked"],
            "absent": absent,
            "n_codes_selected": cov["products_selected"],
        }
    method["products_absent"] = absent
    method["groups"] = {label: codes for label, codes in selection["groups"]}
    method["include_intra_group"] = selection["include_intra_group"]
    method["importers"] = cov["importers"]
    method["suppliers"] = cov["suppliers"]
    method["reporters"] = {"importers": cov["importers_reporting"], "exporters": cov["exporters_reporting"]}
    method["quantity_share"] = cov["quantity_share"]

    notes: list[str] = [source_sentence(source, n_rep, n_mir, cif_fob)]
    notes.append(f"values in {table.currency}; product codes {table.vintage or 'of unknown vintage'}")
    restriction = table._inner.restriction
    if restriction is not None:
        notes.append(f"the table is {restriction} (read with importers= or a panel): no other importer's rows are in it")
    coverage = coverage_sentences(n_rep, n_mir, cov["importers_reporting"], cov["exporters_reporting"])
    method["coverage"] = coverage
    notes.extend(coverage)
    if selection["products"] is not None:
        label = "" if selection["products_name"] == "products" else f" {selection['products_name']}"
        p = f"products{label}: {cov['products_asked']} code(s) asked, {cov['products_selected']} table code(s) selected"
        if absent:
            shown = ", ".join(absent[:20]) + (f", ... {len(absent) - 20} more" if len(absent) > 20 else "")
            p += f"; {len(absent)} absent from the data: {shown}"
        notes.append(p)
    share = cov["quantity_share"]
    if share is not None and share < 1.0:
        notes.append(f"quantities known for {share:.1%} of the value")
    return method, notes


def rerouting_method(table: TradeTable, arguments: dict[str, Any]) -> dict[str, Any]:
    """The method mapping of ``td.rerouting`` from its arguments dict (as the binding reads it):
    the products checked against the table (codes absent listed, none present raises) and who
    reported on each side."""
    selection = dict(
        importers=None, products=arguments["products"], products_name=arguments["products_name"],
        vintage=table.vintage, groups=[], source="auto", cif_fob=arguments["cif_fob"], include_intra_group=False,
    )
    cov = dict(_tradedep._coverage(table._inner, selection))
    method, _ = describe(table, selection, cov, "rerouting")
    for key in ("source", "source_used", "records", "value", "importers", "suppliers", "groups", "include_intra_group"):
        method.pop(key)
    label, codes = arguments["origin"]
    method.update(
        origin={"label": label, "codes": codes}, hubs=arguments["hubs"], target=arguments["target"],
        controls=arguments["controls"], exports=arguments["exports"], hub_exports=arguments["hub_exports"],
        baseline=arguments["baseline"], after=arguments["after"], by_product=arguments["by_product"],
    )
    exp, imp = cov["exporters_reporting"], cov["importers_reporting"]
    method["coverage"] = [
        f"exporters that reported exports in the table: {len(exp)}{_listed(exp)}; importers that reported imports: {len(imp)}{_listed(imp)}"
    ]
    if cov["products_absent"]:
        method["coverage"].append(f"{len(cov['products_absent'])} product code(s) absent from the data: {', '.join(cov['products_absent'][:20])}")
    return method
