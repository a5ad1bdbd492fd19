#!/bin/bash
# An IPv6-only underlay (contrib/lab/examples/ipv6-only.lab: two nodes on
# a switch without IPv4, a third behind a router on an IPv6-only link
# with a 1400-byte MTU): every endpoint is an IPv6 address, and every
# pair pings over the tunnel with IPv4, IPv6 and link-local addresses.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_MAIN_EXTRA='keepalive = 1;
dead_time = 3;' LAB_UP_WAIT=15

tl_up <"$TOP_SRCDIR/contrib/lab/examples/ipv6-only.lab" || bail "could not build the lab"

declare -A ID=([a]=1 [b]=2 [c]=3)
for h in a b c; do
	check "$h: no IPv4 address on the underlay" \
	    test -z "$(tlx "$h" ip -4 -o addr show dev eth0)"
	check "$h: every endpoint configured is IPv6" \
	    test -z "$(grep -h 'host = ' "$TL_STATE/$h"/conf.d/*.conf | grep -v 'host = "2001:db8:')"
done

# Crossing handshakes (two nodes initiating at once) can leave both ends
# with a session the other has dropped: "up", but nothing passes until
# dead_time.  A known daemon problem, reported; the lab waits it out.  On
# this loss-free underlay, unanswered probes or a peer going down at the
# start are its marks.
late=$(grep -E "tunnel .* (answered only after|no answer)" "$TL_STATE/up.out")
marks=$(grep -H -E "probes unanswered|: down, nothing" "$TL_STATE"/[abc]/tapmeshd.log |
    sed "s|^$TL_STATE/||")
diag "$late"
diag "$marks"
todo_check "every session carried data as soon as it was up" \
    "crossing handshakes: recv_response() frees the responder keypair (kp_next) the peer uses" \
    test -z "$late$marks"
for h in a b c; do
	for j in a b c; do
		[ "$h" = "$j" ] && continue
		t=$(tl_wait_secs 15 tl_tunnel "$h" "10.255.0.${ID[$j]}")
		check "$h -> $j: the tunnel carries data (after ${t} s)" test "$t" -lt 15
	done
done

declare -A MARK
for h in a b c; do MARK[$h]=$(wc -l <"$TL_STATE/$h/tapmeshd.log"); done
for h in a b c; do
	for j in a b c; do
		[ "$h" = "$j" ] && continue
		check "$h -> $j IPv4" tl_ping "$h" "10.255.0.${ID[$j]}"
		check "$h -> $j IPv6" tl_ping "$h" "fd00:255::${ID[$j]}"
		check "$h -> $j link-local" tl_ping "$h" "$(tl_ll "${ID[$j]}")%tap0"
	done
	out=$(tl_ctl "$h" show)
	check "$h: both peers up" grep -q "peers: 2, 2 up" <<<"$out"
	check "$h: every active endpoint is IPv6" \
	    test -z "$(grep '  endpoint: ' <<<"$out" | grep -v 'endpoint: \[2001:db8:')"
done

# The router in the middle forwarded IPv6 only.
fw6=$(tlx r awk '$1 == "Ip6OutForwDatagrams" {print $2}' /proc/net/snmp6)
fw4=$(tlx r awk '$1 == "Ip:" && $2 ~ /^[0-9]+$/ {print $7}' /proc/net/snmp)
diag "router r forwarded $fw6 IPv6 and $fw4 IPv4 datagrams"
check "router r forwarded IPv6 datagrams" test "${fw6:-0}" -gt 0
check "router r forwarded no IPv4 datagram" test "${fw4:-1}" = 0
for h in a b c; do
	n=$(sed -n "$((${MARK[$h]} + 1)),\$p" "$TL_STATE/$h/tapmeshd.log" | grep -c ': down')
	check "$h: no peer went down during the pings" test "$n" = 0
done

tl_finish
