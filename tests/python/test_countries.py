"""td.country / td.group / td.define_group / td.countries, checked against the official code
lists in ../shared/data/country_codes read with the csv and json modules."""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import pytest

import tradedep as td
from tradedep import _tradedep


def _baci(path: Path, delimiter: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def _comtrade(path: Path) -> dict[int, str]:
    with open(path, encoding="utf-8") as fh:
        return {int(r["id"]): r["text"] for r in json.load(fh)["results"]}


@pytest.fixture
def codes_dir(shared_data: Path) -> Path:
    d = shared_data / "country_codes"
    if not d.exists():
        pytest.skip("country_codes folder absent")
    return d


@pytest.mark.parametrize(
    "fname,delim", [("baci_country_codes_V202201.csv", ","), ("baci_country_codes_V202301.csv", ";")]
)
def test_every_baci_code_resolves_with_baci_iso3(codes_dir: Path, fname: str, delim: str) -> None:
    rows = _baci(codes_dir / fname, delim)
    assert len(rows) > 230
    for r in rows:
        code = int(r["country_code"])
        assert _tradedep._is_known_code(code), r
        c = td.country(code)
        iso3 = r["iso_3digit_alpha"]
        if c.comtrade == code:
            got = c
        else:
            # A number that is also an ISO code of a current country resolves to that country;
            # the BACI row itself must still be in the table under its own code.
            table = td.countries().to_pandas()
            match = table[table.comtrade == code]
            assert len(match) == 1, r
            got_iso3 = match.iso3.iloc[0] if isinstance(match.iso3.iloc[0], str) else ""
            assert got_iso3 == ("" if iso3 == "N/A" else iso3), r
            continue
        if iso3 == "N/A":
            expected = "TWN" if code == 490 else ""  # 490 Other Asia, nes = Taiwan (domain.md §3)
            assert got.iso3 == expected, r
        else:
            assert got.iso3 == iso3, r


def test_every_comtrade_partner_and_reporter_area_is_known(codes_dir: Path) -> None:
    for fname in ["comtrade_legacy_partnerAreas.json", "comtrade_legacy_reporterAreas.json"]:
        areas = _comtrade(codes_dir / fname)
        for code, text in areas.items():
            if code in (0, 97):  # World, EU-28 aggregate
                assert not _tradedep._is_known_code(code)
                continue
            assert _tradedep._is_known_code(code), (fname, code, text)
            assert td._tradedep._resolve_country_codes(code)[0] in (code, 699), (code, text)
            # The Comtrade name leads to the same entity as the code.
            by_name = td.country(text)
            assert by_name.comtrade == code or (by_name.iso3 and by_name.iso3 == td.country(code).iso3), (code, text)


def test_iso_codes_from_the_iso_table(codes_dir: Path) -> None:
    with open(codes_dir / "datasets_country-codes.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["ISO3166-1-Alpha-3"] and r["ISO3166-1-numeric"]]
    assert len(rows) >= 249
    for r in rows:
        c = td.country(r["ISO3166-1-Alpha-3"])
        assert (c.iso2, c.iso_numeric) == (r["ISO3166-1-Alpha-2"], int(r["ISO3166-1-numeric"])), r
        assert td.country(r["ISO3166-1-Alpha-2"].lower()) == c


@pytest.mark.parametrize(
    "query,iso3,iso_numeric,comtrade",
    [
        ("USA", "USA", 840, 842),
        (842, "USA", 840, 842),
        (840, "USA", 840, 842),
        ("France", "FRA", 250, 251),
        (381, "ITA", 380, 381),
        ("Italy", "ITA", 380, 380),
        ("Norway", "NOR", 578, 579),
        ("Switzerland", "CHE", 756, 757),
        ("India", "IND", 356, 699),
        (490, "TWN", 158, 490),
        ("Taiwan", "TWN", 158, 490),
    ],
)
def test_domain_traps(query: str | int, iso3: str, iso_numeric: int, comtrade: int) -> None:
    c = td.country(query)
    assert (c.iso3, c.iso_numeric, c.comtrade) == (iso3, iso_numeric, comtrade)


@pytest.mark.parametrize(
    "query,iso3",
    [
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("South Korea", "KOR"),
        ("Korea, Rep.", "KOR"),
        ("UAE", "ARE"),
        ("Hong Kong", "HKG"),
        ("Taiwan", "TWN"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("United States", "USA"),
        ("usa", "USA"),
        ("france", "FRA"),
    ],
)
def test_names_and_aliases(query: str, iso3: str) -> None:
    assert td.country(query).iso3 == iso3


def test_country_object() -> None:
    c = td.country("USA")
    assert (c.iso2, c.iso3, c.iso_numeric, c.comtrade, c.name) == ("US", "USA", 840, 842, "United States")
    assert "USA" in repr(c) and "842" in repr(c)
    assert c == td.country(842)
    assert len({c, td.country("United States")}) == 1
    assert c.kind == "country"
    assert td.country(810).kind == "former"


@pytest.mark.parametrize("query", ["Atlantis", "Korea", "", "XX", 1234])
def test_unknown_or_ambiguous_raise(query: str | int) -> None:
    with pytest.raises(td.UnknownCountryError):
        td.country(query)


def test_unknown_name_hint() -> None:
    with pytest.raises(td.UnknownCountryError, match="Germany"):
        td.country("Germny")
    with pytest.raises(td.InvalidArgumentError):
        td.country(1.5)  # type: ignore[arg-type]


def _eu_column(codes_dir: Path, column: str) -> set[str]:
    # country_converter's EU compositions (an independent source of the member lists).
    with open(codes_dir / "country_converter_country_data.tsv", encoding="utf-8", newline="") as fh:
        return {r["ISO3"] for r in csv.DictReader(fh, delimiter="\t") if r.get(column)}


def _iso3s(members: list[td.Country]) -> set[str]:
    return {c.iso3 for c in members}


def test_eu27_membership_on_dates(codes_dir: Path) -> None:
    d2019 = td.group("EU27", date="2019-06-30")
    assert len(d2019) == 28 and "GBR" in _iso3s(d2019)
    assert _iso3s(d2019) == _eu_column(codes_dir, "EU28")
    d2020 = td.group("EU27", date=datetime.date(2020, 6, 30))
    assert len(d2020) == 27 and "GBR" not in _iso3s(d2020)
    assert _iso3s(d2020) == _eu_column(codes_dir, "EU27")
    d2013 = td.group("EU", date="2013-01-01")
    assert "HRV" not in _iso3s(d2013)
    assert _iso3s(d2013) == _eu_column(codes_dir, "EU27_2007")
    assert _iso3s(td.group("EU27", date=2000)) == _eu_column(codes_dir, "EU15")
    assert _iso3s(td.group("EU27", date="2005-01-01")) == _eu_column(codes_dir, "EU25")
    # Year = 1 July: Croatia counts in 2013, the UK not in 2020.
    assert "HRV" in _iso3s(td.group("EU27", date=2013))
    assert "GBR" not in _iso3s(td.group("EU27", date="2020"))
    assert "GBR" in _iso3s(td.group("EU27", date="2020-01-31"))
    assert "GBR" not in _iso3s(td.group("EU27", date="2020-02-01"))
    assert len(td.group("EU27")) == 27  # today


def test_group_dates_are_validated() -> None:
    with pytest.raises(td.InvalidArgumentError):
        td.group("EU27", date="31/12/2019")
    with pytest.raises(td.InvalidArgumentError):
        td.group("EU27", date="2019-02-30")
    with pytest.raises(td.InvalidArgumentError):
        td.group("no such group")


def test_builtin_groups_resolve() -> None:
    r = _tradedep._resolve_country_codes
    assert r("China+HK") == [156, 344]
    assert r("China+HK+Macao") == [156, 344, 446]
    assert r("CHN+HKG") == [156, 344]
    assert sorted(r("EAEU")) == [51, 112, 398, 417, 643]
    assert sorted(r("rerouting hubs")) == [51, 268, 398, 417, 784, 792, 860]
    assert set(r("CHPL coalition")) >= {842, 826, 392, 251, 276, 380, 381}
    assert set(r("sanctioning coalition")) >= set(r("CHPL coalition")) | {124, 36, 554, 579, 757, 410, 490, 702}
    assert r("Italy") == [380, 381]
    assert r(842) == [842]
    names = td.groups().to_pandas()
    assert set(names.name) >= {"EU27", "EAEU", "China+HK", "CHPL coalition", "sanctioning coalition", "rerouting hubs"}
    assert names.source.str.len().min() > 10


def test_user_defined_groups_are_used_by_resolve() -> None:
    members = td.define_group("pytest Visegrad", ["POL", "Czechia", 348, "SVK"])
    assert [c.iso3 for c in members] == ["POL", "CZE", "HUN", "SVK"]
    assert _tradedep._resolve_country_codes("pytest visegrad") == [616, 203, 348, 703]
    assert _iso3s(td.group("PYTEST_VISEGRAD", date=1990)) == {"POL", "CZE", "HUN", "SVK"}
    assert _tradedep._resolve_country_codes("pytest Visegrad+AUT") == [616, 203, 348, 703, 40]
    # Used by the shared resolver of country arguments.
    from tradedep._countries_py import resolve_codes

    assert resolve_codes(["pytest Visegrad", 842]) == [616, 203, 348, 703, 842]
    with pytest.raises(td.InvalidArgumentError):
        td.define_group("EU27", ["FRA"])
    with pytest.raises(td.UnknownCountryError):
        td.define_group("pytest bad", ["Atlantis"])


def test_countries_table_matches_baci(codes_dir: Path) -> None:
    df = td.countries().to_pandas()
    rows = _baci(codes_dir / "baci_country_codes_V202301.csv", ";")
    ours = dict(zip(df.comtrade.dropna().astype(int), df.iso3[df.comtrade.notna()]))
    for r in rows:
        if r["iso_3digit_alpha"] != "N/A":
            assert ours[int(r["country_code"])] == r["iso_3digit_alpha"], r
    assert set(df.kind) == {"country", "alias", "former", "nes", "special", "no_own_code"}
    lie = df[df.iso3 == "LIE"].iloc[0]
    assert int(lie.included_in) == 757
