#!/bin/bash
# A demo of tapmesh on one machine: builds it, then three test hosts in
# network namespaces joined by a veth underlay, tapmeshd in each; pings
# across the mesh over IPv4, IPv6 and IPv6 link-local, shows the kernel's
# neighbour table on one node, and tears everything down.  Run as root.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/contrib/bootstrap.sh" >/dev/null || exit 1
TAPMESHD="$top/tapmeshd"
. "$top/contrib/netns-lab.sh"
trap lab_cleanup EXIT
trap 'exit 1' INT TERM

nsx() { local i=$1; shift; ip netns exec "$(lab_ns "$i")" "$@"; }
say() { printf '\n== %s\n' "$*"; }

say "building three nodes (namespaces $(lab_ns 1) .. $(lab_ns 3))"
lab_mesh 3 || { echo "demo: could not build the mesh" >&2; exit 1; }
for i in 1 2 3; do
	echo "node $i: underlay 198.18.0.$i, tap0 10.255.0.$i fd00:255::$i" \
	    "MAC $(lab_mac "$i")"
done

fails=0
for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		for dst in "10.255.0.$j" "fd00:255::$j" "$(lab_ll "$j")%tap0"; do
			say "node $i: ping $dst"
			nsx "$i" ping -c 3 -i 0.2 -W 2 "$dst" | tail -2 ||
			    fails=$((fails + 1))
		done
	done
done

say "node 1: ip neigh show dev tap0 (installed by tapmeshd)"
nsx 1 ip neigh show dev tap0
say "node 1: ping ff02::1 (all nodes on the mesh answer)"
nsx 1 ping -6 -c 2 -I tap0 ff02::1 | grep from | sort -u -k4,4

say "stopping the daemons"
for i in 1 2 3; do lab_stop "$i"; done
grep -h "drops\|rx " "$LAB_DIR"/n1/tapmeshd.log | sed 's/^/node 1: /'
if [ "$fails" -eq 0 ]; then
	say "demo done: every ping went through"
else
	say "demo done: $fails pings failed"
fi
[ "$fails" -eq 0 ]
