"""Ctrl-C stops a long read or metric within ~2 s with KeyboardInterrupt (issue 12 item 5, issue 9 item 11).

A subprocess reads a large generated BACI-shaped file; the test sends SIGINT once the read has
started and measures how long the process takes to end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SCRIPT = r"""
import sys, time
import tradedep as td
kind, path = sys.argv[1], sys.argv[2]
print("start", flush=True)
t0 = time.monotonic()
try:
    if kind == "baci":
        td.read_baci(path, vintage="HS2017", progress=False)
    else:
        td.read_csv(path, columns={"period": "t", "reporter": "i", "partner": "j", "product": "k",
                                   "value": "v"}, flow="export", vintage="HS2017")
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
print(f"finished {time.monotonic() - t0:.2f}", flush=True)
"""


def _big_baci(path: Path, rows: int) -> None:
    # Distinct rows (year, exporter, importer, product) in CEPII's order, written block by block.
    exporters = [4, 8, 12, 24, 32, 36, 40, 56, 76, 124, 156, 251, 276, 392, 410, 484, 528, 643, 699, 842]
    importers = exporters
    products = [f"{k}" for k in range(10_000, 10_000 + rows // (len(exporters) * len(importers)) + 1)]
    with path.open("w") as f:
        f.write("t,i,j,k,v,q\n")
        n = 0
        for i in exporters:
            for j in importers:
                if i == j:
                    continue
                f.write("".join(f"2021,{i},{j},{k},12.345,\"     1.500\"\n" for k in products))
                n += len(products)
                if n >= rows:
                    return


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big_baci.csv"
    _big_baci(path, 6_000_000)
    return path


def _into_the_call(debug_seconds: float) -> float:
    """How long to wait after "start" to be inside the call: a release build reads the test files
    in about 0.3 s (CI builds release), a debug build about ten times slower."""
    import tradedep as td

    return debug_seconds if td._tradedep._debug_build else 0.05


def _interrupt(script: str, *args: str, delay: float) -> tuple[str, str, int, float]:
    """Runs ``script`` in a subprocess, sends SIGINT ``delay`` s after it prints "start";
    returns its stdout, stderr, return code and the seconds from the signal to its end."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "start", proc.stderr.read() if proc.stderr else ""
    time.sleep(delay)  # inside the call
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return out, err, proc.returncode, time.monotonic() - sent


@pytest.mark.parametrize("kind", ["baci", "csv"])
def test_ctrl_c_stops_a_long_read(big_file: Path, kind: str) -> None:
    out, err, returncode, elapsed = _interrupt(SCRIPT, kind, str(big_file), delay=_into_the_call(0.4))
    assert "finished" not in out, f"the read ended before the signal ({out.strip()}): make the file larger"
    assert returncode == 3, (out, err)
    assert "interrupted" in out
    print(f"{kind}: stopped {elapsed:.2f} s after Ctrl-C")
    assert elapsed < 2.0, f"Ctrl-C took {elapsed:.2f} s to stop the read"


METRIC_SCRIPT = r"""
import sys, time
import numpy as np
import pyarrow as pa
import tradedep as td
n = int(sys.argv[1])
rng = np.random.default_rng(0)
codes = np.array([4, 8, 12, 24, 32, 36, 40, 56, 76, 124, 156, 251, 276, 392, 410, 484, 528, 643, 699, 842],
                 dtype=np.int32)
products = pa.array([f"{c:06d}" for c in range(100000, 105000)])
arrow = pa.table({
    "t": np.full(n, 2021, dtype=np.int32),
    "i": codes[rng.integers(0, len(codes), n)],
    "j": codes[rng.integers(0, len(codes), n)],
    "k": pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, len(products), n).astype(np.int32)), products),
    "v": rng.random(n) * 100,
})
table = td.TradeTable.from_arrow(arrow, columns={"period": "t", "reporter": "i", "partner": "j", "product": "k",
                                                 "value": "v"}, flow="export", vintage="HS2017")
print("start", flush=True)
t0 = time.monotonic()
try:
    td.concentration(table, source="mirror")
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
print(f"finished {time.monotonic() - t0:.2f}", flush=True)
"""


def test_ctrl_c_stops_a_whole_table_metric() -> None:
    # A 4-million-row table built in memory; the metric runs through the binding's run_with and
    # the core's row loops look at the flag every 65,536 rows.
    out, err, returncode, elapsed = _interrupt(METRIC_SCRIPT, "4000000", delay=_into_the_call(0.5))
    assert "finished" not in out, f"the metric ended before the signal ({out.strip()}): make the table larger"
    assert returncode == 3, (out, err[-2000:])
    assert "interrupted" in out
    print(f"concentration: stopped {elapsed:.2f} s after Ctrl-C")
    # ~2 s asked; a loaded machine (2 cores, several builds) gets some slack.
    assert elapsed < 3.0, f"Ctrl-C took {elapsed:.2f} s to stop the metric"


TRUNCATE_SCRIPT = r"""
import sys
import tradedep as td
print("start", flush=True)
try:
    td.read_baci(sys.argv[1], vintage="HS2017", progress=False)
except td.TradeDepError as e:
    print("error", type(e).__name__, e, flush=True)
    sys.exit(4)
print("READ-FINISHED", flush=True)
"""


def test_file_truncated_during_a_mapped_read_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # Without the guard the process died with SIGBUS (return code -7).
    path = tmp_path / "shrinking.csv"
    _big_baci(path, 6_000_000)
    proc = subprocess.Popen(
        [sys.executable, "-c", TRUNCATE_SCRIPT, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "TRADEDEP_NO_MMAP"},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "start"
    time.sleep(_into_the_call(0.3))
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 3)
    out, err = proc.communicate(timeout=60)
    assert "READ-FINISHED" not in out, "the read ended before the truncation: make the file larger"
    assert proc.returncode == 4, (proc.returncode, out, err[-2000:])
    assert "FileFormatError" in out and "changed while it was read" in out, out
