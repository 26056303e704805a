"""The command line (`python -m tradedep`): the README's first command must work and say true things."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import tradedep as td
from tradedep.__main__ import main


def test_demo_run_is_labelled_synthetic_and_accounts_rows(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    assert f"rows: {td.demo_table().num_rows:,}" in out


def test_demo_china_hk_chpl_share_matches_pandas(capsys, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    with open(shared_data / "chpl" / "chpl_2024-02-23.csv", newline="") as f:
        chpl = {row["hs6"] for row in csv.DictReader(f)}
    df = td.demo_table().to_pandas()
    df["product"] = df["product"].astype(str)
    rus = df[(df.reporter == 643) & (df["flow"].astype(str) == "import") & df["product"].isin(chpl)]
    rus = rus[(rus.period // 100) == 2022]
    want = rus[rus.partner.isin([156, 344])]["value"].sum() / rus["value"].sum()
    assert main([]) == 0
    out = capsys.readouterr().out
    m = re.search(r"RUS Russia\s+2022:\s+([\d.]+)%", out)
    assert m is not None, out
    assert abs(float(m.group(1)) - 100 * want) < 0.051


def test_summarises_a_real_baci_file(shared_data: Path) -> None:
    path = shared_data / "baci_sample" / "baci_hs92_2021_exports_zaf_afg.csv.gz"
    if not hasattr(td, "read_baci"):
        import pytest

        pytest.skip("read_baci not in this build")
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "tradedep", str(path), "--reader", "baci"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "rows: 71,192" in proc.stdout
    assert "ZAF South Africa" in proc.stdout


def test_unreadable_file_exits_2_with_message(tmp_path: Path) -> None:
    bad = tmp_path / "comtrade.csv"
    bad.write_text("this is not, a trade file\n1,2\n")
    proc = subprocess.run([sys.executable, "-W", "ignore", "-m", "tradedep", str(bad)], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "comtrade.csv" in proc.stderr


def test_summarises_a_multi_batch_comext_file_with_concordances(shared_data: Path) -> None:
    """Regression: per-batch product dictionaries used to crash the summary's group-by."""
    import pandas as pd

    path = shared_data / "eurostat_comext_ru_neighbours" / "eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "tradedep", str(path), "--top", "2",
         "--concordances", str(shared_data / "hs_concordance")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(path, dtype={"product_code": str})
    cn8 = df[df.level == "CN8"]
    assert f"rows: {len(cn8):,}" in proc.stdout
    assert f"total value: {cn8.value_eur.sum():,.0f} EUR" in proc.stdout


# --- subcommands: each prints its API function's result ------------------------------------------

SYNTHETIC_TITLE = "tradedep demo table: SYNTHETIC data, not real trade"


