#!/bin/bash
# Static ECMP beside a dead peer, no routing daemon: node 1 reaches the
# anycast address 10.9.9.9 (on both n2 and n3) by a static multipath
# route via both peers, with net.ipv4.fib_multipath_use_neigh=1.  When
# the peer that carries the ping flow stops, tapmeshd turns its
# neighbour entries FAILED within dead_time, and the kernel then sends
# every flow to the other peer; when it returns, both are used again.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
LAB_MAIN_EXTRA='keepalive = 1;
dead_time = 3;'
dead_ms=3000

lab_mesh 3 || bail "could not build the mesh"
for i in 2 3; do
	nsx "$i" ip addr add 10.9.9.9/32 dev lo || bail "anycast on n$i"
done
nsx 1 sysctl -qw net.ipv4.fib_multipath_use_neigh=1 \
    net.ipv4.fib_multipath_hash_policy=1 || bail "sysctl"
nsx 1 ip route add 10.9.9.9/32 \
    nexthop via 10.255.0.2 dev tap0 nexthop via 10.255.0.3 dev tap0 ||
    bail "multipath route"

# hops: the set of next hops 64 UDP flows to 10.9.9.9 hash to.
hops() {
	local p
	for p in $(seq 10000 10063); do
		echo "route get 10.9.9.9 ipproto udp sport $p dport 53"
	done | ip -n "$(lab_ns 1)" -batch - |
	    sed -n 's/.* via \([^ ]*\) .*/\1/p' | sort -u | tr '\n' ' '
}
both="10.255.0.2 10.255.0.3 "
check "64 flows spread over both next hops" test "$(hops)" = "$both"
check "ping 10.9.9.9 works" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.9.9.9

# Stop the peer that carries the ping flow, found by counting what its
# TAP receives (ip route get cannot reproduce an ICMP echo's hash).
rx() { nsx "$1" cat /sys/class/net/tap0/statistics/rx_packets; }
a2=$(rx 2) a3=$(rx 3)
quiet nsx 1 ping -q -c 50 -i 0.01 -I 10.255.0.1 10.9.9.9
if [ $(( $(rx 2) - a2 )) -ge 50 ]; then k=2; else k=3; fi
o=$(( 5 - k ))
diag "the ping flow goes via n$k; stopping n$k's tapmeshd"

only_other() { [ "$(hops)" = "10.255.0.$o " ]; }
rt_gap_start 1 10.255.0.1 10.9.9.9 $(( dead_ms / 1000 * 2 + 4 ))
sleep 0.5
t0=$(rt_ms)
lab_stop "$k"
lab_wait $(( dead_ms / 1000 * 2 + 2 )) only_other
t1=$(rt_ms)
wait "$RT_GAP_PID" 2>/dev/null
read -r lost gap < <(rt_gap_result)
[ -n "$gap" ] || diag "$(tail -3 "$RT_GAP_OUT")"
diag "every flow via n$o $(( t1 - t0 )) ms after n$k stopped (dead_time $dead_ms ms)"
diag "ping every 10 ms: $lost lost, longest gap $gap ms"
check "every flow goes via n$o" only_other
check "within 2 x dead_time" test $(( t1 - t0 )) -le $(( dead_ms * 2 ))
check "n1 holds n$k's entry FAILED" \
    quiet sh -c "ip netns exec $(lab_ns 1) ip neigh show 10.255.0.$k | grep -q FAILED"
check "the ping gap stays under 2 x dead_time" test "$gap" -le $(( dead_ms * 2 ))
check "ping 10.9.9.9 works with n$k gone" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.9.9.9

t0=$(rt_ms)
lab_start "$k" || bail "restart n$k"
both_again() { [ "$(hops)" = "$both" ]; }
lab_wait 10 both_again
t1=$(rt_ms)
diag "both next hops in use $(( t1 - t0 )) ms after n$k's restart"
check "both next hops used again" both_again
check "within 5 s of the restart" test $(( t1 - t0 )) -le 5000
check "ping 10.9.9.9 works after the restart" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.9.9.9

finish
