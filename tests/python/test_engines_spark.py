"""The Spark engine (local mode) against the single-machine path on a multi-year panel: partial cubes
per partition (mapInArrow), merged by a second aggregation; same numbers to 1e-9 relative."""

from __future__ import annotations

import shutil
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

import tradedep as td

if shutil.which("java") is None:
    pytest.skip("Spark needs Java (17 or later) on PATH; none found", allow_module_level=True)

pa = pytest.importorskip("pyarrow")
from pyspark.sql import SparkSession  # noqa: E402  (in the test extra: a missing pyspark is a failure)

sys.path.insert(0, str(Path(__file__).parent))
from engine_panel import CANONICAL, assert_same_result, panel  # noqa: E402

import tradedep.engines.spark as tds  # noqa: E402

ARGS = dict(freq="A", vintage="HS2017")
# pyspark's own warning about pandas 3 (mapInArrow passes through its pandas checks).
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    # Workers run the interpreter that runs the tests (where tradedep is installed), not whatever
    # `python3` is first on PATH (a virtualenv's tradedep is not the system's).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    s = (
        SparkSession.builder.master("local[2]")
        .appName("tradedep-engines-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        # One partition per file (the files are small): five partial cubes per key set.
        .config("spark.sql.files.maxPartitionBytes", "262144")
        .config("spark.sql.files.openCostInBytes", "262144")
        .getOrCreate()
    )
    yield s
    s.stop()


@pytest.fixture(scope="module")
def rows() -> "pa.Table":
    return panel(30_000, years=range(2015, 2022), seed=3)


@pytest.fixture(scope="module")
def df(spark: SparkSession, rows: "pa.Table", tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The panel as Parquet files read by Spark; every key's rows are spread over several
    partitions, so partial cubes overlap and the merge matters."""
    import pyarrow.parquet as pq

    d = tmp_path_factory.mktemp("spark_panel")
    for k in range(5):
        pq.write_table(rows.slice(k * 6000, 6000), d / f"part{k}.parquet")
    return spark.read.parquet(str(d))


@pytest.fixture(scope="module")
def single(rows: "pa.Table") -> td.TradeTable:
    return td.TradeTable.from_arrow(rows, columns=CANONICAL, **ARGS)


def cube_rows(c: "td.engines.Cube") -> "pa.Table":
    """A cube's trade table with its source-row counts, in key order."""
    t = pa.table(c.table).append_column("n_source_rows", pa.array(c.n_rows))
    t = t.cast(pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type) for f in t.schema]))
    keys = ["period", "reporter", "partner", "flow", "product", "quantity_unit", "estimated", "quantity"]
    return t.sort_by([(k, "ascending") for k in keys])


def test_spark_cube_equals_duckdb_cube_and_single_machine(df, rows: "pa.Table", single: td.TradeTable) -> None:  # type: ignore[no-untyped-def]
    """One Spark job: the merged cube equals DuckDB's (the map projection is the same SQL in both;
    Spark's partial sums run in pyarrow), and metrics on it equal the single-machine path."""
    duckdb = pytest.importorskip("duckdb")
    import tradedep.engines.duckdb as tdd

    c = tds.cube(df, CANONICAL, **ARGS)
    con = duckdb.connect()
    con.register("panel_rows", rows)
    d = tdd.cube(con, CANONICAL, relation="panel_rows", **ARGS)
    assert (c.source_rows, c.cube_rows, c.set_aside) == (d.source_rows, d.cube_rows, d.set_aside) == (30_000, d.cube_rows, d.set_aside)
    assert c.cube_rows < single.num_rows and int(c.n_rows.sum()) == single.num_rows
    assert_same_result(cube_rows(c), cube_rows(d))
    by = ["importer", "period", "product"]
    for source in ("reported", "auto"):
        got = c.concentration(by=by, source=source)
        assert_same_result(got, td.concentration(single, by=by, source=source))
        assert got.method["engine"] == "spark" and got.method["source_rows"] == 30_000


def test_shares_wrapper_equals_single_machine(df, single: td.TradeTable) -> None:  # type: ignore[no-untyped-def]
    kw = dict(groups={"China+HK": [156, 344]}, source="mirror", cif_fob=1.1, top=3)
    got = tds.supplier_shares(df, ["RUS", "EU27"], CANONICAL, by="year", **kw, **ARGS)
    assert_same_result(got, td.supplier_shares(single, ["RUS", "EU27"], by="year", **kw))
    assert any("spark" in n and "30000 source rows" in n for n in got.notes)
    with pytest.raises(td.InvalidArgumentError, match="explain"):
        tds.concentration(df, CANONICAL, explain=True, **ARGS)
