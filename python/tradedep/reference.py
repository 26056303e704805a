"""Official reference files, downloaded once into a cache with checksums (``td.reference.fetch``).

Through pooch (``pip install 'tradedep[reference]'``). The registry names each file, its official
URL and, where the same file was checked here, its SHA-256. Files without a registered checksum
(BACI archives, the Comtrade reference JSON, which UN Comtrade updates in place; Eurostat's
metadata files) are fetched with "checksum on first download": the SHA-256 of what arrived is
recorded in the result (``.sha256``, ``.verified is False``, ``.note``) so that it can be
compared or pinned with ``known_hash=``.

    >>> import tradedep as td
    >>> f = td.reference.fetch("unsd_hs2022_hs2017")        # doctest: +SKIP
    >>> f.path, f.verified                                   # doctest: +SKIP
    (PosixPath('.../tradedep/HS2022toHS2017ConversionAndCorrelationTables.xlsx'), True)
    >>> td.reference.names()                                 # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradedep._tradedep import InvalidArgumentError, InvalidDataError, TradeDepIOError

__all__ = ["fetch", "names", "ReferenceFile", "HOSTS", "REGISTRY"]

# Official locations (the base URL of each publisher; ``base_url=`` replaces it, e.g. a mirror).
HOSTS = {
    "unsd": "https://unstats.un.org/unsd/classifications/Econ/tables/",
    "comtrade": "https://comtradeapi.un.org/files/v1/app/reference/",
    "cepii": "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/",
    "eurostat": "https://ec.europa.eu/eurostat/api/dissemination/files/?file=comext%2FCOMEXT_METADATA%2FCLASSIFICATIONS_AND_RELATIONS%2F",
}

# name -> (host, path under the host with {parameters}, sha256 or None, what it is).
# The SHA-256 values are those of the copies in the project's shared data (verbatim UNSD files).
_UNSD = "{}to{}ConversionAndCorrelationTables.xlsx"
_UNSD_SHA = {
    ("HS2022", "HS2017"): "51709278bc1df0a4aebff6a33339547f519679a9a59d230774f26cb7c56f9f74",
    ("HS2022", "HS2012"): "a8bd784e704095b0bfebd645ca3b4b9b6b301f9b40d25711f78781755acdb32e",
    ("HS2017", "HS2012"): "795b14a664a1a46e24bf72b45fae5128a05209c91f5f581ae419e57028497fac",
    ("HS2022", "HS2007"): "6d72424f335955962bca4eea7aa3c3cd07f332680475ee3cd9b6aa6c6a8741d2",
    ("HS2022", "HS2002"): "8b812c832499229f66d0cf26d26d999faffd1259406e891b92658b72640075e8",
    ("HS2022", "HS1996"): "a840e9885ee848714bf17358a04fb9fbfdbd19f7e0aecb9a454a94e30101b7ce",
    ("HS2022", "HS1992"): "1118dceaadc5235ded4649ea0f47dd04ffeab2385bb48de9c8095479e529036b",
    ("HS2017", "HS2007"): "5b2abc93efd26faa25f956a05c89321f8baa7db8b648cc1ac5177d9ddb970118",
    ("HS2017", "HS2002"): "d1edc52907b869521931eae460b83fed4911df33bcade0527490f871e88f3862",
    ("HS2017", "HS1996"): "a244f9e5eee5249fa1b6d425628048fa188b80f110e6b29e04ef50d57635485f",
    ("HS2017", "HS1992"): "b80beee2454641e86287dd8a97964410e3e967080443482f40103d22e5feef48",
}
REGISTRY: dict[str, tuple[str, str, str | None, str]] = {
    f"unsd_{a.lower()}_{b.lower()}": (
        "unsd", _UNSD.format(a, b), sha, f"UNSD {a} to {b} conversion and correlation tables (xlsx)"
    )
    for (a, b), sha in _UNSD_SHA.items()
}
REGISTRY.update(
    {
        f"comtrade_{code}": ("comtrade", f"{code}.json", None, f"UN Comtrade reference list {code}.json ({what})")
        for code, what in (
            ("H6", "HS2022 codes"), ("H5", "HS2017 codes"), ("H4", "HS2012 codes"), ("H3", "HS2007 codes"),
            ("partnerAreas", "partner areas"), ("Reporters", "reporters"),
        )
    }
)
REGISTRY.update(
    {
        "baci": ("cepii", "BACI_{hs}_V{release}.zip", None,
                 "CEPII BACI archive; parameters hs (HS92, HS17, HS22 ...) and release (e.g. 202401)"),
        "eurostat_cn": ("eurostat", "CLASSIFICATIONS%2FENGLISH%2FCN.txt", None,
                        "Eurostat Comext CN codes with validity dates (CN.txt)"),
        "eurostat_cn_correlation": ("eurostat", "RELATIONS%2FENGLISH%2F{name}", None,
                                    "Eurostat Comext correlation table, e.g. name='CN2022_CN2023.txt' "
                                    "(file names as listed in Comext's RELATIONS folder)"),
    }
)


@dataclass(frozen=True)
class ReferenceFile:
    """A fetched file: its ``path`` (pass the object itself to readers: it is path-like), the
    ``url`` it came from, its ``sha256``, whether that matched a registered checksum
    (``verified``) and a ``note`` saying which."""

    name: str
    path: Path
    url: str
    sha256: str
    verified: bool
    note: str

    def __fspath__(self) -> str:
        return str(self.path)


def names() -> dict[str, str]:
    """Every registered name with what it is (and ``checksum on first download`` where no
    checksum is registered)."""
    return {
        n: desc + ("" if sha else " [checksum on first download]") for n, (_, _, sha, desc) in sorted(REGISTRY.items())
    }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _DownloadBar:
    """pooch's progress bar protocol (total, update, reset, close) over tradedep's bar choice
    (never tqdm.auto's warning); the bar is made on the first bytes, so a cached file shows none."""

    def __init__(self, cls: Any, desc: str) -> None:
        self.cls, self.desc, self.total, self.bar = cls, desc, None, None

    def __bool__(self) -> bool:
        return True

    def _get(self) -> Any:
        if self.bar is None:
            self.bar = self.cls(desc=self.desc, total=self.total or None, unit="B", unit_scale=True, leave=False)
        return self.bar

    def update(self, n: int) -> None:
        self._get().update(n)

    def reset(self) -> None:
        self._get().reset(total=self.total or None)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progressbar(desc: str) -> Any:
    from tradedep._options import options
    from tradedep._progress import bar_class

    cls = bar_class() if options.progress else None
    return False if cls is None else _DownloadBar(cls, desc)


def fetch(
    name: str,
    *,
    cache: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    known_hash: str | None = None,
    **params: str,
) -> ReferenceFile:
    """Download a registered reference file into the cache (once) and check its SHA-256.

    ``name``: see :func:`names` (``"unsd_hs2022_hs2017"``, ``"comtrade_H6"``, ``"baci"`` with
    ``hs="HS17", release="202401"`` ...). ``cache``: the folder (default ``$TRADEDEP_CACHE`` or
    the user cache folder, ``pooch.os_cache("tradedep")``). ``base_url``: replaces the
    publisher's base URL (a mirror, or a local server in tests). ``known_hash``: a SHA-256 to
    check instead of the registry's (for a file the registry has none for).

    A file whose registered checksum does not match raises ``InvalidDataError`` (the publisher
    may have revised it: pass ``known_hash=None`` explicitly is not enough, pin the new hash
    with ``known_hash=`` after checking it). A failed download raises ``TradeDepIOError``.

        >>> f = td.reference.fetch("baci", hs="HS17", release="202401")   # doctest: +SKIP
        >>> f.note                                                        # doctest: +SKIP
        'no checksum registered: checksum on first download (sha256 ...)'
        >>> t = td.read_baci(f, years=2021)                               # doctest: +SKIP
    """
    if name not in REGISTRY:
        raise InvalidArgumentError(f"unknown reference file {name!r}; registered: {', '.join(sorted(REGISTRY))}")
    try:
        import pooch
    except ImportError as e:
        raise ImportError("td.reference.fetch needs pooch: pip install 'tradedep[reference]'") from e
    host, path, registered, _ = REGISTRY[name]
    try:
        rel = path.format(**params)
    except KeyError as e:
        raise InvalidArgumentError(f"reference file {name!r} needs the parameter {e.args[0]}= ({REGISTRY[name][3]})") from None
    base = base_url if base_url is not None else HOSTS[host]
    url = base + rel
    fname = rel.rsplit("%2F", 1)[-1].rsplit("/", 1)[-1]
    folder = Path(cache or os.environ.get("TRADEDEP_CACHE") or pooch.os_cache("tradedep"))
    expected = known_hash or registered
    try:
        local = pooch.retrieve(
            url, known_hash=None if expected is None else f"sha256:{expected}", fname=fname, path=folder,
            progressbar=_progressbar(fname),
        )
    except ValueError as e:  # pooch: hash mismatch
        raise InvalidDataError(
            f"{url}: the downloaded file does not have the registered SHA-256 {expected} ({e}); the publisher may "
            "have revised it. Check it, then pin its hash with known_hash="
        ) from None
    except OSError as e:
        raise TradeDepIOError(f"could not download {url}: {e}") from e
    except Exception as e:  # requests' HTTPError, ConnectionError ... (not OSError subclasses in every version)
        raise TradeDepIOError(f"could not download {url}: {e}") from e
    digest = _sha256(Path(local))
    if expected is not None:
        note = f"checksum verified: sha256 {digest} ({'registry' if known_hash is None else 'known_hash'})"
    else:
        note = f"no checksum registered: checksum on first download (sha256 {digest}); pin it with known_hash="
    return ReferenceFile(name, Path(local), url, digest, expected is not None, note)
