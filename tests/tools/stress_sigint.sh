#!/bin/bash
# SIGINT stops `gup stress` cleanly: send it once the first round line appears
# (synchronised on the output, not on time), then the run must end with status 0,
# the summary and the seed. stress_sigint.sh GUP
set -eu -o pipefail
gup=$1
exec 3< <(exec "$gup" stress --verbose --seconds 600 --seed 0x5eed 2>&1)
pid=$!
out=""
sent=false
while IFS= read -r line <&3; do
	printf '%s\n' "$line"
	out+="$line"$'\n'
	if ! $sent && [[ $line == "round 0 "* ]]; then
		kill -INT "$pid"
		sent=true
	fi
done
wait "$pid"
$sent
grep -q '^gup stress: stopped by Interrupt' <<<"$out"
grep -q '^gup stress: PASS: no violations (seed 0x5eed)' <<<"$out"
