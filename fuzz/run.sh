#!/usr/bin/env bash
# Runs each fuzz target for N seconds (default 180): `fuzz/run.sh [seconds]`.
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain. Crashes land in
# fuzz/artifacts/<target>/; turn each into a test in tests/bad_inputs.rs.
set -euo pipefail
secs="${1:-180}"
cd "$(dirname "$0")"
mkdir -p corpus/fuzz_baci corpus/fuzz_csv_mapping corpus/fuzz_comtrade corpus/fuzz_comext corpus/fuzz_gacc
# Seeds: the hand-made bad-input corpus (not shared data).
# (the first byte of an input picks options, hence the leading NUL).
for f in ../tests/data/bad/*.csv ../tests/data/bad/*.gz ../tests/data/bad/*.zip; do
    { printf '\0'; cat "$f"; } > "corpus/fuzz_baci/$(basename "$f")"
done
for f in ../tests/data/comtrade/* ; do cp "$f" corpus/fuzz_comtrade/ ; done 2>/dev/null || true
for f in ../tests/data/comext/* ; do cp "$f" corpus/fuzz_comext/ ; done 2>/dev/null || true
printf '\0period,reporter,partner,product,value,quantity\n2021,4,24,010121,1.5,2\n' > corpus/fuzz_csv_mapping/seed.csv
# Hand-made bad inputs of issue 9 item 11 (periods, quotes, duplicated columns and rows ...).
for target in fuzz_csv_mapping fuzz_comtrade; do
    cp seeds/$target/* corpus/$target/
done
status=0
for f in ../tests/data/gacc/* ; do { printf '\0'; cat "$f"; } > "corpus/fuzz_gacc/$(basename "$f")" ; done
for target in fuzz_baci fuzz_csv_mapping fuzz_comtrade fuzz_comext fuzz_gacc; do
    echo "== $target for ${secs}s"
    cargo +nightly fuzz run -O "$target" -- -max_total_time="$secs" -rss_limit_mb=4096 -max_len=65536 || status=1
done
exit $status
