#!/bin/bash
# bench/plot turns `gup bench --json` runs into both SVG plots, with the libgup
# and host series named in them; -t runs make the THP plot (get and put) and stay
# out of the other two. bench_plot.sh GUP PLOT
set -eu -o pipefail
gup=$1 plot=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for args in "-n 1" "-n 64" "-n 512 -j 2 --split" "-n 512 -j 2"; do
	# shellcheck disable=SC2086
	"$gup" bench -u -m 1 $args --json --vs-kernel >>"$tmp/runs.jsonl"
done
"$gup" bench -t -a -m 4 -n 512 --json --vs-kernel >>"$tmp/runs.jsonl"
"$plot" --out "$tmp" "$tmp/runs.jsonl"
grep -q 'libgup unpin_user_pages' "$tmp/bench-thp-pages-per-call.svg"
if grep -q 'pin_user_pages_fast' "$tmp/bench-pages-per-call.svg"; then
	echo "bench_plot.sh: a THP run in the 4 KiB plot" >&2
	exit 1
fi
for svg in bench-pages-per-call bench-threads; do
	grep -q '<svg' "$tmp/$svg.svg"
	grep -q 'libgup get_user_pages_fast' "$tmp/$svg.svg"
	grep -q 'host vmsplice' "$tmp/$svg.svg"
done
