"""Exceptions: a failed read is an OSError (FileNotFoundError for a missing file), every other
mistake a TradeDepError subclass; the package itself raises no bare ValueError/TypeError."""

from __future__ import annotations

import ast
import errno
from pathlib import Path

import pyarrow as pa
import pytest

import tradedep as td

PACKAGE = Path(td.__file__).parent


def test_io_error_is_an_os_error_and_a_tradedep_error() -> None:
    assert issubclass(td.TradeDepIOError, OSError)
    assert issubclass(td.TradeDepIOError, td.TradeDepError)
    assert issubclass(td.TradeDepFileNotFoundError, td.TradeDepIOError)
    assert issubclass(td.TradeDepFileNotFoundError, FileNotFoundError)
    assert td.TradeDepIOError.__module__ == "tradedep"


@pytest.mark.parametrize(
    "read",
    [td.read_baci, td.read_comtrade, td.read_comext, lambda p: td.read_csv(p, columns={"period": "t", "reporter": "i", "partner": "j", "product": "k", "value": "v"}, flow="import")],
    ids=["baci", "comtrade", "comext", "csv"],
)
def test_a_missing_file_is_a_file_not_found_error(tmp_path: Path, read) -> None:
    missing = tmp_path / "no_such_file.csv"
    with pytest.raises(FileNotFoundError) as info:
        read(str(missing))
    e = info.value
    assert isinstance(e, td.TradeDepFileNotFoundError)
    assert isinstance(e, td.TradeDepIOError) and isinstance(e, td.TradeDepError)
    assert e.errno == errno.ENOENT
    assert e.filename == str(missing)
    assert "no_such_file.csv" in str(e) and "Check that the path exists" in str(e)


def test_an_unreadable_path_is_an_io_error_but_not_file_not_found(tmp_path: Path) -> None:
    # A directory exists but cannot be read as a file.
    with pytest.raises(OSError) as info:
        td.read_baci(str(tmp_path))
    assert isinstance(info.value, td.TradeDepIOError)
    assert not isinstance(info.value, FileNotFoundError)
    assert info.value.errno is not None and info.value.errno != errno.ENOENT


def test_except_os_error_catches_a_failed_read(tmp_path: Path) -> None:
    try:
        td.read_baci(str(tmp_path / "gone.csv.gz"))
    except OSError as e:
        caught = e
    assert isinstance(caught, td.TradeDepError)


def test_user_mistakes_are_invalid_argument_errors() -> None:
    t = td.demo_table()
    cases = [
        lambda: td.TradeTable(t.to_arrow()),
        lambda: td.concat([t, t.to_arrow()]),
        lambda: td.TradeTable.from_arrow([1, 2], columns={}, flow="import"),
        lambda: td.classify(t, ["854231"]),
        lambda: td.bilateral_asymmetry(t, ["RUS", "UKR"], "CHN"),
        lambda: td.supplier_shares(t, None),
        lambda: td.rerouting(t, origin="EU27", hubs=["KAZ"], target="RUS", baseline=2021, exports="guess"),
        lambda: td.rerouting(t, origin="EU27", hubs=["KAZ"], target=["RUS", "BLR"], baseline=2021),
        lambda: td.importer_product_concentration(t, years=2021),
        lambda: td.importer_product_concentration("x.csv", source="reported"),
    ]
    for i, call in enumerate(cases):
        with pytest.raises(td.InvalidArgumentError):
            call()
        try:
            call()
        except (ValueError, TypeError):  # pragma: no cover - the failure this test is for
            pytest.fail(f"case {i} raised a bare ValueError/TypeError")
        except td.TradeDepError:
            pass


def test_plot_mistakes_are_invalid_argument_errors() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    result = td.concentration(td.demo_table(), importer="RUS", by="year")
    with pytest.raises(td.InvalidArgumentError):
        td.plot.shares(result)
    with pytest.raises(td.InvalidArgumentError):
        td.plot.concentration(result, metric="no_such_metric")


def _bare_raises(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id in ("ValueError", "TypeError"):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_the_package_raises_no_bare_value_or_type_error() -> None:
    found = [hit for p in sorted(PACKAGE.glob("*.py")) for hit in _bare_raises(p)]
    assert found == [], f"raise a td.TradeDepError subclass instead: {found}"


def test_the_scan_finds_a_bare_raise(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x):\n    if x:\n        raise ValueError('no')\n    raise TypeError\n")
    assert sorted(_bare_raises(bad)) == ["bad.py:3", "bad.py:4"]


def test_arrow_input_kinds_still_work() -> None:
    # The InvalidArgumentError path is only for objects that are not tables.
    data = pa.table({"reporter": [643], "partner": [156], "product": ["854231"], "period": [2021], "value": [1.0]})
    t = td.TradeTable.from_arrow(data, columns={"reporter": "reporter", "partner": "partner", "product": "product", "period": "period", "value": "value"}, flow="import", vintage="HS2017", freq="A")
    assert t.num_rows == 1
