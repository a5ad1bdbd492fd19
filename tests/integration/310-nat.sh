#!/bin/bash
# NAT: a node behind a masquerading router reaches a public node, and is
# reached from it, although the public node has no endpoint for it (it
# learns the NAT's mapping from authenticated packets); the tunnel
# survives a NAT mapping change (conntrack flushed, then the NAT's outside
# address changed) after a few lost pings.  Two nodes each behind its own
# NAT have no endpoint for each other: they cannot meet (no relay yet),
# and show says so.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "no nft (nftables)"
command -v conntrack >/dev/null || skip_all "no conntrack"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=15

tl_up <<'EOF' || bail "could not build the lab"
node pub              # 10.255.0.1, public, on the internet segment
node priv             # 10.255.0.2, behind nat1
node priv2            # 10.255.0.3, behind nat2
router nat1 masquerade
router nat2 masquerade
switch inet
link priv nat1        # 198.18.1.0/24
link nat1 inet        # the internet: 198.18.2.0/24
link priv2 nat2       # 198.18.3.0/24
link nat2 inet
link pub inet
peer pub priv
peer pub priv2
peer priv priv2
main keepalive = 1;
main dead_time = 4;
EOF

nat1_out=$(tlx nat1 ip -4 -o addr show dev eth1 | awk '{print $4}' | cut -d/ -f1)
pub_ul=$(tlx pub ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
diag "nat1 outside address $nat1_out, pub $pub_ul"

check "pub has no endpoint for priv" \
    test -z "$(grep 'host = ' "$TL_STATE/pub/conf.d/priv.conf")"
check "priv has pub's address as endpoint" \
    grep -q "host = \"$pub_ul\"" "$TL_STATE/priv/conf.d/pub.conf"
check "the inside of nat1 is not routed from the internet" \
    test -z "$(tlx pub ip -4 route show 198.18.1.0/24)"

t=$(tl_wait_secs 15 tl_tunnel priv 10.255.0.1)
check "priv -> pub carries data (after $t s)" test "$t" -lt 15
check "priv -> pub IPv4" tl_ping priv 10.255.0.1
check "priv -> pub IPv6" tl_ping priv fd00:255::1
check "pub -> priv IPv4" tl_ping pub 10.255.0.2
check "pub -> priv IPv6" tl_ping pub fd00:255::2
check "pub -> priv link-local" tl_ping pub "$(tl_ll 2)%tap0"
out=$(tl_ctl pub show priv)
diag "$(grep -E 'state|endpoint' <<<"$out")"
check "pub learned priv's endpoint: nat1's outside address" \
    grep -q "endpoint: $nat1_out:" <<<"$out"
check "the datagrams crossed nat1's masquerade" \
    quiet grep -q "src=198.18.1.1 dst=$pub_ul sport=5655 dport=5655" \
    <(tlx nat1 conntrack -L -p udp 2>/dev/null)

# mapping_change NAME ACTION...: 300 pings at 20 ms from pub to priv,
# ACTION run on nat1 after one second; prints the number lost.
mapping_change() {
	local name=$1 tx rx
	shift
	tl_bg pub ping -c 300 -i 0.02 -W 1 -q 10.255.0.2 >"$TL_STATE/$name.out" 2>&1
	sleep 1
	"$@"
	lab_wait 20 lab_gone "$TL_BGPID"
	wait "$TL_BGPID"
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$TL_STATE/$name.out")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TL_STATE/$name.out")
	echo $(( ${tx:-0} - ${rx:-0} ))
}
endpoint_of_priv() { tl_ctl pub show priv | sed -n 's/^  endpoint: //p'; }

ep0=$(endpoint_of_priv)
flush() { tlx nat1 conntrack -F >/dev/null 2>&1; }
lost=$(mapping_change flush flush)
ep1=$(endpoint_of_priv)
diag "conntrack -F on nat1: $lost of 300 pings lost (20 ms apart); priv's endpoint at pub: $ep0 -> $ep1"
check "pings continue after conntrack -F (<= 150 of 300 lost)" test "$lost" -le 150
check "pub -> priv works after conntrack -F" tl_ping pub 10.255.0.2

# (Deleting a primary address deletes its secondaries: delete first.)
change_address() {
	tlx nat1 ip addr del "$nat1_out/24" dev eth1
	tlx nat1 ip addr add 198.18.2.201/24 dev eth1
	tlx nat1 conntrack -F >/dev/null 2>&1
}
lost=$(mapping_change readdr change_address)
ep2=$(endpoint_of_priv)
diag "nat1's outside address $nat1_out -> 198.18.2.201: $lost of 300 pings lost; priv's endpoint at pub: $ep1 -> $ep2"
check "pings continue after the NAT's address changed (<= 150 of 300 lost)" test "$lost" -le 150
check "pub learned the new mapping" grep -q "^198.18.2.201:" <<<"$ep2"
check "pub -> priv works at the new mapping" tl_ping pub 10.255.0.2
check "priv -> pub works at the new mapping" tl_ping priv 10.255.0.1
check "priv stayed up at pub" test -z "$(grep 'peer priv: down' "$TL_STATE/pub/tapmeshd.log")"

# Both behind NAT: neither has an endpoint for the other.
check "up warned that priv and priv2 cannot meet" \
    grep -q "warning: priv and priv2 have no endpoint" "$TL_STATE/up.out"
check "priv2 -> pub works (behind its own NAT)" tl_ping priv2 10.255.0.1
no_ping() { ! tlx "$1" ping -c 2 -i 0.2 -W 1 -q "$2" >/dev/null 2>&1; }
check "priv -> priv2 does not work" no_ping priv 10.255.0.3
out=$(tl_ctl priv show priv2)
diag "priv's view of priv2:
$(sed -n '/^peer: priv2/,$p' <<<"$out" | grep -E 'state|endpoint|transfer')"
check "priv shows priv2 down" grep -q "state: down" <<<"$out"
check "priv shows no endpoint for priv2" grep -q "endpoint: (none yet)" <<<"$out"
check "priv has no neighbour entry for priv2" test -z "$(tlx priv ip neigh show 10.255.0.3 dev tap0 | grep PERMANENT)"

tl_finish
