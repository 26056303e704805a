"""The DuckDB engine against the single-machine path: same numbers to 1e-9 relative, n_rows counting
source rows, set-aside rows counted, and a Parquet dataset larger than DuckDB's memory limit."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import tradedep as td

duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

sys.path.insert(0, str(Path(__file__).parent))
from engine_panel import CANONICAL, assert_same_result, panel  # noqa: E402

import tradedep.engines.duckdb as tdd  # noqa: E402


@pytest.fixture(scope="module")
def rows() -> "pa.Table":
    return panel(40_000)


def write_hive(rows: "pa.Table", d: Path, files: int) -> None:
    """``rows`` under ``d/period=YYYY/``, ``files`` files per period."""
    step = -(-rows.num_rows // files)
    for k in range(files):
        part = rows.slice(k * step, step)
        pq.write_to_dataset(part, d, partition_cols=["period"], basename_template=f"part{k}-{{i}}.parquet")


@pytest.fixture(scope="module")
def hive(rows: "pa.Table", tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The panel as a hive-partitioned folder, period=YYYY/, several files per period."""
    d = tmp_path_factory.mktemp("hive")
    write_hive(rows, d, files=4)
    return d


@pytest.fixture(scope="module")
def single(rows: "pa.Table") -> td.TradeTable:
    return td.TradeTable.from_arrow(rows, columns=CANONICAL, freq="A", vintage="HS2017")


ARGS = dict(freq="A", vintage="HS2017")


def test_cube_rows_and_counts_against_pandas(rows: "pa.Table", hive: Path) -> None:
    df = rows.to_pandas()
    c = tdd.cube(hive, CANONICAL, **ARGS)
    world = (df["partner"] == 0) & df["value"].notna()
    kept = df[df["value"].notna() & (df["partner"] != 0)]
    keys = ["period", "reporter", "partner", "flow", "product", "quantity_unit", "estimated"]
    want_rows = kept.assign(qk=kept["quantity"].notna()).groupby(keys + ["qk"]).ngroups
    assert c.source_rows == len(df)
    assert c.set_aside == {"partner is World (a total, not a partner)": int(world.sum()), "value missing": int(df["value"].isna().sum())}
    assert c.cube_rows == want_rows < len(kept)  # the panel repeats keys
    assert int(c.n_rows.sum()) == len(kept)
    t = pa.table(c.table)
    assert t.num_rows == c.cube_rows
    np.testing.assert_allclose(pa.compute.sum(t["value"]).as_py(), kept["value"].sum(), rtol=1e-12)


def assert_same_account(got: dict, want: dict) -> None:
    """The metric's own account over every chunk, not the last one's: values and shares to 1e-12;
    ``records`` counts the engine's table (cube) rows, which the method says."""
    assert "cube rows" in got["records_counted"]
    for k, v in want.items():
        if k == "records":
            assert set(got[k]) == set(v) and all(got[k][s] <= v[s] for s in v)  # fewer: keys merged
        elif isinstance(v, float) or (isinstance(v, dict) and v and all(isinstance(x, float) for x in v.values())):
            assert got[k] == pytest.approx(v, rel=1e-12), k
        else:
            assert got[k] == v, k


@pytest.mark.parametrize("source", ["reported", "mirror", "auto"])
def test_concentration_equals_single_machine(hive: Path, single: td.TradeTable, source: str) -> None:
    want = td.concentration(single, by=["importer", "period", "product"], source=source)
    got = tdd.concentration(hive, CANONICAL, by=["importer", "period", "product"], source=source, **ARGS)
    assert_same_result(got, want)
    assert got.method["engine"] == "duckdb" and got.method["source_rows"] == 40_000
    assert got.method["chunks"] == 6  # one per period
    assert_same_account(got.method, want.method)
    # The same notes, but for the record counts of an auto source (cube rows, not source rows).
    recount = [n for n in want.notes if n.startswith("source: auto (")]
    assert [n for n in got.notes[: len(want.notes)] if not n.startswith("source: auto (")] == [
        n for n in want.notes if n not in recount
    ]


def test_shares_groups_products_equal_single_machine(hive: Path, single: td.TradeTable) -> None:
    products = sorted(set(pa.table(single)["product"].to_pylist()))[:20]
    kw = dict(products=products, groups={"China+HK": [156, 344]}, source="auto", top=4)
    want = td.supplier_shares(single, ["RUS", "DEU", "EU27"], by=["period", "product"], **kw)
    got = tdd.supplier_shares(hive, ["RUS", "DEU", "EU27"], CANONICAL, by=["period", "product"], **kw, **ARGS)
    assert_same_result(got, want)
    # Not chunked when no period is in by: one cube for all years, same numbers.
    want_y = td.supplier_shares(single, "RUS", by="product", source="mirror", cif_fob=1.05)
    got_y = tdd.supplier_shares(hive, "RUS", CANONICAL, by="product", source="mirror", cif_fob=1.05, **ARGS)
    assert_same_result(got_y, want_y)
    assert got_y.method["chunks"] == 1 and got_y.method["per_period"] is False


