"""TradeTable.to_currency (hand-computed rates and currencyconverter's own numbers) and
td.import_panel (GACC-, Comext- and Comtrade-shaped inputs with known totals)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import tradedep as td

DATA = Path(__file__).resolve().parents[1] / "data" / "gacc"
COLS = {"period": "period", "reporter": "reporter", "partner": "partner", "product": "product", "value": "value"}


def _table(rows: list[tuple], currency: str, vintage: str, flow: str = "export") -> td.TradeTable:
    df = pd.DataFrame(rows, columns=["period", "reporter", "partner", "product", "value"])
    return td.TradeTable.from_arrow(df, columns=COLS, flow=flow, freq="M", currency=currency, vintage=vintage,
                                    country_coding="numeric")


def test_user_rates_by_month_and_year() -> None:
    eu = _table([(202301, 276, 643, "85423190", 100.0), (202302, 276, 643, "85423190", 50.0)], "EUR", "CN2023")
    usd = eu.to_currency("USD", rates={"2023-01": 1.08, 202302: 1.07})
    assert usd.currency == "USD"
    assert usd.to_pandas()["value"].tolist() == [100.0 * 1.08, 50.0 * 1.07]
    assert any("rates passed by the user" in n for n in usd.report["notes"])
    table_rates = pd.DataFrame({"period": ["2023-01", "2023-02"], "rate": [2.0, 3.0]})
    assert eu.to_currency("USD", rates=table_rates).to_pandas()["value"].tolist() == [200.0, 150.0]
    with pytest.raises(td.InvalidArgumentError, match="202302"):
        eu.to_currency("USD", rates={"2023-01": 1.08})
    with pytest.raises(td.InvalidArgumentError):
        td.concat([eu, _table([(202301, 156, 643, "85423190", 1.0)], "USD", "CN2023")])
    assert td.concat([usd, _table([(202301, 156, 643, "85423190", 1.0)], "USD", "CN2023")]).num_rows == 3


def test_ecb_monthly_average_equals_currencyconverter_daily_mean() -> None:
    cc = pytest.importorskip("currency_converter")
    c = cc.CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)
    eu = _table([(202305, 276, 643, "85423190", 1000.0)], "EUR", "CN2023")
    usd = eu.to_currency("USD")
    daily = []
    for d in range(1, 32):
        try:
            daily.append(c.convert(1, "EUR", "USD", date=dt.date(2023, 5, d)))
        except cc.RateNotFoundError:
            pass
    assert len(daily) == 22  # business days of May 2023 with an ECB fixing (1 May is a TARGET holiday)
    assert usd.to_pandas()["value"].iloc[0] == pytest.approx(1000.0 * sum(daily) / len(daily), rel=1e-12)
    # Hand-computed from three fixings: the mean is of the days' rates, not of anything else.
    assert min(daily) < sum(daily) / len(daily) < max(daily)
    assert any("monthly average" in n for n in usd.report["notes"])
    # CNY -> USD: cross rate of each day, averaged; an RMB GACC table converts.
    g = td.read_gacc(DATA / "gacc_zh_rmb_gb18030.csv", period="2023-12", flow="import", table="cumulative")
    day, cross = dt.date(2023, 1, 1), []
    while day.year == 2023:  # independent: each business day's USD/EUR over CNY/EUR, averaged
        try:
            cross.append(c.convert(1, "EUR", "USD", date=day) / c.convert(1, "EUR", "CNY", date=day))
        except cc.RateNotFoundError:
            pass
        day += dt.timedelta(days=1)
    r = sum(cross) / len(cross)
    assert 0.13 < r < 0.15 and len(cross) == 255  # the ECB's 2023 fixing days
    assert td.ecb_rates("CNY", "USD", [2023], freq="A")[2023] == pytest.approx(r, rel=1e-12)
    assert g.to_currency("USD").to_pandas()["value"].sum() == pytest.approx(6845678.0 * r)


def test_import_panel_priority_currency_and_missing_partners() -> None:
    # GACC-shaped: China's exports to Russia, May and June 2023 (USD, CHN2023 8-digit codes).
    gacc = td.read_gacc(DATA / "gacc_export_202305_monthly.csv")
    gacc_jun = _table([(202306, 156, 643, "85444211", 700.0)], "USD", "CHN2023")
    gacc_all = td.concat([gacc.filter(partner=643), gacc_jun])
    # Comext-shaped: Germany's exports to Russia in EUR (CN2023), May and June.
    eu = _table([(202305, 276, 643, "85444211", 1000.0), (202306, 276, 643, "85076000", 2000.0)], "EUR", "CN2023")
    # Comtrade-shaped: Kazakhstan's exports in May only; China and Germany too (overlaps).
    ct = _table([(202305, 398, 643, "854442", 300.0), (202305, 156, 643, "854442", 999.0),
                 (202305, 276, 643, "854442", 888.0), (202305, 156, 398, "854442", 5.0)], "USD", "HS2022")
    rates = {"comext": {"2023-05": 1.1, "2023-06": 1.2}}
    p = td.import_panel("RUS", {"gacc": gacc_all, "comext": eu, "comtrade": ct}, rates=rates)
    t = p.table.to_pandas()
    assert p.table.currency == "USD" and p.table.vintage == "HS2022"
    got = t.groupby(["period", "partner", "source"])["value"].sum().to_dict()
    assert got == {
        (202305, 156, "gacc"): 1234567.0,   # GACC wins over Comtrade's China row (999)
        (202305, 276, "comext"): 1100.0,    # 1000 EUR x 1.1; Comtrade's Germany row (888) set aside
        (202305, 398, "comtrade"): 300.0,
        (202306, 156, "gacc"): 700.0,
        (202306, 276, "comext"): 2400.0,    # 2000 EUR x 1.2
    }
    assert set(t["product"]) == {"854442", "850760"}
    assert (t["reporter"] == 643).all() and (t["flow"] == "import").all()
    ov = p.overlaps.to_pandas().set_index("source")
    assert ov.loc["comtrade", "rows"] == 2 and ov.loc["comtrade", "value"] == 999.0 + 888.0
    miss = p.missing.to_pandas().set_index("period")
    assert list(miss.loc[202305, "missing"]) == [] and list(miss.loc[202306, "missing"]) == [398]
    # Against a list the user gives.
    p2 = td.import_panel("RUS", {"gacc": gacc_all, "comext": eu, "comtrade": ct}, rates=rates,
                         partners=["CHN", "DEU", "KAZ", "BLR"])
    m2 = p2.missing.to_pandas().set_index("period")
    assert list(m2.loc[202305, "missing"]) == [112] and list(m2.loc[202306, "missing"]) == [112, 398]
    # China+HK's share of Russia's imports by month is one call on the panel.
    s = td.supplier_shares(p.table, "RUS", groups={"China+HK": ["CHN", "HKG"]}).to_pandas()
    s = s[s["supplier"] == "China+HK"].set_index("period")["share"]
    assert s[202305] == pytest.approx(1234567.0 / (1234567.0 + 1100.0 + 300.0))
    assert s[202306] == pytest.approx(700.0 / (700.0 + 2400.0))


def test_chpl_share_of_china_and_hk_by_month_is_one_call_on_the_panel() -> None:
    # GACC 8-digit codes (CHN2023) meet the CHPL's HS6 entries through their first six digits.
    gacc = _table([(202305, 156, 643, "85423190", 7.0), (202306, 156, 643, "85423190", 2.0),
                   (202305, 156, 643, "01012900", 50.0)], "USD", "CHN2023")
    c = td.classify(gacc, td.lists.chpl()).to_pandas()
    assert c.loc[c["product"] == "85423190", "CHPL.entry"].unique().tolist() == ["854231"]
    ct = _table([(202305, 398, 643, "854231", 3.0), (202306, 344, 643, "854231", 1.0),
                 (202306, 398, 643, "854231", 1.0)], "USD", "HS2022")
    p = td.import_panel("RUS", {"gacc": gacc, "comtrade": ct})
    s = td.supplier_shares(p.table, "RUS", products=td.lists.chpl(), groups={"China+HK": ["CHN", "HKG"]})
    s = s.to_pandas().set_index(["period", "supplier"])["share"]
    assert s[(202305, "China+HK")] == pytest.approx(7.0 / 10.0)
    assert s[(202306, "China+HK")] == pytest.approx(3.0 / 4.0)
