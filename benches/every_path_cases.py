"""The cases of ``every_path.py``: each public metric in a README call form, and the same result
written for DuckDB (one SQL query over ``read_csv``) and for polars (one lazy query over
``scan_csv``), brought to standard columns so that the three can be compared.

Standard columns: integer country codes (BACI's ``i`` exporter = supplier, ``j`` importer), products
as integers (HS4 headings ``k // 100``), ``-1`` for the supplier group China+HK, values in USD
(BACI's thousands x 1000). A case's ``keys`` identify a row, ``exact`` columns must be identical,
``values`` equal within 1e-9 relative (nulls in the same places).

To add a case: call :func:`case` with the tradedep call (``td, path, ctx`` -> result, the read
included), ``standard`` (tradedep's pyarrow result -> standard columns), the SQL (``{path}``,
``{weights}`` are filled in) and the polars query (``pl, lazy frame of the file, ctx``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

RUS, UKR, CHN, HKG = 643, 804, 156, 344
#: The supplier group of the README's first question; its standard supplier key.
GROUP = {"China+HK": ["CHN", "HKG"]}
GROUP_CODES = (CHN, HKG)
GROUP_KEY = -1


def default_concordances() -> Path:
    """The UNSD tables in the shared data folder (as the tests find it), else ../shared/data."""
    for d in (os.environ.get("TRADEDEP_SHARED_DATA"), h.ROOT.parent / "shared" / "data",
              h.ROOT.parent.parent / "shared" / "data"):
        if d and (Path(d) / "hs_concordance").is_dir():
            return Path(d) / "hs_concordance"
    return h.ROOT.parent / "shared" / "data" / "hs_concordance"



@dataclass
class Case:
    """One metric call. ``tradedep(td, path, ctx)`` is the timed user code; ``standard`` maps its
    result (a pyarrow table) to the standard columns; ``sql`` and ``polars`` compute the same."""

    name: str
    call: str
    keys: list[str]
    values: list[str]
    tradedep: Callable[[Any, str, dict[str, Any]], Any]
    standard: Callable[[Any], Any]
    sql: str
    polars: Callable[[Any, Any, dict[str, Any]], Any]
    exact: list[str] = field(default_factory=list)
    #: Speed goal of issue 10 against the faster competitor.
    target: float = 3.0
    #: Needs the CHPL weights (concordances).
    chpl: str | None = None
    #: Timed step after the competitor's query (pyarrow table -> pyarrow table), e.g. numpy's eigenvectors.
    finish: Callable[[Any], Any] | None = None
    #: Absolute tolerance next to the relative one (standardised scores near 0; eigenvectors).
    atol: float = 0.0
    #: Reads the derived second year too (``ctx["after_year"]``, ``{after}`` in the SQL).
    after_year: bool = False


# ---- shared pieces of the competitor queries ----------------------------------------------------------

#: The BACI file as DuckDB reads it: explicit schema, q as text (CEPII pads it and writes NA).
DUCK_BASE = """
WITH b AS (
  SELECT t, i, j, k, v * 1000 AS value, TRY_CAST(trim(q) AS DOUBLE) AS q
  FROM read_csv('{path}', header = true,
                columns = {{'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'INTEGER',
                           'v': 'DOUBLE', 'q': 'VARCHAR'}})
)
"""
#: The product weights of a list (k INTEGER, w DOUBLE), written by the parent.
DUCK_WEIGHTS = ", w AS (SELECT * FROM read_csv('{weights}', header = true, columns = {{'k': 'INTEGER', 'w': 'DOUBLE'}}))\n"
SUPPLIER_SQL = f"CASE WHEN i IN {GROUP_CODES} THEN {GROUP_KEY} ELSE i END"


def polars_base(pl: Any, path: str) -> Any:
    schema = {"t": pl.Int16, "i": pl.Int16, "j": pl.Int16, "k": pl.Int32, "v": pl.Float64, "q": pl.String}
    return pl.scan_csv(path, schema=schema).with_columns(
        value=pl.col("v") * 1000.0, q=pl.col("q").str.strip_chars().cast(pl.Float64, strict=False)
    )


def polars_weights(pl: Any, ctx: dict[str, Any]) -> Any:
    return pl.scan_csv(ctx["weights"], schema={"k": pl.Int32, "w": pl.Float64})


def polars_supplier(pl: Any) -> Any:
    return pl.when(pl.col("i").is_in(list(GROUP_CODES))).then(GROUP_KEY).otherwise(pl.col("i").cast(pl.Int32))


def polars_concentration(pl: Any, lf: Any, keys: list[str]) -> Any:
    """total, n_suppliers, hhi, top_share, top_code (ties: smallest code) per `keys` over suppliers i."""
    v = pl.col("value")
    return lf.group_by(keys).agg(
        total_value=v.sum(),
        n_suppliers=pl.len(),
        sum_sq=(v * v).sum(),
        top=v.max(),
        top_code=pl.col("i").filter(v == v.max()).min().cast(pl.Int64),
    ).select(
        *keys, "total_value", pl.col("n_suppliers").cast(pl.Int64),
        hhi=pl.col("sum_sq") / (pl.col("total_value") ** 2),
        top_share=pl.col("top") / pl.col("total_value"), top_code="top_code",
    )


CONC_SELECT = """sum(value) AS total_value, count(*) AS n_suppliers,
  sum(value * value) / (sum(value) * sum(value)) AS hhi, max(value) / sum(value) AS top_share,
  arg_max(i, (value, -i)) AS top_code"""
CONC_VALUES = ["total_value", "hhi", "top_share"]
CONC_EXACT = ["n_suppliers", "top_code"]


def shares_sql(where: str, keys: str, weighted: bool) -> str:
    """Supplier shares per `keys` (SQL expressions named in the standard columns) plus supplier."""
    w = "value * w.w" if weighted else "value"
    join = "JOIN w USING (k)" if weighted else ""
    return (DUCK_BASE + (DUCK_WEIGHTS if weighted else "") + f"""
, s AS (SELECT {keys}, {SUPPLIER_SQL} AS supplier, sum({w}) AS value FROM b {join} WHERE {where}
        GROUP BY ALL)
