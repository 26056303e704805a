#!/usr/bin/env python3
"""Every public metric, in the call forms README.md shows, against DuckDB and polars, read included.

One bench row = one case (a metric call: source, by, importer, groups, products) on one file layout
(``make_layouts.py``: CEPII's own or re-saved, rows in CEPII's order or shuffled). Every tool runs
each repetition in a fresh process (peak RSS per tool, see ``_harness.py``); tradedep's timed work is
``td.read_baci(path)`` + the metric, as users write it (``importer_product_concentration`` is given
the path: it streams). DuckDB runs one SQL query over ``read_csv``, polars one lazy query over
``scan_csv``. After the clock stops each tool's result is brought to the case's standard columns
(integer country codes: BACI's ``i`` exporter = supplier, ``j`` importer; products as integers,
HS4 headings as ``k // 100``; ``-1`` for the supplier group China+HK; values in USD) and the parent
checks that all three agree: same set of keys, every value within 1e-9 relative (nulls in the same
places). A row says ``equal`` or ``DIFFERENT`` (with examples); a DIFFERENT row makes the exit
status 1.

Usage::

    python3 benches/every_path.py BASE_FILE                        # every case x layout, 3 reps
    python3 benches/every_path.py BASE_FILE --cases shares_rus_chpl_year_auto --layouts resaved_sorted
    python3 benches/every_path.py BASE_FILE --quick               # 1 rep, no report files (tests)
    python3 benches/every_path.py --list                          # the cases

The CHPL cases carry the HS2022 CHPL over to the HS2017 file through the UNSD correlation tables
(``td.load_concordances``, folder from ``--concordances`` or ``../shared/data/hs_concordance``).
The competitors get the same product weights as a small CSV written by the parent: the weights are
an input here (what the list means in HS2017), the aggregation is what is compared.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
from every_path_cases import (  # noqa: E402
    CASE_BY_NAME, CASES, Case, default_concordances, polars_base, write_after_year,
)
from make_layouts import LAYOUTS, make_layouts  # noqa: E402

TOOLS = ["tradedep", "duckdb", "polars"]
RTOL = 1e-9

# ---- child: one tool, one case, one file -------------------------------------------------------------------


def run_tool(tool: str, c: Case, path: str, ctx: dict[str, Any]) -> Any:
    """The timed work of one tool; returns its raw result."""
    if tool == "tradedep":
        import tradedep as td

        return c.tradedep(td, path, ctx)
    if tool == "duckdb":
        import duckdb

        sql = c.sql.format(path=path.replace("'", "''"), weights=str(ctx.get("weights", "")).replace("'", "''"),
                           after=str(ctx.get("after_year", "")).replace("'", "''"))
        rel = duckdb.connect().sql(sql)
        out = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
        return c.finish(out) if c.finish else out
    if tool == "polars":
        import polars as pl

        out = c.polars(pl, polars_base(pl, path), ctx)
        out = out.collect() if hasattr(out, "collect") else out
        return c.finish(out.to_arrow()) if c.finish else out
    raise ValueError(tool)


def to_standard(tool: str, c: Case, result: Any) -> Any:
    """The standard columns (keys, then values) as a pyarrow table, after the clock."""
    import pyarrow as pa

    if tool == "tradedep":
        t = c.standard(result.to_arrow() if hasattr(result, "to_arrow") else result)
    elif hasattr(result, "to_arrow"):  # a polars frame
        t = result.to_arrow()
    else:
        t = result
    ints = [k for k in c.keys + c.exact if pa.types.is_integer(t[k].type)]
    cols = c.keys + c.exact + c.values
    return pa.table({k: t[k].cast(pa.int64()) if k in ints else t[k] if k in c.keys + c.exact
                     else t[k].cast(pa.float64()) for k in cols})


def child(tool: str, case_name: str, path: str, ctx_json: str, result_out: str) -> None:
    c = CASE_BY_NAME[case_name]
    ctx = json.loads(ctx_json)
    t0 = time.perf_counter()
    try:
        __import__(tool)
        if tool == "tradedep":
            import tradedep as td

            if c.chpl:  # the concordances, loaded once per session as users do: not timed
                td.load_concordances(ctx["concordances"])
    except ImportError as e:
        print(json.dumps({"status": "unavailable", "message": f"import failed: {e}"}))
        sys.exit(h.EXIT_UNAVAILABLE)
    import_seconds = time.perf_counter() - t0

    def measure() -> tuple[float, dict[str, Any]]:
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_tool(tool, c, path, ctx)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = h.own_peak_rss_kib()
        import pyarrow.parquet as pq

        standard = to_standard(tool, c, result)
        pq.write_table(standard, result_out)
        info: dict[str, Any] = {"rows": standard.num_rows, "peak_rss_kib": peak, "cpu_seconds": cpu}
        if tool == "tradedep":
            native = getattr(sys.modules.get("tradedep"), "_tradedep", None)
            info["debug_build"] = bool(getattr(native, "_debug_build", False))
        return seconds, info

    h.child_main(measure, import_seconds)


# ---- comparison ------------------------------------------------------------------------------------------


def compare_tables(c: Case, ref: Any, other: Any, rtol: float = RTOL, max_examples: int = 3,
                   unlabelled: Sequence[int] = ()) -> list[str]:
    """Differences between two standard tables: keys missing on either side, duplicate keys, exact
    columns unequal, values beyond `rtol` relative or null on one side only."""
    import pandas as pd

    a, b = ref.to_pandas(), other.to_pandas()
    problems: list[str] = []
    if "importer" in c.keys and b["importer"].isna().any():
        # rows tradedep labels "" (no ISO3, no code column): compared by count, reported apart
        codes = sorted(set(a["importer"]) & set(unlabelled))
        n_b, n_a = int(b["importer"].isna().sum()), int(a["importer"].isin(codes).sum())
        problems.append(f"UNLABELLED: {n_b} rows with importer '' (reference: {n_a} rows of BACI codes {codes}, "
                        "which have no ISO3 name); not matched by key" + ("" if n_a == n_b else ": COUNTS DIFFER"))
        a, b = a[~a["importer"].isin(codes)], b[~b["importer"].isna()]
    for name, t in (("reference", a), ("other", b)):
        dup = int(t.duplicated(c.keys).sum())
        if dup:
            problems.append(f"{dup} duplicate keys in {name}")
    m = pd.merge(a, b, on=c.keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    for side, label in (("left_only", "only in reference"), ("right_only", "only in other")):
        rows = m[m["_merge"] == side]
        if len(rows):
            problems.append(f"{len(rows)} keys {label}, e.g. {rows[c.keys].head(max_examples).to_dict('records')}")
    both = m[m["_merge"] == "both"]
    for col in c.exact:
        bad = both[both[f"{col}_a"] != both[f"{col}_b"]]
        if len(bad):
            problems.append(f"{col}: {len(bad)} differ, e.g. "
                            f"{bad[c.keys + [col + '_a', col + '_b']].head(max_examples).to_dict('records')}")
    for col in c.values:
        x, y = both[f"{col}_a"].astype(float), both[f"{col}_b"].astype(float)
        null_mismatch = x.isna() != y.isna()
        scale = pd.concat([x.abs(), y.abs()], axis=1).max(axis=1)
        far = ((x - y).abs() > rtol * scale + c.atol) & ~x.isna() & ~y.isna()
        bad = both[null_mismatch | far]
        if len(bad):
            problems.append(f"{col}: {len(bad)} differ, e.g. "
                            f"{bad[c.keys + [col + '_a', col + '_b']].head(max_examples).to_dict('records')}")
    return problems


# ---- parent ----------------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """An argument as the report keeps it: paths relative to the repository (no machine path)."""
    if isinstance(value, Path) and value.is_absolute():
        return os.path.relpath(value, h.ROOT)
    return str(value)


def write_weights(out_dir: Path, concordances: Path, which: str) -> Path:
    """The list's HS2017 product weights as the reader of tradedep uses them (k INTEGER, w DOUBLE)."""
    import tradedep as td

    td.load_concordances(str(concordances))
    lst = td.lists.chpl() if which == "all" else td.lists.chpl().tier(which)
    weights = lst._product_weights("HS2017")
    path = out_dir / f"chpl_{which}_weights_hs2017.csv"
    with open(path, "w") as f:
        f.write("k,w\n")
        for code, w in sorted(dict(weights).items()):
            f.write(f"{int(code)},{float(w)!r}\n")
    return path


