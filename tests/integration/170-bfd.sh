#!/bin/bash
# BFD over the tunnel: three BIRD nodes run OSPFv2 with BFD on tap0
# (the shipped contrib/bird/bfd-ospf.conf, 100 ms x 3).  Cutting n2's
# underlay (nftables drops its tapmesh UDP both ways) brings its BFD
# sessions and OSPF adjacencies down at n1 in under a second, and n1
# withdraws the route to n2's loopback; restoring the underlay brings
# them back.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_bird
rt_need_cmd nft

example=$TOP_SRCDIR/contrib/bird/bfd-ospf.conf
check "contrib/bird/bfd-ospf.conf parses (bird -p)" quiet "$BIRD" -p -c "$example"
if [ -x "$VTYSH" ]; then
	check "contrib/frr/bfd.conf passes vtysh --dryrun" \
	    quiet rt_frr_check "$TOP_SRCDIR/contrib/frr/bfd.conf"
else
	ok "# SKIP contrib/frr/bfd.conf: no vtysh"
fi

lab_mesh 3 || bail "could not build the mesh"
for i in 1 2 3; do rt_bird_example "$i" "$example"; done

bfd_up() {
	[ "$(rt_birdc "$1" show bfd sessions | grep -c ' Up ')" -eq "$2" ]
}
lab_wait 40 rt_bird_ospf_full 1 2
check "n1: both OSPF neighbours Full" rt_bird_ospf_full 1 2
lab_wait 20 bfd_up 1 2
check "n1: both BFD sessions Up" bfd_up 1 2
diag "$(rt_birdc 1 show bfd sessions | tail -n +2)"
route2() { [ "$(rt_via 1 10.0.0.2)" = "10.255.0.2 tap0" ]; }
lab_wait 20 route2
check "n1: 10.0.0.2 via 10.255.0.2 dev tap0" route2

# Cut n2's underlay: its tapmesh datagrams are dropped both ways.
t0=$(rt_ms)
nsx 2 nft -f - <<'EON' || bail "nft"
table inet tmcut {
	chain in { type filter hook input priority 0; udp dport 5655 drop; }
	chain out { type filter hook output priority 0; udp sport 5655 drop; }
}
EON
bfd_down2() { ! rt_birdc 1 show bfd sessions | grep -q '10.255.0.2 .* Up '; }
ospf_gone2() { ! rt_birdc 1 show ospf neighbors ospf4 | grep -q '10.255.0.2'; }
no_route2() { ! route2; }
lab_wait 5 bfd_down2
t1=$(rt_ms)
lab_wait 5 ospf_gone2
t2=$(rt_ms)
lab_wait 5 no_route2
t3=$(rt_ms)
diag "underlay cut: BFD down after $(( t1 - t0 )) ms, OSPF neighbour gone after $(( t2 - t0 )) ms, route withdrawn after $(( t3 - t0 )) ms"
check "n1: BFD session to n2 down" bfd_down2
check "n1: OSPF neighbour n2 gone" ospf_gone2
check "n1: route to 10.0.0.2 withdrawn" no_route2
check "OSPF down in under a second" test $(( t2 - t0 )) -lt 1000
check "n1 -> n3 loopback unaffected" rt_ping 1 10.0.0.1 10.0.0.3

t0=$(rt_ms)
nsx 2 nft delete table inet tmcut || bail "nft delete"
lab_wait 30 route2
diag "underlay restored: route back after $(( $(rt_ms) - t0 )) ms"
check "n1: BFD and OSPF back, 10.0.0.2 via 10.255.0.2" route2
lab_wait 10 rt_ping 1 10.0.0.1 10.0.0.2
check "ping 10.0.0.1 -> 10.0.0.2 again" rt_ping 1 10.0.0.1 10.0.0.2

finish