SELECT *, value / sum(value) OVER (PARTITION BY {", ".join(k.split(" AS ")[-1] for k in keys.split(", "))}) AS share FROM s
""")


def polars_shares(pl: Any, lf: Any, ctx: dict[str, Any], where: Any, keys: dict[str, Any], weighted: bool) -> Any:
    if weighted:
        lf = lf.join(polars_weights(pl, ctx), on="k").with_columns(value=pl.col("value") * pl.col("w"))
    s = lf.filter(where).group_by(**keys, supplier=polars_supplier(pl)).agg(value=pl.col("value").sum())
    return s.with_columns(share=pl.col("value") / pl.col("value").sum().over(list(keys)))


# ---- tradedep side ---------------------------------------------------------------------------------------


def read(td: Any, path: str, ctx: "dict[str, Any] | None" = None) -> Any:
    """``td.read_baci(path)``, or with ``importers=`` when the case's variant reads only those
    (``ctx["importers"]``, see :func:`read_for_importers`)."""
    return h.tradedep_read_baci(td, path, importers=(ctx or {}).get("importers"))


def supplier_key(t: Any) -> Any:
    """supplier_code, with -1 for the China+HK group (its code is null)."""
    import pyarrow.compute as pc

    code = pc.cast(t["supplier_code"], "int64")
    return pc.if_else(pc.equal(t["supplier"], "China+HK"), GROUP_KEY, code)


def importer_code(t: Any) -> Any:
    """The importer label (ISO3 name or code) as BACI's numeric code."""
    import pyarrow as pa
    import tradedep as td

    labels = t["importer"].to_pylist()
    # "" is what tradedep writes for a BACI code without an ISO3 name (697 Europe EFTA nes, 849 US
    # Misc. Pacific Isds): such rows have no key; the comparison counts them apart (null here).
    lookup = {x: (int(x) if str(x).isdigit() else td.country(x).comtrade if x else None) for x in set(labels)}
    return pa.array([lookup[x] for x in labels], pa.int64())


def year_col(t: Any) -> Any:
    """The year key: ``year``, or ``period`` where the table is annual (BACI: by="year" keeps it)."""
    return (t["year"] if "year" in t.column_names else t["period"]).cast("int64")


def every_importer(trade: Any) -> list[int]:
    """Every importer of the table, as a user passes them (``importer=None`` is refused by shares)."""
    import pyarrow.compute as pc

    return sorted(pc.unique(trade.to_arrow()["partner"]).to_pylist())


def product_int(t: Any, col: str = "product") -> Any:
    import pyarrow.compute as pc

    return pc.cast(t[col], "int64")


def pick(t: Any, **cols: Any) -> Any:
    """A pyarrow table of the given columns: names in `t` or arrays."""
    import pyarrow as pa

    return pa.table({k: (t[v] if isinstance(v, str) else v) for k, v in cols.items()})


def conc_standard(t: Any, keys: dict[str, Any]) -> Any:
    import pyarrow.compute as pc

    return pick(t, **keys, total_value="total_value", n_suppliers=pc.cast(t["n_suppliers"], "int64"),
                hhi="hhi", top_share="top_share", top_code=pc.cast(t["top_code"], "int64"))


# ---- the cases -------------------------------------------------------------------------------------------

CASES: list[Case] = []


def case(**kw: Any) -> None:
    CASES.append(Case(**kw))


case(
    name="ipc_path",
    call='td.importer_product_concentration(path)  # streamed; every importer x product',
    keys=["importer", "product"], values=CONC_VALUES, exact=CONC_EXACT, target=5.0,
    tradedep=lambda td, path, ctx: td.importer_product_concentration(path, vintage="HS2017"),
    standard=lambda t: conc_standard(t, dict(importer=importer_code(t), product=product_int(t))),
    sql=DUCK_BASE + f"SELECT j AS importer, k AS product, {CONC_SELECT} FROM b GROUP BY j, k",
    polars=lambda pl, lf, ctx: polars_concentration(pl, lf.rename({"j": "importer", "k": "product"}),
                                                    ["importer", "product"]),
)
for _source in ("mirror", "auto"):
    case(
        name=f"conc_importer_product_{_source}",
        call=f'td.concentration(td.read_baci(path), by=["importer", "product"], source="{_source}")',
        keys=["importer", "product"], values=CONC_VALUES, exact=CONC_EXACT, target=5.0,
        tradedep=lambda td, path, ctx, s=_source: td.concentration(read(td, path), by=["importer", "product"],
                                                                  source=s),
        standard=lambda t: conc_standard(t, dict(importer=importer_code(t), product=product_int(t))),
        sql=DUCK_BASE + f"SELECT j AS importer, k AS product, {CONC_SELECT} FROM b GROUP BY j, k",
        polars=lambda pl, lf, ctx: polars_concentration(pl, lf.rename({"j": "importer", "k": "product"}),
                                                        ["importer", "product"]),
    )
case(
    name="conc_rus_period_product_auto",
    call='td.concentration(trade, by=["period", "product"], over="partner", importer="RUS", source="auto")',
    keys=["period", "product"], values=CONC_VALUES, exact=CONC_EXACT,
    tradedep=lambda td, path, ctx: td.concentration(read(td, path, ctx), by=["period", "product"], over="partner",
                                                    importer="RUS", source="auto"),
    standard=lambda t: conc_standard(t, dict(period=t["period"].cast("int64"), product=product_int(t))),
    sql=DUCK_BASE + f"SELECT t::BIGINT AS period, k AS product, {CONC_SELECT} FROM b WHERE j = {RUS} GROUP BY t, k",
    polars=lambda pl, lf, ctx: polars_concentration(
        pl, lf.filter(pl.col("j") == RUS).with_columns(period=pl.col("t").cast(pl.Int64), product="k"),
        ["period", "product"]),
)


def shares_standard(t: Any, **keys: Any) -> Any:
    return pick(t, **keys, supplier=supplier_key(t), value="value", share="share")


