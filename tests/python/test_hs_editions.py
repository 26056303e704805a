"""Every HS edition embedded, the direct-successor rule, weighting/bounds on metrics, against
independent pandas readings of the official UNSD files."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

import tradedep as td

BACI92 = "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz"


def _links(path: Path, a: str, b: str) -> "tuple[dict[str, set[str]], dict[str, set[str]]]":
    """(code of b -> codes of a, code of a -> codes of b) from the official workbook's correlation sheet."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = next(w for w in wb.worksheets if "orrel" in w.title)
    fwd: dict[str, set[str]] = defaultdict(set)
    back: dict[str, set[str]] = defaultdict(set)
    for r in list(ws.iter_rows(values_only=True))[2:]:
        if r[0] and r[1]:
            fwd[str(r[1])].add(str(r[0]))
            back[str(r[0])].add(str(r[1]))
    return fwd, back


def _successors(code: str, targets: set[str], sources: dict[str, set[str]]) -> set[str]:
    fewest = min(len(sources[t]) for t in targets)
    return {t for t in targets if t == code or len(sources[t]) == fewest}


def test_chpl_meets_baci_hs92_with_no_concordance_file(shared_data: Path) -> None:
    pd = pytest.importorskip("pandas")
    baci = td.read_baci(shared_data / BACI92)
    assert baci.vintage == "HS1992"
    r = td.classify(baci, td.lists.chpl())
    assert any("HS2022toHS1992" in n and "embedded" in n for n in r.notes), r.notes
    out = r.to_pandas()
    # Independent: HS1992 -> HS2022 links from the official workbook, the rule written in pandas.
    to22, sources = _links(shared_data / "hs_concordance_older/HS2022toHS1992ConversionAndCorrelationTables.xlsx", "", "")
    listed = set(td.lists.chpl().codes())

    def weight(code: str) -> float:
        t = to22.get(code)
        if not t:
            return 0.0
        s = _successors(code, t, sources)
        return len(s & listed) / len(s)

    raw = pd.read_csv(shared_data / BACI92, dtype={"k": str})
    want = raw["k"].str.zfill(6).map(weight)
    got = out["CHPL.weight"].to_numpy()
    assert len(got) == len(want)
    assert got == pytest.approx(want.to_numpy())
    total = float((raw["v"] * 1000 * want).sum())
    assert float((out["value"] * out["CHPL.weight"]).sum()) == pytest.approx(total, rel=1e-9)
    assert total > 0


def test_supplier_shares_weighting_bounds_and_method(shared_data: Path) -> None:
    pd = pytest.importorskip("pandas")
    baci = td.read_baci(shared_data / BACI92)
    chpl = td.lists.chpl()
    s = td.supplier_shares(baci, "RUS", products=chpl, source="mirror", by="year", bounds=True, explain=True)
    row = s.to_pandas().iloc[0]
    to22, sources = _links(shared_data / "hs_concordance_older/HS2022toHS1992ConversionAndCorrelationTables.xlsx", "", "")
    listed = set(chpl.codes())
    raw = pd.read_csv(shared_data / BACI92, dtype={"k": str})
    raw = raw[(raw["j"] == 643) & (raw["i"] == 710)].assign(k=lambda d: d["k"].str.zfill(6), v=lambda d: d["v"] * 1000)

    def w(code: str, rule: str) -> float:
        t = to22.get(code, set())
        if not t or not (t & listed):
            return 0.0
        if rule == "upper":
            return 1.0
        if rule == "lower":
            return 1.0 if code in listed or t <= listed else 0.0
        pool = _successors(code, t, sources) if rule == "continuity" else t
        return len(pool & listed) / len(pool)

    for col, rule in [("value", "continuity"), ("value_lower", "lower"), ("value_upper", "upper")]:
        assert row[col] == pytest.approx(float((raw["v"] * raw["k"].map(lambda c: w(c, rule))).sum())), col
    assert row["value_lower"] <= row["value"] <= row["value_upper"]
    eq = td.supplier_shares(baci, "RUS", products=chpl, source="mirror", by="year", weighting="equal")
    assert eq.to_pandas()["value"].iloc[0] == pytest.approx(float((raw["v"] * raw["k"].map(lambda c: w(c, "equal"))).sum()))
    m = s.method["products_conversion"]
    assert m["from"] == "HS2022" and m["to"] == "HS1992" and m["weighting"] == "continuity"
    assert len(m["tables"]) == 1 and "HS2022toHS1992" in m["tables"][0] and not m["chain"]
    assert sum(m["weightings_applied"].values()) == m["n_codes"] == len(m["codes"])
    assert any("carried to HS1992" in n for n in s.notes)
    # Survives pa.table(result).
    import json

    import pyarrow as pa

    meta = json.loads(pa.table(s).schema.metadata[b"tradedep.method"])
    assert meta["products_conversion"]["n_codes"] == m["n_codes"]


def test_worked_cases_from_the_official_csv(shared_data: Path) -> None:
    """The numbers of docs/methods/hs-editions.md, from the CSV extract with pandas."""
    pd = pytest.importorskip("pandas")
    d = pd.read_csv(shared_data / "hs_concordance/unsd_hs2022_to_hs2017_correlation.csv", dtype=str)
    fed = d.groupby("hs2022")["hs2017"].nunique()
    listed = set(td.lists.chpl().codes())
    conc = td.Concordances.embedded()
    cases = {
        "851712": (17, {"851713", "851714"}, 3 / 17, 0.0),
        "852580": (20, {"852581", "852582", "852583", "852589"}, 1 / 20, 1 / 4),
        "854140": (10, {"854141", "854142", "854143", "854149"}, 1 / 10, 1 / 4),
        "880330": (8, {"880730"}, 2 / 8, 1.0),
    }
    weights = td.lists.chpl()._product_weights("HS2017")
    equal = td.lists.chpl()._product_weights("HS2017", None, "equal")
    for code, (n, succ, w_equal, w_cont) in cases.items():
        links = set(d[d["hs2017"] == code]["hs2022"])
        assert len(links) == n
        assert {t for t in links if fed[t] == 1} == succ
        assert set(conc.successors(code, "HS2017", "HS2022")) == succ
        assert len(links & listed) / n == pytest.approx(w_equal) == pytest.approx(equal.get(code, 0.0))
        assert len(succ & listed) / len(succ) == pytest.approx(w_cont) == pytest.approx(weights.get(code, 0.0))
    assert (fed["852990"], fed["854151"], fed["854921"]) == (483, 157, 1019)


def test_no_session_state_and_load_concordances_still_loads(shared_data: Path) -> None:
    chpl = td.lists.chpl()
    before = chpl._product_weights("HS2012")
    conc = td.load_concordances(shared_data / "hs_concordance")
    # Loaded tables win for their pairs; the embedded ones fill in the rest (HS1992 here).
    assert any("unsd_hs2022_to_hs2012" in src for _, _, src in conc.tables())
    assert conc.path("HS2022", "HS1992")
    assert not td.load_concordances(shared_data / "hs_concordance", with_embedded=False).tables()[0][2].startswith("UNSD")
    # Loading set no default: the default is still the embedded tables.
    assert chpl._product_weights("HS2012") == before
    assert chpl._product_weights("HS2012", conc) == pytest.approx(before)
    # A chain through adjacent editions where no direct table exists.
    path = td.Concordances.embedded().path("HS2012", "HS1996")
    assert [p.split()[1] for p in path] == ["HS2012-HS2007", "HS2007-HS2002", "HS2002-HS1996"]
