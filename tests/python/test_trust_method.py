"""Issue 9, item 4 and "method and coverage on every result": each metric's ``method`` mapping
and notes, with the coverage numbers checked against pandas over the raw files."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import tradedep as td

BACI = "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz"
COMEXT = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
EU27 = sorted(
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE".split()
)
KEYS = {"metric", "source", "source_used", "records", "value", "cif_fob", "currency", "vintage", "products",
        "products_absent", "groups", "reporters", "coverage", "quantity_share"}


def _shared() -> Any:
    from conftest import SHARED_DATA

    if SHARED_DATA is None:
        pytest.skip("shared data folder not found")
    return SHARED_DATA


@pytest.fixture(scope="module")
def baci() -> tuple[td.TradeTable, pd.DataFrame]:
    path = _shared() / BACI
    raw = pd.read_csv(path, dtype={"q": str})
    raw["q"] = pd.to_numeric(raw["q"].str.strip().replace("NA", None))
    return td.read_baci(str(path)), raw


@pytest.fixture(scope="module")
def comext() -> td.TradeTable:
    return td.read_comext(str(_shared() / COMEXT))


def test_every_metric_carries_method_and_notes() -> None:
    t = td.demo_table()
    results = {
        "supplier_shares": td.supplier_shares(t, "RUS"),
        "concentration": td.concentration(t),
        "importer_product_concentration": td.importer_product_concentration(t),
        "dependency_flags": td.dependency_flags(t),
        "import_series": td.import_series(t, "RUS"),
        "unit_values": td.unit_values(t, "RUS"),
        "bilateral_asymmetry": td.bilateral_asymmetry(t, "RUS", "UKR"),
        "compare": td.compare(t, ["RUS", "UKR"]),
        "mirror_gap": td.mirror_gap(t),
    }
    for name, r in results.items():
        assert KEYS <= set(r.method), (name, KEYS - set(r.method))
        assert r.method["metric"] == name
        assert r.method["currency"] == "USD" and r.method["vintage"] == "HS2022"
        assert any(n.startswith("values in USD") for n in r.notes), name
        meta = pa.table(r).schema.metadata
        assert json.loads(meta[b"tradedep.method"])["metric"] == name
    # The demo table holds importers' reports only: auto is reported.
    assert results["supplier_shares"].method["source_used"] == "reported"
    assert results["supplier_shares"].method["reporters"] == {"importers": ["UKR", "RUS"], "exporters": []} or sorted(
        results["supplier_shares"].method["reporters"]["importers"]) == ["RUS", "UKR"]


def test_baci_coverage_matches_pandas(baci: tuple[td.TradeTable, pd.DataFrame]) -> None:
    t, raw = baci
    rus = raw[raw.j == 643]
    r = td.supplier_shares(t, "RUS", cif_fob=1.05)
    m = r.method
    assert m["records"] == {"reported": 0, "mirror": len(rus)}
    assert m["value"]["mirror"] == pytest.approx(rus.v.sum() * 1000 * 1.05, rel=1e-12)
    assert m["quantity_share"] == pytest.approx(rus[rus.q.notna()].v.sum() / rus.v.sum(), rel=1e-12)
    assert sorted(m["suppliers"]) == ["AFG", "ZAF"][: rus.i.nunique()] or len(m["suppliers"]) == rus.i.nunique()
    assert sorted(m["reporters"]["exporters"]) == ["AFG", "ZAF"]
    assert m["reporters"]["importers"] == []
    assert m["cif_fob"] == 1.05
    assert "suppliers: only the 2 exporters that reported exports in the table (AFG, ZAF)" in r.notes
    assert any(n.startswith("source: auto (0 records from importers' reported imports, " f"{len(rus):,} from") for n in r.notes)
    assert any(n == f"quantities known for {m['quantity_share']:.1%} of the value" for n in r.notes)


def test_rca_and_complexity_say_the_world_is_the_tables_exporters(baci: tuple[td.TradeTable, pd.DataFrame]) -> None:
    t, raw = baci
    r = td.rca(t, digits=4)
    assert r.method["world"]["n_exporters"] == raw.i.nunique() == 2
    assert "the world is the 2 exporters of the table (AFG, ZAF): world totals and RCA are relative to them" in r.notes
    # Partners' imports as exports: the world is the suppliers of the demo table's importers.
    demo = td.demo_table()
    c = td.complexity(demo, exports="mirror")
    n = demo.to_pandas().partner.nunique()
    assert c.eci.method["world"]["n_exporters"] == n
    assert any(note.startswith(f"the world is the {n} exporters of the table") for note in c.notes)


def test_comext_concentration_covers_eu_suppliers_only(comext: td.TradeTable) -> None:
    r = td.concentration(comext, importer="KAZ", by="year")
    df = comext.to_pandas()
    kaz = df[(df.partner == 398) & (df.flow == "export")]
    m = r.method
    assert m["source_used"] == "mirror"
    assert m["records"]["mirror"] == len(kaz)
    assert m["value"]["mirror"] == pytest.approx(kaz.value.sum(), rel=1e-12)
    has_q = kaz.quantity.notna() & kaz.quantity_unit.notna()
    assert m["quantity_share"] == pytest.approx(kaz[has_q].value.sum() / kaz.value.sum(), rel=1e-12)
    assert sorted(m["reporters"]["exporters"]) == EU27
    assert "suppliers: only the 27 exporters that reported exports in the table" in " ".join(r.notes)
    assert m["currency"] == "EUR"


def test_rerouting_method_lists_absent_codes(comext: td.TradeTable) -> None:
    r = td.rerouting(comext, products=["85423190", "84581120"], baseline=2021, controls=["BLR"])
    assert r.summary.method["products_absent"] == ["84581120"]
    assert r.summary.method["metric"] == "rerouting"
    assert any("84581120" in n for n in r.notes)


def test_auto_on_a_mixed_table_counts_each_side() -> None:
    # Russia reports 2021 only; 2022 comes from DEU's and CHN's exports (hand-worked).
    t = td._metrics._table_from_columns(
        period=[2021, 2021, 2022, 2022], reporter=[643, 276, 276, 156], partner=[276, 643, 643, 643],
        flow=["import", "export", "export", "export"], product=["850760"] * 4, value=[110.0, 100.0, 80.0, 20.0],
        vintage="HS2017",
    )
    r = td.supplier_shares(t, "RUS", by="year", cif_fob=1.1)
    assert r.method["source_used"] == "auto"
    assert r.method["records"] == {"reported": 1, "mirror": 2}
    assert r.method["value"]["reported"] == 110.0
    assert r.method["value"]["mirror"] == pytest.approx(110.0)
    assert r.notes[0] == (
        "source: auto (1 records from importers' reported imports, 2 from partners' exports (mirror)); "
        "mirror values x 1.1 (CIF/FOB)"
    )
    assert "reported imports: only the 1 importers that reported imports in the table (RUS)" in r.notes
    assert "suppliers: only the 2 exporters that reported exports in the table (CHN, DEU)" in r.notes
    shares = r.to_pandas().set_index(["year", "supplier"])["share"]
    assert shares[(2021, "DEU")] == 1.0
    assert shares[(2022, "DEU")] == pytest.approx(0.8)
