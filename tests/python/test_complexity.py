"""td.rca and td.complexity against independent computations: RCA with pandas, ECI/PCI with a
numpy port of the Growth Lab's ``ecomplexity`` (dense ``np.linalg.eig`` on Mpp, its sign rule and
its normalisation), on a seeded random table and on real Eurostat Comext exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tradedep as td
from tradedep._metrics import _table_from_columns

COMEXT = "eurostat_comext_ru_neighbours/eu27_exports_to_ru_by_kz_ge_am_uz_kg_sanctioned_cn8_monthly_2020_2022.csv.gz"
# EU27 members and five neighbours of Russia (numeric codes), as exporters; Russia as the partner.
EXPORTERS = [40, 56, 100, 196, 203, 276, 208, 233, 724, 246, 251, 300, 191, 348, 372, 381, 440, 442,
             428, 470, 528, 616, 620, 642, 752, 705, 703, 112, 398, 268]
RUS = 643


def ecomplexity_port(cells: pd.DataFrame, threshold: float = 1.0) -> tuple[pd.Series, pd.Series, pd.Series]:
    """One year of ``ecomplexity`` (ComplexityData.create_full_df, calculate_rca, calculate_mcp,
    calc_eci_pci and the normalisation), written for this test: ``cells`` has columns loc, prod,
    val. Returns rca (by loc, prod), eci (by loc), pci (by prod)."""
    data = cells.pivot_table(index="loc", columns="prod", values="val", aggfunc="sum", fill_value=0.0)
    # Locations and products whose values sum to 0 are removed first.
    data = data.loc[data.sum(axis=1) != 0, data.sum(axis=0) != 0]
    x = data.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = x / np.nansum(x, axis=1)[:, np.newaxis]
        loc_total = np.nansum(x, axis=0)[np.newaxis, :]
        den = loc_total / np.nansum(loc_total)
        rca = num / den
    mcp = np.where(np.nan_to_num(rca) >= threshold, 1, 0)
    diversity = np.nansum(mcp, axis=1)
    ubiquity = np.nansum(mcp, axis=0)
    mcp1 = mcp / diversity[:, np.newaxis]
    mcp2 = mcp / ubiquity[np.newaxis, :]
    mpp = mcp2.T @ mcp1
    eigvals, eigvecs = np.linalg.eig(mpp)
    eigvecs = np.real(eigvecs)
    kp = eigvecs[:, eigvals.argsort()[-2]]
    kc = mcp1 @ kp
    s1 = np.sign(np.corrcoef(diversity, kc)[0, 1])
    eci = s1 * kc
    pci = s1 * kp
    pci = (pci - eci.mean()) / eci.std()
    eci = (eci - eci.mean()) / eci.std()
    rca_s = pd.DataFrame(rca, index=data.index, columns=data.columns).stack()
    return rca_s, pd.Series(eci, index=data.index), pd.Series(pci, index=data.columns)


def random_table(seed: int = 20240611, n_c: int = 30, n_p: int = 200) -> tuple[td.TradeTable, pd.DataFrame]:
    """Exports of 30 countries in 200 HS6 products over two years: a nested pattern with noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in (2020, 2021):
        capability = rng.uniform(0.1, 1.0, n_c)
        difficulty = rng.uniform(0.0, 1.0, n_p)
        for c in range(n_c):
            for p in range(n_p):
                if rng.uniform() < 0.15 + 0.8 * (capability[c] > difficulty[p]):
                    value = float(np.round(rng.lognormal(10, 2), 2))
                    # Some cells come in two rows (two partners' worth of the same exports).
                    if rng.uniform() < 0.2:
                        rows.append((year, EXPORTERS[c], RUS, f"{100000 + 17 * p:06d}", value / 4))
                        rows.append((year, EXPORTERS[c], 398 if EXPORTERS[c] != 398 else 112, f"{100000 + 17 * p:06d}", value * 3 / 4))
                    else:
                        rows.append((year, EXPORTERS[c], RUS, f"{100000 + 17 * p:06d}", value))
    df = pd.DataFrame(rows, columns=["period", "reporter", "partner", "product", "value"])
    df["flow"] = "export"
    t = _table_from_columns(
        period=df["period"].tolist(), reporter=df["reporter"].tolist(), partner=df["partner"].tolist(),
        flow=df["flow"].tolist(), product=df["product"].tolist(), value=df["value"].tolist(),
        freq="A", currency="USD", vintage="HS2017",
    )
    return t, df


