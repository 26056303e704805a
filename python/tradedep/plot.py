"""Matplotlib figures for metric results (``td.plot.shares(result)`` returns a Figure).

matplotlib is imported only when a figure is drawn, so ``import tradedep`` does not need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradedep._tradedep import InvalidArgumentError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["shares", "concentration"]


def _time_column(columns: list[str]) -> str | None:
    for c in ("period", "year", "quarter"):
        if c in columns:
            return c
    return None


def shares(result: Any, importer: str | None = None, product: str | None = None, title: str | None = None) -> "Figure":
    """Stacked supplier shares over time, one panel per importer (from :func:`supplier_shares`).

        >>> fig = td.plot.shares(td.supplier_shares(trade, importer=643, top=5))  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    df = result.to_pandas()
    if "share" not in df.columns or "supplier" not in df.columns:
        raise InvalidArgumentError("td.plot.shares needs a supplier_shares result (columns supplier, share)")
    if importer is not None:
        df = df[df["importer"] == importer]
    if product is not None and "product" in df.columns:
        df = df[df["product"] == product]
    time = _time_column(list(df.columns))
    importers = list(dict.fromkeys(df["importer"]))
    fig, axes = plt.subplots(1, max(1, len(importers)), figsize=(6 * max(1, len(importers)), 4), squeeze=False)
    for ax, imp in zip(axes[0], importers):
        d = df[df["importer"] == imp]
        if time is None:
            ax.bar(d["supplier"].astype(str), d["share"])
        else:
            wide = d.pivot_table(index=time, columns="supplier", values="share", aggfunc="sum").fillna(0.0)
            order = wide.sum().sort_values(ascending=False).index
            wide[order].plot(kind="bar", stacked=True, ax=ax, width=0.8)
            ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of imports")
        ax.set_title(f"{imp}" + ("" if "source" not in d.columns else f" ({', '.join(sorted(set(d['source'])))})"))
    fig.suptitle(str(title or getattr(result, "title", "supplier shares")))
    fig.tight_layout()
    return fig


def concentration(result: Any, metric: str = "hhi", title: str | None = None) -> "Figure":
    """A concentration metric over time, one line per importer (and product).

        >>> fig = td.plot.concentration(td.concentration(trade, by="year"))  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    df = result.to_pandas()
    if metric not in df.columns:
        raise InvalidArgumentError(f"no column {metric!r} in the result; columns are {list(df.columns)}")
    time = _time_column(list(df.columns))
    fig, ax = plt.subplots(figsize=(7, 4))
    keys = ["importer"] + (["product"] if "product" in df.columns else [])
    for key, d in df.groupby(keys):
        label = " ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        if time is None:
            ax.bar(label, d[metric].iloc[0])
        else:
            ax.plot(d[time].astype(str), d[metric], marker="o", label=label)
    if time is not None:
        ax.legend(fontsize="small")
    ax.set_ylabel(metric)
    fig.suptitle(str(title or getattr(result, "title", metric)))
    fig.tight_layout()
    return fig
