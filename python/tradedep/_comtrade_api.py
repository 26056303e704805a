"""UN Comtrade API through the official ``comtradeapicall`` package, read as a TradeTable.

The package returns a pandas DataFrame of the API's ``data`` records; it is written as the API's
JSON response and read by :func:`read_comtrade`, so an API answer goes through exactly the
checks and rules of a downloaded Comtrade file (World rows, levels, breakdowns, one frequency and
HS edition), and ``table.report`` says what was set aside.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Literal

from tradedep._stats_readers import read_comtrade
from tradedep._table import TradeTable
from tradedep._tradedep import InvalidArgumentError, TradeDepIOError

__all__: list[str] = ["read_comtrade_api"]


def _codes(x: Any) -> str | None:
    if x is None:
        return None
    return ",".join(str(v) for v in x) if isinstance(x, (list, tuple, set)) else str(x)


def comtrade_frame_to_table(
    df: Any, name: str, breakdown: Literal["totals", "sum"] = "totals", level: Any = None, vintage: str | None = None
) -> TradeTable:
    """A DataFrame of Comtrade API records (comtradeapicall's output) as a TradeTable, read by
    :func:`read_comtrade` from the equivalent API JSON response (``name`` becomes its source)."""
    records = json.loads(df.to_json(orient="records"))  # NaN -> null, numpy types -> JSON
    with tempfile.TemporaryDirectory(prefix="tradedep-comtrade-") as d:
        path = Path(d) / f"{name}.json"
        path.write_text(json.dumps({"count": len(records), "data": records}))
        return read_comtrade(path, breakdown=breakdown, level=level, vintage=vintage)


def read_comtrade_api(
    reporter: Any,
    period: Any,
    *,
    cmd: Any = "TOTAL",
    flow: Any = "M",
    partner: Any = None,
    freq: Literal["A", "M"] = "A",
    subscription_key: str | None = None,
    type_code: str = "C",
    classification: str = "HS",
    max_records: int | None = None,
    breakdown: Literal["totals", "sum"] = "totals",
    level: int | Literal["TOTAL"] | None = None,
    vintage: str | None = None,
) -> TradeTable:
    """Query the UN Comtrade API (final data) with ``comtradeapicall`` and read the answer as a
    TradeTable (``pip install 'tradedep[comtrade]'``).

    Without ``subscription_key`` the public preview endpoint is used (at most 500 records);
    with one, the full endpoint. Codes are Comtrade's: ``reporter=643``, ``partner=156``,
    ``cmd="854231"`` or a list, ``period=2021`` or ``"202101,202102"``, ``flow="M"``/``"X"``.

        >>> t = td.read_comtrade_api(reporter=643, period=2021, cmd="854231", partner=156)  # doctest: +SKIP
        >>> t.report["set_aside"]                                                           # doctest: +SKIP
    """
    try:
        import comtradeapicall
    except ImportError as e:
        raise ImportError("td.read_comtrade_api needs comtradeapicall: pip install 'tradedep[comtrade]'") from e
    if freq not in ("A", "M"):
        raise InvalidArgumentError(f"freq={freq!r}: use 'A' or 'M'")
    query = dict(
        typeCode=type_code, freqCode=freq, clCode=classification, period=_codes(period),
        reporterCode=_codes(reporter), cmdCode=_codes(cmd), flowCode=_codes(flow), partnerCode=_codes(partner),
        partner2Code=None, customsCode=None, motCode=None, maxRecords=max_records,
    )
    if subscription_key:
        df = comtradeapicall.getFinalData(subscription_key, **query)
    else:
        df = comtradeapicall.previewFinalData(**query)
    if df is None:  # comtradeapicall prints the API's error and returns None
        raise TradeDepIOError(f"the Comtrade API did not answer the query {query} (its message is printed above)")
    if len(df) == 0:
        raise InvalidArgumentError(f"the Comtrade API has no records for {query}; check the codes and the period")
    name = f"comtrade_api_{type_code}{freq}_{classification}_r{query['reporterCode']}_{query['period']}".replace(",", "-")
    return comtrade_frame_to_table(df, name, breakdown=breakdown, level=level, vintage=vintage)
