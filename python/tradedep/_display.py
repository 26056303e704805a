"""HTML for Jupyter: tables with blanks for nulls, countries as ISO3 with the name on hover, the
provenance once in the caption (not in every row), the notes and the method mapping."""

from __future__ import annotations

import functools
import html
import json
import math
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    import pyarrow

# Columns that hold countries: ISO3 text in results, numeric codes in trade tables.
COUNTRY_COLUMNS = {"importer", "exporter", "supplier", "reporter", "partner", "destination", "origin", "hub", "top", "country"}
# Columns whose single value is provenance: shown once in the caption.
PROVENANCE_COLUMNS = ("source",)


@functools.lru_cache(maxsize=1)
def _country_names() -> tuple[dict[str, str], dict[int, tuple[str, str]]]:
    """ISO3 -> name and trade code -> (ISO3, name), from the embedded country table."""
    from tradedep import _tradedep

    from tradedep._arrow import arrow_table

    t = _tradedep._countries_table()
    rows = arrow_table(t).to_pylist()
    by_iso3: dict[str, str] = {}
    by_code: dict[int, tuple[str, str]] = {}
    for r in rows:
        if r.get("iso3") and r["iso3"] not in by_iso3:
            by_iso3[r["iso3"]] = r["name"]
        if r.get("comtrade") is not None and r["comtrade"] not in by_code:
            by_code[int(r["comtrade"])] = (r.get("iso3") or str(r["comtrade"]), r["name"])
    return by_iso3, by_code


def is_null(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt(v: Any) -> str:
    """A cell as text: blank for null/NaN, numbers with thousands separators."""
    if is_null(v):
        return ""
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def country_cell(v: Any) -> str:
    """``<abbr title="Russian Federation">RUS</abbr>`` for a known ISO3 code or trade code."""
    if is_null(v):
        return ""
    by_iso3, by_code = _country_names()
    if isinstance(v, int) and v in by_code:
        iso3, name = by_code[v]
        return f'<abbr title="{html.escape(name)} ({v})">{html.escape(iso3)}</abbr>'
    if isinstance(v, str) and v in by_iso3:
        return f'<abbr title="{html.escape(by_iso3[v])}">{html.escape(v)}</abbr>'
    return html.escape(fmt(v))


def _single_value(t: "pyarrow.Table", col: str) -> Any:
    """The column's one non-null value over the whole table, or None when it has several."""
    import pyarrow.compute as pc

    c = t.column(col)
    if hasattr(c.type, "value_type"):  # dictionary column: compare the values, not the indices
        c = c.cast(c.type.value_type)
    u = pc.unique(c.drop_null())
    return u[0].as_py() if len(u) == 1 else None


def _method_html(method: Mapping[str, Any]) -> str:
    if not method:
        return ""
    items = []
    for k, v in method.items():
        text = v if isinstance(v, str) else json.dumps(v, default=str)
        if len(text) > 300:
            text = text[:300] + " ..."
        items.append(f"<li><code>{html.escape(str(k))}</code>: {html.escape(text)}</li>")
    return "<details><summary>method</summary><ul>" + "".join(items) + "</ul></details>"


def html_table(
    t: "pyarrow.Table",
    title: str,
    notes: list[str],
    limit: int = 20,
    method: Mapping[str, Any] | None = None,
) -> str:
    """The first ``limit`` rows as an HTML table, with caption, notes and method."""
    once = {c: v for c in PROVENANCE_COLUMNS if c in t.column_names for v in [_single_value(t, c)] if v is not None}
    cols = [c for c in t.column_names if c not in once]
    head = t.select(cols).slice(0, limit).to_pylist()
    caption = f"<b>{html.escape(title or 'tradedep result')}</b> {t.num_rows:,} rows"
    if once:
        caption += " · " + " · ".join(f"{html.escape(c)}: {html.escape(str(v))}" for c, v in once.items())
    out = [f"<div>{caption}</div>", "<table><thead><tr>"]
    out.append("".join(f"<th>{html.escape(c)}</th>" for c in cols) + "</tr></thead><tbody>")
    for row in head:
        cells = (country_cell(row[c]) if c in COUNTRY_COLUMNS else html.escape(fmt(row[c])) for c in cols)
        out.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    out.append("</tbody></table>")
    if t.num_rows > limit:
        out.append(f"<div>... {t.num_rows - limit:,} more rows</div>")
    out.extend(f"<div><i>{html.escape(n)}</i></div>" for n in notes)
    out.append(_method_html(method or {}))
    return "".join(out)
