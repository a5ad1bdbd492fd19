#!/bin/bash
# A lost confirmation: n1 has no configured path to n2 (as if n2 were
# behind NAT, n1 only learned where n2 is), so n1 sends n2 no probes and,
# on an idle link, nothing but the one keepalive that confirms a new
# session.  nftables drops exactly that keepalive of n1's rekey.  n1
# already sends under the new keys; n2 must keep the unconfirmed keys
# until they are replaced or expire (WireGuard's rule), so that the first
# packet n1 sends well after two retry intervals (2 x 5 s) confirms them
# and nothing is lost.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "nftables is not installed"
command -v python3 >/dev/null || skip_all "python3 is needed to parse JSON"

lab_init || bail "lab"
lab_node 1 && lab_node 2 || bail "nodes"
# n1 rekeys 20 s into a session n2 started (1.25 x rekey_time as the
# responder), and again 16 s later; n2 would only at 60 s.  Keepalives
# every 40 s, probes of n2's one path every 60 s: the link stays idle
# for the 12 s after n1's first rekey.
LAB_MAIN_EXTRA='keepalive = 40;
dead_time = 90;
rekey_time = 16;'
lab_config 1 1 2
LAB_MAIN_EXTRA='keepalive = 40;
dead_time = 90;
rekey_time = 60;
probe_interval = 60000;'
lab_config 2 1 2
sed -i '/^endpoints/d' "$LAB_DIR/n1/conf.d/n2.conf"
# Idle means idle: no IPv6 router solicitations from the TAPs (sent at
# 4, 12, 28 s ... after they come up, they would confirm the session).
for i in 1 2; do
	nsx $i sysctl -qw net.ipv6.conf.default.router_solicitations=0 ||
	    bail "sysctl"
done
# The rule drops the first keepalive (a data message of 32 bytes: header
# and tag, no payload) n1 sends once armed; the counter says it did.
nsx 1 nft -f - <<'EON' || bail "nft"
table inet confirm {
	chain out {
		type filter hook output priority 0;
		udp dport 5655 udp length 40 @th,64,8 4 numgen inc mod 1000000 0 counter drop
	}
}
EON
nsx 1 nft add rule inet confirm out udp dport 5655 udp length 40 counter
lab_start 1 && lab_start 2 || bail "start"
lab_wait_up 10 1 1 || bail "n1 did not bring n2 up"

# Datagrams for a receiver index n2 does not know (anymore).
nosession() {
	lab_ctl 2 show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["interface"]["drops"]["no_session"])'
}
log1="$LAB_DIR/n1/tapmeshd.log"
log2="$LAB_DIR/n2/tapmeshd.log"
nkeepalive() {
	nsx 1 nft list chain inet confirm out | sed -n "$1"'{s/.*counter packets \([0-9]*\) .*/\1/p}'
}
initiated() { test "$(grep -c 'session established (initiator' "$log1")" -ge 1; }
check "n1 rekeys as the initiator" lab_wait 30 initiated
t_rekey=$SECONDS
dropped=$(nsx 1 nft list chain inet confirm out | grep -c 'counter packets 1 .* drop')
diag "$(nsx 1 nft list chain inet confirm out | grep counter)"
check "its confirming keepalive, and only that, was dropped" test "$dropped" = 1
check "n2 has not confirmed the new session" \
    test "$(grep -c 'session established (responder' "$log2")" = 0
# Idle past two retry intervals (and past n1's previous keys' expiry).
sleep $(( 12 - (SECONDS - t_rekey) ))
diag "pinging n2 $((SECONDS - t_rekey)) s after the rekey"
ns0=$(nosession)
out=$(nsx 1 ping -c 3 -i 0.3 -W 1 -q 10.255.0.2 2>&1)
diag "$(grep 'packet loss' <<<"$out")"
check "no gap: every ping answered" grep -q ' 3 received' <<<"$out"
check "n2 confirmed the session with n1's data" \
    grep -q 'session established (responder' "$log2"
ns1=$(nosession)
diag "n2's drops for an unknown session: $ns0 before the pings, $ns1 after"
check "n2 dropped none of them for want of a session" test "$ns1" = "$ns0"

finish
