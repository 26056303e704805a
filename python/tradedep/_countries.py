"""Countries and country groups: look-ups by ISO code, Comtrade/BACI code or name, groups with
membership dates (EU27 on a date), user-defined groups."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from tradedep import _tradedep
from tradedep._table import ArrowResult
from tradedep._tradedep import Country

__all__: list[str] = ["Country", "countries", "country", "define_group", "group", "groups"]


def country(x: str | int) -> Country:
    """The country for an ISO alpha-2/alpha-3 code, a numeric code or an English name.

    Numbers are read as Comtrade/BACI codes first, then as ISO 3166-1 numeric, so 842 and 840
    both give the USA. Names are case-insensitive and accept common spellings ("Russia",
    "Russian Federation", "Turkey", "Türkiye", "Korea, Rep.", "UAE", "Czech Republic").
    Unknown or ambiguous names ("Korea") raise ``UnknownCountryError`` with the closest names.

    >>> import tradedep as td
    >>> td.country("USA")
    Country(iso3="USA", iso2="US", iso_numeric=840, comtrade=842, name="United States")
    >>> td.country(251).iso3, td.country("France").comtrade
    ('FRA', 251)
    """
    return _tradedep._country(x)


def group(name: str, date: str | int | datetime.date | None = None) -> list[Country]:
    """Members of a built-in or user-defined group on a date (default: today).

    ``date`` is ``"2019-06-30"``, a ``datetime.date`` or a year (an int or ``"2019"``, read as
    1 July of that year). ``"EU27"`` lists the EU members of that day: 28 with the UK on
    2019-06-30, 27 since 2020-02-01, the EU15 in 2000. Built-in groups: EU27 (alias EU),
    EU27_2020, EU28, EAEU, China+HK, China+HK+Macao, CHPL coalition, sanctioning coalition,
    rerouting hubs; see ``groups()`` for members' sources.

    >>> import tradedep as td
    >>> len(td.group("EU27", date="2019-06-30")), len(td.group("EU27", date=2020))
    (28, 27)
    """
    return _tradedep._group(name, date)


def define_group(name: str, members: Iterable[str | int]) -> list[Country]:
    """Defines (or redefines) a group for this process; later calls that take countries accept it.

    Members are anything ``country`` accepts, group names (their members today) or "A+B".
    Returns the members. Built-in group names cannot be redefined.

    >>> import tradedep as td
    >>> [c.iso3 for c in td.define_group("Visegrad", ["POL", "Czechia", 348, "SVK"])]
    ['POL', 'CZE', 'HUN', 'SVK']
    """
    return _tradedep._define_group(name, list(members))


def groups() -> ArrowResult:
    """All groups (built-in and user-defined) with aliases, description and official source.

    >>> import tradedep as td
    >>> "EU27" in td.groups().to_pandas()["name"].tolist()
    True
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    rows = _tradedep._groups()
    table = pa.table(
        {
            "name": [r[0] for r in rows],
            "aliases": [", ".join(r[1]) for r in rows],
            "description": [r[2] for r in rows],
            "source": [r[3] for r in rows],
            "builtin": [r[4] for r in rows],
        }
    )
    return ArrowResult(table, "Country groups", [])


def countries() -> ArrowResult:
    """The embedded country table: comtrade, iso2, iso3, iso_numeric, name, kind, included_in.

    ``kind`` is "country", "alias" (a second data code, Italy 381), "former" (USSR 810),
    "nes" (490 is Taiwan, so it is a "country"; 899 Areas, nes), "special" (837 Bunkers) or
    "no_own_code" (Liechtenstein: reported within ``included_in`` = 757 Switzerland).

    >>> import tradedep as td
    >>> df = td.countries().to_pandas()
    >>> int(df.loc[df.iso3 == "USA", "comtrade"].iloc[0])
    842
    """
    return ArrowResult(
        _tradedep._countries_table(),
        "Countries",
        [
            "Sources: CEPII BACI country codes V202201/V202301, UN Comtrade reference areas, "
            "ISO 3166-1 / UN M49.",
            "comtrade is the code in trade data; iso_numeric the ISO 3166-1 code (840 vs 842 for the USA).",
        ],
    )
