#!/usr/bin/env bash
# Benchmarks in one command (`make bench` calls this): generate the synthetic BACI year if missing,
# then compare reading it and computing the importer x product concentration workload against
# polars, pyarrow, DuckDB and pandas, then every public metric in the README's call forms on four
# layouts of the file against DuckDB and polars (every_path.py). Results go to benches/results/
# (JSON + markdown).
#
#   bash benches/run_all.sh                       # 11M rows, 3 repetitions per tool
#   ROWS=2000000 REPS=5 bash benches/run_all.sh
#   BUILD_TRADEDEP=1 bash benches/run_all.sh      # first install tradedep as a release build (maturin)
#   READ_TOOLS=polars,duckdb METRICS_TOOLS=duckdb bash benches/run_all.sh   # subsets (see each --help)
#   EVERY_CASES=ipc_path EVERY_LAYOUTS=resaved_sorted bash benches/run_all.sh  # every_path.py subsets
#   EVERY_PATH=0 bash benches/run_all.sh          # skip every_path.py (each metric x layout: the long part)
#   COMPLEXITY=1 bash benches/run_all.sh          # also td.complexity against the ecomplexity package
#                                                 # (pip install ecomplexity==0.5.3; HS6 takes minutes)
#
# tradedep is measured only when `import tradedep` works in $PY and is a release build (a debug build
# is about 10x slower and the scripts say so in their output); otherwise it is reported as
# "not available" and the competitors still run.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-11000000}"
SEED="${SEED:-2021}"
REPS="${REPS:-3}"
if [[ -z "${PY:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PY=.venv/bin/python; else PY=python3; fi
fi
DATA="benches/data/BACI_synthetic_Y2021_${ROWS}rows_seed${SEED}.csv"
GEN=target/bench-tools/gen_baci

# The generator uses only std: plain rustc builds it in seconds, without building the library.
if [[ ! -x "$GEN" || examples/gen_baci.rs -nt "$GEN" ]]; then
    mkdir -p target/bench-tools
    if command -v rustc >/dev/null; then
        rustc -O --edition 2021 examples/gen_baci.rs -o "$GEN"
    else
        echo "rustc not found: install Rust (rustup) to generate the benchmark data" >&2
        exit 2
    fi
fi
if [[ ! -f "$DATA" || ! -f "$DATA.meta.json" ]]; then
    "$GEN" --rows "$ROWS" --seed "$SEED" --out benches/data/
fi

if [[ "${BUILD_TRADEDEP:-0}" == "1" ]]; then
    # Release build into the environment of $PY (a venv: maturin develop; otherwise pip install .).
    if [[ "$PY" == .venv/* ]]; then
        VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" maturin develop --release -q
    else
        "$PY" -m pip install --quiet .
    fi
fi

READ_ARGS=(--reps "$REPS")
METRICS_ARGS=(--reps "$REPS")
if [[ -n "${READ_TOOLS:-}" ]]; then READ_ARGS+=(--tools "$READ_TOOLS"); fi
if [[ -n "${METRICS_TOOLS:-}" ]]; then METRICS_ARGS+=(--tools "$METRICS_TOOLS"); fi

status=0
"$PY" benches/read_compare.py "$DATA" "${READ_ARGS[@]}" || status=$?
"$PY" benches/metrics_compare.py "$DATA" "${METRICS_ARGS[@]}" || status=$?
if [[ "${EVERY_PATH:-1}" != "0" ]]; then
    # Every metric in the README's call forms x {CEPII, re-saved} x {CEPII order, shuffled}; the
    # variants of $DATA are written once next to it (benches/make_layouts.py).
    EVERY_ARGS=(--reps "$REPS")
    if [[ -n "${EVERY_CASES:-}" ]]; then EVERY_ARGS+=(--cases "$EVERY_CASES"); fi
    if [[ -n "${EVERY_LAYOUTS:-}" ]]; then EVERY_ARGS+=(--layouts "$EVERY_LAYOUTS"); fi
    "$PY" benches/every_path.py "$DATA" "${EVERY_ARGS[@]}" || status=$?
fi
if [[ "${COMPLEXITY:-0}" == "1" ]]; then
    "$PY" benches/complexity_compare.py --file "$DATA" --digits 4,6 --reps "$REPS" \
        --out-dir benches/results || status=$?
fi
echo "results: benches/results/read_compare.md, benches/results/metrics_compare.md, benches/results/every_path.md"
exit "$status"
