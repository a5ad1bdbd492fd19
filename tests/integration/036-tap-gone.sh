#!/bin/bash
# The TAP deleted under a running daemon (`ip link del tap0`): the daemon
# notices at once, says so in one log line and exits non-zero (for
# systemd's Restart=) within a second, instead of spinning on a poll that
# reports an error forever and flooding the log.  The other node is not
# disturbed.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns

lab_mesh 2 || bail "could not build the mesh"
pid=$(lab_pid 1)
log="$LAB_DIR/n1/tapmeshd.log"
lines0=$(wc -l <"$log")

# Exited (a zombie until waited for).
exited() { grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null || ! kill -0 "$1" 2>/dev/null; }
# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }

t0=$(date +%s%N)
nsx 1 ip link del tap0
lab_wait 1 exited "$pid"
gone_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if exited "$pid"; then
	diag "n1 exited ${gone_ms} ms after the TAP was deleted"
	ok "the daemon exits within a second"
	spin=0
else
	not_ok "the daemon exits within a second"
	c0=$(cpu_ticks "$pid")
	sleep 1
	c1=$(cpu_ticks "$pid")
	spin=$(( ${c1:-0} - ${c0:-0} ))
	diag "n1 still running, used $spin of $(getconf CLK_TCK) ticks in 1 s"
fi
check "and does not spin (under 20% of a core)" \
    test "$spin" -lt $(( $(getconf CLK_TCK) / 5 ))
# Without the fix it would still run: SIGTERM, as systemd would.
kill -TERM "$pid" 2>/dev/null
lab_wait 3 exited "$pid" || kill -KILL "$pid" 2>/dev/null
wait "$pid"
rc=$?
eval "LAB_PID_1="
diag "exit status $rc"
check "with a non-zero status" test "$rc" -ne 0
n=$(grep -c "tap0: interface gone" "$log")
check "one clear log line says why ($n)" test "$n" -eq 1
added=$(( $(wc -l <"$log") - lines0 ))
diag "log lines after the deletion: $added"
check "the log is not flooded" test "$added" -lt 40
check "n2 still runs" kill -0 "$(lab_pid 2)"

finish
