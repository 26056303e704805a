"""Shared look of tradedep's figures: palette, panels, period ticks, the caption from the result.

Every figure is made through pyplot (so Jupyter's inline backend is set up) and then closed from
pyplot's registry: the returned Figure is drawn once, by Jupyter displaying the return value,
never a second time by the inline backend at the end of the cell. In a script, save it with
``fig.savefig(...)`` (``plt.show()`` does not see closed figures).
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, Sequence

from tradedep._tradedep import InvalidArgumentError

if TYPE_CHECKING:
    import pandas
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# 18 colours distinct from each other and from grey: tab10's strong colours, then tab20's light ones. Series
# beyond ``max_series`` are drawn together as one grey "other".
OTHER = "other"
OTHER_COLOUR = "#9e9e9e"
MAX_PANELS = 16


def palette(n: int) -> list[Any]:
    """``n`` distinct colours (at most 18: group the rest as "other" first)."""
    from matplotlib import colormaps

    # tab10's grey (index 7) is left out: grey means "other" / "Rest of world".
    tab10, tab20 = getattr(colormaps["tab10"], "colors"), getattr(colormaps["tab20"], "colors")
    strong = [c for i, c in enumerate(tab10) if i != 7]
    light = [tab20[2 * i + 1] for i in range(10) if i != 7]
    colours = strong + light
    if n > len(colours):
        raise InvalidArgumentError(f"{n} series cannot be told apart; pass max_series <= {len(colours)}")
    return colours[:n]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("td.plot needs matplotlib: pip install 'tradedep[plot]'") from e
    return plt


def panels(n: int, *, width: float = 5.0, height: float = 3.6, sharey: bool = True) -> tuple["Figure", list["Axes"]]:
    """A figure of ``n`` small multiples: one row up to 3 panels, 2x2 for 4, then 3 columns."""
    if n > MAX_PANELS:
        raise InvalidArgumentError(
            f"{n} panels are too many to read; select fewer importers/products (importer=..., product=...)"
        )
    plt = _pyplot()
    cols = n if n <= 3 else (2 if n == 4 else 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(width * cols, height * rows + 0.9), squeeze=False, sharey=sharey, layout="constrained"
    )
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    plt.close(fig)  # out of pyplot's registry: drawn once in Jupyter (see the module docstring)
    return fig, flat[:n]


def group_other(order: Sequence[Any], max_series: int) -> tuple[list[Any], set[Any]]:
    """The first ``max_series - 1`` series by ``order`` and the rest (drawn as one "other")."""
    order = list(order)
    if len(order) <= max_series:
        return order, set()
    kept = order[: max_series - 1]
    return kept, set(order[max_series - 1 :])


def colours_for(names: Sequence[Any]) -> dict[Any, Any]:
    """A colour per name; "other" and "Rest of world" grey."""
    named = [n for n in names if n not in (OTHER, "Rest of world")]
    out = dict(zip(named, palette(len(named))))
    out.update({n: OTHER_COLOUR for n in names if n in (OTHER, "Rest of world")})
    return out


# --- periods ---------------------------------------------------------------------------------
def period_labels(periods: Sequence[Any], df: "pandas.DataFrame | None" = None, time: str | None = None) -> list[str]:
    """YYYY stays; YYYYMM becomes YYYY-MM; YYYYQn stays. A year or quarter summed over fewer
    months than it has (the result's ``n_months``) says so: ``2022 (11 mo)``."""
    full = {"year": 12, "quarter": 3}.get(time or "")
    months: dict[Any, int] = {}
    if df is not None and full and "n_months" in df.columns:
        months = {k: int(v) for k, v in df.groupby(time)["n_months"].max().items()}
    out = []
    for p in periods:
        s = str(p)
        s = f"{s[:4]}-{s[4:]}" if s.isdigit() and len(s) == 6 else s
        if full and months.get(p, full) < full:
            s += f" ({months[p]} mo)"
        out.append(s)
    return out


def set_period_ticks(ax: "Axes", labels: Sequence[str]) -> None:
    """Readable period ticks on positions 0..n-1: every label when few, else one per year
    (January, or the first period of a year) with a minor tick on each period."""
    n = len(labels)
    ax.set_xticks(range(n), minor=True)
    monthly = bool(labels) and all(len(s) == 7 and s[4] == "-" for s in labels)
    if n <= 12:
        ax.set_xticks(range(n), labels, rotation=0 if not monthly else 45, ha="center" if not monthly else "right")
        return
    if monthly:
        years = [i for i, s in enumerate(labels) if s.endswith("-01")] or [0]
        step = 1 if len(years) >= 2 else 3
        major = years if step == 1 else list(range(0, n, step))
        ax.set_xticks(major, [labels[i] for i in major], rotation=0, ha="left" if step == 1 else "center")
        return
    step = math.ceil(n / 12)
    major = list(range(0, n, step))
    ax.set_xticks(major, [labels[i] for i in major])


def time_column(columns: Sequence[str]) -> str | None:
    for c in ("period", "year", "quarter"):
        if c in columns:
            return c
    return None


# --- what the result says about itself -------------------------------------------------------
def method_of(result: Any) -> dict[str, Any]:
    """The result's ``method`` mapping (empty when absent or unreadable)."""
    m = getattr(result, "method", None)
    if isinstance(m, dict):
        return m
    try:
        raw = (result.to_arrow().schema.metadata or {}).get(b"tradedep.method")
        return dict(json.loads(raw)) if raw else {}
    except Exception:  # a result without metadata: nothing to read
        return {}


def _text(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k} {_text(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return ", ".join(_text(x) for x in v)
    return str(v)


def currency_of(result: Any) -> str | None:
    m = method_of(result)
    if m.get("currency"):
        return str(m["currency"])
    for n in getattr(result, "notes", []) or []:
        hit = re.search(r"values in ([A-Z]{3})\b", str(n))
        if hit:
            return hit.group(1)
    return None


def source_of(result: Any, df: "pandas.DataFrame | None" = None) -> str | None:
    m = method_of(result)
    if m.get("source"):
        return _text(m["source"])
    for n in getattr(result, "notes", []) or []:
        hit = re.match(r"source: (.*)", str(n))
        if hit:
            return hit.group(1)
    if df is not None and "source" in df.columns:
        return ", ".join(sorted(set(df["source"].dropna().astype(str))))
    return None


def caption(result: Any, df: "pandas.DataFrame | None" = None) -> str:
    """One line under the figure: source, currency, coverage, as the result states them."""
    m = method_of(result)
    parts = []
    src = source_of(result, df)
    if src:
        parts.append(f"source: {src}")
    cur = currency_of(result)
    if cur:
        parts.append(f"values in {cur}")
    if m.get("coverage"):
        parts.append(f"coverage: {_text(m['coverage'])}")
    return " · ".join(parts) + (" · tradedep" if parts else "tradedep")


def finish(fig: "Figure", result: Any, title: str | None, df: "pandas.DataFrame | None" = None) -> "Figure":
    """Title and caption; the caption text is kept on the figure as ``fig._tradedep_caption``."""
    import textwrap

    width = int(fig.get_figwidth() * 9)  # characters of a large bold title per line, about
    text = textwrap.fill(str(title or getattr(result, "title", "") or "tradedep"), max(width, 30))
    fig.suptitle(text, x=0.01, ha="left", fontsize="large", fontweight="bold")
    for ax in fig.axes:  # the y label once per row of panels
        spec = ax.get_subplotspec()
        if spec is not None and not spec.is_first_col():
            ax.set_ylabel("")
    text = caption(result, df)
    # supxlabel: constrained layout keeps it clear of the tick labels. Wrapped to the figure's
    # width: a long coverage statement (every absent code) on one line widened the saved figure.
    drawn = textwrap.fill(text, max(int(fig.get_figwidth() * 12), 40))
    fig.supxlabel(drawn, x=0.01, ha="left", fontsize="small", color="#555555")
    fig._tradedep_caption = text  # type: ignore[attr-defined]
    return fig


def money_formatter(currency: str | None) -> Any:
    """Tick labels 1.2k / 3.4M / 5.6bn (the drawn values stay the result's values)."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v: float, _pos: Any) -> str:
        a = abs(v)
        for div, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
            if a >= div:
                return f"{v / div:.3g}{suffix}"
        return f"{v:.3g}"

    return FuncFormatter(fmt)