for _source in ("auto", "mirror"):
    case(
        name=f"shares_rus_chpl_year_{_source}",
        call=('td.supplier_shares(trade, importer="RUS", products=td.lists.chpl(), '
              f'groups={{"China+HK": ["CHN", "HKG"]}}, by="year", source="{_source}")  # HS2022 list over concordances'),
        keys=["year", "supplier"], values=["value", "share"], chpl="all",
        tradedep=lambda td, path, ctx, s=_source: td.supplier_shares(
            read(td, path, ctx), importer="RUS", products=td.lists.chpl(), groups=GROUP, by="year", source=s),
        standard=lambda t: shares_standard(t, year=year_col(t)),
        sql=shares_sql(f"j = {RUS}", "t::BIGINT AS year", weighted=True),
        polars=lambda pl, lf, ctx: polars_shares(pl, lf, ctx, pl.col("j") == RUS,
                                                 {"year": pl.col("t").cast(pl.Int64)}, weighted=True),
    )
case(
    name="shares_every_importer_chpl1_year_mirror",
    call=('td.supplier_shares(trade, importer=<every partner code of the table>, '
          'products=td.lists.chpl().tier("1"), groups={"China+HK": ["CHN", "HKG"]}, by="year", source="mirror")'),
    keys=["importer", "year", "supplier"], values=["value", "share"], chpl="1",
    tradedep=lambda td, path, ctx: _shares_every_importer(td, read(td, path)),
    standard=lambda t: shares_standard(t, importer=importer_code(t), year=year_col(t)),
    sql=shares_sql("true", "j::BIGINT AS importer, t::BIGINT AS year", weighted=True),
    polars=lambda pl, lf, ctx: polars_shares(
        pl, lf, ctx, pl.lit(True), {"importer": pl.col("j").cast(pl.Int64), "year": pl.col("t").cast(pl.Int64)},
        weighted=True),
)


def _shares_every_importer(td: Any, trade: Any) -> Any:
    return td.supplier_shares(trade, every_importer(trade), products=td.lists.chpl().tier("1"), groups=GROUP,
                              by="year", source="mirror")


