#!/usr/bin/env python3
"""Every public metric, in the call forms README.md shows, against DuckDB and polars, read included.

One bench row = one case (a metric call: source, by, importer, groups, products) on one file layout
(``make_layouts.py``: CEPII's own or re-saved, rows in CEPII's order or shuffled). Every tool runs
each repetition in a fresh process (peak RSS per tool, see ``_harness.py``); tradedep's timed work is
``td.read_baci(path)`` + the metric, as users write it (``importer_product_concentration`` is given
the path: it streams). DuckDB runs one SQL query over ``read_csv``, polars one lazy query over
``scan_csv``. After the clock stops each tool's result is brought to the case's standard columns
(integer country codes: BACI's ``i`` exporter = supplier, ``j`` importer; products as integers,
HS4 headings as ``k // 100``; ``-1`` for the supplier group China+HK; values in USD) and the parent
checks that all three agree: same set of keys, every value within 1e-9 relative (nulls in the same
places). A row says ``equal`` or ``DIFFERENT`` (with examples); a DIFFERENT row makes the exit
status 1.

Usage::

    python3 benches/every_path.py BASE_FILE                        # every case x layout, 3 reps
    python3 benches/every_path.py BASE_FILE --cases shares_rus_chpl_year_auto --layouts resaved_sorted
    python3 benches/every_path.py BASE_FILE --quick               # 1 rep, no report files (tests)
    python3 benches/every_path.py --list                          # the cases

The CHPL cases carry the HS2022 CHPL over to the HS2017 file through the UNSD correlation tables
(``td.load_concordances``, folder from ``--concordances`` or ``../shared/data/hs_concordance``).
The competitors get the same product weights as a small CSV written by the parent: the weights are
an input here (what the list means in HS2017), the aggregation is what is compared.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
from make_layouts import LAYOUTS, make_layouts  # noqa: E402

TOOLS = ["tradedep", "duckdb", "polars"]
RTOL = 1e-9
RUS, UKR, CHN, HKG = 643, 804, 156, 344
#: The supplier group of the README's first question; its standard supplier key.
GROUP = {"China+HK": ["CHN", "HKG"]}
GROUP_CODES = (CHN, HKG)
GROUP_KEY = -1
DEFAULT_CONCORDANCES = h.ROOT.parent / "shared" / "data" / "hs_concordance"


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


def read(td: Any, path: str) -> Any:
    return h.tradedep_read_baci(td, path)


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
    lookup = {x: (int(x) if str(x).isdigit() else td.country(x).comtrade) for x in set(labels)}
    return pa.array([lookup[x] for x in labels], pa.int64())


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
    tradedep=lambda td, path, ctx: td.concentration(read(td, path), by=["period", "product"], over="partner",
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
            read(td, path), importer="RUS", products=td.lists.chpl(), groups=GROUP, by="year", source=s),
        standard=lambda t: shares_standard(t, year=t["year"].cast("int64")),
        sql=shares_sql(f"j = {RUS}", "t::BIGINT AS year", weighted=True),
        polars=lambda pl, lf, ctx: polars_shares(pl, lf, ctx, pl.col("j") == RUS,
                                                 {"year": pl.col("t").cast(pl.Int64)}, weighted=True),
    )
case(
    name="shares_every_importer_chpl1_year_mirror",
    call=('td.supplier_shares(trade, importer=None, products=td.lists.chpl().tier("1"), '
          'groups={"China+HK": ["CHN", "HKG"]}, by="year", source="mirror")'),
    keys=["importer", "year", "supplier"], values=["value", "share"], chpl="1",
    tradedep=lambda td, path, ctx: td.supplier_shares(
        read(td, path), None, products=td.lists.chpl().tier("1"), groups=GROUP, by="year", source="mirror"),
    standard=lambda t: shares_standard(t, importer=importer_code(t), year=t["year"].cast("int64")),
    sql=shares_sql("true", "j::BIGINT AS importer, t::BIGINT AS year", weighted=True),
    polars=lambda pl, lf, ctx: polars_shares(
        pl, lf, ctx, pl.lit(True), {"importer": pl.col("j").cast(pl.Int64), "year": pl.col("t").cast(pl.Int64)},
        weighted=True),
)
_PRODUCTS_SQL = "(k // 100 = 8542 OR k = 850760)"
case(
    name="shares_rus_product_mirror",
    call='td.supplier_shares(trade, importer="RUS", products=["8542", "850760"], by="product", source="mirror")',
    keys=["product", "supplier"], values=["value", "share", "quantity"],
    tradedep=lambda td, path, ctx: td.supplier_shares(read(td, path), importer="RUS", products=["8542", "850760"],
                                                      by="product", source="mirror"),
    standard=lambda t: pick(t, product=product_int(t), supplier=supplier_key(t), value="value", share="share",
                            quantity="quantity"),
    # quantity: summed only when every row has one (null otherwise), as the docs say
    sql=DUCK_BASE + f"""
