#!/bin/bash
# Run a command and check both its exit status and its output (stdout and stderr
# together): expect.sh STATUS REGEX COMMAND [ARGS...]. CTest's own
# PASS_REGULAR_EXPRESSION ignores the status, and WILL_FAIL ignores the message.
set -u
want_status=$1 want_re=$2
shift 2
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne "$want_status" ]; then
	echo "expect.sh: exit status $status, wanted $want_status" >&2
	exit 1
fi
if ! grep -Eq -- "$want_re" <<<"$out"; then
	echo "expect.sh: output does not match: $want_re" >&2
	exit 1
fi
