#!/bin/bash
# no_odirect.sh GUP FILE: where GUP_DIFF_TMPDIR has no O_DIRECT that pins (tmpfs
# copies instead), gup diff says so on each short-term pin, plays it as
# MADV_POPULATE_*, and the run still compares clean. Skips (77) without a tmpfs.
set -u
gup=$1 file=$2
dir=$(mktemp -d -p /dev/shm 2>/dev/null) || { echo "no_odirect.sh: SKIP: no /dev/shm"; exit 77; }
trap 'rm -rf "$dir"' EXIT
if [ "$(stat -f -c %T "$dir")" != tmpfs ]; then
	echo "no_odirect.sh: SKIP: /dev/shm is not a tmpfs"
	exit 77
fi
GUP_DIFF_TMPDIR=$dir exec bash "$(dirname "$0")/diff_expect.sh" 0 \
	"no O_DIRECT where GUP_DIFF_TMPDIR points: played as MADV_POPULATE_" "$gup" "$file"
