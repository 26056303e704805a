"""_stats_readers: see the module docstrings of its functions."""

from __future__ import annotations

__all__: list[str] = []
