"""The Jupyter check of the progress bars imports nothing: IPython is looked up in sys.modules."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from tradedep import _progress


def test_no_ipython_import_outside_a_notebook() -> None:
    code = "import sys, tradedep._progress as p; assert not p._in_jupyter(); print('IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_kernel_shell_in_sys_modules_is_jupyter(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("IPython")
    kernel_shell = types.SimpleNamespace(kernel=object())
    fake.get_ipython = lambda: kernel_shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert _progress._in_jupyter()
    fake.get_ipython = lambda: None  # type: ignore[attr-defined]  # plain IPython terminal: no shell
    assert not _progress._in_jupyter()
    fake.get_ipython = lambda: types.SimpleNamespace()  # type: ignore[attr-defined]  # terminal IPython
    assert not _progress._in_jupyter()


def test_a_quick_call_imports_no_tqdm() -> None:
    """tqdm (0.14 s to import) is loaded when a bar is drawn, not by every read's first call."""
    code = (
        "import sys, tradedep._progress as p\n"
        "with p.task('quick', enabled=True) as t:\n"
        "    assert t.callback is not None\n"
        "print('tqdm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_long_call_still_draws_its_bar() -> None:
    import io
    import time

    buf = io.StringIO()
    delay = _progress.DELAY
    _progress.DELAY = 0.05
    try:
        with _progress.task("slow", total=10, file=buf, enabled=True) as t:
            t.update(5, 10)
            time.sleep(0.3)
    finally:
        _progress.DELAY = delay
    assert "slow" in buf.getvalue()
