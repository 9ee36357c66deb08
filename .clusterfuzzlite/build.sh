#!/bin/bash -eu
# Build libgup's fuzz targets the OSS-Fuzz / ClusterFuzzLite way: the library
# sources and each target compiled straight with $CC $CFLAGS, linked with
# $LIB_FUZZING_ENGINE, installed in $OUT with their seed corpus, dictionary and
# libFuzzer options. liburcu is linked statically: the runner image has no
# liburcu of its own. Runs inside the builder image (see Dockerfile) with $SRC
# set, or by hand from a checkout:
#   CC=clang CFLAGS="-fsanitize=address,fuzzer-no-link -g -O1" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$(mktemp -d) .clusterfuzzlite/build.sh
: "${CC:?}" "${CFLAGS:?}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${WORK:-$(mktemp -d)}

includes=(-I"$root/include" -I"$root/src" -I"$root/tests/fuzz" -I"$root/tools/lib"
	-I"$root/tools/gup/script")
# The checker scans frames after every step: no use steering by its comparisons.
ignore=(-fsanitize-coverage-ignorelist="$root/tests/fuzz/coverage_ignore.txt")
defines=(-std=gnu11 -D_GNU_SOURCE -DCONFIG_DEBUG_VM=1)
# shellcheck disable=SC2054 # the commas belong to -Wl
urcu_static=(-Wl,-Bstatic -lurcu-bp -lurcu-cds -lurcu-common -Wl,-Bdynamic -lpthread -ldl)

# compile SOURCE [FLAG...]: one object in $work, its path left in $obj.
compile() {
	local src=$1
	shift
	obj="$work/$(echo "${src#"$root"/}" | tr / _).o"
	# shellcheck disable=SC2086
	$CC $CFLAGS "${defines[@]}" "${ignore[@]}" "${includes[@]}" "$@" -c "$src" -o "$obj"
}

# The library and the shared harness code, linked into both targets.
objects=()
# The library's own files say so (GUP_BUILDING_LIBGUP), as CMake's gup_obj does;
# the harness (tools/lib, the scenario language) is built as a user of it.
mapfile -t lib_sources < <(find "$root/src" -name '*.c' | sort)
for src in "${lib_sources[@]}"; do
	compile "$src" -DGUP_BUILDING_LIBGUP
	objects+=("$obj")
done
mapfile -t harness_sources < <(find "$root/tools/lib" "$root/tools/gup/script" -name '*.c' | sort)
for src in "${harness_sources[@]}"; do
	compile "$src"
	objects+=("$obj")
done

# link NAME SOURCE... : one fuzz target from the library and its own sources.
link() {
	local name=$1 own=()
	shift
	for src in "$@"; do
		compile "$src"
		own+=("$obj")
	done
	# shellcheck disable=SC2086
	$CXX $CXXFLAGS $LIB_FUZZING_ENGINE "${objects[@]}" "${own[@]}" "${urcu_static[@]}" \
		-o "$OUT/$name"
}

CXX=${CXX:-clang++}
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
link fuzz_model "$root"/tests/fuzz/model_*.c "$root/tests/fuzz/fuzz_model.c"
link fuzz_script "$root/tests/fuzz/fuzz_script.c"

# Seeds, dictionary and options, named as ClusterFuzzLite looks for them.
seed_corpus() {
	if command -v zip >/dev/null; then
		(cd "$1" && zip -q -r "$2" .)
	else
		python3 -c 'import shutil, sys; shutil.make_archive(sys.argv[1][:-4], "zip", sys.argv[2])' \
			"$2" "$1"
	fi
}
seed_corpus "$root/tests/fuzz/corpus_model" "$OUT/fuzz_model_seed_corpus.zip"
# The scenario seeds are the examples plus the regression seeds, gathered here.
script_seeds="$work/script-seeds"
mkdir -p "$script_seeds"
cp "$root"/examples/*.gup "$root"/tests/fuzz/corpus_script/* "$script_seeds/"
seed_corpus "$script_seeds" "$OUT/fuzz_script_seed_corpus.zip"
cp "$root/tests/fuzz/script.dict" "$OUT/fuzz_script.dict"
printf '[libfuzzer]\nmax_len = 2048\ntimeout = 30\n' >"$OUT/fuzz_model.options"
printf '[libfuzzer]\nmax_len = 4096\ntimeout = 30\nrss_limit_mb = 4096\nclose_fd_mask = 2\n' \
	>"$OUT/fuzz_script.options"
