#!/usr/bin/env python3
"""Every tradedep reader against pandas, polars, pyarrow and DuckDB reading the same file (issue 10
item 4: each reader at least as fast as the fastest general CSV reader).

Usage::

    python benches/read_readers_compare.py [--reps 5] [--cases comext,read_csv,comtrade,gacc]
        [--tools tradedep,pandas,polars,pyarrow,duckdb] [--baci FILE]

Each read runs in a fresh Python process (imports excluded from the time), tools interleaved
(A, B, C, A, B, C ...) so that machine load hits every tool alike; the parent prints the median
wall time per tool and case, the ratio of the fastest competitor's time to tradedep's (above 1:
tradedep faster) and each child's peak RSS (``VmHWM`` taken right after the read). Competitors
read with an explicit schema (codes as text, amounts as float64) as a competent user would;
tradedep also checks every code, sets rows aside with reasons and builds its canonical table.

Equality: after its first timed read, each child brings its table to standard columns (outside
the time and the memory figure) and writes it to a temporary Arrow file; the parent sorts every
tool's standard table and compares it with tradedep's: same rows, same codes, values equal within
1e-9 relative. The competitors' standard tables apply the reader's documented rules for that file
(Comext: the CN8 rows, Eurostat's EL/UK as GR/GB; Comtrade: World and breakdown rows out, the
most frequent HS edition kept, quantities not compared (the reader converts units); GACC: product
and value of every row; read_csv: every row, products as 6-digit codes, values x 1000).

Cases and files (``../shared/data`` relative to the repository root):

- ``comext``: the Comext long table ``eurostat_comext_ru_neighbours/...csv.gz`` (1.14 M rows);
- ``read_csv``: ``td.read_csv`` with the mapping of ``every_path_cases.READ_AS_IMPORTS`` on the
  2 M-row BACI-shaped file from ``examples/gen_baci.rs --rows 2000000 --seed 2021``;
- ``comtrade``: the largest Comtrade Plus CSV (lithium carbonate, monthly 2024);
- ``gacc``: the China customs sample (HS8 x partner x regime x province).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent.parent / "shared" / "data" if (ROOT.parent.parent / "shared").exists() else ROOT.parent / "shared" / "data"

FILES = {
    "comext": SHARED / "eurostat_comext_ru_neighbours"
    / "eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz",
    "read_csv": ROOT / "benches" / "data" / "BACI_synthetic_Y2021_2000000rows_seed2021.csv",
    "comtrade": SHARED / "comtrade_plus" / "liadslnt__TradeData_4_22_2026_12_19_27_lithium_carbonate_283691_monthly_2024.csv",
    "gacc": SHARED / "china_customs" / "gacc_exports_hs8_partner_regime_province_sample.csv",
}

PRELUDE = r"""
import json, sys, time
PATH, CASE, SAVE = sys.argv[1], sys.argv[2], sys.argv[3]
def peak_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
def out(seconds, peak, standard):
    rows = standard.num_rows
    if SAVE != "-":
        import pyarrow as pa
        with pa.OSFile(SAVE, "wb") as f, pa.ipc.new_file(f, standard.schema) as w:
            w.write_table(standard)
    print(json.dumps({"seconds": seconds, "peak_kib": peak, "rows": rows}))
"""

# Standard columns per case, built from each tool's table outside the timed read.
STANDARD = r"""
import pyarrow as pa, pyarrow.compute as pc
def std_td(tab):
    import tradedep as td
    cols = {}
    if CASE == "comext":
        codes = {c: td.country(int(c)).iso2 for c in set(tab.column("reporter").to_pylist()) | set(tab.column("partner").to_pylist())}
        cols["reporter"] = pa.array([codes[c] for c in tab.column("reporter").to_pylist()])
        cols["partner"] = pa.array([codes[c] for c in tab.column("partner").to_pylist()])
    else:
        cols["reporter"] = pc.cast(tab.column("reporter"), pa.int64())
        cols["partner"] = pc.cast(tab.column("partner"), pa.int64())
    cols["period"] = pc.cast(tab.column("period"), pa.int64())
    cols["product"] = pc.cast(tab.column("product"), pa.string())
    cols["value"] = pc.cast(tab.column("value"), pa.float64())
    if CASE == "read_csv":
        cols["quantity"] = pc.cast(tab.column("quantity"), pa.float64())
    return pa.table(cols)
"""

def _pd_std(expr: str) -> str:
    return STANDARD + expr


CHILD: dict[str, dict[str, str]] = {
    "comext": {
        "tradedep": """
import tradedep as td
t0 = time.perf_counter(); t = td.read_comext(PATH); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, std_td(pa.table(t)))
""",
        "pandas": """
