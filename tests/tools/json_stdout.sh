#!/bin/bash
# stdout of a command must be exactly one valid JSON document:
# json_stdout.sh COMMAND [ARGS...] (stderr is left alone; the command must succeed).
set -eu -o pipefail
"$@" | python3 -m json.tool
