#!/bin/bash
# source_check = "strict" with BIRD: three nodes run the shipped OSPFv2
# example unchanged, every node in strict mode, so the routes BIRD
# installs are the only policy.  OSPF itself and the loopback-sourced
# pings work; node 3's loopback (routed via n3) is accepted from n3 and
# dropped from n2 (which writes the spoofed frame into its own TAP);
# an anycast loopback announced by n2 and n3 (ECMP) is accepted from
# both; once n3 withdraws its loopback, packets from it are dropped from
# n3 too, as soon as the route is gone from n1's kernel.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_bird
command -v python3 >/dev/null || skip_all "python3 is needed (rawframe, show --json)"
RAW=$TOP_SRCDIR/tests/tools/rawframe.py
M1=$(lab_mac 1)

LAB_MAIN_EXTRA='source_check = "strict";'
rt_bird_mesh contrib/bird/ospfv2.conf
rt_bird_check_full ospf4 OSPF
check "n1 mirrors the TAP's routes" grep -q "routes: [0-9]* routes via tap0 mirrored" "$LAB_DIR/n1/tapmeshd.log"
rt_check_mesh_routes 10.0.0. rt_tunnel_addr
rt_check_mesh_pings 10.0.0.

inechos() {
	nsx 1 awk '$1 == "Icmp:" { if (!h) { for (i = 2; i <= NF; i++)
		c[$i] = i; h = 1 } else print $c["InEchos"] }' /proc/net/snmp
}
spoofed() {
	lab_ctl 1 show --json | python3 -c '
import json, sys
print([p for p in json.load(sys.stdin)["peers"] if p["name"] == sys.argv[1]][0]["drops"]["spoofed_source"])' "$1"
}
# echo_from DESC WANT NODE SRC: 3 echo requests from SRC, written into
# NODE's TAP for n1; WANT of them must reach n1's kernel.
echo_from() {
	local b a
	b=$(inechos)
	nsx "$3" python3 "$RAW" tap0 "$(lab_mac "$3")" "$M1" echo4 "$4" 10.0.0.1 3
	sleep 0.3
	a=$(inechos)
	check "$1 (InEchos +$((a - b)))" test $((a - b)) = "$2"
}

s0=$(spoofed n2)
echo_from "n3's loopback from n3: routed via n3, accepted" 3 3 10.0.0.3
echo_from "n3's loopback from n2: dropped" 0 2 10.0.0.3
echo_from "n2's loopback from n2: accepted" 3 2 10.0.0.2
s1=$(spoofed n2)
check "spoofed_source for n2 counted 3 ($s0 -> $s1)" test $((s1 - s0)) = 3

# ECMP: an anycast address on both n2 and n3.
for i in 2 3; do nsx "$i" ip addr add 10.0.0.99/32 dev lo; done
ecmp() { [ "$(nsx 1 ip route show 10.0.0.99 | grep -c 'nexthop via')" = 2 ]; }
check "n1 routes 10.0.0.99 over n2 and n3 (ECMP)" lab_wait 20 ecmp
diag "$(nsx 1 ip route show 10.0.0.99)"
echo_from "ECMP: accepted from n2" 3 2 10.0.0.99
echo_from "ECMP: accepted from n3" 3 3 10.0.0.99

# Withdrawal: n3 stops announcing its loopback.
t0=$(rt_ms)
nsx 3 ip addr del 10.0.0.3/32 dev lo
gone() { [ -z "$(nsx 1 ip route show 10.0.0.3)" ]; }
check "n1's route to 10.0.0.3 is withdrawn" lab_wait 20 gone
diag "withdrawn from n1's kernel $(( $(rt_ms) - t0 )) ms after n3 dropped the address"
echo_from "withdrawn: n3's old loopback from n3 is dropped at once" 0 3 10.0.0.3
check "loopback pings n1 <-> n2 still answered" rt_ping 1 10.0.0.1 10.0.0.2
check "OSPF still Full with n2 and n3" rt_bird_ospf_full 1 2
diag "n1: $(lab_ctl 1 show n2 | grep drops) (n2) / $(lab_ctl 1 show n3 | grep drops) (n3)"
finish
