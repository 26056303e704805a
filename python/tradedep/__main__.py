"""``python -m tradedep [FILE]``: read a trade file and print what is in it.

With no file, runs on the small embedded demo table (SYNTHETIC numbers, labelled as such).
The reader is chosen from the file name: BACI (``BACI_*``/``baci_*``), Comext (``*comext*``,
``full*.dat``, ``.7z``), otherwise Comtrade; ``--reader`` overrides.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import tradedep as td


def _pick_reader(path: Path, name: str | None) -> Any:
    readers = {
        "baci": getattr(td, "read_baci", None),
        "comtrade": getattr(td, "read_comtrade", None),
        "comext": getattr(td, "read_comext", None),
    }
    if name is None:
        low = path.name.lower()
        if low.startswith("baci"):
            name = "baci"
        elif "comext" in low or low.startswith("full") or low.endswith(".7z") or "eurostat" in str(path).lower():
            name = "comext"
        else:
            name = "comtrade"
    reader = readers.get(name)
    if reader is None:
        raise SystemExit(f"tradedep: no reader named {name!r} in this build")
    return reader


def _country_label(code: int) -> str:
    lookup = getattr(td, "country", None)
    if lookup is None:
        return str(code)
    try:
        c = lookup(int(code))
        return f"{c.iso3} {c.name}"
    except td.TradeDepError:
        return str(code)


def summarize(trade: td.TradeTable, title: str, top: int = 8) -> str:
    """A plain-text summary of a trade table: what was read, periods, biggest flows."""
    import pyarrow.compute as pc

    t = trade.to_arrow().unify_dictionaries()
    r = trade.report
    lines = [f"== {title}", f"rows: {trade.num_rows:,} (read {r['rows_read']:,}, set aside {r['rows_set_aside']:,})"]
    for reason, n in r["set_aside"].items():
        lines.append(f"  set aside {n:,}: {reason}")
    lines.extend(f"  note: {n}" for n in r["notes"])
    lines.append(f"frequency {trade.freq}, currency {trade.currency}, vintage {trade.vintage or 'unknown'}")
    if t.num_rows == 0:
        return "\n".join(lines)
    lines.append(f"periods: {pc.min(t['period']).as_py()} .. {pc.max(t['period']).as_py()}")
    total = pc.sum(t["value"]).as_py()
    lines.append(f"total value: {total:,.0f} {trade.currency}")
    for key, label in (("reporter", "reporters"), ("partner", "partners"), ("product", "products")):
        g = t.group_by(key).aggregate([("value", "sum")]).sort_by([("value_sum", "descending")])
        lines.append(f"top {label} ({g.num_rows:,} in all):")
        for row in g.slice(0, top).to_pylist():
            name = _country_label(row[key]) if key != "product" else str(row[key])
            lines.append(f"  {name:<32} {row['value_sum']:>20,.0f}  {row['value_sum'] / total:6.1%}")
    return "\n".join(lines)


def chpl_dependency(trade: td.TradeTable) -> str:
    """The first question users ask: China+HK's share of each importer's CHPL imports, by year.

    Uses import rows where the table has them (importer = reporter), else rebuilds imports from
    partners' exports (mirror view), as ``td.supplier_shares(source="auto")`` does.
    """
    import pyarrow.compute as pc

    if trade.vintage is None or not trade.vintage.startswith(("HS", "CN")):
        return "CHPL dependency: skipped (product vintage unknown)"
    t = trade.to_arrow().unify_dictionaries()
    flows = set(pc.unique(t["flow"].combine_chunks().cast("string")).to_pylist()) if t.num_rows else set()
    importers = t["reporter"] if "import" in flows else t["partner"]
    by_value = (
        t.append_column("importer", importers).group_by("importer").aggregate([("value", "sum")])
        .sort_by([("value_sum", "descending")]).slice(0, 3)
    )
    lines = ["== China+HK share of CHPL imports (td.supplier_shares, by year)"]
    chpl = td.lists.chpl()
    for code in by_value["importer"].to_pylist():
        try:
            res = td.supplier_shares(
                trade, importer=int(code), products=chpl, groups={"China+HK": ["CHN", "HKG"]}, by="year", source="auto"
            ).to_arrow()
        except td.TradeDepError as e:
            # The same cause (e.g. no concordance for the table's vintage) holds for every importer.
            lines.append(f"  skipped: {e}")
            break
        rows = [r for r in res.to_pylist() if r["supplier"] == "China+HK"]
        if not rows:
            lines.append(f"  {_country_label(code)}: no CHPL imports from China+HK")
        for r in rows:
            lines.append(
                f"  {_country_label(code):<24} {r['year']}: {r['share']:6.1%} of {r['total_value']:>16,.0f} {trade.currency}"
                f" ({r['source']})"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tradedep", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", help="BACI, Comtrade or Comext file; omit for the synthetic demo")
    parser.add_argument("--reader", choices=["baci", "comtrade", "comext"], help="force a reader")
    parser.add_argument("--top", type=int, default=8, help="rows in each top list")
    parser.add_argument(
        "--concordances", metavar="DIR",
        help="folder of UNSD HS correlation tables (CSV or xlsx) to carry the HS2022 CHPL to the file's vintage",
    )
    args = parser.parse_args(argv)
    try:
        if args.concordances:
            td.load_concordances(args.concordances)
        if args.file is None:
            trade = td.demo_table()
            title = "tradedep demo table: SYNTHETIC data, not real trade"
        else:
            path = Path(args.file)
            trade = _pick_reader(path, args.reader)(str(path))
            title = str(path)
        print(summarize(trade, title, args.top))
        print(chpl_dependency(trade))
    except td.TradeDepError as e:
        print(f"tradedep: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
