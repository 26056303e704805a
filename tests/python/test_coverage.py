"""Coverage rules (docs/methods/coverage.md): flags on partial tables, one rule for gaps and zeros,
quantities with coverage, rerouting default controls. Hand-worked tables, and pandas over the
real Comext and Comtrade files."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import tradedep as td
from tradedep._metrics import _table_from_columns

COMEXT = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
LITHIUM = "comtrade_plus/liadslnt__TradeData_4_22_2026_12_19_27_lithium_carbonate_283691_monthly_2024.csv"
ISO2 = {"KZ": 398, "GE": 268, "AM": 51, "UZ": 860, "KG": 417, "RU": 643, "BY": 112}


def table(rows: list[tuple[Any, ...]], freq: str = "A", **kw: Any) -> td.TradeTable:
    """Rows (period, reporter, partner, flow, product, value[, quantity, unit])."""
    cols = list(zip(*rows))
    extra: dict[str, Any] = {}
    if len(rows[0]) > 6:
        extra = {"quantity": list(cols[6]), "quantity_unit": list(cols[7])}
    return _table_from_columns(
        period=list(cols[0]), reporter=list(cols[1]), partner=list(cols[2]), flow=list(cols[3]),
        product=list(cols[4]), value=[float(v) for v in cols[5]], freq=freq,
        currency=kw.get("currency", "USD"), vintage=kw.get("vintage", "HS2017"), **extra,
    )


# --- flags: world inputs ------------------------------------------------------------------


CHN, RUS, KAZ, DEU, USA = 156, 643, 398, 276, 842


def china_russia() -> td.TradeTable:
    # China <-> Russia only: Russia imports 850760 from China, exports nothing of it to China.
    return table([
        (2021, RUS, CHN, "import", "850760", 100.0),
        (2021, CHN, RUS, "import", "270900", 500.0),
        (2021, CHN, RUS, "export", "850760", 90.0),
    ])


def test_geodep_on_a_two_country_table_is_null_with_reasons():
    out = td.dependency_flags(china_russia(), "geodep")
    df = out.to_pandas()
    row = df[(df["importer"] == RUS) & (df["product"] == "850760")].iloc[0]
    # Before: C2 = 0.9999.. (China the only exporter of a two-country "world"), C3 = 9999.
    assert pd.isna(row["c2_hhi"]) and row["c2"] is None
    assert "not the world in 2021: 2 exporters and 2 destinations" in row["c2_reason"]
    assert pd.isna(row["c3_ratio"]) and pd.isna(row["exports"])
    assert "exports of RUS in 2021" in row["c3_reason"]
    assert row["c123"] is None and row["c1"]
    assert any("c2 on" in n for n in out.notes) and out.method["c2_reason"]
    assert out.method["world_min_countries"] == 100


EXPORTERS = [4, 8, 12, 20, 24, 28]
DESTINATIONS = [31, 32, 36, 40, 44, 48]


def world_rows(n: int = 4) -> list[tuple[Any, ...]]:
    """A world of n exporters (the k-th of EXPORTERS) selling 850760 to n destinations: the k-th
    exporter sells k to each destination; RUS exports 7 of 850760 to KAZ."""
    rows = [
        (2021, EXPORTERS[k], DESTINATIONS[d], "export", "850760", float(k + 1)) for k in range(n) for d in range(n)
    ]
    rows.append((2021, RUS, KAZ, "export", "850760", 7.0))
    rows.append((2021, KAZ, RUS, "export", "270900", 3.0))
    return rows


def test_world_argument_gives_c2_and_c3_by_hand():
    world = table(world_rows())
    # C2 by hand: exporter e exports 4e (e = 1..4), RUS 7: shares over 4+8+12+16+7 = 47.
    x = np.array([4.0, 8.0, 12.0, 16.0, 7.0])
    hhi = float(((x / x.sum()) ** 2).sum())
    out = td.dependency_flags(china_russia(), "geodep", world=world, world_min_countries=4).to_pandas()
    row = out[(out["importer"] == RUS) & (out["product"] == "850760")].iloc[0]
    assert row["c2_hhi"] == pytest.approx(hhi, rel=1e-12) and pd.isna(row["c2_reason"])
    assert row["exports"] == 7.0 and row["c3_ratio"] == pytest.approx(100 / 7, rel=1e-12)
    # CHN is in the world table as no exporter of 850760: its exports are complete and 0 -> 9999, said.
    row = out[(out["importer"] == CHN) & (out["product"] == "270900")].iloc[0]
    assert row["c3_ratio"] == 9999.0 and "CEPII's convention" in row["c3_reason"]
    # Below the threshold the same world table is partial.
    out = td.dependency_flags(china_russia(), "geodep", world=world, world_min_countries=7).to_pandas()
    assert out["c2_hhi"].isna().all() and out["c3_ratio"].isna().all()


def test_world_table_must_share_currency():
    world = table(world_rows(), currency="EUR")
    with pytest.raises(td.InvalidArgumentError, match="currency"):
        td.dependency_flags(china_russia(), "geodep", world=world)


def test_eu2021_needs_the_groups_exports_to_the_world():
    t = table([
        (2021, DEU, CHN, "import", "850760", 80.0),
        (2021, DEU, USA, "import", "850760", 20.0),
        (2021, DEU, RUS, "export", "850760", 40.0),
    ])
    out = td.dependency_flags(t, "eu2021", importer={"EU": ["DEU", "FRA"]})
    row = out.to_pandas().iloc[0]
    # DEU's exports reach one destination: the group's exports are partial, the ratio null.
    assert pd.isna(row["ratio"]) and pd.isna(row["extra_exports"]) and row["dependent"] is None
    assert "exports of EU in 2021" in row["c3_reason"]
    full = td.dependency_flags(t, "eu2021", importer={"EU": ["DEU", "FRA"]}, world_min_countries=1).to_pandas().iloc[0]
    assert full["extra_exports"] == 40.0 and full["ratio"] == pytest.approx(100 / 40)


@pytest.fixture(scope="module")
def comext() -> tuple[td.TradeTable, pd.DataFrame]:
    from conftest import SHARED_DATA

    if SHARED_DATA is None or not (SHARED_DATA / COMEXT).exists():
        pytest.skip(f"{COMEXT} not found")
    path = SHARED_DATA / COMEXT
    raw = pd.read_csv(path, dtype={"product_code": str, "period": str})
    raw["period"] = raw["period"].str.replace("-", "").astype(int)
    return td.read_comext(path, vintage="CN2022"), raw


def test_geodep_on_comext_is_never_9999_or_a_27_exporter_hhi(comext):
    t, raw = comext
    out = td.dependency_flags(t, "geodep", source="mirror")
    df = out.to_pandas()
    # The 33,444 rows: (importer, product, year) cells of the EU's exports, pandas.
    cn8 = raw[raw["level"] == "CN8"]
    cells = cn8.assign(year=cn8["period"] // 100).groupby(["partner_iso2", "product_code", "year"]).ngroups
    assert len(df) == cells == 33444
    assert df["c3_ratio"].isna().all() and not (df["c3_ratio"] == 9999).any()
    assert df["c2_hhi"].isna().all() and df["c2_reason"].str.contains("27 exporters and 7 destinations").all()
    assert df["c123"].isna().sum() + (df["c123"] == False).sum() == len(df)  # noqa: E712
    assert not (df["c4"] == True).any()  # noqa: E712


# --- one rule for gaps and zeros -------------------------------------------------------------


def test_series_zero_where_the_importer_reported_gap_where_it_did_not():
    # RUS reports imports in 2021-01 (product A), 2021-02 (only product B), nothing in 2021-03,
    # and A again in 2021-04.
    t = table([
        (202101, RUS, CHN, "import", "850760", 10.0),
        (202102, RUS, CHN, "import", "270900", 5.0),
        (202104, RUS, CHN, "import", "850760", 30.0),
    ], freq="M")
    s = td.import_series(t, RUS, "month", products=["850760"]).to_pandas().set_index("period")
    assert s.loc[202102, "value"] == 0.0 and not s.loc[202102, "gap"]
    assert pd.isna(s.loc[202103, "value"]) and s.loc[202103, "gap"]
    assert s["n_rows"].tolist() == [1, 0, 0, 1]
    q = td.import_series(t, RUS, "quarter", products=["850760"]).to_pandas()
    # Q1: January's rows and February's declared zero; March a gap: 2 months, incomplete.
    assert q["n_months"].tolist()[0] == 2 and not q["complete"].iloc[0] and q["value"].iloc[0] == 10.0


def test_series_mirror_zero_where_the_supplier_reported():
    t = table([
        (202101, CHN, RUS, "export", "850760", 10.0),
        (202102, CHN, KAZ, "export", "850760", 5.0),
        (202103, USA, KAZ, "export", "850760", 5.0),
        (202104, CHN, RUS, "export", "850760", 20.0),
    ], freq="M")
    s = td.import_series(t, RUS, "month", source="mirror", by_supplier=True).to_pandas().set_index("period")
    # CHN reported exports in Feb (to KAZ): 0 to RUS; in March only USA reported: a gap for CHN.
    assert s.loc[202102, "value"] == 0.0 and s.loc[202103, "gap"]
    total = td.import_series(t, RUS, "month", source="mirror").to_pandas().set_index("period")
    # The total's reporting side is every exporter: March is 0 (USA reported).
    assert total.loc[202103, "value"] == 0.0 and not total["gap"].any()


def test_kgz_chpl_tier1_2021_months_are_zeros_not_gaps(comext):
    t, raw = comext
    tier1 = td.lists.chpl().tier("1")
    codes = {e["code"] for e in td.lists.chpl().entries() if e["tier"] == "1"}
    ours = td.import_series(t, "KGZ", "month", products=tier1, source="mirror", baseline=(2021, 2021)).to_pandas()
    # pandas: the EU's CN8 exports of tier-1 codes to KG per month; 0 in a month in which some
    # EU member declared any export (the reporting side of a mirror total), gap otherwise.
    declared = set(raw["period"])
    # CHPL codes are HS2022 subheadings: the CN8 codes under them.
    sel = raw[(raw["partner_iso2"] == "KG") & raw["product_code"].str[:6].isin(codes) & (raw["level"] == "CN8")]
    months = sorted(p for p in declared if ours["period"].min() <= p <= ours["period"].max())
    ref = sel.groupby("period")["value_eur"].sum().reindex(months).fillna(0.0)
    assert ours["period"].tolist() == months and not ours["gap"].any()
    np.testing.assert_allclose(ours["value"].to_numpy(dtype=float), ref.to_numpy(), rtol=1e-12)
    y21 = ours[ours["period"] // 100 == 2021]
    # Before: 7 months with rows, 5 gaps ("7 months"), every index and yoy null.
    assert (y21["n_rows"] > 0).sum() == 7 and (y21["value"] == 0).sum() == 5
    base = ref[[m for m in months if m // 100 == 2021]].mean()
    np.testing.assert_allclose(y21["index"].to_numpy(dtype=float), 100 * y21["value"].to_numpy(dtype=float) / base, rtol=1e-12)
    annual = td.import_series(t, "KGZ", "year", products=tier1, source="mirror").to_pandas().set_index("year")
    assert annual.loc[2021, "n_months"] == 12 and annual.loc[2021, "complete"]
    assert annual.loc[2021, "yoy"] == pytest.approx(ref[[m for m in months if m // 100 == 2021]].sum() / ref[[m for m in months if m // 100 == 2020]].sum() - 1, rel=1e-12)


# --- quantities with coverage ------------------------------------------------------------------


def test_quantities_summed_over_known_rows_with_coverage_by_hand():
    t = table([
        (2021, RUS, CHN, "import", "850760", 100.0, 10.0, "kg"),
        (2021, RUS, CHN, "import", "850760", 60.0, None, None),
        (2021, RUS, CHN, "import", "850760", 40.0, 4.0, "kg"),
        (2021, RUS, KAZ, "import", "850760", 50.0, 2.0, "u"),
        (2021, RUS, KAZ, "import", "850760", 50.0, 5.0, "kg"),
    ])
    s = td.supplier_shares(t, RUS, by="period").to_pandas().set_index("supplier")
    assert s.loc["CHN", "quantity"] == 14.0 and s.loc["CHN", "quantity_unit"] == "kg"
    assert s.loc["CHN", "quantity_value_share"] == pytest.approx(140 / 200)
    assert s.loc["KAZ", "quantity_unit"] == "mixed" and pd.isna(s.loc["KAZ", "quantity"])
    result = td.unit_values(t, RUS)
    u = result.to_pandas().set_index("supplier")
    # Value with quantity / quantity, not total value / partial quantity.
    assert u.loc["CHN", "unit_value"] == pytest.approx(140 / 14)
    assert u.loc["CHN", "quantity_value_share"] == pytest.approx(0.7)
    assert any("quantities cover" in n for n in result.notes)


def test_quantity_coverage_on_comtrade_lithium_matches_pandas(shared_data: Path):
    path = shared_data / LITHIUM
    if not path.exists():
        pytest.skip(f"{LITHIUM} not found")
    t = td.read_comtrade(path)
    rows = pa.table(t).to_pandas()
    rows = rows[rows["flow"] == "import"]
    ours = td.unit_values(t, rows["reporter"].unique().tolist(), by="year", source="reported").to_pandas()
    # pandas: per (importer, supplier, year), quantity over rows with one, coverage, unit value.
    rows = rows.assign(year=rows["period"] // 100, vq=rows["value"].where(rows["quantity"].notna()))
    g = rows.groupby(["reporter", "partner", "year"]).agg(
        value=("value", "sum"), vq=("vq", "sum"), q=("quantity", "sum"), units=("quantity_unit", "nunique")
    ).reset_index()
    assert (g["units"] <= 1).all()
    partial = g[(g["vq"] < g["value"]) & (g["value"] > 0)]
    assert len(partial) > 0  # the file has rows without a quantity
    ours["reporter"] = ours["importer"].map(lambda x: int(x) if str(x).isdigit() else td.country(x).comtrade)
    m = g.merge(ours, left_on=["reporter", "partner", "year"], right_on=["reporter", "supplier_code", "year"])
    assert len(m) == len(g)
    np.testing.assert_allclose(m["value_x"], m["value_y"], rtol=1e-12)
    share = m["vq"] / m["value_x"]
    np.testing.assert_allclose(m["quantity_value_share"], share, rtol=1e-12)
    has_q = m["q"] > 0
    np.testing.assert_allclose(m.loc[has_q, "quantity"], m.loc[has_q, "q"], rtol=1e-12)
    np.testing.assert_allclose(m.loc[has_q, "unit_value"], m.loc[has_q, "vq"] / m.loc[has_q, "q"], rtol=1e-12)


# --- rerouting default controls ----------------------------------------------------------------


def test_default_controls_leave_out_sanctioned_and_warn_on_a_dominant_control():
    rows = [
        (2021, DEU, RUS, "export", "85423190", 100.0), (2022, DEU, RUS, "export", "85423190", 20.0),
        (2021, DEU, KAZ, "export", "85423190", 10.0), (2022, DEU, KAZ, "export", "85423190", 40.0),
        (2021, DEU, 112, "export", "85423190", 500.0), (2022, DEU, 112, "export", "85423190", 900.0),
        (2021, DEU, 579, "export", "85423190", 30.0), (2022, DEU, 579, "export", "85423190", 30.0),
        (2021, DEU, 757, "export", "85423190", 10.0), (2022, DEU, 757, "export", "85423190", 20.0),
    ]
    t = table(rows, currency="EUR", vintage="CN2022")
    r = td.rerouting(t, hubs=["KAZ"], target="RUS", baseline=2021)
    s = r.summary.to_pandas().set_index("destination")
    assert "BLR" not in s.index
    # RUS: ln(20/100) - ln(50/40) with controls NOR + CHE.
    assert s.loc["RUS", "did"] == pytest.approx(math.log(0.2) - math.log(50 / 40), rel=1e-12)
    assert r.flows.method["sanctioned_left_out"] == [112]
    assert r.flows.method["controls"] == [579, 757]
    assert any("BLR (Council Regulation (EC) No 765/2006)" in n for n in r.notes)
    # NOR is 30 of 40 of the controls' baseline: warned.
    assert r.flows.method["dominant_controls"] == [{"control": 579, "product": None, "baseline_share": 0.75}]
    assert any(n.startswith("warning: one control is over half") and "NOR 75%" in n for n in r.notes)
    # Given controls are used as given (BLR too).
    r = td.rerouting(t, hubs=["KAZ"], target="RUS", baseline=2021, controls=["BLR", "NOR"])
    assert r.flows.method["controls_rule"] == "given" and r.flows.method["controls"] == [112, 579]


def test_comext_default_controls_equal_geo_uzb_and_pandas(comext):
    t, raw = comext
    basket = ["85423190", "85423990", "84713000", "85176200"]
    args = dict(origin="EU27", hubs=["KAZ", "KGZ", "ARM"], target="RUS", products=basket, baseline=(2021, 2021))
    default = td.rerouting(t, **args).summary.to_pandas().set_index("destination")
    given = td.rerouting(t, controls=["GEO", "UZB"], **args).summary.to_pandas().set_index("destination")
    with_blr = td.rerouting(t, controls=["BLR", "GEO", "UZB"], **args).summary.to_pandas().set_index("destination")
    assert "BLR" not in default.index
    assert default.loc["RUS", "did"] == given.loc["RUS", "did"]
    # pandas: monthly sums, 0 in a month the EU declared any export; mean month 2022 vs 2021.
    declared = sorted(set(raw["period"]))
    sel = raw[(raw["level"] == "CN8") & raw["product_code"].isin(basket)]
    m = sel.groupby(["partner_iso2", "period"])["value_eur"].sum().unstack(0).reindex(declared).fillna(0.0)

    def log_change(s: pd.Series) -> float:
        return math.log(s[s.index // 100 == 2022].mean() / s[s.index // 100 == 2021].mean())

    did = log_change(m["RU"]) - log_change(m["GE"] + m["UZ"])
    assert default.loc["RUS", "did"] == pytest.approx(did, rel=1e-12)
    did_blr = log_change(m["RU"]) - log_change(m["BY"] + m["GE"] + m["UZ"])
    assert with_blr.loc["RUS", "did"] == pytest.approx(did_blr, rel=1e-12)
    assert abs(did - did_blr) > 0.5


# --- labels of areas without an ISO3 code ------------------------------------------------


def test_areas_without_iso3_keep_their_number_as_label():
    # 697 (Europe EFTA, nes) and 849 (US Misc. Pacific Isds) have no ISO3 code: before, both were
    # labelled "" and their rows could not be told apart (found by benches/every_path.py).
    t = table([
        (2021, CHN, 697, "export", "850760", 10.0),
        (2021, DEU, 697, "export", "850760", 30.0),
        (2021, CHN, 849, "export", "850760", 5.0),
        (2021, 697, CHN, "export", "850760", 7.0),
    ])
    c = td.concentration(t, by=["importer", "product"], source="mirror").to_pandas().set_index("importer")
    assert sorted(c.index) == ["697", "849", "CHN"]
    assert c.loc["697", "total_value"] == 40.0 and c.loc["849", "total_value"] == 5.0
    s = td.supplier_shares(t, importer=CHN, source="mirror").to_pandas()
    assert list(s["supplier"]) == ["697"] and list(s["supplier_code"]) == [697]