def compare_with_port(c: td.Complexity, cells: pd.DataFrame, year: int) -> tuple[float, float]:
    """Max abs difference of ECI and PCI against the port for one year (cells: loc, prod, val)."""
    _, eci, pci = ecomplexity_port(cells)
    ours_e = c.eci.to_pandas().query("year == @year").set_index("exporter_code")["eci"]
    ours_p = c.pci.to_pandas().query("year == @year").set_index("product")["pci"]
    assert set(ours_e.dropna().index) == set(eci.index)
    assert set(ours_p.dropna().index) == set(pci.index)
    de = float((ours_e.loc[eci.index] - eci).abs().max())
    dp = float((ours_p.loc[pci.index] - pci).abs().max())
    return de, dp


def check_rca_against_pandas(r: pd.DataFrame, df: pd.DataFrame) -> None:
    """df: year, exporter_code, product, value (rows, not yet summed)."""
    cells = df.groupby(["year", "exporter_code", "product"], as_index=False)["value"].sum()
    cells["xc"] = cells.groupby(["year", "exporter_code"])["value"].transform("sum")
    cells["xp"] = cells.groupby(["year", "product"])["value"].transform("sum")
    cells["w"] = cells.groupby("year")["value"].transform("sum")
    cells["rca"] = (cells["value"] / cells["xc"]) / (cells["xp"] / cells["w"])
    merged = cells.merge(r, on=["year", "exporter_code", "product"], suffixes=("_pd", ""), validate="1:1")
    assert len(merged) == len(r) == len(cells)
    np.testing.assert_allclose(merged["value"], merged["value_pd"], rtol=1e-12)
    ok = merged["xp"] > 0
    np.testing.assert_allclose(merged.loc[ok, "rca"], merged.loc[ok, "rca_pd"], rtol=1e-9)
    assert merged.loc[~ok, "rca"].isna().all()
    assert (merged["m"] == (merged["rca_pd"].fillna(0) >= 1.0)).all()


def test_rca_matches_pandas_on_a_random_table() -> None:
    t, df = random_table()
    r = td.rca(t).to_pandas()
    df = df.rename(columns={"period": "year", "reporter": "exporter_code"})
    check_rca_against_pandas(r, df)
    keys = ["year", "exporter_code", "product"]
    n_rows = df.groupby(keys).size().rename("n_rows_pd").reset_index()
    merged = r.merge(n_rows, on=keys, validate="1:1")
    assert (merged["n_rows"] == merged["n_rows_pd"]).all() and merged["n_rows"].max() == 2


def test_complexity_matches_the_ecomplexity_port_on_a_random_table() -> None:
    t, df = random_table()
    c = td.complexity(t)
    for year in (2020, 2021):
        cells = df[df["period"] == year].rename(columns={"reporter": "loc", "product": "prod", "value": "val"})
        de, dp = compare_with_port(c, cells, year)
        print(f"random 30 x 200, {year}: max |ECI diff| {de:.2e}, max |PCI diff| {dp:.2e}")
        assert de < 1e-9 and dp < 1e-9, (year, de, dp)
        eci = c.eci.to_pandas().query("year == @year")
        assert eci["eci"].mean() == pytest.approx(0.0, abs=1e-12)
        assert eci["eci"].std(ddof=0) == pytest.approx(1.0, abs=1e-12)
        assert np.corrcoef(eci["diversity"], eci["eci"])[0, 1] > 0
    # The second convention: PCI standardised by its own mean and std.
    own = td.complexity(t, pci_scale="own").pci.to_pandas()
    for _, g in own.groupby("year"):
        assert g["pci"].mean() == pytest.approx(0.0, abs=1e-12)
        assert g["pci"].std(ddof=0) == pytest.approx(1.0, abs=1e-12)
    base = c.pci.to_pandas()
    for year, g in base.groupby("year"):
        z = (g["pci"] - g["pci"].mean()) / g["pci"].std(ddof=0)
        np.testing.assert_allclose(z.to_numpy(), own.loc[own["year"] == year, "pci"].to_numpy(), atol=1e-9)


