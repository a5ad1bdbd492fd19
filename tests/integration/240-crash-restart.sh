#!/bin/bash
# Crash safety: tapmeshd killed with SIGKILL (no cleanup at all) and
# started again, three times.  Its TAP is not persistent, so it must
# vanish with the process and take every neighbour entry on it along;
# the new daemon creates a fresh TAP (not an adopted leftover), holds
# exactly one PERMANENT entry per peer address with the peer's MAC, and
# traffic flows again both ways.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns

lab_mesh 3 || bail "could not build the mesh"
ns1=$(lab_ns 1)
taps() { ip -n "$ns1" -d -o link show 2>/dev/null | grep -c 'tun type tap'; }
neighs() { ip -n "$ns1" neigh show dev tap0 2>/dev/null | wc -l; }
tap_gone() { ! ip -n "$ns1" link show tap0 >/dev/null 2>&1; }
right_macs() {
	[ "$(ip -n "$ns1" neigh show dev tap0 nud permanent | grep -c "lladdr $(lab_mac 2) ")" -eq 3 ] &&
	[ "$(ip -n "$ns1" neigh show dev tap0 nud permanent | grep -c "lladdr $(lab_mac 3) ")" -eq 3 ]
}

# A daemon killed here is reaped here: its PID leaves the lab's list, so
# the cleanup can never signal a process that reused the number.
forget_pid() {
	local p keep=()
	for p in "${LAB_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	LAB_PIDS=("${keep[@]}")
}

check "n1 starts with one TAP and 6 PERMANENT entries" \
    test "$(taps)" -eq 1 -a "$(lab_permanent 1)" -eq 6
for round in 1 2 3; do
	pid=$(lab_pid 1)
	kill -KILL "$pid"
	lab_wait 5 lab_gone "$pid"
	wait "$pid" 2>/dev/null
	forget_pid "$pid"
	eval "LAB_PID_1="
	check "round $round: the killed daemon's TAP is gone" lab_wait 5 tap_gone
	check "round $round: no neighbour entry left on a dead TAP" \
	    test "$(neighs)" -eq 0
	lab_start 1 || bail "restart $round"
	if grep -q "created TAP" "$LAB_DIR/n1/tapmeshd.log"; then
		ok "round $round: a fresh TAP was created, not adopted"
	else
		not_ok "round $round: a fresh TAP was created, not adopted"
		# Seen once in a sanitized CI run, not reproduced since: what
		# the daemon saw, and what links the namespace holds now.
		diag "$(grep ' TAP, ifindex' "$LAB_DIR/n1/tapmeshd.log")"
		diag "$(ip -n "$ns1" -d -o link show)"
	fi
	check "round $round: peers up again" lab_wait_up 15 1 2
	check "round $round: exactly one TAP" test "$(taps)" -eq 1
	# Let the kernel's own resolutions, if any, show up before counting.
	nsx 1 ping -c 1 -W 2 -q 10.255.0.2 >/dev/null 2>&1
	check "round $round: exactly 6 PERMANENT entries, the peers' MACs" right_macs
	check "round $round: no other entry on tap0" test "$(lab_permanent 1)" -eq "$(neighs)"
	check "round $round: n1 -> n2" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2
	check "round $round: n3 -> n1 (IPv6)" quiet nsx 3 ping -c 2 -i 0.2 -W 2 -q fd00:255::1
done
check "n2 kept one PERMANENT entry per n1 address" \
    test "$(ip -n "$(lab_ns 2)" neigh show dev tap0 nud permanent | grep -c "lladdr $(lab_mac 1) ")" -eq 3
check "n1 exits 0 on SIGTERM" lab_stop 1
check "and its TAP goes with it" lab_wait 5 tap_gone

finish
