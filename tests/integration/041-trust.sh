#!/bin/bash
# The segment's trust boundary, tried as a security reviewer would: node
# 3 is compromised.  It writes hand-made frames into its own TAP (a
# packet socket), and its daemon is tests/tools/rogued, a tapmeshd whose
# egress rules are compiled out, so that its router advertisements and
# neighbour discovery reach the others.  Node 1, the victim, must let
# none of them reach its TAP: spoofed IPv4/IPv6 sources (another peer's,
# its own, another peer's link-local, any link-local), RA with a prefix
# (plain, behind a destination options header, in a first fragment), RS,
# Redirect, NS/NA behind a hop-by-hop header.  Seen in the victim
# kernel's ICMP counters (before/after) and routes, addresses and
# neighbours, and counted by the victim's daemon.  Then the
# source_check modes: prefixes, and strict against kernel routes (ECMP,
# a second table, withdrawal, IPv6 via a link-local gateway).  An honest
# daemon keeps its own kernel's RA from leaving; the honest peers'
# pings are unaffected throughout.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v python3 >/dev/null || skip_all "python3 is needed (rawframe, show --json)"
TOOLS=${TOOLS:-$(dirname "$TAPMESHD")/tests/tools}
ROGUED=$TOOLS/rogued
RAW=$TOP_SRCDIR/tests/tools/rawframe.py
[ -x "$ROGUED" ] || bail "no rogued at $ROGUED (make check builds it)"

lab_init || bail "lab"
for i in 1 2 3; do lab_node "$i" || bail "node $i"; done
for i in 1 2 3; do lab_config "$i" 1 2 3; done
lab_start 1 && lab_start 2 || bail "start"
TAPMESHD=$ROGUED lab_start 3 || bail "start the rogue node"
for i in 1 2 3; do lab_wait_up 10 "$i" 2 || bail "node $i: peers not up"; done

M1=$(lab_mac 1) M3=$(lab_mac 3)
LL1=$(lab_ll 1) LL2=$(lab_ll 2) LL3=$(lab_ll 3)

# raw NODE KIND SRC DST [DSTMAC] [COUNT]: a frame from NODE's kernel side.
raw() {
	nsx "$1" python3 "$RAW" tap0 "$(lab_mac "$1")" "${5:-$M1}" "$2" "$3" \
	    "$4" "${6:-3}"
}
# snmp KEY: node 1's kernel counter (Icmp InEchos style keys).
snmp() {
	case $1 in
	Icmp6*) nsx 1 awk -v k="$1" '$1 == k { print $2 }' /proc/net/snmp6 ;;
	Icmp*)	nsx 1 awk -v k="${1#Icmp}" '$1 == "Icmp:" {
			if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
			else print $c[k] }' /proc/net/snmp ;;
	esac
}
# drops NODE PEER REASON: NODE's drop counter for PEER ("" : interface).
drops() {
	lab_ctl "$1" show --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
if sys.argv[1] == "":
    print(j["interface"]["drops"][sys.argv[2]])
else:
    print([p for p in j["peers"] if p["name"] == sys.argv[1]][0]["drops"][sys.argv[2]])' "$2" "$3"
}
# delivered DESC KEY WANT NODE KIND SRC DST [DSTMAC]: sends 3 frames and
# checks that node 1's KEY counter grew by WANT (3: delivered, 0: not).
delivered() {
	local desc=$1 key=$2 want=$3 before after
	shift 3
	before=$(snmp "$key")
	raw "$@" || { not_ok "$desc (could not send)"; return; }
	sleep 0.3
	after=$(snmp "$key")
	check "$desc ($key +$((after - before)))" test $((after - before)) = "$want"
}
honest() {
	quiet nsx 2 ping -c 2 -i 0.2 -W 2 -q 10.255.0.1 &&
	    quiet nsx 2 ping -6 -c 2 -i 0.2 -W 2 -q fd00:255::1
}

check "TAP: accept_ra is off" test "$(nsx 1 cat /proc/sys/net/ipv6/conf/tap0/accept_ra)" = 0
check "TAP: autoconf is off" test "$(nsx 1 cat /proc/sys/net/ipv6/conf/tap0/autoconf)" = 0
check "honest n2 -> n1 before" honest