def test_complexity_result_object() -> None:
    t, _ = random_table(n_c=10, n_p=30)
    c = td.complexity(t, threshold=1.0)
    assert isinstance(c, td.Complexity)
    assert c.eci.column_names == ["year", "exporter", "exporter_code", "exports", "diversity", "eci"]
    assert c.pci.column_names == ["year", "product", "exports", "ubiquity", "pci"]
    assert c.rca.column_names == ["year", "exporter", "exporter_code", "product", "value", "rca", "m", "n_rows"]
    html = c._repr_html_()
    assert "ECI" in html and "PCI" in html and "eigenvalues" in html
    assert "eigenvalues" in repr(c)
    assert c.eci.notes == c.notes


def test_method_counts_come_from_the_metrics_own_pass() -> None:
    """RCA and complexity count what their export view covers in their own pass over the rows;
    the method mapping must be the one the separate coverage check gives for that view."""
    from tradedep._method import covered
    from tradedep._metrics import _selection

    t, _ = random_table(n_c=10, n_p=30)
    _, expected, _ = covered(t, _selection(t, None, None, source="mirror"), "complexity")
    for result in (td.complexity(t, digits=4).eci, td.rca(t, digits=4)):
        method = result.method
        assert method["records"] == expected["records"]
        assert method["value"] == expected["value"]
        assert method["products"] == expected["products"]
        assert method["world"]["exporters"] == expected["suppliers"]
        assert len(expected["suppliers"]) == 10


def test_complexity_errors_are_catchable() -> None:
    imports_only = _table_from_columns(
        period=[2021, 2021], reporter=[643, 643], partner=[156, 276], flow=["import", "import"],
        product=["850760", "850760"], value=[1.0, 2.0], freq="A", currency="USD", vintage="HS2017",
    )
    with pytest.raises(td.InvalidArgumentError, match="exports=\"mirror\""):
        td.complexity(imports_only)
    # The same rows mirrored are exports of 156 and 276 in one product: fewer than 2 products.
    with pytest.raises(td.InvalidDataError, match="at least 2 of each"):
        td.complexity(imports_only, exports="mirror")
    assert td.rca(imports_only, exports="mirror").num_rows == 2
    t, _ = random_table(n_c=5, n_p=10)
    with pytest.raises(td.InvalidArgumentError, match="pci_scale"):
        td.complexity(t, pci_scale="zscore")  # type: ignore[arg-type]
    with pytest.raises(td.InvalidArgumentError, match="digits"):
        td.rca(t, digits=3)
    with pytest.raises(td.InvalidArgumentError, match="threshold"):
        td.rca(t, threshold=-1)


def comext_cells(shared_data: Path, digits: int) -> tuple[td.TradeTable, pd.DataFrame]:
    path = shared_data / COMEXT
    if not path.exists():
        pytest.skip(f"{path} not found")
    t = td.read_comext(path)
    df = t.to_pandas()
    assert (df["flow"] == "export").all()
    df = pd.DataFrame({
        "year": df["period"] // 100,
        "exporter_code": df["reporter"].astype(int),
        "product": df["product"].str[:digits],
        "value": df["value"],
    })
    return t, df


def test_comext_rca_matches_pandas(shared_data: Path) -> None:
    t, df = comext_cells(shared_data, 6)
    r = td.rca(t, digits=6)
    check_rca_against_pandas(r.to_pandas(), df)
    assert any("2022: 11 months summed" in n for n in r.notes)


@pytest.mark.parametrize("digits,years", [(4, (2020, 2021, 2022)), (6, (2021,))])
def test_comext_complexity_matches_the_ecomplexity_port(shared_data: Path, digits: int, years: tuple[int, ...]) -> None:
    t, df = comext_cells(shared_data, digits)
    c = td.complexity(t, digits=digits)
    eci = c.eci.to_pandas()
    assert eci["exporter_code"].nunique() == 27
    for year in years:
        cells = df[df["year"] == year].rename(columns={"exporter_code": "loc", "product": "prod", "value": "val"})
        de, dp = compare_with_port(c, cells, year)
        print(f"Comext HS{digits} {year}: max |ECI diff| {de:.2e}, max |PCI diff| {dp:.2e}")
        assert de < 1e-8 and dp < 1e-8, (digits, year, de, dp)


