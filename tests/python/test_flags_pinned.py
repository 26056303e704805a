"""Every column of dependency_flags (GeoDep and EU 2021) against an independent pandas computation
of the rules in docs/methods/coverage.md and the flags module docs: the real BACI sample (two
exporters: not the world at the default bar, the world at 2) and multi-year hand-made tables with
both flows, zeros, repeated rows, a world= table and an importer selection. Pins the output, row
order included, so that a faster kernel gives the same rows."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tradedep as td
from tradedep._metrics import _table_from_columns

BACI92 = "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz"


def label(code: int) -> str:
    try:
        iso3 = td.country(int(code)).iso3
    except td.TradeDepError:
        iso3 = ""
    return iso3 or str(code)


def frame(t: td.TradeTable) -> pd.DataFrame:
    df = t.to_pandas()[["period", "reporter", "partner", "flow", "product", "value"]].copy()
    df["flow"] = df["flow"].astype(str)
    df["product"] = df["product"].astype(str)
    df["period"] = df["period"].astype(int)
    return df


def import_view(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Rows (importer, supplier, product, year, value, mirrored) of the import view."""
    imp = df[df["flow"] == "import"].assign(importer=lambda d: d["reporter"], supplier=lambda d: d["partner"], mirrored=False)
    exp = df[df["flow"] == "export"].assign(importer=lambda d: d["partner"], supplier=lambda d: d["reporter"], mirrored=True)
    if source == "reported":
        v = imp
    elif source == "mirror":
        v = exp
    else:
        reported = set(zip(imp["importer"], imp["period"]))
        v = pd.concat([imp, exp[[(i, p) not in reported for i, p in zip(exp["importer"], exp["period"])]]])
    v = v.assign(year=v["period"] // 100 if (v["period"] > 9999).any() else v["period"])
    return v[["importer", "supplier", "product", "year", "value", "mirrored"]].reset_index(drop=True)


def hhi(values: pd.Series) -> float | None:
    pos = values[values > 0]
    total = pos.sum()
    if not total > 0:
        return None
    return float(((pos / total) ** 2).sum())


def coverage(world: pd.DataFrame) -> tuple[dict[int, tuple[int, int]], dict[tuple[int, int], set[int]]]:
    """Per year (exporters, destinations), and destinations per (exporter, year), from every row."""
    pairs: dict[tuple[int, int], set[int]] = {}
    for p, r, q, f in zip(world["period"], world["reporter"], world["partner"], world["flow"]):
        y = p // 100 if p > 9999 else p
        if f == "export":
            pairs.setdefault((r, y), set()).add(q)
        elif f == "import":
            pairs.setdefault((q, y), set()).add(r)
    breadth: dict[int, tuple[int, int]] = {}
    for y in {y for _, y in pairs}:
        exporters = [e for e, yy in pairs if yy == y]
        dests = set().union(*(pairs[(e, y)] for e in exporters))
        breadth[y] = (len(exporters), len(dests))
    return breadth, pairs


class World:
    def __init__(self, world: pd.DataFrame, m: int, name: str) -> None:
        self.breadth, self.pairs = coverage(world)
        self.m, self.name = m, name

    def world(self, y: int) -> str | None:
        ne, nd = self.breadth.get(y, (0, 0))
        if ne >= self.m and nd >= self.m:
            return None
        return (f"{self.name} is not the world in {y}: {ne} exporters and {nd} destinations (a world table holds "
                f"at least {self.m} of each); pass world= a world table such as BACI")

    def complete(self, countries: list[int], y: int, who: str) -> str | None:
        if self.world(y) is None:
            return None
        dests = set().union(*(self.pairs.get((c, y), set()) for c in countries)) - set(countries)
        if len(dests) >= self.m:
            return None
        return (f"exports of {who} in {y} are not in {self.name} (they reach {len(dests)} destinations there, fewer "
                f"than {self.m}, and the table is not the world); pass world= a table with them")

    def ratio(self, imports: float, exports: float | None, reason: str | None, who: str, y: int) -> tuple[Any, Any, Any]:
        if reason is not None:
            return None, None, reason
        if exports > 0:
            return exports, imports / exports, None
        return exports, 9999.0, (f"{who} exported none of the product in {y} ({self.name} holds its exports): "
                                 "ratio 9999 by CEPII's convention")


def kleene(*v: Any) -> Any:
    if any(x is False for x in v):
        return False
    if any(x is None for x in v):
        return None
    return True


def gt(x: Any, t: float) -> Any:
    return None if x is None else bool(x > t)


def source_of(n_mirrored: int, n_rows: int) -> str:
    return "reported" if n_mirrored == 0 else "mirror" if n_mirrored == n_rows else "mixed"


def hhis(values: pd.Series, keys: list[str]) -> dict[Any, float]:
    """HHI over the positive values of each group of `keys` (absent where none is positive)."""
    pos = values[values > 0]
    share = pos / pos.groupby(level=keys).transform("sum")
    return (share**2).groupby(level=keys).sum().to_dict()


def geodep_reference(df: pd.DataFrame, source: str = "reported", world: pd.DataFrame | None = None, m: int = 100,
                     importers: list[int] | None = None, hhi_t: float = 0.4, world_hhi: float = 0.4,
                     ratio_t: float = 1.0, persistence: int = 2, window: int = 3) -> pd.DataFrame:
    view = import_view(df, source)
    wdf = df if world is None else world
    cov = World(wdf, m, "this table" if world is None else "the world table")
    wv = import_view(wdf, "auto")
    wv = wv[wv["product"].isin(set(view["product"]))]
    exports = wv.groupby(["supplier", "product", "year"])["value"].sum()
    c2 = hhis(exports, ["product", "year"])
    first_year = int(view["year"].min())
    keys = ["importer", "product", "year"]
    cells = view.groupby(keys).agg(imports=("value", "sum"), n_rows=("value", "size"), n_mir=("mirrored", "sum"))
    c1s = hhis(view.groupby(keys + ["supplier"])["value"].sum(), keys)
    rows = []
    for (c, p, y), cell in cells.iterrows():
        who = label(c)
        c2_reason = cov.world(y)
        c2_hhi = None
        if c2_reason is None:
            c2_hhi = c2.get((p, y))
            if c2_hhi is None:
                c2_reason = f"no exports of the product in {cov.name} in {y}"
        reason = cov.complete([c], y, who)
        x, c3, c3_reason = cov.ratio(cell["imports"], None if reason else float(exports.get((c, p, y), 0.0)), reason, who, y)
        c1 = c1s.get((c, p, y))
        rows.append(dict(importer=c, year=y, product=p, imports=cell["imports"], exports=x, c1_hhi=c1,
                         c1=gt(c1, hhi_t), c2_hhi=c2_hhi, c2=gt(c2_hhi, world_hhi), c2_reason=c2_reason, c3_ratio=c3,
                         c3=gt(c3, ratio_t), c3_reason=c3_reason, source=source_of(cell["n_mir"], cell["n_rows"]),
                         n_rows=int(cell["n_rows"])))
    for r in rows:
        r["c123"] = kleene(r["c1"], r["c2"], r["c3"])
    holds = {(r["importer"], r["product"], r["year"]): r["c123"] for r in rows}
    for r in rows:
        states = [holds.get((r["importer"], r["product"], r["year"] - k), False) for k in range(window)]
        years = sum(s is True for s in states)
        unknown = sum(s is None for s in states)
        known = r["year"] - (window - 1) >= first_year
        r["c4_years"] = years
        r["c4"] = True if years >= persistence else False if known and years + unknown < persistence else None
    out = pd.DataFrame(rows)
    if importers is not None:
        out = out[out["importer"].isin(importers)]
    out = out.sort_values(["importer", "product", "year"]).reset_index(drop=True)
    cols = ["importer", "year", "product", "imports", "exports", "c1_hhi", "c1", "c2_hhi", "c2", "c2_reason",
            "c3_ratio", "c3", "c3_reason", "c123", "c4_years", "c4", "source", "n_rows"]
    return out[cols]


def eu2021_reference(df: pd.DataFrame, members: list[int], name: str, source: str = "reported",
                     m: int = 100, hhi_t: float = 0.4, share_t: float = 0.5, ratio_t: float = 1.0) -> pd.DataFrame:
    view = import_view(df, source)
    cov = World(df, m, "this table")
    wv = import_view(df, "auto")
    wv = wv[wv["product"].isin(set(view["product"]))]
    ext = wv[wv["supplier"].isin(members) & ~wv["importer"].isin(members)].groupby(["product", "year"])["value"].sum()
    inside = view[view["importer"].isin(members)]
    total = inside.groupby(["product", "year"])["value"].sum()
    extra = inside[~inside["supplier"].isin(members)]
    rows = []
    for (p, y), cell in extra.groupby(["product", "year"]):
        imports = cell["value"].sum()
        h = hhi(cell.groupby("supplier")["value"].sum())
        reason = cov.complete(sorted(members), y, name)
        x, r, c3_reason = cov.ratio(imports, None if reason else float(ext.get((p, y), 0.0)), reason, name, y)
        tot = total[(p, y)]
        share = imports / tot if tot > 0 else None
        c1, c2, c3 = gt(h, hhi_t), gt(share, share_t), gt(r, ratio_t)
        rows.append(dict(importer=name, year=y, product=p, extra_imports=imports, total_imports=tot, extra_exports=x,
                         hhi=h, c1=c1, extra_share=share, c2=c2, ratio=r, c3=c3, c3_reason=c3_reason,
                         dependent=kleene(c1, c2, c3), source=source_of(cell["mirrored"].sum(), len(cell)), n_rows=len(cell)))
    return pd.DataFrame(rows).sort_values(["product", "year"]).reset_index(drop=True)


def assert_same(ours: td.ArrowResult, ref: pd.DataFrame) -> None:
    got = ours.to_pandas()
    assert list(got.columns) == list(ref.columns)
    assert len(got) == len(ref) > 0
    for col in ref.columns:
        a, b = got[col].tolist(), ref[col].tolist()
        if col in ("imports", "exports", "c1_hhi", "c2_hhi", "c3_ratio", "extra_imports", "total_imports",
                   "extra_exports", "hhi", "extra_share", "ratio"):
            na, nb = pd.isna(pd.Series(a, dtype=float)), pd.isna(pd.Series(b, dtype=float))
            assert (na == nb).all(), col
            np.testing.assert_allclose(np.array(a, dtype=float)[~na], np.array(b, dtype=float)[~nb], rtol=1e-12, err_msg=col)
        else:
            a = [None if (x is None or (isinstance(x, float) and np.isnan(x))) else x for x in a]
            b = [None if (x is None or (isinstance(x, float) and np.isnan(x))) else x for x in b]
            assert a == b, col


@pytest.fixture(scope="module")
def baci() -> tuple[td.TradeTable, pd.DataFrame]:
    from conftest import SHARED_DATA

    if SHARED_DATA is None or not (SHARED_DATA / BACI92).exists():
        pytest.skip(f"{BACI92} not found")
    t = td.read_baci(SHARED_DATA / BACI92)
    return t, frame(t)


@pytest.mark.parametrize("m", [100, 2])
def test_geodep_on_the_baci_sample_matches_pandas(baci, m):
    t, df = baci
    ref = geodep_reference(df, "mirror", m=m)
    assert_same(td.dependency_flags(t, "geodep", source="mirror", world_min_countries=m), ref)
    if m == 2:
        # The world at this bar: C2 is an HHI, C3 9999 for importers that export nothing.
        assert ref["c2_hhi"].notna().all() and (ref["c3_ratio"] == 9999).any()
    else:
        assert ref["c2_hhi"].isna().all() and ref["c3_ratio"].notna().any() and ref["c3_ratio"].isna().any()


def multi_year(seed: int, monthly: bool = False) -> pd.DataFrame:
    """Both flows, four reporters, zeros and repeated rows, three years (or 36 months)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(2500):
        y = rng.choice([2019, 2020, 2021])
        rows.append(dict(
            period=y * 100 + rng.randint(1, 12) if monthly else y,
            reporter=rng.choice([643, 804, 398, 51]),
            partner=rng.choice([156, 344, 792, 276, 251, 842, 643, 398]),
            flow=rng.choice(["import", "import", "export"]),
            product=rng.choice(["854231", "850760", "880730"]),
            value=rng.choice([0.0, round(rng.uniform(1.0, 1e6), 3), round(rng.uniform(1.0, 1e6), 3)]),
        ))
    df = pd.DataFrame(rows)
    return df[df["reporter"] != df["partner"]].reset_index(drop=True)


def table_of(df: pd.DataFrame, freq: str = "A") -> td.TradeTable:
    return _table_from_columns(
        period=df["period"].astype(int).tolist(), reporter=df["reporter"].astype(int).tolist(),
        partner=df["partner"].astype(int).tolist(), flow=df["flow"].tolist(), product=df["product"].tolist(),
        value=df["value"].astype(float).tolist(), freq=freq, currency="USD", vintage="HS2017",
    )


@pytest.mark.parametrize("source", ["reported", "mirror", "auto"])
@pytest.mark.parametrize("m", [3, 6])
def test_geodep_on_a_multi_year_table_matches_pandas(source, m):
    df = multi_year(11)
    ours = td.dependency_flags(table_of(df), "geodep", source=source, world_min_countries=m)
    assert_same(ours, geodep_reference(df, source, m=m))


def test_geodep_monthly_with_an_importer_selection_and_thresholds():
    df = multi_year(12, monthly=True)
    ours = td.dependency_flags(table_of(df, "M"), "geodep", source="auto", world_min_countries=4, importer=[643, 398],
                               hhi=0.3, world_hhi=0.2, ratio=0.5, persistence=1, window=2)
    assert_same(ours, geodep_reference(df, "auto", m=4, importers=[643, 398], hhi_t=0.3, world_hhi=0.2, ratio_t=0.5,
                                       persistence=1, window=2))


def test_geodep_with_a_world_table_matches_pandas(baci):
    _, world = baci
    df = multi_year(13)
    df = df.assign(product=df["product"].map({"854231": "854231", "850760": "850760", "880730": "271111"}))
    world = world[world["product"].isin(["854231", "850760", "271111", "010121"])]
    ours = td.dependency_flags(table_of(df), "geodep", source="mirror", world=table_of(world), world_min_countries=5)
    assert_same(ours, geodep_reference(df, "mirror", world=world, m=5))


@pytest.mark.parametrize("m", [2, 100])
def test_eu2021_matches_pandas(m):
    df = multi_year(14)
    members = [643, 398]
    ours = td.dependency_flags(table_of(df), "eu2021", importer={"EAEU2": members}, source="auto", world_min_countries=m)
    assert_same(ours, eu2021_reference(df, members, "EAEU2", "auto", m=m))


def test_eu2021_on_the_baci_sample_matches_pandas(baci):
    t, df = baci
    members = [276, 251, 380, 528]
    ours = td.dependency_flags(t, "eu2021", importer={"G4": members}, source="mirror", world_min_countries=2)
    assert_same(ours, eu2021_reference(df, members, "G4", "mirror", m=2))


def test_reason_counts_in_method_and_notes(baci):
    t, df = baci
    out = td.dependency_flags(t, "geodep", source="mirror")
    ref = geodep_reference(df, "mirror")
    for col in ("c2_reason", "c3_reason"):
        counts = ref[col].dropna().value_counts()
        assert out.method[col] == counts.to_dict()
        top = sorted(counts.items(), key=lambda kv: -kv[1])[0]
        assert f"{col[:2]} on {top[1]} of {len(ref)} rows: {top[0]}" in out.notes
    assert f"c3: {ref['c3_reason'].nunique() - 5} more reasons in the c3_reason column" in out.notes
