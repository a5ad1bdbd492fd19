#!/bin/bash
# A lossy underlay: 3 % of the datagrams dropped at random in each
# direction on the link between node a and the router (nftables numgen).
# TCP over the tunnel still completes (iperf3 for 5 s, throughput
# reported), keys are renewed under loss (rekey_time 3 s), and neither
# node ever declares the other down.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "no nft (nftables)"
command -v iperf3 >/dev/null || skip_all "no iperf3"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=15

tl_up <<'EOF' || bail "could not build the lab"
node a
node b
router r
link a r loss 3%
link r b
peer a b
main keepalive = 1;
main dead_time = 5;
main rekey_time = 3;
EOF

t=$(tl_wait_secs 15 tl_tunnel a 10.255.0.2)
check "a -> b carries data (after $t s)" test "$t" -lt 15

# The loss is there: 200 pings on the underlay itself.
lost=$(tlx a ping -q -c 200 -i 0.01 -W 1 198.18.2.2 | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
diag "underlay a -> b (198.18.2.2): ${lost}% of 200 pings lost (3% each way expected, ~6% round trip)"
check "the underlay loses packets" awk -v l="${lost:-0}" 'BEGIN { exit !(l > 0) }'

tl_bg b iperf3 -s -1 -B 10.255.0.2 -p 5201 >"$TL_STATE/iperf3-server.out" 2>&1
srv=$TL_BGPID
tl_wait_secs 5 tlx b sh -c 'ss -ltn | grep -q 10.255.0.2:5201' >/dev/null
out=$(timeout 30 ip netns exec "tml-$TL_NAME-a" iperf3 -c 10.255.0.2 -p 5201 -t 5 -f m 2>&1)
rc=$?
lab_wait 5 lab_gone "$srv"
recv=$(grep ' receiver$' <<<"$out" | tail -1)
diag "iperf3 a -> b over the tunnel: ${recv:-$(tail -3 <<<"$out")}"
mbit=$(awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i}' <<<"$recv")
retr=$(grep ' sender$' <<<"$out" | tail -1 | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $(i + 2)}')
diag "throughput ${mbit:-?} Mbit/s, ${retr:-?} TCP retransmissions"
check "iperf3 over the lossy underlay completes" test "$rc" = 0
check "TCP moved data (> 1 Mbit/s)" awk -v m="${mbit:-0}" 'BEGIN { exit !(m > 1) }'

dropped=$(tlx r nft list table netdev tmlab | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
diag "datagrams dropped on the way into r: ${dropped:-?}"
check "datagrams were lost on the tunnel's path" test "${dropped:-0}" -gt 0

# A further 5 s of pings through the tunnel across rekeys.
lost=$(tlx a ping -q -c 250 -i 0.02 -W 1 10.255.0.2 |
    sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
diag "tunnel a -> b: ${lost}% of 250 pings lost"
check "pings over the tunnel mostly arrive (< 25% lost)" awk -v l="${lost:-100}" 'BEGIN { exit !(l < 25) }'

for h in a b; do
	n=$(grep -c "session established" "$TL_STATE/$h/tapmeshd.log")
	diag "$h: $n sessions established, $(grep -c 'probes unanswered' "$TL_STATE/$h/tapmeshd.log") path-down events"
	check "$h: no peer went down" test -z "$(grep ': down' "$TL_STATE/$h/tapmeshd.log")"
done
n=$(( $(grep -c "session established" "$TL_STATE/a/tapmeshd.log") + $(grep -c "session established" "$TL_STATE/b/tapmeshd.log") ))
check "keys were renewed under loss (>= 3 sessions)" test "$n" -ge 3
check "a and b still show each other up" tl_ping a 10.255.0.2

tl_finish
