#!/bin/bash
# BGP over tap0: n1 (FRR, AS 65001) and n2 (FRR, AS 65002) speak eBGP
# over IPv6 link-local (neighbor fe80::aff:feff:<j> interface tap0), one
# session carrying IPv4 (RFC 5549 next hops) and IPv6 prefixes; n2 and
# n3 (BIRD, AS 65002) speak iBGP over IPv4 tunnel addresses.  n1 runs
# the shipped contrib/frr/bgp-linklocal.conf, n3 the shipped
# contrib/bird/bgp-ibgp.conf.  Sessions Established, each loopback
# learned, traffic flows loopback to loopback (n1 <-> n3 through n2).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_bird
rt_need_frr bgpd

frr_example=$TOP_SRCDIR/contrib/frr/bgp-linklocal.conf
bird_example=$TOP_SRCDIR/contrib/bird/bgp-ibgp.conf
check "contrib/frr/bgp-linklocal.conf passes vtysh --dryrun" \
    quiet rt_frr_check "$frr_example"
check "contrib/bird/bgp-ibgp.conf parses (bird -p)" quiet "$BIRD" -p -c "$bird_example"

lab_mesh 3 || bail "could not build the mesh"
for i in 1 2 3; do rt_node_setup "$i" || bail "node $i setup"; done

cat >"$LAB_DIR/n2/frr.conf" <<EOC
frr defaults traditional
!
router bgp 65002
 bgp router-id 10.0.0.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor tap0 interface remote-as external
 neighbor tap0 capability extended-nexthop
 neighbor tap0 timers 3 9
 neighbor tap0 timers connect 2
 neighbor 10.255.0.3 remote-as 65002
 neighbor 10.255.0.3 timers 3 9
 neighbor 10.255.0.3 timers connect 2
 !
 address-family ipv4 unicast
  network 10.0.0.2/32
  neighbor tap0 activate
  neighbor 10.255.0.3 activate
  neighbor 10.255.0.3 next-hop-self
 exit-address-family
 !
 address-family ipv6 unicast
  network fd00:1::2/128
  neighbor tap0 activate
 exit-address-family
exit
EOC

t0=$(rt_ms)
rt_frr_start 1 "$frr_example" bgpd || bail "FRR in node 1"
rt_frr_start 2 "$LAB_DIR/n2/frr.conf" bgpd || bail "FRR in node 2"
rt_bird_wrap 3 "$LAB_DIR/n3/bird.conf" <<EOC
include "$bird_example";
EOC
rt_bird_start 3 "$LAB_DIR/n3/bird.conf" || bail "BIRD in node 3"

frr_est() { rt_vtysh "$1" "show bgp neighbors $2" | grep -q 'BGP state = Established'; }
bird_est() { rt_birdc 3 show protocols frr2 | grep -q Established; }
lab_wait 40 frr_est 1 tap0
check "n1 -> n2 eBGP over link-local Established" frr_est 1 tap0
lab_wait 20 bird_est
check "n3 (BIRD) -> n2 iBGP Established" bird_est
check "n2 -> n3 iBGP Established" frr_est 2 10.255.0.3
diag "sessions Established $(( $(rt_ms) - t0 )) ms after the start of the daemons"
frr_est 1 tap0 || diag "$(rt_vtysh 1 "show bgp summary")"

ext_nh() { rt_vtysh 1 "show bgp neighbors tap0" | grep -q 'Extended nexthop: advertised and received'; }
check "n1: extended next hop (RFC 5549) negotiated" ext_nh

has_route() { nsx "$1" ip $3 route show "$2" | grep -q "dev tap0"; }
for dst in 10.0.0.2 10.0.0.3; do
	lab_wait 20 has_route 1 "$dst"
	check "n1 learned $dst (dev tap0)" has_route 1 "$dst"
done
diag "n1: $(nsx 1 ip route show 10.0.0.3)"
lab_wait 20 has_route 1 fd00:1::2 -6
check "n1 learned fd00:1::2 via $(lab_ll 2)" \
    quiet sh -c "ip -n $(lab_ns 1) -6 route show fd00:1::2 | grep -q 'via $(lab_ll 2) dev tap0'"
for dst in 10.0.0.1 10.0.0.2; do
	lab_wait 20 has_route 3 "$dst"
	check "n3 learned $dst via 10.255.0.2" \
	    test "$(rt_via 3 "$dst")" = "10.255.0.2 tap0"
done
diag "routes $(( $(rt_ms) - t0 )) ms after the start of the daemons"

check "ping 10.0.0.1 -> 10.0.0.2 (RFC 5549 route)" \
    quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q -I 10.0.0.1 10.0.0.2
check "ping fd00:1::1 -> fd00:1::2" \
    quiet nsx 1 ping -6 -c 3 -i 0.2 -W 2 -q -I fd00:1::1 fd00:1::2
check "ping 10.0.0.1 -> 10.0.0.3 (through n2)" \
    quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q -I 10.0.0.1 10.0.0.3
check "ping 10.0.0.3 -> 10.0.0.1 (through n2)" \
    quiet nsx 3 ping -c 3 -i 0.2 -W 2 -q -I 10.0.0.3 10.0.0.1

finish
