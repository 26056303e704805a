"""td.rerouting: a small hand-checked table, and the real Comext file (EU27 exports of sanctioned
CN8 codes to Russia and its neighbours, monthly 2020-01..2022-11, EUR) against an independent
pandas computation that reads the CSV itself, not through tradedep."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tradedep as td
from tradedep._metrics import _table_from_columns

COMEXT = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
ISO3 = {"RU": "RUS", "BY": "BLR", "KZ": "KAZ", "GE": "GEO", "AM": "ARM", "UZ": "UZB", "KG": "KGZ"}
HUBS = ["KZ", "KG", "AM"]
CONTROLS = ["GE", "UZ"]  # the file's other destinations but sanctioned BY: the default controls
BASKET = ["85423190", "85423990", "84713000", "85176200"]


def small() -> td.TradeTable:
    # DEU exports: RUS 100 -> 20, KAZ 10 -> 40, NOR 50 -> 60; KAZ imports 30 from DEU in 2022.
    rows = [
        (2021, 276, 643, "export", 100.0),
        (2022, 276, 643, "export", 20.0),
        (2021, 276, 398, "export", 10.0),
        (2022, 276, 398, "export", 40.0),
        (2021, 276, 579, "export", 50.0),
        (2022, 276, 579, "export", 60.0),
        (2022, 398, 276, "import", 31.5),
    ]
    cols = list(zip(*rows))
    return _table_from_columns(
        period=list(cols[0]), reporter=list(cols[1]), partner=list(cols[2]), flow=list(cols[3]),
        product=["85423190"] * len(rows), value=list(cols[4]), currency="EUR", vintage="CN2022",
    )


def test_small_table_by_hand():
    r = td.rerouting(small(), origin="EU27", hubs=["KAZ"], target="RUS", baseline=2021, cif_fob=1.05)
    assert isinstance(r, td.Rerouting)
    s = r.summary.to_pandas().set_index("destination")
    # KAZ: ln(40/10) - ln(60/50); RUS: ln(20/100) - ln(60/50).
    assert s.loc["KAZ", "did"] == pytest.approx(math.log(4) - math.log(1.2), rel=1e-12)
    assert s.loc["RUS", "did"] == pytest.approx(math.log(0.2) - math.log(1.2), rel=1e-12)
    assert s.loc["RUS", "index"] == pytest.approx(20.0)
    assert s.loc["controls", "role"] == "controls"
    g = r.ghost.to_pandas().set_index("period")
    # 2022: 40 - 31.5 / 1.05 = 10; 2021: KAZ reported no imports -> null.
    assert g.loc[2022, "ghost"] == pytest.approx(10.0)
    assert pd.isna(g.loc[2021, "ghost"]) and not g.loc[2021, "hub_reported"]
    assert any("controls: NOR" in n for n in r.notes)
    assert any("values in EUR" in n for n in r.notes)
    assert "Rerouting(flows" in repr(r) and "<b>re-routing</b>" in r._repr_html_()


def test_arguments_are_checked():
    t = small()
    with pytest.raises(td.InvalidArgumentError, match="both a hub and the target"):
        td.rerouting(t, hubs=["KAZ", "RUS"], target="RUS", baseline=2021)
    with pytest.raises(td.InvalidArgumentError, match="no period in the data"):
        td.rerouting(t, hubs=["KAZ"], baseline=(2015, 2016))
    with pytest.raises(td.InvalidArgumentError, match="exports"):
        td.rerouting(t, hubs=["KAZ"], baseline=2021, exports="both")  # type: ignore[arg-type]
    with pytest.raises(td.InvalidArgumentError, match="one country"):
        td.rerouting(t, hubs=["KAZ"], target=["RUS", "BLR"], baseline=2021)
    # A list of countries is one origin.
    r = td.rerouting(t, origin=["DEU", "FRA"], hubs=["KAZ"], baseline=2021)
    assert r.summary.num_rows == 4


@pytest.fixture(scope="module")
def comext() -> tuple[Path, pd.DataFrame, set[int]]:
    from conftest import SHARED_DATA

    if SHARED_DATA is None or not (SHARED_DATA / COMEXT).exists():
        pytest.skip(f"real data {COMEXT} not found (set TRADEDEP_SHARED_DATA or place shared/data next to the checkout)")
    path = SHARED_DATA / COMEXT
    raw = pd.read_csv(path, dtype={"product_code": str, "period": str})
    raw["period"] = raw["period"].str.replace("-", "").astype(int)
    # Months in which the EU declared any export (any product): a basket cell without rows in
    # such a month is 0, not a gap.
    declared = set(raw["period"].unique().tolist())
    raw = raw[(raw["level"] == "CN8") & raw["product_code"].isin(BASKET)].copy()
    return path, raw, declared


def _reference(raw: pd.DataFrame, declared: set[int], by_product: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Flows and summary computed with pandas alone, on the method's stated conventions: a cell
    without rows is 0 in a month the EU declared exports in, a gap (NaN) otherwise."""
    keys = ["partner_iso2", "product_code"] if by_product else ["partner_iso2"]
    cells = raw.groupby(keys + ["period"], as_index=False)["value_eur"].sum()
    months = [y * 100 + m for y in (2020, 2021, 2022) for m in range(1, 13)]
    months = [m for m in months if raw["period"].min() <= m <= raw["period"].max()]
    products = sorted(raw["product_code"].unique()) if by_product else [None]
    dests = HUBS + ["RU"] + CONTROLS
    grid = pd.DataFrame(
        [(d, p, m) for d in dests for p in products for m in months], columns=["partner_iso2", "product_code", "period"]
    )
    if not by_product:
        grid = grid.drop(columns="product_code")
    f = grid.merge(cells, on=keys + ["period"], how="left").rename(columns={"value_eur": "value"})
    f.loc[f["value"].isna() & f["period"].isin(declared), "value"] = 0.0
    base = f[(f["period"] // 100 == 2021)].groupby(keys)["value"].mean().rename("baseline_mean")
    after = f[(f["period"] // 100 == 2022)].groupby(keys)["value"].mean().rename("after_mean")
    f = f.merge(base, on=keys, how="left")
    f["index"] = 100 * f["value"] / f["baseline_mean"].where(f["baseline_mean"] > 0)
    f["log_change"] = np.log(f["value"].where(f["value"] > 0) / f["baseline_mean"].where(f["baseline_mean"] > 0))
    ctrl_keys = keys[1:] + ["period"]
    ctrl = (
        f[f["partner_iso2"].isin(CONTROLS)]
        .groupby(ctrl_keys, as_index=False, dropna=False)["value"]
        .sum(min_count=1)
        .rename(columns={"value": "controls_value"})
    )
    ckeys = keys[1:]
    cbase = ctrl[ctrl["period"] // 100 == 2021]
    cafter = ctrl[ctrl["period"] // 100 == 2022]
    if ckeys:
        cb = cbase.groupby(ckeys)["controls_value"].mean().rename("cb").reset_index()
        ca = cafter.groupby(ckeys)["controls_value"].mean().rename("ca").reset_index()
        ctrl = ctrl.merge(cb, on=ckeys, how="left")
    else:
        cb = pd.DataFrame({"cb": [cbase["controls_value"].mean()]})
        ca = pd.DataFrame({"ca": [cafter["controls_value"].mean()]})
        ctrl = ctrl.assign(cb=cb["cb"].iloc[0])
    ctrl["controls_log_change"] = np.log(ctrl["controls_value"] / ctrl["cb"])
    f = f.merge(ctrl[ctrl_keys + ["controls_value", "controls_log_change"]], on=ctrl_keys, how="left")
    f["did"] = np.where(f["partner_iso2"].isin(CONTROLS), np.nan, f["log_change"] - f["controls_log_change"])
    s = pd.concat([base, after], axis=1).reset_index()
    s = s[s["partner_iso2"].isin(dests)]
    s["log_change"] = np.log(s["after_mean"] / s["baseline_mean"].where(s["baseline_mean"] > 0))
    cc = cb.merge(ca, on=ckeys) if ckeys else pd.concat([cb, ca], axis=1)
    cc["controls_log_change"] = np.log(cc["ca"] / cc["cb"])
    s = s.merge(cc[ckeys + ["controls_log_change"]], on=ckeys) if ckeys else s.assign(
        controls_log_change=cc["controls_log_change"].iloc[0]
    )
    s["did"] = np.where(s["partner_iso2"].isin(CONTROLS), np.nan, s["log_change"] - s["controls_log_change"])
    for df in (f, s):
        df["destination"] = df["partner_iso2"].map(ISO3)
    return f, s


def _compare(ours: pd.DataFrame, ref: pd.DataFrame, keys: list[str], cols: list[str]) -> float:
    m = ref.merge(ours, on=keys, suffixes=("_ref", ""), how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"][keys + ["_merge"]].head()
    worst = 0.0
    for c in cols:
        a, b = m[c].to_numpy(dtype=float), m[f"{c}_ref"].to_numpy(dtype=float)
        assert (np.isnan(a) == np.isnan(b)).all(), (c, m[np.isnan(a) != np.isnan(b)][keys + [c, f"{c}_ref"]].head())
        ok = ~np.isnan(a)
        np.testing.assert_allclose(a[ok], b[ok], rtol=1e-9, atol=1e-9, err_msg=c)
        if ok.any():
            worst = max(worst, float(np.max(np.abs(a[ok] - b[ok]) / np.maximum(np.abs(b[ok]), 1.0))))
    return worst


@pytest.fixture(scope="module")
def comext_table(comext: tuple[Path, pd.DataFrame, set[int]]) -> td.TradeTable:
    return td.read_comext(comext[0], vintage="CN2022")


def test_comext_processors_known_figures(comext, comext_table):
    r = td.rerouting(comext_table, origin="EU27", hubs=["KAZ", "KGZ", "ARM"], target="RUS",
                     products=["85423190"], baseline=(2021, 2021))
    f = r.flows.to_pandas()
    f["year"] = f["period"] // 100
    yearly = f.groupby(["destination", "year"])["value"].sum()
    assert round(yearly[("RUS", 2021)] / 1e6, 1) == 465.7
    assert round(yearly[("RUS", 2022)] / 1e6, 1) == 79.1
    assert round(yearly[("KAZ", 2021)] / 1e6, 1) == 2.7
    assert round(yearly[("KAZ", 2022)] / 1e6, 1) == 7.3
    s = r.summary.to_pandas().set_index("destination")
    # Like with like: 2022 has 11 months; mean monthly values compared.
    assert s.loc["RUS", "n_after"] == 11
    assert s.loc["RUS", "index"] == pytest.approx(100 * (yearly[("RUS", 2022)] / 11) / (yearly[("RUS", 2021)] / 12), rel=1e-9)
    assert s.loc["RUS", "did"] < 0 < s.loc["KAZ", "did"]
    assert any(n.startswith("controls: GEO, UZB") for n in r.notes), r.notes
    assert any("values in EUR" in n for n in r.notes)
    # The file has no hub-side imports: ghost trade is null, and the notes say so.
    g = r.ghost.to_pandas()
    assert g["ghost"].isna().all() and not g["hub_reported"].any()
    assert any("hub KAZ reported no imports in 35 of 35" in n for n in r.notes), r.notes


@pytest.mark.parametrize("by_product", [False, True])
def test_comext_whole_result_matches_pandas(comext, comext_table, by_product):
    _, raw, declared = comext
    r = td.rerouting(comext_table, origin="EU27", hubs=["KAZ", "KGZ", "ARM"], target="RUS",
                     products=BASKET, by_product=by_product, baseline=(2021, 2021))
    ref_f, ref_s = _reference(raw, declared, by_product)
    keys = ["destination"] + (["product"] if by_product else [])
    ref_f = ref_f.rename(columns={"product_code": "product"})
    ref_s = ref_s.rename(columns={"product_code": "product"})
    flows = r.flows.to_pandas()
    assert len(flows) == len(ref_f)
    worst_f = _compare(
        flows, ref_f, keys + ["period"],
        ["value", "baseline_mean", "index", "log_change", "controls_value", "controls_log_change", "did"],
    )
    summary = r.summary.to_pandas()
    summary = summary[summary["role"] != "controls"]
    worst_s = _compare(summary, ref_s, keys, ["baseline_mean", "after_mean", "log_change", "controls_log_change", "did"])
    print(f"by_product={by_product}: max relative difference flows {worst_f:.2e}, summary {worst_s:.2e}")
    assert worst_f < 1e-9 and worst_s < 1e-9