@functools.lru_cache(maxsize=1)
def unlabelled_codes() -> tuple[int, ...]:
    """BACI country codes that tradedep labels "" (no ISO3 name) in its importer column."""
    try:
        import tradedep as td
    except ImportError:  # then tradedep did not run and no result has such rows
        return ()

    out = []
    for code in range(1, 1000):
        try:
            if not td.country(code).iso3:
                out.append(code)
        except td.TradeDepError:
            pass
    return tuple(out)


@dataclass
class Row:
    case: str
    layout: str
    results: dict[str, h.RunResult]
    check: str
    problems: list[str]


def ratio_cells(row: Row, target: float) -> tuple[str, str]:
    """'x vs faster competitor' (competitor time / tradedep time) and whether the goal is met."""
    td_r = row.results.get("tradedep")
    comp = [r for t, r in row.results.items() if t != "tradedep" and r.status == "ok" and r.seconds]
    if not td_r or td_r.status != "ok" or not comp:
        return "-", "-"
    fastest = min(comp, key=lambda r: r.seconds or 0.0)
    x = (fastest.seconds or 0.0) / (td_r.seconds or 1e-9)
    return f"{x:.2f}x vs {fastest.tool}", ("yes" if x >= target else "no")


def markdown(rows: list[Row], machine: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"every_path.py: {machine['date_utc']}, load average at start {machine['loadavg_1_5_15']}, "
        f"at end {machine.get('loadavg_end')}, {args.reps} reps, file {args.file.name}",
        "",
        "| case | layout | rows | tradedep s | DuckDB s | polars s | x vs faster | goal | peak MiB td / DuckDB / polars | "
        "mem <= DuckDB/2 | check |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        c = CASE_BY_NAME[row.case]
        r = row.results

        def secs(tool: str) -> str:
            x = r.get(tool)
            if x is None or x.status != "ok":
                return x.status if x else "-"
            return f"{x.seconds:.2f}" + h.build_note(x)

        def mib(tool: str) -> str:
            x = r.get(tool)
            return f"{x.peak_rss_mib:.0f}" if x and x.status == "ok" and x.peak_rss_mib else "-"

        ref = r.get("duckdb") if r.get("duckdb") and r["duckdb"].status == "ok" else None
        n_rows = f"{ref.info.get('rows'):,}" if ref and ref.info.get("rows") is not None else "-"
        ratio, goal = ratio_cells(row, c.target)
        d, t = r.get("duckdb"), r.get("tradedep")
        mem_ok = ("yes" if t.peak_rss_mib <= d.peak_rss_mib / 2 else "no") if (
            d and t and d.status == t.status == "ok" and d.peak_rss_mib and t.peak_rss_mib) else "-"
        lines.append(
            f"| {c.name} | {row.layout} | {n_rows} | {secs('tradedep')} | {secs('duckdb')} | {secs('polars')} | {ratio} | "
            f">={c.target:g}x: {goal} | {mib('tradedep')} / {mib('duckdb')} / {mib('polars')} | {mem_ok} | "
            f"{row.check} |"
        )
    lines.append("")
    lines.append("Calls (tradedep side; `trade = td.read_baci(path)` inside the timed work):")
    lines.append("")
    for name in dict.fromkeys(r.case for r in rows):
        lines.append(f"- `{name}`: `{CASE_BY_NAME[name].call}`")
    problems = [(r.case, r.layout, p) for r in rows for p in r.problems]
    if problems:
        lines += ["", "Differences and notes († = equal on every key, see the UNLABELLED note):", ""]
        lines += [f"- {c} / {lay}: {p}" for c, lay, p in problems]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", type=Path, default=None, help="base file from gen_baci (CEPII layout)")
    ap.add_argument("--cases", default=None, help="comma-separated case names (default: all; --list)")
    ap.add_argument("--layouts", default=None, help=f"comma-separated, of {','.join(LAYOUTS)} (default: all)")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--quick", action="store_true", help="1 repetition, no report files unless --out-dir")
    ap.add_argument("--out-dir", type=Path, default=None)
    ap.add_argument("--concordances", type=Path, default=None,
                    help="folder of UNSD HS correlation tables (default: shared data's hs_concordance)")
    ap.add_argument("--list", action="store_true", help="print the cases and exit")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.list:
        for c in CASES:
            print(f"{c.name}: {c.call}")
        return 0
    if args.file is None:
        args.file = h.default_data_file()
    if not args.file.exists():
        ap.error(f"{args.file} not found: generate it first (benches/run_all.sh does)")
    if args.concordances is None:
        args.concordances = default_concordances()
    if args.quick:
        args.reps = 1
    elif args.out_dir is None:
        args.out_dir = h.RESULTS_DIR
    cases = [CASE_BY_NAME[n] for n in args.cases.split(",")] if args.cases else CASES
    layouts = args.layouts.split(",") if args.layouts else LAYOUTS
    tools = args.tools.split(",")
    paths = make_layouts(args.file, layouts)
    machine = h.machine_info()
    print(f"every_path: {len(cases)} cases x {len(layouts)} layouts x {tools}, {args.reps} reps; "
          f"load {machine['loadavg_1_5_15']}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="every_path_"))
    ctx: dict[str, Any] = {"concordances": str(args.concordances)}
    try:
        for which in sorted({c.chpl for c in cases if c.chpl}):
            ctx[f"weights_{which}"] = str(write_weights(work, args.concordances, which))
    except ImportError as e:  # the list's HS2017 weights come from tradedep: without it, no CHPL case
        print(f"CHPL cases left out: tradedep cannot be imported ({e})", flush=True)
        cases = [c for c in cases if not c.chpl]
    if any(c.after_year for c in cases):  # the before/after metrics' second year, derived once
        ctx["after_year"] = str(write_after_year(args.file, work))
    rows: list[Row] = []
    status = 0
    for layout in layouts:
        path = paths[layout]
        h.warm_page_cache(path)
        for c in cases:
            cctx = dict(ctx)
            if c.chpl:
                cctx["weights"] = ctx[f"weights_{c.chpl}"]
            outs = {t: work / f"{c.name}.{layout}.{t}.parquet" for t in tools}

            def argv_for(tool: str, rep: int, c: Case = c, path: Path = path, cctx: dict = cctx,
                         outs: dict = outs) -> list[str]:
                return [sys.executable, __file__, "--child", tool, c.name, str(path), json.dumps(cctx),
                        str(outs[tool])]

            def report(tool: str, rep: int, r: h.RunResult, c: Case = c, layout: str = layout) -> None:
                what = f"{r.seconds:.2f} s, {r.peak_rss_mib:.0f} MiB" if r.status == "ok" else h.status_text(r)
                print(f"  {c.name} [{layout}] {tool} rep {rep + 1}: {what}{h.build_note(r)}", flush=True)

            runs = h.run_round_robin(tools, args.reps, argv_for, args.timeout, report)
            results = {t: h.summarize(rs) for t, rs in runs.items()}
            import pyarrow.parquet as pq

            ok = [t for t in tools if results[t].status == "ok"]
            problems: list[str] = []
            notes: list[str] = []
            if "duckdb" in ok:
                ref_tool = "duckdb"
            else:
                ref_tool = ok[0] if ok else None
            if ref_tool:
                ref = pq.read_table(outs[ref_tool])
                for t in ok:
                    if t != ref_tool:
                        found = compare_tables(c, ref, pq.read_table(outs[t]), unlabelled=unlabelled_codes())
                        notes += [f"{t} vs {ref_tool}: {p}" for p in found if p.startswith("UNLABELLED")]
                        problems += [f"{t} vs {ref_tool}: {p}" for p in found if not p.startswith("UNLABELLED")
                                     or "COUNTS DIFFER" in p]
            # DIFFERENT: results disagree (a correctness finding); error: a tool failed to run
            failed = [t for t in tools if results[t].status == "error"]
            check = "DIFFERENT" if problems else (("equal" + ("†" if notes else "")) if len(ok) == len(tools) else
                                                  "error: " + ", ".join(failed) if failed else "incomplete")
            problems += [f"{t} failed: {results[t].message}" for t in failed]
            if problems:
                status = 1
                for p in problems:
                    print(f"  !! {c.name} [{layout}] {p}", flush=True)
            for p in notes:
                print(f"  note: {c.name} [{layout}] {p}", flush=True)
            rows.append(Row(c.name, layout, results, check, problems + notes))
            print(f"{c.name} [{layout}]: {check}; {ratio_cells(rows[-1], c.target)[0]}", flush=True)
            write(rows, machine, args, quiet=True)  # a report so far after every row (long runs)
    write(rows, machine, args, quiet=False)
    return status


def write(rows: list[Row], machine: dict[str, Any], args: argparse.Namespace, quiet: bool) -> None:
    machine["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    md = markdown(rows, machine, args)
    if not quiet:
        print(md)
    payload = {
        "machine": machine,
        "args": {k: _shown(v) for k, v in vars(args).items()},
        "rows": [
            {"case": r.case, "layout": r.layout, "check": r.check, "problems": r.problems,
             "results": {t: {"status": x.status, "seconds": x.seconds, "peak_rss_mib": x.peak_rss_mib,
                             "all_seconds": x.info.get("all_seconds"), "cpu_seconds": x.info.get("cpu_seconds"),
                             "message": x.message} for t, x in r.results.items()}}
            for r in rows
        ],
    }
    if quiet and args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        (args.out_dir / "every_path.partial.md").write_text(md + "\n")
        (args.out_dir / "every_path.partial.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    elif not quiet:
        h.write_reports("every_path", payload, md, args.out_dir)
        if args.out_dir is not None:  # the complete report replaces the one so far
            for ext in ("md", "json"):
                (args.out_dir / f"every_path.partial.{ext}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
