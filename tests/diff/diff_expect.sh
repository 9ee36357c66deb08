#!/bin/bash
# Run `gup diff` and check its exit status and output (stdout and stderr):
# diff_expect.sh STATUS REGEX GUP [DIFF ARGS...]. A host that cannot play
# scenarios at all (not root, no io_uring: gup diff says why in one line) skips
# the test with status 77, CTest's SKIP_RETURN_CODE.
set -u
want_status=$1 want_re=$2 gup=$3
shift 3
out=$("$gup" diff --skip-exit 77 "$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -eq 77 ]; then
	echo "diff_expect.sh: SKIP: the host cannot play scenarios (see the line above)"
	exit 77
fi
if [ "$status" -ne "$want_status" ]; then
	echo "diff_expect.sh: exit status $status, wanted $want_status" >&2
	exit 1
fi
if ! grep -Eq -- "$want_re" <<<"$out"; then
	echo "diff_expect.sh: output does not match: $want_re" >&2
	exit 1
fi
