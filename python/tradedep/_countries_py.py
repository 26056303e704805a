"""Resolving user country arguments (codes, ISO codes, names, groups) to numeric codes."""

from __future__ import annotations

from typing import Any

from tradedep import _tradedep


def resolve_codes(x: Any) -> list[int] | None:
    """Numeric Comtrade/BACI codes for a code, name, ISO code, group name, or a list of them.

    Integers go through the same resolver as names, so an ISO numeric code such as 840 finds
    the code trade data uses for the country (842).
    """
    if x is None:
        return None
    items = [x] if isinstance(x, (str, int)) else list(x)
    out: list[int] = []
    for item in items:
        for code in _tradedep._resolve_country_codes(item):
            if code not in out:
                out.append(code)
    return out
