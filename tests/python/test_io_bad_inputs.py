"""Bad input is never taken silently (issue 9 item 11): each case raises a located
TradeDepError, or is counted with its reason. Each case here was read without a word before."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tradedep as td

MAPPING = {"period": "t", "reporter": "i", "partner": "j", "product": "k", "value": "v"}
PLUS_HEADER = (
    "refYear,refMonth,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,"
    "customsCode,motCode,qtyUnitCode,qtyUnitAbbr,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported"
)


def _csv(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


BAD_PERIODS = ["-2021", "20x21", "2021.", "x2021y", "2021-03-99", "202113"]


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_read_csv_periods_keep_their_characters(tmp_path: Path, period: str) -> None:
    p = _csv(tmp_path, f't,i,j,k,v\n"{period}",4,8,010121,5\n')
    with pytest.raises(td.ParseError, match=r"t\.csv.*line 2.*column 't'"):
        td.read_csv(p, columns=MAPPING, flow="export")


@pytest.mark.parametrize("period", [*BAD_PERIODS, -2021])
def test_from_arrow_periods_keep_their_characters(period: object) -> None:
    data = pa.table({"t": [period], "i": [4], "j": [8], "k": ["010121"], "v": [5.0]})
    with pytest.raises(td.ParseError, match="period"):
        td.TradeTable.from_arrow(data, columns=MAPPING, flow="export")


def test_good_period_spellings_still_read() -> None:
    data = pa.table({"t": ["2021-03", "2021M04", "2021-05-31", "202106"], "i": [4] * 4, "j": [8] * 4,
                     "k": ["010121"] * 4, "v": [1.0, 2.0, 3.0, 4.0]})
    t = td.TradeTable.from_arrow(data, columns=MAPPING, flow="export")
    assert t.to_arrow()["period"].to_pylist() == [202103, 202104, 202105, 202106]


def test_parquet_with_an_impossible_month_is_refused(tmp_path: Path) -> None:
    data = pa.table({"t": ["2021-03"], "i": [4], "j": [8], "k": ["010121"], "v": [1.0]})
    good = tmp_path / "good.parquet"
    td.TradeTable.from_arrow(data, columns=MAPPING, flow="export").write_parquet(good)
    table = pq.read_table(good)
    bad_period = pa.array([202113], pa.int32())
    table = table.set_column(0, table.schema.field(0), bad_period)
    bad = tmp_path / "bad.parquet"
    pq.write_table(table, bad)
    with pytest.raises(td.InvalidDataError, match=r"bad\.parquet.*202113"):
        td.read_parquet(bad)


def test_parquet_schema_errors_name_the_file(tmp_path: Path) -> None:
    p = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1]}).replace_schema_metadata({"tradedep.freq": "A", "tradedep.currency": "USD"}), p)
    with pytest.raises(td.TradeDepError, match=r"other\.parquet"):
        td.read_parquet(p)


def test_comtrade_month_13_is_not_a_year(tmp_path: Path) -> None:
    row = "2021,13,2021,51,M,643,0,H5,870323,C00,0,5,u,6,,50,,50,true"
    p = _csv(tmp_path, PLUS_HEADER + "\n" + row + "\n")
    with pytest.raises(td.ParseError, match="refMonth"):
        td.read_comtrade(p)


def test_comtrade_decimal_comma_is_not_dropped(tmp_path: Path) -> None:
    row = '2021,52,2021,51,M,643,0,H5,870323,C00,0,5,u,6,,50,,"1,5",true'
    p = _csv(tmp_path, PLUS_HEADER + "\n" + row + "\n")
    with pytest.raises(td.ParseError, match="primaryValue"):
        td.read_comtrade(p)
    # Thousands separators still read.
    ok = _csv(tmp_path, PLUS_HEADER + "\n" + row.replace('"1,5"', '"1,234.5"') + "\n", "ok.csv")
    assert td.read_comtrade(ok).to_arrow()["value"].to_pylist() == [1234.5]


def test_comtrade_negative_net_weight_is_noted(tmp_path: Path) -> None:
    row = "2021,52,2021,51,M,643,0,H5,870323,C00,0,5,u,6,-3,50,,50,true"
    t = td.read_comtrade(_csv(tmp_path, PLUS_HEADER + "\n" + row + "\n"))
    assert t.to_arrow()["net_weight_kg"].to_pylist() == [None]
    assert any("negative netWgt" in n for n in t.report["notes"])


def test_duplicated_column_names_are_errors(tmp_path: Path) -> None:
    p = _csv(tmp_path, "t,i,j,k,v,v\n2021,4,8,010121,5,7\n")
    with pytest.raises(td.FileFormatError, match="two columns are named \"v\""):
        td.read_csv(p, columns=MAPPING, flow="export")
    row = "2021,52,2021,51,M,643,0,H5,870323,C00,0,5,u,6,,50,,50,true,99"
    c = _csv(tmp_path, PLUS_HEADER + ",primaryValue\n" + row + "\n", "c.csv")
    with pytest.raises(td.FileFormatError, match="two columns"):
        td.read_comtrade(c)
    data = pa.Table.from_arrays([pa.array([2021]), pa.array([4]), pa.array([8]), pa.array(["010121"]),
                                 pa.array([5.0]), pa.array([7.0])], names=["t", "i", "j", "k", "v", "v"])
    with pytest.raises(td.FileFormatError, match="two columns"):
        td.TradeTable.from_arrow(data, columns=MAPPING, flow="export")
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([[2021, 4, 8, "010121", 5.0, 7.0]], columns=["t", "i", "j", "k", "v", "v"])
    with pytest.raises(td.FileFormatError, match="two columns are named 'v' \\(columns 5 and 6\\)"):
        td.TradeTable.from_arrow(frame, columns=MAPPING, flow="export")


def test_text_after_a_closing_quote(tmp_path: Path) -> None:
    p = _csv(tmp_path, 't,i,j,k,v\n2021,4,8,010121,"12"34\n')
    with pytest.raises(td.FileFormatError, match="line 2"):
        td.read_csv(p, columns=MAPPING, flow="export")


def test_estimated_must_be_a_boolean() -> None:
    data = pa.table({"t": [2021], "i": [4], "j": [8], "k": ["010121"], "v": [5.0], "e": ["maybe"]})
    with pytest.raises(td.ParseError, match="estimated"):
        td.TradeTable.from_arrow(data, columns={**MAPPING, "estimated": "e"}, flow="export")


def test_a_frame_with_no_columns_is_an_error() -> None:
    with pytest.raises(td.SchemaError, match="no columns"):
        td.TradeTable.from_arrow(pa.table({}), columns=MAPPING, flow="export")


def test_line_break_delimiter_is_refused(tmp_path: Path) -> None:
    p = _csv(tmp_path, "t,i,j,k,v\n2021,4,8,010121,5\n")
    with pytest.raises(td.InvalidArgumentError, match="delimiter"):
        td.read_csv(p, columns=MAPPING, flow="export", delimiter="\n")


def _baci(tmp_path: Path, rows: str, name: str = "BACI_HS17_Y2021_V202401.csv") -> Path:
    return _csv(tmp_path, "t,i,j,k,v,q\n" + rows, name)


@pytest.mark.parametrize(
    ("row", "error", "message"),
    [
        ("2021,4,8,5,1.0,NA\n", td.InvalidProductError, "5 or 6 digits"),
        ("2021,4,8,10121,1e306,NA\n", td.InvalidDataError, "too large to be a trade value"),
        ("2021,99999999999,8,10121,1.0,NA\n", td.InvalidDataError, "a country code has 11 digits"),
    ],
)
def test_baci_rows(tmp_path: Path, row: str, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        td.read_baci(_baci(tmp_path, row), progress=False)


def test_baci_five_digit_codes_still_read(tmp_path: Path) -> None:
    t = td.read_baci(_baci(tmp_path, "2021,4,8,10121,1.5,NA\n"), progress=False)
    assert t.to_arrow()["product"].to_pylist() == ["010121"]


def test_baci_zip_with_two_files_of_one_year(tmp_path: Path) -> None:
    z = tmp_path / "BACI_HS17_V202401.zip"
    with zipfile.ZipFile(z, "w") as f:
        for release in ("V202401", "V202501"):
            f.writestr(f"BACI_HS17_Y2021_{release}.csv", "t,i,j,k,v,q\n2021,4,8,10121,1.5,NA\n")
    with pytest.raises(td.InvalidDataError, match="two files for year 2021"):
        td.read_baci(z, progress=False)


def test_baci_long_line_has_a_line_number(tmp_path: Path) -> None:
    p = _baci(tmp_path, "2021,4,8,10121,1.5,NA\n" * 3 + "9" * (40 << 20) + "\n")
    with pytest.raises(td.FileFormatError, match="line 5"):
        td.read_baci(p, progress=False)
