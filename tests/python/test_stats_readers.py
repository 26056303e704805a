"""td.read_comtrade and td.read_comext against independent pandas computations over shared data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

import tradedep as td

HERE = Path(__file__).resolve().parent
LONG = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
CARS = "comtrade_armenia_georgia/comtrade_armenia_hs8703_monthly_2017_2023.csv.gz"
RU_CN_TOTAL = "comtrade_plus/SamiNakibETU__comtrade_imports_chn_from_rus_2017_2024.csv"
LITHIUM = "comtrade_plus/liadslnt__TradeData_4_22_2026_12_19_27_lithium_carbonate_283691_monthly_2024.csv"


def test_comext_processor_exports_match_pandas(shared_data: Path) -> None:
    t = td.read_comext(shared_data / LONG)
    assert t.currency == "EUR"
    assert t.vintage == "CN2020"
    df = t.to_pandas()
    df["year"] = df["period"] // 100
    ours = df[df["product"] == "85423190"].groupby(["partner", "year"])["value"].sum()

    raw = pd.read_csv(shared_data / LONG, dtype={"product_code": str})
    raw = raw[(raw["level"] == "CN8") & (raw["product_code"] == "85423190")]
    raw["year"] = raw["period"].str[:4].astype(int)
    theirs = raw.groupby(["partner_iso2", "year"])["value_eur"].sum()

    for iso, code in [("RU", 643), ("KZ", 398), ("AM", 51), ("KG", 417)]:
        for year in (2020, 2021, 2022):
            assert ours.get((code, year), 0.0) == pytest.approx(theirs.get((iso, year), 0.0), rel=1e-12)
    # Done-when figures (millions of EUR): RU 465.7 -> 79.1, KZ 2.7 -> 7.3.
    assert round(ours[(643, 2021)] / 1e6, 1) == 465.7
    assert round(ours[(643, 2022)] / 1e6, 1) == 79.1
    assert round(ours[(398, 2021)] / 1e6, 1) == 2.7
    assert round(ours[(398, 2022)] / 1e6, 1) == 7.3
    r = t.report
    assert r["rows_read"] == len(pd.read_csv(shared_data / LONG, usecols=["level"]))
    assert r["rows_read"] == r["rows_kept"] + r["rows_set_aside"]


def test_comext_hs4_level(shared_data: Path) -> None:
    t = td.read_comext(shared_data / LONG, level="HS4", vintage="CN2022")
    assert t.vintage == "CN2022"
    raw = pd.read_csv(shared_data / LONG, dtype={"product_code": str}, usecols=["level", "value_eur"])
    assert t.num_rows == (raw["level"] == "HS4").sum()
    assert t.to_pandas()["value"].sum() == pytest.approx(raw.loc[raw["level"] == "HS4", "value_eur"].sum(), rel=1e-12)


def test_armenia_car_exports_to_russia_match_pandas(shared_data: Path) -> None:
    t = td.read_comtrade(shared_data / CARS)
    assert t.currency == "USD" and t.freq == "M"
    df = t.to_pandas()
    ours = df[(df["partner"] == 643) & (df["flow"] == "export")].groupby(df["period"] // 100)["value"].sum()
    raw = pd.read_csv(shared_data / CARS, dtype=str)
    sel = raw[(raw["trade_code"] == "X") & (raw["partner_code"] == "643") & (raw["aggregate_level"] == "6")]
    theirs = sel.assign(v=sel["trade_value_us"].astype(float), y=sel["year"].astype(int)).groupby("y")["v"].sum()
    assert list(ours.index) == list(theirs.index)
    for y in theirs.index:
        assert ours[y] == pytest.approx(theirs[y], rel=1e-12)
    assert any("mode of transport" in n for n in t.report["notes"])


def test_lithium_website_export_matches_pandas(shared_data: Path) -> None:
    t = td.read_comtrade(shared_data / LITHIUM)
    raw = pd.read_csv(shared_data / LITHIUM, encoding="latin-1", index_col=False, dtype=str)
    kept = raw[(raw["partnerCode"] != "0") & (raw["classificationCode"] == "H6")]
    assert t.num_rows == len(kept)
    df = t.to_pandas()
    ours = df.groupby("flow", observed=True)["value"].sum()
    theirs = kept.assign(v=kept["primaryValue"].astype(float)).groupby("flowCode")["v"].sum()
    assert ours["import"] == pytest.approx(theirs["M"], rel=1e-12)
    assert ours["export"] == pytest.approx(theirs["X"], rel=1e-12)
    assert t.report["set_aside"]["World total row (partnerCode 0): World is never a partner"] == (raw["partnerCode"] == "0").sum()


def test_api_json_of_totals_reads_into_total_rows(shared_data: Path) -> None:
    p = shared_data / "comtrade_plus/comtradr__api_response_CHN_ARG_DEU_2010_TOTAL.json"
    t = td.read_comtrade(p)
    data = json.loads(p.read_text())["data"]
    assert t.report["rows_read"] == len(data) == t.num_rows
    assert t.vintage is None  # a total of all goods has no HS edition
    df = t.to_pandas()
    assert set(df["product"].astype(str)) == {"TOTAL"}
    ours = {(int(r.partner), str(r.flow)): r.value for r in df.itertuples()}
    flows = {"M": "import", "X": "export"}
    theirs = {(r["partnerCode"], flows[r["flowCode"]]): r["primaryValue"] for r in data}
    assert ours == theirs
    with pytest.raises(td.InvalidArgumentError, match="TOTAL"):
        td.read_comtrade(p, level=6)


def test_china_imports_from_russia_per_year_match_pandas(shared_data: Path) -> None:
    p = shared_data / RU_CN_TOTAL
    t = td.read_comtrade(p)
    raw = pd.read_csv(p, dtype={"cmdCode": str})
    assert (raw["cmdCode"] == "TOTAL").all()
    assert t.num_rows == len(raw)
    assert t.freq == "M" and t.vintage is None  # H5 and H6 months are both kept
    df = t.to_pandas()
    assert set(df["product"].astype(str)) == {"TOTAL"}
    assert df["quantity"].isna().all() and df["net_weight_kg"].isna().all()
    ours = df[(df["reporter"] == 156) & (df["partner"] == 643) & (df["flow"] == "import")]
    ours = ours.groupby(ours["period"] // 100)["value"].sum()
    raw = raw[(raw["reporterCode"] == 156) & (raw["partnerCode"] == 643) & (raw["flowCode"] == "M")]
    theirs = raw.groupby("refYear")["primaryValue"].sum()
    assert list(ours.index) == list(theirs.index) == list(range(2017, 2025))
    for year in theirs.index:
        assert ours[year] == pytest.approx(theirs[year], rel=1e-12), year
    # The provenance's spot checks, in billions of USD.
    assert [round(theirs[y] / 1e9, 1) for y in (2021, 2022, 2024)] == [79.6, 114.4, 129.9]


def test_level_total_picks_totals_from_a_file_with_both_levels(shared_data: Path, tmp_path: Path) -> None:
    # No shared file holds both levels: write the real totals twice, once relabelled HS 2709.
    raw = pd.read_csv(shared_data / RU_CN_TOTAL, dtype=str, keep_default_na=False)
    mixed = pd.concat([raw, raw.assign(cmdCode="2709")], ignore_index=True)
    p = tmp_path / "mixed.csv"
    mixed.to_csv(p, index=False)
    detailed = td.read_comtrade(p)
    assert set(detailed.to_pandas()["product"].astype(str)) == {"2709"}
    # The detailed rows keep one HS edition (the most frequent, H5).
    assert detailed.num_rows == (raw["classificationCode"] == "H5").sum()
    totals = td.read_comtrade(p, level="TOTAL")
    assert totals.num_rows == len(raw)
    assert totals.to_pandas()["value"].sum() == pytest.approx(raw["primaryValue"].astype(float).sum(), rel=1e-12)
    key = "commodity code of another aggregation level than the one kept (level=)"
    assert totals.report["set_aside"][key] == len(raw)


def test_small_api_json_fixture() -> None:
    t = td.read_comtrade(HERE.parent / "data/comtrade/api_response_hs6.json")
    df = t.to_pandas()
    assert list(df["value"]) == [1000.0, 250.0]
    assert list(df["quantity"]) == [20.0, 3000.0]  # 3 x "1000u" = 3000 items
    assert list(df["quantity_unit"].astype(str)) == ["u", "u"]


def test_comext_supplementary_quantities_match_pandas() -> None:
    """SUP_QUANTITY summed over the regimes of each trade, within its SUPP_UNIT code, as pandas does."""
    path = HERE.parent / "data/comext/full202201_sample.dat"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    kept = raw[raw["PRODUCT_NC"].str.fullmatch(r"\d{8}") & raw["PARTNER_ISO"].isin(["RU", "KZ"])]
    with_unit = kept[(kept["SUPP_UNIT"] != "") & (kept["SUP_QUANTITY"] != "")]
    expected = (
        with_unit.assign(q=with_unit["SUP_QUANTITY"].astype(float), unit="supp_unit:" + with_unit["SUPP_UNIT"])
        .groupby(["PRODUCT_NC", "PARTNER_ISO", "unit"])["q"]
        .sum()
        .to_dict()
    )
    assert expected  # the sample has supplementary quantities
    df = td.read_comext(path).to_pandas()
    df = df[df["quantity"].notna()]
    partner = {643: "RU", 398: "KZ"}
    got = {
        (str(r.product), partner[int(r.partner)], str(r.quantity_unit)): r.quantity
        for r in df.itertuples()
    }
    assert got == expected


def test_eur_and_usd_tables_do_not_combine() -> None:
    eur = td.read_comext(HERE.parent / "data/comext/full202201_sample.dat")
    usd = td.read_comtrade(HERE.parent / "data/comtrade/api_response_hs6.json")
    assert eur.currency == "EUR" and usd.currency == "USD"
    # The currency travels in the Arrow schema, so pandas/polars users see it too.
    assert eur.to_arrow().schema.metadata[b"tradedep.currency"] == b"EUR"
    assert usd.to_arrow().schema.metadata[b"tradedep.currency"] == b"USD"
    with pytest.raises(td.InvalidArgumentError, match="EUR") as e:
        td.concat([eur, usd])
    assert "USD" in str(e.value)


def test_concat_refuses_comext_eur_with_comtrade_usd(shared_data: Path) -> None:
    eur = td.read_comext(shared_data / LONG)
    usd = td.read_comtrade(shared_data / RU_CN_TOTAL)
    assert (eur.currency, usd.currency) == ("EUR", "USD")
    assert eur.freq == usd.freq == "M"  # only the currency (and vintage) differ
    for pair in ([eur, usd], [usd, eur]):
        with pytest.raises(td.InvalidArgumentError) as e:
            td.concat(pair)
        msg = str(e.value)
        assert "EUR" in msg and "USD" in msg, msg


def test_concat_two_usd_tables_adds_rows(shared_data: Path) -> None:
    am = td.read_comtrade(shared_data / CARS)
    ge = td.read_comtrade(shared_data / "comtrade_armenia_georgia/comtrade_georgia_hs8703_monthly_2021_2023.csv.gz")
    assert (am.currency, am.freq, am.vintage) == (ge.currency, ge.freq, ge.vintage) == ("USD", "M", None)
    both = td.concat([am, ge])
    assert both.num_rows == am.num_rows + ge.num_rows
    assert both.report["rows_read"] == am.report["rows_read"] + ge.report["rows_read"]
    df = both.to_pandas()
    assert set(df["reporter"]) == {51, 268}  # Armenia and Georgia
    assert df["value"].sum() == pytest.approx(am.to_pandas()["value"].sum() + ge.to_pandas()["value"].sum(), rel=1e-12)
    with pytest.raises(td.InvalidArgumentError, match="no tables"):
        td.concat([])
    with pytest.raises(td.InvalidArgumentError):
        td.concat([am, am.to_pandas()])  # type: ignore[list-item]


def test_bulk_7z(tmp_path: Path) -> None:
    py7zr = pytest.importorskip("py7zr")
    archive = tmp_path / "full202201.7z"
    with py7zr.SevenZipFile(archive, "w") as z:
        z.write(HERE.parent / "data/comext/full202201_sample.dat", "full202201.dat")
    t = td.read_comext(archive)
    assert t.to_pandas()["value"].sum() == 1_500_000 + 80_000 + 52_000 + 7_000


@pytest.mark.parametrize(
    ("body", "exc", "needle"),
    [
        ("a,b,c\n1,2,3\n", td.FileFormatError, "not a Comtrade file"),
        (
            "period,reporterCode,flowCode,partnerCode,cmdCode,primaryValue\n2021,51,Q,643,8703,10\n",
            td.ParseError,
            "line 2",
        ),
        (
            "period,reporterCode,flowCode,partnerCode,cmdCode,primaryValue\n2021,51,X,643,8703,ten\n",
            td.ParseError,
            '"ten"',
        ),
        (
            "period,reporterCode,flowCode,partnerCode,cmdCode,primaryValue\n2021,51,X,643,87A3,10\n",
            td.InvalidProductError,
            "87A3",
        ),
        (
            "period,reporterCode,flowCode,partnerCode,cmdCode,primaryValue\n2021,51,X,643,8703,-5\n",
            td.InvalidDataError,
            "negative",
        ),
    ],
)
def test_comtrade_bad_inputs(tmp_path: Path, body: str, exc: type[Exception], needle: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(body)
    with pytest.raises(exc, match=None) as info:
        td.read_comtrade(p)
    assert needle in str(info.value)
    assert "bad.csv" in str(info.value)


def test_comext_bad_inputs(tmp_path: Path) -> None:
    header = (
        "DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,PRODUCT_CPA2002,"
        "PRODUCT_CPA2008,PRODUCT_CPA2_1,PRODUCT_BEC,PRODUCT_SECTION,FLOW,STAT_REGIME,SUPP_UNIT,PERIOD,"
        "VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY\n"
    )
    p = tmp_path / "full202201.dat"
    p.write_text(header + "004,DE,0075,RU,E,85423190,,,,,,,3,1,,202201,10,,\n")
    with pytest.raises(td.ParseError, match="FLOW"):
        td.read_comext(p)
    p.write_text(header + "004,DE,0075,RU,E,85423190,,,,,,,2,1,,202201,1e,,\n")
    with pytest.raises(td.ParseError, match="VALUE_IN_EUROS"):
        td.read_comext(p)
    gz = tmp_path / "x.csv.gz"
    gz.write_bytes(gzip.compress(b"reporter,partner,flow,year,value_eur\nEU27_2020,Afghanistan,EXPORT,2010,1\n"))
    with pytest.raises(td.FileFormatError, match="all products"):
        td.read_comext(gz)
    with pytest.raises(td.InvalidArgumentError):
        td.read_comext(p, level="HS6")  # type: ignore[arg-type]
    with pytest.raises(td.InvalidArgumentError):
        td.read_comtrade(p, breakdown="everything")  # type: ignore[arg-type]
    with pytest.raises(td.TradeDepIOError):
        td.read_comext(tmp_path / "missing.7z")
