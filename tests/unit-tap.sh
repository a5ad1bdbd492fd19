#!/bin/sh
# Runs a cmocka test binary with TAP output and merges the plans of its
# groups into one stream that automake's TAP driver accepts: every test
# point renumbered, one plan at the end.  A binary that dies or exits
# non-zero without reporting a failed point adds a failed point of its
# own, so a crash is never counted as a pass.
CMOCKA_MESSAGE_OUTPUT=TAP
export CMOCKA_MESSAGE_OUTPUT
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" >"$out" 2>&1
rc=$?
awk -v rc="$rc" -v prog="$1" '
/^ok [0-9]+/ { n++; sub(/^ok [0-9]+/, "ok " n); print; next }
/^not ok [0-9]+/ { n++; f++; sub(/^not ok [0-9]+/, "not ok " n); print; next }
/^1\.\.[0-9]+/ { next }
{ print "# " $0 }
END {
	if (rc != 0 && f == 0) { n++; print "not ok " n " - " prog " exited with status " rc }
	print "1.." n
}' "$out"
