#!/usr/bin/env bash
# Print one summary line for a libFuzzer run from its log (run with
# -print_final_stats=1): executions, executions per second, coverage (edges and
# features of the last status line) and corpus size, so that CI shows how much a
# fuzz run actually did.
# Usage: tests/fuzz/fuzz_stats.sh NAME LOG
set -euo pipefail

name=$1
log=$2
stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n1; }
last=$(grep -E '^#[0-9]+' "$log" | tail -n1 || true)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
echo "fuzz stats: $name: executions $(stat number_of_executed_units)," \
	"exec/s $(stat average_exec_per_sec), coverage ${cov:-?} edges ${ft:-?} features," \
	"corpus ${corp:-?}, peak rss $(stat peak_rss_mb) MB"