, s AS (SELECT k::BIGINT AS product, i::BIGINT AS supplier, sum(value) AS value,
               CASE WHEN count(q) = count(*) THEN sum(q) END AS quantity
        FROM b WHERE j = {RUS} AND {_PRODUCTS_SQL} GROUP BY k, i)
SELECT *, value / sum(value) OVER (PARTITION BY product) AS share FROM s""",
    polars=lambda pl, lf, ctx: lf.filter((pl.col("j") == RUS) & ((pl.col("k") // 100 == 8542) | (pl.col("k") == 850760)))
    .group_by(product=pl.col("k").cast(pl.Int64), supplier=pl.col("i").cast(pl.Int64))
    .agg(value=pl.col("value").sum(),
         quantity=pl.when(pl.col("q").null_count() == 0).then(pl.col("q").sum()))
    .with_columns(share=pl.col("value") / pl.col("value").sum().over("product")),
)
case(
    name="series_rus_year_by_supplier_auto",
    call=('td.import_series(trade, "RUS", "year", groups={"China+HK": ["CHN", "HKG"]}, by_supplier=True, '
          'source="auto")'),
    keys=["year", "supplier"], values=["value"],
    tradedep=lambda td, path, ctx: td.import_series(read(td, path), "RUS", "year", groups=GROUP, by_supplier=True,
                                                    source="auto"),
    standard=lambda t: pick(t, year=t["year"].cast("int64"), supplier=supplier_key(t), value="value"),
    sql=DUCK_BASE + f"SELECT t::BIGINT AS year, {SUPPLIER_SQL}::BIGINT AS supplier, sum(value) AS value "
    f"FROM b WHERE j = {RUS} GROUP BY ALL",
    polars=lambda pl, lf, ctx: lf.filter(pl.col("j") == RUS)
    .group_by(year=pl.col("t").cast(pl.Int64), supplier=polars_supplier(pl).cast(pl.Int64))
    .agg(value=pl.col("value").sum()),
)
case(
    name="unit_values_chn_2709_mirror",
    call='td.unit_values(trade, "CHN", products=["2709"], source="mirror")',
    keys=["product", "supplier"], values=["value", "quantity", "unit_value", "relative_unit_value"],
    tradedep=lambda td, path, ctx: td.unit_values(read(td, path), "CHN", products=["2709"], source="mirror"),
    standard=lambda t: pick(t, product=product_int(t), supplier=supplier_key(t), value="value",
                            quantity="quantity", unit_value="unit_value",
                            relative_unit_value="relative_unit_value"),
    # others: the importer's other suppliers of the product with a quantity (summed, not total minus own)
    sql=DUCK_BASE + f"""
