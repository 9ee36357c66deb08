#!/bin/bash
# A seed with --ops reproduces the run: two runs of `GUP stress --ops N --seed X`
# must print the same operation counts and rounds. stress_repeat.sh GUP [ARGS...]
set -eu -o pipefail
gup=$1
shift
first=$("$gup" stress "$@" | grep -E '^gup stress: (ops|checked)')
second=$("$gup" stress "$@" | grep -E '^gup stress: (ops|checked)')
printf 'first:\n%s\nsecond:\n%s\n' "$first" "$second"
[ -n "$first" ] && [ "$first" = "$second" ]