import pandas as pd
dtype = {"reporter_iso2": str, "partner_iso2": str, "product_code": str, "level": str, "period": str, "value_eur": "float64"}
t0 = time.perf_counter(); df = pd.read_csv(PATH, dtype=dtype, keep_default_na=False); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, comext_std(pa.Table.from_pandas(df, preserve_index=False)))
""",
        "polars": """
import polars as pl
schema = {"reporter_iso2": pl.String, "partner_iso2": pl.String, "product_code": pl.String, "level": pl.String, "period": pl.String, "value_eur": pl.Float64}
t0 = time.perf_counter(); df = pl.read_csv(PATH, schema=schema); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, comext_std(df.to_arrow()))
""",
        "pyarrow": """
import pyarrow.csv as pcsv
types = {"reporter_iso2": pa.string(), "partner_iso2": pa.string(), "product_code": pa.string(), "level": pa.string(), "period": pa.string(), "value_eur": pa.float64()}
t0 = time.perf_counter(); tab = pcsv.read_csv(PATH, convert_options=pcsv.ConvertOptions(column_types=types)); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, comext_std(tab))
""",
        "duckdb": """
import duckdb
con = duckdb.connect()
t0 = time.perf_counter()
tab = con.sql("select * from read_csv(?, header=true, columns={'reporter_iso2':'VARCHAR','partner_iso2':'VARCHAR','product_code':'VARCHAR','level':'VARCHAR','period':'VARCHAR','value_eur':'DOUBLE'})", params=[PATH]).fetch_arrow_table()
s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, comext_std(tab))
""",
    },
    "read_csv": {
        "tradedep": """
import tradedep as td
m = dict(columns={"period": "t", "reporter": "j", "partner": "i", "product": "k", "value": "v", "quantity": "q"},
         flow="import", vintage="HS2017", value_scale=1000, unit="t")
t0 = time.perf_counter(); t = td.read_csv(PATH, **m); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, std_td(pa.table(t)))
""",
        "pandas": """
import pandas as pd
dtype = {"t": "int16", "i": "int16", "j": "int16", "k": "int32", "v": "float64", "q": str}
t0 = time.perf_counter(); df = pd.read_csv(PATH, dtype=dtype, keep_default_na=False); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, baci_std(pa.Table.from_pandas(df, preserve_index=False)))
""",
        "polars": """
import polars as pl
schema = {"t": pl.Int16, "i": pl.Int16, "j": pl.Int16, "k": pl.Int32, "v": pl.Float64, "q": pl.String}
t0 = time.perf_counter(); df = pl.read_csv(PATH, schema=schema); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, baci_std(df.to_arrow()))
""",
        "pyarrow": """
import pyarrow.csv as pcsv
types = {"t": pa.int16(), "i": pa.int16(), "j": pa.int16(), "k": pa.int32(), "v": pa.float64(), "q": pa.string()}
t0 = time.perf_counter(); tab = pcsv.read_csv(PATH, convert_options=pcsv.ConvertOptions(column_types=types)); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, baci_std(tab))
""",
        "duckdb": """
import duckdb
con = duckdb.connect()
t0 = time.perf_counter()
tab = con.sql("select * from read_csv(?, header=true, columns={'t':'SMALLINT','i':'SMALLINT','j':'SMALLINT','k':'INTEGER','v':'DOUBLE','q':'VARCHAR'})", params=[PATH]).fetch_arrow_table()
s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, baci_std(tab))
""",
    },
    "comtrade": {
        "tradedep": """
import tradedep as td
t0 = time.perf_counter(); t = td.read_comtrade(PATH); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, std_td(pa.table(t)))
""",
        "pandas": """
import pandas as pd
t0 = time.perf_counter(); df = pd.read_csv(PATH, dtype=COMTRADE_PD, keep_default_na=False, na_values=[""], encoding="latin-1", index_col=False); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, comtrade_std(pa.Table.from_pandas(df, preserve_index=False)))
""",
        "polars": """
import polars as pl
t0 = time.perf_counter(); df = pl.read_csv(PATH, schema_overrides=COMTRADE_PL(pl), encoding="utf8-lossy", truncate_ragged_lines=True); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, comtrade_std(df.to_arrow()))
""",
        "pyarrow": """
import pyarrow.csv as pcsv
# Website exports end every line with a comma: one more (unnamed) column than the header.
with open(PATH, encoding="latin-1") as f:
    names = f.readline().rstrip("\\r\\n").split(",")
t0 = time.perf_counter()
tab = pcsv.read_csv(PATH, read_options=pcsv.ReadOptions(encoding="latin-1", column_names=names + ["_end"], skip_rows=1),
                    convert_options=pcsv.ConvertOptions(column_types=COMTRADE_PA))
s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, comtrade_std(tab))
""",
    },
    "gacc": {
        "tradedep": """
