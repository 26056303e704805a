"""The issue-4 workload on a BACI-shaped CSV with polars, DuckDB and pandas, read included:
for every importer and product, the total, the supplier HHI, the top supplier and its share.

    python benches/metrics_compare.py --rows 11000000 --csv /tmp/baci_like.csv

Generates the CSV when absent (columns t,i,j,k,v,q like BACI: exporter i, importer j, HS6 k as
an integer). Each engine runs in its own process; the script prints wall time and peak RSS.
tradedep's side: `TRADEDEP_BENCH_CSV=<csv> cargo bench --bench metrics` (release build).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ENGINES = {
    "polars": """
import polars as pl
s = (pl.scan_csv(PATH, schema={"t": pl.Int32, "i": pl.Int32, "j": pl.Int32, "k": pl.Int32, "v": pl.Float64, "q": pl.Float64})
     .group_by(["j", "k", "i"]).agg(pl.col("v").sum())
     .with_columns(pl.col("v").sum().over(["j", "k"]).alias("total"))
     .group_by(["j", "k"]).agg(pl.col("total").first(), ((pl.col("v") / pl.col("total")) ** 2).sum().alias("hhi"),
                                pl.col("i").sort_by("v", descending=True).first().alias("top"),
                                (pl.col("v").max() / pl.col("total").first()).alias("top_share")))
out = s.collect()
N = out.height
""",
    "duckdb": """
import duckdb
out = duckdb.sql(f'''
  with s as (select j, k, i, sum(v) v from read_csv('{PATH}', header=true,
               columns={{'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'INTEGER', 'v': 'DOUBLE', 'q': 'DOUBLE'}})
             group by all),
       t as (select *, sum(v) over (partition by j, k) total from s)
  select j, k, any_value(total) total, sum((v / total) ^ 2) hhi, arg_max(i, v) top, max(v) / any_value(total) top_share
  from t group by j, k''').fetchall()
N = len(out)
""",
    "pandas": """
import pandas as pd
df = pd.read_csv(PATH, dtype={"t": "int32", "i": "int32", "j": "int32", "k": "int32", "v": "float64", "q": "float64"})
s = df.groupby(["j", "k", "i"], as_index=False, sort=False)["v"].sum()
s["total"] = s.groupby(["j", "k"], sort=False)["v"].transform("sum")
s["sq"] = (s["v"] / s["total"]) ** 2
top = s.loc[s.groupby(["j", "k"], sort=False)["v"].idxmax(), ["j", "k", "i", "v", "total"]]
out = s.groupby(["j", "k"], sort=False).agg(total=("total", "first"), hhi=("sq", "sum"))
N = len(out)
""",
}

RUNNER = """
import json, resource, sys, time
PATH = sys.argv[1]
t0 = time.perf_counter()
exec(sys.stdin.read())
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024, "cells": N}))
"""


def generate(path: Path, rows: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(42)
    e = 1 + (rng.integers(0, 230, rows) * rng.integers(0, 230, rows)) // 230
    table = pa.table({
        "t": np.full(rows, 2021, dtype=np.int32),
        "i": (e * 4).astype(np.int32),
        "j": (4 + rng.integers(0, 230, rows) * 4).astype(np.int32),
        "k": (10000 + rng.integers(0, 5000, rows) * 17).astype(np.int32),
        "v": np.round(rng.uniform(0, 10000, rows), 3),
        "q": np.round(rng.uniform(0, 100, rows), 3),
    })
    pacsv.write_csv(table, path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=11_000_000)
    ap.add_argument("--csv", type=Path, default=Path("/tmp/baci_like.csv"))
    ap.add_argument("--engines", default="polars,duckdb,pandas")
    a = ap.parse_args()
    if not a.csv.exists():
        t0 = time.perf_counter()
        generate(a.csv, a.rows)
        print(f"generated {a.csv} ({a.rows:,} rows) in {time.perf_counter() - t0:.1f} s")
    for name in a.engines.split(","):
        r = subprocess.run([sys.executable, "-c", RUNNER, str(a.csv)], input=ENGINES[name], capture_output=True, text=True)
        if r.returncode != 0:
            print(name, "failed:", r.stderr[-500:])
            continue
        res = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"{name:8s} {res['seconds']:7.2f} s ({res['cpu']:.2f} s CPU incl. interpreter start)  peak {res['peak_mb']:7.0f} MB  {res['cells']:,} cells")


if __name__ == "__main__":
    main()
