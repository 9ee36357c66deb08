#!/usr/bin/env bash
# Installs libgup into a fresh prefix and uses it the way README.md tells a user to:
# PKG_CONFIG_PATH for pkg-config, README's API example (installed by CMake, which
# extracts it from README) built in C11 and C++17, dynamically and statically, and run;
# the installed tools run from the prefix; every path gup(1)'s FILES names exists.
# Called by .ci/run; runs alone too: tests/install/check_install.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

fail() {
	echo "check_install: $*" >&2
	exit 1
}
run() {
	echo "+ $*" >&2
	"$@"
}

prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work"' EXIT
unset LD_LIBRARY_PATH

make install PREFIX="$prefix" >"$work/install.log" 2>&1 || {
	cat "$work/install.log"
	fail "make install PREFIX=$prefix failed"
}
echo "installed into $prefix"

# ------------------------------------------------------------------ layout ----
for f in include/libgup.h include/gup/gup.h lib/libgup.so.0 lib/libgup.a lib/pkgconfig/libgup.pc \
	bin/gup bin/gup-demo share/man/man1/gup.1 share/doc/libgup/README.md \
	share/doc/libgup/examples/tour.gup share/doc/libgup/examples/api_example.c; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
[ ! -e "$prefix/bin/demo" ] || fail "bin/demo installed: the demo installs as gup-demo"

# gup(1)'s FILES section names /usr/local paths: each must exist under the prefix.
files=$(sed -n '/^\.SH FILES/,/^\.SH /s|^\.I /usr/local/||p' docs/gup.1)
[ -n "$files" ] || fail "gup.1: FILES names no /usr/local path"
for f in $files; do
	# shellcheck disable=SC2086 # the entry may be a glob
	set -- "$prefix"/$f
	[ -e "$1" ] || fail "gup.1 FILES names $f, which is not installed"
done
echo "layout and gup(1) FILES OK"

# ---------------------------------------------------------------- consumer ----
# As README says: pkg-config finds libgup.pc through PKG_CONFIG_PATH ...
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
run pkg-config --cflags --libs libgup
libdir=$(pkg-config --variable=libdir libgup)
[ "$libdir" = "$prefix/lib" ] || fail "libgup.pc: libdir is $libdir, not $prefix/lib"
read -r -a cflags <<<"$(pkg-config --cflags libgup)"
read -r -a libs <<<"$(pkg-config --libs libgup)"
read -r -a static_libs <<<"$(pkg-config --libs --static libgup)"

example="$prefix/share/doc/libgup/examples/api_example.c"
cp "$example" "$work/app.c"
cp "$example" "$work/app.cc"
warn=(-Wall -Wextra -Werror)
c11=(cc -std=c11 -pedantic-errors "${warn[@]}" "$work/app.c")
cxx17=(c++ -std=c++17 "${warn[@]}" "$work/app.cc")

# ... and the dynamic loader finds libgup.so.0 through LD_LIBRARY_PATH or an rpath.
system_copy=$(/sbin/ldconfig -p 2>/dev/null | grep -c 'libgup\.so\.0' || true)
# Output is captured before it is searched: under pipefail, `cmd | grep -q` fails
# whenever grep exits early and cmd dies of SIGPIPE.
check_dynamic() { # <binary>: no rpath of its own; found via LD_LIBRARY_PATH only
	local bin=$1 dyn resolved
	dyn=$(readelf -d "$bin")
	grep -q 'NEEDED.*libgup\.so\.0' <<<"$dyn" || fail "$bin does not use libgup.so.0"
	! grep -qE 'RPATH|RUNPATH' <<<"$dyn" || fail "$bin carries an rpath"
	if [ "$system_copy" = 0 ]; then
		! "$bin" 2>"$work/err" || fail "$bin ran without LD_LIBRARY_PATH: which libgup did it load?"
		grep -q 'libgup.so.0: cannot open shared object file' "$work/err" ||
			fail "$bin failed for another reason: $(cat "$work/err")"
		echo "$bin without LD_LIBRARY_PATH: libgup.so.0 not found, as it must be"
	else
		echo "note: a libgup.so.0 is in the system's search path; not checking that $bin needs LD_LIBRARY_PATH"
	fi
	resolved=$(LD_LIBRARY_PATH="$libdir" ldd "$bin")
	grep -q "libgup\.so\.0 => $libdir/libgup\.so\.0" <<<"$resolved" ||
		fail "$bin: LD_LIBRARY_PATH=$libdir does not resolve libgup.so.0 there"
	run env LD_LIBRARY_PATH="$libdir" "$bin"
}
check_static() { # <binary>: runs without libgup.so
	local dyn
	dyn=$(readelf -d "$1" 2>/dev/null || true) # a static binary may have no dynamic section
	! grep -q 'NEEDED.*libgup' <<<"$dyn" || fail "$1 uses libgup.so"
	run "$1"
}

run "${c11[@]}" "${cflags[@]}" "${libs[@]}" -o "$work/app-c11"
check_dynamic "$work/app-c11"
run "${cxx17[@]}" "${cflags[@]}" "${libs[@]}" -o "$work/app-cxx17"
check_dynamic "$work/app-cxx17"

# README's rpath line: the path recorded in the program, no LD_LIBRARY_PATH.
run "${c11[@]}" "${cflags[@]}" -Wl,-rpath,"$libdir" "${libs[@]}" -o "$work/app-rpath"
run "$work/app-rpath"

run "${c11[@]}" -static "${cflags[@]}" "${static_libs[@]}" -o "$work/app-c11-static"
check_static "$work/app-c11-static"
run "${cxx17[@]}" -static "${cflags[@]}" "${static_libs[@]}" -o "$work/app-cxx17-static"
check_static "$work/app-cxx17-static"
echo "consumer OK: C11 and C++17, dynamic and static"

# ------------------------------------------------------------------- tools ----
run "$prefix/bin/gup" --help >/dev/null
run "$prefix/bin/gup" run -q "$prefix/share/doc/libgup/examples/tour.gup" >"$work/tour.out" ||
	fail "installed gup run tour.gup: $(tail -3 "$work/tour.out")"
tail -1 "$work/tour.out"
run "$prefix/bin/gup-demo" >"$work/demo.out" || fail "installed gup-demo: $(tail -3 "$work/demo.out")"
echo "installed tools OK"
