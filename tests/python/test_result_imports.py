"""A metric's result must not import pandas: pyarrow's ``pa.table`` did (to test for a DataFrame),
which cost 0.3 s on the first result of every process (issue 10)."""

import subprocess
import sys


def test_results_and_tables_leave_pandas_unimported() -> None:
    code = (
        "import sys, tradedep as td\n"
        "t = td.demo_table()\n"
        "r = td.concentration(t, by=['importer', 'product'])\n"
        "s = td.supplier_shares(t, importer=r.to_arrow().column('importer')[0].as_py())\n"
        "assert r.num_rows > 0 and s.num_rows > 0 and t.to_arrow().num_rows > 0\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
