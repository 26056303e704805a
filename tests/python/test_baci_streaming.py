"""td.importer_product_concentration on a BACI path (streamed, never materialised) against the
table path and against DuckDB over the same CSV."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import tradedep as td

COUNTRIES = [4, 24, 36, 156, 251, 276, 392, 643, 710, 842]
PRODUCTS = [10121, 382390, 854231, 90111, 270900]


def write_baci(path: Path, n: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    seen = set()
    lines = ['"t","i","j","k","v","q"']
    while len(lines) <= n:
        i, j, k = rng.choice(COUNTRIES), rng.choice(COUNTRIES), rng.choice(PRODUCTS)
        if (i, j, k) in seen:
            continue
        seen.add((i, j, k))
        v = rng.choice(["1.5", "2", "0.001", "13.25", "2"])  # repeated amounts: ties for the top
        q = '"           NA"' if rng.random() < 0.1 else f'"{"1.5":>13}"'
        lines.append(f"2021,{i},{j},{k},{v},{q}")
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


@pytest.fixture
def baci_file(tmp_path: Path) -> Path:
    return write_baci(tmp_path / "BACI_HS17_Y2021_V202401.csv", 400)


def test_path_streams_to_the_same_result_as_the_table(baci_file: Path) -> None:
    streamed = pa.table(td.importer_product_concentration(baci_file))
    via_table = pa.table(td.importer_product_concentration(td.read_baci(baci_file, progress=False), source="mirror"))
    assert streamed.equals(via_table)
    assert streamed.num_rows > 0


def test_path_agrees_with_duckdb(baci_file: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    ref = duckdb.sql(f"""
        SELECT j AS importer, lpad(k::VARCHAR, 6, '0') AS product, sum(v) * 1000 AS total,
               sum(v * v) / (sum(v) * sum(v)) AS hhi,
               arg_max(i, (v, -i)) AS top, max(v) / sum(v) AS top_share
        FROM read_csv('{baci_file}', header=true, columns={{'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER',
             'k': 'INTEGER', 'v': 'DOUBLE', 'q': 'VARCHAR'}})
        GROUP BY j, k ORDER BY j, product""").to_arrow_table()
    ours = pa.table(td.importer_product_concentration(str(baci_file)))
    assert ours.num_rows == ref.num_rows
    assert ours["importer"].to_pylist() == ref["importer"].to_pylist()
    assert ours["product"].to_pylist() == ref["product"].to_pylist()
    np.testing.assert_allclose(ours["total_value"].to_numpy(), ref["total"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours["hhi"].to_numpy(), ref["hhi"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours["top_share"].to_numpy(), ref["top_share"].to_numpy(), rtol=1e-12)
    assert ours["top_code"].to_pylist() == ref["top"].to_pylist()


def test_path_reports_the_read_and_rejects_reported_source(baci_file: Path) -> None:
    r = td.importer_product_concentration(baci_file)
    assert any("400" in n for n in r.notes), r.notes  # the read report: rows read and kept
    with pytest.raises(td.InvalidArgumentError, match="mirror"):
        td.importer_product_concentration(baci_file, source="reported")
    with pytest.raises(td.InvalidArgumentError, match="BACI path"):
        td.importer_product_concentration(td.read_baci(baci_file, progress=False), source="mirror", years=2021)


def test_path_errors_like_read_baci(tmp_path: Path) -> None:
    bad = tmp_path / "BACI_HS17_Y2021_V202401.csv"
    bad.write_text("t,i,j,k,v,q\n2021,4,24,382390,abc,NA\n")
    with pytest.raises(td.ParseError, match="line 2"):
        td.importer_product_concentration(bad)


# Hand-made rows in CEPII's order: exact repeats (adjacent and not), a repeat with another
# quantity (not a duplicate), and rows of one key with other values (kept and summed; in
# CEPII's order these need the general kernel, exact repeats alone do not).
EXACT_REPEATS = [
    "2021,4,24,10121,2,1.5",
    "2021,4,24,10121,2,1.5",  # duplicate
    "2021,4,36,10121,3,NA",
    "2021,4,36,10121,3,NA",  # duplicate (missing quantities are equal)
    "2021,4,36,10121,3,NA",  # duplicate
    "2021,4,36,382390,5,2",
    "2021,156,36,382390,1.25,1",
    "2021,251,24,10121,4,1",
]
SAME_KEY_OTHER_VALUES = [
    "2021,156,24,10121,7,1",
    "2021,156,24,10121,7,2",  # same value, other quantity: kept
    "2021,251,36,382390,6,1",
    "2021,251,36,382390,9,1",  # other value: kept and summed
    "2021,251,36,382390,6,1",  # duplicate of the row two above
]


def pandas_concentration(path: Path) -> "pd.DataFrame":
    pd = pytest.importorskip("pandas")
    rows = pd.read_csv(path).drop_duplicates()
    sup = rows.groupby(["j", "k", "i"], as_index=False)["v"].sum()
    out = []
    for (j, k), g in sup.groupby(["j", "k"]):
        total = g["v"].sum()
        top = g.sort_values(["v", "i"], ascending=[False, True]).iloc[0]
        out.append((j, f"{k:06d}", total * 1000, ((g["v"] / total) ** 2).sum(), top["i"], top["v"] / total))
    return pd.DataFrame(out, columns=["importer", "product", "total_value", "hhi", "top_code", "top_share"])


@pytest.mark.parametrize("same_key_other_values", [False, True])
@pytest.mark.parametrize("shuffled", [False, True])
def test_path_sets_aside_exact_duplicates_like_read_baci(
    tmp_path: Path, shuffled: bool, same_key_other_values: bool
) -> None:
    rows = EXACT_REPEATS + (SAME_KEY_OTHER_VALUES if same_key_other_values else [])
    rows = sorted(rows, key=lambda r: [int(x) for x in r.split(",")[:4]])  # CEPII's order (stable)
    if shuffled:
        rows = rows[:]
        random.Random(3).shuffle(rows)
    path = tmp_path / "BACI_HS17_Y2021_V202401.csv"
    path.write_text("t,i,j,k,v,q\n" + "\n".join(rows) + "\n")
    n_duplicates = 3 + same_key_other_values

    streamed = td.importer_product_concentration(path)
    table = td.read_baci(path, progress=False)
    assert table.num_rows == len(rows) - n_duplicates
    via_table = td.importer_product_concentration(table, source="mirror")
    assert pa.table(streamed).equals(pa.table(via_table))
    assert any(f"{n_duplicates} duplicate row(s)" in n for n in streamed.notes), streamed.notes
    one_pass = not shuffled and not same_key_other_values
    assert any("one pass" in n for n in streamed.notes) == one_pass, streamed.notes

    ref = pandas_concentration(path)
    ours = pa.table(streamed).to_pandas()
    assert ours["importer"].tolist() == ref["importer"].tolist()
    assert ours["product"].tolist() == ref["product"].tolist()
    assert ours["top_code"].tolist() == ref["top_code"].tolist()
    for col in ["total_value", "hhi", "top_share"]:
        np.testing.assert_allclose(ours[col].to_numpy(), ref[col].to_numpy(), rtol=1e-12)
