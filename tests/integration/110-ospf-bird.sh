#!/bin/bash
# OSPFv2 with BIRD 2 over tap0: three peers in a full mesh run the
# shipped contrib/bird/ospfv2.conf unchanged (network type broadcast),
# each announcing its loopback 10.0.0.<i>/32.  Every adjacency reaches
# Full, every loopback is routed via tap0 with the owning peer's tunnel
# address as next hop, and answers a ping sourced from each other
# loopback.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_bird

rt_bird_mesh contrib/bird/ospfv2.conf
rt_bird_check_full ospf4 OSPF

iface_type() {
	rt_birdc "$1" show ospf interface ospf4 '"tap0"' | grep -q 'Type: broadcast'
}
check "n1: tap0 is an OSPF broadcast network" iface_type 1

rt_check_mesh_routes 10.0.0. rt_tunnel_addr
rt_check_mesh_pings 10.0.0.

proto_route() { nsx 1 ip route show 10.0.0.2 | grep -q 'proto bird'; }
check "n1: the route is BIRD's (proto bird)" proto_route

finish
