"""The command line (`python -m tradedep`): the README's first command must work and say true things."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

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