def _printed(out: str) -> list[dict[str, str]]:
    """The table a subcommand printed, as rows of cells (header and columns split on 2+ spaces)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("== ")) + 2
    header = re.split(r"\s{2,}", lines[start].strip())
    rows = []
    for line in lines[start + 2:]:
        if line.startswith(("... ", "note: ", "wrote ")) or not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) == len(header), line
        rows.append(dict(zip(header, cells)))
    return rows


def _matches(cell: str, value: object) -> bool:
    if value is None:
        return cell == "null"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cell == str(value)
    printed = float(cell.replace(",", ""))
    # Printed with 6 significant digits, or to the unit from a million up.
    return abs(printed - value) <= max(5e-6 * abs(value), 0.5 if abs(value) >= 1e6 else 0.0)


def _assert_printed(out: str, result: td.ArrowResult, limit: int = 20) -> None:
    want = result.to_arrow().slice(0, limit).to_pylist()
    got = _printed(out)
    assert len(got) == len(want), out
    for g, w in zip(got, want):
        assert list(g) == list(w)
        for column, value in w.items():
            assert _matches(g[column], value), (column, g[column], value)


def _demo_imports() -> Any:
    df = td.demo_table().to_pandas()
    df["product"] = df["product"].astype(str)
    df = df[df["flow"].astype(str) == "import"]
    df["year"] = df.period // 100
    return df


def test_help_lists_the_subcommands(capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from tradedep.__main__ import SUBCOMMANDS

    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert re.search(rf"^\s+{name}\s+td\.", out, re.M), name


def test_shares_prints_supplier_shares_and_the_china_hk_chpl_share(capsys) -> None:  # type: ignore[no-untyped-def]
    chpl = td.lists.chpl()
    api = td.supplier_shares(
        td.demo_table(), "RUS", products=chpl, groups={"China+HK": ["CHN", "HKG"]}, by=["year"], source="auto"
    )
    argv = ["shares", "demo", "--importer", "RUS", "--products", "chpl", "--group", "China+HK=CHN,HKG",
            "--by", "year", "--source", "auto", "--limit", "30"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert SYNTHETIC_TITLE in out
    _assert_printed(out, api, limit=30)
    for note in api.notes:
        assert f"note: {note}" in out
    # Independently: China+HK's share of Russia's CHPL imports in 2022.
    df = _demo_imports()
    rus = df[(df.reporter == 643) & df["product"].isin(set(chpl.codes())) & (df.year == 2022)]
    want = rus[rus.partner.isin([156, 344])]["value"].sum() / rus["value"].sum()
    row = next(r for r in _printed(out) if r["year"] == "2022" and r["supplier"] == "China+HK")
    assert abs(float(row["share"]) - want) < 5e-6


def test_shares_products_tier_codes_and_top(capsys) -> None:  # type: ignore[no-untyped-def]
    trade = td.demo_table()
    assert main(["shares", "demo", "--importer", "RUS", "--products", "chpl:1", "--by", "year"]) == 0
    _assert_printed(capsys.readouterr().out, td.supplier_shares(trade, "RUS", products=td.lists.chpl().tier("1"), by="year"))
    assert main(["shares", "demo", "--importer", "643", "--products", "8542,850760", "--by", "year,product", "--top", "2"]) == 0
    api = td.supplier_shares(trade, "643", products=["8542", "850760"], by=["year", "product"], top=2)
    _assert_printed(capsys.readouterr().out, api)


def test_concentration_prints_the_api_result_and_the_hhi(capsys) -> None:  # type: ignore[no-untyped-def]
    api = td.concentration(td.demo_table(), by=["year"], importer="RUS")
    assert main(["concentration", "demo", "--importer", "RUS", "--by", "year"]) == 0
    out = capsys.readouterr().out
    _assert_printed(out, api)
    assert "note: source: auto (" in out
    df = _demo_imports()
    rus = df[df.reporter == 643]
    for row in _printed(out):
        by_partner = rus[rus.year == int(row["year"])].groupby("partner")["value"].sum()
        hhi = float(((by_partner / by_partner.sum()) ** 2).sum())
        assert abs(float(row["hhi"]) - hhi) < 5e-6


def test_concentration_over_products_every_importer(capsys) -> None:  # type: ignore[no-untyped-def]
    api = td.concentration(td.demo_table(), by="period", over="product")
    assert main(["concentration", "demo", "--over", "product", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    _assert_printed(out, api, limit=5)
    assert f"... {api.num_rows - 5:,} more rows" in out


def test_series_prints_the_api_result_and_the_index(capsys) -> None:  # type: ignore[no-untyped-def]
    api = td.import_series(td.demo_table(), "RUS", "year", products=["8542"], baseline=(2021, 2021))
    assert main(["series", "demo", "--importer", "RUS", "--products", "8542", "--freq", "year", "--baseline", "2021"]) == 0
    out = capsys.readouterr().out
    _assert_printed(out, api)
    df = _demo_imports()
    totals = df[(df.reporter == 643) & df["product"].str.startswith("8542")].groupby("year")["value"].sum()
    for row in _printed(out):
        assert abs(float(row["index"]) - 100 * totals[int(row["year"])] / totals[2021]) < 1e-3


def test_rerouting_prints_the_summary_and_writes_four_tables(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    api = td.rerouting(
        td.demo_table(), origin="CHN", hubs=["UKR"], target="RUS", baseline=(2021, 2021), exports="mirror",
        hub_exports="mirror",
    )
    out_path = tmp_path / "reroute.parquet"
    argv = ["rerouting", "demo", "--origin", "CHN", "--hubs", "UKR", "--target", "RUS", "--baseline", "2021",
            "--exports", "mirror", "--hub-exports", "mirror", "--out", str(out_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert SYNTHETIC_TITLE in out
    _assert_printed(out, api.summary)
    for note in api.notes:
        assert f"note: {note}" in out
    for name in ("flows", "summary", "hub_target", "ghost"):
        assert pq.read_table(tmp_path / f"reroute_{name}.parquet").equals(getattr(api, name).to_arrow()), name
    assert not out_path.exists()


def test_complexity_prints_eci_and_writes_three_tables(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    api = td.complexity(td.demo_table(), exports="mirror", digits=4, pci_scale="own")
    argv = ["complexity", "demo", "--exports", "mirror", "--digits", "4", "--pci-scale", "own",
            "--out", str(tmp_path / "cx.csv"), "--limit", "100"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    _assert_printed(out, api.eci, limit=100)
    assert all(f"note: {n}" in out for n in api.notes)
    for name in ("rca", "eci", "pci"):
        got = pd.read_csv(tmp_path / f"cx_{name}.csv", dtype={"product": str})
        pd.testing.assert_frame_equal(got, getattr(api, name).to_pandas(), check_dtype=False)


def test_out_csv_and_parquet_read_back_equal_to_the_api_result(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd
    import pyarrow.parquet as pq

    api = td.supplier_shares(td.demo_table(), "RUS", groups={"China+HK": ["CHN", "HKG"]}, by="quarter")
    argv = ["shares", "demo", "--importer", "RUS", "--group", "China+HK=CHN,HKG", "--by", "quarter"]
    assert main([*argv, "--out", str(tmp_path / "s.parquet")]) == 0
    assert main([*argv, "--out", str(tmp_path / "s.csv")]) == 0
    assert f"wrote {tmp_path / 's.csv'} ({api.num_rows:,} rows)" in capsys.readouterr().out
    assert pq.read_table(tmp_path / "s.parquet").equals(api.to_arrow())
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s.csv"), api.to_pandas(), check_dtype=False)


def test_out_refuses_a_directory_and_other_suffixes(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    for out in (str(tmp_path), str(tmp_path / "s.xlsx"), str(tmp_path / "missing" / "s.csv")):
        with pytest.raises(SystemExit) as exit:
            main(["shares", "demo", "--importer", "RUS", "--out", out])
        assert exit.value.code == 2
        assert "--out" in capsys.readouterr().err
    # A table's own file name (PATH_<table>.csv) that is a directory: refused, nothing written.
    (tmp_path / "r_summary.csv").mkdir()
    argv = ["rerouting", "demo", "--origin", "CHN", "--hubs", "UKR", "--baseline", "2021", "--exports", "mirror",
            "--out", str(tmp_path / "r.csv")]
    assert main(argv) == 2
    assert "r_summary.csv is a directory" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r_summary.csv"]


def test_unknown_country_exits_2_with_the_message(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["shares", "demo", "--importer", "Narnia"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("tradedep: ")
    assert 'unknown country "Narnia"' in captured.err
    assert captured.out == ""
    assert main(["rerouting", "demo", "--hubs", "KAZ,Atlantis", "--baseline", "2021"]) == 2
    assert "Atlantis" in capsys.readouterr().err


def test_bad_arguments_exit_2_with_argparse_messages(capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    bad = [
        (["shares", "demo", "--importer", "RUS", "--bogus"], "unrecognized arguments: --bogus"),
        (["shares", "--importer", "RUS"], "required: FILE"),
        (["shares", "demo"], "--importer"),
        (["series", "demo", "--importer", "RUS", "--baseline", "2022-01"], "--baseline"),
        (["shares", "demo", "--importer", "RUS", "--group", "China+HK"], "LABEL=COUNTRY"),
        (["concentration", "demo", "--over", "supplier"], "invalid choice"),
        (["rerouting", "demo"], "--baseline"),
    ]
    for argv, message in bad:
        with pytest.raises(SystemExit) as exit:
            main(argv)
        assert exit.value.code == 2, argv
        assert message in capsys.readouterr().err, argv
    assert main(["shares", "demo", "--importer", "RUS", "--products", "chpl:9"]) == 2
    assert 'no tier "9"' in capsys.readouterr().err
    # The API's defaults apply (complexity: exports="reported"; the demo table has imports only).
    assert main(["complexity", "demo"]) == 2
    assert 'no export rows under exports="reported"' in capsys.readouterr().err


def test_rerouting_on_real_comext_matches_the_api_summary(shared_data: Path) -> None:
    path = shared_data / "eurostat_comext_ru_neighbours" / "eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
    api = td.rerouting(td.read_comext(path), origin="EU27", hubs=["KAZ"], target="RUS", products=["85423190"], baseline=2021)
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "tradedep", "rerouting", str(path), "--origin", "EU27", "--hubs", "KAZ",
         "--target", "RUS", "--products", "85423190", "--baseline", "2021"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"== re-routing: after window against baseline: {path}" in proc.stdout
    assert "SYNTHETIC" not in proc.stdout
    _assert_printed(proc.stdout, api.summary)
    for note in api.notes:
        assert f"note: {note}" in proc.stdout
    kaz = next(r for r in _printed(proc.stdout) if r["destination"] == "KAZ")
    assert kaz["role"] == "hub" and float(kaz["index"]) > 100  # EU27 processors to Kazakhstan rose after 2021
