"""Shared fixtures: the real-data folder next to the checkout (tests skip with a clear reason if absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _find_shared_data() -> Path | None:
    candidates = [
        os.environ.get("TRADEDEP_SHARED_DATA"),
        ROOT.parent / "shared" / "data",
        ROOT.parent.parent / "shared" / "data",
    ]
    for c in candidates:
        if c and (Path(c) / "README.md").exists():
            return Path(c)
    return None


SHARED_DATA = _find_shared_data()


@pytest.fixture
def shared_data() -> Path:
    """Path of ../shared/data; skips the test when the folder is absent."""
    if SHARED_DATA is None:
        pytest.skip("shared data folder not found (set TRADEDEP_SHARED_DATA or place it at ../shared/data)")
    return SHARED_DATA
