#!/bin/bash
# Relaying: two sites behind NATs that pick a random port for every
# mapping (so hole punching cannot work) have no endpoint for each other;
# a public hub with relay = true carries their traffic, end to end
# encrypted (a capture on the hub never shows a ping's payload).  A relay
# refuses to forward to a key it does not know, limits what it forwards
# per source (the others lose nothing), and when it dies a second relay
# takes over.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "no nft (nftables)"
command -v tcpdump >/dev/null || skip_all "no tcpdump"
command -v python3 >/dev/null || skip_all "no python3"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=15

tl_up <<'EOF' || bail "could not build the lab"
node hub              # 10.255.0.1, public, relay
node a                # 10.255.0.2, behind nat1
node b                # 10.255.0.3, behind nat2
node hub2             # 10.255.0.4, public, second relay (from later on)
router nat1 masquerade random
router nat2 masquerade random
switch inet
link a nat1
link nat1 inet
link b nat2
link nat2 inet
link hub inet
link hub2 inet
peer hub a
peer hub b
peer hub2 a
peer hub2 b
peer hub hub2
peer a b
main keepalive = 1;
main dead_time = 4;
EOF

hub_ul=$(tlx hub ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
ll_a=$(tl_ll 2)
ll_b=$(tl_ll 3)

check "a and b have no endpoint for each other" \
    test -z "$(grep 'host = ' "$TL_STATE/a/conf.d/b.conf" "$TL_STATE/b/conf.d/a.conf")"
no_ping() { ! tlx "$1" ping -c 2 -i 0.2 -W 1 -q "$2" >/dev/null 2>&1; }
check "without a relay, a -> b does not work" no_ping a 10.255.0.3

# relay_on NODE [EXTRA]: relay = true (and EXTRA) in NODE's main file.
relay_on() {
	sed -i '/^relay/d' "$TL_STATE/$1/tapmesh.conf"
	printf 'relay = true;\n%s\n' "${2:-}" >>"$TL_STATE/$1/tapmesh.conf"
	tl_ctl "$1" reload >/dev/null
}
start=$(date +%s.%N)
relay_on hub
t=$(tl_wait_secs 20 tl_tunnel a 10.255.0.3)
first=$(python3 -c "print('%.1f' % ($(date +%s.%N) - $start))")
diag "relays on: first reply a -> b through the relay after $first s"
check "a -> b through the relay within 10 s" test "$t" -lt 10
check "a -> b IPv4" tl_ping a 10.255.0.3
check "a -> b IPv6" tl_ping a fd00:255::3
check "a -> b link-local" tl_ping a "$ll_b%tap0"
check "b -> a IPv4" tl_ping b 10.255.0.2
check "b -> a IPv6" tl_ping b fd00:255::2
check "b -> a link-local" tl_ping b "$ll_a%tap0"

out=$(tl_ctl a show b)
diag "$(sed -n '/^peer: b/,$p' <<<"$out" | grep -E 'state|endpoint|relay')"
check "a's show: b is reached via hub" grep -q "endpoint: via hub (relayed)" <<<"$out"
check "a's show: the relay path via hub is up and active" \
    grep -Eq "relay path via hub: up, rtt [0-9.]+ ms, .*\(active\)" <<<"$out"
json=$(tl_ctl a show --json)
check "a's JSON: b reached through relay hub" python3 -c '
import json, sys
d = json.load(sys.stdin)
b = [p for p in d["peers"] if p["name"] == "b"][0]
assert b["reached"] == "relay" and b["relay"]["via"] == "hub", b
assert b["relay"]["active"] and b["relay"]["rtt_us"] is not None
hub = [p for p in d["peers"] if p["name"] == "hub"][0]
assert hub["offers_relay"] and hub["reached"] == "direct"
' <<<"$json"
m=$(tl_ctl a metrics)
check "a's metrics: tapmesh_path_up for relay:hub" \
    grep -q 'tapmesh_path_up{interface="tap0",peer="b",path="relay:hub"} 1' <<<"$m"

# The capture: a payload pattern a's TAP sees, the hub's underlay never.
pattern=7e1a7ec0ffee5eed
hexcount() {	# hexcount FILE: occurrences of the pattern's bytes
	python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(bytes.fromhex(sys.argv[2])))' "$1" "$pattern"
}
tl_bg hub bash -c "exec tcpdump -i eth0 -U -s 0 -w '$TL_STATE/hub.pcap' udp 2>/dev/null"
hubdump=$TL_BGPID
tl_bg a bash -c "exec tcpdump -i tap0 -U -s 0 -w '$TL_STATE/a-tap.pcap' icmp 2>/dev/null"
adump=$TL_BGPID
sleep 1
tlx a ping -c 5 -i 0.2 -W 1 -q -s 200 -p "$pattern" 10.255.0.3 >"$TL_STATE/pat.out" 2>&1
sleep 0.5
kill -INT "$hubdump" "$adump"
lab_wait 5 lab_gone "$hubdump"
lab_wait 5 lab_gone "$adump"
diag "$(tail -2 "$TL_STATE/pat.out" | head -1)"
crossed=$(tcpdump -nr "$TL_STATE/hub.pcap" 'udp and greater 300' 2>/dev/null | wc -l)
diag "hub capture: $crossed datagrams of over 300 bytes; pattern in a's TAP capture: $(hexcount "$TL_STATE/a-tap.pcap"), in hub's: $(hexcount "$TL_STATE/hub.pcap")"
check "the pattern pings were answered" grep -q " 5 received" "$TL_STATE/pat.out"
check "a's TAP capture holds the pattern (the search works)" test "$(hexcount "$TL_STATE/a-tap.pcap")" -gt 0
check "the pings crossed the hub (>= 20 large datagrams)" test "$crossed" -ge 20
check "the hub's capture never shows the pattern" test "$(hexcount "$TL_STATE/hub.pcap")" = 0

