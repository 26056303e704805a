"""Readers from Python: BACI against pandas/csv-module readings, generic mapping from pandas,
polars and pyarrow, the Parquet round trip, and the bad-input corpus' exception classes."""

from __future__ import annotations

import csv
import gzip
import math
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

import tradedep as td

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
SAMPLE = "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz"


def test_read_baci_sample_rows_and_values_match_pandas(shared_data: Path) -> None:
    import pandas as pd

    path = shared_data / SAMPLE
    t = td.read_baci(path)
    assert t.num_rows == 71192
    assert t.vintage == "HS1992" and t.currency == "USD" and t.freq == "A"
    ref = pd.read_csv(path, dtype={"k": str, "q": str})
    got = t.to_pandas()
    assert len(got) == len(ref)
    # Values: v (thousands of USD) x 1000, row by row and in total.
    assert (got["value"].to_numpy() == ref["v"].to_numpy() * 1000).all()
    assert got["value"].sum() == (ref["v"] * 1000).sum()
    assert math.isclose(math.fsum(got["value"]), math.fsum(ref["v"] * 1000), rel_tol=1e-15)
    assert (got["product"].astype(str).to_numpy() == ref["k"].str.zfill(6).to_numpy()).all()
    assert (got["reporter"].to_numpy() == ref["i"].to_numpy()).all()
    assert (got["partner"].to_numpy() == ref["j"].to_numpy()).all()
    assert set(got["flow"].astype(str)) == {"export"}
    q = ref["q"].str.strip()
    na = q.eq("NA")
    assert got["quantity"].isna().sum() == na.sum()
    assert (got.loc[~na.to_numpy(), "quantity"].to_numpy() == q[~na].astype(float).to_numpy()).all()
    assert t.report["rows_read"] == t.report["rows_kept"] == 71192