_PRODUCTS_SQL = "(k // 10000 = 85 OR k // 100 = 8471)"
case(
    name="shares_rus_product_mirror",
    call='td.supplier_shares(trade, importer="RUS", products=["85", "8471"], by="product", source="mirror")',
    keys=["product", "supplier"], values=["value", "share", "quantity"],
    tradedep=lambda td, path, ctx: td.supplier_shares(read(td, path, ctx), importer="RUS", products=["85", "8471"],
                                                      by="product", source="mirror"),
    standard=lambda t: pick(t, product=product_int(t), supplier=supplier_key(t), value="value", share="share",
                            quantity="quantity"),
    # quantity: summed over the rows that have one (null when none has), as docs/methods/coverage.md says
    sql=DUCK_BASE + f"""
, s AS (SELECT k::BIGINT AS product, i::BIGINT AS supplier, sum(value) AS value,
               sum(q) AS quantity
        FROM b WHERE j = {RUS} AND {_PRODUCTS_SQL} GROUP BY k, i)
SELECT *, value / sum(value) OVER (PARTITION BY product) AS share FROM s""",
    polars=lambda pl, lf, ctx: lf.filter((pl.col("j") == RUS) & ((pl.col("k") // 10000 == 85) | (pl.col("k") // 100 == 8471)))
    .group_by(product=pl.col("k").cast(pl.Int64), supplier=pl.col("i").cast(pl.Int64))
    .agg(value=pl.col("value").sum(),
         quantity=pl.when(pl.col("q").count() > 0).then(pl.col("q").sum()))
    .with_columns(share=pl.col("value") / pl.col("value").sum().over("product")),
)
#: The same file read as the importers' own reports (``j`` reports imports from ``i``): the reported path.
def _importers_of(ctx: dict[str, Any]) -> dict[str, Any]:
    """``importers=`` for a read when the case's variant reads only those (:func:`read_for_importers`)."""
    return {"importers": ctx["importers"]} if ctx.get("importers") else {}


READ_AS_IMPORTS = dict(columns={"period": "t", "reporter": "j", "partner": "i", "product": "k", "value": "v",
                                "quantity": "q"}, flow="import", vintage="HS2017", value_scale=1000, unit="t")
case(
    name="shares_rus_year_reported",
    call=('td.supplier_shares(td.read_csv(path, columns={"reporter": "j", "partner": "i", ...}, flow="import", '
          'value_scale=1000), importer="RUS", products=["85", "8471"], groups={"China+HK": ["CHN", "HKG"]}, '
          'by="year", source="reported")  # the file read as importer-reported'),
    keys=["year", "supplier"], values=["value", "share"],
    tradedep=lambda td, path, ctx: td.supplier_shares(
        td.read_csv(path, **READ_AS_IMPORTS, **_importers_of(ctx)), importer="RUS", products=["85", "8471"],
        groups=GROUP, by="year", source="reported"),
    standard=lambda t: shares_standard(t, year=year_col(t)),
    sql=shares_sql(f"j = {RUS} AND (k // 10000 = 85 OR k // 100 = 8471)", "t::BIGINT AS year", weighted=False),
    polars=lambda pl, lf, ctx: polars_shares(
        pl, lf, ctx, (pl.col("j") == RUS) & ((pl.col("k") // 10000 == 85) | (pl.col("k") // 100 == 8471)),
        {"year": pl.col("t").cast(pl.Int64)}, weighted=False),
)
case(
    name="series_rus_year_by_supplier_auto",
    call=('td.import_series(trade, "RUS", "year", groups={"China+HK": ["CHN", "HKG"]}, by_supplier=True, '
          'source="auto")'),
    keys=["year", "supplier"], values=["value"],
    tradedep=lambda td, path, ctx: td.import_series(read(td, path, ctx), "RUS", "year", groups=GROUP, by_supplier=True,
                                                    source="auto"),
    standard=lambda t: pick(t, year=year_col(t), supplier=supplier_key(t), value="value"),
    sql=DUCK_BASE + f"SELECT t::BIGINT AS year, {SUPPLIER_SQL}::BIGINT AS supplier, sum(value) AS value "
    f"FROM b WHERE j = {RUS} GROUP BY ALL",
    polars=lambda pl, lf, ctx: lf.filter(pl.col("j") == RUS)
    .group_by(year=pl.col("t").cast(pl.Int64), supplier=polars_supplier(pl).cast(pl.Int64))
    .agg(value=pl.col("value").sum()),
)
case(
    name="unit_values_rus_ch85_mirror",
    call='td.unit_values(trade, "RUS", products=["85"], source="mirror")  # chapter 85',
    keys=["product", "supplier"], values=["value", "quantity", "unit_value", "relative_unit_value"],
    tradedep=lambda td, path, ctx: td.unit_values(read(td, path, ctx), "RUS", products=["85"], source="mirror"),
    standard=lambda t: pick(t, product=product_int(t), supplier=supplier_key(t), value="value",
                            quantity="quantity", unit_value="unit_value",
                            relative_unit_value="relative_unit_value"),
    # others: the importer's other suppliers of the product with a quantity (summed, not total minus own)
    sql=DUCK_BASE + f"""
, s AS (SELECT k::BIGINT AS product, i::BIGINT AS supplier, sum(value) AS value,
               sum(q) AS quantity
        FROM b WHERE j = {RUS} AND k // 10000 = 85 GROUP BY k, i),
o AS (SELECT a.product, a.supplier, sum(x.value) AS ov, sum(x.quantity) AS oq
      FROM s a JOIN s x ON a.product = x.product AND a.supplier <> x.supplier AND x.quantity IS NOT NULL
      WHERE a.quantity IS NOT NULL GROUP BY ALL)
SELECT s.product, s.supplier, value, quantity,
       CASE WHEN quantity > 0 THEN value / quantity END AS unit_value,
       CASE WHEN quantity > 0 AND oq > 0 THEN (value / quantity) / (ov / oq) END AS relative_unit_value
FROM s LEFT JOIN o USING (product, supplier)""",
    polars=lambda pl, lf, ctx: _polars_unit_values(pl, lf),
)


def _polars_unit_values(pl: Any, lf: Any) -> Any:
    s = (
        lf.filter((pl.col("j") == RUS) & (pl.col("k") // 10000 == 85))
        .group_by(product=pl.col("k").cast(pl.Int64), supplier=pl.col("i").cast(pl.Int64))
        .agg(value=pl.col("value").sum(), quantity=pl.when(pl.col("q").count() > 0).then(pl.col("q").sum()))
    )
    with_q = s.filter(pl.col("quantity").is_not_null())
    o = (
        with_q.join(with_q, on="product", suffix="_x")
        .filter(pl.col("supplier") != pl.col("supplier_x"))
        .group_by("product", "supplier")
        .agg(ov=pl.col("value_x").sum(), oq=pl.col("quantity_x").sum())
    )
    uv = pl.when(pl.col("quantity") > 0).then(pl.col("value") / pl.col("quantity"))
    return s.join(o, on=["product", "supplier"], how="left").select(
        "product", "supplier", "value", "quantity", unit_value=uv,
        relative_unit_value=pl.when(pl.col("oq") > 0).then(uv / (pl.col("ov") / pl.col("oq"))),
    )


case(
    name="flags_geodep_mirror",
    call='td.dependency_flags(trade, method="geodep", source="mirror")  # every importer x product',
    keys=["importer", "year", "product"], values=["imports", "exports", "c1_hhi", "c2_hhi", "c3_ratio"],
    tradedep=lambda td, path, ctx: td.dependency_flags(read(td, path), method="geodep", source="mirror"),
    standard=lambda t: pick(t, importer=importer_code(t), year=year_col(t), product=product_int(t),
                            imports="imports", exports="exports", c1_hhi="c1_hhi", c2_hhi="c2_hhi",
                            c3_ratio="c3_ratio"),
    # C2: HHI of the exporters' shares of the product's world exports (same import view, by supplier);
    # C3: the importer's imports over its own exports of the product (9999 when it exports none)
    sql=DUCK_BASE + """
, m AS (SELECT j AS importer, t AS year, k AS product, sum(value) AS imports,
               sum(value * value) / (sum(value) * sum(value)) AS c1_hhi FROM b GROUP BY ALL),
x AS (SELECT i AS exporter, t AS year, k AS product, sum(value) AS exports FROM b GROUP BY ALL),
w AS (SELECT year, product, sum(exports * exports) / (sum(exports) * sum(exports)) AS c2_hhi FROM x GROUP BY ALL)
SELECT m.importer::BIGINT AS importer, m.year::BIGINT AS year, m.product::BIGINT AS product, imports,
       coalesce(x.exports, 0.0) AS exports, c1_hhi, c2_hhi,
       CASE WHEN coalesce(x.exports, 0) > 0 THEN imports / x.exports ELSE 9999.0 END AS c3_ratio
FROM m JOIN w USING (year, product)
LEFT JOIN x ON x.exporter = m.importer AND x.year = m.year AND x.product = m.product""",
    polars=lambda pl, lf, ctx: _polars_flags(pl, lf),
)


def _polars_flags(pl: Any, lf: Any) -> Any:
    v = pl.col("value")
    m = lf.group_by(importer="j", year="t", product="k").agg(imports=v.sum(), c1_hhi=(v * v).sum() / v.sum() ** 2)
    x = lf.group_by(exporter="i", year="t", product="k").agg(exports=v.sum())
    e = pl.col("exports")
    w = x.group_by("year", "product").agg(c2_hhi=(e * e).sum() / e.sum() ** 2)
    return (
        m.join(w, on=["year", "product"])
        .join(x, left_on=["importer", "year", "product"], right_on=["exporter", "year", "product"], how="left")
        .select(
            pl.col("importer").cast(pl.Int64), pl.col("year").cast(pl.Int64), pl.col("product").cast(pl.Int64),
            "imports", exports=e.fill_null(0.0), c1_hhi="c1_hhi", c2_hhi="c2_hhi",
            c3_ratio=pl.when(e.fill_null(0.0) > 0).then(pl.col("imports") / e).otherwise(9999.0),
        )
    )


case(
    name="compare_rus_ukr_chpl_year_auto",
    call=('td.compare(trade, ["RUS", "UKR"], products=td.lists.chpl(), groups={"China+HK": ["CHN", "HKG"]}, '
          'by="year", source="auto")'),
    keys=["year", "supplier"], values=["value_RUS", "share_RUS", "value_UKR", "share_UKR"], chpl="all",
    tradedep=lambda td, path, ctx: td.compare(read(td, path, ctx), ["RUS", "UKR"], products=td.lists.chpl(),
                                              groups=GROUP, by="year", source="auto"),
    standard=lambda t: pick(t, year=year_col(t), supplier=supplier_key(t), value_RUS="value_RUS",
                            share_RUS="share_RUS", value_UKR="value_UKR", share_UKR="share_UKR"),
    # a supplier one importer bought from and the other not: value and share 0 for the other
    # (null only when that importer imported nothing in the year)
    sql=DUCK_BASE + DUCK_WEIGHTS + f"""
, s AS (SELECT j, t::BIGINT AS year, {SUPPLIER_SQL}::BIGINT AS supplier, sum(value * w.w) AS value
        FROM b JOIN w USING (k) WHERE j IN ({RUS}, {UKR}) GROUP BY ALL),
s2 AS (SELECT *, value / sum(value) OVER (PARTITION BY j, year) AS share FROM s),
k AS (SELECT DISTINCT year, supplier FROM s),
tot AS (SELECT DISTINCT j, year FROM s)
SELECT k.year, k.supplier,
  CASE WHEN tr.j IS NOT NULL THEN coalesce(r.value, 0.0) END AS value_RUS,
  CASE WHEN tr.j IS NOT NULL THEN coalesce(r.share, 0.0) END AS share_RUS,
  CASE WHEN tu.j IS NOT NULL THEN coalesce(u.value, 0.0) END AS value_UKR,
  CASE WHEN tu.j IS NOT NULL THEN coalesce(u.share, 0.0) END AS share_UKR
FROM k
LEFT JOIN s2 r ON r.j = {RUS} AND r.year = k.year AND r.supplier = k.supplier
LEFT JOIN s2 u ON u.j = {UKR} AND u.year = k.year AND u.supplier = k.supplier
LEFT JOIN tot tr ON tr.j = {RUS} AND tr.year = k.year
LEFT JOIN tot tu ON tu.j = {UKR} AND tu.year = k.year""",
    polars=lambda pl, lf, ctx: _polars_compare(pl, lf, ctx),
)


def _polars_compare(pl: Any, lf: Any, ctx: dict[str, Any]) -> Any:
    s = polars_shares(pl, lf.filter(pl.col("j").is_in([RUS, UKR])), ctx, pl.lit(True),
                      {"j": pl.col("j"), "year": pl.col("t").cast(pl.Int64)}, weighted=True)
    s = s.with_columns(pl.col("supplier").cast(pl.Int64)).collect()
    keys = s.select("year", "supplier").unique()
    out = keys
    for code, label in ((RUS, "RUS"), (UKR, "UKR")):
        one = s.filter(pl.col("j") == code).select("year", "supplier", "value", "share")
        years = one.select("year").unique().with_columns(has=pl.lit(True))
        out = out.join(one, on=["year", "supplier"], how="left").join(years, on="year", how="left").select(
            *out.columns,
            pl.when(pl.col("has")).then(pl.col("value").fill_null(0.0)).alias(f"value_{label}"),
            pl.when(pl.col("has")).then(pl.col("share").fill_null(0.0)).alias(f"share_{label}"),
        )
    return out


case(
    name="rca_hs4",
    call="td.rca(trade, digits=4)  # Balassa RCA per exporter x HS4 heading",
    keys=["year", "exporter", "product"], values=["value", "rca"],
    tradedep=lambda td, path, ctx: td.rca(read(td, path), digits=4),
    standard=lambda t: pick(t, year=year_col(t), exporter=t["exporter_code"].cast("int64"),
                            product=product_int(t), value="value", rca="rca"),
    sql=DUCK_BASE + """
, x AS (SELECT t::BIGINT AS year, i::BIGINT AS exporter, (k // 100)::BIGINT AS product, sum(value) AS value
        FROM b GROUP BY ALL)
SELECT year, exporter, product, value,
  (value / sum(value) OVER (PARTITION BY year, exporter))
  / (sum(value) OVER (PARTITION BY year, product) / sum(value) OVER (PARTITION BY year)) AS rca
FROM x""",
    polars=lambda pl, lf, ctx: lf.group_by(
        year=pl.col("t").cast(pl.Int64), exporter=pl.col("i").cast(pl.Int64), product=(pl.col("k") // 100).cast(pl.Int64)
    ).agg(value=pl.col("value").sum()).with_columns(
        rca=(pl.col("value") / pl.col("value").sum().over("year", "exporter"))
        / (pl.col("value").sum().over("year", "product") / pl.col("value").sum().over("year"))
    ),
)


def eci_pci_numpy(x: Any) -> Any:
    """ECI and PCI of one year from exports per (exporter, product) as ``ecomplexity`` computes them
    (the numpy port of tests/python/test_complexity.py): RCA, M = RCA >= 1, the eigenvector of the
    second largest eigenvalue of the product-product matrix, sign from the correlation of ECI with
    diversity, both standardised by ECI's mean and standard deviation."""
    import numpy as np
    import pyarrow as pa

    exporters, ei = np.unique(x["exporter"].to_numpy(), return_inverse=True)
    products, pi = np.unique(x["product"].to_numpy(), return_inverse=True)
    m = np.zeros((len(exporters), len(products)))
    np.add.at(m, (ei, pi), x["value"].to_numpy())
    keep_e, keep_p = m.sum(axis=1) != 0, m.sum(axis=0) != 0
    m, exporters, products = m[keep_e][:, keep_p], exporters[keep_e], products[keep_p]
    rca = (m / m.sum(axis=1)[:, None]) / (m.sum(axis=0)[None, :] / m.sum())
    mcp = (rca >= 1.0).astype(float)
    diversity, ubiquity = mcp.sum(axis=1), mcp.sum(axis=0)
    mcp1 = mcp / diversity[:, None]
    # mcp2.T @ mcp1 = U^-1 M' D^-1 M is similar to the symmetric U^-1/2 M' D^-1 M U^-1/2: same
    # eigenvalues, eigenvectors v -> U^-1/2 v (the scale cancels in the standardisation). eigh is
    # exact to rounding and ~20x faster than ecomplexity's eig on 1,200 headings.
    r = 1.0 / np.sqrt(ubiquity)
    eigvals, eigvecs = np.linalg.eigh((mcp * r[None, :]).T @ (mcp / diversity[:, None]) * r[None, :])
    kp = r * eigvecs[:, np.argsort(eigvals)[-2]]
    kc = mcp1 @ kp
    s1 = np.sign(np.corrcoef(diversity, kc)[0, 1])
    eci, pci = s1 * kc, s1 * kp
    pci = (pci - eci.mean()) / eci.std()
    eci = (eci - eci.mean()) / eci.std()
    return pa.table({"kind": ["eci"] * len(eci) + ["pci"] * len(pci),
                     "code": np.concatenate([exporters, products]).astype(np.int64),
                     "score": np.concatenate([eci, pci])})


def complexity_standard(c: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    eci, pci = c.eci.to_arrow(), c.pci.to_arrow()
    return pa.table({"kind": ["eci"] * eci.num_rows + ["pci"] * pci.num_rows,
                     "code": pa.concat_arrays([pc.cast(eci["exporter_code"], "int64").combine_chunks(),
                                               pc.cast(pci["product"], "int64").combine_chunks()]),
                     "score": pa.concat_arrays([eci["eci"].combine_chunks(), pci["pci"].combine_chunks()])})


case(
    name="complexity_hs4",
    call="td.complexity(trade, digits=4)  # RCA, ECI, PCI of the year (competitors: their query + numpy)",
    keys=["kind", "code"], values=["score"], atol=1e-9,
    tradedep=lambda td, path, ctx: td.complexity(read(td, path), digits=4),
    standard=complexity_standard,
    sql=DUCK_BASE + "SELECT i::BIGINT AS exporter, (k // 100)::BIGINT AS product, sum(value) AS value FROM b GROUP BY ALL",
    polars=lambda pl, lf, ctx: lf.group_by(exporter=pl.col("i").cast(pl.Int64),
                                           product=(pl.col("k") // 100).cast(pl.Int64)).agg(value=pl.col("value").sum()),
    finish=eci_pci_numpy,
)

# ---- before/after and two-sided metrics: rerouting, bilateral asymmetry, mirror gap ------------------------

#: EU27 members in 2021-2022 (BACI codes; France 251). Static over the two years of the panel.
EU27 = (40, 56, 100, 191, 196, 203, 208, 233, 246, 251, 276, 300, 348, 372, 380, 428, 440, 442, 470, 528, 616,
        620, 642, 703, 705, 724, 752)
#: The re-routing hubs of the case (KAZ, KGZ, ARM, TUR, ARE), and the sanctioned destinations the
#: default controls leave out (RUS, BLR).
HUBS = (398, 417, 51, 792, 784)
SANCTIONED = (RUS, 112)


def write_after_year(base: Path, out_dir: Path) -> Path:
    """A second year for the before/after metrics (re-routing needs a baseline and an after window;
    the generated file is one year): every row of ``base`` as 2022, its value scaled per
    (exporter, importer) pair by ``0.5 + ((31 i + 17 j) mod 11) / 10`` (0.5 .. 1.5, rounded to
    BACI's 3 decimals), in the re-saved layout, written by DuckDB into ``out_dir`` (the run's
    work folder: the data folder is left as it is)."""
    import duckdb

    # Named for its year (read_baci checks the year in a BACI file's name).
    out = out_dir / base.name.replace("_Y2021_", "_Y2022_").replace(".csv", ".after_year.csv")
    tmp = out.with_suffix(".tmp")
    src = str(base).replace("'", "''")
    duckdb.connect().sql(f"""
COPY (SELECT 2022::SMALLINT AS t, i, j, k, round(v * (0.5 + ((31 * i::INTEGER + 17 * j::INTEGER) % 11) / 10.0), 3) AS v, trim(q) AS q
      FROM read_csv('{src}', header = true, columns = {{'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT',
                    'k': 'INTEGER', 'v': 'DOUBLE', 'q': 'VARCHAR'}}))
TO '{str(tmp).replace("'", "''")}' (HEADER, DELIMITER ',', QUOTE '')""")
    tmp.replace(out)
    return out


#: Both years for DuckDB: the layout's file and the derived 2022 file.
def _duck_two_years() -> str:
    one = DUCK_BASE[DUCK_BASE.index("SELECT"):DUCK_BASE.rindex(")")].rstrip()
    return "\nWITH b AS (\n" + one + "\n  UNION ALL\n" + one.replace("'{path}'", "'{after}'") + "\n)\n"


DUCK_TWO_YEARS = _duck_two_years()


def read_two_years(td: Any, path: str, ctx: dict[str, Any]) -> Any:
    """The year and the derived after year, as a user concatenates two BACI files."""
    return td.concat([read(td, path), read(td, ctx["after_year"])])


def _rerouting_standard(r: Any) -> Any:
    import pyarrow.compute as pc

    s = r.summary.to_arrow()
    dest = pc.if_else(pc.equal(s["role"], "controls"), -1, pc.cast(s["destination_code"], "int64"))
    return pick(s, destination=dest, index="index", baseline_mean="baseline_mean", after_mean="after_mean",
                log_change="log_change", controls_log_change="controls_log_change", did="did")


_IN = lambda codes: "(" + ", ".join(map(str, codes)) + ")"  # noqa: E731
case(
    name="rerouting_eu27_chpl_hubs_rus",
    call=('td.rerouting(td.concat([td.read_baci(path), td.read_baci(year_2022)]), origin="EU27", '
          'hubs=["KAZ", "KGZ", "ARM", "TUR", "ARE"], target="RUS", products=td.lists.chpl(), baseline=2021)'
          '  # summary table; 2022 derived from the year'),
    keys=["destination"], values=["index", "baseline_mean", "after_mean", "log_change", "controls_log_change", "did"],
    chpl="all", after_year=True,
    tradedep=lambda td, path, ctx: td.rerouting(
        read_two_years(td, path, ctx), origin="EU27", hubs=["KAZ", "KGZ", "ARM", "TUR", "ARE"], target="RUS",
        products=td.lists.chpl(), baseline=2021),
    standard=_rerouting_standard,
    # roles: the hubs and the target always; controls every other destination of the EU's CHPL exports
    # but Russia and Belarus; a destination-year without rows is 0 (the EU reported in both years)
    sql=DUCK_TWO_YEARS + DUCK_WEIGHTS + f"""
, e AS (SELECT j AS dest, t AS year, sum(value * w.w) AS value FROM b JOIN w USING (k)
        WHERE i IN {_IN(EU27)} AND j NOT IN {_IN(EU27)} GROUP BY ALL),
r AS (SELECT dest, CASE WHEN dest IN {_IN(HUBS)} THEN 'hub' WHEN dest = {RUS} THEN 'target' ELSE 'control' END AS role
      FROM (SELECT dest FROM e UNION SELECT unnest([{", ".join(map(str, HUBS + (RUS,)))}]))
      WHERE dest NOT IN {_IN(SANCTIONED)} OR dest = {RUS}),
s AS (SELECT r.dest, r.role,
             coalesce(sum(CASE WHEN e.year = 2021 THEN e.value END), 0.0) AS baseline_mean,
             coalesce(sum(CASE WHEN e.year = 2022 THEN e.value END), 0.0) AS after_mean
      FROM r LEFT JOIN e USING (dest) GROUP BY ALL),
a AS (SELECT * FROM s UNION ALL
      SELECT -1, 'controls', sum(baseline_mean), sum(after_mean) FROM s WHERE role = 'control'),
l AS (SELECT *, CASE WHEN baseline_mean > 0 THEN 100 * after_mean / baseline_mean END AS index,
             CASE WHEN baseline_mean > 0 AND after_mean > 0 THEN ln(after_mean / baseline_mean) END AS log_change
      FROM a),
c AS (SELECT log_change AS controls_log_change FROM l WHERE role = 'controls')
SELECT dest::BIGINT AS destination, index, baseline_mean, after_mean, log_change, controls_log_change,
       CASE WHEN role IN ('hub', 'target') THEN log_change - controls_log_change END AS did
FROM l, c""",
    polars=lambda pl, lf, ctx: _polars_rerouting(pl, lf, ctx),
)


def _polars_rerouting(pl: Any, lf: Any, ctx: dict[str, Any]) -> Any:
    both = pl.concat([lf, polars_base(pl, ctx["after_year"])])
    e = (both.join(polars_weights(pl, ctx), on="k")
         .filter(pl.col("i").is_in(EU27) & ~pl.col("j").is_in(EU27))
         .group_by(dest=pl.col("j").cast(pl.Int64))
         .agg(baseline_mean=(pl.col("value") * pl.col("w")).filter(pl.col("t") == 2021).sum(),
              after_mean=(pl.col("value") * pl.col("w")).filter(pl.col("t") == 2022).sum()))
    fixed = pl.LazyFrame({"dest": list(HUBS) + [RUS]}, schema={"dest": pl.Int64})
    s = (pl.concat([e.select("dest"), fixed]).unique()
         .filter(~pl.col("dest").is_in(SANCTIONED) | (pl.col("dest") == RUS))
         .join(e, on="dest", how="left")
         .with_columns(pl.col("baseline_mean", "after_mean").fill_null(0.0),
                       role=pl.when(pl.col("dest").is_in(HUBS)).then(pl.lit("hub"))
                       .when(pl.col("dest") == RUS).then(pl.lit("target")).otherwise(pl.lit("control"))))
    ctrl = s.filter(pl.col("role") == "control").select(
        dest=pl.lit(-1, pl.Int64), baseline_mean=pl.col("baseline_mean").sum(),
        after_mean=pl.col("after_mean").sum(), role=pl.lit("controls"))
    b, a = pl.col("baseline_mean"), pl.col("after_mean")
    l = pl.concat([s.select(ctrl.collect_schema().names()), ctrl]).with_columns(
        index=pl.when(b > 0).then(100 * a / b),
        log_change=pl.when((b > 0) & (a > 0)).then((a / b).log()))
    c = l.filter(pl.col("role") == "controls").select(controls_log_change="log_change")
    return l.join(c, how="cross").select(
        destination="dest", index="index", baseline_mean="baseline_mean", after_mean="after_mean",
        log_change="log_change", controls_log_change="controls_log_change",
        did=pl.when(pl.col("role").is_in(["hub", "target"])).then(pl.col("log_change") - pl.col("controls_log_change")))


_ASYM = ["a_imports_from_b", "a_imports", "b_share_of_a_imports", "b_imports_from_a", "b_imports",
         "a_share_of_b_imports", "b_exports", "a_share_of_b_exports", "a_exports", "b_share_of_a_exports",
         "import_asymmetry", "market_asymmetry"]


def _asym_sql(a: int, b: int) -> str:
    s = lambda cond: f"sum(CASE WHEN {cond} THEN value ELSE 0 END)"  # noqa: E731
    return DUCK_BASE + f"""
, s AS (SELECT t::BIGINT AS year, {s(f"j = {a} AND i = {b}")} AS a_imports_from_b, {s(f"j = {a} AND i <> {a}")} AS a_imports,
          {s(f"j = {b} AND i = {a}")} AS b_imports_from_a, {s(f"j = {b} AND i <> {b}")} AS b_imports,
          {s(f"i = {b} AND j <> {b}")} AS b_exports, {s(f"i = {a} AND j <> {a}")} AS a_exports
        FROM b WHERE i IN ({a}, {b}) OR j IN ({a}, {b}) GROUP BY ALL),
r AS (SELECT *, CASE WHEN a_imports > 0 THEN a_imports_from_b / a_imports END AS b_share_of_a_imports,
             CASE WHEN b_imports > 0 THEN b_imports_from_a / b_imports END AS a_share_of_b_imports,
             CASE WHEN b_exports > 0 THEN a_imports_from_b / b_exports END AS a_share_of_b_exports,
             CASE WHEN a_exports > 0 THEN b_imports_from_a / a_exports END AS b_share_of_a_exports FROM s)
SELECT *, CASE WHEN a_share_of_b_imports > 0 THEN b_share_of_a_imports / a_share_of_b_imports END AS import_asymmetry,
       CASE WHEN a_share_of_b_exports > 0 THEN b_share_of_a_imports / a_share_of_b_exports END AS market_asymmetry
FROM r"""


def _polars_asym(pl: Any, lf: Any, a: int, b: int) -> Any:
    i, j, v = pl.col("i"), pl.col("j"), pl.col("value")
    div = lambda x, y: pl.when(pl.col(y) > 0).then(pl.col(x) / pl.col(y))  # noqa: E731
    return (lf.filter(i.is_in([a, b]) | j.is_in([a, b]))
            .group_by(year=pl.col("t").cast(pl.Int64))
            .agg(a_imports_from_b=v.filter((j == a) & (i == b)).sum(), a_imports=v.filter((j == a) & (i != a)).sum(),
                 b_imports_from_a=v.filter((j == b) & (i == a)).sum(), b_imports=v.filter((j == b) & (i != b)).sum(),
                 b_exports=v.filter((i == b) & (j != b)).sum(), a_exports=v.filter((i == a) & (j != a)).sum())
            .with_columns(b_share_of_a_imports=div("a_imports_from_b", "a_imports"),
                          a_share_of_b_imports=div("b_imports_from_a", "b_imports"),
                          a_share_of_b_exports=div("a_imports_from_b", "b_exports"),
                          b_share_of_a_exports=div("b_imports_from_a", "a_exports"))
            .with_columns(import_asymmetry=div("b_share_of_a_imports", "a_share_of_b_imports"),
                          market_asymmetry=div("b_share_of_a_imports", "a_share_of_b_exports")))


case(
    name="asymmetry_rus_chn_year_mirror",
    call='td.bilateral_asymmetry(trade, "RUS", "CHN", by="year", source="mirror")',
    keys=["year"], values=_ASYM,
    tradedep=lambda td, path, ctx: td.bilateral_asymmetry(read(td, path), "RUS", "CHN", by="year", source="mirror"),
    standard=lambda t: pick(t, year=year_col(t), **{c: c for c in _ASYM}),
    sql=_asym_sql(RUS, CHN),
    polars=lambda pl, lf, ctx: _polars_asym(pl, lf, RUS, CHN),
)

#: The year read from both sides, as a Comtrade-shaped table: the exporters' reports (read_baci, FOB)
#: and the importers' (the same rows as flow import, CIF assumed 10% over FOB: value_scale 1100).
READ_AS_CIF_IMPORTS = dict(READ_AS_IMPORTS, value_scale=1100)
case(
    name="mirror_gap_every_pair_year",
    call=('td.mirror_gap(td.concat([td.read_baci(path), td.read_csv(path, columns={"reporter": "j", "partner": "i", '
          '...}, flow="import", value_scale=1100)]), by="year")  # both sides of every flow (BACI is reconciled)'),
    keys=["importer", "exporter", "year"], values=["imports_reported", "exports_reported", "gap", "ratio"],
    tradedep=lambda td, path, ctx: td.mirror_gap(
        td.concat([read(td, path), td.read_csv(path, **READ_AS_CIF_IMPORTS)]), by="year"),
    standard=lambda t: pick(t, importer=t["importer"].cast("int64"), exporter=t["exporter"].cast("int64"),
                            year=year_col(t), imports_reported="imports_reported",
                            exports_reported="exports_reported", gap="gap", ratio="ratio"),
    sql=DUCK_BASE + """
, m AS (SELECT j::BIGINT AS importer, i::BIGINT AS exporter, t::BIGINT AS year, sum(value * 1.1) AS imports_reported
        FROM b GROUP BY ALL),
x AS (SELECT j::BIGINT AS importer, i::BIGINT AS exporter, t::BIGINT AS year, sum(value) AS exports_reported
      FROM b GROUP BY ALL)
SELECT importer, exporter, year, imports_reported, exports_reported, imports_reported - exports_reported AS gap,
       CASE WHEN exports_reported > 0 THEN imports_reported / exports_reported END AS ratio
FROM m FULL JOIN x USING (importer, exporter, year)""",
    polars=lambda pl, lf, ctx: _polars_mirror(pl, lf),
)


def _polars_mirror(pl: Any, lf: Any) -> Any:
    keys = dict(importer=pl.col("j").cast(pl.Int64), exporter=pl.col("i").cast(pl.Int64), year=pl.col("t").cast(pl.Int64))
    m = lf.group_by(**keys).agg(imports_reported=(pl.col("v") * 1100).sum())
    x = lf.group_by(**keys).agg(exports_reported=pl.col("value").sum())
    mi, xe = pl.col("imports_reported"), pl.col("exports_reported")
    return m.join(x, on=["importer", "exporter", "year"], how="full", coalesce=True).with_columns(
        gap=mi - xe, ratio=pl.when(xe > 0).then(mi / xe))


def read_for_importers(name: str, importers: list[str]) -> None:
    """The case ``name`` with the file read for ``importers`` only (``td.read_baci(path,
    importers=...)`` or ``td.read_csv(..., importers=...)``, the README's form for questions
    about a few importers): same call, same competitors' queries, the result checked equal."""
    base = next(c for c in CASES if c.name == name)

    def run(td: Any, path: str, ctx: dict[str, Any], base: Case = base) -> Any:
        return base.tradedep(td, path, {**ctx, "importers": importers})

    call = base.call.replace("trade,", f"td.read_baci(path, importers={importers!r}),", 1)
    call = call.replace('flow="import", ', f'flow="import", importers={importers!r}, ', 1)
    assert call != base.call, name
    CASES.append(replace(base, name=f"{name}_read_importers", call=call, tradedep=run))


for _name, _importers in [
    ("conc_rus_period_product_auto", ["RUS"]),
    ("shares_rus_chpl_year_auto", ["RUS"]),
    ("shares_rus_product_mirror", ["RUS"]),
    ("series_rus_year_by_supplier_auto", ["RUS"]),
    ("unit_values_rus_ch85_mirror", ["RUS"]),
    ("compare_rus_ukr_chpl_year_auto", ["RUS", "UKR"]),
    ("shares_rus_year_reported", ["RUS"]),
]:
    read_for_importers(_name, _importers)

CASE_BY_NAME = {c.name: c for c in CASES}
