#!/bin/bash
# bench/plot turns `gup bench --json` runs into both SVG plots, with the libgup
# and host series named in them. bench_plot.sh GUP PLOT
set -eu -o pipefail
gup=$1 plot=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for args in "-n 1" "-n 64" "-n 512 -j 2 --split" "-n 512 -j 2"; do
	# shellcheck disable=SC2086
	"$gup" bench -u -m 1 $args --json --vs-kernel >>"$tmp/runs.jsonl"
done
"$plot" --out "$tmp" "$tmp/runs.jsonl"
for svg in bench-pages-per-call bench-threads; do
	grep -q '<svg' "$tmp/$svg.svg"
	grep -q 'libgup get_user_pages_fast' "$tmp/$svg.svg"
	grep -q 'host vmsplice' "$tmp/$svg.svg"
done
