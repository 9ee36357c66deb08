#!/usr/bin/env bash
# Build the model-based fuzzer (tests/fuzz/fuzz_model.c) with clang's libFuzzer,
# ASan and UBSan, and run it for N seconds (default 120) from the seed corpus.
# Crashing inputs land in $FUZZ_OUT (default /tmp/libgup-fuzz-model); copy them
# to tests/fuzz/regressions/ so regress_fuzz_inputs replays them.
# Usage: tests/fuzz/run_model_fuzz.sh [seconds] [extra libFuzzer args...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-120}
shift || true
out=${FUZZ_OUT:-/tmp/libgup-fuzz-model}
mkdir -p "$out/corpus" "$out/artifacts"

mapfile -t sources < <(find "$root/src" -name '*.c' | sort)
# shellcheck disable=SC2046
clang -std=gnu11 -g -O1 -D_GNU_SOURCE -DCONFIG_DEBUG_VM=1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fsanitize-coverage-ignorelist="$root/tests/fuzz/coverage_ignore.txt" \
	-I"$root/include" -I"$root/src" -I"$root/tests/fuzz" -I"$root/tools/gup" \
	"${sources[@]}" "$root/tests/fuzz/model_ops.c" "$root/tests/fuzz/fuzz_model.c" \
	"$root/tools/gup/gup_calls.c" \
	$(pkg-config --libs liburcu-bp liburcu-cds) -lpthread \
	-o "$out/fuzz_model"

cp -n "$root"/tests/fuzz/corpus_model/* "$out/corpus/" 2>/dev/null || true
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	"$out/fuzz_model" -max_total_time="$seconds" -max_len=2048 -timeout=30 -print_final_stats=1 \
	-artifact_prefix="$out/artifacts/" "$@" "$out/corpus" "$root/tests/fuzz/corpus_model" \
	2>&1 | tee "$out/fuzz.log" || status=$?
"$root/tests/fuzz/fuzz_stats.sh" model "$out/fuzz.log"
exit "$status"
