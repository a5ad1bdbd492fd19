#!/bin/bash
# tapmesh as the backup beside a primary circuit, with FRR: the
# scenario of 150-backup.sh (two sites joined by a direct veth
# "primary0" standing in for an MPLS circuit and by tapmesh over a
# separate underlay) with zebra, ospfd and bfdd on both sites running
# the shipped contrib/frr/backup-primary.conf unchanged (primary cost 10
# with BFD 100 ms x 3, tap0 cost 1000, SPF throttle 0/50/1000 ms).  A
# silent cut of the primary (nftables drops everything on it at site 1)
# must move loopback-to-loopback traffic to tapmesh with less than 1 s
# without replies to pings every 10 ms; restoring it must move traffic
# back to the primary, again with less than 1 s without replies.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_frr ospfd bfdd
rt_need_cmd nft

example=$TOP_SRCDIR/contrib/frr/backup-primary.conf
check "contrib/frr/backup-primary.conf passes vtysh --dryrun" \
    quiet rt_frr_check "$example"

lab_mesh 2 || bail "could not build the mesh"
ip link add primary0 netns "$(lab_ns 1)" type veth peer name primary0 netns "$(lab_ns 2)" ||
    bail "primary0"
t0=$(rt_ms)
for i in 1 2; do
	nsx "$i" ip addr add "198.19.255.$i/30" dev primary0 || bail "primary0"
	nsx "$i" ip link set primary0 up
	rt_node_setup "$i" || bail "node $i setup"
	rt_frr_start "$i" "$example" ospfd bfdd || bail "FRR in node $i"
done

# full I: node I has both OSPF neighbours Full (primary0 and tap0).
full() {
	local out
	out=$(rt_vtysh "$1" "show ip ospf neighbor")
	echo "$out" | grep -q 'Full/.*primary0' && echo "$out" | grep -q 'Full/.*tap0'
}
bfd_up() {
	rt_vtysh "$1" "show bfd peers brief" | grep -q '198\.19\.255\.[12] .*up'
}
for i in 1 2; do
	lab_wait 40 full "$i"
	check "n$i: OSPF Full on the primary and on tap0" full "$i"
done
diag "adjacencies Full $(( $(rt_ms) - t0 )) ms after the start of FRR"
diag "$(rt_vtysh 1 "show ip ospf neighbor")"
for i in 1 2; do
	lab_wait 20 bfd_up "$i"
	check "n$i: BFD up on the primary" bfd_up "$i"
done
diag "$(rt_vtysh 1 "show bfd peers brief")"
# The file sets no router ID: each site's must come from its loopback.
rid() { rt_vtysh "$1" "show ip ospf" | grep -q "Router ID: 10\.0\.0\.$1\b"; }
for i in 1 2; do check "n$i: OSPF router ID 10.0.0.$i (the loopback)" rid "$i"; done

# The routes both ways: the ping's replies come back by site 2's route.
on_primary() {
	[ "$(rt_via 1 10.0.0.2)" = "198.19.255.2 primary0" ] &&
	    [ "$(rt_via 2 10.0.0.1)" = "198.19.255.1 primary0" ]
}
on_backup() {
	[ "$(rt_via 1 10.0.0.2)" = "10.255.0.2 tap0" ] &&
	    [ "$(rt_via 2 10.0.0.1)" = "10.255.0.1 tap0" ]
}
lab_wait 20 on_primary
check "traffic between the sites takes the primary (both ways)" on_primary
diag "n1: $(nsx 1 ip route show 10.0.0.2)"
check "site to site over the primary" rt_ping 1 10.0.0.1 10.0.0.2

# bfd_down: node 1's BFD session on the primary is no longer up.
bfd_down() { ! bfd_up 1; }

# Cut the primary silently at site 1: the link stays up, nothing passes.
rt_gap_start 1 10.0.0.1 10.0.0.2 5
sleep 1
rt_cut_primary 1 || bail "nft"
t0=$(rt_ms)
lab_wait 5 bfd_down
t1=$(rt_ms)
lab_wait 10 on_backup
t2=$(rt_ms)
wait "$RT_GAP_PID"
read -r lost gap < <(rt_gap_result)
diag "primary cut: BFD down after $((t1 - t0)) ms (polled), routes via tap0 after $((t2 - t0)) ms; $lost pings lost at 10 ms, longest gap $gap ms"
check "n1: BFD down on the primary" bfd_down
check "traffic moved to tapmesh (both ways)" on_backup
# BFD declares the primary down 0.2-0.3 s after the cut (3 x 100 ms
# from the last packet it got); ospfd drops the neighbour and runs SPF
# at once (throttle 0/50 ms), zebra installs the tap0 routes within a
# few ms: measured gaps are 0.3-0.4 s.
check "failover: pings stop for less than 1 s" test "${gap:-99999}" -lt 1000
check "site to site over tapmesh" rt_ping 1 10.0.0.1 10.0.0.2

# Restore the primary: traffic returns to it.
rt_gap_start 1 10.0.0.1 10.0.0.2 8
sleep 0.5
nsx 1 nft delete table inet cut || bail "nft delete"
t0=$(rt_ms)
lab_wait 15 on_primary
t1=$(rt_ms)
lab_wait 10 bfd_up 1
t2=$(rt_ms)
wait "$RT_GAP_PID"
read -r lost gap < <(rt_gap_result)
diag "primary restored: routes via primary0 after $((t1 - t0)) ms, BFD up after $((t2 - t0)) ms (polled); $lost pings lost, longest gap $gap ms"
check "traffic back on the primary (both ways)" on_primary
check "n1: BFD up on the primary again" bfd_up 1
check "no more than 1 s of lost pings on the way back" test "${gap:-99999}" -lt 1000

finish
