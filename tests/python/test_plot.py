"""td.plot draws the result as it is: the drawn data (bar heights, line values) read back from the
matplotlib artists and compared with the result table and with pandas over the same rows.

Every figure is saved as a PNG: under pytest's tmp dir, or under $TRADEDEP_PLOTS_DIR when set
(``make plots`` writes them to docs/img for a reviewer).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import tradedep as td  # noqa: E402
from tradedep._metrics import _table_from_columns  # noqa: E402

COMEXT = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
ISO2 = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK", "EE": "EST",
    "ES": "ESP", "FI": "FIN", "FR": "FRA", "GR": "GRC", "EL": "GRC", "HR": "HRV", "HU": "HUN", "IE": "IRL",
    "IT": "ITA", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD", "PL": "POL", "PT": "PRT",
    "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK",
}


def save(fig, tmp_path: Path, name: str) -> Path:
    out = Path(os.environ.get("TRADEDEP_PLOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, dpi=90)
    assert path.stat().st_size > 5000
    return path


def bars(ax) -> dict[str, list[float]]:
    """Each stacked series' bar heights, by its legend label."""
    return {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}


def lines(ax) -> dict[str, np.ndarray]:
    return {ln.get_label(): np.asarray(ln.get_ydata(), dtype=float) for ln in ax.get_lines() if not ln.get_label().startswith("_")}


# --- a hand-made table: RUS imports two products from 3 (or 14) suppliers in two years ---------
def two_products(n_suppliers: int = 3) -> tuple[td.TradeTable, pd.DataFrame]:
    suppliers = [528, 203, 276, 56, 251, 616, 40, 380, 724, 752, 208, 246, 372, 620][:n_suppliers]
    rows = []
    for year in (2021, 2022):
        for product, scale in (("850760", 1.0), ("854231", 3.0)):
            for i, s in enumerate(suppliers):
                rows.append((year, 643, s, "import", product, scale * (i + 1) * (year - 2019) ** (i % 3)))
    df = pd.DataFrame(rows, columns=["period", "reporter", "partner", "flow", "product", "value"])
    t = _table_from_columns(
        period=df["period"].tolist(), reporter=df["reporter"].tolist(), partner=df["partner"].tolist(),
        flow=df["flow"].tolist(), product=df["product"].tolist(), value=df["value"].astype(float).tolist(),
        freq="A", currency="USD", vintage="HS2022",
    )
    return t, df


def test_multi_product_shares_are_faceted_never_summed(tmp_path):
    t, df = two_products()
    r = td.supplier_shares(t, 643, by=["year", "product"])
    fig = td.plot.shares(r)
    save(fig, tmp_path, "shares_two_products")
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.containers]
    assert [ax.get_title() for ax in axes] == ["850760", "854231"]
    # Independent: each supplier's share of the product's imports in the year, with pandas.
    ref = df.assign(share=df["value"] / df.groupby(["period", "product"])["value"].transform("sum"))
    names = {528: "NLD", 203: "CZE", 276: "DEU"}
    for ax in axes:
        drawn = bars(ax)
        for code, name in names.items():
            want = ref[(ref["product"] == ax.get_title()) & (ref["partner"] == code)].sort_values("period")["share"]
            np.testing.assert_allclose(drawn[name], want.to_numpy(), rtol=1e-12)
        stacks = np.sum(list(drawn.values()), axis=0)
        np.testing.assert_allclose(stacks, 1.0, rtol=1e-12)  # one product per panel: 100%, never 200%
        assert ax.get_ylim()[1] >= stacks.max()
    assert plt.get_fignums() == []  # closed from pyplot: Jupyter shows the returned figure once


def test_a_stack_above_one_is_drawn_in_full_not_cut():
    t, _ = two_products()
    r = td.supplier_shares(t, 643, by=["year", "product"])
    # A result whose shares add to more than 1 in a period (e.g. edited by hand): drawn as it is.
    import pyarrow as pa

    tab = r.to_arrow()
    tab = tab.set_column(tab.column_names.index("share"), "share", pa.compute.multiply(tab["share"], 1.5))
    fig = td.plot.shares(td.ArrowResult(tab, "inflated"))
    for ax in [a for a in fig.axes if a.containers]:
        assert ax.get_ylim()[1] >= 1.5


