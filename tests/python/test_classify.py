"""Classification from Python: lists, baskets, classify, explain, checked against the shared
CSV files read with the csv module."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pytest

import tradedep as td


def _chpl_csv(shared_data: Path) -> dict[str, str]:
    with open(shared_data / "chpl" / "chpl_2024-02-23.csv", newline="") as f:
        return {r["hs6"]: r["tier"] for r in csv.DictReader(f)}


def test_chpl_matches_the_csv_and_tier_counts(shared_data: Path) -> None:
    chpl = td.lists.chpl()
    expected = _chpl_csv(shared_data)
    assert {e["code"]: e["tier"] for e in chpl.entries()} == expected
    counts = {t: len(chpl.tier(t)) for t in ["1", "2", "3.A", "3.B", "4.A", "4.B"]}
    assert counts == {"1": 4, "2": 5, "3.A": 16, "3.B": 9, "4.A": 11, "4.B": 5}
    assert chpl.version == "2024-02-23" and chpl.vintage == "HS2022"
    assert "85423190" in chpl.tier("1")
    hit = chpl.lookup("85423190")
    assert hit is not None and hit["match"] == "prefix"
    assert "<table>" in chpl._repr_html_()
    with pytest.raises(td.InvalidArgumentError, match="tiers are"):
        chpl.tier("9")


def test_hs_codes_and_describe(shared_data: Path, tmp_path: Path) -> None:
    c = td.hs("85423190", "CN2023")
    assert (c.chapter, c.heading, c.subheading, c.national_extension) == ("85", "8542", "854231", "90")
    assert [a.digits for a in c.ancestors()] == ["85", "8542", "854231"]
    assert td.hs("8542.31") == td.hs("854231")
    with pytest.raises(td.InvalidProductError):
        td.hs("85423")
    nom = td.load_nomenclature(shared_data / "hs_nomenclature" / "hs2022_harmonized-system.csv")
    assert len(nom) > 5613
    text = td.describe("854470")
    assert text.startswith("854470 (HS2022)") and "optical fibre" in text.lower()
    with pytest.raises(td.InvalidProductError):
        td.describe("999998")
    assert "national code 85447000" in td.describe("85447000", vintage="CN2023")
    # Chapter 77 is reserved in the HS (no codes); "123" is malformed. Both are reported, not dropped.
    hs17 = td.load_nomenclature(shared_data / "hs_nomenclature" / "classificationH5.json")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code\n854231\n880730\n")
    lst = td.lists.load(wrong, name="w", version="1", vintage="HS2017")
    with pytest.raises(td.InvalidDataError, match=r"880730 does not exist in HS2017.*wrong.csv, line 3"):
        lst.check(hs17)
    known, unknown = nom.check(["854231", "880730", "77", "123"])
    assert known == ["854231", "880730"] and [u[0] for u in unknown] == ["77", "123"]


def test_chpl_on_hs2017_codes_goes_through_the_correlation(shared_data: Path) -> None:
    conc = td.load_concordances(shared_data / "hs_concordance")
    chpl = td.lists.chpl()
    # Independent: HS2017 code -> HS2022 counterparts from the CSV; weight = listed / all.
    counterparts: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    with open(shared_data / "hs_concordance" / "unsd_hs2022_to_hs2017_correlation.csv", newline="") as f:
        for r in csv.DictReader(f):
            counterparts[r["hs2017"]].add(r["hs2022"])
            sources[r["hs2022"]].add(r["hs2017"])
    listed = set(chpl.codes())
    equal = {s: len(t & listed) / len(t) for s, t in counterparts.items() if t & listed}

    # Continuity (the default): over the direct successors (the same code, and the linked codes
    # fed by the fewest HS2017 codes); carve-out links get nothing.
    def successors(s: str, t: set[str]) -> set[str]:
        fewest = min(len(sources[x]) for x in t)
        return {x for x in t if x == s or len(sources[x]) == fewest}

    continuity = {
        s: len(successors(s, t) & listed) / len(successors(s, t)) for s, t in counterparts.items() if t & listed
    }
    continuity = {s: w for s, w in continuity.items() if w > 0}
    for weighting, expected in [(None, continuity), ("continuity", continuity), ("equal", equal)]:
        weights = chpl._product_weights("HS2017", conc, weighting)
        assert weights.keys() == expected.keys(), weighting
        for k, w in expected.items():
            assert weights[k] == pytest.approx(w), (weighting, k)
    weights = chpl._product_weights("HS2017", conc)
    # Without concordances the embedded UNSD tables are used: the same weights.
    assert chpl._product_weights("HS2017") == weights
    # 854231 links to itself and the six new 8549 subheadings: whole under continuity, 1/7 equal.
    assert len(counterparts["854231"]) == 7
    assert weights["854231"] == 1.0
    assert chpl._product_weights("HS2017", conc, "equal")["854231"] == pytest.approx(1 / 7)
    # 852580 -> 20 HS2022 codes, 4 from it alone (852581-852589), one of them listed.
    assert weights["852580"] == pytest.approx(1 / 4)
    assert chpl._product_weights("HS2017", conc, "equal")["852580"] == pytest.approx(1 / 20)
    with pytest.raises(td.InvalidArgumentError, match="continuity"):
        chpl._product_weights("HS2017", conc, "shares")
    expected = continuity

    codes = ["852580", "880330", "010121", "854890"]
    table = pa.table({"product": codes, "value": [100.0, 8.0, 7.0, 16.0]})
    out = td.classify(table, chpl, vintage="HS2017").to_arrow()
    assert out.column("CHPL.weight").to_pylist() == pytest.approx([expected.get(c, 0.0) for c in codes])
    assert out.column("CHPL.match").to_pylist() == ["converted", "converted", None, "converted"]
    # 854890 continues as 854800 alone (its carve-out links 852990, 854151, 854159 get 0).
    assert out.column("CHPL.entry").to_pylist()[3] == "854800"
    # The input columns are the same Arrow buffers, not copies.
    assert out.column("value").chunk(0).buffers()[1].address == table.column("value").chunk(0).buffers()[1].address

    e = td.explain("852580", chpl, vintage="HS2017")
    assert e.listed and e.match == "converted" and e.weight == pytest.approx(0.25)
    assert "direct successors" in str(e) and "852589" in str(e)
    assert e.weighting is not None and e.weighting.startswith("continuity (the code's trade continues in its direct")
    e = td.explain("854231", chpl, vintage="HS2017")
    assert e.weight == 1.0 and e.weighting is not None and e.weighting.startswith("continuity")
    e = td.explain("854231", chpl, vintage="HS2017", weighting="equal")
    assert e.weight == pytest.approx(1 / 7) and e.weighting == "equal split" and "equal split" in str(e)
    split = conc.split("852580", "HS2017", "HS2022")
    assert sum(w for _, w in split["parts"]) == pytest.approx(1.0)
    assert split["weighting"].startswith("continuity (the code's trade continues in its direct successors")
    assert conc.split("852580", "HS2017", "HS2022", "equal")["weighting"] == "equal split"
    split = conc.split("854231", "HS2017", "HS2022")
    assert dict(split["parts"])["854231"] == 1.0 and sum(w for _, w in split["parts"]) == pytest.approx(1.0)
    # classify's notes name the weighting asked for.
    notes = td.classify(table, chpl, vintage="HS2017").notes
    assert any("weighting continuity" in n for n in notes), notes
    # Base-period values as weights: 852589 has 30 of the 100 traded among 852580's counterparts.
    shares = chpl._product_weights("HS2017", conc, {"852589": 30.0, "852581": 70.0})
    assert shares["852580"] == pytest.approx(0.3)


def test_comext_cn8_codes_classify_by_hs6_prefix(shared_data: Path) -> None:
    path = shared_data / "eurostat_comext_ru_neighbours" / "eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
    with gzip.open(path, "rt", newline="") as f:
        codes = sorted({r["product_code"] for r in csv.DictReader(f) if len(r["product_code"]) == 8})
    tiers = _chpl_csv(shared_data)
    import polars as pl

    frame = pl.DataFrame({"product": codes})  # Utf8View strings
    out = td.classify(frame, td.lists.chpl(), vintage="CN2022").to_arrow()
    got = dict(zip(out.column("product").to_pylist(), out.column("CHPL.tier").to_pylist()))
    assert got == {c: tiers.get(c[:6]) for c in codes}
    assert got["85423190"] == "1"
    assert sum(v is not None for v in got.values()) == 38


def test_baskets_and_set_operations() -> None:
    drones = td.baskets.drone_components()
    assert {"8806", "880730", "850760", "854470", "900110"} <= set(drones.prefixes())
    assert drones.vintage == "HS2022" and "fibre" in drones.reasoning
    b = td.Basket("mine", ["8542", "850760"], vintage="HS2022")
    chips = td.Basket("chips", ["854231"])
    assert "854232" in (b - chips) and "854231" not in (b - chips)
    assert (b & chips).prefixes() == ["854231"]
    assert set((b | td.Basket("x", ["8806"])).prefixes()) == {"8542", "850760", "8806"}
    tier1 = td.Basket.from_list(td.lists.chpl(), ["1"])
    assert len(tier1) == 4
    assert b._product_weights() == {"8542": 1.0, "850760": 1.0}
    assert "<b>" in drones._repr_html_()
    tagged = td.classify(pa.table({"product": ["880621", "854231", "010121"]}), [drones, td.lists.chpl()]).to_arrow()
    assert tagged.column("drone components.entry").to_pylist() == ["8806", "8542", None]
    assert tagged.column("drone components.match").to_pylist() == ["prefix", "prefix", None]
    assert tagged.column("CHPL.tier").to_pylist() == [None, "1", None]


def test_bad_list_file_gives_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "watch.toml"
    p.write_text('name = "w"\nversion = "1"\nvintage = "HS2022"\ntiers = ["1"]\n\n[[entries]]\ncode = "854231"\ntier = "1"\n\n[[entries]]\ncode = "854232"\ntier = "2"\n')
    with pytest.raises(td.InvalidDataError) as err:
        td.lists.load(p)
    msg = str(err.value)
    assert "watch.toml" in msg and "line 11" in msg and '"2"' in msg and "declared tiers" in msg
    c = tmp_path / "dup.csv"
    c.write_text("code,tier\n854231,1\n854231,1\n")
    with pytest.raises(td.InvalidDataError, match="line 3.*duplicate|duplicate.*line 3"):
        td.lists.load(c, name="d", version="1", vintage="HS2022")
    ok = td.lists.load(_write(tmp_path / "ok.csv", "code,tier\n854231,1\n880730,2\n"), name="ok", version="2", vintage="HS2022")
    old = td.lists.load(_write(tmp_path / "old.csv", "code,tier\n854231,1\n880330,2\n"), name="ok", version="1", vintage="HS2022")
    assert "+ 880730" in td.lists.diff(ok, old) and "- 880330" in td.lists.diff(ok, old)


def _write(p: Path, text: str) -> Path:
    p.write_text(text)
    return p


def test_dual_use_correlation_workbook(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Correlation table between CN codes and Annex I of Regulation (EU) 2021/821"])
    ws.append(["CN code", "TARIC code", "Dual-use item", "Description"])
    ws.append(["8542 31 90", "8542319010", "3A001.a.2", "Processors"])
    ws.append([85423190, None, "3A002", "Processors"])  # a number: leading zeros restored, merged
    ws.append(["84571010", None, "2B001", "Machining centres"])
    ws.append(["90142000", None, "7A103", "Navigation"])
    p = tmp_path / "du.xlsx"
    wb.save(p)
    du = td.lists.dual_use_correlation(p, cn_year=2024, version="2024")
    assert len(du) == 3 and du.vintage == "CN2024"
    e = du.lookup("85423190")
    assert e is not None and e["control_entries"] == ["3A001.a.2", "3A002"] and e["regime"] == "Wassenaar Arrangement"
    nav = du.lookup("90142000")
    assert nav is not None and nav["regime"] == "MTCR"
    out = td.classify(pa.table({"product": ["85423190", "85423110"]}), du, vintage="CN2024").to_arrow()
    assert out.column(f"{du.name}.control_entry").to_pylist() == ["3A001.a.2 3A002", None]


def test_docstring_examples_run() -> None:
    import doctest

    import tradedep._classify
    import tradedep.lists

    for mod in (tradedep._classify, tradedep.lists):
        result = doctest.testmod(mod, extraglobs={"td": td}, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, mod.__name__
        assert result.attempted > 0


def test_results_open_in_pandas_and_polars() -> None:
    import pandas as pd
    import polars as pl

    df = pd.DataFrame({"product": ["854231", "880621", "854231", "010121"], "value": [1.0, 2.0, 3.0, 4.0]})
    r = td.classify(df, [td.lists.chpl(), td.baskets.drone_components()])
    out = r.to_pandas()
    # 854231 (tier 1) is in rows 1 and 3: 1 + 3; 880621 and 010121 are not on the CHPL.
    assert out.groupby("CHPL.tier", observed=True)["value"].sum().to_dict() == {"1": 4.0}
    assert out["drone components.entry"].tolist()[:3] == ["8542", "8806", "8542"]
    assert pd.isna(out["CHPL.tier"].iloc[1])
    assert r.to_polars().filter(pl.col("CHPL.match") == "exact").height == 2
    assert any("no vintage" in n for n in r.notes)
    with pytest.raises(td.SchemaError, match="leading zeros"):
        td.classify(pa.table({"product": [854231]}), td.lists.chpl())


def test_convert_defaults_to_continuity(shared_data: Path) -> None:
    conc = td.load_concordances(shared_data / "hs_concordance")
    # Independent: HS2022 code -> HS2017 counterparts from the CSV.
    counterparts: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    with open(shared_data / "hs_concordance" / "unsd_hs2022_to_hs2017_correlation.csv", newline="") as f:
        for r in csv.DictReader(f):
            counterparts[r["hs2022"]].add(r["hs2017"])
            sources[r["hs2017"]].add(r["hs2022"])

    def successors(p: str) -> set[str]:
        fewest = min(len(sources[x]) for x in counterparts[p])
        return {x for x in counterparts[p] if x == p or len(sources[x]) == fewest}

    demo = td.demo_table()
    src = demo.to_arrow()
    products = [str(p) for p in src.column("product").to_pylist()]
    total = sum(src.column("value").to_pylist())
    for weighting in ["continuity", "equal"]:
        out = td.convert(demo, "HS2017", concordances=conc, weighting=weighting)
        t = out.to_arrow()
        assert out.vintage == "HS2017"
        assert sum(t.column("value").to_pylist()) == pytest.approx(total)
        # Rows per input row: one per direct successor (continuity), else one per counterpart.
        want = sum(len(successors(p)) if weighting == "continuity" else len(counterparts[p]) for p in products)
        assert t.num_rows == want, weighting
        assert any(f"with weighting {weighting if weighting == 'continuity' else 'equal split'}" in n for n in out.report["notes"])
    default = td.convert(demo, "HS2017", concordances=conc)
    assert default.num_rows == td.convert(demo, "HS2017", concordances=conc, weighting="continuity").num_rows
