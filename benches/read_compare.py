#!/usr/bin/env python3
"""Read one BACI year with tradedep, polars, pyarrow, DuckDB and pandas; compare time and peak memory.

Usage::

    python3 benches/read_compare.py                      # benches/data/ 11M-row file, 3 repetitions
    python3 benches/read_compare.py FILE --reps 5 --tools tradedep,polars
    python3 benches/read_compare.py FILE --quick         # 1 repetition, no report files (tests)

Each tool reads the whole file into an in-memory typed table in a fresh Python process (see
``_harness.py``): time is the median wall time of the read alone (imports excluded and reported
apart); peak RSS is the child's own high-water mark (``VmHWM``) taken right after the read, so it
includes the interpreter, the imports and everything the read allocated, and nothing of the checks.

What every competitor does, written as a competent user would: an explicit schema (``t, i, j``
int16, ``k`` int32, ``v`` float64) and ``q`` parsed to float64 with BACI's space-padded ``NA``
as null. tradedep's ``read_baci`` does more (canonical schema, product codes as 6-digit strings,
country checks, a read report), so the comparison does not flatter it.

Every run is checked: rows, the sum of ``v`` and the count of missing ``q`` must match the
``.meta.json`` the generator wrote (exact checksums of the file), or the run is marked WRONG and the
script exits 1 (so does a tool that crashes; one that is not installed is "not available").
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

TOOLS = ["tradedep", "polars", "pyarrow", "duckdb", "pandas"]
NA_PADDED = "           NA"  # BACI right-aligns q to 13 characters, NA included


# ---- the reads, one per tool; each returns (seconds, info) -------------------------------------------


def read_tradedep(path: str) -> tuple[float, dict[str, Any]]:
    """tradedep's BACI reader (release build expected; a debug build is about 10x slower)."""
    import tradedep as td

    t0, c0 = time.perf_counter(), time.process_time()
    trade = h.tradedep_read_baci(td, path)  # adapt the call there
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = h.own_peak_rss_kib()
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.table(trade)
    value = table.column("value")
    quantity = table.column("quantity") if "quantity" in table.column_names else None
    return seconds, {
        "peak_rss_kib": peak,
        "cpu_seconds": cpu,
        "rows": table.num_rows,
        "value_sum": pc.sum(value).as_py(),
        "q_null": quantity.null_count if quantity is not None else None,
        "debug_build": bool(getattr(getattr(td, "_tradedep", None), "_debug_build", False)),
        "currency": getattr(trade, "currency", None),
    }


def read_polars(path: str) -> tuple[float, dict[str, Any]]:
    import polars as pl

    schema = {"t": pl.Int16, "i": pl.Int16, "j": pl.Int16, "k": pl.Int32, "v": pl.Float64, "q": pl.String}
    t0, c0 = time.perf_counter(), time.process_time()
    # polars cannot parse " 1.854" as a float, so q is read as text, trimmed and cast.
    df = pl.read_csv(path, schema=schema).with_columns(
        pl.col("q").str.strip_chars().replace("NA", None).cast(pl.Float64)
    )
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = h.own_peak_rss_kib()
    return seconds, {
        "peak_rss_kib": peak,
        "cpu_seconds": cpu,
        "rows": df.height,
        "value_sum": df["v"].sum(),
        "q_null": df["q"].null_count(),
    }


