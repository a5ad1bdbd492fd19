#!/bin/bash
# OSPFv3 with BIRD 2 over tap0 and IPv6 link-local: three peers in a
# full mesh run the shipped contrib/bird/ospfv3.conf unchanged, each
# announcing its loopback fd00:1::<i>/128.  Every adjacency Full, every
# loopback routed via the owner's link-local address on tap0 and
# reachable from every other loopback.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
. "$TOP_SRCDIR/tests/routing-lib.sh"
need_netns
rt_need_bird

example=$TOP_SRCDIR/contrib/bird/ospfv3.conf
check "contrib/bird/ospfv3.conf parses (bird -p)" quiet "$BIRD" -p -c "$example"

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
	lab_wait 40 rt_bird_ospf_full "$i" 2 ospf6
	check "n$i: both OSPFv3 neighbours Full" rt_bird_ospf_full "$i" 2 ospf6
done
diag "all adjacencies Full $(( $(rt_ms) - t0 )) ms after the start of BIRD"
diag "$(rt_birdc 1 show ospf neighbors ospf6 | tail -n +2)"

routes_in() {
	local i=$1 j
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		[ "$(rt_via "$i" "fd00:1::$j")" = "$(lab_ll "$j") tap0" ] || return 1
	done
}
for i in 1 2 3; do
	lab_wait 20 routes_in "$i"
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		got=$(rt_via "$i" "fd00:1::$j")
		check "n$i: fd00:1::$j via $(lab_ll "$j") dev tap0" \
		    test "$got" = "$(lab_ll "$j") tap0"
		[ "$got" = "$(lab_ll "$j") tap0" ] || diag "got: '$got'"
	done
done
diag "all routes installed $(( $(rt_ms) - t0 )) ms after the start of BIRD"

for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		check "ping fd00:1::$i -> fd00:1::$j" \
		    quiet nsx "$i" ping -6 -c 2 -i 0.2 -W 2 -q -I "fd00:1::$i" "fd00:1::$j"
	done
done

finish