import tradedep as td
t0 = time.perf_counter(); t = td.read_gacc(PATH, period="2023-05", flow="export", table="monthly"); s = time.perf_counter() - t0; peak = peak_kib()
tab = pa.table(t.table if hasattr(t, "table") else t)
out(s, peak, gacc_std_td(tab))
""",
        "pandas": """
import pandas as pd
t0 = time.perf_counter(); df = pd.read_csv(PATH, dtype=str, keep_default_na=False, encoding="gb18030", encoding_errors="replace", thousands=",", index_col=False); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, gacc_std(pa.Table.from_pandas(df, preserve_index=False)))
""",
        "polars": """
import polars as pl
t0 = time.perf_counter(); df = pl.read_csv(PATH, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, gacc_std(df.to_arrow()))
""",
        "pyarrow": """
import pyarrow.csv as pcsv
t0 = time.perf_counter(); tab = pcsv.read_csv(PATH, read_options=pcsv.ReadOptions(encoding="gb18030"), parse_options=pcsv.ParseOptions(invalid_row_handler=lambda r: "skip"), convert_options=pcsv.ConvertOptions(strings_can_be_null=False, column_types={"Commodity code": pa.string(), "US dollar": pa.string(), "Trading partner code": pa.string()})); s = time.perf_counter() - t0; peak = peak_kib()
out(s, peak, gacc_std(tab))
""",
    },
}

# The competitors' standard tables: the reader's documented rules for each file.
HELPERS = r"""
def comext_std(tab):
    tab = tab.filter(pc.equal(tab.column("level"), "CN8"))
    fix = {"EL": "GR", "UK": "GB"}
    geo = lambda c: pa.array([fix.get(x, x) for x in tab.column(c).to_pylist()])
    period = pc.cast(pc.replace_substring(tab.column("period"), "-", ""), pa.int64())
    return pa.table({"reporter": geo("reporter_iso2"), "partner": geo("partner_iso2"), "period": period,
                     "product": pc.cast(tab.column("product_code"), pa.string()), "value": pc.cast(tab.column("value_eur"), pa.float64())})

def baci_std(tab):
    q = pc.utf8_trim_whitespace(pc.cast(tab.column("q"), pa.string()))
    q = pc.if_else(pc.equal(q, "NA"), pa.scalar(None, pa.string()), q)
    k = pc.utf8_lpad(pc.cast(tab.column("k"), pa.string()), 6, "0")
    return pa.table({"reporter": pc.cast(tab.column("j"), pa.int64()), "partner": pc.cast(tab.column("i"), pa.int64()),
                     "period": pc.cast(tab.column("t"), pa.int64()), "product": k,
                     "value": pc.multiply(pc.cast(tab.column("v"), pa.float64()), 1000.0), "quantity": pc.cast(q, pa.float64())})

COMTRADE_PD = {"classificationCode": str, "cmdCode": str, "period": str, "reporterCode": "int64", "partnerCode": "int64", "partner2Code": "int64",
               "customsCode": str, "motCode": "int64", "primaryValue": "float64", "qty": "float64", "flowCode": str}
def COMTRADE_PL(pl):
    return {"classificationCode": pl.String, "cmdCode": pl.String, "period": pl.String, "reporterCode": pl.Int64, "partnerCode": pl.Int64, "partner2Code": pl.Int64,
            "customsCode": pl.String, "motCode": pl.Int64, "primaryValue": pl.Float64, "qty": pl.Float64, "flowCode": pl.String}
COMTRADE_PA = {"classificationCode": pa.string(), "cmdCode": pa.string(), "period": pa.string(), "reporterCode": pa.int64(), "partnerCode": pa.int64(),
               "partner2Code": pa.int64(), "customsCode": pa.string(), "motCode": pa.int64(), "primaryValue": pa.float64(),
               "qty": pa.float64(), "flowCode": pa.string()}
def comtrade_std(tab):
    keep = pc.and_(pc.and_(pc.not_equal(tab.column("partnerCode"), 0), pc.equal(tab.column("partner2Code"), 0)),
                   pc.and_(pc.equal(tab.column("customsCode"), "C00"), pc.equal(tab.column("motCode"), 0)))
    # The reader keeps the file's most frequent HS edition (here H6) and sets the others aside.
    keep = pc.and_(keep, pc.equal(tab.column("classificationCode"), "H6"))
    tab = tab.filter(keep)
    return pa.table({"reporter": tab.column("reporterCode"), "partner": tab.column("partnerCode"),
                     "period": pc.cast(tab.column("period"), pa.int64()), "product": pc.cast(tab.column("cmdCode"), pa.string()),
                     "value": tab.column("primaryValue")})

def gacc_std(tab):
    names = tab.column_names
    code = tab.column(names[0]); usd = tab.column("US dollar")
    usd = pc.cast(pc.replace_substring(pc.cast(usd, pa.string()), ",", ""), pa.float64())
    return pa.table({"product": pc.cast(code, pa.string()), "value": usd})
