#!/bin/bash
# The run's temporary directory and its files are gone when the run ends, after
# a clean run and after a script error: file_tmpdir.sh GUP EXAMPLE BAD_SCRIPT.
set -u
gup=$1 example=$2 bad=$3
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
TMPDIR=$dir "$gup" run -q "$example" || { echo "file_tmpdir.sh: $example failed" >&2; exit 1; }
TMPDIR=$dir "$gup" run -q "$bad"
[ $? -eq 2 ] || { echo "file_tmpdir.sh: $bad did not stop with a script error" >&2; exit 1; }
left=$(ls -A "$dir")
if [ -n "$left" ]; then
	echo "file_tmpdir.sh: left behind in TMPDIR: $left" >&2
	exit 1
fi
