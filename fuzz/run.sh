#!/usr/bin/env bash
# Runs each fuzz target for N seconds (default 180): `fuzz/run.sh [seconds]`.
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain. Crashes land in
# fuzz/artifacts/<target>/; turn each into a test in tests/bad_inputs.rs.
set -euo pipefail
secs="${1:-180}"
cd "$(dirname "$0")"
mkdir -p corpus/fuzz_baci corpus/fuzz_csv_mapping
# Seeds: the hand-made bad-input corpus (not shared data).
# (the first byte of an input picks options, hence the leading NUL).
for f in ../tests/data/bad/*.csv ../tests/data/bad/*.gz ../tests/data/bad/*.zip; do
    { printf '\0'; cat "$f"; } > "corpus/fuzz_baci/$(basename "$f")"
done
printf '\0period,reporter,partner,product,value,quantity\n2021,4,24,010121,1.5,2\n' > corpus/fuzz_csv_mapping/seed.csv
status=0
for target in fuzz_baci fuzz_csv_mapping; do
    echo "== $target for ${secs}s"
    cargo +nightly fuzz run -O "$target" -- -max_total_time="$secs" -rss_limit_mb=4096 -max_len=65536 || status=1
done
exit $status