def gacc_std_td(tab):
    return pa.table({"product": pc.cast(tab.column("product"), pa.string()), "value": pc.cast(tab.column("value"), pa.float64())})
"""


def sorted_table(path: str):
    import pyarrow as pa

    with pa.OSFile(path, "rb") as f:
        tab = pa.ipc.open_file(f).read_all()
    keys = [(c, "ascending") for c in tab.column_names]
    return tab.sort_by(keys)


def equal(a_path: str, b_path: str) -> str:
    import numpy as np
    import pyarrow as pa

    a, b = sorted_table(a_path), sorted_table(b_path)
    if a.num_rows != b.num_rows:
        return f"rows differ ({a.num_rows} vs {b.num_rows})"
    for name in a.column_names:
        x, y = a.column(name), b.column(name)
        if pa.types.is_floating(x.type):
            xn, yn = x.to_numpy(zero_copy_only=False), y.to_numpy(zero_copy_only=False)
            if not np.array_equal(np.isnan(xn), np.isnan(yn)):
                return f"{name}: nulls differ"
            ok = np.isnan(xn) | np.isclose(xn, yn, rtol=1e-9, atol=0)
            if not ok.all():
                return f"{name}: {int((~ok).sum())} values differ"
        elif not x.cast(y.type).equals(y):
            return f"{name} differs"
    return "equal"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--cases", default=",".join(CHILD))
    ap.add_argument("--tools", default="tradedep,pandas,polars,pyarrow,duckdb")
    ap.add_argument("--baci", default=str(FILES["read_csv"]))
    a = ap.parse_args()
    FILES["read_csv"] = Path(a.baci)
    tmp = tempfile.mkdtemp(prefix="read_readers_")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    rows_md = []
    for case in a.cases.split(","):
        path = str(FILES[case])
        tools = [t for t in a.tools.split(",") if t in CHILD[case]]
        with open(path, "rb") as f:  # warm the page cache for every tool alike
            while f.read(1 << 24):
                pass
        times: dict[str, list[float]] = {t: [] for t in tools}
        peaks: dict[str, list[float]] = {t: [] for t in tools}
        rows: dict[str, int] = {}
        saved: dict[str, str] = {}
        failed: dict[str, str] = {}
        for rep in range(a.reps):
            for tool in tools:
                if tool in failed:
                    continue
                save = os.path.join(tmp, f"{case}_{tool}.arrow") if rep == 0 else "-"
                code = PRELUDE + STANDARD + HELPERS + CHILD[case][tool]
                r = subprocess.run([sys.executable, "-c", code, path, case, save], capture_output=True, text=True,
                                   env={**os.environ, "PYTHONWARNINGS": "ignore::RuntimeWarning"})
                if r.returncode != 0:
                    failed[tool] = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
                    continue
                res = json.loads(r.stdout.strip().splitlines()[-1])
                times[tool].append(res["seconds"])
                peaks[tool].append(res["peak_kib"] / 1024)
                rows[tool] = res["rows"]
                if rep == 0:
                    saved[tool] = save
        print(f"\n== {case}: {path}")
        med = {t: statistics.median(v) for t, v in times.items() if v}
        competitors = [t for t in med if t != "tradedep"]
        fastest = min(competitors, key=lambda t: med[t]) if competitors else None
        for tool in tools:
            if tool in failed:
                print(f"{tool:<9} failed: {failed[tool]}")
                continue
            check = "reference" if tool == "tradedep" else equal(saved["tradedep"], saved[tool]) if "tradedep" in saved else "-"
            print(f"{tool:<9} {med[tool]:7.3f} s  runs {' '.join(f'{x:.3f}' for x in times[tool])}  "
                  f"peak {statistics.median(peaks[tool]):6.0f} MiB  rows {rows[tool]}  {check}")
        if "tradedep" in med and fastest:
            ratio = med[fastest] / med["tradedep"]
            checks = ", ".join(f"{t} {equal(saved['tradedep'], saved[t])}" for t in competitors)
            print(f"ratio fastest competitor ({fastest}) / tradedep = {ratio:.2f}x")
            rows_md.append(
                f"| {case} | {med['tradedep']:.3f} | "
                + " | ".join(f"{med[t]:.3f}" if t in med else "-" for t in ["pandas", "polars", "pyarrow", "duckdb"])
                + f" | {ratio:.2f}x vs {fastest} | "
                + " / ".join(f"{statistics.median(peaks[t]):.0f}" if peaks.get(t) else "-" for t in ["tradedep", "pandas", "polars", "pyarrow", "duckdb"])
                + f" | {checks} |"
            )
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}\n")
    print("| case | tradedep s | pandas s | polars s | pyarrow s | DuckDB s | fastest / tradedep | peak MiB td / pandas / polars / pyarrow / DuckDB | tables |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows_md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
