#!/bin/bash
# IS-IS (FRR isisd) over tap0: IS-IS speaks 802.3/LLC to group MACs, not
# IP, so this proves that tapmesh replicates those frames to every peer.
# Three peers in a full mesh, level 2, IPv4 and IPv6: every adjacency
# Up, every loopback learned via tap0 with the owner's tunnel address
# (IPv6: its link-local) as next hop, and reachable.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_frr isisd

example=$TOP_SRCDIR/contrib/frr/isis.conf
check "contrib/frr/isis.conf passes vtysh --dryrun" quiet rt_frr_check "$example"

lab_mesh 3 || bail "could not build the mesh"

t0=$(rt_ms)
for i in 1 2 3; do
	rt_node_setup "$i" || bail "node $i setup"
	# The shipped example, with node 1's numbers turned into node i's.
	sed -e "s/10\.0\.0\.1\//10.0.0.$i\//" -e "s/fd00:1::1\//fd00:1::$i\//" \
	    -e "s/0000\.0000\.0001\.00/0000.0000.000$i.00/" \
	    "$example" >"$LAB_DIR/n$i/frr.conf"
	rt_frr_start "$i" "$LAB_DIR/n$i/frr.conf" isisd || bail "FRR in node $i"
done

isis_up() {
	[ "$(rt_vtysh "$1" "show isis neighbor" | grep -c ' Up ')" -eq "$2" ]
}
for i in 1 2 3; do
	lab_wait 30 isis_up "$i" 2
	check "n$i: both IS-IS adjacencies Up" isis_up "$i" 2
done
diag "all adjacencies Up $(( $(rt_ms) - t0 )) ms after the start of FRR"
diag "$(rt_vtysh 1 "show isis neighbor")"

routes_in() {
	local i=$1 j
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		[ "$(rt_via "$i" "10.0.0.$j")" = "10.255.0.$j tap0" ] || return 1
		[ "$(rt_via "$i" "fd00:1::$j")" = "$(lab_ll "$j") tap0" ] || return 1
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
		got=$(rt_via "$i" "fd00:1::$j")
		check "n$i: fd00:1::$j via $(lab_ll "$j") dev tap0" \
		    test "$got" = "$(lab_ll "$j") tap0"
		[ "$got" = "$(lab_ll "$j") tap0" ] || diag "got: '$got'"
	done
done
diag "all routes installed $(( $(rt_ms) - t0 )) ms after the start of FRR"
check "n1: the route is FRR's (proto isis)" \
    quiet sh -c "ip -n $(lab_ns 1) route show 10.0.0.2 | grep -q 'proto isis'"

for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		check "ping 10.0.0.$i -> 10.0.0.$j" \
		    quiet nsx "$i" ping -c 2 -i 0.2 -W 2 -q -I "10.0.0.$i" "10.0.0.$j"
		check "ping fd00:1::$i -> fd00:1::$j" \
		    quiet nsx "$i" ping -6 -c 2 -i 0.2 -W 2 -q -I "fd00:1::$i" "fd00:1::$j"
	done
done

finish
