#!/usr/bin/env bash
# Regenerate (--update) or check the parts of the docs that come from the gup
# tool: every block between a "generated: ARGS" marker line and the next
# "end generated" line is replaced by the output of `gup ARGS`.
#   <!-- generated: help run --markdown tasks -->   ...   <!-- end generated -->
#   .\" generated: help run --man                   ...   .\" end generated
# usage: tests/docs/sync_docs.sh GUP [--update] FILE...
# Without --update it exits 1 and shows the difference when a file is stale.
set -euo pipefail

gup=$1
shift
update=false
if [ "${1:-}" = --update ]; then
	update=true
	shift
fi

regenerate() {
	local file=$1 line args skipping=false
	while IFS= read -r line || [ -n "$line" ]; do
		if $skipping; then
			case $line in *"end generated"*) skipping=false ;; *) continue ;; esac
		fi
		printf '%s\n' "$line"
		case $line in
		*"generated: "*)
			args=${line#*generated: }
			args=${args% -->}
			# shellcheck disable=SC2086
			"$gup" $args
			skipping=true
			;;
		esac
	done <"$file"
	if $skipping; then
		echo "$file: a 'generated:' block has no 'end generated' line" >&2
		return 1
	fi
}

status=0
for file in "$@"; do
	fresh=$(mktemp)
	regenerate "$file" >"$fresh"
	if $update; then
		cmp -s "$fresh" "$file" || cp "$fresh" "$file"
	elif ! diff -u "$file" "$fresh"; then
		echo "$file is out of step with the command table: run" \
			"make docs (tests/docs/sync_docs.sh GUP --update $file)" >&2
		status=1
	fi
	rm -f "$fresh"
done
exit $status
