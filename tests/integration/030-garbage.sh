#!/bin/bash
# Garbage datagrams of random lengths and bytes at a daemon's UDP port,
# from a host on the underlay: dropped and counted, the daemon stays up,
# and pings between the peers go on without loss.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
GARBAGE=${TOOLS:-$(dirname "$TAPMESHD")/tests/tools}/udpgarbage
[ -x "$GARBAGE" ] || bail "no udpgarbage tool at $GARBAGE"

lab_mesh 3 || bail "could not build the mesh"
# A fourth host on the underlay, not a peer of anybody: the attacker.
lab_node 4 || bail "could not add the flooding host"

check "n1 -> n2 before the flood" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2

nsx 1 ping -c 300 -i 0.01 -W 1 -q 10.255.0.2 >"$LAB_DIR/ping.out" 2>&1 &
ping_pid=$!
LAB_PIDS+=("$ping_pid")
sent=0
for seed in 1 2 3 4; do
	n=$(nsx 4 timeout 30 "$GARBAGE" 198.18.0.2 5655 50000 "$seed") || n=0
	sent=$((sent + n))
done
# n3 floods from a peer's own address (another port): still no session.
n=$(nsx 3 timeout 30 "$GARBAGE" 198.18.0.2 5655 20000 9) || n=0
sent=$((sent + n))
diag "garbage datagrams sent: $sent"
check "flood was sent" test "$sent" -gt 100000

lab_wait 15 lab_gone "$ping_pid"
wait "$ping_pid"
diag "$(tail -2 "$LAB_DIR/ping.out")"
check "no ping lost during the flood" grep -q " 0% packet loss" "$LAB_DIR/ping.out"
check "n2 daemon still running" kill -0 "$(lab_pid 2)"
check "n2 -> n1 after the flood" quiet nsx 2 ping -c 2 -i 0.2 -W 2 -q 10.255.0.1

check "n2 exits 0 on SIGTERM" lab_stop 2
drops=$(sed -n 's/.*tap0: drops total=\([0-9]*\).*/\1/p' "$LAB_DIR/n2/tapmeshd.log" | head -1)
diag "n2 counted drops: ${drops:-none}"
check "n2 counted the garbage as drops" test "${drops:-0}" -gt 10000

finish
