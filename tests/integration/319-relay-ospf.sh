#!/bin/bash
# OSPF (BIRD, contrib/bird/ospfv2.conf unchanged) across two NATed sites
# that can only meet through a relaying hub (their NATs pick a random
# port for every mapping, so hole punching fails): every adjacency
# reaches Full, and the loopback behind one site is routed and reachable
# from the other, the scenario that black-holes without a relay (OSPF
# takes the next hop straight from the broadcast network).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_bird
command -v nft >/dev/null || skip_all "no nft (nftables)"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=15

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
birdc_of() { "$BIRDC" -s "$TL_STATE/$1/bird.ctl" "${@:2}"; }
full() { [ "$(birdc_of "$1" show ospf neighbors ospf4 2>/dev/null | grep -c 'Full/')" -eq 2 ]; }

t0=$(date +%s%N)
for i in 0 1 2; do
	h=${hosts[$i]}
	n=$((i + 1))
	tlx "$h" ip addr add "10.0.0.$n/32" dev lo
	tlx "$h" sysctl -qw net.ipv4.ip_forward=1
	printf 'log "%s" all;\ninclude "%s";\n' "$TL_STATE/$h/bird.log" \
	    "$TOP_SRCDIR/contrib/bird/ospfv2.conf" >"$TL_STATE/$h/bird.conf"
	tl_bg "$h" "$BIRD" -f -c "$TL_STATE/$h/bird.conf" -s "$TL_STATE/$h/bird.ctl" \
	    -P "$TL_STATE/$h/bird.pid"
	lab_wait 10 birdc_of "$h" show status || bail "BIRD did not start in $h"
done
for h in "${hosts[@]}"; do
	lab_wait 60 full "$h"
	check "$h: both OSPF neighbours Full" full "$h"
done
diag "all adjacencies Full $(( ($(date +%s%N) - t0) / 1000000 )) ms after BIRD started"
diag "$(birdc_of sitea show ospf neighbors ospf4 | tail -n +2)"

check "sitea reaches siteb through the relay" \
    grep -q "endpoint: via hub (relayed)" <<<"$(tl_ctl sitea show siteb)"
routed() { tlx sitea ip route show 10.0.0.3 | grep -q "via 10.255.0.3 dev tap0"; }
lab_wait 20 routed
check "sitea: siteb's loopback routed via siteb's tunnel address" routed
check "sitea -> siteb's loopback (from sitea's)" \
    quiet tlx sitea ping -c 3 -i 0.2 -W 2 -q -I 10.0.0.2 10.0.0.3
check "siteb -> sitea's loopback (from siteb's)" \
    quiet tlx siteb ping -c 3 -i 0.2 -W 2 -q -I 10.0.0.3 10.0.0.2

tl_finish