, s AS (SELECT k::BIGINT AS product, i::BIGINT AS supplier, sum(value) AS value,
               CASE WHEN count(q) = count(*) THEN sum(q) END AS quantity
        FROM b WHERE j = {CHN} AND k // 100 = 2709 GROUP BY k, i),
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
        lf.filter((pl.col("j") == CHN) & (pl.col("k") // 100 == 2709))
        .group_by(product=pl.col("k").cast(pl.Int64), supplier=pl.col("i").cast(pl.Int64))
        .agg(value=pl.col("value").sum(), quantity=pl.when(pl.col("q").null_count() == 0).then(pl.col("q").sum()))
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
    standard=lambda t: pick(t, importer=importer_code(t), year=t["year"].cast("int64"), product=product_int(t),
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
    tradedep=lambda td, path, ctx: td.compare(read(td, path), ["RUS", "UKR"], products=td.lists.chpl(),
                                              groups=GROUP, by="year", source="auto"),
    standard=lambda t: pick(t, year=t["year"].cast("int64"), supplier=supplier_key(t), value_RUS="value_RUS",
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
    standard=lambda t: pick(t, year=t["year"].cast("int64"), exporter=t["exporter_code"].cast("int64"),
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

CASE_BY_NAME = {c.name: c for c in CASES}


# ---- child: one tool, one case, one file -------------------------------------------------------------------


def run_tool(tool: str, c: Case, path: str, ctx: dict[str, Any]) -> Any:
    """The timed work of one tool; returns its raw result."""
    if tool == "tradedep":
        import tradedep as td

        return c.tradedep(td, path, ctx)
    if tool == "duckdb":
        import duckdb

        sql = c.sql.format(path=path.replace("'", "''"), weights=str(ctx.get("weights", "")).replace("'", "''"))
        rel = duckdb.connect().sql(sql)
        return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
    if tool == "polars":
        import polars as pl

        out = c.polars(pl, polars_base(pl, path), ctx)
        return out.collect() if hasattr(out, "collect") else out
    raise ValueError(tool)


def to_standard(tool: str, c: Case, result: Any) -> Any:
    """The standard columns (keys, then values) as a pyarrow table, after the clock."""
    import pyarrow as pa

    if tool == "tradedep":
        t = result.to_arrow() if hasattr(result, "to_arrow") else pa.table(result)
        t = c.standard(t)
    elif tool == "polars":
        t = result.to_arrow()
    else:
        t = result
    cols = c.keys + c.exact + c.values
    return pa.table({k: t[k].cast(pa.int64()) if k in c.keys + c.exact else t[k].cast(pa.float64()) for k in cols})


def child(tool: str, case_name: str, path: str, ctx_json: str, result_out: str) -> None:
    c = CASE_BY_NAME[case_name]
    ctx = json.loads(ctx_json)
    t0 = time.perf_counter()
    try:
        __import__(tool)
        if tool == "tradedep":
            import tradedep as td

            if c.chpl:  # the concordances, loaded once per session as users do: not timed
                td.load_concordances(ctx["concordances"])
    except ImportError as e:
        print(json.dumps({"status": "unavailable", "message": f"import failed: {e}"}))
        sys.exit(h.EXIT_UNAVAILABLE)
    import_seconds = time.perf_counter() - t0

    def measure() -> tuple[float, dict[str, Any]]:
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_tool(tool, c, path, ctx)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = h.own_peak_rss_kib()
        import pyarrow.parquet as pq

        standard = to_standard(tool, c, result)
        pq.write_table(standard, result_out)
        info: dict[str, Any] = {"rows": standard.num_rows, "peak_rss_kib": peak, "cpu_seconds": cpu}
        if tool == "tradedep":
            native = getattr(sys.modules.get("tradedep"), "_tradedep", None)
            info["debug_build"] = bool(getattr(native, "_debug_build", False))
        return seconds, info

    h.child_main(measure, import_seconds)


# ---- comparison ------------------------------------------------------------------------------------------


def compare_tables(c: Case, ref: Any, other: Any, rtol: float = RTOL, max_examples: int = 3) -> list[str]:
    """Differences between two standard tables: keys missing on either side, duplicate keys, exact
    columns unequal, values beyond `rtol` relative or null on one side only."""
    import pandas as pd

    a, b = ref.to_pandas(), other.to_pandas()
    problems: list[str] = []
    for name, t in (("reference", a), ("other", b)):
        dup = int(t.duplicated(c.keys).sum())
        if dup:
            problems.append(f"{dup} duplicate keys in {name}")
    m = pd.merge(a, b, on=c.keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    for side, label in (("left_only", "only in reference"), ("right_only", "only in other")):
        rows = m[m["_merge"] == side]
        if len(rows):
            problems.append(f"{len(rows)} keys {label}, e.g. {rows[c.keys].head(max_examples).to_dict('records')}")
    both = m[m["_merge"] == "both"]
    for col in c.exact:
        bad = both[both[f"{col}_a"] != both[f"{col}_b"]]
        if len(bad):
            problems.append(f"{col}: {len(bad)} differ, e.g. "
                            f"{bad[c.keys + [col + '_a', col + '_b']].head(max_examples).to_dict('records')}")
    for col in c.values:
        x, y = both[f"{col}_a"].astype(float), both[f"{col}_b"].astype(float)
        null_mismatch = x.isna() != y.isna()
        scale = pd.concat([x.abs(), y.abs()], axis=1).max(axis=1)
        far = ((x - y).abs() > rtol * scale) & ~x.isna() & ~y.isna()
        bad = both[null_mismatch | far]
        if len(bad):
            problems.append(f"{col}: {len(bad)} differ, e.g. "
                            f"{bad[c.keys + [col + '_a', col + '_b']].head(max_examples).to_dict('records')}")
    return problems


# ---- parent ----------------------------------------------------------------------------------------------


def write_weights(out_dir: Path, concordances: Path, which: str) -> Path:
    """The list's HS2017 product weights as the reader of tradedep uses them (k INTEGER, w DOUBLE)."""
    import tradedep as td

    td.load_concordances(str(concordances))
    lst = td.lists.chpl() if which == "all" else td.lists.chpl().tier(which)
    weights = lst._product_weights("HS2017")
    path = out_dir / f"chpl_{which}_weights_hs2017.csv"
    with open(path, "w") as f:
        f.write("k,w\n")
        for code, w in sorted(dict(weights).items()):
            f.write(f"{int(code)},{float(w)!r}\n")
    return path


@dataclass
class Row:
    case: str
    layout: str
    results: dict[str, h.RunResult]
    check: str
    problems: list[str]


def ratio_cells(row: Row, target: float) -> tuple[str, str]:
    """'x vs faster competitor' (competitor time / tradedep time) and whether the goal is met."""
    td_r = row.results.get("tradedep")
    comp = [r for t, r in row.results.items() if t != "tradedep" and r.status == "ok" and r.seconds]
    if not td_r or td_r.status != "ok" or not comp:
        return "-", "-"
    fastest = min(comp, key=lambda r: r.seconds or 0.0)
    x = (fastest.seconds or 0.0) / (td_r.seconds or 1e-9)
    return f"{x:.2f}x vs {fastest.tool}", ("yes" if x >= target else "no")


def markdown(rows: list[Row], machine: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"every_path.py: {machine['date_utc']}, load average at start {machine['loadavg_1_5_15']}, "
        f"at end {machine.get('loadavg_end')}, {args.reps} reps, file {args.file.name}",
        "",
        "| case | layout | tradedep s | DuckDB s | polars s | x vs faster | goal | peak MiB td / DuckDB / polars | "
        "mem <= DuckDB/2 | check |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        c = CASE_BY_NAME[row.case]
        r = row.results

        def secs(tool: str) -> str:
            x = r.get(tool)
            if x is None or x.status != "ok":
                return x.status if x else "-"
            return f"{x.seconds:.2f}" + h.build_note(x)

        def mib(tool: str) -> str:
            x = r.get(tool)
            return f"{x.peak_rss_mib:.0f}" if x and x.status == "ok" and x.peak_rss_mib else "-"

        ratio, goal = ratio_cells(row, c.target)
        d, t = r.get("duckdb"), r.get("tradedep")
        mem_ok = ("yes" if t.peak_rss_mib <= d.peak_rss_mib / 2 else "no") if (
            d and t and d.status == t.status == "ok" and d.peak_rss_mib and t.peak_rss_mib) else "-"
        lines.append(
            f"| {c.name} | {row.layout} | {secs('tradedep')} | {secs('duckdb')} | {secs('polars')} | {ratio} | "
            f">={c.target:g}x: {goal} | {mib('tradedep')} / {mib('duckdb')} / {mib('polars')} | {mem_ok} | "
            f"{row.check} |"
        )
    lines.append("")
    lines.append("Calls (tradedep side; `trade = td.read_baci(path)` inside the timed work):")
    lines.append("")
    for name in dict.fromkeys(r.case for r in rows):
        lines.append(f"- `{name}`: `{CASE_BY_NAME[name].call}`")
    problems = [(r.case, r.layout, p) for r in rows for p in r.problems]
    if problems:
        lines += ["", "Differences:", ""] + [f"- {c} / {lay}: {p}" for c, lay, p in problems]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", type=Path, default=None, help="base file from gen_baci (CEPII layout)")
    ap.add_argument("--cases", default=None, help="comma-separated case names (default: all; --list)")
    ap.add_argument("--layouts", default=None, help=f"comma-separated, of {','.join(LAYOUTS)} (default: all)")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--quick", action="store_true", help="1 repetition, no report files unless --out-dir")
    ap.add_argument("--out-dir", type=Path, default=None)
    ap.add_argument("--concordances", type=Path, default=Path(os.environ.get("TRADEDEP_CONCORDANCES",
                                                                                DEFAULT_CONCORDANCES)))
    ap.add_argument("--list", action="store_true", help="print the cases and exit")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.list:
        for c in CASES:
            print(f"{c.name}: {c.call}")
        return 0
    if args.file is None:
        args.file = h.default_data_file()
    if not args.file.exists():
        ap.error(f"{args.file} not found: generate it first (benches/run_all.sh does)")
    if args.quick:
        args.reps = 1
    elif args.out_dir is None:
        args.out_dir = h.RESULTS_DIR
    cases = [CASE_BY_NAME[n] for n in args.cases.split(",")] if args.cases else CASES
    layouts = args.layouts.split(",") if args.layouts else LAYOUTS
    tools = args.tools.split(",")
    paths = make_layouts(args.file, layouts)
    machine = h.machine_info()
    print(f"every_path: {len(cases)} cases x {len(layouts)} layouts x {tools}, {args.reps} reps; "
          f"load {machine['loadavg_1_5_15']}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="every_path_"))
    ctx: dict[str, Any] = {"concordances": str(args.concordances)}
    for which in sorted({c.chpl for c in cases if c.chpl}):
        ctx_w = write_weights(work, args.concordances, which)
        ctx[f"weights_{which}"] = str(ctx_w)
    rows: list[Row] = []
    status = 0
    for layout in layouts:
        path = paths[layout]
        h.warm_page_cache(path)
        for c in cases:
            cctx = dict(ctx)
            if c.chpl:
                cctx["weights"] = ctx[f"weights_{c.chpl}"]
            outs = {t: work / f"{c.name}.{layout}.{t}.parquet" for t in tools}

            def argv_for(tool: str, rep: int, c: Case = c, path: Path = path, cctx: dict = cctx,
                         outs: dict = outs) -> list[str]:
                return [sys.executable, __file__, "--child", tool, c.name, str(path), json.dumps(cctx),
                        str(outs[tool])]

            def report(tool: str, rep: int, r: h.RunResult, c: Case = c, layout: str = layout) -> None:
                what = f"{r.seconds:.2f} s, {r.peak_rss_mib:.0f} MiB" if r.status == "ok" else h.status_text(r)
                print(f"  {c.name} [{layout}] {tool} rep {rep + 1}: {what}{h.build_note(r)}", flush=True)

            runs = h.run_round_robin(tools, args.reps, argv_for, args.timeout, report)
            results = {t: h.summarize(rs) for t, rs in runs.items()}
            import pyarrow.parquet as pq

            ok = [t for t in tools if results[t].status == "ok"]
            problems: list[str] = []
            if "duckdb" in ok:
                ref_tool = "duckdb"
            else:
                ref_tool = ok[0] if ok else None
            if ref_tool:
                ref = pq.read_table(outs[ref_tool])
                for t in ok:
                    if t != ref_tool:
                        problems += [f"{t} vs {ref_tool}: {p}" for p in compare_tables(c, ref, pq.read_table(outs[t]))]
            failed = [t for t in tools if results[t].status == "error"]
            problems += [f"{t}: {results[t].message}" for t in failed]
            check = "equal" if len(ok) == len(tools) and not problems else ("DIFFERENT" if problems else "incomplete")
            if problems:
                status = 1
                for p in problems:
                    print(f"  !! {c.name} [{layout}] {p}", flush=True)
            rows.append(Row(c.name, layout, results, check, problems))
            print(f"{c.name} [{layout}]: {check}; {ratio_cells(rows[-1], c.target)[0]}", flush=True)
    machine["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    md = markdown(rows, machine, args)
    print(md)
    payload = {
        "machine": machine,
        "args": {k: str(v) for k, v in vars(args).items()},
        "rows": [
            {"case": r.case, "layout": r.layout, "check": r.check, "problems": r.problems,
             "results": {t: {"status": x.status, "seconds": x.seconds, "peak_rss_mib": x.peak_rss_mib,
                             "all_seconds": x.info.get("all_seconds"), "cpu_seconds": x.info.get("cpu_seconds"),
                             "message": x.message} for t, x in r.results.items()}}
            for r in rows
        ],
    }
    h.write_reports("every_path", payload, md, args.out_dir)
    return status


if __name__ == "__main__":
    sys.exit(main())
