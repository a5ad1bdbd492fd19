#!/bin/bash
# A mixed OSPFv2 mesh: n1 and n2 run BIRD (contrib/bird/ospfv2.conf),
# n3 runs FRR (contrib/frr/ospfv2.conf).  Adjacencies Full, loopbacks
# reachable.  Then the neighbour table under other owners: FRR's zebra
# installs its own entries for its OSPF neighbours' addresses, and an
# operator flushes the table (ip neigh flush dev tap0 nud all); tapmeshd
# must keep (or restore within a second) a PERMANENT entry for every
# live peer, and traffic must not stop.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_bird
rt_need_frr ospfd

bird_example=$TOP_SRCDIR/contrib/bird/ospfv2.conf
frr_example=$TOP_SRCDIR/contrib/frr/ospfv2.conf
check "contrib/frr/ospfv2.conf passes vtysh --dryrun" quiet rt_frr_check "$frr_example"

lab_mesh 3 || bail "could not build the mesh"
for i in 1 2 3; do rt_node_setup "$i" || bail "node $i setup"; done

t0=$(rt_ms)
for i in 1 2; do
	rt_bird_wrap "$i" "$LAB_DIR/n$i/bird.conf" <<EOC
include "$bird_example";
EOC
	rt_bird_start "$i" "$LAB_DIR/n$i/bird.conf" || bail "BIRD in node $i"
done
rt_frr_start 3 "$frr_example" ospfd || bail "FRR in node 3"

frr_full() {
	[ "$(rt_vtysh 3 "show ip ospf neighbor" | grep -c 'Full/')" -eq 2 ]
}
for i in 1 2; do
	lab_wait 40 rt_bird_ospf_full "$i" 2
	check "n$i (BIRD): both OSPF neighbours Full" rt_bird_ospf_full "$i" 2
done
lab_wait 20 frr_full
check "n3 (FRR): both OSPF neighbours Full" frr_full
diag "all adjacencies Full $(( $(rt_ms) - t0 )) ms after the start of the daemons"
diag "$(rt_vtysh 3 "show ip ospf neighbor")"

pings() {
	local i j
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ "$i" = "$j" ] && continue
			rt_ping "$i" "10.0.0.$i" "10.0.0.$j" || return 1
		done
	done
}
lab_wait 20 pings
check "every loopback reaches every other" pings
check "n3: 10.0.0.1 via 10.255.0.1 dev tap0 (FRR's route)" \
    test "$(rt_via 3 10.0.0.1)" = "10.255.0.1 tap0"
check "n1: 10.0.0.3 via 10.255.0.3 dev tap0 (BIRD's route)" \
    test "$(rt_via 1 10.0.0.3)" = "10.255.0.3 tap0"

# perm I J: node I holds a PERMANENT IPv4 entry for peer J.
perm() {
	ip -n "$(lab_ns "$1")" neigh show dev tap0 "10.255.0.$2" nud permanent |
	    grep -q "lladdr $(lab_mac "$2")"
}
# Zebra touches the entries of n3's OSPF neighbours: give it the time
# of a few hellos, then look.
sleep 2
diag "n3 neighbour table beside zebra:
$(nsx 3 ip -4 neigh show dev tap0)"
check "n3 (FRR) holds a PERMANENT entry for n1 beside zebra" perm 3 1
check "n3 (FRR) holds a PERMANENT entry for n2 beside zebra" perm 3 2
check "n3 -> n1 tunnel address answers" rt_ping 3 10.255.0.3 10.255.0.1

# heal_test I DESC: flushes node I's table (every entry, PERMANENT ones
# too) while 10.0.0.I pings the next node's loopback every 10 ms, and
# measures how long until the daemon's entries are back.
heal_test() {
	local i=$1 j k t0 t1 lost gap
	j=$(( i % 3 + 1 ))
	k=$(( j % 3 + 1 ))
	rt_gap_start "$i" "10.0.0.$i" "10.0.0.$j" 4
	sleep 1
	t0=$(rt_ms)
	nsx "$i" ip neigh flush dev tap0 nud all
	lab_wait 5 sh -c "ip -n $(lab_ns "$i") neigh show dev tap0 nud permanent | grep -q '10.255.0.$j ' &&
	    ip -n $(lab_ns "$i") neigh show dev tap0 nud permanent | grep -q '10.255.0.$k '"
	t1=$(rt_ms)
	wait "$RT_GAP_PID" 2>/dev/null
	read -r lost gap < <(rt_gap_result)
	diag "n$i ($2): PERMANENT entries back $(( t1 - t0 )) ms after the flush;" \
	    "pings every 10 ms: $lost lost, longest gap $gap ms"
	diag "n$i table afterwards:
$(nsx "$i" ip neigh show dev tap0)"
	check "n$i ($2): entries for n$j and n$k restored after a flush" \
	    sh -c "perm_ok() { ip -n $(lab_ns "$i") neigh show dev tap0 \"10.255.0.\$1\" nud permanent | grep -q lladdr; }; perm_ok $j && perm_ok $k"
	check "n$i ($2): restored within 2 s (goal: 1 s)" test $(( t1 - t0 )) -le 2000
	check "n$i ($2): pings stop for less than 1 s" test "${gap:-99999}" -lt 1000
	check "n$i ($2): the IPv6 link-local entries too" \
	    quiet sh -c "ip -n $(lab_ns "$i") neigh show dev tap0 $(lab_ll "$j") nud permanent | grep -q lladdr"
}
heal_test 1 BIRD
heal_test 3 FRR

check "n1 (BIRD): adjacencies still Full" rt_bird_ospf_full 1 2
check "n3 (FRR): adjacencies still Full" frr_full
check "every loopback still reaches every other" pings

finish
