# `make test` runs every test, Rust and Python. It is the command README.md and .ci/run use.
PY ?= python3

.PHONY: test test-rust test-python install bench fuzz

test: test-rust test-python

test-rust:
	cargo test --workspace

install:
	$(PY) -m pip install --quiet '.[test]'

test-python: install
	$(PY) -m pytest -q tests/python
	$(PY) -m mypy.stubtest tradedep._tradedep --ignore-disjoint-bases --allowlist tests/python/stubtest_allowlist.txt

bench:
	PY=$(PY) bash benches/run_all.sh

# `make plots` draws every td.plot figure of the plot tests into docs/img for a reviewer.
plots:
	TRADEDEP_PLOTS_DIR=docs/img $(PY) -m pytest -q -W "ignore:tradedep was built:RuntimeWarning" tests/python/test_plot.py
	cp docs/img/chpl_shares_demo.png docs/chpl_shares_demo.png