# Positive controls: the tool works and n3 may speak for itself.
delivered "n3's own IPv4 source reaches n1" IcmpInEchos 3 3 echo4 10.255.0.3 10.255.0.1
delivered "n3's own IPv6 source reaches n1" Icmp6InEchos 3 3 echo6 fd00:255::3 fd00:255::1
delivered "n3's own link-local source reaches n1" Icmp6InEchos 3 3 echo6 "$LL3" "$LL1"
delivered "loose: a routed IPv4 source passes" IcmpInEchos 3 3 echo4 192.0.2.9 10.255.0.1

s0=$(drops 1 n3 spoofed_source)
delivered "spoof: n2's IPv4 address" IcmpInEchos 0 3 echo4 10.255.0.2 10.255.0.1
delivered "spoof: the victim's own IPv4 address" IcmpInEchos 0 3 echo4 10.255.0.1 10.255.0.1
delivered "spoof: n2's IPv6 address" Icmp6InEchos 0 3 echo6 fd00:255::2 fd00:255::1
delivered "spoof: the victim's own IPv6 address" Icmp6InEchos 0 3 echo6 fd00:255::1 fd00:255::1
delivered "spoof: n2's link-local address" Icmp6InEchos 0 3 echo6 "$LL2" "$LL1"
delivered "spoof: another link-local address" Icmp6InEchos 0 3 echo6 fe80::1:2:3:4 "$LL1"
s1=$(drops 1 n3 spoofed_source)
check "spoofed_source counted 18 on n1 for n3 ($s0 -> $s1)" test $((s1 - s0)) = 18
check "n1 logs the peer and the address" grep -q "peer n3: dropped a packet from 10.255.0.2: another peer's address" "$LAB_DIR/n1/tapmeshd.log"

d0=$(drops 1 n3 nd_from_peer)
delivered "RA with a prefix" Icmp6InRouterAdvertisements 0 3 ra "$LL3" ff02::1 33:33:00:00:00:01
delivered "RA behind a destination options header" Icmp6InRouterAdvertisements 0 3 dst-ra "$LL3" ff02::1 33:33:00:00:00:01
delivered "RA in a first fragment" Icmp6InRouterAdvertisements 0 3 frag-ra "$LL3" ff02::1 33:33:00:00:00:01
delivered "RS" Icmp6InRouterSolicits 0 3 rs "$LL3" ff02::2 33:33:00:00:00:02
delivered "Redirect" Icmp6InRedirects 0 3 redirect "$LL3" "$LL1"
delivered "NS behind a hop-by-hop header" Icmp6InNeighborSolicits 0 3 ns-hbh "$LL3" "$LL1"
delivered "NA behind a hop-by-hop header" Icmp6InNeighborAdvertisements 0 3 na-hbh fd00:255::77 "$LL1"
d1=$(drops 1 n3 nd_from_peer)
check "nd_from_peer counted 21 on n1 for n3 ($d0 -> $d1)" test $((d1 - d0)) = 21
check "no default route on n1" test -z "$(nsx 1 ip -6 route show default)"
check "no route or address from the advertised prefix" test -z "$(nsx 1 ip -6 addr show | grep 2001:db8:99)$(nsx 1 ip -6 route show | grep 2001:db8:99)"
check "no neighbour entry from the NA" test -z "$(nsx 1 ip -6 neigh show fd00:255::77)"

# An honest daemon keeps its own kernel's RA at home.
a0=$(drops 2 "" arp_ndp) n0=$(drops 1 n2 nd_from_peer)
raw 2 ra "$LL2" ff02::1 33:33:00:00:00:01 3
sleep 0.3
a1=$(drops 2 "" arp_ndp) n1=$(drops 1 n2 nd_from_peer)
check "n2's own RA is not sent (arp_ndp $a0 -> $a1)" test $((a1 - a0)) = 3
check "n1 never sees it (nd_from_peer from n2: $n0 -> $n1)" test "$n1" = "$n0"
check "honest n2 -> n1 after the attacks" honest

