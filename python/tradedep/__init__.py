"""tradedep: trade records, dual-use classifications and dependency metrics.

A Rust core with Arrow in and out. Read a file, classify its products, compute who depends
on whom::

    import tradedep as td
    trade = td.read_baci("BACI_HS17_Y2021_V202401.csv")
    trade.num_rows
"""

from __future__ import annotations

import warnings

from tradedep import _tradedep
from tradedep._tradedep import (
    ArrowError,
    FileFormatError,
    InvalidArgumentError,
    InvalidDataError,
    InvalidProductError,
    ParseError,
    SchemaError,
    TradeDepError,
    TradeDepFileNotFoundError,
    TradeDepIOError,
    UnknownCountryError,
)
from tradedep._table import ArrowResult, TradeTable, concat, demo_table

# Each concept module exports its public names through its __all__.
from tradedep._io import *  # noqa: F403
from tradedep._stats_readers import *  # noqa: F403
from tradedep._countries import *  # noqa: F403
from tradedep._classify import *  # noqa: F403
from tradedep._metrics import *  # noqa: F403
from tradedep._complexity import *  # noqa: F403
from tradedep._rerouting import *  # noqa: F403
from tradedep._comtrade_api import *  # noqa: F403
from tradedep._options import options
from tradedep import reference
from tradedep import _io, _stats_readers, _countries, _classify, _metrics, _complexity, _rerouting
from tradedep import _comtrade_api
from tradedep._gacc import *  # noqa: F403
from tradedep._currency import *  # noqa: F403
from tradedep._panel import *  # noqa: F403
from tradedep import _gacc, _currency, _panel
from tradedep import engines

__version__: str = _tradedep.__version__

if _tradedep._debug_build:  # pragma: no cover - depends on how the wheel was built
    warnings.warn(
        "tradedep was built in debug mode and runs about 10x slower; "
        "install with `pip install .` (release) for real work",
        RuntimeWarning,
        stacklevel=2,
    )

__all__ = [
    *_io.__all__,
    *_stats_readers.__all__,
    *_countries.__all__,
    *_classify.__all__,
    *_metrics.__all__,
    *_complexity.__all__,
    *_rerouting.__all__,
    *_comtrade_api.__all__,
    "options",
    "reference",
    *_gacc.__all__,
    *_currency.__all__,
    *_panel.__all__,
    "ArrowResult",
    "ArrowError",
    "FileFormatError",
    "InvalidArgumentError",
    "InvalidDataError",
    "InvalidProductError",
    "ParseError",
    "SchemaError",
    "TradeDepError",
    "TradeDepIOError",
    "TradeDepFileNotFoundError",
    "TradeTable",
    "concat",
    "demo_table",
    "UnknownCountryError",
    "__version__",
]
