"""Checking and converting the arguments of the metrics, in one place.

Every public metric passes its user arguments through these helpers before they reach the
binding, so that a mistake raises :class:`~tradedep.InvalidArgumentError` naming the argument,
the value and what is allowed -- never a raw ``TypeError`` or ``OverflowError`` from the
conversion, and never a string iterated character by character.
"""

from __future__ import annotations

import numbers
import operator
from typing import Any, Iterable, Mapping

from tradedep._tradedep import InvalidArgumentError, InvalidProductError

# Largest numeric country code the tables hold (UInt16).
MAX_COUNTRY_CODE = 65535


def whole(name: str, value: Any, *, minimum: int = 0, none: bool = False) -> int | None:
    """An integer argument (an integral float such as ``3.0`` is taken) that is >= ``minimum``.

        >>> whole("top", 3.0)
        3
    """
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        allowed = f"a whole number >= {minimum}" + (" or None" if none else "")
        raise InvalidArgumentError(f"invalid argument: {name}={value!r} ({type(value).__name__}). Pass {allowed}")
    if isinstance(value, numbers.Integral):
        n = operator.index(value)
    elif float(value).is_integer():
        n = int(float(value))
    else:
        raise InvalidArgumentError(f"invalid argument: {name}={value!r} is not a whole number. Pass a whole number >= {minimum}")
    if n < minimum:
        raise InvalidArgumentError(f"invalid argument: {name}={value!r} is below {minimum}. Pass a whole number >= {minimum}")
    return n


def count(name: str, value: Any, *, minimum: int = 1) -> int:
    """A required whole number >= ``minimum`` (``crn``, ``persistence`` ...), as :func:`whole`."""
    n = whole(name, value, minimum=minimum)
    assert n is not None
    return n


def number(name: str, value: Any, *, positive: bool = False) -> float:
    """A real-number argument (``cif_fob``, thresholds)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(f"invalid argument: {name}={value!r} ({type(value).__name__}). Pass a number")
    x = float(value)
    if positive and not x > 0:
        raise InvalidArgumentError(f"invalid argument: {name}={value!r}. Pass a number > 0")
    return x


def country_code(name: str, value: Any) -> int:
    """A numeric country code: a whole number from 0 to 65535 (``643.0`` is taken as 643)."""
    n = count(name, value, minimum=0)
    if n > MAX_COUNTRY_CODE:
        raise InvalidArgumentError(
            f"invalid argument: {name}={value!r} is not a country code (codes run from 0 to {MAX_COUNTRY_CODE}). "
            "Pass a Comtrade/BACI numeric code (643), an ISO3 code ('RUS') or a name"
        )
    return n


def country(name: str, value: Any) -> Any:
    """One country argument: a code (int or integral float) stays a code, text stays text."""
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Real):
        return country_code(name, value)
    raise InvalidArgumentError(
        f"invalid argument: {name}={value!r} ({type(value).__name__}). Pass a country code, an ISO3 code, a name or a group"
    )


def countries(name: str, value: Any) -> list[Any]:
    """One country, a comma-separated string of them (``"CHN,HKG"``, as the command line's
    ``--group`` takes), or an iterable of them -> a list, each item checked by :func:`country`."""
    if isinstance(value, str):
        items: list[Any] = [x.strip() for x in value.split(",") if x.strip()]
    elif isinstance(value, numbers.Real):
        items = [value]
    elif isinstance(value, Iterable) and not isinstance(value, Mapping):
        items = list(value)
    else:
        raise InvalidArgumentError(
            f"invalid argument: {name}={value!r} ({type(value).__name__}). Pass a country, a list of countries or \"CHN,HKG\""
        )
    if not items:
        raise InvalidArgumentError(f"invalid argument: {name}={value!r} names no country")
    return [country(name, x) for x in items]


def groups(value: Any) -> dict[str, list[Any]]:
    """Supplier groups: ``{label: countries}`` with countries as :func:`countries` takes them."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(
            f"invalid argument: groups={value!r} ({type(value).__name__}). "
            "Pass a dict {label: countries}, e.g. {\"China+HK\": [\"CHN\", \"HKG\"]} or {\"China+HK\": \"CHN,HKG\"}"
        )
    return {str(k): countries(f"groups[{k!r}]", v) for k, v in value.items()}


def product_code(value: Any) -> str:
    """One product code or prefix as text. Integers are refused: ``10620`` may be HS 010620 whose
    leading zero was lost; the message says which string to pass."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidProductError(f"invalid product code {value!r}: pass product codes as text, e.g. \"850760\"")
    digits = str(int(float(value))) if float(value).is_integer() else str(value)
    padded = "0" + digits if len(digits) % 2 else digits
    raise InvalidProductError(
        f"invalid product code {value!r} ({type(value).__name__}): product codes are text, since a number loses "
        f"the leading zero of chapters 01-09. Pass the string \"{padded}\""
        + (f" (or \"{digits}\")" if padded != digits and len(digits) % 2 == 0 else "")
    )


def product_codes(value: Any) -> list[str]:
    """Codes or prefixes: one string (commas split it, as on the command line) or an iterable."""
    if isinstance(value, str):
        codes = [x.strip() for x in value.split(",") if x.strip()]
    elif isinstance(value, Iterable):
        codes = [product_code(x) for x in value]
    else:
        codes = [product_code(value)]
    if not codes:
        raise InvalidProductError(f"invalid argument: products={value!r} names no product code")
    return codes


def by(value: Any) -> list[str]:
    """Breakdown keys: a string or a sequence of strings."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, Iterable) else None
    if items is None or not all(isinstance(x, str) for x in items):
        raise InvalidArgumentError(
            f"invalid argument: by={value!r}. Pass \"period\", \"year\", \"quarter\", \"product\" or a list of them"
        )
    return items


def trade_table(value: Any, function: str) -> Any:
    """The table argument must be a :class:`~tradedep.TradeTable`; a DataFrame or Arrow table gets
    an error that says how to wrap it."""
    from tradedep._table import TradeTable

    if isinstance(value, TradeTable):
        return value
    kind = type(value).__module__.split(".")[0] + "." + type(value).__name__
    if hasattr(value, "__arrow_c_stream__") or hasattr(value, "__dataframe__") or hasattr(value, "to_arrow"):
        raise InvalidArgumentError(
            f"invalid argument: {function} takes a td.TradeTable, got a {kind}. Wrap it first: "
            "td.TradeTable.from_arrow(df, columns={\"period\": ..., \"reporter\": ..., \"partner\": ..., "
            "\"product\": ..., \"value\": ...}, flow=..., vintage=...), or read the file with td.read_baci / "
            "td.read_comtrade / td.read_comext / td.read_csv"
        )
    raise InvalidArgumentError(
        f"invalid argument: {function} takes a td.TradeTable, got {kind}. Read a file with a reader "
        "(td.read_baci ...) or wrap a table with td.TradeTable.from_arrow"
    )
