"""``td.lists``: product lists with versions and tiers.

Built in: the Common High Priority List (CHPL) of 2024-02-23. Loaders for user lists
(TOML, JSON, CSV), the EU Regulation 833/2014 annex CN8 lists and the EU CN-to-Annex-I
dual-use correlation table::

    >>> import tradedep as td
    >>> chpl = td.lists.chpl()
    >>> len(chpl), len(chpl.tier("1"))
    (50, 4)
    >>> "85423190" in chpl.tier("1")
    True
"""

from __future__ import annotations

import os
from typing import Union

from tradedep._tradedep import ProductList

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["ProductList", "chpl", "load", "eu833", "dual_use_correlation", "diff"]


def chpl() -> ProductList:
    """The Common High Priority List (EU, US, UK, Japan), version of 2024-02-23.

    50 HS2022 subheadings in tiers 1 (4 codes), 2 (5), 3.A (16), 3.B (9), 4.A (11), 4.B (5);
    ``tier("3")`` selects 3.A and 3.B. Source: BIS and European Commission publications of the
    list (typed into the library; see ``tradedep::classify::chpl``).

        >>> td.lists.chpl().tier("3.A").codes()[:3]
        ['847150', '850440', '851769']
    """
    return ProductList.chpl()


def load(
    path: PathLike,
    *,
    name: str | None = None,
    version: str | None = None,
    vintage: str | None = None,
    effective: str | None = None,
    tiers: list[str] | None = None,
) -> ProductList:
    """A user list from a ``.toml`` or ``.json`` file, or a ``.csv`` file (then give ``name``,
    ``version`` and ``vintage``; the CSV header is ``code[,tier][,category][,control_entry][,description]``).

    TOML layout::

        name = "my watch list"
        version = "2024-03"
        vintage = "HS2022"
        tiers = ["1", "2"]          # optional; entries must use these tiers

        [[entries]]
        code = "854231"
        tier = "1"

    A bad file raises an error naming the file, line, value and what to do (unknown tier,
    malformed code, duplicate entry, codes too long for the vintage).

        >>> td.lists.load("watch.toml")  # doctest: +SKIP
    """
    return ProductList.load(os.fspath(path), name, version, vintage, effective, tiers)


def eu833(path: PathLike, *, version: str = "2022-10-07", cn_year: int = 2022) -> ProductList:
    """CN8 codes of the EU Regulation 833/2014 export-restriction annexes from a CSV ``code,product``.

        >>> td.lists.eu833("eu_reg833_export_sanctioned_cn8_codes_2022-10.csv")  # doctest: +SKIP
    """
    return ProductList.eu833(os.fspath(path), version, cn_year)


def dual_use_correlation(path: PathLike, *, cn_year: int, version: str) -> ProductList:
    """The Commission's CN-to-Annex-I dual-use correlation table (.xlsx or .csv).

    Expected layout: optional title rows, then a header with a CN column (``CN code``), a
    dual-use column (header containing ``dual-use``, ``annex`` or ``DU``), optionally
    ``TARIC code`` and ``Description``; one row per link, entries like ``3A001.a.7``. Rows of one
    CN code merge; each entry's ``regime`` (Wassenaar, MTCR, NSG, Australia Group, CWC) and
    category come from the entry. The table is indicative: shares computed from it are upper bounds.

        >>> td.lists.dual_use_correlation("correlation_2024.xlsx", cn_year=2024, version="2024")  # doctest: +SKIP
    """
    return ProductList.dual_use_correlation(os.fspath(path), cn_year, version)


def diff(new: ProductList, old: ProductList) -> str:
    """Two versions side by side: codes added (+), removed (-) and attributes changed (~).

        >>> print(td.lists.diff(new_list, old_list))  # doctest: +SKIP
    """
    return str(new.diff(old)["text"])
