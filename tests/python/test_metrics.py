"""Metrics against independent computations: pandas and DuckDB over the same rows, hand-worked
tables, and the Comext real data (issue 4 done-when, mirror view)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import tradedep as td
from tradedep._metrics import _table_from_columns

ISO2 = {
    "AT": 40, "BE": 56, "BG": 100, "CY": 196, "CZ": 203, "DE": 276, "DK": 208, "EE": 233, "ES": 724,
    "FI": 246, "FR": 251, "GR": 300, "HR": 191, "HU": 348, "IE": 372, "IT": 381, "LT": 440, "LU": 442,
    "LV": 428, "MT": 470, "NL": 528, "PL": 616, "PT": 620, "RO": 642, "SE": 752, "SI": 705, "SK": 703,
    "RU": 643, "BY": 112, "KZ": 398, "GE": 268, "AM": 51, "UZ": 860, "KG": 417,
}
EU27 = [c for k, c in ISO2.items() if k not in {"RU", "BY", "KZ", "GE", "AM", "UZ", "KG"}]


def table_from_frame(df: pd.DataFrame, freq: str = "A", currency: str = "USD", vintage: str | None = "HS2022") -> td.TradeTable:
    return _table_from_columns(
        period=df["period"].astype(int).tolist(),
        reporter=df["reporter"].astype(int).tolist(),
        partner=df["partner"].astype(int).tolist(),
        flow=df["flow"].tolist(),
        product=df["product"].tolist(),
        value=df["value"].astype(float).tolist(),
        freq=freq,
        currency=currency,
        vintage=vintage,
    )


def random_frame(n: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        rows.append(
            {
                "period": rng.choice([2021, 2022, 2023]),
                "reporter": rng.choice([643, 804, 398, 51]),
                "partner": rng.choice([156, 344, 792, 276, 251, 842, 410, 699]),
                "flow": rng.choice(["import", "import", "import", "export"]),
                "product": rng.choice(["854231", "854232", "850760", "880730", "854470"]),
                "value": round(rng.uniform(0.0, 1e6), 3),
            }
        )
    return pd.DataFrame(rows)


# --- hand-worked ---------------------------------------------------------------------------


def test_hand_worked_china_hk_group_share():
    df = pd.DataFrame(
        {
            "period": [2023] * 4,
            "reporter": [643] * 4,
            "partner": [156, 344, 792, 276],
            "flow": ["import"] * 4,
            "product": ["854231", "854231", "854231", "999999"],
            "value": [56.3, 19.3, 24.4, 1000.0],
        }
    )
    r = td.supplier_shares(table_from_frame(df), 643, products=["8542"], groups={"China+HK": [156, 344]}).to_pandas()
    assert list(r["supplier"])[0] == "China+HK"
    assert r["share"].iloc[0] == pytest.approx(0.756)
    assert r["share"].sum() == pytest.approx(1.0)
    assert list(r["n_rows"]) == [2, 1]


def test_single_supplier_hhi_is_one_and_explain_lists_rows():
    df = pd.DataFrame({"period": [2023, 2023], "reporter": [643, 643], "partner": [156, 156],
                       "flow": ["import", "import"], "product": ["850760", "850760"], "value": [3.0, 4.0]})
    c = td.concentration(table_from_frame(df), explain=True).to_pandas()
    assert c["hhi"].iloc[0] == 1.0
    assert c["n_suppliers"].iloc[0] == 1
    assert list(c["rows"].iloc[0]) == [0, 1]


# --- against pandas and DuckDB -------------------------------------------------------------


def test_shares_match_pandas_on_a_medium_table():
    df = random_frame(3000, 1)
    t = table_from_frame(df)
    ours = td.supplier_shares(t, [643, 804], by=["period", "product"]).to_pandas()
    imp = df[(df["flow"] == "import") & df["reporter"].isin([643, 804])]
    g = imp.groupby(["reporter", "period", "product", "partner"], as_index=False)["value"].sum()
    g["total"] = g.groupby(["reporter", "period", "product"])["value"].transform("sum")
    g["share"] = g["value"] / g["total"]
    ours["reporter"] = ours["importer"].map({"RUS": 643, "UKR": 804, "643": 643, "804": 804})
    m = g.merge(ours, left_on=["reporter", "period", "product", "partner"],
                right_on=["reporter", "period", "product", "supplier_code"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    np.testing.assert_allclose(m["value_x"], m["value_y"], rtol=1e-12)
    np.testing.assert_allclose(m["share_x"], m["share_y"], rtol=1e-12)
    assert ours.groupby(["importer", "period", "product"])["share"].sum().sub(1).abs().max() < 1e-12


def test_concentration_matches_duckdb_on_a_medium_table():
    df = random_frame(4000, 2)
    t = table_from_frame(df)
    ours = td.concentration(t, by=["period", "product"], source="reported").to_pandas()
    con = duckdb.connect()
    con.register("df", df)
    ref = con.sql(
        """
        with s as (select reporter, period, product, partner, sum(value) v from df
                   where flow = 'import' group by all),
             t as (select *, v / sum(v) over (partition by reporter, period, product) sh from s)
        select reporter, period, product, sum(v) total, count(*) n, sum(sh*sh) hhi,
               -sum(sh * ln(sh)) entropy, max(sh) top_share,
               arg_max(partner, sh) top
        from t group by all order by all
        """
    ).df()
    assert len(ours) == len(ref)
    ours = ours.sort_values(["importer", "period", "product"]).reset_index(drop=True)
    ours["reporter"] = ours["importer"].map(lambda s: {"RUS": 643, "UKR": 804, "KAZ": 398, "ARM": 51}.get(s, s)).astype(int)
    ours = ours.sort_values(["reporter", "period", "product"]).reset_index(drop=True)
    np.testing.assert_allclose(ours["total_value"], ref["total"], rtol=1e-12)
    np.testing.assert_allclose(ours["hhi"], ref["hhi"], rtol=1e-12)
    np.testing.assert_allclose(ours["entropy"], ref["entropy"], rtol=1e-9)
    np.testing.assert_allclose(ours["top_share"], ref["top_share"], rtol=1e-12)
    assert (ours["n_suppliers"].to_numpy() == ref["n"].to_numpy()).all()
    np.testing.assert_allclose(ours["n_equivalent"], 1 / ref["hhi"], rtol=1e-12)


def test_fast_kernel_matches_polars():
    pl = pytest.importorskip("polars")
    df = random_frame(5000, 3)
    t = table_from_frame(df)
    ours = pl.DataFrame(td.importer_product_concentration(t, source="mirror"))
    exports = pl.from_pandas(df).filter(pl.col("flow") == "export")
    ref = (
        exports.group_by(["partner", "period", "product", "reporter"]).agg(pl.col("value").sum())
        .with_columns((pl.col("value") / pl.col("value").sum().over(["partner", "period", "product"])).alias("s"))
        .group_by(["partner", "period", "product"])
        .agg(pl.col("value").sum().alias("total"), (pl.col("s") ** 2).sum().alias("hhi"), pl.col("s").max().alias("top_share"))
        .sort(["partner", "period", "product"])
    )
    assert ours.height == ref.height
    np.testing.assert_allclose(ours["hhi"].to_numpy(), ref["hhi"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours["total_value"].to_numpy(), ref["total"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours["top_share"].to_numpy(), ref["top_share"].to_numpy(), rtol=1e-12)


def test_result_is_arrow_and_plots():
    df = random_frame(500, 4)
    r = td.supplier_shares(table_from_frame(df), 643, top=3)
    assert pa.table(r).num_rows == len(r)
    import matplotlib

    matplotlib.use("Agg")
    fig = td.plot.shares(r)
    assert fig.axes
    fig2 = td.plot.concentration(td.concentration(table_from_frame(df), by="period"))
    assert fig2.axes


def test_bad_arguments_raise_precise_errors():
    t = table_from_frame(random_frame(50, 5))
    with pytest.raises(td.InvalidArgumentError, match="source"):
        td.supplier_shares(t, 643, source="guess")
    with pytest.raises(td.InvalidArgumentError, match="partner"):
        td.concentration(t, by=["partner"])


@pytest.mark.parametrize(
    "call",
    [
        lambda t: td.supplier_shares(t, 643, source="guess"),
        lambda t: td.concentration(t, source="guess"),
        lambda t: td.dependency_flags(t, source="guess"),
        lambda t: td.import_series(t, 643, "year", source="guess"),
        lambda t: td.unit_values(t, 643, source="guess"),
        lambda t: td.compare(t, [643, 398], source="guess"),
    ],
)
def test_every_metric_names_a_bad_source_and_the_allowed_ones(call):
    # The import selection is converted in one place for all of them; the message must say so.
    t = table_from_frame(random_frame(50, 5))
    with pytest.raises(td.InvalidArgumentError, match=r'"guess".*"reported".*"mirror".*"auto"'):
        call(t)


def test_a_metric_without_an_importer_says_so():
    t = table_from_frame(random_frame(50, 5))
    with pytest.raises(td.InvalidArgumentError, match="importer"):
        td.supplier_shares(t, None)
    with pytest.raises(td.InvalidArgumentError):
        td.unit_values(t, None)


# --- real data: Comext, mirror view (issue 4 done-when) ------------------------------------

COMEXT = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"


def test_comext_mirror_done_when_against_duckdb(shared_data: Path):
    path = shared_data / COMEXT
    if not path.exists():
        pytest.skip(f"{path} not found")
    raw = pd.read_csv(path, dtype={"product_code": str, "period": str})
    raw = raw[raw["level"] == "CN8"]
    df = pd.DataFrame(
        {
            "period": raw["period"].str.replace("-", "").astype(int),
            "reporter": raw["reporter_iso2"].map(ISO2),
            "partner": raw["partner_iso2"].map(ISO2),
            "flow": "export",
            "product": raw["product_code"],
            "value": raw["value_eur"].astype(float),
        }
    )
    t = table_from_frame(df, freq="M", currency="EUR", vintage="CN2022")
    ours = td.supplier_shares(t, [643, 398], products=["85423190"], groups={"EU27": EU27}, by="year", source="mirror").to_pandas()
    ref = duckdb.sql(
        f"""select partner_iso2, cast(substr(period, 1, 4) as int) yr, sum(value_eur) v, count(*) n
            from read_csv('{path}', types={{'product_code': 'VARCHAR', 'period': 'VARCHAR'}})
            where level = 'CN8' and product_code = '85423190' and partner_iso2 in ('RU', 'KZ')
            group by all order by all"""
    ).df()
    for _, row in ref.iterrows():
        code = ISO2[row["partner_iso2"]]
        label = {643: ("RUS", "643"), 398: ("KAZ", "398")}[code]
        o = ours[ours["importer"].isin(label) & (ours["year"] == row["yr"]) & (ours["supplier"] == "EU27")]
        assert len(o) == 1
        assert o["value"].iloc[0] == pytest.approx(row["v"], rel=1e-12)
        assert o["n_rows"].iloc[0] == row["n"]
        assert o["source"].iloc[0] == "mirror" and bool(o["estimated"].iloc[0])
    rounded = {(643, 2021): 465.7, (643, 2022): 79.1, (398, 2021): 2.7, (398, 2022): 7.3}
    for (code, yr), millions in rounded.items():
        label = {643: ("RUS", "643"), 398: ("KAZ", "398")}[code]
        v = ours[ours["importer"].isin(label) & (ours["year"] == yr)]["value"].iloc[0]
        assert round(v / 1e6, 1) == millions
    assert math.isclose(ours[ours["year"] == 2022]["n_months"].iloc[0], 11)


# --- flags, series, unit values, asymmetry, compare against pandas -------------------------


def test_geodep_flags_match_pandas():
    df = random_frame(3000, 6)
    t = table_from_frame(df)
    # The random table's few countries count as the world here (world_min_countries=1); with the
    # default 100 it is partial and C2/C3 are null with reasons (tests/python/test_coverage.py).
    ours = td.dependency_flags(t, "geodep", source="reported", world_min_countries=1).to_pandas()
    imp = df[df["flow"] == "import"].rename(columns={"reporter": "importer", "partner": "supplier", "period": "year"})
    s = imp.groupby(["importer", "product", "year", "supplier"], as_index=False)["value"].sum()
    s["sh"] = s["value"] / s.groupby(["importer", "product", "year"])["value"].transform("sum")
    c1 = s.assign(sq=s["sh"] ** 2).groupby(["importer", "product", "year"], as_index=False).agg(imports=("value", "sum"), c1_hhi=("sq", "sum"))
    # World exports: every row read with source auto (an importer's reported imports where it
    # reported that year, partners' exports elsewhere).
    reported = set(zip(imp["importer"], imp["year"]))
    exp = df[df["flow"] == "export"].rename(columns={"partner": "importer", "reporter": "supplier", "period": "year"})
    exp = exp[[(i, y) not in reported for i, y in zip(exp["importer"], exp["year"])]]
    world = pd.concat([imp, exp])
    x = world.groupby(["supplier", "product", "year"], as_index=False)["value"].sum()
    x["sh"] = x["value"] / x.groupby(["product", "year"])["value"].transform("sum")
    c2 = x.assign(sq=x["sh"] ** 2).groupby(["product", "year"], as_index=False).agg(c2_hhi=("sq", "sum"))
    exports = x.rename(columns={"supplier": "importer", "value": "exports"})[["importer", "product", "year", "exports"]]
    ref = c1.merge(c2, on=["product", "year"]).merge(exports, on=["importer", "product", "year"], how="left").fillna({"exports": 0.0})
    ref["c3_ratio"] = np.where(ref["exports"] > 0, ref["imports"] / ref["exports"].where(ref["exports"] > 0, 1), 9999.0)
    m = ref.merge(ours, on=["importer", "product", "year"], suffixes=("_ref", ""))
    assert len(m) == len(ours) == len(ref)
    for col in ["imports", "exports", "c1_hhi", "c2_hhi", "c3_ratio"]:
        np.testing.assert_allclose(m[col], m[f"{col}_ref"], rtol=1e-12)
    assert (m["c123"] == ((m["c1_hhi"] > 0.4) & (m["c2_hhi"] > 0.4) & (m["c3_ratio"] > 1))).all()


def test_monthly_series_matches_pandas_with_gaps_explicit():
    rng = random.Random(8)
    periods = [y * 100 + m for y in (2021, 2022) for m in range(1, 13)]
    rows = [(p, 643, rng.choice([156, 792]), "import", "880730", rng.uniform(1, 100)) for p in periods if p not in (202105, 202206) for _ in range(3)]
    df = pd.DataFrame(rows, columns=["period", "reporter", "partner", "flow", "product", "value"])
    t = table_from_frame(df, freq="M")
    ours = td.import_series(t, 643, "month").to_pandas()
    ref = df.groupby("period")["value"].sum().reindex(periods)
    assert list(ours["period"]) == periods
    np.testing.assert_allclose(ours["value"].to_numpy(dtype=float), ref.to_numpy(), rtol=1e-12)
    assert list(ours.loc[ours["gap"], "period"]) == [202105, 202206]
    yoy_ref = (ref / ref.shift(12) - 1).to_numpy()
    np.testing.assert_allclose(ours["yoy"].to_numpy(dtype=float), yoy_ref, rtol=1e-12)
    annual = td.import_series(t, 643, "year").to_pandas()
    assert list(annual["n_months"]) == [11, 11]
    np.testing.assert_allclose(annual["value"], df.groupby(df["period"] // 100)["value"].sum(), rtol=1e-12)
    assert not annual["complete"].any()


def test_unit_values_match_pandas():
    rng = random.Random(9)
    n = 400
    sup = [rng.choice([156, 344, 792, 276]) for _ in range(n)]
    unit = ["km" if s != 276 else rng.choice(["km", "kg"]) for s in sup]
    t = _table_from_columns(
        period=[2023] * n, reporter=[643] * n, partner=sup, flow=["import"] * n, product=["854470"] * n,
        value=[rng.uniform(1, 100) for _ in range(n)], quantity=[rng.uniform(1, 10) for _ in range(n)],
        quantity_unit=unit,
    )
    df = t.to_pandas()
    ours = td.unit_values(t, 643).to_pandas().set_index("supplier_code")
    g = df.groupby("partner").agg(v=("value", "sum"), q=("quantity", "sum"), units=("quantity_unit", "nunique"))
    for code, row in g.iterrows():
        if row["units"] > 1:
            assert ours.loc[code, "quantity_unit"] == "mixed" and pd.isna(ours.loc[code, "unit_value"])
        else:
            assert ours.loc[code, "unit_value"] == pytest.approx(row["v"] / row["q"], rel=1e-12)
    single = g[g["units"] == 1]
    for code in single.index:
        others = single.drop(index=code)
        expected = (single.loc[code, "v"] / single.loc[code, "q"]) / (others["v"].sum() / others["q"].sum())
        assert ours.loc[code, "relative_unit_value"] == pytest.approx(expected, rel=1e-12)


def test_compare_and_asymmetry_match_pandas():
    df = random_frame(3000, 10)
    t = table_from_frame(df)
    ours = td.compare(t, [643, 804], groups={"China+HK": [156, 344]}).to_pandas()
    imp = df[df["flow"] == "import"].copy()
    imp["supplier"] = imp["partner"].where(~imp["partner"].isin([156, 344]), -1)
    for code in (643, 804):
        g = imp[imp["reporter"] == code].groupby(["period", "supplier"])["value"].sum()
        share = g / g.groupby(level=0).transform("sum")
        label = f"share_{code}"  # integer importers are labelled by their code
        for (period, s), v in share.items():
            row = ours[(ours["period"] == period) & ((ours["supplier"] == "China+HK") if s == -1 else (ours["supplier_code"] == s))]
            assert row[label].iloc[0] == pytest.approx(v, rel=1e-12)
    asym = td.bilateral_asymmetry(t, 643, 156, by="period").to_pandas()
    for period, a in asym.set_index("period").iterrows():
        d = imp[imp["period"] == period]
        a_imp = d[d["reporter"] == 643]["value"].sum()
        a_from_b = d[(d["reporter"] == 643) & (d["partner"] == 156)]["value"].sum()
        b_exp = d[(d["partner"] == 156) & (d["reporter"] != 156)]["value"].sum()
        assert a["b_share_of_a_imports"] == pytest.approx(a_from_b / a_imp, rel=1e-12)
        assert a["a_share_of_b_exports"] == pytest.approx(a_from_b / b_exp, rel=1e-12)


def test_mirror_gap_matches_pandas():
    imports = random_frame(2000, 12)
    imports = imports[imports["flow"] == "import"]
    # Partners report most of the same trade as exports, FOB and with noise; some not at all.
    exports = imports.sample(frac=0.7, random_state=1).rename(columns={"reporter": "partner", "partner": "reporter"})
    exports = exports.assign(flow="export", value=exports["value"] * 0.93)
    df = pd.concat([imports, exports], ignore_index=True)
    t = table_from_frame(df)
    ours = td.mirror_gap(t, by="period").to_pandas()
    assert ours["ratio"].notna().sum() > 10
    m = df[df["flow"] == "import"].groupby(["reporter", "partner", "period"])["value"].sum().rename("M")
    x = df[df["flow"] == "export"].groupby(["partner", "reporter", "period"])["value"].sum().rename("X")
    x.index.names = ["reporter", "partner", "period"]
    ref = pd.concat([m, x], axis=1).reset_index()
    merged = ref.merge(ours, left_on=["reporter", "partner", "period"], right_on=["importer", "exporter", "period"])
    assert len(merged) == len(ref) == len(ours)
    np.testing.assert_allclose(merged["M"].to_numpy(dtype=float), merged["imports_reported"].to_numpy(dtype=float), rtol=1e-12)
    np.testing.assert_allclose(merged["X"].to_numpy(dtype=float), merged["exports_reported"].to_numpy(dtype=float), rtol=1e-12)
    assert (merged["missing"].isna() == (merged["M"].notna() & merged["X"].notna())).all()
