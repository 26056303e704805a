#!/usr/bin/env python3
"""End-to-end workload, read included: for every importer and product, the total imported, the
supplier HHI, the top supplier and its share. tradedep against polars, DuckDB and pandas.

Usage::

    python3 benches/metrics_compare.py                   # benches/data/ 11M-row file, 3 repetitions
    python3 benches/metrics_compare.py FILE --tools polars,duckdb --reps 5
    python3 benches/metrics_compare.py FILE --quick      # 1 repetition, no report files (tests)

BACI semantics: ``i`` is the exporter, ``j`` the importer, so the supplier HHI of importer ``j`` for
product ``k`` is over exporters ``i``:

    total        = sum_i v[i, j, k]                      (thousands of USD, as in the file)
    hhi          = sum_i (v[i, j, k] / total)^2          (0..1)
    top_supplier = argmax_i v[i, j, k], ties to the smallest exporter code
    top_share    = max_i v[i, j, k] / total

BACI has one row per (t, i, j, k), so no tool sums duplicate keys first (the generator guarantees it).

Each tool runs in a fresh process (peak RSS per tool, see ``_harness.py``) and writes its result as
Parquet after the clock stops; the parent then checks that every tool agrees with the reference tool
(DuckDB, else the first that ran) on the same set of (importer, product) groups, on total, hhi and
top_share within 1e-9 relative, and on top_supplier exactly. A disagreement, or a tool that
crashes, fails the run (exit 1): that check is the correctness proof of the benchmark, not
decoration. A tool that is not installed (or a tradedep without the functions yet) is reported as
"not available" and does not fail the run.

Repetitions go round-robin over the tools (see ``_harness.run_round_robin``).

tradedep runs through :func:`run_tradedep` (``read_baci`` + ``importer_product_concentration``,
see there); adapt that function, ``_harness.tradedep_read_baci`` and :data:`TRADEDEP_COLUMN_NAMES`
if the API changes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

TOOLS = ["tradedep", "polars", "duckdb", "pandas"]
#: Pure-Python csv-module implementation: independent and slow; on by default only for small files.
PYTHON_TOOL = "python"
PYTHON_TOOL_MAX_ROWS = 200_000
#: tradedep through a materialised table (read_baci, then the kernel); not run by default.
TABLE_TOOL = "tradedep_table"
RESULT_COLUMNS = ["importer", "product", "total", "hhi", "top_supplier", "top_share"]
RTOL = 1e-9


# ---- tradedep: the one place to adapt when the real API lands ----------------------------------------

#: tradedep's canonical value unit is USD; BACI's v is thousands of USD. Totals are divided by this.
TRADEDEP_VALUE_PER_KUSD = 1000.0


def _import_tradedep() -> Any:
    try:
        import tradedep as td
    except ImportError as e:
        raise h.ToolUnavailable(f"import failed: {e}") from e
    if not hasattr(td, "importer_product_concentration") and not hasattr(td, "concentration"):
        raise h.ToolUnavailable("tradedep has no importer_product_concentration / concentration yet")
    return td


def run_tradedep(path: str) -> Any:
    """The tradedep way to compute the workload; timed together with the read.

    When ``td.importer_product_concentration`` takes a BACI path (it has a ``vintage`` argument), the
    file is streamed into the kernel as it is parsed (the table is never built)::

        td.importer_product_concentration(path, vintage="HS2017")

    Otherwise (older builds) the materialised path of :func:`run_tradedep_table`. Raises
    :class:`_harness.ToolUnavailable` when tradedep or these functions are missing.
    """
    import inspect

    td = _import_tradedep()
    fn = getattr(td, "importer_product_concentration", None)
    if fn is not None:
        try:
            streams = "vintage" in inspect.signature(fn).parameters
        except (TypeError, ValueError):
            streams = False
        if streams:
            return fn(path, vintage="HS2017")
    return run_tradedep_table(path)


def run_tradedep_table(path: str) -> Any:
    """tradedep through a table in memory: the read, then the kernel over the table::

        trade = td.read_baci(path)
        td.importer_product_concentration(trade, source="mirror")

    (every BACI row is an export: reporter = exporter ``i``, partner = importer ``j``), falling back to
    the general ``td.concentration(trade, by=["product"], over="partner", source="mirror")``.
    """
    td = _import_tradedep()
    trade = h.tradedep_read_baci(td, path)
    if hasattr(td, "importer_product_concentration"):
        return h.call_with_supported(td.importer_product_concentration, trade, source="mirror")
    return h.call_with_supported(td.concentration, trade, by=["product"], over="partner", source="mirror")


#: Where to look for each standard column in tradedep's result (first name present wins).
TRADEDEP_COLUMN_NAMES = {
    "importer": ["importer", "partner"],
    "product": ["product"],
    "total": ["total_value", "total", "value"],
    "hhi": ["hhi"],
    "top_supplier": ["top_code", "top_supplier", "top"],
    "top_share": ["top_share", "cr1"],
}


def tradedep_to_standard(result: Any) -> Any:
    """tradedep's result (anything with ``__arrow_c_stream__``) -> the standard pyarrow table.

    Country columns may be numeric codes or digit strings; products may be 6-digit strings
    (``"010121"``) and become integers like BACI's ``k``; totals are rescaled to thousands of USD.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = result.to_arrow() if hasattr(result, "to_arrow") else pa.table(result)
    out = {}
    for std, candidates in TRADEDEP_COLUMN_NAMES.items():
        name = next((c for c in candidates if c in table.column_names), None)
        if name is None:
            raise KeyError(f"tradedep result has none of {candidates} (columns: {table.column_names}); "
                           "adapt TRADEDEP_COLUMN_NAMES in benches/metrics_compare.py")
        col = table.column(name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        if std in ("importer", "product", "top_supplier"):
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_string_view(col.type):
                col = pc.cast(col.cast(pa.string()), pa.int64())
            col = col.cast(pa.int64())
        else:
            col = col.cast(pa.float64())
        if std == "total":
            col = pc.divide(col, TRADEDEP_VALUE_PER_KUSD)
        out[std] = col
    return pa.table(out)


# ---- competitors, each written as a competent user would ---------------------------------------------


def run_polars(path: str) -> Any:
    import polars as pl

    schema = {"t": pl.Int16, "i": pl.Int16, "j": pl.Int16, "k": pl.Int32, "v": pl.Float64, "q": pl.String}
    v = pl.col("v")
    return (
        pl.scan_csv(path, schema=schema)
        .select("i", "j", "k", "v")
        .group_by("j", "k")
        .agg(
            total=v.sum(),
            sum_sq=(v * v).sum(),
            top_value=v.max(),
            top_supplier=pl.col("i").filter(v == v.max()).min(),
        )
        .select(
            importer=pl.col("j"),
            product=pl.col("k"),
            total=pl.col("total"),
            hhi=pl.col("sum_sq") / (pl.col("total") * pl.col("total")),
            top_supplier=pl.col("top_supplier"),
            top_share=pl.col("top_value") / pl.col("total"),
        )
        .collect()
    )


DUCKDB_SQL = """
SELECT j AS importer, k AS product,
       sum(v) AS total,
       sum(v * v) / (sum(v) * sum(v)) AS hhi,
       arg_max(i, (v, -i)) AS top_supplier,   -- ties: smallest exporter code
       max(v) / sum(v) AS top_share
FROM read_csv(?, header = true,
              columns = {'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'INTEGER',
                         'v': 'DOUBLE', 'q': 'VARCHAR'})
GROUP BY j, k
"""


def run_duckdb(path: str) -> Any:
    import duckdb

    rel = duckdb.connect().sql(DUCKDB_SQL, params=[path])
    return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()


def run_pandas(path: str) -> Any:
    import pandas as pd

    df = pd.read_csv(
        path,
        usecols=["i", "j", "k", "v"],
        dtype={"i": "int16", "j": "int16", "k": "int32", "v": "float64"},
        engine="pyarrow",
    )
    df["v_sq"] = df["v"] * df["v"]
    groups = df.groupby(["j", "k"], sort=False)
    out = groups.agg(total=("v", "sum"), sum_sq=("v_sq", "sum"), top_value=("v", "max"))
    is_top = df["v"] == groups["v"].transform("max")
    out["top_supplier"] = df[is_top].groupby(["j", "k"], sort=False)["i"].min()
    out["hhi"] = out["sum_sq"] / (out["total"] * out["total"])
    out["top_share"] = out["top_value"] / out["total"]
    out = out.reset_index().rename(columns={"j": "importer", "k": "product"})
    return out[RESULT_COLUMNS]


def run_python(path: str) -> dict[tuple[int, int], list[Any]]:
    """Independent reference in plain Python (csv module, dicts): slow, for small files and tests."""
    import csv

    groups: dict[tuple[int, int], list[tuple[int, float]]] = {}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            key = (int(row["j"]), int(row["k"]))
            groups.setdefault(key, []).append((int(row["i"]), float(row["v"])))
    return {key: python_group_metrics(rows) for key, rows in groups.items()}


def python_group_metrics(rows: list[tuple[int, float]]) -> list[Any]:
    """[total, hhi, top_supplier, top_share] of one group of (exporter, value) rows, by definition."""
    total = sum(v for _, v in rows)
    hhi = sum((v / total) ** 2 for _, v in rows)
    top_supplier, top_value = min(rows, key=lambda r: (-r[1], r[0]))
    return [total, hhi, top_supplier, top_value / total]


RUNNERS = {
    "tradedep": run_tradedep,
    TABLE_TOOL: run_tradedep_table,
    "polars": run_polars,
    "duckdb": run_duckdb,
    "pandas": run_pandas,
    PYTHON_TOOL: run_python,
}
IMPORTS = {"polars": "polars", "duckdb": "duckdb", "pandas": "pandas"}


def to_standard(tool: str, result: Any) -> Any:
    """Any tool's result -> pyarrow table with RESULT_COLUMNS (int64 keys, float64 metrics)."""
    import pyarrow as pa

    if tool in ("tradedep", TABLE_TOOL):
        return tradedep_to_standard(result)
    if tool == PYTHON_TOOL:
        keys = sorted(result)
        cols: list[Any] = list(zip(*(result[k] for k in keys))) if keys else [[], [], [], []]
        return pa.table({
            "importer": pa.array([k[0] for k in keys], pa.int64()),
            "product": pa.array([k[1] for k in keys], pa.int64()),
            "total": pa.array(cols[0], pa.float64()),
            "hhi": pa.array(cols[1], pa.float64()),
            "top_supplier": pa.array(cols[2], pa.int64()),
            "top_share": pa.array(cols[3], pa.float64()),
        })
    if tool == "pandas":
        table = pa.Table.from_pandas(result, preserve_index=False)
    elif tool == "polars":
        table = result.to_arrow()
    else:
        table = result
    types = {"importer": pa.int64(), "product": pa.int64(), "top_supplier": pa.int64()}
    return pa.table({c: table.column(c).cast(types.get(c, pa.float64())) for c in RESULT_COLUMNS})


# ---- agreement check ---------------------------------------------------------------------------------


def compare_results(reference: Any, other: Any, rtol: float = RTOL, max_examples: int = 5) -> list[str]:
    """Differences between two standard tables (empty list: they agree).

    Same set of (importer, product) groups; total, hhi, top_share within `rtol` relative;
    top_supplier identical. Each message names the column, how many groups differ and examples.
    """
    import numpy as np

    def sorted_columns(t: Any) -> dict[str, Any]:
        t = t.sort_by([("importer", "ascending"), ("product", "ascending")])
        return {c: t.column(c).to_numpy(zero_copy_only=False) for c in RESULT_COLUMNS}

    problems: list[str] = []
    a, b = sorted_columns(reference), sorted_columns(other)
    for label, cols in (("reference", a), ("other", b)):
        n = len(cols["importer"])
        imp, prod = cols["importer"], cols["product"]
        same_as_previous = (imp[1:] == imp[:-1]) & (prod[1:] == prod[:-1])
        if n and np.any(same_as_previous):
            problems.append(f"{label}: some (importer, product) groups appear more than once")
    keys_a = set(zip(a["importer"].tolist(), a["product"].tolist()))
    keys_b = set(zip(b["importer"].tolist(), b["product"].tolist()))
    if keys_a != keys_b:
        only_a, only_b = sorted(keys_a - keys_b), sorted(keys_b - keys_a)
        problems.append(f"groups differ: {len(only_a)} only in reference (e.g. {only_a[:max_examples]}), "
                        f"{len(only_b)} only in other (e.g. {only_b[:max_examples]})")
        return problems
    if problems:
        return problems
    for col in ("total", "hhi", "top_share"):
        x, y = a[col].astype(float), b[col].astype(float)
        bad = ~(np.abs(x - y) <= rtol * np.maximum(np.abs(x), np.abs(y)))  # NaN counts as a difference
        if bad.any():
            idx = np.flatnonzero(bad)[:max_examples]
            examples = [(int(a["importer"][i]), int(a["product"][i]), float(x[i]), float(y[i])) for i in idx]
            msg = f"{col}: {int(bad.sum())} of {len(x)} groups differ beyond {rtol:g} relative, e.g. {examples}"
            ratio = np.median(y[bad] / np.where(x[bad] == 0, np.nan, x[bad]))
            if np.isfinite(ratio) and abs(ratio - 1.0) > 1e-6:
                msg += f" (median other/reference = {ratio:.6g}: a unit factor?)"
            problems.append(msg)
    bad = a["top_supplier"] != b["top_supplier"]
    if bad.any():
        idx = np.flatnonzero(bad)[:max_examples]
        examples = [(int(a["importer"][i]), int(a["product"][i]), int(a["top_supplier"][i]), int(b["top_supplier"][i]))
                    for i in idx]
        problems.append(f"top_supplier: {int(bad.sum())} of {len(bad)} groups differ, e.g. "
                        f"(importer, product, reference, other) {examples}")
    return problems


# ---- processes ---------------------------------------------------------------------------------------


def child(tool: str, path: str, result_out: str | None) -> None:
    """Runs in the subprocess: import (timed apart), run the workload, then save the standard result."""
    t0 = time.perf_counter()
    if tool in IMPORTS:
        try:
            __import__(IMPORTS[tool])
        except ImportError as e:
            import json

            print(json.dumps({"status": "unavailable", "message": f"import failed: {e}"}))
            sys.exit(h.EXIT_UNAVAILABLE)
    import_seconds = time.perf_counter() - t0

    def measure() -> tuple[float, dict[str, Any]]:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            result = RUNNERS[tool](path)
        except NotImplementedError as e:  # a placeholder that is not written yet
            raise h.ToolUnavailable(f"placeholder ({e})") from e
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = h.own_peak_rss_kib()
        standard = to_standard(tool, result)  # after the clock and the memory mark: only for the check
        if result_out:
            import pyarrow.parquet as pq

            pq.write_table(standard, result_out)
        info: dict[str, Any] = {"groups": standard.num_rows, "peak_rss_kib": peak, "cpu_seconds": cpu}
        if tool in ("tradedep", TABLE_TOOL):
            native = getattr(sys.modules.get("tradedep"), "_tradedep", None)
            info["debug_build"] = bool(getattr(native, "_debug_build", False))
        return seconds, info

    h.child_main(measure, import_seconds)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", type=Path, default=None,
                    help="BACI-shaped CSV (default: benches/data/ 11M rows)")
    ap.add_argument("--tools", default=None,
                    help=f"comma list from {TOOLS + [TABLE_TOOL, PYTHON_TOOL]} (default: all; '{PYTHON_TOOL}' only for files "
                         f"up to {PYTHON_TOOL_MAX_ROWS} rows)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions per tool; the median is reported")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds before a child run is killed")
    ap.add_argument("--quick", action="store_true", help="1 repetition and no report files unless --out-dir")
    ap.add_argument("--out-dir", type=Path, default=None,
                    help="where to write metrics_compare.json/.md (default benches/results/, none with --quick)")
    ap.add_argument("--child", nargs=3, metavar=("TOOL", "FILE", "RESULT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        child(args.child[0], args.child[1], args.child[2] or None)
        return 0

    path = (args.file or h.default_data_file()).resolve()
    if not path.exists():
        print(f"{path} not found: generate it with benches/run_all.sh or "
              f"`cargo run --release --example gen_baci -- --out benches/data/`", file=sys.stderr)
        return 2
    meta = h.read_meta(path)
    if args.tools is None:
        tools = list(TOOLS)
        if meta is not None and meta["rows"] <= PYTHON_TOOL_MAX_ROWS:
            tools.append(PYTHON_TOOL)
    else:
        tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in RUNNERS]
    if unknown:
        ap.error(f"unknown tools {unknown}; choose from {list(RUNNERS)}")
    reps = 1 if args.quick else max(1, args.reps)
    out_dir = args.out_dir if args.out_dir is not None else (None if args.quick else h.RESULTS_DIR)

    h.warm_page_cache(path)
    machine = h.machine_info()
    print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB, {meta['rows'] if meta else '?'} rows); "
          f"{reps} repetition(s); load average {machine['loadavg_1_5_15']}")
    results: list[h.RunResult] = []
    with tempfile.TemporaryDirectory(prefix="metrics_compare_") as tmp:
        result_files: dict[str, Path] = {}

        def argv_for(tool: str, rep: int) -> list[str]:
            # The first successful run of each tool saves its result for the agreement check.
            out = "" if tool in result_files else str(Path(tmp) / f"{tool}.parquet")
            return [sys.executable, __file__, "--child", tool, str(path), out]

        def report(tool: str, rep: int, r: h.RunResult) -> None:
            if r.status != "ok":
                print(f"  {tool}: {h.status_text(r)}", flush=True)
                return
            print(f"  {tool:9s} run {rep + 1}: {r.seconds:7.2f} s  peak {r.peak_rss_mib:7.0f} MiB  "
                  f"{r.info.get('groups')} groups", flush=True)
            result_files.setdefault(tool, Path(tmp) / f"{tool}.parquet")

        all_runs = h.run_round_robin(tools, reps, argv_for, args.timeout, report)
        results.extend(h.summarize(runs) for runs in all_runs.values())

        checks = check_agreement(result_files)
    for r in results:
        if r.tool in checks and r.status == "ok":
            checks[r.tool] += h.build_note(r)
    for tool, verdict in checks.items():
        print(f"  agreement {tool}: {verdict}")

    table = h.markdown_table(results, "tradedep", extra=lambda r: checks.get(r.tool, ""))
    print()
    print(table)
    md = (f"## metrics_compare: {path.name}\n\nworkload: per importer and product, total, supplier HHI, top "
          f"supplier and share (read included)\n\nmachine: {machine.get('cpu')}, {machine['cpus']} cores, load "
          f"average {machine['loadavg_1_5_15']} at {machine['date_utc']}\n\n{table}")
    payload = {
        "benchmark": "metrics_compare",
        "file": path.name,
        "meta": meta,
        "repetitions": reps,
        "machine": machine,
        "results": [r.__dict__ for r in results],
        "agreement": checks,
    }
    h.write_reports("metrics_compare", payload, md, out_dir)
    failed = any(v.startswith("DISAGREES") for v in checks.values()) or any(r.status == "error" for r in results)
    return 1 if failed else 0


def check_agreement(result_files: dict[str, Path]) -> dict[str, str]:
    """Compares every tool's saved result with the reference tool's; returns a verdict per tool."""
    import pyarrow.parquet as pq

    if not result_files:
        return {}
    ref_tool = "duckdb" if "duckdb" in result_files else next(iter(result_files))
    reference = pq.read_table(result_files[ref_tool])
    verdicts = {ref_tool: f"reference ({reference.num_rows} groups)"}
    for tool, f in result_files.items():
        if tool == ref_tool:
            continue
        problems = compare_results(reference, pq.read_table(f))
        verdicts[tool] = f"agrees with {ref_tool}" if not problems else "DISAGREES: " + " | ".join(problems)
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
