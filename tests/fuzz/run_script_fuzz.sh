#!/usr/bin/env bash
# Build the scenario-language fuzzer through CMake with clang's libFuzzer, ASan
# and UBSan (GUP_FUZZ=ON), and run it for SECONDS (default 60). The corpus is
# seeded at run time from examples/*.gup plus the seeds in tests/fuzz/corpus_script/
# (regressions, named regress-*), copied into a scratch corpus.
# usage: tests/fuzz/run_script_fuzz.sh [SECONDS] [libFuzzer options...]
# Crashes land in $FUZZ_BUILD_DIR (default build-fuzz/); reproduce one with
# `build-fuzz/fuzz_script CRASHFILE` (stderr open: BUG messages show) and keep it,
# renamed regress-*, in tests/fuzz/corpus_script/ once fixed. Exits non-zero if
# the fuzzer found one.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
out=${FUZZ_BUILD_DIR:-$root/build-fuzz}

CC=${CC:-clang} cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" \
	-DGUP_SANITIZE=address -DGUP_FUZZ=ON >/dev/null
cmake --build "$out" -j"${JOBS:-2}" --target fuzz_script

# New inputs go to the scratch corpus; the checked-in files stay untouched.
corpus="$out/corpus-script"
mkdir -p "$corpus"
cp "$root"/examples/*.gup "$root"/tests/fuzz/corpus_script/* "$corpus/"

# -close_fd_mask=2 silences the library's WARNING lines; crash reports still print.
status=0
"$out/fuzz_script" "$corpus" \
	-dict="$root/tests/fuzz/script.dict" -max_len=4096 -timeout=30 -rss_limit_mb=4096 \
	-max_total_time="$seconds" -artifact_prefix="$out/" -close_fd_mask=2 -print_final_stats=1 \
	"$@" 2>&1 | tee "$out/fuzz.log" || status=$?
"$root/tests/fuzz/fuzz_stats.sh" script "$out/fuzz.log"
exit "$status"
