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


# ---- readers_stats (Comtrade, Comext) -------------------------------------------------------


# ---- countries ------------------------------------------------------------------------------


# ---- classify -------------------------------------------------------------------------------


# ---- metrics --------------------------------------------------------------------------------
def _supplier_shares(
    table: TradeTable,
    importers: list[tuple[str | None, list[int] | None]],
    products: list[tuple[str, float]] | None = None,
    products_name: str = ...,
    vintage: str | None = None,
    groups: list[tuple[str, list[int]]] = ...,
    by: list[str] = ...,
    source: str = ...,
    cif_fob: float = 1.0,
    top: int | None = None,
    include_intra_group: bool = False,
    explain: bool = False,
) -> Any: ...
def _concentration(
    table: TradeTable,
    importers: list[tuple[str | None, list[int] | None]] | None = None,
    products: list[tuple[str, float]] | None = None,
    products_name: str = ...,
    vintage: str | None = None,
    groups: list[tuple[str, list[int]]] = ...,
    by: list[str] = ...,
    over: str = ...,
    source: str = ...,
    cif_fob: float = 1.0,
    crn: int = 3,
    include_intra_group: bool = False,
    explain: bool = False,
) -> Any: ...
def _importer_product_concentration(table: TradeTable, source: str = ...) -> Any: ...
def _trade_table_from_columns(
    period: list[int],
    reporter: list[int],
    partner: list[int],
    flow: list[str],
    product: list[str],
    value: list[float],
    quantity: list[float | None] | None = None,
    quantity_unit: list[str | None] | None = None,
    freq: str = ...,
    currency: str = ...,
    vintage: str | None = None,
    source: str = ...,
) -> TradeTable: ...
def _dependency_flags(
    table: TradeTable,
    method: str = ...,
    importers: list[tuple[str | None, list[int] | None]] | None = None,
    products: list[tuple[str, float]] | None = None,
    products_name: str = ...,
    vintage: str | None = None,
    source: str = ...,
    cif_fob: float = 1.0,
    hhi: float = 0.4,
    world_hhi: float = 0.4,
    ratio: float = 1.0,
    share: float = 0.5,
    persistence: int = 2,
    window: int = 3,
) -> Any: ...
def _import_series(
    table: TradeTable,
    importers: list[tuple[str | None, list[int] | None]],
    freq: str = ...,
    products: list[tuple[str, float]] | None = None,
    products_name: str = ...,
    vintage: str | None = None,
    groups: list[tuple[str, list[int]]] = ...,
    by_supplier: bool = False,
    by_product: bool = False,
    baseline: tuple[int, int] | None = None,
    source: str = ...,
    cif_fob: float = 1.0,
    include_intra_group: bool = False,
) -> Any: ...
def _unit_values(
    table: TradeTable,
    importers: list[tuple[str | None, list[int] | None]],
    products: list[tuple[str, float]] | None = None,
    products_name: str = ...,
    vintage: str | None = None,
    groups: list[tuple[str, list[int]]] = ...,
    by: list[str] = ...,
    source: str = ...,
    cif_fob: float = 1.0,
    include_intra_group: bool = False,
) -> Any: ...
def _bilateral_asymmetry(
    table: TradeTable,
    a: tuple[str | None, list[int] | None],
    b: tuple[str | None, list[int] | None],
    products: list[tuple[str, float]] | None = None,
    products_name: str = ...,
    vintage: str | None = None,
    by: list[str] = ...,
    source: str = ...,
    cif_fob: float = 1.0,
) -> Any: ...
def _compare(
    table: TradeTable,
    importers: list[tuple[str | None, list[int] | None]],
    products: list[tuple[str, float]] | None = None,
    products_name: str = ...,
    vintage: str | None = None,
    groups: list[tuple[str, list[int]]] = ...,
    by: list[str] = ...,
    source: str = ...,
    cif_fob: float = 1.0,
    top: int | None = None,
    include_intra_group: bool = False,
) -> Any: ...
def _mirror_gap(
    table: TradeTable,
    by: list[str] = ...,
    products: list[tuple[str, float]] | None = None,
    products_name: str = ...,
    vintage: str | None = None,
    importers: list[int] | None = None,
    exporters: list[int] | None = None,
) -> Any: ...
