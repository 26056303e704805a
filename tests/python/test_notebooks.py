"""The example notebooks run top to bottom on the shared data (their assert cells check the key
numbers against pandas), and the documentation site includes every page under docs/."""

from __future__ import annotations

import os
import shutil
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
