"""Progress bars for calls that take more than a second, without tqdm.auto's warning.

``with task("reading x.csv", total=size) as t: call(progress=t.update)`` shows a bar once the
call has run for ``DELAY`` seconds (never for quick calls). The core reports (done, total) where
it can (BACI: bytes read); elsewhere the bar shows the elapsed time, drawn from a helper thread while the
core runs with the GIL released. In Jupyter the bar is a widget when ipywidgets is installed,
otherwise a text bar: tqdm.auto would fall back with a TqdmWarning, so the choice is made here.
Off with ``td.options.progress = False`` or ``TRADEDEP_PROGRESS=0``.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from tradedep._options import options

DELAY = 1.0  # seconds before a bar appears
TICK = 0.25


def _in_jupyter() -> bool:
    # A Jupyter kernel has imported IPython before any user code runs: when it is not in
    # sys.modules this is no notebook, and importing it here (0.2 s) would be paid by every
    # first read of a script.
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    if get_ipython is None:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def bar_class() -> Any:
    """tqdm's notebook bar in Jupyter with ipywidgets, its text bar otherwise; None without tqdm."""
    try:
        from tqdm.std import tqdm
    except ImportError:
        return None
    if _in_jupyter():
        try:
            import ipywidgets  # noqa: F401

            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm
        except ImportError:
            pass
    return tqdm


class Task:
    """A call in progress; ``update(done, total)`` may be passed to the core as its callback."""

    def __init__(
        self, desc: str, total: int | None = None, unit: str = "B", file: Any = None, enabled: bool | None = None
    ) -> None:
        self.desc, self.total, self.unit, self.file = desc, total, unit, file
        self.done = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: Any = None
        self._start = 0.0
        self._on = bool(options.progress if enabled is None else enabled)
        # tqdm is imported when a bar is drawn, not by every call (0.14 s on a read's first call).
        self._cls: Any = None

    def update(self, done: int, total: int) -> None:
        self.done, self.total = int(done), int(total)

    def _open(self) -> None:
        self._cls = bar_class()
        if self._cls is None:  # no tqdm: no bar
            return
        kwargs: dict[str, Any] = dict(desc=self.desc, total=self.total, leave=False)
        if self.total is None:  # no measure of the work: the time it has taken so far
            kwargs["bar_format"] = "{desc}: {elapsed} elapsed"
        elif self.unit == "B":
            kwargs.update(unit="B", unit_scale=True)
        if self.file is not None:
            kwargs["file"] = self.file
        elif not _in_jupyter():
            kwargs["disable"] = None  # a text bar only on a terminal: logs and pipes get none
        self._bar = self._cls(**kwargs)

    def _run(self) -> None:
        if self._stop.wait(DELAY):
            return  # finished before the delay: no bar
        self._open()
        if self._bar is None:
            return
        while True:
            self._draw()
            if self._stop.wait(TICK):
                return

    def _draw(self) -> None:
        b = self._bar
        if self.total:
            b.total = self.total
        b.n = self.done
        b.refresh()

    def __enter__(self) -> "Task":
        self._start = time.monotonic()
        if self._on:
            self._thread = threading.Thread(target=self._run, name="tradedep-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            if self._bar is None and time.monotonic() - self._start >= DELAY:
                self._open()  # a long call the thread could not draw during: its final state
        if self._bar is not None:
            if exc[0] is None and self.total:
                self.done = self.total
            self._draw()
            self._bar.close()

    @property
    def callback(self) -> Any:
        """The (done, total) callback for the core, or None when progress is off."""
        return self.update if self._on else None


def task(
    desc: str, total: int | None = None, unit: str = "B", file: Any = None, enabled: bool | None = None
) -> Task:
    """A progress context for one call (see the module docstring); ``enabled=None`` follows
    ``td.options.progress``."""
    return Task(desc, total, unit, file, enabled)
