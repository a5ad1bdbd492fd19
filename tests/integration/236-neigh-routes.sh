#!/bin/bash
# Neighbour updates must not hold up the data path while the kernel's
# rtnl lock is busy.  In n1, 100,000 routes are installed with `ip
# -batch` through a spare veth (as a routing daemon installing a full
# table would), then flushed at once by taking that link down (one long
# hold of the lock), again and again, while n3 flaps (stopped past
# dead_time, then continued, so n1 sets its neighbour entries FAILED and
# PERMANENT again and again) and `ping -i 0.01` runs n1 -> n2 through
# the tunnel (a fixed count, so that ping ends by itself and waits for
# its last reply: stopped with SIGINT it counts the reply still in flight
# as lost).  Noted: ping loss and max RTT, and n1's own measure, its
# event loop's longest busy round (logged at exit), which must stay
# under 50 ms.  NEIGH_ROUTES and NEIGH_FLAPS change the sizes.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
ROUTES=${NEIGH_ROUTES:-100000}
FLAPS=${NEIGH_FLAPS:-8}
LAB_MAIN_EXTRA='keepalive = 1;
dead_time = 2;'
PING_PID=
trap '[ -n "$PING_PID" ] && kill "$PING_PID" 2>/dev/null
[ -n "$(lab_pid 3)" ] && kill -CONT "$(lab_pid 3)" 2>/dev/null
lab_cleanup' EXIT

lab_mesh 3 || bail "mesh"
nsx 1 ip link add rt0 type veth peer name rt1 || bail "veth"
nsx 1 ip link set rt1 up
nsx 1 ip addr add 192.0.2.1/24 dev rt0
batch=$LAB_DIR/routes
awk -v n="$ROUTES" 'BEGIN { for (i = 0; i < n; i++)
	printf "route add 100.%d.%d.%d/32 dev rt0\n", 64 + int(i / 65536), int(i / 256) % 256, i % 256 }' >"$batch"

# n3 flaps: stopped for 3 s (past dead_time), then running for 2 s.
flap() {
	local pid=$1 k
	for k in $(seq 1 "$2"); do
		kill -STOP "$pid"; sleep 3; kill -CONT "$pid"; sleep 2
	done
}
# ip netns exec execs ping, so $! is ping.  About as many pings as the
# flaps take at 100 a second; routes are churned until both have ended;
# -w bounds ping's run (a ping left unanswered then fails the check).
PINGS=$((FLAPS * 5 * 100))
ip netns exec "$(lab_ns 1)" ping -q -i 0.01 -c "$PINGS" -W 1 \
    -w $((FLAPS * 5 * 4 + 30)) 10.255.0.2 >"$LAB_DIR/ping.out" 2>&1 &
PING_PID=$!
flap "$(lab_pid 3)" "$FLAPS" &
flapper=$!
rounds=0
installed=0
while kill -0 "$flapper" 2>/dev/null || kill -0 "$PING_PID" 2>/dev/null; do
	nsx 1 ip link set rt0 up
	t0=$(date +%s%N)
	nsx 1 ip -batch "$batch" || diag "ip -batch failed"
	t1=$(date +%s%N)
	n=$(nsx 1 ip -4 route show dev rt0 | wc -l)
	[ "$n" -gt "$installed" ] && installed=$n
	nsx 1 ip link set rt0 down
	t2=$(date +%s%N)
	rounds=$((rounds + 1))
	diag "round $rounds: $n routes installed in $(( (t1 - t0) / 1000000 )) ms, flushed by link down in $(( (t2 - t1) / 1000000 )) ms"
done
wait "$flapper"
wait "$PING_PID"
PING_PID=
check "the routes were installed" test "$installed" -ge "$ROUTES"
downs=$(grep -c "peer n3: down" "$LAB_DIR/n1/tapmeshd.log")
ups=$(grep -c "peer n3: up" "$LAB_DIR/n1/tapmeshd.log")
diag "n3 at n1: $downs times down, $ups times up"
check "n3 flapped at n1 (neighbour updates happened)" test "$downs" -ge 2
ping_summary "$LAB_DIR/ping.out" "-i 0.01 n1 -> n2"
check "n1 -> n2 lost no ping" test "$PING_TX" = "$PINGS" -a "$PING_RX" = "$PINGS"
check "n3 is up at n1 again, its entries PERMANENT" lab_wait_up 10 1 2
lab_stop 1
us=$(loop_longest 1)
diag "n1's event loop: longest round ${us:-?} us"
check "n1's event loop never stalled over 50 ms" test "${us:-999999999}" -lt 50000
check "every neighbour request was answered in time at exit" \
    test -z "$(grep 'could not be removed' "$LAB_DIR/n1/tapmeshd.log")"
check "no neighbour entry left behind at exit" \
    test "$(ip -n "$(lab_ns 1)" neigh show dev tap0 2>/dev/null | grep -c 02:00:0a)" = 0
finish
