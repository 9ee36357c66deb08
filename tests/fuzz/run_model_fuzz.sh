#!/usr/bin/env bash
# Build the model-based fuzzer (tests/fuzz/fuzz_model.c) through CMake with
# clang's libFuzzer, ASan and UBSan (GUP_FUZZ=ON), and run it for N seconds
# (default 120) from the seed corpus.
# Crashing inputs land in $FUZZ_OUT (default /tmp/libgup-fuzz-model); copy them
# to tests/fuzz/regressions/ so regress_fuzz_inputs replays them.
# Usage: tests/fuzz/run_model_fuzz.sh [seconds] [extra libFuzzer args...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-120}
shift || true
out=${FUZZ_OUT:-/tmp/libgup-fuzz-model}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
mkdir -p "$out/corpus" "$out/artifacts"

CC=${CC:-clang} cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" \
	-DGUP_SANITIZE=address -DGUP_FUZZ=ON >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target fuzz_model

cp -n "$root"/tests/fuzz/corpus_model/* "$out/corpus/" 2>/dev/null || true
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	"$build/fuzz_model" -max_total_time="$seconds" -max_len=2048 -timeout=30 -print_final_stats=1 \
	-artifact_prefix="$out/artifacts/" "$@" "$out/corpus" "$root/tests/fuzz/corpus_model" \
	2>&1 | tee "$out/fuzz.log" || status=$?
"$root/tests/fuzz/fuzz_stats.sh" model "$out/fuzz.log"
exit "$status"
