#!/bin/bash
# OSPFv3 with BIRD 2 over tap0 and IPv6 link-local: three peers in a
# full mesh run the shipped contrib/bird/ospfv3.conf unchanged, each
# announcing its loopback fd00:1::<i>/128.  Every adjacency Full, every
# loopback routed via the owner's link-local address on tap0 and
# reachable from every other loopback.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/routing.sh"
need_netns
rt_need_bird

rt_bird_mesh contrib/bird/ospfv3.conf
rt_bird_check_full ospf6 OSPFv3
rt_check_mesh_routes fd00:1:: lab_ll
rt_check_mesh_pings fd00:1:: -6

finish
