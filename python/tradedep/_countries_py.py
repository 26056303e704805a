"""Resolving user country arguments (codes, ISO codes, names, groups) to numeric codes."""

from __future__ import annotations

from typing import Any


def resolve_codes(x: Any) -> list[int] | None:
    """Numeric Comtrade/BACI codes for a code, name, ISO code, group name, or a list of them."""
    if x is None:
        return None
    items = [x] if isinstance(x, (str, int)) else list(x)
    out: list[int] = []
    for item in items:
        if isinstance(item, int):
            out.append(item)
        else:
            from tradedep import _tradedep

            resolver = getattr(_tradedep, "_resolve_country_codes", None)
            if resolver is None:
                raise NotImplementedError("country names need the countries module")
            out.extend(resolver(item))
    return out