def read_pyarrow(path: str) -> tuple[float, dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    types = {"t": pa.int16(), "i": pa.int16(), "j": pa.int16(), "k": pa.int32(), "v": pa.float64(), "q": pa.float64()}
    t0, c0 = time.perf_counter(), time.process_time()
    table = pcsv.read_csv(
        path, convert_options=pcsv.ConvertOptions(column_types=types, null_values=["NA", NA_PADDED])
    )
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = h.own_peak_rss_kib()
    return seconds, {
        "peak_rss_kib": peak,
        "cpu_seconds": cpu,
        "rows": table.num_rows,
        "value_sum": pc.sum(table.column("v")).as_py(),
        "q_null": table.column("q").null_count,
    }


def read_duckdb(path: str) -> tuple[float, dict[str, Any]]:
    import duckdb
    import pyarrow.compute as pc

    sql = (
        "SELECT * FROM read_csv(?, header = true, nullstr = ['NA', '" + NA_PADDED + "'], "
        "columns = {'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'INTEGER', "
        "'v': 'DOUBLE', 'q': 'DOUBLE'})"
    )
    con = duckdb.connect()
    t0, c0 = time.perf_counter(), time.process_time()
    rel = con.sql(sql, params=[path])
    # Materialise as an Arrow table in Python, like the other tools' results.
    table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = h.own_peak_rss_kib()
    return seconds, {
        "peak_rss_kib": peak,
        "cpu_seconds": cpu,
        "rows": table.num_rows,
        "value_sum": pc.sum(table.column("v")).as_py(),
        "q_null": table.column("q").null_count,
    }


def read_pandas(path: str) -> tuple[float, dict[str, Any]]:
    import pandas as pd

    dtypes = {"t": "int16", "i": "int16", "j": "int16", "k": "int32", "v": "float64", "q": "float64"}
    t0, c0 = time.perf_counter(), time.process_time()
    df = pd.read_csv(path, dtype=dtypes, na_values=["NA", NA_PADDED], keep_default_na=False)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = h.own_peak_rss_kib()
    return seconds, {
        "peak_rss_kib": peak,
        "cpu_seconds": cpu,
        "rows": len(df),
        "value_sum": float(df["v"].sum()),
        "q_null": int(df["q"].isna().sum()),
    }


READERS = {
    "tradedep": read_tradedep,
    "polars": read_polars,
    "pyarrow": read_pyarrow,
    "duckdb": read_duckdb,
    "pandas": read_pandas,
}
IMPORTS = {"tradedep": "tradedep", "polars": "polars", "pyarrow": "pyarrow.csv", "duckdb": "duckdb", "pandas": "pandas"}


def child(tool: str, path: str) -> None:
    """Runs in the subprocess: import the tool (timed apart), read, print one JSON line."""
    t0, c0 = time.perf_counter(), time.process_time()
    if tool in IMPORTS:
        try:
            __import__(IMPORTS[tool])
        except ImportError as e:
            import json

            print(json.dumps({"status": "unavailable", "message": f"import failed: {e}"}))
            sys.exit(h.EXIT_UNAVAILABLE)
    import_seconds = time.perf_counter() - t0

    def measure() -> tuple[float, dict[str, Any]]:
        # Each reader takes the memory mark itself, right after its read (before the checksums).
        return READERS[tool](path)

    h.child_main(measure, import_seconds)


# ---- checks against the generator's checksums --------------------------------------------------------


def check_read(info: dict[str, Any], meta: dict[str, Any] | None, rtol: float = 1e-9) -> str:
    """'ok', or what differs from the file's known row count, value sum and NA count.

    The value sum may come back in thousands of USD (as in the file) or in USD (tradedep's canonical
    unit): both are accepted, and the unit is named.
    """
    if meta is None:
        return "unchecked (no .meta.json)"
    problems = []
    if info.get("rows") != meta["rows"]:
        problems.append(f"rows {info.get('rows')} != {meta['rows']}")
    expected = meta["value_sum_thousandths"] / 1000.0
    got = info.get("value_sum")
    unit = None
    if isinstance(got, (int, float)):
        for factor, name in ((1.0, "kUSD"), (1000.0, "USD")):
            if abs(got - expected * factor) <= rtol * abs(expected * factor):
                unit = name
    if unit is None:
        problems.append(f"sum(v) {got!r} != {expected!r} (kUSD) or x1000 (USD)")
    q_null = info.get("q_null")
    if q_null is not None and q_null != meta["q_na"]:
        problems.append(f"missing q {q_null} != {meta['q_na']}")
    if problems:
        return "WRONG: " + "; ".join(problems)
    return "ok" + ("" if unit == "kUSD" else f" (value in {unit})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", type=Path, default=None,
                    help="BACI-shaped CSV (default: benches/data/ 11M rows)")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma list from {TOOLS}")
    ap.add_argument("--reps", type=int, default=3, help="repetitions per tool; the median is reported")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds before a child run is killed")
    ap.add_argument("--quick", action="store_true", help="1 repetition and no report files unless --out-dir")
    ap.add_argument("--out-dir", type=Path, default=None, help="where to write read_compare.json/.md "
                    "(default benches/results/, none with --quick)")
    ap.add_argument("--child", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        child(args.child[0], args.child[1])
        return 0

    path = (args.file or h.default_data_file()).resolve()
    if not path.exists():
        print(f"{path} not found: generate it with benches/run_all.sh or "
              f"`cargo run --release --example gen_baci -- --out benches/data/`", file=sys.stderr)
        return 2
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in READERS]
    if unknown:
        ap.error(f"unknown tools {unknown}; choose from {TOOLS}")
    reps = 1 if args.quick else max(1, args.reps)
    out_dir = args.out_dir if args.out_dir is not None else (None if args.quick else h.RESULTS_DIR)
    meta = h.read_meta(path)

    h.warm_page_cache(path)
    machine = h.machine_info()
    print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB, {meta['rows'] if meta else '?'} rows); "
          f"{reps} repetition(s); load average {machine['loadavg_1_5_15']}")
    results: list[h.RunResult] = []
    checks: dict[str, str] = {}
    def report(tool: str, rep: int, r: h.RunResult) -> None:
        if r.status == "ok":
            r.info["check"] = check_read(r.info, meta)
            print(f"  {tool:9s} run {rep + 1}: {r.seconds:7.2f} s  peak {r.peak_rss_mib:7.0f} MiB  "
                  f"{r.info['check']}", flush=True)
        else:
            print(f"  {tool}: {h.status_text(r)}", flush=True)

    all_runs = h.run_round_robin(
        tools, reps, lambda tool, rep: [sys.executable, __file__, "--child", tool, str(path)], args.timeout, report
    )
    for tool, runs in all_runs.items():
        s = h.summarize(runs)
        wrong = [r.info["check"] for r in runs if r.status == "ok" and not r.info["check"].startswith("ok")]
        if wrong:
            checks[tool] = wrong[0]
        elif s.status == "ok":
            checks[tool] = runs[0].info.get("check", "") + h.build_note(s)
        else:
            checks[tool] = h.status_text(s)
        results.append(s)

    table = h.markdown_table(results, "tradedep", extra=lambda r: checks.get(r.tool, ""))
    if not any(r.tool == "tradedep" and r.status == "ok" for r in results):
        fastest = min((r for r in results if r.status == "ok"), key=lambda r: r.seconds or 0.0, default=None)
        if fastest is not None:
            table += f"\n\n(tradedep not measured: ratios are pending; fastest competitor: {fastest.tool})"
    print()
    print(table)
    md = (f"## read_compare: {path.name}\n\nmachine: {machine.get('cpu')}, {machine['cpus']} cores, "
          f"load average {machine['loadavg_1_5_15']} at {machine['date_utc']}\n\n{table}")
    payload = {
        "benchmark": "read_compare",
        "file": path.name,
        "meta": meta,
        "repetitions": reps,
        "machine": machine,
        "results": [r.__dict__ for r in results],
        "checks": checks,
    }
    h.write_reports("read_compare", payload, md, out_dir)
    failed = any(c.startswith("WRONG") for c in checks.values()) or any(r.status == "error" for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
