"""A 10-year BACI-shaped panel (about 110M rows, Parquet) through shares and concentration on one
machine in bounded memory, with the DuckDB engine (``tradedep.engines.duckdb``). Not a test.

    python benches/engines_panel.py gen --out /tmp/baci_panel               # 10 x 11M rows, hive t=YYYY/
    python benches/engines_panel.py run --data /tmp/baci_panel --memory-limit 2GB --threads 2
    python benches/engines_panel.py gen --out /tmp/p --rows 1000000 --years 2019-2021   # smaller

``gen`` writes each year with examples/gen_baci.rs (built with plain rustc; seed = year, so the
years differ) and converts it with DuckDB to ``t=YYYY/*.parquet`` (BACI's columns t, i, j, k, v,
q; q null where BACI writes NA), deleting the CSV. ``run`` measures, each in a fresh child process
(wall time and the child's peak RSS, VmHWM): every importer x product concentration over suppliers
for every year (mirror, BACI's only source) and five importers' supplier shares by year with
China+HK as one supplier; then checks the last year of both against the single-machine path
(``td.read_parquet`` of that year's files + the same metric), to 1e-9 relative and n_rows exactly.
Results go to benches/results/engines_panel.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

BACI = {"period": "t", "reporter": "i", "partner": "j", "product": "k", "value": "v", "quantity": "q"}
MAPPING = dict(flow="export", vintage="HS2017", unit="t", value_scale=1000.0, freq="A")
IMPORTERS = ["USA", "DEU", "CHN", "RUS", "EU27"]
GROUPS = {"China+HK": [156, 344]}
GEN = h.ROOT / "target" / "bench-tools" / "gen_baci"


def gen(out: Path, years: list[int], rows: int) -> None:
    import duckdb

    if not GEN.exists() or (h.ROOT / "examples" / "gen_baci.rs").stat().st_mtime > GEN.stat().st_mtime:
        GEN.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["rustc", "-O", "--edition", "2021", str(h.ROOT / "examples" / "gen_baci.rs"), "-o", str(GEN)], check=True)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for y in years:
        if (out / f"t={y}").exists():
            print(f"{y}: present", flush=True)
            continue
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            csv = Path(tmp) / f"baci_{y}.csv"
            subprocess.run([str(GEN), "--rows", str(rows), "--year", str(y), "--seed", str(y), "--out", str(csv)], check=True,
                           stdout=subprocess.DEVNULL)
            con.execute(
                f"COPY (SELECT CAST(t AS INTEGER) AS t, CAST(i AS INTEGER) AS i, CAST(j AS INTEGER) AS j, "
                f"CAST(k AS INTEGER) AS k, CAST(v AS DOUBLE) AS v, TRY_CAST(trim(q) AS DOUBLE) AS q "
                f"FROM read_csv('{csv}', header = true, all_varchar = true)) "
                f"TO '{out}' (FORMAT parquet, PARTITION_BY (t), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part{{i}}')"
            )
        print(f"{y}: {rows} rows in {time.perf_counter() - t0:.1f} s", flush=True)


def _engine_result(workload: str, data: Path, memory_limit: str, threads: int) -> Any:
    import tradedep.engines.duckdb as tdd

    common = dict(memory_limit=memory_limit, threads=threads, source="mirror", **MAPPING)
    if workload == "concentration":
        return tdd.concentration(data, BACI, by=["importer", "period", "product"], **common)
    return tdd.supplier_shares(data, IMPORTERS, BACI, by="period", groups=GROUPS, top=10, **common)


def _single_result(workload: str, data: Path, year: int) -> Any:
    import tradedep as td

    import pyarrow as pa
    import pyarrow.parquet as pq

    # The year's files as the single machine reads them (t is in the folder name, not the files).
    files = sorted((data / f"t={year}").glob("*.parquet"))
    rows = pa.concat_tables([pq.read_table(f) for f in files])
    rows = rows.append_column("t", pa.array([year] * rows.num_rows, pa.int32()))
    table = td.TradeTable.from_arrow(rows, columns=BACI, **MAPPING)
    if workload == "concentration":
        return td.concentration(table, by=["importer", "period", "product"], source="mirror")
    return td.supplier_shares(table, IMPORTERS, by="period", groups=GROUPS, top=10, source="mirror")


def child(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    import tradedep  # noqa: F401

    import_seconds = time.perf_counter() - t0

    def measure() -> tuple[float, dict[str, Any]]:
        start = time.perf_counter()
        if args.single_year:
            res = _single_result(args.workload, Path(args.data), args.single_year)
        else:
            res = _engine_result(args.workload, Path(args.data), args.memory_limit, args.threads)
        seconds = time.perf_counter() - start
        info: dict[str, Any] = {"peak_rss_kib": h.own_peak_rss_kib(), "rows_out": res.num_rows}
        info.update({k: res.method.get(k) for k in ("engine", "source_rows", "cube_rows", "chunks")})
        res.to_arrow().replace_schema_metadata(None).to_pandas().to_parquet(args.save)
        return seconds, info

    h.child_main(measure, import_seconds)


def run(args: argparse.Namespace) -> None:
    import pandas as pd

    sys.path.insert(0, str(h.ROOT / "tests" / "python"))
    from engine_panel import assert_same_result

    data = Path(args.data)
    years = sorted(int(p.name.split("=")[1]) for p in data.glob("t=*"))
    size = sum(f.stat().st_size for f in data.rglob("*.parquet"))
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for workload in ("concentration", "shares"):
            for single in (0, years[-1]):
                save = Path(tmp) / f"{workload}_{single}.parquet"
                argv = [sys.executable, __file__, "_child", workload, "--data", str(data), "--save", str(save),
                        "--memory-limit", args.memory_limit, "--threads", str(args.threads), "--single-year", str(single)]
                tool = f"{workload} " + (f"single machine, {single} only" if single else f"duckdb engine, {len(years)} years")
                r = h.run_child(argv, tool, timeout=args.timeout)
                print(f"{tool}: {h.status_text(r)} {r.seconds} s, peak {r.peak_rss_mib} MiB, {r.info}", flush=True)
                results.append(dict(tool=tool, status=r.status, seconds=r.seconds, peak_rss_mib=r.peak_rss_mib, info=r.info,
                                    message=r.message))
            eng = pd.read_parquet(Path(tmp) / f"{workload}_0.parquet")
            one = pd.read_parquet(Path(tmp) / f"{workload}_{years[-1]}.parquet")
            eng = eng[eng["period"] == years[-1]].reset_index(drop=True)
            assert_same_result(eng, one)
            results[-1]["equal"] = results[-2]["equal"] = f"equal ({years[-1]}: {len(one)} rows)"
            print(f"{workload}: engine == single machine for {years[-1]} ({len(one)} rows)", flush=True)
    payload = dict(machine=h.machine_info(), data=str(data), years=years, parquet_bytes=size,
                   memory_limit=args.memory_limit, threads=args.threads, results=results)
    lines = ["| run | s | peak RSS MiB | rows out | source rows | check |", "|---|---|---|---|---|---|"]
    for r in results:
        i = r["info"] or {}
        lines.append(f"| {r['tool']} | {r['seconds']:.1f} | {r['peak_rss_mib']:.0f} | {i.get('rows_out')} | "
                     f"{i.get('source_rows') or ''} | {r.get('equal', r['status'])} |" if r["status"] == "ok" else
                     f"| {r['tool']} | | | | | {r['status']}: {r['message']} |")
    h.write_reports("engines_panel", payload, "\n".join(lines) + "\n", h.RESULTS_DIR)
    print("\n".join(lines))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--out", required=True)
    g.add_argument("--rows", type=int, default=11_000_000, help="rows per year")
    g.add_argument("--years", default="2012-2021", help="first-last")
    r = sub.add_parser("run")
    r.add_argument("--data", required=True)
    r.add_argument("--memory-limit", default="2GB", help="DuckDB's memory_limit")
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--timeout", type=float, default=7200)
    c = sub.add_parser("_child")
    c.add_argument("workload", choices=["concentration", "shares"])
    c.add_argument("--data", required=True)
    c.add_argument("--save", required=True)
    c.add_argument("--memory-limit", default="2GB")
    c.add_argument("--threads", type=int, default=2)
    c.add_argument("--single-year", type=int, default=0)
    args = p.parse_args()
    if args.cmd == "gen":
        a, b = (int(x) for x in args.years.split("-"))
        gen(Path(args.out), list(range(a, b + 1)), args.rows)
    elif args.cmd == "run":
        run(args)
    else:
        child(args)


if __name__ == "__main__":
    main()
