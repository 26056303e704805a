"""``td.read_baci(path, importers=...)``: the rows kept are pandas' rows of those importers, the
metrics on the restricted table equal those on the full one, every result says the table was
restricted, and what the table cannot answer raises with what to read instead."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import tradedep as td

SAMPLE = "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz"
CHPL = ["8542", "8517", "8471"]


@pytest.fixture()
def tables(shared_data: Path) -> "tuple[td.TradeTable, td.TradeTable, pd.DataFrame]":
    path = shared_data / SAMPLE
    full = td.read_baci(path, progress=False)
    part = td.read_baci(path, importers=["China", "AGO", 643], progress=False)
    ref = pd.read_csv(path, dtype={"k": str, "q": str})
    return full, part, ref


def test_rows_kept_are_pandas_rows_of_those_importers(tables) -> None:
    full, part, ref = tables
    want = ref[ref["j"].isin([156, 24, 643])]
    got = part.to_pandas()
    assert len(got) == len(want) > 100
    assert (got["partner"].to_numpy() == want["j"].to_numpy()).all()
    assert (got["reporter"].to_numpy() == want["i"].to_numpy()).all()
    assert (got["value"].to_numpy() == want["v"].to_numpy() * 1000).all()
    assert (got["product"].astype(str).to_numpy() == want["k"].str.zfill(6).to_numpy()).all()
    r = part.report
    assert r["rows_read"] == len(ref) == 71192
    assert r["rows_kept"] == len(want)
    assert r["set_aside"]["importer not requested"] == len(ref) - len(want)
    assert part.importers_read == ["AGO", "CHN", "RUS"]
    assert full.importers_read is None
    assert "limited to flows into AGO, CHN, RUS" in part.report_text
    # Seen where a notebook shows the table too.
    assert repr(part).endswith("; limited to flows into AGO, CHN, RUS)")
    assert "limited to flows into AGO, CHN, RUS)" in part._repr_html_()
    assert "limited" not in repr(full) and "limited to" not in full._repr_html_().split("</caption>")[0]


def test_shares_on_the_restricted_table_equal_the_full_ones_and_say_so(tables) -> None:
    full, part, _ = tables
    for importer in ["CHN", "RUS"]:
        kw = dict(importer=importer, products=CHPL, groups={"South Africa": ["ZAF"]}, by="year", source="mirror")
        a, b = td.supplier_shares(part, **kw), td.supplier_shares(full, **kw)
        pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas())
        assert a.method["importers_read"] == ["AGO", "CHN", "RUS"]
        assert b.method["importers_read"] is None
        assert any("limited to flows into AGO, CHN, RUS" in n for n in a.notes)
        assert not any("limited to flows into" in n for n in b.notes)
    # Every importer of the restricted table: the full table's rows of those importers.
    a = td.concentration(part, by=["importer", "product"], source="mirror").to_pandas()
    b = td.concentration(full, by=["importer", "product"], source="mirror").to_pandas()
    b = b[b["importer"].isin(["AGO", "CHN", "RUS"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_what_the_restricted_table_cannot_answer_raises(tables) -> None:
    _, part, _ = tables
    with pytest.raises(td.InvalidArgumentError, match="UKR is not covered.*importers= including UKR"):
        td.supplier_shares(part, importer="UKR", source="mirror")
    with pytest.raises(td.InvalidArgumentError, match="EU27 is not covered"):
        td.supplier_shares(part, importer="EU27", source="mirror")
    with pytest.raises(td.InvalidArgumentError, match="every exporter's exports to every destination"):
        td.rca(part, digits=4)
    with pytest.raises(td.InvalidArgumentError, match="exports to every destination"):
        td.bilateral_asymmetry(part, "RUS", "CHN", source="mirror")
    flags = td.dependency_flags(part, method="geodep", source="mirror").to_pandas()
    assert len(flags) > 0
    assert flags["c2_hhi"].isna().all()
    assert flags["c2_reason"].str.contains("limited to flows into AGO, CHN, RUS").all()


def test_arguments_are_checked(shared_data: Path) -> None:
    path = shared_data / SAMPLE
    with pytest.raises(td.InvalidArgumentError, match="names no country"):
        td.read_baci(path, importers=[])
    with pytest.raises(td.UnknownCountryError, match="Atlantis"):
        td.read_baci(path, importers=["Atlantis"])


def test_the_restriction_survives_parquet_and_concat(tables, tmp_path: Path) -> None:
    full, part, _ = tables
    p = tmp_path / "part.parquet"
    part.write_parquet(p)
    assert td.read_parquet(p).importers_read == ["AGO", "CHN", "RUS"]
    # Together with a full table, the tables cover the restricted one's importers only.
    assert td.concat([full, part]).importers_read == ["AGO", "CHN", "RUS"]


def test_the_command_line_reads_a_baci_file_for_the_importers_asked(shared_data: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tradedep.__main__ import main

    # The reader is picked by the file name (BACI_...); the shared sample is HS1992.
    path = tmp_path / "BACI_HS92_Y2021_V202401.csv.gz"
    path.write_bytes((shared_data / SAMPLE).read_bytes())
    out_file = tmp_path / "chn.csv"
    assert main(["shares", str(path), "--importer", "CHN", "--source", "mirror", "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "the table is limited to flows into CHN" in out
    full = td.supplier_shares(td.read_baci(path, progress=False), "CHN", source="mirror").to_pandas()
    got = pd.read_csv(out_file)
    assert len(got) == len(full)
    assert (got["value"].to_numpy() == full["value"].to_numpy()).all()


def test_read_csv_and_from_arrow_take_importers_too(tables, tmp_path: Path) -> None:
    full, _, ref = tables
    # The BACI sample written as importer-reported rows (importer j reports imports from i).
    csv = tmp_path / "imports.csv"
    ref.rename(columns={"j": "reporter", "i": "partner"}).to_csv(csv, index=False)
    mapping = dict(columns={"period": "t", "reporter": "reporter", "partner": "partner", "product": "k", "value": "v"},
                   flow="import", vintage="HS1992", value_scale=1000)
    part = td.read_csv(csv, **mapping, importers=["CHN", "RUS"])
    whole = td.read_csv(csv, **mapping)
    want = ref[ref["j"].isin([156, 643])]
    assert part.num_rows == len(want) and whole.num_rows == len(ref)
    assert part.report["set_aside"]["importer not requested"] == len(ref) - len(want)
    assert part.importers_read == ["CHN", "RUS"]
    kw = dict(importer="RUS", by="year", source="reported")
    pd.testing.assert_frame_equal(td.supplier_shares(part, **kw).to_pandas(), td.supplier_shares(whole, **kw).to_pandas())
    with pytest.raises(td.InvalidArgumentError, match="AGO is not covered"):
        td.supplier_shares(part, importer="AGO", source="reported")
    # from_arrow: the same rule on a DataFrame (exports: the partner is the importer).
    df = ref.rename(columns={"i": "exporter", "j": "importer"})
    t = td.TradeTable.from_arrow(
        df, columns={"period": "t", "reporter": "exporter", "partner": "importer", "product": "k", "value": "v"},
        flow="export", vintage="HS1992", importers="CHN")
    assert t.num_rows == int((ref["j"] == 156).sum())
    assert t.importers_read == ["CHN"]
    with pytest.raises(td.InvalidArgumentError, match="importers="):
        td.read_parquet(tmp_path / "none.parquet", importers="CHN")
