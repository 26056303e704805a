"""td.read_gacc: the shared GACC sample against an independent pandas reading, and hand-made files
(Chinese headers in GB18030 with RMB, English UTF-8 with a stray GBK pair, a wrong partner name)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import tradedep as td

DATA = Path(__file__).resolve().parents[1] / "data" / "gacc"
SAMPLE = "china_customs/gacc_exports_hs8_partner_regime_province_sample.csv"


def _pandas_sample(path: Path) -> pd.DataFrame:
    # Independent reading: the file's bytes are GBK-compatible; every column as text, then numbers.
    df = pd.read_csv(path, encoding="gb18030", dtype=str, keep_default_na=False)
    df = df.loc[:, ~df.columns.str.startswith("Unnamed")]
    df["usd"] = df["US dollar"].str.replace(",", "").astype(float)
    return df


def test_shared_sample_rows_partners_and_regimes_equal_pandas(shared_data: Path) -> None:
    path = shared_data / SAMPLE
    g = td.read_gacc(path, period="2023-05", flow="export", table="monthly")
    ref = _pandas_sample(path)
    assert g.num_rows == len(ref) == 10000
    assert g.report["rows_read"] == 10000 and g.report["rows_set_aside"] == 0
    assert (g.freq, g.currency, g.vintage) == ("M", "USD", "CHN2023")
    t = g.to_pandas()
    # Totals by partner: pandas by the file's GACC code, mapped through the embedded table.
    m = {r["gacc_code"]: r["comtrade_code"] for r in td.gacc_partners().to_pylist()}
    ref["comtrade"] = ref["Trading partner code"].astype(int).map(m)
    assert ref["comtrade"].notna().all()
    want = ref.groupby("comtrade")["usd"].sum()
    got = t.groupby("partner")["value"].sum()
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, check_index_type=False)
    # Russia is Russia (GACC 344), Hong Kong is GACC 110, Germany 304, Japan 116.
    by_code = ref.groupby("Trading partner code")["usd"].sum()
    assert got[643] == by_code["344"] and got[344] == by_code["110"]
    assert got[276] == by_code["304"] and got[392] == by_code["116"]
    # Totals by customs regime and province, from the details columns.
    pd.testing.assert_series_equal(
        t.groupby("regime")["value"].sum().sort_index(),
        ref.groupby("Customs Regime")["usd"].sum().sort_index(),
        check_names=False,
    )
    pd.testing.assert_series_equal(
        t.groupby("province_code")["value"].sum().sort_index(),
        ref.groupby("Locations of importers and exporters code")["usd"].sum().sort_index(),
        check_names=False,
    )
    # Quantities: kilograms are the weight; the second unit (items) the quantity; "?" is no unit.
    kg_first = ref["Unit"] == "Kilogram"
    assert t.loc[kg_first.values, "net_weight_kg"].sum() == ref.loc[kg_first, "Quantity"].astype(float).sum()
    items = (ref["Supplementary Unit"] == "Number of item") | (ref["Unit"] == "Number of item")
    assert (t.loc[items.values, "quantity_unit"] == "u").all()
    assert t.loc[(ref["Supplementary Unit"] == "?").values & kg_first.values, "quantity"].isna().all()


def test_set_aside_on_sample_no_longer_turns_russia_into_hong_kong(shared_data: Path) -> None:
    g = td.read_gacc(shared_data / SAMPLE, period="2023-05", flow="export", table="monthly",
                     on_unknown_country="set_aside")
    t = g.to_pandas()
    assert set(t.loc[t["gacc_partner"] == 344, "partner"]) == {643}
    assert set(t.loc[t["gacc_partner"] == 304, "partner"]) == {276}


def test_chinese_headers_gb18030_rmb_cumulative_year() -> None:
    g = td.read_gacc(DATA / "gacc_zh_rmb_gb18030.csv", period="2023-12", flow="import", table="cumulative")
    assert (g.freq, g.currency, g.num_rows) == ("A", "CNY", 4)
    t = g.to_pandas()
    assert t["period"].tolist() == [2023] * 4
    assert t["partner"].tolist() == [643, 643, 344, 276]
    assert t["value"].tolist() == [2345678.0, 1000000.0, 3000000.0, 500000.0]
    assert t["value_basis"].unique().tolist() == ["CIF"]
    # Metres of cable summed as metres (35,000 + 15,000), never with kilograms.
    cable = t[t["product"] == "85444211"]
    assert cable["quantity_unit"].unique().tolist() == ["m"]
    assert cable["quantity"].sum() / 1000 == 50.0  # km
    assert cable["net_weight_kg"].sum() == 2000.0
    assert t["regime"].tolist()[:2] == ["一般贸易", "进料加工贸易"]
    assert pd.isna(t.loc[2, "unit_2"]) and pd.isna(t.loc[2, "quantity"])


def test_cumulative_table_of_part_of_a_year_is_refused() -> None:
    with pytest.raises(td.InvalidArgumentError, match="neither a month nor a year"):
        td.read_gacc(DATA / "gacc_zh_rmb_gb18030.csv", period="2023-05", flow="import", table="cumulative")


def test_english_utf8_with_gbk_pair_period_and_flow_from_file_name() -> None:
    g = td.read_gacc(DATA / "gacc_export_202305_monthly.csv")
    t = g.to_pandas()
    assert (g.freq, g.currency) == ("M", "USD")
    assert t["period"].unique().tolist() == [202305]
    assert t["flow"].unique().tolist() == ["export"]
    assert t["partner"].tolist() == [643, 344, 792]
    assert t["gacc_partner_name"].tolist() == ["Russia", "Hong Kong，China", "Türkiye"]
    assert any("GBK" in n for n in g.report["notes"])
    assert t["value"].sum() == 1234567 + 600000 + 45000


def test_partner_name_disagreeing_with_code_is_a_located_error() -> None:
    with pytest.raises(td.InvalidDataError, match=r"line 5.*Hong Kong|Hong Kong.*line 5"):
        td.read_gacc(DATA / "gacc_bad_partner_name.csv", period="2023-05", flow="export", table="monthly")
    g = td.read_gacc(DATA / "gacc_bad_partner_name.csv", period="2023-05", flow="export", table="monthly",
                     on_unknown_country="set_aside")
    assert g.report["set_aside"] == {"partner name disagrees with the GACC code": 1}
    assert g.num_rows == 3


def test_period_flow_and_table_kind_are_required() -> None:
    with pytest.raises(td.InvalidArgumentError, match="flow"):
        td.read_gacc(DATA / "gacc_zh_rmb_gb18030.csv", period="2023-12", table="cumulative")
    with pytest.raises(td.InvalidArgumentError, match="period"):
        td.read_gacc(DATA / "gacc_zh_rmb_gb18030.csv", flow="import", table="monthly")


def test_eight_digit_codes_meet_hs6_prefixes() -> None:
    g = td.read_gacc(DATA / "gacc_export_202305_monthly.csv")
    assert g.filter(product=["854442"]).num_rows == 2
    assert g.filter(product=["850760"]).num_rows == 1


def test_date_of_data_column_gives_each_row_its_month(tmp_path: Path) -> None:
    p = tmp_path / "query.csv"
    p.write_text(
        '"Date of data","Commodity code","Trading partner code","Trading partner","Quantity","Unit","US dollar",\n'
        '"202301","85444211","344","Russian Federation","10","Kilogram","1,000",\n'
        '"202302","85444211","344","Russian Federation","20","Kilogram","2,000",\n',
        encoding="utf-8",
    )
    g = td.read_gacc(p, flow="export", table="monthly")
    t = g.to_pandas()
    assert t["period"].tolist() == [202301, 202302]
    assert t["value"].tolist() == [1000.0, 2000.0] and t["net_weight_kg"].tolist() == [10.0, 20.0]
    with pytest.raises(td.InvalidDataError, match="disagrees"):
        td.read_gacc(p, flow="export", table="monthly", period="2023-01")
