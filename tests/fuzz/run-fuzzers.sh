#!/bin/bash
# Runs every libFuzzer harness for a short time and prints, per harness,
# the executions and crashes, with one TAP point each (so tests/run can
# count them).  Each run starts from the checked-in seed corpus of
# tests/fuzz/corpus/<name>/ and does not modify it.
#
# Usage: bash tests/fuzz/run-fuzzers.sh [NAME...]
#   FUZZ_BUILD   a tree configured with --enable-fuzz CC=clang holding the
#                built harnesses (what `make fuzz` passes); without it the
#                sources are copied to a temporary directory and built
#                there with clang, leaving the normal build alone
#   FUZZ_TIME    seconds per harness (default 20)
#   FUZZ_RUNS    executions per harness at most (default 1000000)
#   FUZZ_KEEP=1  keep the work directory (new corpus entries, crashes)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/copy-tree.sh"
ALL="fuzz_frame fuzz_wire fuzz_handshake fuzz_config fuzz_addr fuzz_control
    fuzz_offload"
names=${*:-$ALL}
FUZZ_TIME=${FUZZ_TIME:-20}
FUZZ_RUNS=${FUZZ_RUNS:-1000000}
JOBS=${JOBS:-$(nproc)}

# Third-party leaks, explained in the file.
export LSAN_OPTIONS="suppressions=$top/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

T_N=0
T_FAIL=0
ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }

work=$(mktemp -d /tmp/tapmesh-fuzz.XXXXXX) || exit 1
[ "${FUZZ_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

build=${FUZZ_BUILD:-}
if [ -z "$build" ]; then
	build="$work/src"
	if ! command -v clang >/dev/null; then
		not_ok "fuzz build: clang is not installed"
		echo "1..$T_N"
		exit 1
	fi
	if copy_tree "$top" "$build" &&
	    (cd "$build" && autoreconf -fi >"$work/build.log" 2>&1 &&
	    ./configure --enable-fuzz --disable-unit-tests CC=clang \
		>>"$work/build.log" 2>&1 &&
	    make -j"$JOBS" $(for n in $ALL; do echo "tests/fuzz/$n"; done) \
		>>"$work/build.log" 2>&1); then
		ok "fuzz build (clang, libFuzzer, ASan, UBSan)"
	else
		not_ok "fuzz build (clang, libFuzzer, ASan, UBSan)"
		tail -30 "$work/build.log" | sed 's/^/# /'
		echo "1..$T_N"
		exit 1
	fi
fi

for name in $names; do
	bin="$build/tests/fuzz/$name"
	seeds="$top/tests/fuzz/corpus/$name"
	corpus="$work/corpus-$name"
	log="$work/$name.log"
	mkdir -p "$corpus"
	if [ ! -x "$bin" ]; then
		not_ok "$name: no harness at $bin"
		continue
	fi
	extra=()
	[ -d "$seeds" ] && extra=("$seeds")
	# The harness's own time limit, and a hard one above it; its
	# temporary files (fuzz_config's) go into the work directory.
	TMPDIR=$work timeout -k 5 $((FUZZ_TIME + 60)) "$bin" -max_total_time="$FUZZ_TIME" \
	    -runs="$FUZZ_RUNS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$work/$name-" \
	    "$corpus" "${extra[@]}" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crashes=$(find "$work" -maxdepth 1 -name "$name-*" | wc -l)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	[ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
	echo "# $name: ${execs:-0} executions, $crashes crashes, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) new"
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] && [ "${execs:-0}" -gt 0 ]; then
		ok "$name: ${execs} executions, 0 crashes"
	else
		not_ok "$name: ${execs:-0} executions, $crashes crashes (status $rc)"
		grep -A40 -E '^==[0-9]+==ERROR|runtime error|deadly signal|Assertion' \
		    "$log" | head -60 | sed 's/^/# /'
		for f in "$work/$name"-*; do
			[ -f "$f" ] || continue
			keep="/tmp/$(basename "$f")"
			cp "$f" "$keep" && echo "# reproduce: $bin $keep"
		done
	fi
done

echo "1..$T_N"
[ "$T_FAIL" -eq 0 ]
