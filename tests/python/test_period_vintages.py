"""Per-period vintages (issue 9 item 5): a file spanning a nomenclature change is read,
classified and selected with each year's codes in that year's nomenclature."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import tradedep as td

HAND = Path(__file__).parent.parent / "data" / "comext" / "vintage_2021_2022.csv"
COMEXT = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"


def _hs17_weights(shared_data: Path) -> dict[str, float]:
    """HS2017 code -> CHPL weight under the direct-successor rule, from the official CSV."""
    import csv

    to22: dict[str, set[str]] = defaultdict(set)
    fed: dict[str, set[str]] = defaultdict(set)
    with open(shared_data / "hs_concordance/unsd_hs2022_to_hs2017_correlation.csv", newline="") as f:
        for r in csv.DictReader(f):
            to22[r["hs2017"]].add(r["hs2022"])
            fed[r["hs2022"]].add(r["hs2017"])
    listed = set(td.lists.chpl().codes())
    out = {}
    for c, t in to22.items():
        fewest = min(len(fed[x]) for x in t)
        succ = {x for x in t if x == c or len(fed[x]) == fewest}
        out[c] = len(succ & listed) / len(succ)
    return out


def test_hand_made_file_spanning_2021_2022(shared_data: Path) -> None:
    t = td.read_comext(HAND)
    assert t.vintages == {2021: "CN2021", 2022: "CN2022"}
    assert t.vintage == "CN2021"
    r = td.classify(t, td.lists.chpl())
    out = r.to_pandas()
    w17 = _hs17_weights(shared_data)
    listed = set(td.lists.chpl().codes())
    # 2021 rows (HS2017-based CN2021) through the correlation; 2022 rows (CN2022) by their HS6.
    want = [w17.get(p[:6], 0.0) if per < 202200 else float(p[:6] in listed) for p, per in zip(out["product"], out["period"])]
    assert out["CHPL.weight"].tolist() == pytest.approx(want)
    # The codes that changed: HS2017 880330 -> HS2022 880730 (whole), 851712 -> 851713/851714 (0),
    # 852580 -> 852581..852589 (1/4 on 852589); in 2022 880730, 854151, 852589 listed, 851713 not.
    assert dict(zip(out["product"], out["CHPL.weight"])) == pytest.approx(
        {"88033000": 1.0, "85171200": 0.0, "85258099": 0.25, "85423190": 1.0,
         "88073000": 1.0, "85171300": 0.0, "85415100": 1.0, "85258900": 1.0}
    )
    assert any(n.startswith("periods 2021-2021 (CN2021)") for n in r.notes), r.notes
    # One vintage for all years (the old label) gets the 2022 rows wrong: 88073000 is no HS2017 code.
    one = td.classify(t.with_vintage("CN2021"), td.lists.chpl()).to_pandas()
    assert one.loc[one["product"] == "88073000", "CHPL.weight"].item() == 0.0
    # Selection per period in a metric: CHPL exports to Russia by year, central and bounds.
    s = td.supplier_shares(t, "RUS", products=td.lists.chpl(), source="mirror", by="year", groups={"EU": ["DEU", "FRA"]})
    got = dict(zip(s.to_pandas()["year"], s.to_pandas()["value"]))
    assert got == pytest.approx({2021: 1000 + 800 * 0.25 + 300, 2022: 700 + 90 + 60 + 200})
    assert s.method["products_conversion"]["period_vintages"] == {2021: "CN2021", 2022: "CN2022"}


def test_vintage_argument_per_year_and_errors() -> None:
    t = td.read_comext(HAND, vintage={2021: "CN2021", 2022: "CN2022"})
    assert t.vintages == {2021: "CN2021", 2022: "CN2022"}
    assert td.read_comext(HAND, vintage="CN2022").vintages == {}
    with pytest.raises(td.InvalidArgumentError, match=r"no vintage for \[2022\]"):
        td.read_comext(HAND, vintage={2021: "CN2021"})
    # Survives a trip through Arrow metadata (Parquet).
    assert "tradedep.period_vintages" in {k.decode() for k in t.to_arrow().schema.metadata}


def test_command_line_vintage(tmp_path: Path) -> None:
    base = [sys.executable, "-W", "ignore", "-m", "tradedep", "shares", str(HAND), "--reader", "comext",
            "--importer", "RUS", "--products", "chpl", "--source", "mirror", "--by", "year"]
    one = subprocess.run(base + ["--vintage", "CN2021"], capture_output=True, text=True, check=False)
    per = subprocess.run(base + ["--vintage", "2021=CN2021,2022=CN2022"], capture_output=True, text=True, check=False)
    assert per.returncode == 0 and one.returncode == 0, (per.stderr, one.stderr)
    # Per year: 2022's CN2022 codes count (700 + 90 + 60 + 200 from DEU and FRA).
    assert "1,050" in per.stdout.replace(" ", "") or "1050" in per.stdout.replace(",", ""), per.stdout
    assert per.stdout != one.stdout
    bad = subprocess.run(base + ["--vintage", "x=CN2021"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "--vintage" in bad.stderr


def test_comext_file_each_year_in_its_cn(shared_data: Path) -> None:
    pd = pytest.importorskip("pandas")
    t = td.read_comext(shared_data / COMEXT)
    assert t.vintages == {2020: "CN2020", 2021: "CN2021", 2022: "CN2022"}
    out = td.classify(t, td.lists.chpl()).to_pandas()
    w17 = _hs17_weights(shared_data)
    listed = set(td.lists.chpl().codes())
    raw = pd.read_csv(shared_data / COMEXT, dtype={"product_code": str})
    raw = raw[raw.level == "CN8"]
    year = raw.period.str[:4].astype(int)
    hs6 = raw.product_code.str[:6]
    w = hs6.map(lambda c: float(c in listed)).where(year == 2022, hs6.map(lambda c: w17.get(c, 0.0)))
    want = (raw.value_eur * w).groupby(year).sum()
    got = (out["value"] * out["CHPL.weight"]).groupby(out["period"] // 100).sum()
    assert got.to_dict() == pytest.approx(want.to_dict())
    assert len(out) == len(raw)


def test_rerouting_selects_a_list_per_period(shared_data: Path) -> None:
    t = td.read_comext(shared_data / COMEXT)
    tier1 = td.lists.chpl().tier("1")
    r = td.rerouting(t, origin="EU27", hubs=["KAZ", "KGZ", "ARM"], target="RUS", products=tier1, baseline=(2021, 2021))
    conv = r.summary.method["products_conversion"]
    assert set(conv["per_period"]) == {"2020-2021", "2022-2022"}
    assert any(n.startswith("periods 2020-2021: products:") for n in r.notes), r.notes
    # Tier 1 (8542 ICs) is the same in HS2017 and HS2022: the same as the codes given directly.
    codes = sorted({c for c, _ in td.lists.chpl().tier("1")._product_weights("HS2022").items()})
    direct = td.rerouting(t, origin="EU27", hubs=["KAZ", "KGZ", "ARM"], target="RUS", products=codes, baseline=(2021, 2021))
    assert r.summary.to_pandas()["index"].tolist() == pytest.approx(direct.summary.to_pandas()["index"].tolist(), nan_ok=True)
