"""Mirror gap, bilateral asymmetry and re-routing's hub -> target and ghost tables on the real files in
the shared data folder, against pandas: Armenia's and Georgia's Comtrade car trade (both flows, so
both sides of the ARM-GEO flows) and the BACI sample (South Africa's and Afghanistan's exports,
read by pandas from the CSV itself). Together with test_rerouting.py (flows and summary on Comext)
these pin the metrics' numbers on real data while they run on the import cube."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tradedep as td

ARM, GEO, RUS, ZAF, AFG, CHN = 51, 268, 643, 710, 4, 156
COMTRADE = "comtrade_armenia_georgia"
BACI = "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz"


@pytest.fixture(scope="module")
def arm_geo() -> tuple[td.TradeTable, pd.DataFrame]:
    from conftest import SHARED_DATA

    folder = None if SHARED_DATA is None else SHARED_DATA / COMTRADE
    if folder is None or not folder.exists():
        pytest.skip(f"real data {COMTRADE} not found (set TRADEDEP_SHARED_DATA or place shared/data next to the checkout)")
    t = td.concat([
        td.read_comtrade(folder / "comtrade_armenia_hs8703_monthly_2017_2023.csv.gz"),
        td.read_comtrade(folder / "comtrade_georgia_hs8703_monthly_2021_2023.csv.gz"),
    ])
    df = t.to_pandas()
    df["year"] = df["period"] // 100
    return t, df


def _close(ours: pd.Series, ref: pd.Series) -> None:
    a, b = ours.to_numpy(dtype=float), ref.to_numpy(dtype=float)
    assert (np.isnan(a) == np.isnan(b)).all()
    np.testing.assert_allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=1e-12)


@pytest.mark.parametrize("by", [["year"], ["year", "product"], ["period"]])
def test_mirror_gap_armenia_georgia_matches_pandas(arm_geo, by):
    t, df = arm_geo
    ours = td.mirror_gap(t, by=by).to_pandas()
    time = by[0]
    keys = ["importer", "exporter", time] + by[1:]
    imp = df[df["flow"] == "import"].rename(columns={"reporter": "importer", "partner": "exporter"})
    exp = df[df["flow"] == "export"].rename(columns={"partner": "importer", "reporter": "exporter"})
    m = imp.groupby(keys).agg(M=("value", "sum"), nm=("value", "size"))
    x = exp.groupby(keys).agg(X=("value", "sum"), nx=("value", "size"))
    ref = m.join(x, how="outer").reset_index()
    assert len(ours) == len(ref) > 500
    # Rows in importer, exporter, time (and product code) order.
    assert list(map(tuple, ours[keys].astype(str).to_numpy())) == sorted(map(tuple, ref[keys].astype(str).to_numpy()),
                                                                          key=lambda k: (int(k[0]), int(k[1]), int(k[2]), *k[3:]))
    both = ref.merge(ours, on=keys)
    _close(both["imports_reported"], both["M"])
    _close(both["exports_reported"], both["X"])
    _close(both["gap"], both["M"] - both["X"])
    _close(both["ratio"], (both["M"] / both["X"].where(both["X"] > 0)))
    assert (both["n_import_rows"] == both["nm"].fillna(0)).all() and (both["n_export_rows"] == both["nx"].fillna(0)).all()
    want = np.where(both["M"].isna(), "import", np.where(both["X"].isna(), "export", None))
    assert list(both["missing"].fillna("-")) == [w or "-" for w in want]
    # Both Armenia and Georgia report: their flows to each other have both sides (Armenia's rows
    # are HS6 codes, Georgia's HS4 8703: by product the sides never meet).
    if "product" not in by:
        assert both["missing"].isna().sum() >= 4


def test_mirror_gap_importers_exporters_products(arm_geo):
    t, df = arm_geo
    ours = td.mirror_gap(t, by=["year", "product"], importer=["ARM"], exporter=["GEO", "DEU"], products=["870323"]).to_pandas()
    imp = df[(df["flow"] == "import") & (df["reporter"] == ARM) & df["partner"].isin([GEO, 276]) & (df["product"] == "870323")]
    exp = df[(df["flow"] == "export") & (df["partner"] == ARM) & df["reporter"].isin([GEO, 276]) & (df["product"] == "870323")]
    m = imp.groupby(["partner", "year"])["value"].sum()
    x = exp.groupby(["reporter", "year"])["value"].sum()
    x.index.names = ["partner", "year"]
    ref = pd.concat([m.rename("M"), x.rename("X")], axis=1).reset_index()
    assert set(ours["importer"]) == {ARM} and len(ours) == len(ref) > 0
    both = ref.merge(ours, left_on=["partner", "year"], right_on=["exporter", "year"])
    _close(both["imports_reported"], both["M"])
    _close(both["exports_reported"], both["X"])


@pytest.mark.parametrize("source", ["reported", "auto"])
def test_asymmetry_armenia_georgia_matches_pandas(arm_geo, source):
    t, df = arm_geo
    ours = td.bilateral_asymmetry(t, "ARM", "GEO", by="year", source=source).to_pandas().set_index("year")
    imp = df[df["flow"] == "import"].rename(columns={"reporter": "importer", "partner": "supplier"})
    if source == "auto":  # partners' exports where the importer reported no import that year
        reported = set(zip(imp["importer"], imp["period"]))
        exp = df[df["flow"] == "export"].rename(columns={"partner": "importer", "reporter": "supplier"})
        imp = pd.concat([imp, exp[[(i, p) not in reported for i, p in zip(exp["importer"], exp["period"])]]])
    a_from_b = imp[(imp["importer"] == ARM) & (imp["supplier"] == GEO)].groupby("year")["value"].sum()
    a_imp = imp[(imp["importer"] == ARM)].groupby("year")["value"].sum()
    b_exp = imp[(imp["supplier"] == GEO)].groupby("year")["value"].sum()
    b_imp = imp[(imp["importer"] == GEO)].groupby("year")["value"].sum()
    touched = imp[imp["importer"].isin([ARM, GEO]) | imp["supplier"].isin([ARM, GEO])].groupby("year").size()
    assert list(ours.index) == sorted(touched.index)
    for year, row in ours.iterrows():
        assert row["a_imports"] == pytest.approx(a_imp.get(year, 0.0), rel=1e-12)
        assert row["a_imports_from_b"] == pytest.approx(a_from_b.get(year, 0.0), rel=1e-12, abs=0)
        assert row["b_imports"] == pytest.approx(b_imp.get(year, 0.0), rel=1e-12)
        assert row["b_exports"] == pytest.approx(b_exp.get(year, 0.0), rel=1e-12)
        assert row["n_rows"] == touched[year]


def test_asymmetry_baci_sample_read_by_pandas():
    from conftest import SHARED_DATA

    if SHARED_DATA is None or not (SHARED_DATA / BACI).exists():
        pytest.skip(f"real data {BACI} not found")
    path = SHARED_DATA / BACI
    raw = pd.read_csv(path, dtype={"k": str})
    raw["value"] = raw["v"] * 1000
    t = td.read_baci(path, vintage="HS1992")
    ours = td.bilateral_asymmetry(t, "ZAF", "AFG", by="year", source="mirror", products=["85"]).to_pandas()
    assert list(ours["products"]) == ["all", "HS 85"] or ours["products"].iloc[0] == "all"
    for label, d in [("all", raw), (ours["products"].iloc[1], raw[raw["k"].str.zfill(6).str.startswith("85")])]:
        row = ours[ours["products"] == label].iloc[0]
        sums = {
            "a_imports_from_b": d[(d["j"] == ZAF) & (d["i"] == AFG)]["value"].sum(),
            "a_imports": d[(d["j"] == ZAF) & (d["i"] != ZAF)]["value"].sum(),
            "b_imports_from_a": d[(d["j"] == AFG) & (d["i"] == ZAF)]["value"].sum(),
            "b_imports": d[(d["j"] == AFG) & (d["i"] != AFG)]["value"].sum(),
            "a_exports": d[(d["i"] == ZAF) & (d["j"] != ZAF)]["value"].sum(),
            "b_exports": d[(d["i"] == AFG) & (d["j"] != AFG)]["value"].sum(),
        }
        for col, want in sums.items():
            assert row[col] == pytest.approx(want, rel=1e-12), col
        assert sums["a_exports"] > 1e8 and sums["b_imports_from_a"] > 0
        assert row["a_share_of_b_imports"] == pytest.approx(sums["b_imports_from_a"] / sums["b_imports"], rel=1e-12)
        assert row["b_share_of_a_exports"] == pytest.approx(sums["b_imports_from_a"] / sums["a_exports"], rel=1e-12)
        assert row["n_rows"] == len(d[d["i"].isin([ZAF, AFG]) | d["j"].isin([ZAF, AFG])])


def test_rerouting_hub_target_and_ghost_armenia_georgia(arm_geo):
    """Hubs' exports to Russia (the hubs' own reports) and the hubs' imports from EU members (the
    ghost trade's M; the EU reports nothing in this table, so X and the ghost are null)."""
    t, df = arm_geo
    r = td.rerouting(t, origin="EU27", hubs=["ARM", "GEO"], target="RUS", exports="mirror", baseline=2021, cif_fob=1.05)
    ht = r.hub_target.to_pandas()
    exp = df[df["flow"] == "export"]
    for hub in (ARM, GEO):
        mine = ht[ht["hub_code"] == hub].set_index("period")
        to_rus = exp[(exp["reporter"] == hub) & (exp["partner"] == RUS)].groupby("period")["value"].sum()
        reported = set(exp[exp["reporter"] == hub]["period"])
        want = pd.Series([to_rus.get(p, 0.0) if p in reported else np.nan for p in mine.index], index=mine.index)
        _close(mine["value"], want)
        assert (mine["gap"] == want.isna()).all()
        base = want[(want.index // 100 == 2021)].mean()
        assert mine["baseline_mean"].iloc[0] == pytest.approx(base, rel=1e-12)
        assert to_rus.sum() > 1e6
    g = r.ghost.to_pandas()
    imp = df[df["flow"] == "import"]
    eu = {p: {c.comtrade for c in td.group("EU27", date=f"{p // 100}-{p % 100:02d}-15")} for p in sorted(set(g["period"]))}
    for hub in (ARM, GEO):
        mine = g[g["hub_code"] == hub].set_index("period")
        h = imp[imp["reporter"] == hub]
        reported = set(h["period"])
        from_eu = h[[s in eu[p] for s, p in zip(h["partner"], h["period"])]].groupby("period")["value"].agg(["sum", "size"])
        want = pd.Series([from_eu["sum"].get(p, 0.0) if p in reported else np.nan for p in mine.index], index=mine.index)
        _close(mine["imports_reported"], want)
        _close(mine["imports_fob"], want / 1.05)
        assert (mine["n_import_rows"] == [from_eu["size"].get(p, 0) for p in mine.index]).all()
        assert mine["ghost"].isna().all() and mine["exports_reported"].isna().all()
        assert (mine["hub_reported"] == [p in reported for p in mine.index]).all()
