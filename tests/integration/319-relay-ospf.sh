#!/bin/bash
# OSPF across two NATed sites that can only meet through a relaying hub
# (their NATs pick a random port for every mapping, so hole punching
# fails), with BIRD (contrib/bird/ospfv2.conf unchanged) and then with
# FRR (contrib/frr/ospfv2.conf, router ID and loopback per node): every
# adjacency reaches Full, the loopback behind one site is routed and
# reachable from the other, and that traffic crosses the hub.  This is
# the scenario that black-holes without a relay (OSPF takes the next hop
# straight from the broadcast network).  Each daemon runs alone; the
# routes of one are gone before the next starts.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
command -v nft >/dev/null || skip_all "no nft (nftables)"
# rt_need_* print a SKIP line (and exit their subshell) when missing.
daemons=()
[ -z "$(rt_need_bird)" ] && daemons+=(bird)
[ -z "$(rt_need_frr ospfd)" ] && daemons+=(frr)
[ "${#daemons[@]}" -gt 0 ] || skip_all "neither BIRD 2 nor FRR (zebra, ospfd) installed"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=15

frr_example=$TOP_SRCDIR/contrib/frr/ospfv2.conf
if [[ " ${daemons[*]} " == *" frr "* ]]; then
	check "contrib/frr/ospfv2.conf passes vtysh --dryrun" \
	    quiet rt_frr_check "$frr_example"
fi

tl_up <<'EOF' || bail "could not build the lab"
node hub              # 10.255.0.1, public, relay
node sitea            # 10.255.0.2, behind nat1
node siteb            # 10.255.0.3, behind nat2
router nat1 masquerade random
router nat2 masquerade random
switch inet
link sitea nat1
link nat1 inet
link siteb nat2
link nat2 inet
link hub inet
mesh
relay hub
main keepalive = 1;
main dead_time = 4;
EOF

hosts=(hub sitea siteb)
for i in 0 1 2; do
	tlx "${hosts[$i]}" ip addr add "10.0.0.$((i + 1))/32" dev lo
	tlx "${hosts[$i]}" sysctl -qw net.ipv4.ip_forward=1
done

# start_D HOST N / full_D HOST / stop_D HOST: daemon D (bird, frr) in
# HOST, whose loopback is 10.0.0.N; full: both OSPF neighbours Full.
start_bird() {
	rt_bird_wrap "$1" "$TL_STATE/$1/bird.conf" <<EOC
include "$TOP_SRCDIR/contrib/bird/ospfv2.conf";
EOC
	rt_bird_start "$1" "$TL_STATE/$1/bird.conf"
}
full_bird() { rt_bird_ospf_full "$1" 2; }
stop_bird() { rt_kill bird "$1"; }
start_frr() {
	# The example is node 3's: only the router ID and loopback differ.
	sed "s/10\.0\.0\.3/10.0.0.$2/g" "$frr_example" >"$TL_STATE/$1/frr.conf"
	rt_frr_start "$1" "$TL_STATE/$1/frr.conf" ospfd
}
full_frr() { [ "$(rt_vtysh "$1" "show ip ospf neighbor" | grep -c 'Full/')" -eq 2 ]; }
stop_frr() { rt_frr_stop "$1"; }
neighbours_bird() { rt_birdc sitea show ospf neighbors ospf4 | tail -n +2; }
neighbours_frr() { rt_vtysh sitea "show ip ospf neighbor"; }

# routed: each site routes the other's loopback via its tunnel address.
routed() {
	tlx sitea ip route show 10.0.0.3 | grep -q "via 10.255.0.3 dev tap0" &&
	    tlx siteb ip route show 10.0.0.2 | grep -q "via 10.255.0.2 dev tap0"
}
unrouted() { ! tlx sitea ip route show 10.0.0.3 | grep -q .; }
# relayed_bytes: what the hub relayed from sitea to siteb so far.
relayed_bytes() {
	tl_ctl hub show sitea | sed -n 's/.*relayed to siteb: [0-9]* messages, \([0-9]*\) bytes.*/\1/p'
}

# up returns once the sessions carry data; the relayed path may still be
# settling then (a crossed handshake, the hole punching that fails), so
# this waits for it, bounded, and shows what sitea saw if it never came.
relayed() { tl_ctl sitea show siteb | grep -q "endpoint: via hub (relayed)"; }
lab_wait 10 relayed || diag "$(tl_ctl sitea show siteb)"
check "sitea reaches siteb through the relay" relayed
check "no route to siteb's loopback before OSPF" unrouted

for d in "${daemons[@]}"; do
	t0=$(rt_ms)
	for i in 0 1 2; do
		"start_$d" "${hosts[$i]}" "$((i + 1))" || bail "$d in ${hosts[$i]}"
	done
	for h in "${hosts[@]}"; do
		lab_wait 60 "full_$d" "$h"
		check "$d, $h: both OSPF neighbours Full" "full_$d" "$h"
	done
	diag "$d: all adjacencies Full $(( $(rt_ms) - t0 )) ms after it started"
	diag "$("neighbours_$d")"

	lab_wait 20 routed
	check "$d: each site routes the other's loopback via its tunnel address" routed
	check "$d: sitea still reaches siteb through the relay" \
	    grep -q "endpoint: via hub (relayed)" <<<"$(tl_ctl sitea show siteb)"
	# 20 pings of 1200 bytes: far more than the hellos the hub relays
	# in the same second or two.
	b0=$(relayed_bytes)
	out=$(tlx sitea ping -c 20 -i 0.05 -s 1200 -W 2 -q -I 10.0.0.2 10.0.0.3 2>&1)
	check "$d: sitea -> siteb's loopback (from sitea's)" test $? = 0
	b1=$(relayed_bytes)
	diag "$d: $(grep 'packets transmitted' <<<"$out")"
	diag "$d: the hub relayed $(( ${b1:-0} - ${b0:-0} )) bytes sitea -> siteb during the pings"
	check "$d: those pings crossed the hub (>= 24000 bytes relayed)" \
	    test "$(( ${b1:-0} - ${b0:-0} ))" -ge 24000
	check "$d: siteb -> sitea's loopback (from siteb's)" \
	    quiet tlx siteb ping -c 3 -i 0.2 -W 2 -q -I 10.0.0.3 10.0.0.2

	for h in "${hosts[@]}"; do "stop_$d" "$h"; done
	lab_wait 10 unrouted
	check "$d stopped: its route to siteb's loopback is gone" unrouted
done

tl_finish
