"""The example notebooks run top to bottom on the shared data (their assert cells check the key
numbers against pandas), and the documentation site includes every page under docs/."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED_DATA

NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def test_there_are_four_notebooks() -> None:
    assert {p.stem for p in NOTEBOOKS} >= {
        "china_exports_to_russia", "eu_chpl_rerouting", "drone_dependence", "china_crude_imports",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_asserts_hold(path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # The notebooks' one data setting; the kernel inherits it.
    monkeypatch.setenv("TRADEDEP_DATA", os.environ.get("TRADEDEP_DATA", str(shared_data)))
    monkeypatch.setenv("PYTHONWARNINGS", "ignore:tradedep was built:RuntimeWarning")
    nb = nbformat.read(path, as_version=4)
    assert any("assert " in c.source for c in nb.cells if c.cell_type == "code"), "a notebook checks its numbers"
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, when an assert fails
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []


def test_a_page_added_under_docs_is_built_and_in_the_navigation(tmp_path: Path) -> None:
    """No nav list in mkdocs.yml: a page another change adds appears in the site without an edit,
    and the strict build does not fail on it."""
    pytest.importorskip("mkdocs")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("examples", "api"))
    (docs / "methods" / "panel.md").write_text("# Panel data\n\nA page added later.\n")
    (docs / "notebooks.md").write_text("# Example notebooks\n")  # its links point at the notebooks left out
    for page in (docs / "index.md", docs / "rerouting.md"):
        page.write_text(page.read_text().replace("](examples/", "](https://example.org/").replace("](api/index.md)", "](errors.md)"))
    config = load_config(
        str(ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(tmp_path / "site"), plugins=["search"], strict=True
    )
    build(config)
    assert (tmp_path / "site" / "methods" / "panel" / "index.html").exists()
    assert "methods/panel/" in (tmp_path / "site" / "index.html").read_text()


def _blocks(page: Path, lang: str) -> list[str]:
    text = page.read_text()
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_the_getting_started_page_runs_top_to_bottom(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pandas")
    page = ROOT / "docs" / "index.md"
    code = _blocks(page, "python")
    assert len(code) == 1
    namespace: dict[str, object] = {}
    exec(compile(code[0], str(page), "exec"), namespace)  # noqa: S102 - the page's own example
    out = capsys.readouterr().out
    shares = namespace["shares"].to_pandas()  # type: ignore[attr-defined]
    china = shares[shares["supplier"] == "China+HK"]
    assert len(china) > 0
    # Its printed shares are the result's, and each year's shares add up to 1.
    assert f"{china['share'].iloc[0]:.6f}" in out
    assert shares.groupby("year")["share"].sum().sub(1).abs().max() < 1e-12
    # The page's command line gives the same China+HK shares.
    command = next(line for block in _blocks(page, "sh") for line in block.splitlines() if "shares demo" in line)
    args = shlex.split(command)
    assert args[:3] == ["python", "-m", "tradedep"]
    run = subprocess.run([sys.executable, *args[1:]], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONWARNINGS": "ignore:tradedep was built:RuntimeWarning"})
    printed = [line.split() for line in run.stdout.splitlines() if "China+HK" in line]
    assert [(int(r[1]), float(r[8])) for r in printed] == [
        (int(y), pytest.approx(v, rel=1e-5)) for y, v in zip(china["year"], china["share"])
    ]


def test_the_defaults_page_lists_every_default_from_the_signatures() -> None:
    hooks = _hooks()
    table = hooks.defaults_table()
    import inspect

    import tradedep as td

    expected = sum(
        1
        for name in td.__all__
        if inspect.isfunction(getattr(td, name))
        for p in inspect.signature(getattr(td, name)).parameters.values()
        if p.default is not inspect.Parameter.empty
    )
    assert table.count("\n| `td.") == expected > 50
    assert "| `td.supplier_shares` | `source` | `'reported'` |" in table or "| `td.supplier_shares` | `source` |" in table
    assert "| `td.rerouting` | `origin` | `'EU27'` |" in table


def test_doctest_lines_are_fenced_as_code() -> None:
    from markdown import Markdown

    hooks = _hooks()
    md = Markdown(extensions=[hooks.DoctestExtension(), "fenced_code"])
    html = md.convert('Text.\n\n>>> [c for c in ["POL", "CZE"]]\n[\'POL\', \'CZE\']\n\nAfter.')
    assert "<blockquote>" not in html and "<code" in html and "POL" in html
    assert "<p>After.</p>" in html


def _hooks():  # type: ignore[no-untyped-def]
    pytest.importorskip("mkdocs")
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "mkdocs_hooks.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module
