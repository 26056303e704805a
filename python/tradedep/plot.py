"""Matplotlib figures that draw a result as it is (``td.plot.shares(result)`` returns a Figure).

Every figure draws the result's own numbers (shares as shares, values in the result's
currency), one panel per importer and product: shares of different products are never added
up. Title, caption (source, currency, coverage) come from the result. Beyond ``max_series``
series the smallest are drawn together as "other" (shares of one importer, product and period:
a sum that means something). The figure is closed from pyplot's registry before it is returned,
so Jupyter draws it once; save it with ``fig.savefig(path)``.

matplotlib is imported only when a figure is drawn (``pip install 'tradedep[plot]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradedep import _plot_style as st
from tradedep._tradedep import InvalidArgumentError

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

__all__ = ["shares", "concentration", "series", "rerouting"]


def _frame(result: Any, needs: list[str], what: str) -> "pandas.DataFrame":
    df = result.to_pandas()
    missing = [c for c in needs if c not in df.columns]
    if missing:
        raise InvalidArgumentError(f"td.plot.{what} needs a result with columns {needs}; missing {missing}")
    return df


def _select(df: "pandas.DataFrame", importer: Any, product: Any) -> "pandas.DataFrame":
    if importer is not None:
        df = df[df["importer"].astype(str) == str(importer)]
    if product is not None:
        if "product" not in df.columns:
            raise InvalidArgumentError("product=...: the result has no product column")
        wanted = [product] if isinstance(product, str) else [str(p) for p in product]
        df = df[df["product"].astype(str).isin(wanted)]
    if df.empty:
        raise InvalidArgumentError(f"nothing to draw for importer={importer!r}, product={product!r}")
    return df


def _facets(df: "pandas.DataFrame", keys: list[str]) -> list[tuple[str, "pandas.DataFrame"]]:
    """One panel per combination of ``keys`` present (importer, product ...), in table order."""
    keys = [k for k in keys if k in df.columns and df[k].nunique() > 1] or []
    if not keys:
        return [("", df)]
    out = []
    for key, d in df.groupby(keys, sort=False):
        parts = key if isinstance(key, tuple) else (key,)
        out.append((" · ".join(str(p) for p in parts), d))
    return out


def _common(df: "pandas.DataFrame", title: str, keys: tuple[str, ...] = ("importer", "product")) -> str:
    """The default title with what every panel shares (one importer, one product) appended."""
    same = [str(df[k].iloc[0]) for k in keys if k in df.columns and df[k].nunique() == 1]
    return title + (": " + ", ".join(same) if same else "")


def _one_row_each(d: "pandas.DataFrame", cols: list[str], what: str) -> None:
    """Refuse to draw a panel where a cell would add up several rows (never sum silently)."""
    dup = d.duplicated(subset=[c for c in cols if c in d.columns])
    if dup.any():
        extra = [c for c in d.columns if c not in cols and d[c].nunique() > 1][:4]
        raise InvalidArgumentError(
            f"td.plot.{what}: several rows per {cols} in one panel (they differ by {extra}); "
            "select one with importer=/product= or compute the result with fewer keys"
        )


def shares(
    result: Any,
    importer: Any = None,
    product: Any = None,
    title: str | None = None,
    max_series: int = 12,
) -> "Figure":
    """Stacked supplier shares over time from :func:`supplier_shares`: one panel per importer and
    per product (a multi-product result is faceted, never summed), bars that stack to each
    period's shares (100% when every supplier is in the result), y axis in percent.

        >>> s = td.supplier_shares(trade, importer=643, products=["8542", "850760"],
        ...                        by=["year", "product"], top=5)          # doctest: +SKIP
        >>> fig = td.plot.shares(s)        # two panels, one per product  # doctest: +SKIP
        >>> fig.savefig("shares.png")                                      # doctest: +SKIP
    """
    from matplotlib.ticker import PercentFormatter

    df = _select(_frame(result, ["importer", "supplier", "share"], "shares"), importer, product)
    time = st.time_column(list(df.columns))
    df = df.assign(supplier=df["supplier"].astype(str))
    # One supplier order (largest mean share first) and one colour per supplier in every panel.
    order = list(df.groupby("supplier", sort=False)["share"].mean().sort_values(ascending=False).index)
    if "Rest of world" in order:
        order = [s for s in order if s != "Rest of world"] + ["Rest of world"]
    kept, grouped = st.group_other(order, max_series)
    if grouped:
        df = df.assign(supplier=df["supplier"].where(~df["supplier"].isin(grouped), st.OTHER))
        kept = kept + [st.OTHER]
    colours = st.colours_for(kept)
    facets = _facets(df, ["importer", "product"])
    fig, axes = st.panels(len(facets))
    periods = sorted(df[time].unique()) if time else []
    labels = st.period_labels(periods, df, time)
    top = 1.0
    for ax, (name, d) in zip(axes, facets):
        _one_row_each(d[~d["supplier"].eq(st.OTHER)], [time or "supplier", "supplier"], "shares")
        if time is None:
            cell = d.groupby("supplier", sort=False)["share"].sum().reindex(kept).dropna()
            ax.bar(cell.index, cell.values, color=[colours[s] for s in cell.index])
            ax.tick_params(axis="x", rotation=45)
        else:
            # "other" adds the grouped suppliers' shares of the same importer, product, period.
            wide = d.pivot_table(index=time, columns="supplier", values="share", aggfunc="sum").reindex(periods)
            bottom = [0.0] * len(periods)
            for s in kept:
                if s not in wide.columns:
                    continue
                h = wide[s].fillna(0.0).tolist()
                ax.bar(range(len(periods)), h, bottom=bottom, color=colours[s], label=s, width=0.8)
                bottom = [b + x for b, x in zip(bottom, h)]
            top = max(top, max(bottom, default=0.0))
            st.set_period_ticks(ax, labels)
        ax.set_title(name, fontsize="medium")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("share of imports")
        ax.grid(axis="y", alpha=0.3)
    for ax in axes:
        ax.set_ylim(0, top * 1.02)  # the real stack heights: never cut at 100%
    # A bar of each series stands for it in the legend (containers are not artists).
    drawn = {c.get_label(): c[0] for ax in axes for c in ax.containers if c.get_label() and len(c)}
    handles = {s: drawn[s] for s in kept if s in drawn}  # legend in stacking order
    if handles:
        fig.legend(list(handles.values()), [str(k) for k in handles], loc="outside right center", fontsize="small", title="supplier")
    return st.finish(fig, result, title or _common(df, "Supplier shares of imports"), df)


def _lines(
    result: Any,
    what: str,
    value: str,
    line_key: str | None,
    facet_keys: list[str],
    importer: Any,
    product: Any,
    max_series: int,
    ylabel: str,
) -> tuple["Figure", "pandas.DataFrame"]:
    """Small multiples of lines over time: one panel per ``facet_keys``, a line per ``line_key``."""
    df = _select(_frame(result, ["importer", value], what), importer, product)
    time = st.time_column(list(df.columns))
    if time is None:
        raise InvalidArgumentError(f"td.plot.{what} draws a result over time (a period, year or quarter column)")
    if line_key is not None and line_key in df.columns:
        df = df.assign(**{line_key: df[line_key].astype(str)})
        order = list(df.groupby(line_key, sort=False)[value].mean().sort_values(ascending=False).index)
        kept, grouped = st.group_other(order, max_series)
        if grouped:
            raise InvalidArgumentError(
                f"td.plot.{what}: {len(order)} {line_key}s would be {len(order)} lines; a level such as "
                f"{value} cannot be grouped as 'other'. Pass max_series={len(order)} (<= 18) or select "
                f"fewer ({line_key} top n) before plotting"
            )
    else:
        line_key, kept = None, [""]
    colours = st.colours_for(kept)
    facets = _facets(df, facet_keys)
    fig, axes = st.panels(len(facets))
    periods = sorted(df[time].unique())
    labels = st.period_labels(periods, df, time)
    pos = {p: i for i, p in enumerate(periods)}
    for ax, (name, d) in zip(axes, facets):
        _one_row_each(d, [time] + ([line_key] if line_key else []), what)
        groups = d.groupby(line_key, sort=False) if line_key else [("", d)]
        for key, g in groups:
            g = g.set_index(time)[value].reindex(periods)  # gaps stay gaps (NaN: the line breaks)
            ax.plot([pos[p] for p in periods], g.tolist(), marker="o", markersize=2.5, color=colours[key], label=key or value)
        st.set_period_ticks(ax, labels)
        ax.set_title(name, fontsize="medium")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    if line_key:
        handles = {h.get_label(): h for ax in axes for h in ax.get_lines()}
        fig.legend(list(handles.values()), [str(k) for k in handles], loc="outside right center", fontsize="small", title=line_key)
    return fig, df


def concentration(
    result: Any,
    metric: str = "hhi",
    importer: Any = None,
    product: Any = None,
    title: str | None = None,
    max_series: int = 12,
) -> "Figure":
    """A concentration metric (``hhi``, ``cr1``, ``top_share``, ``n_equivalent`` ...) over time
    from :func:`concentration`: one panel per importer, one line per product.

        >>> fig = td.plot.concentration(td.concentration(trade, by=["year", "product"]))  # doctest: +SKIP
    """
    fig, df = _lines(result, "concentration", metric, "product", ["importer"], importer, product, max_series, metric)
    if metric in ("hhi", "hhi_norm", "cr1", "cr3", "top_share") or metric.startswith("cr"):
        from matplotlib.ticker import PercentFormatter

        for ax in fig.axes:
            if metric != "hhi" and metric != "hhi_norm":
                ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_ylim(0, max(1.0, float(df[metric].max())) * 1.02)
    return st.finish(fig, result, title or _common(df, f"Concentration of imports over suppliers ({metric})"), df)


def series(
    result: Any,
    value: str = "value",
    importer: Any = None,
    product: Any = None,
    title: str | None = None,
    max_series: int = 12,
) -> "Figure":
    """Imports over time from :func:`import_series` (``value``, ``index``, ``yoy`` or
    ``rolling_year``): one panel per importer (and product when the lines are suppliers), one
    line per supplier or product. Gaps are breaks in the line, never zeros.

        >>> fig = td.plot.series(td.import_series(trade, 643, "month", by_supplier=True))  # doctest: +SKIP
    """
    df0 = result.to_pandas()
    line_key = "supplier" if "supplier" in df0.columns else ("product" if "product" in df0.columns else None)
    facet_keys = ["importer", "product"] if line_key == "supplier" else ["importer"]
    currency = st.currency_of(result)
    ylabel = {"value": f"imports ({currency or 'currency not stated'})", "index": "index (baseline = 100)"}.get(value, value)
    fig, df = _lines(result, "series", value, line_key, facet_keys, importer, product, max_series, ylabel)
    if value in ("value", "rolling_year"):
        for ax in fig.axes:
            ax.yaxis.set_major_formatter(st.money_formatter(currency))
            ax.set_ylim(bottom=0)
    return st.finish(fig, result, title or _common(df, f"Imports over time ({value})"), df)


def rerouting(result: Any, product: Any = None, title: str | None = None) -> "Figure":
    """A re-routing chart from :func:`tradedep.rerouting`: the origin's exports to each hub and to
    the target, and to the controls summed, each indexed on its baseline mean (= 100), the
    baseline periods shaded. One panel per product with ``by_product=True``.

    The target and hub lines are the ``index`` column of ``result.flows``; the controls line is
    ``100 * controls_value / baseline_mean`` of the summary's ``controls`` row.

        >>> r = td.rerouting(eu, origin="EU27", hubs=["KAZ", "KGZ", "ARM"], target="RUS",
        ...                  products=["85423190"], baseline=(202101, 202112))   # doctest: +SKIP
        >>> fig = td.plot.rerouting(r)                                           # doctest: +SKIP
    """
    import numpy as np

    if not hasattr(result, "flows") or not hasattr(result, "summary"):
        raise InvalidArgumentError("td.plot.rerouting needs the result of td.rerouting (with .flows and .summary)")
    flows = result.flows.to_pandas()
    summary = result.summary.to_pandas()
    if product is not None:
        flows = _select(flows.assign(importer=""), None, product)
        summary = summary[summary["product"].astype(str).isin([product] if isinstance(product, str) else product)]
    periods = sorted(flows["period"].unique())
    labels = st.period_labels(periods)
    pos = {p: i for i, p in enumerate(periods)}
    facets = _facets(flows, ["product"])
    fig, axes = st.panels(len(facets), width=6.5, height=4.0)
    hubs = list(dict.fromkeys(flows.loc[flows["role"] == "hub", "destination"]))
    colours = st.colours_for(hubs)
    target = list(dict.fromkeys(flows.loc[flows["role"] == "target", "destination"]))
    for ax, (name, d) in zip(axes, facets):
        s = summary if "product" not in summary.columns or not name else summary[summary["product"].astype(str) == name]
        for dest, colour, width in [(h, colours[h], 1.4) for h in hubs] + [(t, "black", 2.6) for t in target]:
            g = d[d["destination"] == dest].set_index("period")["index"].reindex(periods)
            ax.plot([pos[p] for p in periods], g.tolist(), color=colour, linewidth=width, label=f"-> {dest}")
        ctl = s[s["role"] == "controls"]
        first = d[d["role"] == "target"] if target else d
        if len(ctl) == 1 and float(ctl["baseline_mean"].iloc[0]) > 0:
            c = first.drop_duplicates("period").set_index("period")["controls_value"].reindex(periods)
            ax.plot(
                [pos[p] for p in periods], (100.0 * c / float(ctl["baseline_mean"].iloc[0])).tolist(),
                color=st.OTHER_COLOUR, linestyle="--", linewidth=1.6, label="-> controls (summed)",
            )
        base = [pos[p] for p in d.loc[d["window"] == "baseline", "period"].unique()]
        if base:
            ax.axvspan(min(base) - 0.5, max(base) + 0.5, color="#f0f0f0", zorder=0, label="baseline")
        ax.axhline(100, color="#777777", linewidth=0.8)
        st.set_period_ticks(ax, labels)
        ax.set_title(name, fontsize="medium")
        ax.set_ylabel("index (baseline mean = 100)")
        ys = [float(y) for ln in ax.get_lines() for y in np.asarray(ln.get_ydata(), dtype=float)]
        drawn = [y for y in ys if y > 0]  # NaN and 0 fail the test
        if drawn and max(drawn) / min(drawn) > 50:
            # A hub with a tiny baseline reaches thousands: a log axis keeps the target readable;
            # symmetric log (linear below 1) so that a month at 0 is drawn at 0, not left out.
            ax.set_yscale("symlog", linthresh=1.0)
            ax.set_ylim(0, max(drawn) * 1.5)
            ax.set_ylabel("index (baseline mean = 100, log scale above 1)")
        else:
            ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    handles = {h.get_label(): h for ax in axes for h in ax.get_lines() if not str(h.get_label()).startswith("_")}
    fig.legend(list(handles.values()), [str(k) for k in handles], loc="outside right center", fontsize="small", title="origin's exports")
    default = f"Exports to hubs vs to {', '.join(map(str, target)) or 'the target'}, indexed on the baseline"
    return st.finish(fig, result.flows, title or default, flows)
