"""``python -m tradedep [FILE]``: read a trade file and print what is in it;
``python -m tradedep SUBCOMMAND FILE [options]``: compute one metric and print it as a table.

With no file, runs on the small embedded demo table (SYNTHETIC numbers, labelled as such).
The reader is chosen from the file name: BACI (``BACI_*``/``baci_*``), Comext (``*comext*``,
``full*.dat``, ``.7z``), otherwise Comtrade; ``--reader`` overrides.

Subcommands, each a thin layer over one function of the Python API (its arguments, its
defaults; ``python -m tradedep SUBCOMMAND --help`` lists the options):

  shares         td.supplier_shares: each supplier's share of an importer's imports
  concentration  td.concentration: HHI, CR1/CR3, top supplier (or product) of imports
  series         td.import_series: imports over time on a complete calendar, with an index
  rerouting      td.rerouting: did an origin's exports to a target move to hubs?
  complexity     td.complexity: RCA, ECI and PCI per year (prints the ECI table)

FILE is required after a subcommand; ``demo`` means the SYNTHETIC demo table (write ``./demo``
for a file of that name, and ``./shares`` for a file named like a subcommand). Products:
codes or prefixes (``8542,850760``), ``chpl``, a CHPL tier (``chpl:1``, ``chpl:3.A``) or a
built-in basket (``basket:drone_components``). Countries: ISO3 codes, names or numeric codes.
Each subcommand prints the first ``--limit`` rows of its result and the result's notes;
``--out PATH.csv`` or ``PATH.parquet`` writes the whole result (``rerouting`` and
``complexity`` write one file per table: ``PATH_summary.csv`` ...). tradedep's errors print
``tradedep: <message>`` and exit with status 2, as bad arguments do.

    python -m tradedep shares demo --importer RUS --products chpl --group "China+HK=CHN,HKG" --by year
"""

from __future__ import annotations

import argparse
import inspect
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


def chpl_dependency(trade: td.TradeTable, concordances: Any = None) -> str:
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
                trade, importer=int(code), products=chpl, groups={"China+HK": ["CHN", "HKG"]}, by="year", source="auto",
                concordances=concordances,
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


def _vintage(text: str | None) -> Any:
    """``--vintage``: one vintage (``CN2022``) or one per year (``2021=CN2021,2022=CN2022``)."""
    if not text or "=" not in text:
        return text
    pairs = [p.split("=", 1) for p in _split(text)]
    try:
        return {int(y): v.strip() for y, v in pairs}
    except ValueError as e:
        raise td.InvalidArgumentError(f"--vintage {text!r}: write CN2022 or 2021=CN2021,2022=CN2022") from e


def _read(
    file: str | None, reader: str | None, vintage: str | None = None, importers: list[str] | None = None
) -> tuple[td.TradeTable, str]:
    """The table and its title (None: the demo), with ``--vintage`` applied. ``importers``: a
    BACI file is read for them only (``read_baci(importers=...)``: the question is about them)."""
    if vintage:
        trade, title = _read(file, reader, importers=importers)
        return trade.with_vintage(_vintage(vintage)), title
    if file is None:
        return td.demo_table(), "tradedep demo table: SYNTHETIC data, not real trade"
    path = Path(file)
    read = _pick_reader(path, reader)
    if importers and read is getattr(td, "read_baci", None):
        return read(str(path), importers=importers), str(path)
    return read(str(path)), str(path)


# --- subcommands --------------------------------------------------------------------------------

SUBCOMMANDS: dict[str, str] = {
    "shares": "each supplier's share of an importer's imports (td.supplier_shares)",
    "concentration": "concentration of imports over suppliers or products (td.concentration)",
    "series": "imports over time on a complete calendar (td.import_series)",
    "rerouting": "did an origin's exports to a target move to hubs? (td.rerouting)",
    "complexity": "RCA, ECI and PCI per year (td.complexity)",
}

_OUT_SUFFIXES = (".csv", ".parquet")


class _Output:
    """What a subcommand shows (one table and the notes) and what ``--out`` writes (name -> table;
    the name "" is the ``--out`` path itself, any other one becomes ``<stem>_<name><suffix>``)."""

    def __init__(self, shown: td.ArrowResult, notes: list[str], tables: dict[str, td.ArrowResult]) -> None:
        self.shown = shown
        self.notes = notes
        self.tables = tables


def _cell(v: Any) -> str:
    from tradedep._table import _fmt

    return "null" if v is None else _fmt(v)


