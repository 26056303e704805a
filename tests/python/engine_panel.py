"""A synthetic multi-year panel for the engine tests, and the comparison of two metric results.

The panel has what makes a cube differ from rows if it is built carelessly: repeated keys (rows
that the cube merges), imports and exports of the same pairs (mirror, auto), quantities in two
units within one cell and missing quantities, estimated rows, partner World rows and rows without
a value (both set aside by the reader).
"""

from __future__ import annotations

from typing import Any

import numpy as np

CODES = [156, 344, 643, 276, 251, 842, 392, 410, 699, 76, 792, 51, 268, 398, 112]
CANONICAL = {c: c for c in ("period", "reporter", "partner", "flow", "product", "value", "quantity", "quantity_unit", "estimated")}


def panel(n: int, years: range = range(2016, 2022), seed: int = 7) -> Any:
    """``n`` canonical-column rows (a pyarrow table) over ``years``."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    products = [f"{c:06d}" for c in rng.choice(np.arange(10000, 979999), 60, replace=False)]
    period = rng.choice(np.array(list(years), np.int32), n)
    reporter = rng.choice(CODES, n)
    partner = rng.choice(CODES, n)
    partner = np.where(partner == reporter, CODES[(CODES.index(CODES[0]) + 1)], partner)
    partner = np.where(partner == reporter, CODES[2], partner)
    world = rng.random(n) < 0.01
    partner = np.where(world, 0, partner)
    flow = np.where(rng.random(n) < 0.55, "import", "export")
    # Russia reports no imports after 2019 (auto takes mirror rows there).
    flow = np.where((reporter == 643) & (period > 2019), "export", flow)
    product = rng.choice(products, n)
    value = np.round(rng.lognormal(9, 2, n), 3)
    value_null = rng.random(n) < 0.005
    qty = np.round(value / rng.lognormal(1, 1, n), 3)
    qty_null = rng.random(n) < 0.08
    unit = np.where(rng.random(n) < 0.85, "kg", "u")
    estimated = rng.random(n) < 0.05
    return pa.table(
        {
            "period": pa.array(period),
            "reporter": pa.array(reporter.astype(np.int32)),
            "partner": pa.array(partner.astype(np.int32)),
            "flow": pa.array(flow),
            "product": pa.array(product),
            "value": pa.array(value, mask=value_null),
            "quantity": pa.array(qty, mask=qty_null),
            "quantity_unit": pa.array(unit),
            "estimated": pa.array(estimated),
        }
    )


def assert_same_result(got: Any, want: Any, rel: float = 1e-9) -> None:
    """Equal tables up to row order: keys and counts exactly, floats to ``rel`` relative."""
    import pyarrow as pa

    g, w = pa.table(got), pa.table(want)
    assert g.column_names == w.column_names, (g.column_names, w.column_names)
    assert g.num_rows == w.num_rows, (g.num_rows, w.num_rows)
    keys = [c for c, t in zip(w.column_names, w.schema.types) if not pa.types.is_floating(t)]
    # Floats last: they break ties only (a 1e-15 difference cannot reorder rows with distinct keys).
    floats = [c for c in w.column_names if c not in keys]
    order = [(k, "ascending") for k in keys + floats]
    g, w = g.sort_by(order), w.sort_by(order)
    for name, t in zip(w.column_names, w.schema.types):
        a, b = g.column(name).to_pylist(), w.column(name).to_pylist()
        if pa.types.is_floating(t):
            x = np.array([np.nan if v is None else v for v in a], float)
            y = np.array([np.nan if v is None else v for v in b], float)
            assert (np.isnan(x) == np.isnan(y)).all(), name
            ok = ~np.isnan(y)
            np.testing.assert_allclose(x[ok], y[ok], rtol=rel, atol=0, err_msg=name)
        else:
            assert a == b, f"column {name} differs"