def test_rows_that_would_be_summed_are_refused():
    t, _ = two_products()
    r = td.supplier_shares(t, 643, by=["year", "product"])
    df = r.to_pandas().drop(columns=["product"])  # two rows per supplier and year left in one panel
    with pytest.raises(td.InvalidArgumentError, match="several rows"):
        td.plot.shares(td.ArrowResult(df, "no product column"))
    with pytest.raises(td.InvalidArgumentError, match="columns"):
        td.plot.shares(td.concentration(t, by="year", importer=643))


def test_many_suppliers_grouped_as_other_with_distinct_colours(tmp_path):
    t, df = two_products(14)
    r = td.supplier_shares(t, 643, by=["year", "product"])
    fig = td.plot.shares(r, product="854231", max_series=8)
    save(fig, tmp_path, "shares_14_suppliers")
    ax = [a for a in fig.axes if a.containers][0]
    drawn = bars(ax)
    assert len(drawn) == 8 and "other" in drawn
    colours = [tuple(c.patches[0].get_facecolor()) for c in ax.containers]
    assert len(set(colours)) == 8
    # "other" = the shares of the suppliers not drawn on their own, added per year (pandas).
    d = df[df["product"] == "854231"]
    share = d["value"] / d.groupby("period")["value"].transform("sum")
    named = {lab for lab in drawn if lab != "other"}
    iso = dict(zip(r.to_pandas()["supplier_code"].astype(int), r.to_pandas()["supplier"]))
    other = share[~d["partner"].map(iso).isin(named)].groupby(d["period"]).sum()
    np.testing.assert_allclose(drawn["other"], other.to_numpy(), rtol=1e-12)
    assert len(td._plot_style.palette(18)) == len(set(td._plot_style.palette(18))) == 18
    with pytest.raises(td.InvalidArgumentError):
        td._plot_style.palette(19)


def test_concentration_and_series_lines_are_the_result(tmp_path):
    t, df = two_products(4)
    c = td.concentration(t, by=["year", "product"], importer=643)
    fig = td.plot.concentration(c)
    save(fig, tmp_path, "concentration")
    drawn = lines(fig.axes[0])
    share = df["value"] / df.groupby(["period", "product"])["value"].transform("sum")
    hhi = (share**2).groupby([df["product"], df["period"]]).sum()
    for product in ("850760", "854231"):
        np.testing.assert_allclose(drawn[product], hhi[product].to_numpy(), rtol=1e-12)

    s = td.import_series(t, 643, "year", by_product=True)
    fig = td.plot.series(s)
    save(fig, tmp_path, "series")
    drawn = lines(fig.axes[0])
    for product in ("850760", "854231"):
        np.testing.assert_allclose(drawn[product], df[df["product"] == product].groupby("period")["value"].sum(), rtol=1e-12)
    # The currency is the result's (its method mapping or its notes), never assumed.
    assert "USD" in fig.axes[0].get_ylabel() or "not stated" in fig.axes[0].get_ylabel()
    stated = td.ArrowResult(s.to_arrow(), s.title, s.notes, method={"currency": "USD"})
    assert "USD" in td.plot.series(stated).axes[0].get_ylabel()


