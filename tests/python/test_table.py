"""TradeTable basics: Arrow out without copies, pandas/polars, report, filter, errors."""

from __future__ import annotations

import pyarrow as pa
import pytest

import tradedep as td


def test_demo_table_round_trips_through_arrow_pandas_polars() -> None:
    t = td.demo_table()
    arrow = t.to_arrow()
    assert arrow.num_rows == t.num_rows > 1000
    assert arrow.column_names[:6] == ["period", "reporter", "partner", "flow", "product", "value"]
    assert arrow.schema.metadata[b"tradedep.currency"] == b"USD"
    df = t.to_pandas()
    # The total is computed independently by pandas and by pyarrow over the same buffers.
    assert df["value"].sum() == pytest.approx(pa.compute.sum(arrow["value"]).as_py())
    pl_df = t.to_polars()
    assert pl_df.height == t.num_rows


def test_demo_report_accounts_for_every_row() -> None:
    r = td.demo_table().report
    assert r["rows_read"] == r["rows_kept"] + r["rows_set_aside"]
    assert any("SYNTHETIC" in n for n in r["notes"])


def test_filter_by_numeric_codes_and_prefix_matches_pandas() -> None:
    t = td.demo_table()
    df = t.to_pandas()
    got = t.filter(reporter=643, product="8542", period_from="2022-01", period_to="2022-12")
    want = df[(df.reporter == 643) & df["product"].astype(str).str.startswith("8542") & df.period.between(202201, 202212)]
    assert got.num_rows == len(want)
    assert got.to_pandas()["value"].sum() == pytest.approx(want["value"].sum())


def test_bad_flow_in_filter_raises_invalid_argument() -> None:
    with pytest.raises(td.InvalidArgumentError, match="sideways"):
        td.demo_table().filter(flow="sideways")
    assert issubclass(td.InvalidArgumentError, td.TradeDepError)


def test_html_repr_names_the_table() -> None:
    html = td.demo_table()._repr_html_()
    assert "TradeTable" in html and "<table>" in html
