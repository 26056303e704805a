# Hand-written stub of the compiled extension, checked by `mypy.stubtest` in `make test`.
# Sections are owned by concept; keep each concept's items inside its section.
import os
from typing import Any, Callable, final

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
@final
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

def demo_table() -> TradeTable: ...
def concat(tables: list[TradeTable]) -> TradeTable: ...

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
def _read_comtrade(
    path: str,
    breakdown: str = "totals",
    level: int | str | None = None,
    freq: str | None = None,
    vintage: str | None = None,
) -> TradeTable: ...
def _read_comext(
    path: str,
    level: str = "CN8",
    freq: str | None = None,
    vintage: str | None = None,
) -> TradeTable: ...


# ---- countries ------------------------------------------------------------------------------
from typing import final

@final
class Country:
    @property
    def iso2(self) -> str: ...
    @property
    def iso3(self) -> str: ...
    @property
    def iso_numeric(self) -> int: ...
    @property
    def comtrade(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def _country(query: str | int) -> Country: ...
def _group(name: str, date: Any = None) -> list[Country]: ...
def _group_codes(name: str, date: Any = None) -> list[int]: ...
def _define_group(name: str, members: list[Any]) -> list[Country]: ...
def _groups() -> list[tuple[str, list[str], str, str, bool]]: ...
def _resolve_country_codes(item: str | int) -> list[int]: ...
def _countries_table() -> Any: ...
def _is_known_code(code: int) -> bool: ...


# ---- classify -------------------------------------------------------------------------------
import os
from typing import final

@final
class ProductCode:
    def __new__(cls, code: str, vintage: str = "HS2022") -> ProductCode: ...
    @property
    def digits(self) -> str: ...
    @property
    def vintage(self) -> str: ...
    @property
    def hs_vintage(self) -> str: ...
    @property
    def chapter(self) -> str: ...
    @property
    def heading(self) -> str | None: ...
    @property
    def subheading(self) -> str | None: ...
    @property
    def national_extension(self) -> str | None: ...
    @property
    def level(self) -> str: ...
    def parent(self) -> ProductCode | None: ...
    def ancestors(self) -> list[ProductCode]: ...
    def is_within(self, other: ProductCode) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def hs(code: str, vintage: str = "HS2022") -> ProductCode: ...

@final
class Nomenclature:
    @staticmethod
    def load(path: str | os.PathLike[str], vintage: str | None = None) -> Nomenclature: ...
    @property
    def vintage(self) -> str: ...
    @property
    def source(self) -> str: ...
    def __len__(self) -> int: ...
    def __contains__(self, code: str, /) -> bool: ...
    def describe(self, code: str) -> str: ...
    def description(self, code: str) -> str | None: ...
    def check(self, codes: list[str]) -> tuple[list[str], list[tuple[str, str]]]: ...

# "continuity" (the default, also None), "equal", a base-period TradeTable, or code -> value.
_Weighting = str | TradeTable | dict[str, float] | None

@final
class Concordances:
    def __new__(cls) -> Concordances: ...
    @staticmethod
    def load_dir(path: str | os.PathLike[str]) -> Concordances: ...
    def add(self, path: str | os.PathLike[str]) -> None: ...
    def tables(self) -> list[tuple[str, str, str]]: ...
    def path(self, from_: str, to: str) -> list[str]: ...
    def split(
        self,
        code: str,
        from_: str,
        to: str,
        weighting: _Weighting = None,
        base_from: int | None = None,
        base_to: int | None = None,
    ) -> dict[str, Any]: ...
    def convert_table(
        self,
        table: TradeTable,
        to: str,
        weighting: _Weighting = None,
        base_from: int | None = None,
        base_to: int | None = None,
    ) -> TradeTable: ...

@final
class ProductList:
    @staticmethod
    def load(
        path: str | os.PathLike[str],
        name: str | None = None,
        version: str | None = None,
        vintage: str | None = None,
        effective: str | None = None,
        tiers: list[str] | None = None,
    ) -> ProductList: ...
    @staticmethod
    def chpl() -> ProductList: ...
    @staticmethod
    def eu833(path: str | os.PathLike[str], version: str = "2022-10-07", cn_year: int = 2022) -> ProductList: ...
    @staticmethod
    def dual_use_correlation(path: str | os.PathLike[str], cn_year: int, version: str) -> ProductList: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def effective(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def vintage(self) -> str: ...
    def tiers(self) -> list[str]: ...
    def tier(self, tier: str) -> ProductList: ...
    def codes(self) -> list[str]: ...
    def entries(self) -> list[dict[str, Any]]: ...
    def __len__(self) -> int: ...
    def __contains__(self, code: str, /) -> bool: ...
    def lookup(self, code: str) -> dict[str, Any] | None: ...
    def check(self, nomenclature: Nomenclature) -> None: ...
    def diff(self, older: ProductList) -> dict[str, Any]: ...
    def _product_weights(
        self,
        vintage: str | None = None,
        concordances: Concordances | None = None,
        weighting: _Weighting = None,
        base_from: int | None = None,
        base_to: int | None = None,
    ) -> dict[str, float]: ...
    def map_to(
        self,
        vintage: str,
        concordances: Concordances | None = None,
        weighting: _Weighting = None,
        base_from: int | None = None,
        base_to: int | None = None,
    ) -> list[dict[str, Any]]: ...
    def _repr_html_(self) -> str: ...

@final
class Basket:
    def __new__(cls, name: str, codes: list[str], vintage: str = "HS2022", reasoning: str = "") -> Basket: ...
    @staticmethod
    def builtin(name: str) -> Basket: ...
    @staticmethod
    def from_list(list: ProductList, tiers: list[str] = ...) -> Basket: ...
    @property
    def name(self) -> str: ...
    @property
    def vintage(self) -> str: ...
    @property
    def reasoning(self) -> str: ...
    def prefixes(self) -> list[str]: ...
    def __len__(self) -> int: ...
    def __contains__(self, code: str, /) -> bool: ...
    def union(self, other: Basket) -> Basket: ...
    def intersection(self, other: Basket) -> Basket: ...
    def difference(self, other: Basket) -> Basket: ...
    def __or__(self, other: Basket, /) -> Basket: ...
    def __ror__(self, other: Basket, /) -> Basket: ...
    def __and__(self, other: Basket, /) -> Basket: ...
    def __rand__(self, other: Basket, /) -> Basket: ...
    def __sub__(self, other: Basket, /) -> Basket: ...
    def __rsub__(self, other: Basket, /) -> Basket: ...
    def to_list(self) -> ProductList: ...
    def _product_weights(
        self,
        vintage: str | None = None,
        concordances: Concordances | None = None,
        weighting: _Weighting = None,
        base_from: int | None = None,
        base_to: int | None = None,
    ) -> dict[str, float]: ...
    def _repr_html_(self) -> str: ...

def _classify(
    table: Any,
    lists: list[ProductList],
    product: str = "product",
    vintage: str | None = None,
    concordances: Concordances | None = None,
    weighting: _Weighting = None,
    base_from: int | None = None,
    base_to: int | None = None,
) -> tuple[Any, list[str]]: ...
def _explain(
    code: str,
    list: ProductList,
    vintage: str | None = None,
    concordances: Concordances | None = None,
    weighting: _Weighting = None,
    base_from: int | None = None,
    base_to: int | None = None,
) -> dict[str, Any]: ...


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
def _importer_product_concentration_baci(
    path: str | os.PathLike[str],
    vintage: str | None = None,
    years: list[int] | None = None,
    on_unknown_country: str = "error",
) -> tuple[Any, str]: ...
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
