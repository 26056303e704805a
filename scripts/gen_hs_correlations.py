#!/usr/bin/env python3
"""Generates the embedded UNSD HS correlation tables (HS1992 ... HS2022) of tradedep.

Reads the official UNSD "Conversion and Correlation Tables" workbooks (the "Correlation" sheet of
each; .xlsx with openpyxl, the old .xls with xlrd) and writes

- ``src/classify/hs_tables.tsv.gz``: every table, one block per table, rows in file order:
  ``#table <edition a> <edition b> <file>[<sheet>]`` then ``<code a>\\t<code b>\\t<relationship>\\t<ex>``
  (ex = 1 when the workbook flags the link "ex": only part of the code corresponds);
- ``src/classify/hs_tables.rs``: the provenance (file names, SHA-256, row counts) and the
  ``include_bytes!`` of the data.

Adjacent pairs are cross-checked against the Growth Lab consolidated CSV (every pair it has must
hold the same set of links). Run from the repo root:

    python scripts/gen_hs_correlations.py ../shared/data/hs_concordance ../shared/data/hs_concordance_older

Needs openpyxl and xlrd (the ``gen`` extra of pyproject.toml). Output is deterministic (gzip mtime 0).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import re
import sys
from pathlib import Path

HEADER = re.compile(r"HS\s*(\d{4})")
REL = {"1:1", "1:n", "n:1", "n:n"}


def sheets(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every sheet of a workbook as rows of text cells (codes as written, numbers made whole)."""

    def cell(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    if path.suffix.lower() == ".xls":
        import xlrd

        wb = xlrd.open_workbook(str(path))
        return [(s.name, [[cell(c) for c in s.row_values(r)] for r in range(s.nrows)]) for s in wb.sheets()]
    import openpyxl

    wb = openpyxl.load_workbook(str(path), read_only=True)
    return [(ws.title, [[cell(c) for c in r] for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]


def code(s: str, where: str) -> str:
    c = s.zfill(6)
    if len(c) != 6 or not c.isdigit():
        raise SystemExit(f"{where}: not an HS6 code: {s!r}")
    return c


def correlation(path: Path) -> tuple[str, str, str, list[tuple[str, str, str, int]]]:
    """(edition a, edition b, sheet name, links) of the workbook's correlation sheet."""
    name, rows = next((n, r) for n, r in sheets(path) if "orrel" in n)
    for hi, row in enumerate(rows[:10]):
        found = [(i, HEADER.search(c.upper())) for i, c in enumerate(row)]
        found = [(i, m.group(1)) for i, m in found if m]
        if len(found) >= 2:
            break
    else:
        raise SystemExit(f"{path}: no header naming two HS editions")
    (ia, ya), (ib, yb) = found[:2]
    header = rows[hi]
    irel = next(i for i, h in enumerate(header) if "relation" in h.lower())
    iex = [i for i in range(len(header)) if i not in (ia, ib, irel)]
    links = []
    for k, row in enumerate(rows[hi + 1 :], start=hi + 2):
        get = lambda i: row[i] if i < len(row) else ""  # noqa: E731
        if not get(ia) and not get(ib):
            continue  # blank rows at the end of the old .xls files
        where = f"{path.name}[{name}] row {k}"
        rel = get(irel).lstrip("'")
        if rel not in REL:
            raise SystemExit(f"{where}: relationship {get(irel)!r}")
        ex = int(any(get(i).lower().rstrip(".") == "ex" for i in iex))
        links.append((code(get(ia), where), code(get(ib), where), rel, ex))
    return f"HS{ya}", f"HS{yb}", name, links


def growth_lab(path: Path) -> dict[tuple[str, str], set[tuple[str, str, str]]]:
    out: dict[tuple[str, str], set[tuple[str, str, str]]] = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            after, before = r["adjustment"].split(" to ")
            out.setdefault((f"HS{after}", f"HS{before}"), set()).add(
                (r["code.after"].zfill(6), r["code.before"].zfill(6), r["Relationship"])
            )
    return out


def main(folders: list[str]) -> None:
    files = sorted(p for d in folders for p in Path(d).iterdir() if p.suffix.lower() in (".xls", ".xlsx"))
    gl_path = next((p for d in folders for p in Path(d).glob("growthlab_*.csv")), None)
    gl = growth_lab(gl_path) if gl_path else {}
    blocks, prov = [], []
    for p in files:
        a, b, sheet, links = correlation(p)
        sha = hashlib.sha256(p.read_bytes()).hexdigest()
        check = ""
        if (a, b) in gl:
            mine = {(x, y, r) for x, y, r, _ in links}
            if mine != gl[(a, b)]:
                raise SystemExit(f"{p.name}: differs from the Growth Lab CSV ({len(mine ^ gl[(a, b)])} links)")
            check = "equal to the Growth Lab consolidated CSV"
        blocks.append(f"#table {a} {b} {p.name}[{sheet}]\n" + "".join(f"{x}\t{y}\t{r}\t{e}\n" for x, y, r, e in links))
        prov.append((a, b, p.name, sheet, sha, len(links), check))
        print(f"{a}-{b}: {len(links)} links from {p.name}[{sheet}] {check}")
    data = gzip.compress("".join(blocks).encode(), compresslevel=9, mtime=0)
    out = Path("src/classify")
    (out / "hs_tables.tsv.gz").write_bytes(data)
    gl_line = (
        f"//!\n//! Cross-check: {gl_path.name} (SHA-256 {hashlib.sha256(gl_path.read_bytes()).hexdigest()}).\n"
        if gl_path
        else ""
    )
    rs = (
        "//! GENERATED by scripts/gen_hs_correlations.py from the official UNSD correlation tables: do not edit.\n"
        "//! Source files (UN Statistics Division, \"HS Conversion and Correlation Tables\", as kept in\n"
        "//! github insongkim/concordance data-raw/, see PROVENANCE.md of each shared data folder):\n"
        + "".join(
            f"//! - {a}-{b}: {name} [{sheet}], {n} links, SHA-256 {sha}{'; ' + c if c else ''}\n"
            for a, b, name, sheet, sha, n, c in prov
        )
        + gl_line
        + "\n/// `(edition a, edition b, source file [sheet], SHA-256 of the file, links)` per embedded table,\n"
        "/// in the order of the blocks of `DATA`.\n"
        "pub const TABLES: &[(&str, &str, &str, &str, usize)] = &[\n"
        + "".join(f'    ("{a}", "{b}", "{name} [{sheet}]", "{sha}", {n}),\n' for a, b, name, sheet, sha, n, _ in prov)
        + "];\n\n/// Gzip of the tables: `#table <a> <b> <source>` lines, then `code a\\tcode b\\trelationship\\tex`.\n"
        'pub static DATA: &[u8] = include_bytes!("hs_tables.tsv.gz");\n'
    )
    (out / "hs_tables.rs").write_text(rs)
    print(f"wrote {len(data)} bytes of tables and src/classify/hs_tables.rs")


if __name__ == "__main__":
    main(sys.argv[1:] or ["../shared/data/hs_concordance", "../shared/data/hs_concordance_older"])
