#!/usr/bin/env bash
# Build the scenario-language fuzzer (libFuzzer with ASan+UBSan) with clang
# directly, no CMake, and run it for SECONDS (default 60) from the seed corpus.
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
cc=${CC:-clang}
mkdir -p "$out/corpus"

mapfile -t sources < <(find "$root/src" -name '*.c' | sort)
# shellcheck disable=SC2046
"$cc" -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -DCONFIG_DEBUG_VM=1 \
	-I"$root/include" -I"$root/src" -I"$root/tools/gup" \
	"${sources[@]}" "$root/tools/gup/script.c" "$root/tools/gup/gup_calls.c" \
	"$root/tests/fuzz/fuzz_script.c" \
	$(pkg-config --cflags --libs liburcu-bp liburcu-cds) -lpthread \
	-o "$out/fuzz_script"

# New inputs go to the first (scratch) corpus; the checked-in seeds stay untouched.
# -close_fd_mask=2 silences the library's WARNING lines; crash reports still print.
status=0
"$out/fuzz_script" "$out/corpus" "$root/tests/fuzz/corpus_script" \
	-dict="$root/tests/fuzz/script.dict" -max_len=4096 -timeout=30 -rss_limit_mb=4096 \
	-max_total_time="$seconds" -artifact_prefix="$out/" -close_fd_mask=2 -print_final_stats=1 \
	"$@" 2>&1 | tee "$out/fuzz.log" || status=$?
"$root/tests/fuzz/fuzz_stats.sh" script "$out/fuzz.log"
exit "$status"
