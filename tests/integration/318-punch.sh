#!/bin/bash
# Hole punching (contrib/lab/examples/relay-nat.lab): two sites behind
# port-preserving masquerading NATs, no endpoint for each other, and a
# relaying hub.  Their first packets go through the hub; the hub tells
# each where it sees the other, both probe, and traffic moves to the
# direct path (it stops crossing the hub).  Then one NAT turns fully
# random: the direct path dies, traffic falls back to the relay and keeps
# flowing.  Prints the time to the first reply, the time until direct,
# and the fallback gap.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "no nft (nftables)"
command -v conntrack >/dev/null || skip_all "no conntrack"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=20

start=$(date +%s.%N)
tl_up <"$TOP_SRCDIR/contrib/lab/examples/relay-nat.lab" || bail "could not build the lab"
up=$(date +%s.%N)
since() { python3 -c "print('%.1f' % ($(date +%s.%N) - $1))"; }

check "sitea and siteb have no endpoint for each other" \
    test -z "$(grep 'host = ' "$TL_STATE/sitea/conf.d/siteb.conf" "$TL_STATE/siteb/conf.d/sitea.conf")"
check "the hub is configured to relay" grep -q "^relay = true;" "$TL_STATE/hub/tapmesh.conf"
t=$(tl_wait_secs 15 tl_tunnel sitea 10.255.0.3)
first=$(since "$up")
check "sitea -> siteb answered within 15 s of the lab being up" test "$t" -lt 15
direct() { ! tl_ctl sitea show siteb | grep -q "endpoint: via hub"; }
relayed() { tl_ctl sitea show siteb | grep -q "endpoint: via hub (relayed)"; }
t=$(tl_wait_secs 100 direct)
todirect=$(since "$up")
diag "first reply sitea -> siteb $first s after the lab was up; direct after $todirect s"
out=$(tl_ctl sitea show siteb)
diag "$(sed -n '/^peer: siteb/,$p' <<<"$out" | grep -E 'endpoint|relay|punch')"
check "sitea reaches siteb directly (learned path active)" \
    grep -q "learned endpoint: .* (active)" <<<"$out"
check "the relay path stays as the last resort (probed, up)" \
    grep -q "relay path via hub: up" <<<"$out"
check "sitea logged the move from relayed to direct" \
    grep -q "peer siteb: via hub -> .* (direct)" "$TL_STATE/sitea/tapmeshd.log"
check "siteb reaches sitea directly too" \
    quiet tl_wait_secs 10 eval '! tl_ctl siteb show sitea | grep -q "endpoint: via hub"'

relayed_bytes() {
	tl_ctl hub metrics | sed -n 's/^tapmesh_relayed_bytes_total{interface="tap0",from="sitea",to="siteb"} //p'
}
r0=$(relayed_bytes)
tlx sitea ping -c 20 -i 0.05 -s 1000 -W 1 -q 10.255.0.3 >"$TL_STATE/direct.out" 2>&1
r1=$(relayed_bytes)
diag "20 pings of 1000 bytes sitea -> siteb: hub relayed ${r0:-0} -> ${r1:-0} bytes from sitea to siteb"
check "20 pings answered on the direct path" grep -q " 20 received" "$TL_STATE/direct.out"
check "the pings did not cross the hub (relayed bytes grew by < 10000)" \
    test "$(( ${r1:-0} - ${r0:-0} ))" -lt 10000

# tcp1 LABEL: one TCP stream sitea -> siteb for 3 s, in Mbit/s.
tcp1() {
	tl_bg siteb bash -c "exec iperf3 -s -1 -p 5202 >/dev/null 2>&1"
	sleep 0.5
	tlx sitea iperf3 -c 10.255.0.3 -p 5202 -t 3 -J 2>/dev/null | python3 -c '
import json, sys
print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' 2>/dev/null || echo 0
}
if command -v iperf3 >/dev/null; then
	direct_mbit=$(tcp1)
	diag "TCP1 sitea -> siteb on the direct path: $direct_mbit Mbit/s"
fi

# nat2 becomes fully random: a new port for every destination.
(tlx sitea ping -c 400 -i 0.05 -W 1 -w 40 -q 10.255.0.3 >"$TL_STATE/fallback.out" 2>&1) &
pinger=$!
sleep 2
rules=$(tlx nat2 nft list ruleset | sed -E 's/ masquerade( random)?$/ masquerade random/')
tlx nat2 nft flush ruleset
tlx nat2 nft -f - <<<"$rules"
tlx nat2 conntrack -F >/dev/null 2>&1
wait "$pinger"
tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$TL_STATE/fallback.out")
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TL_STATE/fallback.out")
lost=$(( ${tx:-0} - ${rx:-0} ))
diag "nat2 fully random: $lost of ${tx:-0} pings lost (50 ms apart: a gap of about $((lost * 50)) ms)"
check "nat2 now masquerades with random ports" grep -q "masquerade random" <<<"$(tlx nat2 nft list ruleset)"
check "pings kept flowing after the fallback (<= 200 of 400 lost)" test "$lost" -le 200
check "sitea is back on the relay" quiet tl_wait_secs 10 relayed
check "sitea -> siteb works through the relay" tl_ping sitea 10.255.0.3
check "siteb -> sitea works through the relay" tl_ping siteb 10.255.0.2
if command -v iperf3 >/dev/null; then
	relayed_mbit=$(tcp1)
	diag "TCP1 sitea -> siteb through the relay: $relayed_mbit Mbit/s (direct: $direct_mbit)"
	check "TCP through the relay works" test "$relayed_mbit" -gt 0
fi
sleep 5
check "still relayed 10 s later (the random NAT cannot be punched)" relayed
check "sitea logged the move back to the relay" \
    grep -q "peer siteb: .* -> via hub (relayed)" "$TL_STATE/sitea/tapmeshd.log"

tl_finish
