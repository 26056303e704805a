"""Economic complexity: revealed comparative advantage (Balassa), ECI and PCI.

ECI and PCI are computed in the core by the eigenvector method exactly as the Growth Lab's
``ecomplexity`` package does it (its sign and standardisation by default). Each year of the
table is its own exporter x product matrix; the results' notes say which rows went in, how many
exporters and products were left out, the eigenvalues, and why a year could not be computed.
"""

from __future__ import annotations

import html
from typing import Any, Literal

from tradedep import _args, _progress, _tradedep
from tradedep._table import ArrowResult, TradeTable, _html_table

__all__: list[str] = ["rca", "complexity", "Complexity"]

Exports = Literal["reported", "mirror"]


def rca(
    table: TradeTable,
    *,
    exports: Exports = "reported",
    digits: int | None = None,
    threshold: float = 1.0,
) -> ArrowResult:
    """Balassa's revealed comparative advantage per (year, exporter, product).

    ``rca = (x_cp / Σ_p x_cp) / (Σ_c x_cp / Σ_cp x_cp)`` with x_cp the exporter's exports of the
    product summed over partners (and over the months of a monthly table), and
    ``m = rca >= threshold``.

    ``exports="reported"`` takes the exporters' own reported exports (rows with flow export;
    every BACI row is one); ``"mirror"`` rebuilds them from the partners' reported imports (rows
    with flow import, CIF values). ``digits`` aggregates products to their first digits (e.g. 4
    for HS4 headings); codes shorter than that are left out and counted in the notes.

    Columns: year, exporter (ISO3), exporter_code, product, value, rca (null where the
    exporter's or the product's total is 0), m, n_rows (table rows summed).

        >>> import tradedep as td
        >>> r = td.rca(baci, digits=4)                 # doctest: +SKIP
        >>> r.to_pandas().query("m")                   # doctest: +SKIP
    """
    table, digits, threshold = _checked(table, "rca", exports, digits, threshold)
    with _progress.task("RCA"):
        t, notes, cov = _tradedep._rca(table._inner, exports, digits, threshold)
    method, world = _world(table, "rca", exports, digits, threshold, cov)
    return ArrowResult(t, "revealed comparative advantage (Balassa)", [*notes, *world], method)


def _checked(table: Any, metric: str, exports: Any, digits: Any, threshold: Any) -> tuple[TradeTable, int | None, float]:
    """The arguments checked (the core checks ``exports``)."""
    table = _args.trade_table(table, metric)
    digits = _args.whole("digits", digits, minimum=1, none=True)
    threshold = _args.number("threshold", threshold)
    return table, digits, threshold


def _world(
    table: TradeTable, metric: str, exports: str, digits: int | None, threshold: float, cov: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The method mapping, with the exporters that make up "the world", and that fact in words.

    ``cov``: what the export view covers, counted by the core in its own pass over the rows (the
    dict ``_tradedep._coverage`` gives for the same selection, without a second pass)."""
    from tradedep._method import describe
    from tradedep._metrics import _selection

    # Exports as the import view sees them: reported exports are the mirror side of imports.
    view_source = "mirror" if exports == "reported" else "reported"
    method, _ = describe(table, _selection(table, None, None, source=view_source), cov, metric)
    exporters = method.pop("suppliers")
    method.pop("importers")
    method.update(metric=metric, source=exports, source_used=exports, digits=digits, threshold=threshold)
    method["world"] = {"n_exporters": len(exporters), "exporters": exporters}
    listed = f" ({', '.join(exporters)})" if len(exporters) <= 30 else ""
    world = [f"the world is the {len(exporters)} exporters of the table{listed}: world totals and RCA are relative to them"]
    method["coverage"] = world
    return method, world


class Complexity:
    """RCA, ECI and PCI of one table, each an :class:`~tradedep.ArrowResult`.

    ``rca``: as :func:`rca`. ``eci``: year, exporter, exporter_code, exports, diversity, eci.
    ``pci``: year, product, exports, ubiquity, pci. ``notes``: what went in and what was left
    out (shared by the three).
    """

    def __init__(self, rca: ArrowResult, eci: ArrowResult, pci: ArrowResult, notes: list[str]) -> None:
        self.rca = rca
        self.eci = eci
        self.pci = pci
        self.notes = notes

    def __repr__(self) -> str:
        lines = [
            f"Complexity(rca: {self.rca.num_rows} rows, eci: {self.eci.num_rows} rows, pci: {self.pci.num_rows} rows)"
        ]
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = ["<div><b>economic complexity</b></div>"]
        parts.append(_html_table(self.eci.to_arrow(), "ECI", [], limit=10))
        parts.append(_html_table(self.pci.to_arrow(), "PCI", [], limit=10))
        parts.append(f"<div>rca: {self.rca.num_rows:,} rows (<code>.rca</code>)</div>")
        parts.extend(f"<div><i>{html.escape(n)}</i></div>" for n in self.notes)
        return "".join(parts)


def complexity(
    table: TradeTable,
    *,
    exports: Exports = "reported",
    digits: int | None = None,
    threshold: float = 1.0,
    pci_scale: Literal["eci", "own"] = "eci",
) -> Complexity:
    """RCA, Economic Complexity Index (ECI) and Product Complexity Index (PCI) per year.

    ``exports``, ``digits`` and ``threshold`` as in :func:`rca`. Per year, on M (``rca >=
    threshold``): exporters with diversity 0 and products with ubiquity 0 are left out (null);
    kp is the eigenvector of ``Mpp = D_p⁻¹ Mᵀ D_c⁻¹ M`` for its second largest eigenvalue,
    ``kc = D_c⁻¹ M kp``, the sign makes ECI correlate positively with diversity, and then, as
    ``ecomplexity`` does (``pci_scale="eci"``), PCI is standardised by ECI's mean and
    (population) standard deviation and ECI by its own; ``pci_scale="own"`` standardises PCI by
    its own mean and standard deviation. A year that cannot be computed (fewer than 2 exporters
    or products left, second eigenvalue 0 or not separated from its neighbours) gets null
    ECI/PCI and a note; when no year can be computed ``InvalidDataError`` says why.

        >>> import tradedep as td
        >>> c = td.complexity(baci, digits=4)          # doctest: +SKIP
        >>> c.eci.to_pandas().sort_values("eci")       # doctest: +SKIP
        >>> c.pci, c.rca, c.notes                      # doctest: +SKIP
    """
    table, digits, threshold = _checked(table, "complexity", exports, digits, threshold)
    with _progress.task("economic complexity"):
        r, e, p, notes, cov = _tradedep._complexity(table._inner, exports, digits, threshold, pci_scale)
    method, world = _world(table, "complexity", exports, digits, threshold, cov)
    notes = [*notes, *world]
    method["pci_scale"] = pci_scale
    return Complexity(
        ArrowResult(r, "revealed comparative advantage (Balassa)", notes, method),
        ArrowResult(e, "economic complexity index (ECI)", notes, method),
        ArrowResult(p, f"product complexity index (PCI, scaled by {pci_scale})", notes, method),
        notes,
    )
