#!/usr/bin/env python3
"""The four file variants of one generated BACI year that ``every_path.py`` reads.

From the generator's file (CEPII's own layout: quoted header ``"t","i","j","k","v","q"``, CRLF,
``q`` right-aligned in 13 characters inside quotes, rows sorted by exporter, importer, product):

- ``cepii_sorted``: the generator's file itself (not copied);
- ``cepii_shuffled``: the same lines in a random order (fixed seed), header first;
- ``resaved_sorted``: as a file looks after another tool re-saves it: header ``t,i,j,k,v,q``
  unquoted, LF line ends, ``q`` unquoted and unpadded (``NA`` stays ``NA``);
- ``resaved_shuffled``: the re-saved lines in the shuffled order.

The variants are cached next to the base file (``<stem>.<layout>.csv``) and rebuilt only when the
base file is newer. Same rows, same numbers in every variant: only bytes and order differ.

    python3 benches/make_layouts.py benches/data/BACI_synthetic_Y2021_2000000rows_seed2021.csv
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

LAYOUTS = ["cepii_sorted", "cepii_shuffled", "resaved_sorted", "resaved_shuffled"]
SHUFFLE_SEED = 20210


def layout_path(base: Path, layout: str) -> Path:
    """Where the `layout` variant of `base` lives (the base itself for ``cepii_sorted``)."""
    if layout == "cepii_sorted":
        return base
    return base.with_name(f"{base.stem}.{layout}.csv")


def resave_line(line: bytes) -> bytes:
    """One CEPII data line (CRLF, quoted padded q) as another tool writes it back (LF, bare q)."""
    head, q = line.rstrip(b"\r\n").rsplit(b",", 1)
    return head + b"," + q.strip(b'" ') + b"\n"


def make_layouts(base: Path, layouts: list[str] | None = None) -> dict[str, Path]:
    """Writes the missing (or stale) variants of `base`; returns layout -> path."""
    wanted = layouts or LAYOUTS
    out = {name: layout_path(base, name) for name in wanted}
    stale = [n for n, p in out.items() if not p.exists() or p.stat().st_mtime < base.stat().st_mtime]
    if not stale:
        return out
    with open(base, "rb") as f:
        header, *rows = f.read().splitlines(keepends=True)
    order = list(range(len(rows)))
    random.Random(SHUFFLE_SEED).shuffle(order)
    for name in stale:
        if name == "cepii_sorted":
            continue
        shuffled = name.endswith("shuffled")
        if name.startswith("resaved"):
            head, lines = b"t,i,j,k,v,q\n", [resave_line(r) for r in rows]
        else:
            head, lines = header, rows
        if shuffled:
            lines = [lines[i] for i in order]
        tmp = out[name].with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(head)
            f.writelines(lines)
        tmp.replace(out[name])
        print(f"wrote {out[name]}", file=sys.stderr)
    return out


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for layout, path in make_layouts(Path(sys.argv[1]), sys.argv[2:] or None).items():
        print(layout, path)
