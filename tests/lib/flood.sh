# Helpers of the flood tests (tests/integration/2[0-3]*.sh): a victim
# daemon is flooded while pings run through it; it must stay up, keep its
# memory bounded and lose no ping.  Source after tests/lib/common.sh.

# flood_perf_check DESCRIPTION COMMAND...: check, except under
# sanitizers.  Loss and memory figures mean nothing for a sanitized
# daemon (several times slower; ASan keeps freed memory in quarantine):
# tests/sanitize.sh sets TAPMESH_SANITIZED, and these checks are then
# skipped, the figures still reported.
flood_perf_check() {
	if [ -n "${TAPMESH_SANITIZED:-}" ]; then
		T_N=$((T_N + 1))
		echo "ok $T_N - $1 # SKIP under sanitizers"
	else
		check "$@"
	fi
}

# flood_rss PID: the resident memory of process PID in kB.
flood_rss() { sed -n "s/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }

# flood_pings_start I DST COUNT [FILE]: COUNT pings from node I to DST
# every 10 ms in the background, their summary in $LAB_DIR/FILE (default
# ping.out).  Sets FLOOD_PING_PID; lab_cleanup stops it.
flood_pings_start() {
	nsx "$1" ping -c "$3" -i 0.01 -W 1 -q "$2" >"$LAB_DIR/${4:-ping.out}" 2>&1 &
	FLOOD_PING_PID=$!
	LAB_PIDS+=("$FLOOD_PING_PID")
}

# flood_pings_wait: waits up to 20 s for flood_pings_start's pings.
flood_pings_wait() {
	lab_wait 20 lab_gone "$FLOOD_PING_PID"
	wait "$FLOOD_PING_PID"
}

# flood_kernel_drops I: "DATA HANDSHAKE EXPRESS", the datagrams the
# kernel dropped at node I's data, handshake and express sockets
# (receive buffer full), as its daemon reports them.
flood_kernel_drops() {
	lab_ctl "$1" show --json | python3 -c '
import json, sys
d = json.load(sys.stdin)["interface"]["kernel_drops"]
print(d["data"], d["handshake"], d["express"])'
}

# flood_check_survived I RSS0: checks that node I's daemon still runs
# and that its memory grew to less than twice RSS0 (kB) plus 4 MB.
flood_check_survived() {
	local pid rss1
	pid=$(lab_pid "$1")
	check "n$1 daemon still running" kill -0 "$pid"
	rss1=$(flood_rss "$pid")
	diag "n$1 VmRSS before $2 kB, after ${rss1} kB"
	flood_perf_check "n$1 memory stayed bounded (< 2x + 4 MB)" \
	    test "${rss1:-999999}" -lt $(( ${2:-0} * 2 + 4096 ))
}

# flood_loss_ok: true when the pings in $LAB_DIR/ping.out lost at most
# FLOOD_MAX_LOSS percent (default 0), which relaxes this on a machine
# that is busy with other work: the flood and the daemon share its two
# cores.
flood_loss_ok() {
	local l
	l=$(sed -n 's/.* received, \([0-9.]*\)% packet loss.*/\1/p' "$LAB_DIR/ping.out")
	[ -n "$l" ] && awk -v l="$l" -v m="${FLOOD_MAX_LOSS:-0}" 'BEGIN { exit !(l <= m) }'
}
