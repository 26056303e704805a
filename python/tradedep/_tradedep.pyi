# Hand-written stub of the compiled extension, checked by `mypy.stubtest` in `make test`.
# Sections are owned by concept; keep each concept's items inside its section.
from typing import Any, Callable

__version__: str
_debug_build: bool

# ---- errors ---------------------------------------------------------------------------------
class TradeDepError(Exception): ...
class FileFormatError(TradeDepError): ...
class ParseError(TradeDepError): ...
class InvalidDataError(TradeDepError): ...
class UnknownCountryError(TradeDepError): ...
class InvalidProductError(TradeDepError): ...
class SchemaError(TradeDepError): ...
class InvalidArgumentError(TradeDepError): ...
class ArrowError(TradeDepError): ...
class TradeDepIOError(TradeDepError): ...

# ---- table ----------------------------------------------------------------------------------
class TradeTable:
    @property
    def num_rows(self) -> int: ...
    def __len__(self) -> int: ...
    @property
    def report(self) -> dict[str, Any]: ...
    @property
    def report_text(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def freq(self) -> str: ...
    @property
    def vintage(self) -> str | None: ...
    def _arrow_table(self) -> Any: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def _filter(
        self,
        reporters: list[int] | None = None,
        partners: list[int] | None = None,
        flows: list[str] | None = None,
        products: list[str] | None = None,
        period_from: str | None = None,
        period_to: str | None = None,
    ) -> TradeTable: ...

# ---- io (BACI, generic CSV/Parquet/Arrow) ---------------------------------------------------
def _read_baci(
    path: str,
    vintage: str | None = None,
    years: list[int] | None = None,
    on_unknown_country: str = "error",
    progress: Callable[[int, int], None] | None = None,
) -> TradeTable: ...
def _from_arrow(
    data: Any,
    columns: dict[str, str],
    flow: str | None = None,
    freq: str | None = None,
    currency: str = "USD",
    vintage: str | None = None,
    unit: str | None = None,
    value_scale: float = 1.0,
    value_basis: str | None = None,
    country_coding: str = "auto",
    on_unknown_country: str = "error",
    source: str | None = None,
) -> TradeTable: ...
def _read_csv(
    path: str,
    columns: dict[str, str],
    flow: str | None = None,
    freq: str | None = None,
    currency: str = "USD",
    vintage: str | None = None,
    unit: str | None = None,
    value_scale: float = 1.0,
    value_basis: str | None = None,
    country_coding: str = "auto",
    on_unknown_country: str = "error",
    delimiter: str = ",",
) -> TradeTable: ...
def _read_parquet(
    path: str,
    columns: dict[str, str] | None = None,
    flow: str | None = None,
    freq: str | None = None,
    currency: str = "USD",
    vintage: str | None = None,
    unit: str | None = None,
    value_scale: float = 1.0,
    value_basis: str | None = None,
    country_coding: str = "auto",
    on_unknown_country: str = "error",
) -> TradeTable: ...
def _write_parquet(table: TradeTable, path: str) -> None: ...

# ---- readers_stats (Comtrade, Comext) -------------------------------------------------------


# ---- countries ------------------------------------------------------------------------------


# ---- classify -------------------------------------------------------------------------------


# ---- metrics --------------------------------------------------------------------------------