def test_monthly_ticks_four_importers_and_gaps(tmp_path):
    rows = []
    for imp in (643, 398, 51, 268):
        for m in range(36):
            period = 202001 + (m // 12) * 100 + m % 12
            if imp == 51 and m in (5, 6):
                continue  # Armenia reports nothing those months: a gap, not a zero
            for sup in (528, 276):
                rows.append((period, imp, sup, "import", "850760", 10.0 + m + sup % 7))
    df = pd.DataFrame(rows, columns=["period", "reporter", "partner", "flow", "product", "value"])
    t = _table_from_columns(
        period=df["period"].tolist(), reporter=df["reporter"].tolist(), partner=df["partner"].tolist(),
        flow=df["flow"].tolist(), product=df["product"].tolist(), value=df["value"].tolist(),
        freq="M", currency="EUR", vintage="HS2022",
    )
    s = td.import_series(t, ["RUS", "KAZ", "ARM", "GEO"], "month")
    fig = td.plot.series(s)
    save(fig, tmp_path, "series_four_importers_monthly")
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 4 and len({round(a.get_position().x0, 2) for a in axes}) == 2  # 2 x 2
    labels = [x.get_text() for x in axes[0].get_xticklabels()]
    assert labels == ["2020-01", "2021-01", "2022-01"]
    arm = [a for a in axes if a.get_title() == "ARM"][0]
    y = list(arm.get_lines()[0].get_ydata())
    assert np.isnan(y[5]) and np.isnan(y[6]) and not np.isnan(y[4])
    assert arm.get_ylabel().startswith("imports (")  # the currency, or that the result does not state it


def test_caption_reads_method_defensively():
    t, _ = two_products()
    r = td.supplier_shares(t, 643, by=["year", "product"])
    r2 = td.ArrowResult(r.to_arrow(), "x", r.notes, method={"source": "mirror", "currency": "EUR", "coverage": "EU27 only"})
    fig = td.plot.shares(r2)
    assert "source: mirror" in fig._tradedep_caption
    assert "EUR" in fig._tradedep_caption and "EU27 only" in fig._tradedep_caption
    fig = td.plot.shares(td.ArrowResult(r.to_arrow(), "no notes"))
    assert fig._tradedep_caption  # nothing stated: the caption still renders



def test_a_long_caption_is_wrapped_within_the_figure(tmp_path):
    """A coverage statement listing every absent code stays inside the figure's width (one
    unwrapped line made the saved figure several times wider than asked), and the caption text
    kept on the figure is the whole statement."""
    t, _ = two_products()
    r = td.supplier_shares(t, 643, by=["year", "product"])
    coverage = "34 product code(s) absent from the data: " + ", ".join(f"8{i:05d}" for i in range(60))
    fig = td.plot.shares(td.ArrowResult(r.to_arrow(), "x", r.notes, method={"source": "mirror", "coverage": coverage}))
    assert coverage in fig._tradedep_caption
    drawn = fig._supxlabel.get_text()
    assert drawn.replace("\n", " ") == fig._tradedep_caption and "\n" in drawn
    box = fig.get_tightbbox()  # inches
    assert box.width <= fig.get_figwidth() * 1.02

# --- real data: Eurostat Comext, EU27 exports to Russia (mirror view of Russia's imports) ------
@pytest.fixture(scope="module")
def comext() -> tuple[td.TradeTable, pd.DataFrame]:
    from conftest import SHARED_DATA

    if SHARED_DATA is None or not (SHARED_DATA / COMEXT).exists():
        pytest.skip(f"real data {COMEXT} not found")
    raw = pd.read_csv(SHARED_DATA / COMEXT, dtype={"product_code": str, "period": str})
    raw = raw[raw["level"] == "CN8"].copy()
    raw["period"] = raw["period"].str.replace("-", "").astype(int)
    return td.read_comext(SHARED_DATA / COMEXT, vintage="CN2022"), raw


def test_comext_two_products_shares_match_pandas(comext, tmp_path):
    table, raw = comext
    products = ["85423190", "85176200"]
    r = td.supplier_shares(table, "RUS", products=products, source="mirror", by=["year", "product"], top=5)
    fig = td.plot.shares(r)
    save(fig, tmp_path, "comext_shares_two_products")
    d = raw[(raw["partner_iso2"] == "RU") & raw["product_code"].isin(products)].copy()
    d["year"] = d["period"] // 100
    d["supplier"] = d["reporter_iso2"].map(ISO2)
    tot = d.groupby(["product_code", "year"])["value_eur"].sum()
    by_sup = d.groupby(["product_code", "year", "supplier"])["value_eur"].sum()
    res = r.to_pandas()
    axes = [ax for ax in fig.axes if ax.containers]
    assert sorted(ax.get_title() for ax in axes) == sorted(products)
    for ax in axes:
        p = ax.get_title()
        drawn = bars(ax)
        years = sorted(d.loc[d["product_code"] == p, "year"].unique())
        for sup, heights in drawn.items():
            if sup in ("Rest of world", "other"):
                continue
            # Drawn = the result's row (0 where the supplier is inside "Rest of world" that year);
            # the result's row = pandas.
            rows = res[(res["product"] == p) & (res["supplier"] == sup)].set_index("year")["share"]
            np.testing.assert_allclose(heights, [rows.get(y, 0.0) for y in years], rtol=1e-12)
            want = [by_sup[(p, y, sup)] / tot[(p, y)] for y in rows.index]
            np.testing.assert_allclose(rows.to_numpy(), want, rtol=1e-9)
        np.testing.assert_allclose(np.sum(list(drawn.values()), axis=0), 1.0, rtol=1e-9)
    assert "EUR" in fig._tradedep_caption and "mirror" in fig._tradedep_caption


def test_comext_rerouting_chart_matches_pandas(comext, tmp_path):
    table, raw = comext
    r = td.rerouting(table, origin="EU27", hubs=["KAZ", "KGZ", "ARM"], target="RUS", products=["85423190"],
                     baseline=(202101, 202112), controls=["GEO", "UZB"])
    fig = td.plot.rerouting(r)
    save(fig, tmp_path, "comext_rerouting")
    drawn = lines(fig.axes[0])
    assert set(drawn) == {"-> KAZ", "-> KGZ", "-> ARM", "-> RUS", "-> controls (summed)"}
    # Independent: EU exports of 85423190 per destination and month, indexed on the 2021 mean.
    d = raw[raw["product_code"] == "85423190"]
    months = sorted(raw["period"].unique())
    for iso2, iso3 in (("RU", "RUS"), ("KZ", "KAZ")):
        v = d[d["partner_iso2"] == iso2].groupby("period")["value_eur"].sum().reindex(months, fill_value=0.0)
        base = v[(v.index >= 202101) & (v.index <= 202112)].mean()
        np.testing.assert_allclose(drawn[f"-> {iso3}"], (100 * v / base).to_numpy(), rtol=1e-9)
    c = d[d["partner_iso2"].isin(["GE", "UZ"])].groupby("period")["value_eur"].sum().reindex(months, fill_value=0.0)
    cbase = c[(c.index >= 202101) & (c.index <= 202112)].mean()
    np.testing.assert_allclose(drawn["-> controls (summed)"], (100 * c / cbase).to_numpy(), rtol=1e-9)
    assert "EUR" in fig._tradedep_caption


def test_readme_figure_demo_table(tmp_path):
    """README's figure: China+HK's share of Russia's CHPL imports on the SYNTHETIC demo table."""
    t = td.demo_table()
    s = td.supplier_shares(t, importer="RUS", products=td.lists.chpl(), groups={"China+HK": ["CHN", "HKG"]},
                           by="year", source="auto")
    fig = td.plot.shares(s, title="Supplier shares of Russia's CHPL imports (SYNTHETIC demo data)")
    save(fig, tmp_path, "chpl_shares_demo")
    ax = [a for a in fig.axes if a.containers][0]
    drawn = bars(ax)
    res = s.to_pandas()
    for sup, heights in drawn.items():
        rows = res[res["supplier"] == sup].set_index("year")["share"]
        np.testing.assert_allclose(heights, [rows.get(y, 0.0) for y in sorted(res["year"].unique())], rtol=1e-12)
    np.testing.assert_allclose(np.sum(list(drawn.values()), axis=0), 1.0, rtol=1e-12)


def test_a_partial_year_says_so_on_its_tick():
    rows = [(202001 + (y - 2020) * 100 + m, 643, s, "import", "850760", 5.0 + m)
            for y in (2020, 2021) for m in range(12 if y == 2020 else 7) for s in (528, 276)]
    df = pd.DataFrame(rows, columns=["period", "reporter", "partner", "flow", "product", "value"])
    t = _table_from_columns(
        period=df["period"].tolist(), reporter=df["reporter"].tolist(), partner=df["partner"].tolist(),
        flow=df["flow"].tolist(), product=df["product"].tolist(), value=df["value"].tolist(),
        freq="M", currency="USD", vintage="HS2022",
    )
    fig = td.plot.shares(td.supplier_shares(t, 643, by="year"))
    ax = [a for a in fig.axes if a.containers][0]
    assert [x.get_text() for x in ax.get_xticklabels()] == ["2020", "2021 (7 mo)"]


def test_default_title_names_what_every_panel_shares():
    t, _ = two_products()
    fig = td.plot.shares(td.supplier_shares(t, 643, by=["year", "product"]), product="850760")
    assert fig._suptitle.get_text() == "Supplier shares of imports: RUS, 850760"
