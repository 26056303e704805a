#!/usr/bin/env python3
"""RCA, ECI and PCI of a whole BACI year: ``td.complexity`` against the Growth Lab's
``ecomplexity`` package (issue 10: at least 50x faster, with equal numbers).

Usage::

    pip install ecomplexity==0.5.3          # the reference; not a dependency of tradedep
    python benches/complexity_compare.py [--file FILE] [--digits 4,6] [--reps 3] [--out-dir DIR]

Both sides start from the BACI-shaped CSV and end with ECI per exporter and PCI per product of
the year (exporters' reported exports, presence at RCA >= 1, PCI scaled by ECI's mean and
standard deviation: ``ecomplexity``'s defaults, which ``td.complexity`` follows):

- ``tradedep``: ``td.complexity(td.read_baci(path), digits=d)``;
- ``ecomplexity``: ``pandas.read_csv`` of the columns t, i, k, v with their types, exports summed
  per (year, exporter, product; HS4 as ``k // 100``) by ``groupby``, then ``ecomplexity(df,
  {"time": "t", "loc": "i", "prod": "k", "val": "v"}, verbose=False)``. The package also
  computes density, COI and COG (tradedep does not); ``ecomplexity_nolsm`` is the same call with
  ``check_logsupermodularity=False``, its optional check left out;
- ``tradedep_metric`` and ``ecomplexity_metric``: the file already read before the clock starts
  (``td.read_baci``; ``pandas.read_csv`` as above), as in a notebook where the data are loaded
  once: the time is the metric from the 11M rows in memory (for ``ecomplexity``, the HS4 codes,
  the ``groupby`` into cells and the call with default arguments); compared with each other.

Each run is a fresh Python process (imports excluded from the time), tools interleaved; the parent
prints median times, the ratio of each reference's time to tradedep's, peak memory, and whether
ECI and PCI are equal (every exporter and product both compute, within 1e-6 absolute: the two
eigen-solvers differ in the last digits).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

TOOLS = ["tradedep", "ecomplexity", "ecomplexity_nolsm", "tradedep_metric", "ecomplexity_metric"]
TOLERANCE = 1e-6


def child(tool: str, path: str, digits: int, save: str) -> None:
    """One timed run; ECI and PCI written to `save` (Arrow IPC) after the timed part."""
    t_import = time.perf_counter()
    import pandas as pd

    if tool.startswith("tradedep"):
        import tradedep as td
    else:
        try:
            from ecomplexity import ecomplexity
        except ImportError as e:
            print(json.dumps({"status": "unavailable", "message": f"ecomplexity not installed ({e})"}))
            sys.exit(h.EXIT_UNAVAILABLE)
    import_seconds = time.perf_counter() - t_import

    def rows() -> "pd.DataFrame":
        return pd.read_csv(path, usecols=["t", "i", "k", "v"],
                           dtype={"t": "int32", "i": "int32", "k": "int64", "v": "float64"})

    def cells_of(df: "pd.DataFrame") -> "pd.DataFrame":
        if digits == 4:
            df = df.assign(k=df["k"] // 100)
        return df.groupby(["t", "i", "k"], as_index=False)["v"].sum()

    # The `_metric` forms read before the clock starts.
    ready = None
    if tool == "tradedep_metric":
        ready = h.tradedep_read_baci(td, path)
    elif tool == "ecomplexity_metric":
        ready = rows()

    def measure() -> tuple[float, dict]:
        t0 = time.perf_counter()
        c0 = time.process_time()
        if tool.startswith("tradedep"):
            c = td.complexity(ready if ready is not None else h.tradedep_read_baci(td, path), digits=digits)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            peak = h.own_peak_rss_kib()
            eci = c.eci.to_pandas()[["exporter_code", "eci"]].rename(columns={"exporter_code": "loc"})
            pci = c.pci.to_pandas()[["product", "pci"]].rename(columns={"product": "prod"})
            pci["prod"] = pci["prod"].astype("int64")
        else:
            cells = cells_of(ready if ready is not None else rows())
            out = ecomplexity(cells, {"time": "t", "loc": "i", "prod": "k", "val": "v"}, verbose=False,
                              check_logsupermodularity=(tool != "ecomplexity_nolsm"))
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            peak = h.own_peak_rss_kib()
            eci = out[["i", "eci"]].drop_duplicates().rename(columns={"i": "loc"})
            pci = out[["k", "pci"]].drop_duplicates().rename(columns={"k": "prod"})
        eci = eci.dropna()
        pci = pci.dropna()
        with open(save, "w") as f:
            json.dump({"eci": eci.astype({"loc": "int64"}).values.tolist(), "pci": pci.values.tolist()}, f)
        return seconds, {"peak_rss_kib": peak, "cpu_seconds": cpu, "n_eci": len(eci), "n_pci": len(pci)}

    h.child_main(measure, import_seconds)


def compare(a: str, b: str) -> str:
    """'equal' when both give ECI and PCI for the same exporters and products within TOLERANCE."""
    x, y = json.loads(Path(a).read_text()), json.loads(Path(b).read_text())
    worst = 0.0
    for key in ("eci", "pci"):
        xs = {int(k): v for k, v in x[key]}
        ys = {int(k): v for k, v in y[key]}
        if xs.keys() != ys.keys():
            return f"{key}: {len(xs.keys() ^ ys.keys())} codes on one side only"
        worst = max([worst] + [abs(xs[k] - ys[k]) for k in xs])
    return f"equal (max |diff| {worst:.1e})" if worst <= TOLERANCE else f"differ (max |diff| {worst:.1e})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=h.default_data_file())
    ap.add_argument("--digits", default="4,6")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--out-dir", type=Path, default=None)
    ap.add_argument("--child", nargs=4, metavar=("TOOL", "FILE", "DIGITS", "SAVE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        tool, path, digits, save = args.child
        child(tool, path, int(digits), save)
        return
    if not args.file.exists():
        sys.exit(f"{args.file} is missing: see BENCHMARKS.md (examples/gen_baci.rs writes it)")
    h.warm_page_cache(args.file)
    tools = args.tools.split(",")
    machine = h.machine_info()
    shown = args.file.resolve()
    shown = shown.relative_to(h.ROOT) if shown.is_relative_to(h.ROOT) else Path(shown.name)
    report: dict = {"file": str(shown), "machine": machine, "cases": {}}
    md = [f"# td.complexity against ecomplexity on {args.file.name}", "",
          f"Machine: {machine.get('cpu')}, {machine['cpus']} CPUs; load at start {machine['loadavg_1_5_15']}", ""]
    with tempfile.TemporaryDirectory() as tmp:
        for digits in [int(d) for d in args.digits.split(",")]:
            saves = {t: str(Path(tmp) / f"{t}_{digits}.json") for t in tools}

            def argv(tool: str, rep: int, digits: int = digits, saves: dict = saves) -> list[str]:
                return [sys.executable, __file__, "--child", tool, str(args.file), str(digits), saves[tool]]

            def show(tool: str, rep: int, r: h.RunResult, digits: int = digits) -> None:
                took = f"{r.seconds:.2f} s, {r.peak_rss_mib:.0f} MiB" if r.status == "ok" else h.status_text(r)
                print(f"HS{digits} {tool} rep {rep + 1}: {took}", flush=True)

            runs = h.run_round_robin(tools, args.reps, argv, args.timeout, show)
            results = [h.summarize(runs[t]) for t in tools]
            # Each reference against the tradedep run of the same form (read included or not).
            own = {t: "tradedep_metric" if t.endswith("_metric") else "tradedep" for t in tools}
            checks = {t: compare(saves[own[t]], saves[t]) if not t.startswith("tradedep")
                      and Path(saves[t]).exists() and Path(saves[own[t]]).exists() else "-" for t in tools}
            by_tool = {r.tool: r for r in results}
            ratios = {t: (by_tool[t].seconds / by_tool[own[t]].seconds
                          if by_tool[t].status == "ok" and by_tool.get(own[t]) and by_tool[own[t]].status == "ok"
                          else None) for t in tools if not t.startswith("tradedep") and own[t] in by_tool}
            md += [f"## HS{digits} (ECI per exporter, PCI per {'heading' if digits == 4 else 'subheading'})", "",
                   h.markdown_table(results, "tradedep", extra=lambda r: checks[r.tool]), ""]
            for t, x in ratios.items():
                if x:
                    md.append(f"- {own[t]} is **{x:.1f}x** faster than {t} (goal: 50x)")
            md.append("")
            report["cases"][f"hs{digits}"] = {
                "results": [r.__dict__ for r in results], "checks": checks, "speedup": ratios}
    text = "\n".join(md)
    print(text)
    h.write_reports("complexity_compare", report, text, args.out_dir)


if __name__ == "__main__":
    main()