def test_read_baci_sum_matches_csv_module(shared_data: Path) -> None:
    path = shared_data / SAMPLE
    with gzip.open(path, "rt", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = math.fsum(float(r["v"]) * 1000 for r in rows)
    got = td.read_baci(path).to_arrow()
    assert math.fsum(got.column("value").to_pylist()) == expected
    zaf_rus = math.fsum(float(r["v"]) for r in rows if r["i"] == "710" and r["j"] == "643")
    # PROVENANCE.md: ZAF -> RUS total 321,763 thousand USD.
    assert round(zaf_rus) == 321763


def _zip(tmp_path: Path, members: dict[str, str]) -> Path:
    p = tmp_path / "BACI_HS17_V202401.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)
    return p


def test_read_baci_zip_years(tmp_path: Path) -> None:
    p = _zip(
        tmp_path,
        {
            "BACI_HS17_Y2017_V202401.csv": "t,i,j,k,v,q\n2017,4,24,10121,1.5,2\n",
            "BACI_HS17_Y2018_V202401.csv": "t,i,j,k,v,q\n2018,4,24,10121,4,NA\n2018,710,643,854231,1,NA\n",
        },
    )
    assert td.read_baci(p).num_rows == 3
    t = td.read_baci(p, years=2018)
    assert t.num_rows == 2
    assert t.to_arrow().column("period").to_pylist() == [2018, 2018]
    assert t.report["sources"] == ["BACI_HS17_Y2018_V202401.csv"]


def test_read_baci_needs_a_vintage(tmp_path: Path) -> None:
    p = tmp_path / "exports.csv"
    p.write_text("t,i,j,k,v,q\n2021,4,24,10121,1.5,2\n")
    with pytest.raises(td.InvalidArgumentError, match="vintage="):
        td.read_baci(p)
    assert td.read_baci(p, vintage="HS17").vintage == "HS2017"


def test_read_baci_progress_callback_reaches_total(tmp_path: Path) -> None:
    p = tmp_path / "BACI_HS17_Y2021_V202401.csv"
    # Distinct rows: exact repeats would be set aside as duplicates.
    p.write_text("t,i,j,k,v,q\n" + "".join(f"2021,4,24,{10121 + r},1.5,2\n" for r in range(1000)))
    calls: list[tuple[int, int]] = []
    inner = td._tradedep._read_baci(str(p), progress=lambda d, n: calls.append((d, n)))
    assert inner.num_rows == 1000
    assert calls and calls[-1] == (p.stat().st_size, p.stat().st_size)


# ---- bad-input corpus --------------------------------------------------------------------------

BAD_CASES = [
    ("truncated_gz.csv.gz", td.FileFormatError, ["truncated_gz.csv.gz", "truncated"]),
    ("truncated.zip", td.FileFormatError, ["truncated.zip", "truncated"]),
    ("cut_mid_line.csv", td.FileFormatError, ["line 3", "4 field(s)"]),
    ("cut_mid_quote.csv", td.FileFormatError, ["line 3", "column 'q'", "unterminated"]),
    ("wrong_header.csv", td.FileFormatError, ["line 1", "year,exporter"]),
    ("missing_header.csv", td.FileFormatError, ["line 1", "missing header"]),
    ("text_in_number.csv", td.ParseError, ["line 3", "column 'v'", '"n/a"']),
    ("negative_value.csv", td.InvalidDataError, ["line 4", "column 'v'", '"-3.5"']),
    ("unknown_country.csv", td.UnknownCountryError, ["line 3", "column 'i'", "1234"]),
    ("empty.csv", td.FileFormatError, ["empty.csv", "empty"]),
    ("semicolon.csv", td.FileFormatError, ["wrong delimiter ';'"]),
    ("invalid_utf8.csv", td.FileFormatError, ["line 3", "column 'v'", "UTF-8"]),
    ("mixed_vintages.zip", td.InvalidDataError, ["HS2017", "HS2022", "mixes"]),
    ("vintage_mismatch/BACI_HS22_Y2022_V202401.csv", td.InvalidDataError, ["HS2017", "disagrees"]),
]


@pytest.mark.parametrize(("name", "exc", "parts"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_inputs_raise_precise_exceptions(name: str, exc: type[Exception], parts: list[str]) -> None:
    vintage = None if name.endswith(".zip") else "HS2017"
    with pytest.raises(exc) as info:
        td.read_baci(BAD / name, vintage=vintage)
    assert isinstance(info.value, td.TradeDepError)
    msg = str(info.value)
    file_name = Path(name).name
    assert file_name in msg
    for p in parts:
        assert p in msg, f"{msg!r} lacks {p!r}"


def test_unknown_country_can_be_set_aside() -> None:
    t = td.read_baci(BAD / "unknown_country.csv", vintage="HS2017", on_unknown_country="set_aside")
    assert t.num_rows == 1
    assert t.report["set_aside"] == {"unknown country code": 1}
    assert t.report["rows_read"] == 2


def test_missing_file_is_an_io_error(tmp_path: Path) -> None:
    with pytest.raises(td.TradeDepIOError):
        td.read_baci(tmp_path / "BACI_HS17_Y2021_V202401.csv")


# ---- generic mapping ---------------------------------------------------------------------------

COLUMNS = {"period": "year", "reporter": "rep", "partner": "par", "product": "hs", "value": "usd"}


def _frame_data() -> dict[str, list[object]]:
    return {
        "year": [2021, 2021, 2021],
        "rep": [156, 156, 4],
        "par": [643, 0, 24],
        "hs": [10121, 854231, 8542],
        "usd": [1.5, 2.0, 0.25],
    }


def _check_generic(t: td.TradeTable) -> None:
    a = t.to_arrow()
    # Partner 0 (World) is set aside; products as ints get back their leading zero.
    assert a.column("product").to_pylist() == ["010121", "8542"]
    assert a.column("value").to_pylist() == [1.5, 0.25]
    assert a.column("partner").to_pylist() == [643, 24]
    assert set(a.column("flow").to_pylist()) == {"import"}
    assert t.report["set_aside"] == {"partner is World (a total, not a partner)": 1}
    assert t.report["rows_read"] == 3 and t.report["rows_kept"] == 2


def test_from_arrow_pandas() -> None:
    import pandas as pd

    df = pd.DataFrame(_frame_data())
    _check_generic(td.TradeTable.from_arrow(df, columns=COLUMNS, flow="import", freq="A", vintage="HS2017"))


def test_from_arrow_polars_with_utf8view_strings() -> None:
    import polars as pl

    data = _frame_data()
    df = pl.DataFrame({**data, "hs": [str(x).zfill(6) if x != 8542 else "8542" for x in data["hs"]]})
    _check_generic(td.TradeTable.from_arrow(df, columns=COLUMNS, flow="M", vintage="HS2017"))


def test_from_arrow_pyarrow_large_strings_and_small_ints() -> None:
    data = _frame_data()
    tbl = pa.table(
        {
            "year": pa.array(data["year"], pa.int16()),
            "rep": pa.array(data["rep"], pa.uint16()),
            "par": pa.array(data["par"], pa.int32()),
            "hs": pa.array(["10121", "854231", "8542"], pa.large_string()),
            "usd": pa.array(data["usd"], pa.float32()),
        }
    )
    _check_generic(td.TradeTable.from_arrow(tbl, columns=COLUMNS, flow="import"))


def test_from_arrow_bad_mapping_is_clear() -> None:
    with pytest.raises(td.InvalidArgumentError, match="flow"):
        td.TradeTable.from_arrow(pa.table(_frame_data()), columns=COLUMNS)
    with pytest.raises(td.SchemaError, match="the columns are"):
        td.TradeTable.from_arrow(pa.table(_frame_data()), columns={**COLUMNS, "value": "nope"}, flow="import")
    with pytest.raises(td.InvalidArgumentError):
        td.TradeTable.from_arrow([1, 2, 3], columns=COLUMNS, flow="import")


@pytest.mark.parametrize(
    "kwargs, names",
    [
        ({"value_basis": "DAP"}, ["value_basis", "DAP", "CIF", "FOB"]),
        ({"on_unknown_country": "skip"}, ["on_unknown_country", "skip", "set_aside"]),
        ({"country_coding": "iso9"}, ["iso9"]),
        ({"flow": "sideways"}, ["sideways"]),
    ],
)
def test_every_reader_names_a_bad_mapping_argument(tmp_path: Path, kwargs: dict, names: list[str]) -> None:
    # from_arrow, read_csv and read_parquet share one mapping conversion: each names the value.
    kw = {"flow": "import", **kwargs}
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text("year,rep,par,hs,usd\n2021,4,24,010121,1.5\n")
    parquet_path = tmp_path / "mine.parquet"
    import pyarrow.parquet as pq

    pq.write_table(pa.table(_frame_data()), parquet_path)
    for read in (
        lambda: td.TradeTable.from_arrow(pa.table(_frame_data()), columns=COLUMNS, **kw),
        lambda: td.read_csv(csv_path, columns=COLUMNS, **kw),
        lambda: td.read_parquet(parquet_path, columns=COLUMNS, **kw),
    ):
        with pytest.raises(td.TradeDepError) as e:
            read()
        for name in names:
            assert name in str(e.value)


def test_read_csv_keeps_codes_as_text(tmp_path: Path) -> None:
    p = tmp_path / "mine.csv"
    p.write_text("year;exporter;importer;hs6;value_k;kg\n2021;4;24;010121;1.5;10\n2021;4;36;854231;0.25;\n")
    t = td.read_csv(
        p,
        columns={"period": "year", "reporter": "exporter", "partner": "importer", "product": "hs6",
                 "value": "value_k", "quantity": "kg"},
        flow="export", vintage="HS2017", value_scale=1000, unit="kg", delimiter=";",
    )
    a = t.to_arrow()
    assert a.column("product").to_pylist() == ["010121", "854231"]
    assert a.column("value").to_pylist() == [1500.0, 250.0]
    assert a.column("quantity").to_pylist() == [10.0, None]
    assert a.column("quantity_unit").to_pylist() == ["kg", None]
    with pytest.raises(td.FileFormatError, match="delimiter=';'"):
        td.read_csv(p, columns=COLUMNS, flow="export")


def test_parquet_round_trip_keeps_metadata(tmp_path: Path, shared_data: Path) -> None:
    t = td.read_baci(shared_data / SAMPLE)
    out = tmp_path / "trade.parquet"
    t.write_parquet(out)
    back = td.read_parquet(out)
    assert (back.vintage, back.currency, back.freq) == ("HS1992", "USD", "A")
    a, b = back.to_arrow(), t.to_arrow()
    assert a.column_names == b.column_names
    for name in a.column_names:
        # Dictionaries may be re-encoded by Parquet; the decoded values must be equal.
        assert a.column(name).to_pylist() == b.column(name).to_pylist(), name
    assert a.schema.metadata == b.schema.metadata
    import pyarrow.parquet as pq

    meta = pq.read_schema(out).metadata
    assert meta[b"tradedep.vintage"] == b"HS1992"


def test_read_parquet_of_foreign_file_needs_a_mapping(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "foreign.parquet"
    pq.write_table(pa.table(_frame_data()), out)
    with pytest.raises(td.SchemaError, match="columns="):
        td.read_parquet(out)
    t = td.read_parquet(out, columns=COLUMNS, flow="import")
    assert t.num_rows == 2


def test_a_parquet_round_trip_of_an_exports_table_keeps_the_numbers(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    # Parquet stores only the flows a table uses; read back, exports must still be exports.
    df = pd.DataFrame({"year": [2021, 2021, 2022, 2022], "exporter": ["DEU", "FRA", "DEU", "FRA"],
                       "importer": ["RUS", "KAZ", "RUS", "KAZ"], "hs6": ["854231"] * 4, "v": [10.0, 5.0, 2.0, 9.0]})
    t = td.TradeTable.from_arrow(df, columns={"period": "year", "reporter": "exporter", "partner": "importer",
                                              "product": "hs6", "value": "v"}, flow="export", vintage="HS2017")
    t.write_parquet(tmp_path / "x.parquet")
    back = td.read_parquet(tmp_path / "x.parquet")
    r = td.rerouting(back, origin="EU27", hubs=["KAZ"], target="RUS", baseline=2021).summary.to_pandas()
    index = dict(zip(r["destination"], r["index"]))
    assert index == {"KAZ": pytest.approx(100 * 9 / 5), "RUS": pytest.approx(100 * 2 / 10)}
