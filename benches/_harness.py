"""Shared plumbing for the benchmark scripts: data file, child processes, peak memory, reports.

Every measured run happens in a fresh ``python`` child process so that its peak resident set size
(the child's own ``VmHWM`` high-water mark, read by the child at its end; ``ru_maxrss`` from ``wait4``
where /proc is missing) covers exactly one tool: interpreter, imports, the read, the computation and
the result. The child prints one JSON line on stdout; the parent keeps
the median over repetitions.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent
DATA_DIR = BENCHES / "data"
RESULTS_DIR = BENCHES / "results"
DEFAULT_ROWS = 11_000_000
DEFAULT_SEED = 2021

#: Exit code of a child whose tool cannot run here (not installed, function missing).
EXIT_UNAVAILABLE = 3


class ToolUnavailable(Exception):
    """The tool cannot run here (package missing, API not there yet); the parent reports it, not a crash."""


def call_with_supported(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls `fn` with only the keyword arguments its signature accepts (APIs still settling)."""
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature: pass everything
        return fn(*args, **kwargs)
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return fn(*args, **kwargs)


def tradedep_read_baci(td: Any, path: str, importers: "list[str] | None" = None) -> Any:
    """``td.read_baci`` as both scripts call it: the one place to adapt the read.

    The synthetic file's name carries no HS vintage (real ones do: ``BACI_HS17_Y2021_V202401.csv``),
    so the vintage of its product codes is passed; no progress bar while timing.
    """
    if not hasattr(td, "read_baci"):
        raise ToolUnavailable("tradedep has no read_baci yet")
    try:
        if importers:
            return td.read_baci(path, vintage="HS2017", progress=False, importers=importers)
        return call_with_supported(td.read_baci, path, vintage="HS2017", progress=False)
    except NotImplementedError as e:  # a placeholder that is not written yet
        raise ToolUnavailable(f"read_baci is a placeholder ({e})") from e


def default_data_file(rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED, year: int = 2021) -> Path:
    """Where ``examples/gen_baci.rs`` writes a file of `rows` rows with `--out benches/data/`."""
    return DATA_DIR / f"BACI_synthetic_Y{year}_{rows}rows_seed{seed}.csv"


def read_meta(path: Path) -> dict[str, Any] | None:
    """The generator's ``<file>.meta.json`` (row count, exact value sum, NA count), if present."""
    meta = Path(str(path) + ".meta.json")
    if not meta.exists():
        return None
    with open(meta) as f:
        return json.load(f)


def warm_page_cache(path: Path) -> None:
    """Reads the file once so every tool starts from the same warm OS cache."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


@dataclass
class RunResult:
    """One child run: status 'ok', 'unavailable' or 'error'; times in seconds; RSS in MiB."""

    tool: str
    status: str
    seconds: float | None = None
    import_seconds: float | None = None
    peak_rss_mib: float | None = None
    rss_after_import_mib: float | None = None
    info: dict[str, Any] = field(default_factory=dict)
    message: str = ""


def run_child(argv: list[str], tool: str, timeout: float) -> RunResult:
    """Runs `argv` (a python child), returns its JSON line plus its own peak RSS from ``wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = dict(os.environ)
        env.setdefault("PYTHONWARNINGS", "ignore::RuntimeWarning")  # tradedep debug-build warning
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        deadline = time.monotonic() + timeout
        status, rusage = 0, None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                _, status, rusage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return RunResult(tool, "error", message=f"timed out after {timeout:.0f} s")
            time.sleep(0.02)
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # tell Popen the child is reaped
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    payload: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    # The child's own VmHWM; wait4's ru_maxrss (KiB on Linux) only where /proc is missing.
    peak_kib = payload.get("peak_rss_kib") or (rusage.ru_maxrss if rusage is not None else None)
    peak_mib = peak_kib / 1024.0 if peak_kib else None
    if code == EXIT_UNAVAILABLE:
        return RunResult(tool, "unavailable", message=payload.get("message") or stderr.strip()[-300:])
    if code != 0 or not payload:
        tail = stderr.strip().splitlines()[-5:]
        return RunResult(tool, "error", message=f"exit {code}: " + " | ".join(tail))
    return RunResult(
        tool,
        "ok",
        seconds=payload["seconds"],
        import_seconds=payload.get("import_seconds"),
        peak_rss_mib=peak_mib,
        rss_after_import_mib=(payload.get("rss_after_import_kib") or 0) / 1024.0 or None,
        info=payload.get("info", {}),
    )