m=$(tl_ctl hub metrics)
diag "$(grep 'tapmesh_relayed_bytes_total{' <<<"$m")"
check "hub counts bytes relayed a -> b" \
    grep -Eq 'tapmesh_relayed_bytes_total\{interface="tap0",from="a",to="b"\} [1-9]' <<<"$m"
check "hub counts bytes relayed b -> a" \
    grep -Eq 'tapmesh_relayed_bytes_total\{interface="tap0",from="b",to="a"\} [1-9]' <<<"$m"
check "hub's show lists what it relayed per pair" \
    grep -Eq "relayed to b: [1-9][0-9]* messages" <<<"$(tl_ctl hub show a)"
check "a logged that b is relayed" grep -q "peer b: .*via hub (relayed)" "$TL_STATE/a/tapmeshd.log"

# No open relay: a peer the hub does not know is never forwarded to.
before=$(tl_ctl hub show --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([p for p in d["peers"] if p["name"] == "a"][0]["drops"]["relay"])')
ghost_key=$("$TAPMESHCTL" genkey | "$TAPMESHCTL" pubkey)
cat >"$TL_STATE/a/conf.d/ghost.conf" <<EOG
name = "ghost";
public_key = "$ghost_key";
address = [ "10.255.0.9", "fd00:255::9" ];
EOG
tl_ctl a reload >/dev/null
tlx a ping -c 3 -i 0.5 -W 1 -q 10.255.0.9 >/dev/null 2>&1
sleep 6	# a retries its handshake every keepalive (1 s)
after=$(tl_ctl hub show --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
a = [p for p in d["peers"] if p["name"] == "a"][0]
assert all(r["to"] != "?" for r in a["relayed"]), a["relayed"]
print(a["drops"]["relay"])')
diag "hub: relay messages of a refused: $before -> $after"
check "hub refused to forward to an unknown key (counted)" test "${after:-0}" -gt "${before:-0}"
check "a heard that hub cannot reach ghost" grep -q "peer ghost: relay hub cannot reach it" "$TL_STATE/a/tapmeshd.log"
check "a's ghost stays down" grep -q "state: down\|state: handshaking" <<<"$(tl_ctl a show ghost)"
rm -f "$TL_STATE/a/conf.d/ghost.conf"
tl_ctl a reload >/dev/null

# A flood through the relay from a is held to relay_rate; hub's other
# peers lose nothing meanwhile.
relay_on hub "relay_rate = 2;"
sleep 1
rl0=$(tl_ctl hub show a | sed -n 's/.*ratelimit \([0-9]*\).*/\1/p')
tl_bg b bash -c "iperf3 -s -1 -p 5201 >/dev/null 2>&1"
sleep 0.5
tl_bg a bash -c "iperf3 -u -b 30M -t 4 -l 1200 -c 10.255.0.3 -p 5201 >'$TL_STATE/iperf.out' 2>&1"
iperf=$TL_BGPID
tlx b ping -c 40 -i 0.1 -W 1 -q 10.255.0.1 >"$TL_STATE/bhub.out" 2>&1
tlx hub2 ping -c 40 -i 0.1 -W 1 -q 10.255.0.1 >"$TL_STATE/hub2hub.out" 2>&1 &
h2=$!
wait "$h2"
lab_wait 15 lab_gone "$iperf"
rl1=$(tl_ctl hub show a | sed -n 's/.*ratelimit \([0-9]*\).*/\1/p')
diag "flood a -> b at 30 Mbit/s through hub (relay_rate 2): hub's ratelimit drops of a ${rl0:-0} -> ${rl1:-0}; b -> hub: $(grep -o '[0-9]* received' "$TL_STATE/bhub.out"), hub2 -> hub: $(grep -o '[0-9]* received' "$TL_STATE/hub2hub.out")"
check "the flood through the relay was limited (drops counted)" test "${rl1:-0}" -gt "$((${rl0:-0} + 100))"
check "b -> hub lost nothing during the flood" grep -q " 40 received" "$TL_STATE/bhub.out"
check "hub2 -> hub lost nothing during the flood" grep -q " 40 received" "$TL_STATE/hub2hub.out"
relay_on hub
sleep 1
check "a -> b through the relay after the flood" tl_ping a 10.255.0.3

# The relay dies: hub2 takes over (a relay that works is kept).
relay_on hub2
sleep 2
check "a keeps hub as b's relay once hub2 offers too" grep -q "endpoint: via hub (relayed)" <<<"$(tl_ctl a show b)"
check "a's relay path to b via hub stays up" grep -q "relay path via hub: up" <<<"$(tl_ctl a show b)"
hubpid=$(awk '$2 == "hub" {print $1}' "$TL_STATE/pids")
(tlx a ping -c 300 -i 0.05 -W 1 -w 30 -q 10.255.0.3 >"$TL_STATE/die.out" 2>&1) &
pinger=$!
sleep 2
kill -TERM "$hubpid"
wait "$pinger"
tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$TL_STATE/die.out")
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TL_STATE/die.out")
lost=$(( ${tx:-0} - ${rx:-0} ))
diag "hub killed: $lost of ${tx:-0} pings lost (50 ms apart: a gap of about $((lost * 50)) ms)"
check "hub2 took over within 6 s of pings (<= 120 of 300 lost)" test "$lost" -le 120
out=$(tl_ctl a show b)
diag "$(sed -n '/^peer: b/,$p' <<<"$out" | grep -E 'endpoint|relay path')"
check "a -> b works after hub died" tl_ping a 10.255.0.3
check "b is now reached via hub2" grep -q "endpoint: via hub2 (relayed)" <<<"$out"
check "b -> a works via hub2" tl_ping b 10.255.0.2
grep -h "relay hub\|via hub2" "$TL_STATE/a/tapmeshd.log" | sed 's/^/# a: /' | tail -4

tl_finish
