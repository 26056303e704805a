# `make test` runs every test, Rust and Python. It is the command README.md and .ci/run use.
PY ?= python3

.PHONY: test test-rust test-python install bench fuzz docs rust-docs

test: test-rust test-python

# Tests that read ../shared/data fail when it is absent (TRADEDEP_SKIP_DATA_TESTS=1 skips them).
test-rust: rust-docs
	cargo test --workspace

rust-docs:
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p tradedep
	$(PY) scripts/check_doc_examples.py

install:
	$(PY) -m pip install --quiet '.[test]'

test-python: install
	$(PY) -m pytest -q tests/python
	$(PY) -m mypy.stubtest tradedep._tradedep --ignore-disjoint-bases --allowlist tests/python/stubtest_allowlist.txt
	$(MAKE) docs

# The documentation site (mkdocs.yml, docs/), warnings as errors; the site goes to target/site.
docs:
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

bench:
	PY=$(PY) bash benches/run_all.sh

# `make plots` draws every td.plot figure of the plot tests into docs/img for a reviewer.
plots:
	TRADEDEP_PLOTS_DIR=docs/img $(PY) -m pytest -q -W "ignore:tradedep was built:RuntimeWarning" tests/python/test_plot.py
	cp docs/img/chpl_shares_demo.png docs/chpl_shares_demo.png
