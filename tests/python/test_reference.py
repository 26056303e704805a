"""td.reference.fetch against a local HTTP server on 127.0.0.1 serving the shared data folder, and
td.read_comtrade_api with comtradeapicall's HTTP calls answered locally."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest

import tradedep as td

pytest.importorskip("pooch")


@pytest.fixture(scope="module")
def server():
    """An http.server in a thread serving a folder chosen per test (``server(root) -> base URL``)."""
    servers = []

    def start(root: Path) -> str:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
        handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_registered_checksums_are_those_of_the_shared_files(shared_data):
    for (a, b), digest in td.reference._UNSD_SHA.items():
        folder = "hs_concordance" if b == "HS2012" or (a, b) == ("HS2022", "HS2017") else "hs_concordance_older"
        assert sha(shared_data / folder / f"{a}to{b}ConversionAndCorrelationTables.xlsx") == digest


def test_fetch_verifies_and_caches(shared_data, server, tmp_path):
    base = server(shared_data) + "hs_concordance/"
    f = td.reference.fetch("unsd_hs2022_hs2017", cache=tmp_path, base_url=base)
    src = shared_data / "hs_concordance/HS2022toHS2017ConversionAndCorrelationTables.xlsx"
    assert f.verified and f.path.read_bytes() == src.read_bytes() and f.sha256 == sha(src)
    assert "checksum verified" in f.note and Path(f).parent == tmp_path
    mtime = f.path.stat().st_mtime_ns
    again = td.reference.fetch("unsd_hs2022_hs2017", cache=tmp_path, base_url=base)
    assert again.path.stat().st_mtime_ns == mtime  # cached: not downloaded twice


def test_checksum_mismatch_raises(shared_data, server, tmp_path):
    # The HS2022->HS2012 file served under the HS2022->HS2017 name: the registry's hash catches it.
    root = tmp_path / "srv"
    root.mkdir()
    (root / "HS2022toHS2017ConversionAndCorrelationTables.xlsx").symlink_to(
        shared_data / "hs_concordance/HS2022toHS2012ConversionAndCorrelationTables.xlsx"
    )
    with pytest.raises(td.InvalidDataError, match="SHA-256"):
        td.reference.fetch("unsd_hs2022_hs2017", cache=tmp_path / "cache", base_url=server(root))


def test_first_download_checksum_is_stated_and_the_json_reads(shared_data, server, tmp_path):
    root = tmp_path / "srv"
    root.mkdir()
    (root / "H6.json").symlink_to(shared_data / "hs_nomenclature/classificationH6.json")
    f = td.reference.fetch("comtrade_H6", cache=tmp_path / "cache", base_url=server(root))
    assert not f.verified and "checksum on first download" in f.note and f.sha256 in f.note
    data = json.loads(f.path.read_text())
    assert data["classCode"] == "H6" and any(r["id"] == "854231" for r in data["results"])
    pinned = td.reference.fetch("comtrade_H6", cache=tmp_path / "cache2", base_url=server(root), known_hash=f.sha256)
    assert pinned.verified


def test_parameters_missing_and_unknown_names(server, tmp_path, shared_data):
    with pytest.raises(td.InvalidArgumentError, match="release"):
        td.reference.fetch("baci", hs="HS17")
    with pytest.raises(td.InvalidArgumentError, match="unknown reference"):
        td.reference.fetch("unsd_hs1992_hs2022")
    with pytest.raises(td.TradeDepIOError):
        td.reference.fetch("baci", hs="HS92", release="209901", cache=tmp_path, base_url=server(shared_data))
    assert "checksum on first download" in td.reference.names()["baci"]


def test_baci_archive_name_from_parameters(shared_data, server, tmp_path):
    import gzip
    import zipfile

    root = tmp_path / "srv"
    root.mkdir()
    with zipfile.ZipFile(root / "BACI_HS92_V202301.zip", "w") as z:
        z.writestr("BACI_HS92_Y2021_V202301.csv", gzip.decompress((shared_data / "baci_sample/baci_hs92_2021_exports_zaf_afg.csv.gz").read_bytes()))
    f = td.reference.fetch("baci", hs="HS92", release="202301", cache=tmp_path / "cache", base_url=server(root))
    t = td.read_baci(f, progress=False)
    assert t.num_rows == 71192 and t.vintage == "HS1992"


# --- Comtrade API via comtradeapicall --------------------------------------------------------
def test_comtrade_api_answer_read_as_table(shared_data, monkeypatch):
    comtradeapicall = pytest.importorskip("comtradeapicall")
    from comtradeapicall import PreviewGet

    answer = shared_data / "comtrade_plus/comtradr__api_response_CHN_ARG_DEU_2010_TOTAL.json"
    calls = []

    class Response:
        status = 200
        data = answer.read_bytes()

    class PoolManager:  # comtradeapicall's urllib3 client, answered from the local file
        def request(self, method, url, fields=None, timeout=None):
            calls.append((method, url, dict(fields or {})))
            return Response()

    monkeypatch.setattr(PreviewGet.urllib3, "PoolManager", PoolManager)
    t = td.read_comtrade_api(reporter=156, period=2010, partner=[32, 276], cmd="TOTAL", flow="M")
    method, url, fields = calls[0]
    assert url == "https://comtradeapi.un.org/public/v1/preview/C/A/HS"
    assert fields["reportercode"] == "156" and fields["partnerCode"] == "32,276" and fields["period"] == "2010"
    assert "subscription-key" not in fields or fields["subscription-key"] is None
    # The same rows as the reader gives on the API's JSON itself.
    ref = td.read_comtrade(answer).to_pandas().drop(columns="source")
    ours = t.to_pandas()
    assert ours["source"].iloc[0].startswith("comtrade_api_")
    assert ours.drop(columns="source").equals(ref)

    td.read_comtrade_api(reporter=156, period=2010, subscription_key="k")
    assert calls[1][1] == "https://comtradeapi.un.org/data/v1/get/C/A/HS" and calls[1][2]["subscription-key"] == "k"


def test_comtrade_api_error_and_empty_answers(monkeypatch):
    pytest.importorskip("comtradeapicall")
    from comtradeapicall import PreviewGet

    class Response:
        status = 400
        data = b'{"error": "bad request"}'

    class PoolManager:
        def request(self, *a, **k):
            return Response()

    monkeypatch.setattr(PreviewGet.urllib3, "PoolManager", PoolManager)
    with pytest.raises(td.TradeDepIOError, match="did not answer"):
        td.read_comtrade_api(reporter=156, period=2010)
    Response.status, Response.data = 200, b'{"count": 0, "data": []}'
    with pytest.raises(td.InvalidArgumentError, match="no records"):
        td.read_comtrade_api(reporter=156, period=2010)