def test_n_rows_are_source_rows_not_cube_rows(hive: Path, single: td.TradeTable) -> None:
    got = tdd.concentration(hive, CANONICAL, by=["importer", "period"], source="reported", **ARGS).to_pandas()
    df = pa.table(single).to_pandas()
    df = df[df["flow"] == "import"]
    want = df.groupby(["reporter", "period"]).size()
    got_codes = got.set_index(["importer", "period"])["n_rows"]
    labels = {td.country(int(c)).iso3: int(c) for c in df["reporter"].unique()}
    for (imp, per), n in got_codes.items():
        assert n == want[(labels[imp], per)]


def test_parquet_of_write_parquet_needs_no_mapping(single: td.TradeTable, tmp_path: Path) -> None:
    single.write_parquet(tmp_path / "trade.parquet")
    got = tdd.concentration(tmp_path / "trade.parquet", by=["period", "product"], source="mirror")
    want = td.concentration(single, by=["period", "product"], source="mirror")
    assert_same_result(got, want)


def test_connection_and_relation(rows: "pa.Table", single: td.TradeTable) -> None:
    con = duckdb.connect()
    con.register("trade_rows", rows)
    got = tdd.concentration(con, CANONICAL, relation="trade_rows", where="period >= 2019", **ARGS)
    want = td.concentration(td.TradeTable.from_arrow(rows.filter(pa.compute.field("period") >= 2019), columns=CANONICAL, **ARGS))
    assert_same_result(got, want)


def test_errors_say_what_to_pass(hive: Path) -> None:
    with pytest.raises(td.InvalidArgumentError, match="lacks"):
        tdd.cube(hive, {"period": "period"}, **ARGS)
    with pytest.raises(td.InvalidArgumentError, match="explain"):
        tdd.concentration(hive, CANONICAL, explain=True, **ARGS)
    with pytest.raises(td.InvalidArgumentError, match="per_period"):
        tdd.concentration(hive, CANONICAL, by="product", per_period=True, **ARGS)
    with pytest.raises(td.InvalidArgumentError, match="no such file"):
        tdd.cube(hive / "nothing.parquet", CANONICAL, **ARGS)


def test_larger_than_memory_limit(tmp_path: Path) -> None:
    """A dataset larger than DuckDB's memory limit, period by period under 6 MB: the Parquet files
    are 8.9 MB, the rows 26 MB in Arrow; the whole cube in one query does not fit (DuckDB runs out
    of memory even with a spill directory). Results equal the single-machine path."""
    big = panel(500_000, years=range(2002, 2022), seed=11)
    d = tmp_path / "big"
    write_hive(big, d, files=3)
    limit = 6 * 2**20
    assert sum(f.stat().st_size for f in d.rglob("*.parquet")) > 1.4 * limit and big.nbytes > 4 * limit
    by = ["importer", "period", "product"]
    want = td.concentration(td.TradeTable.from_arrow(big, columns=CANONICAL, **ARGS), by=by, source="auto")
    bounded = dict(by=by, source="auto", memory_limit="6MB", threads=1, temp_directory=str(tmp_path / "spill"), **ARGS)
    got = tdd.concentration(d, CANONICAL, **bounded)
    assert_same_result(got, want)
    assert got.method["chunks"] == 20 and got.method["source_rows"] == 500_000
    with pytest.raises(duckdb.OutOfMemoryException):
        tdd.concentration(d, CANONICAL, per_period=False, **bounded)


def test_partial_cubes_merge_exactly(rows: "pa.Table") -> None:
    """Map three uneven partitions, merge them (pyarrow and SQL): the cube of all rows."""
    from tradedep.engines import KEYS, SourceSpec, map_sql, merge_arrow, merge_sql

    spec = SourceSpec(columns=CANONICAL, **ARGS)
    con = duckdb.connect()
    parts = [rows.slice(0, 5000), rows.slice(5000, 20000), rows.slice(25000)]
    partials = []
    for k, part in enumerate(parts):
        con.register(f"part{k}", part)
        partials.append(con.sql(map_sql(spec, f"part{k}")).to_arrow_table())
    con.register("all_rows", rows)
    whole = con.sql(map_sql(spec, "all_rows")).to_arrow_table()
    stacked = pa.concat_tables(partials)
    con.register("stacked", stacked)
    for merged in (merge_arrow(stacked), con.sql(merge_sql("stacked")).to_arrow_table()):
        assert merged.num_rows == whole.num_rows < stacked.num_rows
        assert_same_result(merged.select(list(KEYS) + ["value", "quantity", "n_rows"]), whole)


def test_metric_on_cube_table_counts_cube_rows(hive: Path, single: td.TradeTable) -> None:
    """The documented difference: a metric called directly on cube.table counts cube rows in n_rows;
    the Cube's methods count source rows. A glob reads the same files as the folder."""
    c = tdd.cube(str(hive / "**" / "*.parquet"), CANONICAL, **ARGS)
    direct = td.concentration(c.table, by=["period"], source="reported").to_pandas()
    via = c.concentration(by=["period"], source="reported")
    want = td.concentration(single, by=["period"], source="reported")
    assert_same_result(via, want)
    assert via.method["engine"] == "duckdb" and via.method["chunks"] == 1
    imports = pa.table(c.table).to_pandas()["flow"] == "import"
    assert direct["n_rows"].sum() == imports.sum() < want.to_pandas()["n_rows"].sum()
