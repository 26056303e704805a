#!/usr/bin/env python3
"""Time ``td.read_comext`` against pandas, polars, pyarrow and DuckDB on the shared Comext long table.

Usage::

    python3 benches/read_comext_compare.py [FILE] [--reps 5] [--tools tradedep,pandas,polars,pyarrow,duckdb]
        [--build old=/tmp/old_build]   # also tradedep imported from /tmp/old_build/tradedep

Each read runs in a fresh Python process (imports excluded from the time); the parent prints
the median wall time and CPU time (user + system of every thread of the child, from
``getrusage``) per tool over ``--reps`` runs, interleaved (tool A, B, C, A, B, C ...) so
that machine load hits every tool alike. Every competitor reads the gzip-compressed file into
an in-memory typed table with an explicit schema (codes as strings, value as float64), as a
competent user would; tradedep does more (CN8 level kept, geo codes checked, duplicates set
aside, periods checked, a read report). Each run prints its row count and value sum: the
competitors read all 1,141,670 rows, tradedep keeps the CN8 ones.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

DEFAULT = (
    Path(__file__).resolve().parents[1].parent.parent
    / "shared/data/eurostat_comext_ru_neighbours"
    / "eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
)

CHILD = {
    "tradedep": """
import tradedep as td, pyarrow as pa, pyarrow.compute as pc
t0 = clock()
t = td.read_comext(PATH)
s = since(t0)
tab = pa.table(t)
out(s, tab.num_rows, pc.sum(tab.column("value")).as_py())
""",
    "pandas": """
import pandas as pd
dtype = {"reporter_iso2": str, "partner_iso2": str, "product_code": str, "level": str,
         "period": str, "value_eur": "float64"}
t0 = clock()
df = pd.read_csv(PATH, dtype=dtype, keep_default_na=False)
s = since(t0)
out(s, len(df), float(df["value_eur"].sum()))
""",
    "polars": """
import polars as pl
schema = {"reporter_iso2": pl.String, "partner_iso2": pl.String, "product_code": pl.String,
          "level": pl.String, "period": pl.String, "value_eur": pl.Float64}
t0 = clock()
df = pl.read_csv(PATH, schema=schema)
s = since(t0)
out(s, df.height, float(df["value_eur"].sum()))
""",
    "pyarrow": """
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pcsv
types = {"reporter_iso2": pa.string(), "partner_iso2": pa.string(), "product_code": pa.string(),
         "level": pa.string(), "period": pa.string(), "value_eur": pa.float64()}
t0 = clock()
tab = pcsv.read_csv(PATH, convert_options=pcsv.ConvertOptions(column_types=types))
s = since(t0)
out(s, tab.num_rows, pc.sum(tab.column("value_eur")).as_py())
""",
    "duckdb": """
import duckdb
con = duckdb.connect()
t0 = clock()
tab = con.sql("select * from read_csv(?, header=true, columns={'reporter_iso2':'VARCHAR','partner_iso2':'VARCHAR',"
              "'product_code':'VARCHAR','level':'VARCHAR','period':'VARCHAR','value_eur':'DOUBLE'})",
              params=[PATH]).fetch_arrow_table()
s = since(t0)
import pyarrow.compute as pc
out(s, tab.num_rows, pc.sum(tab.column("value_eur")).as_py())
""",
}

PRELUDE = """
import json, resource, sys, time
PATH = sys.argv[1]
if len(sys.argv) > 2:
    sys.path.insert(0, sys.argv[2])  # another build of tradedep (--build)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process
    return r.ru_utime + r.ru_stime
def clock():
    return time.perf_counter(), cpu()
def since(t0):
    return time.perf_counter() - t0[0], cpu() - t0[1]
def out(s, rows, value):
    print(json.dumps({"seconds": s[0], "cpu": s[1], "rows": rows, "value_sum": value}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--tools", default=",".join(CHILD))
    ap.add_argument("--build", action="append", default=[], metavar="NAME=DIR",
                    help="also time tradedep imported from DIR (a folder holding another build's "
                         "tradedep package), as tool tradedep@NAME")
    a = ap.parse_args()
    tools = a.tools.split(",")
    builds = dict(b.split("=", 1) for b in a.build)
    tools += [f"tradedep@{name}" for name in builds]
    times: dict[str, list[float]] = {t: [] for t in tools}
    cpus: dict[str, list[float]] = {t: [] for t in tools}
    info: dict[str, dict] = {}
    for _ in range(a.reps):
        for tool in tools:
            base, _, build = tool.partition("@")
            extra = [builds[build]] if build else []
            r = subprocess.run([sys.executable, "-c", PRELUDE + CHILD[base], a.file, *extra],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{tool}: failed\n{r.stderr}", file=sys.stderr)
                return 1
            res = json.loads(r.stdout.strip().splitlines()[-1])
            times[tool].append(res["seconds"])
            cpus[tool].append(res["cpu"])
            info[tool] = res
    print(f"{'tool':<16} {'wall s':>7} {'CPU s':>7}  wall runs (s)  rows  value_sum")
    for tool in tools:
        print(f"{tool:<16} {statistics.median(times[tool]):7.3f} {statistics.median(cpus[tool]):7.3f}  "
              f"{' '.join(f'{x:.3f}' for x in times[tool])}  {info[tool]['rows']}  {info[tool]['value_sum']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
