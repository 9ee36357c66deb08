#!/usr/bin/env bash
# Run a command, and pass only if it exits with status RC and its output
# (stdout and stderr) matches the extended regex REGEX.
# usage: tests/scripts/expect_run.sh RC REGEX COMMAND [ARGS...]
set -uo pipefail
want_rc=$1 regex=$2
shift 2
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne "$want_rc" ]; then
	echo "expect_run: exit status $rc, wanted $want_rc" >&2
	exit 1
fi
if ! grep -Eq -- "$regex" <<<"$out"; then
	echo "expect_run: output does not match /$regex/" >&2
	exit 1
fi
