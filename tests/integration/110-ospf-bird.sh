#!/bin/bash
# OSPFv2 with BIRD 2 over tap0: three peers in a full mesh run the
# shipped contrib/bird/ospfv2.conf unchanged (network type broadcast),
# each announcing its loopback 10.0.0.<i>/32.  Every adjacency reaches
# Full, every loopback is routed via tap0 with the owning peer's tunnel
# address as next hop, and answers a ping sourced from each other
# loopback.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
. "$TOP_SRCDIR/tests/routing-lib.sh"
need_netns
rt_need_bird

example=$TOP_SRCDIR/contrib/bird/ospfv2.conf
check "contrib/bird/ospfv2.conf parses (bird -p)" quiet "$BIRD" -p -c "$example"

lab_mesh 3 || bail "could not build the mesh"

t0=$(rt_ms)
for i in 1 2 3; do
	rt_node_setup "$i" || bail "node $i setup"
	rt_bird_wrap "$i" "$LAB_DIR/n$i/bird.conf" <<EOC
include "$example";
EOC
	rt_bird_start "$i" "$LAB_DIR/n$i/bird.conf" || bail "BIRD in node $i"
done

for i in 1 2 3; do
	lab_wait 40 rt_bird_ospf_full "$i" 2
	check "n$i: both OSPF neighbours Full" rt_bird_ospf_full "$i" 2
done
diag "all adjacencies Full $(( $(rt_ms) - t0 )) ms after the start of BIRD"
diag "$(rt_birdc 1 show ospf neighbors ospf4 | tail -n +2)"

iface_type() {
	rt_birdc "$1" show ospf interface ospf4 '"tap0"' | grep -q 'Type: broadcast'
}
check "n1: tap0 is an OSPF broadcast network" iface_type 1

routes_in() {
	local i=$1 j
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		[ "$(rt_via "$i" "10.0.0.$j")" = "10.255.0.$j tap0" ] || return 1
	done
}
for i in 1 2 3; do
	lab_wait 20 routes_in "$i"
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		got=$(rt_via "$i" "10.0.0.$j")
		check "n$i: 10.0.0.$j via 10.255.0.$j dev tap0" \
		    test "$got" = "10.255.0.$j tap0"
		[ "$got" = "10.255.0.$j tap0" ] || diag "got: '$got'"
	done
done
diag "all routes installed $(( $(rt_ms) - t0 )) ms after the start of BIRD"

for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		check "ping 10.0.0.$i -> 10.0.0.$j" \
		    quiet nsx "$i" ping -c 2 -i 0.2 -W 2 -q -I "10.0.0.$i" "10.0.0.$j"
	done
done

proto_route() { nsx 1 ip route show 10.0.0.2 | grep -q 'proto bird'; }
check "n1: the route is BIRD's (proto bird)" proto_route

finish