def render(table: Any, limit: int = 20) -> str:
    """A fixed-width text rendering of the first ``limit`` rows of an Arrow table: numbers
    right-aligned as ``ArrowResult``'s repr writes them, nulls as ``null``."""
    import pyarrow as pa

    head = table.slice(0, limit)
    names = table.column_names
    columns = [[_cell(v) for v in head.column(c).to_pylist()] for c in names]
    numeric = [pa.types.is_integer(f.type) or pa.types.is_floating(f.type) for f in table.schema]
    widths = [max([len(n)] + [len(x) for x in col]) for n, col in zip(names, columns)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)).rstrip()

    lines = [line(names), line(["-" * w for w in widths])]
    lines.extend(line([col[i] for col in columns]) for i in range(head.num_rows))
    if table.num_rows > limit:
        lines.append(f"... {table.num_rows - limit:,} more rows (--limit N prints more, --out PATH writes all)")
    return "\n".join(lines)


def _out_path(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a directory; give a file name ending in .csv or .parquet")
    if path.suffix.lower() not in _OUT_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text}: the name must end in .csv or .parquet (the format is chosen by it)")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: folder {path.parent} does not exist")
    return path


def _out_paths(out: Path, names: list[str]) -> dict[str, Path]:
    paths = {n: out if n == "" else out.with_name(f"{out.stem}_{n}{out.suffix}") for n in names}
    for p in paths.values():
        if p.is_dir():
            raise td.InvalidArgumentError(f"{p} is a directory; it is not overwritten")
    return paths


def _write(table: Any, path: Path) -> None:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, str(path))
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, str(path))


def _range(text: str) -> tuple[int, int]:
    """``2021`` or ``2017-2021`` (years, or YYYYMM months) -> an inclusive (first, last) pair."""
    lo, sep, hi = text.partition("-")
    ok = lo.isdigit() and len(lo) in (4, 6) and (not sep or (hi.isdigit() and len(hi) == len(lo)))
    if not ok:
        raise argparse.ArgumentTypeError(f"{text!r}: give a year or a range of years (2021, 2017-2021), or of YYYYMM months")
    return int(lo), int(hi or lo)


def _group(text: str) -> tuple[str, list[str]]:
    label, sep, members = text.partition("=")
    codes = _split(members)
    if not sep or not label.strip() or not codes:
        raise argparse.ArgumentTypeError(f"{text!r}: write a group as LABEL=COUNTRY,COUNTRY (\"China+HK=CHN,HKG\")")
    return label.strip(), codes


