#!/bin/bash
# A mesh of three tapmeshd nodes over a veth underlay: every pair pings
# over IPv4, IPv6 and IPv6 link-local; the neighbour table holds exactly
# the expected PERMANENT entries; ff02::1 is answered by both other
# peers; SIGTERM leaves nothing behind.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns

lab_mesh 3 || bail "could not build the mesh"

for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		check "n$i -> n$j IPv4" quiet nsx "$i" ping -c 2 -i 0.2 -W 2 -q "10.255.0.$j"
		check "n$i -> n$j IPv6" quiet nsx "$i" ping -6 -c 2 -i 0.2 -W 2 -q "fd00:255::$j"
		check "n$i -> n$j link-local" \
		    quiet nsx "$i" ping -6 -c 2 -i 0.2 -W 2 -q "$(lab_ll "$j")%tap0"
	done
done

# The link-local address a node derives for a peer must be the one the
# peer's kernel generated from the same MAC.
for j in 2 3; do
	actual=$(nsx "$j" ip -6 -o addr show dev tap0 scope link | awk '{print $4}')
	check "n$j kernel link-local is $(lab_ll "$j")/64" \
	    test "$actual" = "$(lab_ll "$j")/64"
	actual=$(nsx "$j" cat /sys/class/net/tap0/address)
	check "n$j TAP MAC is $(lab_mac "$j")" test "$actual" = "$(lab_mac "$j")"
done

expected=$(for j in 2 3; do
	m=$(lab_mac "$j")
	echo "10.255.0.$j $m PERMANENT"
	echo "fd00:255::$j $m PERMANENT"
	echo "$(lab_ll "$j") $m PERMANENT"
done | sort)
actual=$(nsx 1 ip neigh show dev tap0 | awk '{print $1, $3, $NF}' | sort)
check "n1 neighbour table holds exactly the peers' PERMANENT entries" \
    test "$expected" = "$actual"
[ "$expected" = "$actual" ] || diag "expected:
$expected
actual:
$actual"

out=$(nsx 1 ping -6 -c 3 -i 0.3 -W 2 -I tap0 ff02::1 2>&1)
check "ff02::1 answered by n2" grep -q "from $(lab_ll 2)" <<<"$out"
check "ff02::1 answered by n3" grep -q "from $(lab_ll 3)" <<<"$out"

check "sysctl send_redirects is 0 on tap0" \
    test "$(nsx 1 cat /proc/sys/net/ipv4/conf/tap0/send_redirects)" = 0

check "n2 exits 0 on SIGTERM" lab_stop 2
check "n2 removed every neighbour entry" \
    test -z "$(nsx 2 ip neigh show dev tap0 2>/dev/null | grep PERMANENT)"
check "n2 removed its TAP" test -z "$(nsx 2 ip link show tap0 2>/dev/null)"
check "n1 -> n3 still works with n2 gone" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.3

finish
