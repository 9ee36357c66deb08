#!/bin/bash
# cleanup.sh GUP: gup diff leaves no worker process and no temporary file
# behind on any exit path: a clean run, a script error, a worker that stops
# answering (the timeout) and Ctrl-C (SIGINT), each with pins, pipes and
# io_uring instances still held, and the run's own files (tmpfile: the
# directory the script makes under TMPDIR) open and mapped (cleanup.gup). Skips (77) where the host
# cannot play scenarios at all.
set -u
gup=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) scripts=$(mktemp -d)
trap 'rm -rf "$tmp" "$scripts"' EXIT
export GUP_DIFF_TMPDIR=$tmp TMPDIR=$tmp
failed=0

cp "$here/cleanup.gup" "$scripts/error.gup"
echo 'frobnicate $a' >>"$scripts/error.gup"

# run NAME WANT-STATUS REGEX [ENV=VALUE...] -- DIFF ARGS...
run() {
	local name=$1 want=$2 re=$3 envs=() out pid status before=$failed
	shift 3
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" "$gup" diff --skip-exit 77 "$@" >"$scripts/out" 2>&1 &
	pid=$!
	wait "$pid"
	status=$?
	out=$(cat "$scripts/out")
	if [ "$status" -eq 77 ]; then
		printf '%s\ncleanup.sh: SKIP: the host cannot play scenarios\n' "$out"
		exit 77
	fi
	if [ "$status" -ne "$want" ] || ! grep -Eq -- "$re" <<<"$out"; then
		printf '%s\ncleanup.sh: %s: exit %d (wanted %d) or no /%s/\n' "$out" "$name" \
			"$status" "$want" "$re"
		failed=1
	fi
	if grep -qx "gupw-$pid" /proc/[0-9]*/comm 2>/dev/null; then
		echo "cleanup.sh: $name: worker processes of gup diff ($pid) are left behind"
		failed=1
	fi
	if [ -n "$(ls -A "$tmp")" ]; then
		echo "cleanup.sh: $name: files left in $tmp: $(ls -A "$tmp")"
		failed=1
	fi
	[ "$failed" = "$before" ] && echo "cleanup.sh: $name: exit $status, nothing left behind"
}

run clean 0 " 0 differ" -- "$here/cleanup.gup"
run script-error 2 "unknown command 'frobnicate'" -- "$scripts/error.gup"
run timeout 2 "did not answer in time" GUP_DIFF_TIMEOUT=1 GUP_DIFF_HANG_LINE=15 -- \
	"$here/cleanup.gup"
run sigint 130 "" GUP_DIFF_RAISE_LINE=15 -- "$here/cleanup.gup"
exit $failed
