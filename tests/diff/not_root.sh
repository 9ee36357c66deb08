#!/bin/bash
# not_root.sh GUP FILE: without root, gup diff says why in one line and exits 2
# (as root the check drops to nobody with setpriv; skips (77) without setpriv).
set -u
gup=$1 file=$2
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || { echo "not_root.sh: SKIP: no setpriv"; exit 77; }
	run=(setpriv --reuid 65534 --regid 65534 --clear-groups "$gup")
else
	run=("$gup")
fi
out=$("${run[@]}" diff "$file" 2>&1)
status=$?
printf '%s\n' "$out"
[ "$status" -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "gup diff: needs root" <<<"$out"
