#!/usr/bin/env bash
# Build the model-based fuzzer (tests/fuzz/fuzz_model.c) through CMake with
# clang's libFuzzer, ASan and UBSan (GUP_FUZZ=ON), and run it for N seconds
# (default 120) from the seed corpus. The mode of an input (plain, huge "THP",
# migrate "MIG", file "FIL") is its first bytes: the seeds give each mode a start, the
# dictionary lets mutations cross between them, and the summary counts the
# corpus per mode so a run shows that every mode was fuzzed.
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
	-dict="$root/tests/fuzz/model.dict" \
	-artifact_prefix="$out/artifacts/" "$@" "$out/corpus" "$root/tests/fuzz/corpus_model" \
	2>&1 | tee "$out/fuzz.log" || status=$?
"$root/tests/fuzz/fuzz_stats.sh" model "$out/fuzz.log"
mode_count() {
	local n=0 f
	for f in "$out"/corpus/*; do
		if [ "$(head -c3 "$f" | tr -d "\\000")" = "$1" ]; then n=$((n + 1)); fi
	done
	echo "$n"
}
echo "fuzz modes: corpus $(ls "$out/corpus" | wc -l) inputs, huge (THP) $(mode_count THP)," \
	"migrate (MIG) $(mode_count MIG), file (FIL) $(mode_count FIL)"
exit "$status"