BACI92 = "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz"


def baci_sample_cells(shared_data: Path, digits: int) -> tuple[td.TradeTable, pd.DataFrame]:
    """The real BACI sample (2021 exports of South Africa and Afghanistan, HS1992) read by
    td.read_baci, and its rows read independently by pandas: year, exporter_code, product
    (first ``digits`` digits of the zero-padded code), value (thousand USD x 1000)."""
    path = shared_data / BACI92
    if not path.exists():
        pytest.skip(f"{path} not found")
    raw = pd.read_csv(path, dtype={"k": str, "q": str})
    df = pd.DataFrame({
        "year": raw["t"].astype(int),
        "exporter_code": raw["i"].astype(int),
        "product": raw["k"].str.zfill(6).str[:digits],
        "value": raw["v"] * 1000,
    })
    return td.read_baci(path), df


@pytest.mark.parametrize("digits", [2, 4, 6])
def test_baci_sample_rca_matches_pandas(shared_data: Path, digits: int) -> None:
    t, df = baci_sample_cells(shared_data, digits)
    r = td.rca(t, digits=digits)
    got = r.to_pandas()
    check_rca_against_pandas(got, df)
    # Rows in (year, exporter code, product) order, rows counted, exporters labelled.
    keys = ["year", "exporter_code", "product"]
    expected = df.groupby(keys).size().rename("n_rows_pd").reset_index()
    assert list(zip(*(got[k].tolist() for k in keys))) == list(zip(*(expected[k].tolist() for k in keys)))
    assert (got["n_rows"].to_numpy() == expected["n_rows_pd"].to_numpy()).all()
    assert set(zip(got["exporter_code"], got["exporter"])) == {(4, "AFG"), (710, "ZAF")}
    assert any("71192 of the table's 71192 rows" in n for n in r.notes)


@pytest.mark.parametrize("digits", [2, 4])
def test_baci_sample_complexity_matches_the_ecomplexity_port(shared_data: Path, digits: int) -> None:
    t, df = baci_sample_cells(shared_data, digits)
    # Two exporters: at threshold 1 each product has RCA >= 1 for one of them only, so M splits
    # into two blocks and no ECI exists; at 0.5 products both export well connect them.
    with pytest.raises(td.InvalidDataError, match="blocks that share no exporter"):
        td.complexity(t, digits=digits)
    c = td.complexity(t, digits=digits, threshold=0.5)
    cells = df.rename(columns={"exporter_code": "loc", "product": "prod", "value": "val"})
    rca_s, eci_port, pci_port = ecomplexity_port(cells, threshold=0.5)
    eci = c.eci.to_pandas().set_index("exporter_code")
    pci = c.pci.to_pandas().set_index("product")
    assert set(eci["eci"].dropna().index) == set(eci_port.index) == {4, 710}
    assert set(pci["pci"].dropna().index) == set(pci_port.index)
    de = float((eci.loc[eci_port.index, "eci"] - eci_port).abs().max())
    dp = float((pci.loc[pci_port.index, "pci"] - pci_port).abs().max())
    print(f"BACI sample HS{digits}: max |ECI diff| {de:.2e}, max |PCI diff| {dp:.2e}")
    assert de < 1e-9 and dp < 1e-9, (digits, de, dp)
    # Diversity, ubiquity and the exports columns against pandas.
    m = (rca_s.fillna(0) >= 0.5).astype(int)
    assert (eci["diversity"] == m.groupby(level=0).sum().loc[eci.index]).all()
    assert (pci["ubiquity"] == m.groupby(level=1).sum().loc[pci.index]).all()
    np.testing.assert_allclose(eci["exports"], df.groupby("exporter_code")["value"].sum().loc[eci.index], rtol=1e-12)
    np.testing.assert_allclose(pci["exports"], df.groupby("product")["value"].sum().loc[pci.index], rtol=1e-12)