# prefixes: n3 may send from its allowed_sources only.
cat >>"$LAB_DIR/n1/conf.d/n3.conf" <<EOC
source_check = "prefixes";
allowed_sources = [ "192.0.2.0/24", "2001:db8:5::/48" ];
EOC
check "reload with n3 in prefixes mode" quiet lab_ctl 1 reload
delivered "prefixes: IPv4 inside accepted" IcmpInEchos 3 3 echo4 192.0.2.9 10.255.0.1
delivered "prefixes: IPv4 outside dropped" IcmpInEchos 0 3 echo4 198.51.100.9 10.255.0.1
delivered "prefixes: IPv6 inside accepted" Icmp6InEchos 3 3 echo6 2001:db8:5::9 fd00:255::1
delivered "prefixes: IPv6 outside dropped" Icmp6InEchos 0 3 echo6 2001:db8:6::9 fd00:255::1
delivered "prefixes: n3's own address accepted" IcmpInEchos 3 3 echo4 10.255.0.3 10.255.0.1
cp "$LAB_DIR/n1/conf.d/n3.conf" "$LAB_DIR/n1/n3.conf.good"
echo 'allowed_sources = [ "192.0.2.1/24" ];' >"$LAB_DIR/n1/bad.conf"
sed -i '/^allowed_sources/d' "$LAB_DIR/n1/conf.d/n3.conf"
cat "$LAB_DIR/n1/bad.conf" >>"$LAB_DIR/n1/conf.d/n3.conf"
out=$(lab_ctl 1 reload 2>&1)
diag "$out"
check "host bits in allowed_sources refused with FILE:LINE" grep -q "n3.conf:[0-9]*: allowed_sources \"192.0.2.1/24\": host bits set" <<<"$out"
cp "$LAB_DIR/n1/n3.conf.good" "$LAB_DIR/n1/conf.d/n3.conf"
delivered "the refused reload changed nothing" IcmpInEchos 0 3 echo4 198.51.100.9 10.255.0.1

# strict: the routes through the TAP are the policy, on every peer.
sed -i 's/^source_check = .*/source_check = "strict";/; /^allowed_sources/d' "$LAB_DIR/n1/conf.d/n3.conf"
sed -i 's/^control_socket = .*/&\nsource_check = "strict";/' "$LAB_DIR/n1/tapmesh.conf"
check "reload into strict mode" quiet lab_ctl 1 reload
check "the route mirror started" grep -q "routes: [0-9]* routes via tap0 mirrored" "$LAB_DIR/n1/tapmeshd.log"
nsx 1 ip route add 203.0.113.0/24 via 10.255.0.3 dev tap0
nsx 1 ip -6 route add 2001:db8:7::/48 via "$LL3" dev tap0
nsx 1 ip route add 198.51.100.0/24 nexthop via 10.255.0.2 dev tap0 nexthop via 10.255.0.3 dev tap0
nsx 1 ip route add 192.0.2.0/24 via 10.255.0.2 dev tap0 table 100
nsx 1 ip route add 192.0.2.0/24 via 10.255.0.3 dev tap0 metric 5
sleep 0.1
delivered "strict: a prefix routed via n3, from n3" IcmpInEchos 3 3 echo4 203.0.113.5 10.255.0.1
delivered "strict: the same prefix from n2" IcmpInEchos 0 2 echo4 203.0.113.5 10.255.0.1
delivered "strict: IPv6 via n3's link-local, from n3" Icmp6InEchos 3 3 echo6 2001:db8:7::5 fd00:255::1
delivered "strict: IPv6 from n2" Icmp6InEchos 0 2 echo6 2001:db8:7::5 fd00:255::1
delivered "strict: ECMP over n2 and n3 accepts n3" IcmpInEchos 3 3 echo4 198.51.100.5 10.255.0.1
delivered "strict: ECMP over n2 and n3 accepts n2" IcmpInEchos 3 2 echo4 198.51.100.5 10.255.0.1
delivered "strict: a route in table 100 counts (n2)" IcmpInEchos 3 2 echo4 192.0.2.5 10.255.0.1
delivered "strict: a second route of that prefix counts (n3)" IcmpInEchos 3 3 echo4 192.0.2.5 10.255.0.1
delivered "strict: no route at all" IcmpInEchos 0 3 echo4 100.64.0.5 10.255.0.1
delivered "strict: the connected prefix (no gateway) accepts any peer" IcmpInEchos 3 2 echo4 10.255.0.99 10.255.0.1
nsx 1 ip route del 203.0.113.0/24 via 10.255.0.3 dev tap0
sleep 0.1
delivered "strict: withdrawn, 100 ms later n3 is dropped too" IcmpInEchos 0 3 echo4 203.0.113.5 10.255.0.1
check "honest n2 -> n1 in strict mode" honest
check "every daemon is still running" kill -0 "$(lab_pid 1)" "$(lab_pid 2)" "$(lab_pid 3)"
diag "n1 drops for n3: $(lab_ctl 1 show n3 | grep -i drops)"
diag "n1 drops for n2: $(lab_ctl 1 show n2 | grep -i drops)"
finish