def own_peak_rss_kib() -> int | None:
    """This process's peak RSS since exec (``VmHWM``), in KiB; None where /proc is missing.

    Preferred over ``ru_maxrss`` from ``wait4``: Linux carries the parent's high-water mark into a child
    across fork/vfork + exec, so a parent that imported polars would inflate every child's number.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def child_main(measure: Callable[[], tuple[float, dict[str, Any]]], import_seconds: float) -> None:
    """Child side: run `measure` (returns seconds and info), print one JSON line, map ToolUnavailable.

    `measure` should put ``own_peak_rss_kib()`` into ``info["peak_rss_kib"]`` right after its timed
    work, so that converting or checking the result afterwards does not count as the tool's memory.
    """
    rss_after_import = own_peak_rss_kib()
    try:
        seconds, info = measure()
    except ToolUnavailable as e:
        print(json.dumps({"status": "unavailable", "message": str(e)}), flush=True)
        sys.exit(EXIT_UNAVAILABLE)
    print(
        json.dumps(
            {
                "status": "ok",
                "seconds": seconds,
                "import_seconds": import_seconds,
                "rss_after_import_kib": rss_after_import,
                # Taken by `measure` right after the timed work when it can (before any checking).
                "peak_rss_kib": info.pop("peak_rss_kib", None) or own_peak_rss_kib(),
                "info": info,
            }
        ),
        flush=True,
    )


def run_round_robin(
    tools: list[str],
    reps: int,
    argv_for: Callable[[str, int], list[str]],
    timeout: float,
    report: Callable[[str, int, RunResult], None],
) -> dict[str, list[RunResult]]:
    """Repetition 1 of every tool, then repetition 2 of every tool, ...: when other jobs load the
    machine unevenly, every tool sees the same mix of quiet and busy moments. A tool that is not
    available or fails is not run again."""
    runs: dict[str, list[RunResult]] = {t: [] for t in tools}
    for rep in range(reps):
        for tool in tools:
            if runs[tool] and runs[tool][-1].status != "ok":
                continue
            r = run_child(argv_for(tool, rep), tool, timeout)
            runs[tool].append(r)
            report(tool, rep, r)
    return runs


def summarize(runs: list[RunResult]) -> RunResult:
    """Median time and median peak RSS over the successful runs of one tool (first failure otherwise)."""
    ok = [r for r in runs if r.status == "ok"]
    if not ok:
        return runs[0]
    return RunResult(
        ok[0].tool,
        "ok",
        seconds=statistics.median(r.seconds for r in ok if r.seconds is not None),
        import_seconds=statistics.median(r.import_seconds or 0.0 for r in ok),
        peak_rss_mib=statistics.median(r.peak_rss_mib or 0.0 for r in ok),
        rss_after_import_mib=statistics.median(r.rss_after_import_mib or 0.0 for r in ok),
        info={
            **ok[0].info,
            "all_seconds": [round(r.seconds or 0.0, 3) for r in ok],
            "cpu_seconds": statistics.median(r.info.get("cpu_seconds") or 0.0 for r in ok),
        },
    )


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on, including the load from other users at the time."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem_total_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    # Versions from package metadata: importing the tools here would bloat this parent process.
    for mod in ("polars", "pyarrow", "duckdb", "pandas", "numpy", "tradedep"):
        try:
            info[f"{mod}_version"] = version(mod)
        except PackageNotFoundError:
            info[f"{mod}_version"] = None
    return info


def build_note(r: RunResult) -> str:
    """A warning to print next to a tool whose numbers come from a debug build."""
    return " (DEBUG BUILD: about 10x slower than release)" if r.info.get("debug_build") else ""


def status_text(r: RunResult) -> str:
    """'not available (why)' for a tool that cannot run here, 'error: ...' for a failure."""
    return f"not available ({r.message})" if r.status == "unavailable" else f"{r.status}: {r.message}"


def markdown_table(results: list[RunResult], reference: str, extra: Callable[[RunResult], str] | None = None) -> str:
    """Rows: tool, median and min wall seconds, every run, median CPU seconds of the timed work (all
    threads; steadier than wall time when other jobs share the cores), ratio to `reference` (tool time
    / reference time), peak RSS and RSS after imports."""
    ref = next((r for r in results if r.tool == reference and r.status == "ok"), None)
    head = ("| tool | median time (s) | min (s) | runs (s) | CPU (s) | x vs " + reference
            + " (median) | peak RSS (MiB) | RSS after import (MiB) |")
    if extra:
        head += " check |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        if r.status != "ok":
            cells = [r.tool, "-", "-", "-", "-", "-", "-", "-"]
            if extra:
                cells.append(status_text(r))
            else:
                cells[3] = status_text(r)
        else:
            ratio = f"{r.seconds / ref.seconds:.2f}" if ref and ref.seconds and r.seconds else "pending"
            cells = [
                r.tool,
                f"{r.seconds:.2f}",
                f"{min(r.info.get('all_seconds') or [r.seconds]):.2f}",
                ", ".join(f"{s:.2f}" for s in r.info.get("all_seconds", [])),
                f"{r.info.get('cpu_seconds') or 0.0:.2f}",
                ratio,
                f"{r.peak_rss_mib:.0f}",
                f"{r.rss_after_import_mib:.0f}",
            ]
            if extra:
                cells.append(extra(r))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_reports(name: str, payload: dict[str, Any], markdown: str, out_dir: Path | None) -> None:
    """Writes `<name>.json` and `<name>.md` into `out_dir` (skipped when None)."""
    if out_dir is None:
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    (out_dir / f"{name}.md").write_text(markdown + "\n")
    print(f"wrote {out_dir / (name + '.json')} and {out_dir / (name + '.md')}")
