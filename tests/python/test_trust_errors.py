"""Issue 9, items 1, 10 and 11 (argument conversion): no silent empty result, clear errors.

Each case returned 0 rows, a raw TypeError/OverflowError or a traceback before; now it gives the
numbers (default source auto) or a TradeDepError that says what the table holds and what to pass.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import tradedep as td
from tradedep.__main__ import main

BACI = "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz"
COMEXT = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"


@pytest.fixture(scope="module")
def baci() -> td.TradeTable:
    from conftest import SHARED_DATA

    if SHARED_DATA is None:
        pytest.skip("shared data folder not found")
    return td.read_baci(str(SHARED_DATA / BACI))


@pytest.fixture(scope="module")
def comext() -> td.TradeTable:
    from conftest import SHARED_DATA

    if SHARED_DATA is None:
        pytest.skip("shared data folder not found")
    return td.read_comext(str(SHARED_DATA / COMEXT))


# --- item 1: the default fits the table; a selection of nothing raises ---------------------------


@pytest.mark.parametrize(
    "metric",
    [
        lambda t, **k: td.supplier_shares(t, "RUS", **k),
        lambda t, **k: td.concentration(t, importer="RUS", **k),
        lambda t, **k: td.import_series(t, "RUS", "year", **k),
        lambda t, **k: td.unit_values(t, "RUS", **k),
        lambda t, **k: td.dependency_flags(t, importer="RUS", **k),
    ],
)
def test_default_source_reads_an_exporter_table_and_reported_says_why_not(baci: td.TradeTable, metric: Any) -> None:
    r = metric(baci)
    assert r.num_rows > 0
    assert r.method["source"] == "auto" and r.method["source_used"] == "mirror"
    # The same rows as mirror.
    pd.testing.assert_frame_equal(r.to_pandas(), metric(baci, source="mirror").to_pandas())
    with pytest.raises(td.InvalidArgumentError, match='RUS reported no imports.*source="mirror"'):
        metric(baci, source="reported")


def test_importer_absent_from_the_table(baci: td.TradeTable) -> None:
    with pytest.raises(td.InvalidArgumentError, match=r"importer 9999 is in no row.*exports reported by 2 countries"):
        td.supplier_shares(baci, 9999)


@pytest.mark.parametrize(
    ("products", "message"),
    [
        (["8507.60"], 'digits only: "850760"'),
        ("abc", "2, 4, 6, 8 or 10 digits"),
        ([10620], 'Pass the string "010620"'),
        (10620, 'Pass the string "010620"'),
        (["85423190"], r"HS1992, codes of at most 6 digits.*\"854231\""),
    ],
)
def test_malformed_codes_raise(baci: td.TradeTable, products: Any, message: str) -> None:
    with pytest.raises(td.InvalidProductError, match=message):
        td.supplier_shares(baci, "RUS", products=products)


def test_products_selecting_nothing_raise(baci: td.TradeTable) -> None:
    # 2709 (crude oil) is in the table (South Africa's exports) but not in its exports to Russia.
    df = baci.to_pandas()
    codes = df["product"].astype(str)
    assert codes.str.startswith("2709").any()
    assert not codes[df.partner == 643].str.startswith("2709").any()
    with pytest.raises(td.InvalidArgumentError, match=r"none of the 1 product code\(s\) asked for \(2709\)"):
        td.supplier_shares(baci, "RUS", products=["2709"])


def test_absent_code_listed_in_notes_and_method(comext: td.TradeTable) -> None:
    r = td.supplier_shares(comext, "KAZ", products=["84581120", "85423190"], by="year")
    df = comext.to_pandas()
    assert not (df["product"].astype(str) == "84581120").any()
    assert r.method["products_absent"] == ["84581120"]
    assert r.method["products"]["n_asked"] == 2
    assert any("1 absent from the data: 84581120" in n for n in r.notes)
    # Kept in the Arrow metadata.
    import json

    meta = pa.table(r).schema.metadata
    assert json.loads(meta[b"tradedep.method"])["products_absent"] == ["84581120"]


def test_eu2021_on_a_table_without_eu_imports(comext: td.TradeTable) -> None:
    with pytest.raises(td.InvalidArgumentError, match=r"importer EU27 is in no row of the table as an importer"):
        td.dependency_flags(comext, method="eu2021")


def test_cli_exits_nonzero_with_the_message(shared_data: Path, capsys: Any) -> None:
    path = str(shared_data / BACI)
    assert main(["shares", path, "--importer", "RUS", "--source", "reported", "--reader", "baci"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tradedep: invalid argument: importer RUS reported no imports")
    assert main(["shares", path, "--importer", "RUS", "--products", "8507.60", "--reader", "baci"]) == 2
    assert "tradedep: invalid product code" in capsys.readouterr().err
    # The default (auto) prints rows.
    assert main(["shares", path, "--importer", "RUS", "--reader", "baci"]) == 0
    out = capsys.readouterr().out
    assert "note: source: auto (0 records from importers' reported imports" in out


# --- item 10: crashes and unclear errors --------------------------------------------------------


def test_summary_with_concordances_of_a_baci_file_does_not_crash(shared_data: Path) -> None:
    for folder in ("hs_concordance", "hs_concordance_older"):
        proc = subprocess.run(
            [sys.executable, "-W", "ignore", "-m", "tradedep", str(shared_data / BACI), "--reader", "baci",
             "--concordances", str(shared_data / folder)],
            capture_output=True, text=True, check=False,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode in (0, 2), proc.stderr
        assert "China+HK share of CHPL imports" in proc.stdout or proc.stderr.startswith("tradedep: ")


def test_by_year_names_the_column_year_on_annual_and_monthly_tables(baci: td.TradeTable) -> None:
    annual = td.supplier_shares(baci, "RUS", by="year")
    assert "year" in annual.column_names and "period" not in annual.column_names
    monthly = td.supplier_shares(td.demo_table(), "RUS", by="year")
    assert "year" in monthly.column_names
    assert "year" in td.concentration(baci, by=["year", "product"]).column_names
    # Same numbers as by period on an annual table.
    by_period = td.supplier_shares(baci, "RUS", by="period").to_pandas()
    assert annual.to_pandas()["share"].tolist() == by_period["share"].tolist()


def test_dataframes_and_arrow_tables_get_a_wrap_hint(baci: td.TradeTable) -> None:
    df = baci.to_pandas()
    for obj in (df, pa.Table.from_pandas(df)):
        with pytest.raises(td.InvalidArgumentError, match=r"td.TradeTable.from_arrow\(df, columns="):
            td.supplier_shares(obj, "RUS")
        with pytest.raises(td.InvalidArgumentError, match="takes a td.TradeTable"):
            td.concentration(obj)


def test_integral_float_importer_is_the_code(baci: td.TradeTable) -> None:
    a = td.supplier_shares(baci, 643.0).to_pandas()
    b = td.supplier_shares(baci, 643).to_pandas()
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(td.InvalidArgumentError, match=r"importer=643.5 is not a whole number"):
        td.supplier_shares(baci, 643.5)


def test_comma_separated_group_is_split() -> None:
    t = td.demo_table()
    a = td.supplier_shares(t, "RUS", groups={"China+HK": "CHN,HKG"}, by="year").to_pandas()
    b = td.supplier_shares(t, "RUS", groups={"China+HK": ["CHN", "HKG"]}, by="year").to_pandas()
    pd.testing.assert_frame_equal(a, b)
    assert (a["supplier"] == "China+HK").any()


def test_report_text_is_there() -> None:
    text = td.demo_table().report_text
    assert text.startswith("read 3225 rows") and "kept 3225 rows" in text


def test_complexity_error_has_no_empty_location() -> None:
    # One exporter: no year can be computed.
    t = td._metrics._table_from_columns(
        period=[2021, 2021], reporter=[276, 276], partner=[643, 398], flow=["export", "export"],
        product=["850760", "854231"], value=[1.0, 2.0], vintage="HS2017",
    )
    with pytest.raises(td.TradeDepError) as e:
        td.complexity(t)
    assert "no location" not in str(e.value)


# --- item 11: argument conversion ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: td.concentration(t, crn=-1), r"crn=-1 is below 1"),
        (lambda t: td.supplier_shares(t, "RUS", top=-1), r"top=-1 is below 1"),
        (lambda t: td.rca(t, digits=-1), r"digits=-1 is below 1"),
        (lambda t: td.complexity(t, digits=-1), r"digits=-1 is below 1"),
        (lambda t: td.supplier_shares(t, 70000), r"importer=70000 is not a country code"),
        (lambda t: td.supplier_shares(t, "RUS", top="3"), r"top='3' \(str\)"),
        (lambda t: td.supplier_shares(t, "RUS", cif_fob=-1), r"cif_fob=-1. Pass a number > 0"),
        (lambda t: td.supplier_shares(t, "RUS", groups=["CHN"]), r"groups=\['CHN'\] \(list\)"),
    ],
)
def test_argument_conversion_raises_invalid_argument(call: Any, message: str) -> None:
    with pytest.raises(td.InvalidArgumentError, match=message):
        call(td.demo_table())
