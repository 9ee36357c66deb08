#!/usr/bin/env bash
# The Graphviz pictures of `pagetable ... dot=FILE` and `gup run --dot DIR`: the
# fork + pin example's picture parses with `dot -Tsvg`, is the same on every run,
# and tells the story: after fork a frame has two incoming edges (one per task's
# PTE) and the pinned page is drawn as pinned.
# usage: tests/scripts/dot_picture.sh GUP EXAMPLE
set -euo pipefail
gup=$1 example=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
die() { echo "dot_picture: $*" >&2; exit 1; }

command -v dot >/dev/null || die "graphviz's dot is not installed (make deps)"
cd "$work"
mkdir pictures
"$gup" run -q --dot pictures "$example" >/dev/null
pic=fork_pin.dot
[ -s "$pic" ] || die "no $pic written by dot=FILE"
[ -s pictures/fork_pin_picture-1.dot ] || die "no pictures/fork_pin_picture-1.dot written by --dot"
cmp -s "$pic" pictures/fork_pin_picture-1.dot || die "dot= and --dot drew different pictures"
for f in "$pic" pictures/*.dot; do
	dot -Tsvg "$f" -o "$f.svg" || die "dot -Tsvg cannot parse $f"
	grep -q '<svg' "$f.svg" || die "dot -Tsvg wrote no SVG for $f"
done
cp "$pic" first.dot
"$gup" run -q "$example" >/dev/null
cmp -s first.dot "$pic" || die "two runs drew different pictures"

# A frame with two incoming edges: the anonymous page fork left COW-shared.
# Every frame is one node (declared once), whatever maps it.
dups=$(grep -oE '^	page_[0-9a-zx_]+ \[' "$pic" | sort | uniq -d || true)
[ -z "$dups" ] || die "page nodes declared more than once: $dups"
shared=$(grep -oE -- '-> page_0x[0-9a-f]+;' "$pic" | sort | uniq -c | awk '$1 == 2 {print $3}' |
	tr -d ';' || true)
[ -n "$shared" ] || die "no page node with two incoming edges"
grep -E "^	($(tr '\n' '|' <<<"$shared" | sed 's/|$//')) \[.*anon\\\\nrefcount 2 mapcount 2\"" "$pic" \
	>/dev/null || die "no COW-shared anonymous page (mapcount 2) among: $shared"
# The pinned page: outlined in the pinned colour, labelled pinned, one edge (the parent's).
pinned=$(grep -E '^	page_0x[0-9a-f]+ \[.*color="#d62728", penwidth=3.*pinned x1' "$pic" |
	awk '{print $1}' || true)
[ -n "$pinned" ] || die "no page drawn as pinned"
[ "$(grep -c -- "-> $pinned;" "$pic")" -eq 1 ] || die "the pinned page is not mapped by one PTE only"
echo "dot_picture: ok (shared: $shared, pinned: $pinned)"
