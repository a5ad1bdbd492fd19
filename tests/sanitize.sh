#!/bin/bash
# Sanitizer and valgrind runs, with TAP output (one point per check) so
# that tests/run can count them beside `make check`:
#
#  1. builds a copy of the tree with -fsanitize=address,undefined
#     -fno-sanitize-recover=all (gcc), in $SAN_DIR (default: a fresh
#     directory under /tmp, removed afterwards unless SAN_KEEP=1);
#  2. runs the whole suite there (unit and integration tests: the daemons
#     of the namespace lab are the sanitized ones); every report of any
#     sanitized process, daemons in the background included, goes to a
#     file under $SAN_DIR/reports (ASAN_OPTIONS / UBSAN_OPTIONS log_path),
#     and one file there is a failure;
#  3. runs every unit test binary of the normal build in the source tree
#     under valgrind --error-exitcode=1 --leak-check=full.
#
# Usage: bash tests/sanitize.sh   (as root for the integration tests;
# without root they skip themselves, as in `make check`).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib/copy-tree.sh"
JOBS=${JOBS:-$(nproc)}

T_N=0
T_FAIL=0
ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
diag() { sed 's/^/# /'; }

dir=${SAN_DIR:-}
if [ -z "$dir" ]; then
	dir=$(mktemp -d /tmp/tapmesh-asan.XXXXXX) || exit 1
	[ "${SAN_KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
fi
src="$dir/src"
reports="$dir/reports"
mkdir -p "$reports"

# --- 1. the sanitized build --------------------------------------------
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
built=0
if copy_tree "$top" "$src" &&
    (cd "$src" && autoreconf -fi >"$dir/build.log" 2>&1 &&
    ./configure CFLAGS="-O1 -g -fno-omit-frame-pointer $san" \
	LDFLAGS="$san" >>"$dir/build.log" 2>&1 &&
    make -j"$JOBS" >>"$dir/build.log" 2>&1 &&
    make -j"$JOBS" check TESTS= TEST_SUITE_LOG=unused-suite.log \
	>>"$dir/build.log" 2>&1); then
	built=1
	ok "ASan/UBSan build"
else
	not_ok "ASan/UBSan build"
	tail -40 "$dir/build.log" | diag
fi

# --- 2. the whole suite, sanitized --------------------------------------
if [ "$built" = 1 ]; then
	export ASAN_OPTIONS="log_path=$reports/asan:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
	export UBSAN_OPTIONS="log_path=$reports/ubsan:halt_on_error=1:print_stacktrace=1"
	start=$(date +%s)
	# The flood tests skip their speed and memory checks (see there).
	# The routing scenarios (1xx) and the benchmark smoke test (9xx)
	# time BIRD, FRR and competitors rather than tapmeshd's own code,
	# which the other tests cover; under ASan they only cost minutes.
	# So do the package build (095: no tapmeshd code runs) and the idle
	# hub's CPU over four minutes (255: its back-off is test_timers').
	tests=$(cd "$src" && printf 'p:\n\t@echo $(TESTS)\n' |
	    make -s -f Makefile -f - p | tr ' ' '\n' |
	    grep -v 'integration/1[0-9][0-9]-\|integration/9[0-9][0-9]-' |
	    grep -v 'integration/095-package\|integration/255-unreachable' |
	    tr '\n' ' ')
	(cd "$src" && TAPMESH_SANITIZED=1 make check TESTS="$tests" \
	    >"$dir/check.log" 2>&1)
	rc=$?
	unset ASAN_OPTIONS UBSAN_OPTIONS
	log="$src/test-suite.log"
	count() { sed -n "s/^# $1: *\([0-9]*\)\$/\1/p" "$log" 2>/dev/null | head -1; }
	pass=$(count PASS); fail=$(count FAIL); err=$(count ERROR)
	skip=$(count SKIP)
	echo "# sanitized suite: ${pass:-0} passed, $(( ${fail:-0} + ${err:-0} )) failed, ${skip:-0} skipped in $(( $(date +%s) - start )) s"
	if [ "$rc" -eq 0 ] && [ "${pass:-0}" -gt 0 ]; then
		ok "sanitized make check"
	else
		not_ok "sanitized make check (status $rc)"
		grep -h -B2 -A20 '^not ok\|^Bail out' "$src"/tests/*/*.log \
		    2>/dev/null | head -150 | diag
	fi
	# A report of a background daemon would only reach its log, which
	# the lab deletes: hence log_path, and also a look at the test logs
	# in case a process ran with its own environment.
	found=$(find "$reports" -type f | wc -l)
	if [ "$found" -eq 0 ] && ! grep -l -E 'runtime error|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer' \
	    "$src"/tests/*/*.log >/dev/null 2>&1; then
		ok "no sanitizer report from any process of the suite"
	else
		not_ok "sanitizer reports: $found file(s)"
		for f in "$reports"/*; do
			[ -f "$f" ] || continue
			echo "== $f"
			head -60 "$f"
		done | diag
		grep -h -B5 -A30 -E 'runtime error|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer' \
		    "$src"/tests/*/*.log 2>/dev/null | head -100 | diag
		# Kept for a closer look.
		if [ "${SAN_KEEP:-0}" != 1 ] &&
		    cp -r "$reports" "/tmp/tapmesh-san-reports.$$" 2>/dev/null; then
			echo "# reports kept in /tmp/tapmesh-san-reports.$$"
		fi
	fi
fi

# --- 3. valgrind over the unit tests of the normal build ---------------
if ! command -v valgrind >/dev/null; then
	not_ok "valgrind is installed"
else
	# Builds the unit tests without running any, and without touching
	# the tree's test-suite.log.
	(cd "$top" && make -j"$JOBS" check TESTS= \
	    TEST_SUITE_LOG="$dir/unused-suite.log" >"$dir/valgrind-build.log" 2>&1) ||
	    { not_ok "unit tests built for valgrind"; tail -20 "$dir/valgrind-build.log" | diag; }
	for t in "$top"/tests/unit/test_*; do
		case $t in *.c|*.o|*.log|*.trs) continue ;; esac
		[ -x "$t" ] || continue
		name=${t##*/}
		vlog="$dir/valgrind-$name.log"
		if valgrind -q --error-exitcode=1 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect \
		    --show-leak-kinds=definite,indirect \
		    "$t" >"$vlog" 2>&1; then
			ok "valgrind $name"
		else
			not_ok "valgrind $name"
			grep -E '^==[0-9]+==' "$vlog" | head -60 | diag
			grep -E '^\[  FAILED|^not ok' "$vlog" | head -20 | diag
		fi
	done
fi

echo "1..$T_N"
[ "$T_FAIL" -eq 0 ]
