"""Notebook display: HTML tables (blanks for nulls, ISO3 with names on hover, provenance once,
notes and method) and progress bars (off switch, no TqdmWarning without ipywidgets)."""

from __future__ import annotations

import io
import re
import sys
import warnings

import pyarrow as pa
import pytest

import tradedep as td
from tradedep import _progress


def cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("</tr>") if "<td>" in row]


def header(html: str) -> list[str]:
    return re.findall(r"<th>(.*?)</th>", html)


def test_result_html_blanks_names_provenance_notes_method():
    t = pa.table({
        "importer": ["RUS", "RUS", "KAZ"],
        "supplier": ["CHN", "Rest of world", None],
        "share": [0.5, float("nan"), None],
        "source": ["mirror", "mirror", "mirror"],
    })
    r = td.ArrowResult(t, "shares", ["values in USD"], method={"source": "mirror", "cif_fob": 1.1})
    h = r._repr_html_()
    cols = header(h)
    assert cols == ["importer", "supplier", "share"]  # one-valued source left the rows ...
    assert "source: mirror" in h.split("<table>")[0]  # ... for the caption, once
    rows = cells(h)
    assert rows[0][0] == '<abbr title="Russia">RUS</abbr>'
    assert rows[1][1] == "Rest of world"  # not a country: as it is
    assert rows[1][2] == "" and rows[2][1] == "" and rows[2][2] == ""  # NaN and null: blank
    assert "None" not in h and "nan" not in h
    assert "<i>values in USD</i>" in h
    assert "<code>cif_fob</code>: 1.1" in h and "<summary>method</summary>" in h


def test_trade_table_html_codes_as_iso3_and_file_name_once(shared_data):
    path = shared_data / "comtrade_plus/comtradr__api_response_CHN_ARG_DEU_2010_TOTAL.json"
    t = td.read_comtrade(path)
    h = t._repr_html_()
    assert "source" not in header(h)
    assert h.count(path.name) == 1  # the provenance once, not in every row
    rows = cells(h)
    cols = header(h)
    reporter = rows[0][cols.index("reporter")]
    assert reporter == '<abbr title="China (156)">CHN</abbr>'
    partners = {r[cols.index("partner")] for r in rows}
    assert '<abbr title="Argentina (32)">ARG</abbr>' in partners


def test_several_sources_stay_in_the_rows():
    t = pa.table({"importer": ["RUS", "RUS"], "source": ["reported", "mirror"], "value": [1.0, 2.0]})
    h = td.ArrowResult(t, "x")._repr_html_()
    assert "source" in header(h)


# --- progress ------------------------------------------------------------------------------
def test_options_progress_from_environment(monkeypatch):
    from tradedep._options import Options

    monkeypatch.setenv("TRADEDEP_PROGRESS", "0")
    assert Options().progress is False
    monkeypatch.setenv("TRADEDEP_PROGRESS", "yes")
    assert Options().progress is True
    assert repr(td.options).startswith("Options(progress=")


def test_jupyter_without_ipywidgets_text_bar_and_no_warning(monkeypatch):
    monkeypatch.setattr(_progress, "_in_jupyter", lambda: True)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails as when it is absent
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    monkeypatch.setattr(td.options, "progress", True)
    from tqdm.std import tqdm

    assert _progress.bar_class() is tqdm
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a TqdmWarning would fail the test
        with _progress.task("reading x", total=100, file=out) as bar:
            bar.callback(40, 100)
            import time

            time.sleep(0.6)
    text = out.getvalue()
    assert "reading x" in text and "40" in text


def test_jupyter_with_ipywidgets_uses_the_widget(monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(_progress, "_in_jupyter", lambda: True)
    from tqdm.notebook import tqdm as notebook_tqdm

    assert _progress.bar_class() is notebook_tqdm


def test_quick_call_and_switched_off_show_nothing(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(td.options, "progress", True)
    with _progress.task("quick", total=10, file=out) as bar:  # ends before DELAY
        bar.update(10, 10)
    assert out.getvalue() == ""
    monkeypatch.setattr(td.options, "progress", False)
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    with _progress.task("off", total=10, file=out) as bar:
        assert bar.callback is None
    assert out.getvalue() == ""


def test_readers_show_progress_on_stderr(monkeypatch, capsys, shared_data):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    path = shared_data / "comtrade_plus/SamiNakibETU__comtrade_imports_chn_from_rus_2017_2024.csv"
    monkeypatch.setattr(td.options, "progress", True)
    td.read_comtrade(path)  # stderr is not a terminal here (and not Jupyter): no bar in logs
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(_progress, "_in_jupyter", lambda: True)  # Jupyter without ipywidgets
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    monkeypatch.setattr(td.options, "progress", True)
    path = shared_data / "comtrade_plus/SamiNakibETU__comtrade_imports_chn_from_rus_2017_2024.csv"
    td.read_comtrade(path)
    assert f"reading {path.name}" in capsys.readouterr().err
    monkeypatch.setattr(td.options, "progress", False)
    td.read_comtrade(path)
    assert capsys.readouterr().err == ""


def test_in_a_real_jupyter_kernel_figure_once_and_no_tqdm_warning(shared_data):
    """A notebook run by nbclient: the returned figure is one image output (not two), and a
    reader's progress bar without ipywidgets gives no TqdmWarning."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    path = shared_data / "comtrade_plus/SamiNakibETU__comtrade_imports_chn_from_rus_2017_2024.csv"
    cells = [
        "import warnings\nwarnings.simplefilter('always')\n"
        "import sys\nsys.modules['ipywidgets'] = None  # as if ipywidgets were not installed\n"
        "import tradedep as td\nfrom tradedep import _progress\n_progress.DELAY = 0.0\ntd.options.progress = True",
        "%matplotlib inline\nt = td.demo_table()\nr = td.supplier_shares(t, 'RUS', by=['year', 'product'], top=3)\n"
        "td.plot.shares(r, product=['854231', '850760'])",
        f"x = td.read_comtrade({str(path)!r})\nx.num_rows",
        "r",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outs = [c["outputs"] for c in nb.cells]
    images = [o for o in outs[1] if "image/png" in o.get("data", {})]
    assert len(images) == 1, outs[1]
    text = " ".join(str(o) for out in outs for o in out)
    assert "TqdmWarning" not in text and "IProgress not found" not in text
    assert "reading SamiNakibETU" in text  # the text bar was shown
    html = [o for o in outs[3] if "text/html" in o.get("data", {})][0]["data"]["text/html"]
    assert '<abbr title="Russia">RUS</abbr>' in html
