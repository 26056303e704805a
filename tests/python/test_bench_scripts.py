"""The benchmark harness: generator, read and metrics comparison scripts, and their agreement check.

The generator is compiled with plain ``rustc`` (it uses only std); tests skip when no Rust compiler
is on PATH. Expected values are worked by hand or recomputed here with the csv module and
``decimal``, never taken from the scripts' own output.
"""

from __future__ import annotations

import csv
import importlib
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHES = ROOT / "benches"
ROWS = 2000


@pytest.fixture(scope="module")
def generator(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator binary, built from examples/gen_baci.rs with rustc (no optimisation: 2,000 rows)."""
    rustc = shutil.which("rustc")
    if rustc is None:
        pytest.skip("rustc not found: the BACI generator cannot be built")
    exe = tmp_path_factory.mktemp("gen") / "gen_baci"
    subprocess.run([rustc, "--edition", "2021", str(ROOT / "examples" / "gen_baci.rs"), "-o", str(exe)],
                   check=True, capture_output=True)
    return exe


def generate(generator: Path, out_dir: Path, *extra: str) -> Path:
    done = subprocess.run([str(generator), "--rows", str(ROWS), "--out", f"{out_dir}/", *extra],
                          check=True, capture_output=True, text=True)
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def baci_file(generator: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(generator, tmp_path_factory.mktemp("data"))


def bench_module(name: str):
    """A script of benches/ imported as a module (its folder on sys.path while in use)."""
    sys.path.insert(0, str(BENCHES))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHES))


@pytest.fixture(scope="module")
def metrics_compare():
    yield from bench_module("metrics_compare")


# ---- generator -----------------------------------------------------------------------------------


def test_generator_writes_the_baci_v202301_layout(baci_file: Path) -> None:
    raw = baci_file.read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[0] == b'"t","i","j","k","v","q"'
    assert lines[-1] == b""  # CRLF after the last row too
    rows = lines[1:-1]
    assert len(rows) == ROWS
    for line in rows[:200]:
        t, i, j, k, v, q = line.split(b",")
        assert t == b"2021"
        assert not k.startswith(b"0") and 4 <= len(k) <= 6  # HS6 as an integer, leading zero dropped
        assert not v.endswith(b"0") or b"." not in v  # trailing zeros dropped: 2.41, 11
        assert len(q) == 15 and q.startswith(b'"') and q.endswith(b'"')  # quoted, right-aligned to 13
        inner = q[1:-1].lstrip(b" ")
        assert inner == b"NA" or len(inner.split(b".")[1]) == 3


def test_generator_rows_are_unique_sorted_and_match_the_meta_checksums(baci_file: Path) -> None:
    import json

    meta = json.loads(Path(str(baci_file) + ".meta.json").read_text())
    with open(baci_file, newline="") as f:
        rows = list(csv.DictReader(f))
    keys = [(int(r["i"]), int(r["j"]), int(r["k"])) for r in rows]
    assert len(set(keys)) == len(keys) == meta["rows"] == ROWS
    assert keys == sorted(keys)  # BACI order: exporter, importer, product
    assert all(i != j for i, j, _ in keys)
    value_sum = sum(Decimal(r["v"]) for r in rows)
    assert value_sum * 1000 == meta["value_sum_thousandths"]
    assert min(Decimal(r["v"]) for r in rows) >= Decimal("0.001")
    assert sum(r["q"].strip() == "NA" for r in rows) == meta["q_na"]
    assert len({i for i, _, _ in keys}) > 50  # many countries, not a handful


def test_generator_is_deterministic_per_seed(generator: Path, baci_file: Path, tmp_path: Path) -> None:
    again = generate(generator, tmp_path / "a")
    assert again.read_bytes() == baci_file.read_bytes()
    other = generate(generator, tmp_path / "b", "--seed", "7")
    assert other.read_bytes() != baci_file.read_bytes()


def test_generator_refuses_more_rows_than_pairs_times_products(generator: Path, tmp_path: Path) -> None:
    done = subprocess.run([str(generator), "--rows", "100", "--countries", "3", "--products", "10",
                           "--out", f"{tmp_path}/"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "more than 3 countries x 2 partners x 10 products = 60 rows" in done.stderr


# ---- the scripts end to end on 2,000 rows -------------------------------------------------------


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCHES / name), *args], capture_output=True, text=True,
                          timeout=600)


def test_read_compare_quick_checks_every_reader_against_the_file_checksums(baci_file: Path) -> None:
    done = run_script("read_compare.py", str(baci_file), "--quick")
    assert done.returncode == 0, done.stdout + done.stderr
    for tool in ("polars", "pyarrow", "duckdb", "pandas"):
        row = next(line for line in done.stdout.splitlines() if line.startswith(f"| {tool} |"))
        assert row.rstrip().endswith("| ok |"), row
    tradedep = next(line for line in done.stdout.splitlines() if line.startswith("| tradedep |"))
    assert "not available" in tradedep or "| ok" in tradedep, tradedep


def test_metrics_compare_quick_all_tools_agree_with_the_csv_module_reference(baci_file: Path) -> None:
    done = run_script("metrics_compare.py", str(baci_file), "--quick")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for tool in ("polars", "pandas", "python"):  # python: plain csv-module implementation
        assert f"agreement {tool}: agrees with duckdb" in out, out
    assert "agreement tradedep: agrees with duckdb" in out or "tradedep: not available" in out, out
    assert "DISAGREES" not in out


# ---- each tool's formulation against hand-worked numbers, ties included --------------------------

# importer 32, product 10121: exporters 4 (6.0), 8 (3.0), 12 (1.0)  -> total 10, hhi .36+.09+.01 = .46, top 4, .6
# importer 32, product 854140: exporters 8 (2.5), 4 (2.5)            -> tie: top is the smaller code 4, share .5
# importer 51, product 10121: exporter 12 alone (0.001)               -> hhi 1, top 12, share 1
HAND_CSV = (
    '"t","i","j","k","v","q"\r\n'
    '2021,4,32,10121,6,"        1.000"\r\n'
    '2021,4,32,854140,2.5,"           NA"\r\n'
    '2021,8,32,10121,3,"        0.500"\r\n'
    '2021,8,32,854140,2.5,"        0.010"\r\n'
    '2021,12,32,10121,1,"           NA"\r\n'
    '2021,12,51,10121,0.001,"        0.000"\r\n'
)
HAND_EXPECTED = {
    (32, 10121): (10.0, 0.46, 4, 0.6),
    (32, 854140): (5.0, 0.5, 4, 0.5),
    (51, 10121): (0.001, 1.0, 12, 1.0),
}


@pytest.mark.parametrize("tool", ["polars", "duckdb", "pandas", "python", "tradedep"])
def test_each_tool_matches_hand_worked_concentration(tool: str, metrics_compare, tmp_path: Path) -> None:
    path = tmp_path / "hand.csv"
    path.write_bytes(HAND_CSV.encode())
    try:
        result = metrics_compare.RUNNERS[tool](str(path))
    except metrics_compare.h.ToolUnavailable as e:
        pytest.skip(f"tradedep: not available ({e})")
    table = metrics_compare.to_standard(tool, result).to_pylist()
    got = {(r["importer"], r["product"]): r for r in table}
    assert set(got) == set(HAND_EXPECTED)
    for key, (total, hhi, top, share) in HAND_EXPECTED.items():
        r = got[key]
        assert r["total"] == pytest.approx(total, rel=1e-12)
        assert r["hhi"] == pytest.approx(hhi, rel=1e-12)
        assert r["top_supplier"] == top
        assert r["top_share"] == pytest.approx(share, rel=1e-12)


# ---- the agreement check itself --------------------------------------------------------------------


def standard_table(rows: list[tuple[int, int, float, float, int, float]]):
    import pyarrow as pa

    cols = list(zip(*rows))
    return pa.table({
        "importer": pa.array(cols[0], pa.int64()),
        "product": pa.array(cols[1], pa.int64()),
        "total": pa.array(cols[2], pa.float64()),
        "hhi": pa.array(cols[3], pa.float64()),
        "top_supplier": pa.array(cols[4], pa.int64()),
        "top_share": pa.array(cols[5], pa.float64()),
    })


REF = [(32, 10121, 10.0, 0.46, 4, 0.6), (32, 854140, 5.0, 0.5, 4, 0.5), (51, 10121, 0.001, 1.0, 12, 1.0)]


def test_compare_results_accepts_reordered_rows_and_rounding_noise(metrics_compare) -> None:
    noisy = [(i, k, t * (1 + 1e-12), h, s, sh) for i, k, t, h, s, sh in reversed(REF)]
    assert metrics_compare.compare_results(standard_table(REF), standard_table(noisy)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: [(*r[0][:2], r[0][2] * (1 + 1e-6), *r[0][3:]), *r[1:]], "total: 1 of 3 groups differ"),
        (lambda r: [(*r[0][:3], 0.47, *r[0][4:]), *r[1:]], "hhi: 1 of 3 groups differ"),
        (lambda r: [r[0], (*r[1][:4], 8, r[1][5]), r[2]], "top_supplier: 1 of 3 groups differ"),
        (lambda r: [(*r[0][:5], float("nan")), *r[1:]], "top_share: 1 of 3 groups differ"),
        (lambda r: r[:2], "groups differ: 1 only in reference"),
        (lambda r: [*r, r[0]], "appear more than once"),
        (lambda r: [(i, k, t * 1000, h, s, sh) for i, k, t, h, s, sh in r], "a unit factor?"),
    ],
)
def test_compare_results_reports_each_kind_of_disagreement(metrics_compare, change, expected: str) -> None:
    problems = metrics_compare.compare_results(standard_table(REF), standard_table(change(REF)))
    assert any(expected in p for p in problems), problems


# ---- the tradedep path, with a stand-in package that has the expected API ------------------------

FAKE_TRADEDEP = '''
"""Stand-in with tradedep's expected API (read_baci, importer_product_concentration, concentration)."""
import os
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

__version__ = "0.0.0-fake"

class _TradeTable:
    currency = "USD"
    def __init__(self, table):
        self._table = table
    def __arrow_c_stream__(self, requested_schema=None):
        return self._table.__arrow_c_stream__(requested_schema)
    @property
    def num_rows(self):
        return self._table.num_rows

def read_baci(path, vintage=None, years=None, progress=True, on_unknown_country="error"):
    assert vintage == "HS2017" and progress is False, (vintage, progress)
    t = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
        column_types={"k": pa.string(), "q": pa.float64()}, null_values=["NA", "           NA"]))
    return _TradeTable(pa.table({
        "reporter": t["i"].cast(pa.uint16()), "partner": t["j"].cast(pa.uint16()),
        "product": pc.utf8_lpad(t["k"], 6, "0"),        # canonical: 6-digit strings
        "value": pc.multiply(t["v"], 1000.0),            # canonical: USD
        "quantity": t["q"],
    }))

