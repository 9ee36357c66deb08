#!/bin/bash
# pin_counters.sh GUP FILE: gup diff compares nr_foll_pin_acquired/released,
# which are machine-wide: another process pinning pages at the same moment moves
# them. The other diff tests leave them unseen (GUP_DIFF_MACHINE_WIDE=off); this
# one compares them, and a run disturbed that way is tried again, up to 3 runs.
set -u
gup=$1 file=$2
for attempt in 1 2 3; do
	out=$("$gup" diff --skip-exit 77 "$file" 2>&1)
	status=$?
	[ "$status" -eq 77 ] && { printf '%s\npin_counters.sh: SKIP\n' "$out"; exit 77; }
	if [ "$status" -eq 0 ] && grep -Eq "^ +[0-9]+ = +expect vmstat nr_foll_pin_released" <<<"$out"; then
		printf '%s\npin_counters.sh: run %d: the pin counters compared and matched\n' \
			"$out" "$attempt"
		exit 0
	fi
	printf '%s\npin_counters.sh: run %d: exit %d\n' "$out" "$attempt" "$status"
done
exit 1