def _nonnegative(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def _split(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _products(text: str | None) -> Any:
    """``--products``: codes/prefixes, ``chpl``, ``chpl:TIER`` or ``basket:NAME``, as the API takes them."""
    if text is None:
        return None
    low = text.strip().lower()
    if low == "chpl":
        return td.lists.chpl()
    if low.startswith("chpl:"):
        return td.lists.chpl().tier(text.strip()[5:])
    if low.startswith("basket:"):
        name = low[7:]
        if name.startswith("_") or not callable(getattr(td.baskets, name, None)):
            raise td.InvalidArgumentError(f"no built-in basket {name!r}; the baskets are: {td.baskets!r}")
        return getattr(td.baskets, name)()
    return _split(text)


def _given(**arguments: Any) -> dict[str, Any]:
    """The options the user gave (None: not given), so that the API's own defaults apply."""
    return {k: v for k, v in arguments.items() if v is not None}


def _default(function: Any, name: str) -> str:
    """The API's default of an argument, for the help text."""
    value = inspect.signature(function).parameters[name].default
    return ",".join(value) if isinstance(value, tuple) else str(value)


def _importer(values: list[str] | None) -> Any:
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _groups(values: list[tuple[str, list[str]]] | None) -> dict[str, list[str]] | None:
    return dict(values) if values else None


def _shares(trade: td.TradeTable, a: argparse.Namespace) -> _Output:
    r = td.supplier_shares(
        trade, _importer(a.importer), products=_products(a.products), groups=_groups(a.group),
        **_given(by=a.by and _split(a.by), source=a.source, top=a.top, concordances=a.tables),
    )
    return _Output(r, r.notes, {"": r})


def _concentration(trade: td.TradeTable, a: argparse.Namespace) -> _Output:
    # The API's default breakdown includes product, which concentration over products refuses.
    by = a.by or ("period" if a.over == "product" else None)
    r = td.concentration(
        trade, importer=_importer(a.importer), products=_products(a.products), groups=_groups(a.group),
        **_given(by=by and _split(by), over=a.over, source=a.source, concordances=a.tables),
    )
    return _Output(r, r.notes, {"": r})


def _series(trade: td.TradeTable, a: argparse.Namespace) -> _Output:
    r = td.import_series(
        trade, _importer(a.importer), products=_products(a.products), groups=_groups(a.group),
        by_supplier=a.by_supplier, by_product=a.by_product, baseline=a.baseline, **_given(freq=a.freq, source=a.source, concordances=a.tables),
    )
    return _Output(r, r.notes, {"": r})


def _rerouting(trade: td.TradeTable, a: argparse.Namespace) -> _Output:
    origin = a.origin and _split(a.origin)
    r = td.rerouting(
        trade, baseline=a.baseline, after=a.after, controls=a.controls and _split(a.controls),
        products=_products(a.products), by_product=a.by_product,
        **_given(
            origin=origin and (origin[0] if len(origin) == 1 else origin), hubs=a.hubs and _split(a.hubs),
            target=a.target, exports=a.exports, hub_exports=a.hub_exports,
        ),
    )
    tables = {"flows": r.flows, "summary": r.summary, "hub_target": r.hub_target, "ghost": r.ghost}
    return _Output(r.summary, r.notes, tables)


def _complexity(trade: td.TradeTable, a: argparse.Namespace) -> _Output:
    c = td.complexity(
        trade, digits=a.digits, **_given(exports=a.exports, threshold=a.threshold, pci_scale=a.pci_scale),
    )
    return _Output(c.eci, c.notes, {"rca": c.rca, "eci": c.eci, "pci": c.pci})


def _subcommand_parsers() -> dict[str, argparse.ArgumentParser]:
    """One parser a subcommand (``tradedep shares`` ...), keyed by its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("file", metavar="FILE", help="BACI, Comtrade or Comext file, or 'demo' for the SYNTHETIC demo table")
    common.add_argument("--reader", choices=["baci", "comtrade", "comext"], help="force a reader")
    common.add_argument(
        "--vintage", metavar="V",
        help="product vintage: one for all periods (CN2022) or per year (2021=CN2021,2022=CN2022)",
    )
    common.add_argument("--concordances", metavar="DIR", help="folder of UNSD HS correlation tables (CSV or xlsx); default the embedded HS1992-HS2022 tables")
    common.add_argument("--out", metavar="PATH", type=_out_path, help="write the whole result to PATH (.csv or .parquet)")
    common.add_argument("--limit", metavar="N", type=_nonnegative, default=20, help="rows printed (default 20)")
    products = argparse.ArgumentParser(add_help=False)
    products.add_argument(
        "--products", metavar="CODES",
        help="codes or prefixes (8542,850760), chpl, chpl:TIER (chpl:1, chpl:3.A) or basket:NAME; default all",
    )
    selection = argparse.ArgumentParser(add_help=False, parents=[products])
    selection.add_argument(
        "--group", metavar="LABEL=C1,C2", type=_group, action="append",
        help='suppliers counted as one, e.g. "China+HK=CHN,HKG" (repeat for more groups)',
    )
    selection.add_argument(
        "--source", choices=["reported", "mirror", "auto"],
        help="reported where the importer reported in that period, mirror otherwise (auto, the default), importers' own imports (reported) or partners' exports (mirror)",
    )
    importer_help = "importer: ISO3 code, name, numeric code or group such as EU27 (repeat for several)"

    parsers: dict[str, argparse.ArgumentParser] = {}

    def add(name: str, *parents: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parsers[name] = argparse.ArgumentParser(
            prog=f"tradedep {name}", parents=[common, *parents], description=SUBCOMMANDS[name],
        )
        return parsers[name]

    p = add("shares", selection)
    p.add_argument("--importer", action="append", required=True, help=importer_help)
    p.add_argument("--by", help=f"period, year, quarter, product, or a comma list (default {_default(td.supplier_shares, 'by')})")
    p.add_argument("--top", metavar="N", type=int, help="keep the N largest suppliers and a Rest of world row")
    p.set_defaults(run=_shares)

    p = add("concentration", selection)
    p.add_argument("--importer", action="append", help=importer_help + "; default every importer")
    p.add_argument(
        "--by",
        help=f"comma list of period, year, quarter, product (default {_default(td.concentration, 'by')}; "
        "period with --over product)",
    )
    p.add_argument("--over", choices=["partner", "product"], help="concentration over suppliers (partner, the default) or products")
    p.set_defaults(run=_concentration)

    p = add("series", selection)
    p.add_argument("--importer", action="append", required=True, help=importer_help)
    p.add_argument("--freq", choices=["month", "quarter", "year"], help=f"default {_default(td.import_series, 'freq')}")
    p.add_argument("--baseline", metavar="YEARS", type=_range, help="index = 100 x value / mean of these years (2017-2021)")
    p.add_argument("--by-supplier", action="store_true", help="one series per supplier (or --group)")
    p.add_argument("--by-product", action="store_true", help="one series per product")
    p.set_defaults(run=_series)

    p = add("rerouting", products)
    p.add_argument(
        "--origin", help=f"exporting country, group or comma list of countries (default {_default(td.rerouting, 'origin')})",
    )
    p.add_argument("--hubs", help=f"comma list of hub countries (default {_default(td.rerouting, 'hubs')})")
    p.add_argument("--target", help=f"the sanctioned destination (default {_default(td.rerouting, 'target')})")
    p.add_argument("--baseline", metavar="PERIODS", type=_range, required=True, help="baseline years (2021 or 2019-2021) or YYYYMM months")
    p.add_argument("--after", metavar="PERIODS", type=_range, help="after window (default every period after the baseline)")
    p.add_argument("--controls", metavar="C1,C2", help="control destinations (default every other destination)")
    p.add_argument("--by-product", action="store_true", help="one series per product instead of their sum")
    p.add_argument("--exports", choices=["reported", "mirror"], help="origin's exports as reported (default) or mirrored")
    p.add_argument("--hub-exports", choices=["reported", "mirror"], help="hubs' exports as reported (default) or mirrored")
    p.set_defaults(run=_rerouting)

    p = add("complexity")
    p.add_argument("--digits", type=int, help="aggregate products to their first N digits (4: HS4 headings)")
    p.add_argument("--pci-scale", choices=["eci", "own"], help="standardise PCI by ECI's moments (eci, the default) or its own")
    p.add_argument("--exports", choices=["reported", "mirror"], help="exporters' reported exports (default) or partners' imports")
    p.add_argument("--threshold", type=float, help=f"m = rca >= threshold (default {_default(td.complexity, 'threshold')})")
    p.set_defaults(run=_complexity)
    return parsers


def _run_subcommand(argv: list[str]) -> int:
    args = _subcommand_parsers()[argv[0]].parse_args(argv[1:])
    try:
        # Shares, concentration and series of given importers read only their flows.
        importers = getattr(args, "importer", None) if args.run in (_shares, _concentration, _series) else None
        trade, title = _read(None if args.file == "demo" else args.file, args.reader, args.vintage, importers)
        args.tables = args.concordances and td.load_concordances(args.concordances)
        output: _Output = args.run(trade, args)
        paths = _out_paths(args.out, list(output.tables)) if args.out is not None else {}
        shown = output.shown.to_arrow()
        print(f"== {output.shown.title}: {title}")
        print(f"{shown.num_rows:,} row{'' if shown.num_rows == 1 else 's'} x {shown.num_columns} columns")
        print(render(shown, args.limit))
        for note in output.notes:
            print(f"note: {note}")
        for name, path in paths.items():
            table = output.tables[name].to_arrow()
            _write(table, path)
            print(f"wrote {path} ({table.num_rows:,} rows)")
    except (td.TradeDepError, ValueError, OSError) as e:
        print(f"tradedep: {e}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in SUBCOMMANDS:
        return _run_subcommand(argv)
    parser = argparse.ArgumentParser(prog="tradedep", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", help="BACI, Comtrade or Comext file; omit for the synthetic demo")
    parser.add_argument("--reader", choices=["baci", "comtrade", "comext"], help="force a reader")
    parser.add_argument("--top", type=int, default=8, help="rows in each top list")
    parser.add_argument(
        "--vintage", metavar="V",
        help="product vintage: one for all periods (CN2022) or per year (2021=CN2021,2022=CN2022)",
    )
    parser.add_argument(
        "--concordances", metavar="DIR",
        help="folder of UNSD HS correlation tables (CSV or xlsx) used before the embedded HS1992-HS2022 tables",
    )
    args = parser.parse_args(argv)
    try:
        trade, title = _read(args.file, args.reader, args.vintage)
        print(summarize(trade, title, args.top))
        print(chpl_dependency(trade, args.concordances and td.load_concordances(args.concordances)))
    except td.TradeDepError as e:
        print(f"tradedep: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:
        # Output piped into `head` and closed early: stop quietly, as Unix tools do (the
        # redirect keeps Python from failing again when it flushes stdout at exit).
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1)