def _cells(trade, importer_sql):
    tbl = pa.table(trade)
    wrong = 1.01 if os.environ.get("FAKE_TRADEDEP_WRONG") else 1.0
    return duckdb.sql(f"""
        SELECT {importer_sql} AS importer, 2021 AS period, product, sum(value) AS total_value,
               {wrong} * sum(value * value) / (sum(value) * sum(value)) AS hhi,
               arg_max(reporter, (value, -reporter::INTEGER))::USMALLINT AS top_code,
               max(value) / sum(value) AS top_share
        FROM tbl GROUP BY partner, product""").to_arrow_table()

def importer_product_concentration(table, source="reported"):
    assert source == "mirror", source
    return _cells(table, "partner")

def concentration(table, by=("period", "product"), over="partner", *, source="reported", **kw):
    assert list(by) == ["product"] and over == "partner" and source == "mirror", (by, over, source)
    return _cells(table, "partner::VARCHAR")  # importer as a label

if os.environ.get("FAKE_TRADEDEP_NO_KERNEL"):
    del importer_product_concentration
'''


@pytest.fixture
def fake_tradedep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pkg = tmp_path / "fake" / "tradedep"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(FAKE_TRADEDEP)
    monkeypatch.setenv("PYTHONPATH", str(pkg.parent))
    return pkg.parent


def test_scripts_measure_a_tradedep_with_the_expected_api(baci_file: Path, fake_tradedep: Path) -> None:
    read = run_script("read_compare.py", str(baci_file), "--quick", "--tools", "tradedep,pyarrow")
    assert read.returncode == 0, read.stdout + read.stderr
    row = next(line for line in read.stdout.splitlines() if line.startswith("| tradedep |"))
    assert "ok (value in USD)" in row  # value checksum matched after the x1000 unit change
    pyarrow_row = next(line for line in read.stdout.splitlines() if line.startswith("| pyarrow |"))
    assert "pending" not in pyarrow_row  # a ratio against tradedep is computed
    metrics = run_script("metrics_compare.py", str(baci_file), "--quick", "--tools", "tradedep,duckdb")
    assert metrics.returncode == 0, metrics.stdout + metrics.stderr
    assert "agreement tradedep: agrees with duckdb" in metrics.stdout


def test_metrics_compare_falls_back_to_concentration(baci_file: Path, fake_tradedep: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TRADEDEP_NO_KERNEL", "1")
    metrics = run_script("metrics_compare.py", str(baci_file), "--quick", "--tools", "tradedep,duckdb")
    assert metrics.returncode == 0, metrics.stdout + metrics.stderr
    assert "agreement tradedep: agrees with duckdb" in metrics.stdout


def test_metrics_compare_fails_when_tradedep_disagrees(baci_file: Path, fake_tradedep: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TRADEDEP_WRONG", "1")
    metrics = run_script("metrics_compare.py", str(baci_file), "--quick", "--tools", "tradedep,duckdb")
    assert metrics.returncode == 1, metrics.stdout + metrics.stderr
    assert "agreement tradedep: DISAGREES: hhi:" in metrics.stdout


# ---- every_path.py: every metric x layout against DuckDB and polars -------------------------------


EVERY_ROWS = 30000  # enough for Russia, China and Ukraine to import the listed products


@pytest.fixture(scope="module")
def every_path():
    yield from bench_module("every_path")


@pytest.fixture(scope="module")
def every_file(generator: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("every")
    done = subprocess.run([str(generator), "--rows", str(EVERY_ROWS), "--out", f"{out}/"],
                          check=True, capture_output=True, text=True)
    return Path(done.stdout.strip())


def parsed_rows(path: Path) -> list[tuple[str, ...]]:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return [tuple(x.strip() for x in r) for r in rows[1:]]


def test_make_layouts_writes_the_same_rows_in_other_bytes_and_orders(every_file: Path, every_path) -> None:
    make_layouts = sys.modules["make_layouts"]  # imported by every_path
    paths = make_layouts.make_layouts(every_file)
    assert paths["cepii_sorted"] == every_file
    base = parsed_rows(every_file)
    for name, path in paths.items():
        raw = path.read_bytes()
        if name.startswith("resaved"):
            assert raw.startswith(b"t,i,j,k,v,q\n") and b"\r" not in raw and b'"' not in raw
        else:
            assert raw.startswith(b'"t","i","j","k","v","q"\r\n')
        rows = parsed_rows(path)
        assert sorted(rows) == sorted(base)
        assert (rows == base) == name.endswith("sorted"), name
    resaved = parsed_rows(paths["resaved_sorted"])
    assert any(r[5] == "NA" for r in resaved) and all(r[5] == r[5].strip() for r in resaved)


def test_every_path_competitors_agree_on_every_case_without_lists(every_file: Path, every_path) -> None:
    """DuckDB and polars are written independently (SQL / lazy frames): they must agree everywhere."""
    cases = [c.name for c in every_path.CASES if not c.chpl]
    done = run_script("every_path.py", str(every_file), "--quick", "--tools", "duckdb,polars",
                      "--cases", ",".join(cases), "--layouts", "cepii_sorted,resaved_shuffled")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [ln for ln in done.stdout.splitlines() if ln.startswith("| ") and "| check |" not in ln]
    assert len(rows) == 2 * len(cases)
    assert all(ln.rstrip().endswith("| equal |") for ln in rows), done.stdout


def test_every_path_tradedep_equals_duckdb_and_polars_on_every_case(every_file: Path, every_path,
                                                                   shared_data: Path) -> None:
    """The correctness half of the benchmark on a small file: every case, tradedep included."""
    pytest.importorskip("tradedep")
    done = run_script("every_path.py", str(every_file), "--quick", "--layouts", "resaved_shuffled",
                      "--concordances", str(shared_data / "hs_concordance"))
    rows = [ln for ln in done.stdout.splitlines() if ln.startswith("| ") and "| check |" not in ln]
    assert len(rows) == len(every_path.CASES), done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    # equal† = equal on every key; rows of importers tradedep labels "" are counted apart (notes)
    assert all(ln.rstrip().endswith(("| equal |", "| equal† |")) for ln in rows), done.stdout
    assert any(int(ln.split("|")[3].replace(",", "")) > 0 for ln in rows)  # not all empty


def test_every_path_comparison_reports_each_kind_of_difference(every_path) -> None:
    import pyarrow as pa

    case = every_path.CASE_BY_NAME["ipc_path"]
    ref = pa.table({"importer": [4, 4, 8], "product": [10, 20, 10], "n_suppliers": [1, 2, 3], "top_code": [5, 6, 7],
                    "total_value": [1.0, 2.0, 3.0], "hhi": [1.0, 0.5, None], "top_share": [1.0, 0.6, 0.5]})
    assert every_path.compare_tables(case, ref, ref) == []
    noisy = ref.set_column(4, "total_value", pa.array([1.0 + 1e-13, 2.0, 3.0]))
    assert every_path.compare_tables(case, ref, noisy) == []
    changes = {
        "only in reference": ref.slice(0, 2),
        "only in other": pa.concat_tables([ref, ref.slice(0, 1).set_column(1, "product", pa.array([99]))]),
        "n_suppliers": ref.set_column(2, "n_suppliers", pa.array([1, 2, 4])),
        "hhi": ref.set_column(5, "hhi", pa.array([1.0, 0.5, 0.1])),
        "total_value": ref.set_column(4, "total_value", pa.array([1.0, 2.0 * (1 + 1e-8), 3.0])),
        "duplicate keys": pa.concat_tables([ref, ref.slice(0, 1)]),
    }
    for expected, other in changes.items():
        problems = every_path.compare_tables(case, ref, other)
        assert any(expected in p for p in problems), (expected, problems)
