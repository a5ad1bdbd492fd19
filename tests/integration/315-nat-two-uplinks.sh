#!/bin/bash
# A peer behind NAT with two uplinks fails over like configured paths.
# "nat" has two uplinks, each through its own masquerading router (r1,
# r2), and two endpoints to "pub": the same address from two sources
# (198.18.1.1 via r1, priority 10; 198.18.2.1 via r2, priority 20).  pub
# has no endpoint for nat: it hears nat from two NAT mappings and must
# send to the one nat uses, not to whichever probe came last.  While both
# ping each other every 10 ms, r1 drops all tapmesh UDP: traffic moves to
# r2 within 3 probe intervals (probe_interval 200 ms) in both directions,
# without a handshake and without the peer going down; when r1 returns,
# traffic goes back after the hold-down (2 s).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "no nft (nftables)"
command -v python3 >/dev/null || skip_all "python3 is needed to read show --json"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=15

tl_up <<'EOF2' || bail "could not build the lab"
node pub              # 10.255.0.1, public
node nat              # 10.255.0.2, behind r1 and r2
router r1 masquerade
router r2 masquerade
switch inet
link nat r1           # uplink 1: 198.18.1.0/24
link nat r2           # uplink 2: 198.18.2.0/24
link r1 inet
link r2 inet
link pub inet
peer pub nat
main keepalive = 1;
main dead_time = 5;
main probe_interval = 200;
main path_hold_down = 2;
EOF2

addr_of() { tlx "$1" ip -4 -o addr show dev "$2" | awk '{print $4}' | cut -d/ -f1; }
up1=$(addr_of nat eth0) up2=$(addr_of nat eth1)
gw1=$(addr_of r1 eth0) gw2=$(addr_of r2 eth0)
r1_out=$(addr_of r1 eth1) r2_out=$(addr_of r2 eth1)
pub_ul=$(addr_of pub eth0)
diag "nat: uplink 1 $up1 via $gw1 (r1 outside $r1_out), uplink 2 $up2 via $gw2 (r2 outside $r2_out); pub $pub_ul"

# Each uplink's source address leaves through its own router.
tlx nat ip rule add from "$up1" table 101
tlx nat ip route add default via "$gw1" table 101
tlx nat ip rule add from "$up2" table 102
tlx nat ip route add default via "$gw2" table 102
cat >"$TL_STATE/nat/conf.d/pub.conf.new" <<EOC
$(grep -v '^endpoints' "$TL_STATE/nat/conf.d/pub.conf")
endpoints = ( { host = "$pub_ul"; priority = 10; source = "$up1"; },
              { host = "$pub_ul"; priority = 20; source = "$up2"; } );
EOC
mv "$TL_STATE/nat/conf.d/pub.conf.new" "$TL_STATE/nat/conf.d/pub.conf"
check "pub has no endpoint for nat" \
    test -z "$(grep 'host = ' "$TL_STATE/pub/conf.d/nat.conf")"
check "nat reloads with two endpoints to pub" quiet tl_ctl nat reload

js() { tl_ctl "$1" show "$2" --json | python3 -c "import json,sys; p=json.load(sys.stdin)['peers'][0]; $3"; }
pub_ep() { js pub nat 'print(p["endpoint"])'; }
nat_active() { js nat pub 'print([i for i, x in enumerate(p["paths"]) if x["active"]][0])'; }
both_up() { test "$(js nat pub 'print(" ".join(x["state"] for x in p["paths"]))')" = "up up"; }
check "nat's two paths to pub are up" lab_wait 10 both_up
check "pub heard nat from both NAT mappings" \
    lab_wait 5 test "$(js pub nat 'print(len(p["heard_from"]))')" = 2
on_r1() { pub_ep | grep -q "^$r1_out:"; }
check "pub sends to nat through r1 (nat's active path)" lab_wait 5 on_r1
diag "$(tl_ctl pub show nat | grep -E 'endpoint|heard')"

# Steady state: pub stays on r1 although nat's probes also come via r2.
flips=0
for _ in $(seq 20); do
	on_r1 || flips=$((flips + 1))
	sleep 0.1
done
check "pub does not flip to r2 while r1 works (20 samples)" test "$flips" = 0
check "pub's view of r1's and r2's paths" \
    test "$(js pub nat 'print(sorted((h["its_path"], h["its_active"]) for h in p["heard_from"]))')" = "[(0, True), (1, False)]"
hs_pub=$(js pub nat 'print(p["handshakes_done"])')
hs_nat=$(js nat pub 'print(p["handshakes_done"])')
mark=$(( $(wc -l <"$TL_STATE/pub/tapmeshd.log") + 1 ))

lost_of() {
	local tx rx
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1")
	echo $(( ${tx:-0} - ${rx:-0} ))
}
tl_bg pub ping -c 600 -i 0.01 -W 1 -q 10.255.0.2 >"$TL_STATE/p2n.out" 2>&1
p2n=$TL_BGPID
tl_bg nat ping -c 600 -i 0.01 -W 1 -q 10.255.0.1 >"$TL_STATE/n2p.out" 2>&1
n2p=$TL_BGPID
sleep 1
# Cut uplink 1: r1 forwards no tapmesh UDP either way.
tlx r1 nft -f - <<'EON'
table inet cut {
	chain cutfwd { type filter hook forward priority -10; udp dport 5655 drop; udp sport 5655 drop; }
}
EON
lab_wait 20 lab_gone "$p2n"
lab_wait 20 lab_gone "$n2p"
wait "$p2n" "$n2p"
lost1=$(lost_of "$TL_STATE/p2n.out")
lost2=$(lost_of "$TL_STATE/n2p.out")
diag "uplink 1 cut under ping -i 0.01: pub -> nat lost $lost1 of 600 ($((lost1 * 10)) ms), nat -> pub lost $lost2 of 600 ($((lost2 * 10)) ms); 3 probe intervals = 600 ms = 60 pings"
check "pub -> nat lost fewer than 3 probe intervals' worth" test "$lost1" -lt 60
check "nat -> pub lost fewer than 3 probe intervals' worth" test "$lost2" -lt 60
check "nat uses its second path" test "$(nat_active)" = 1
check "pub sends to nat through r2" grep -q "^$r2_out:" <<<"$(pub_ep)"
check "no new handshake at pub" test "$(js pub nat 'print(p["handshakes_done"])')" = "$hs_pub"
check "no new handshake at nat" test "$(js nat pub 'print(p["handshakes_done"])')" = "$hs_nat"
check "nat never went down at pub" test -z "$(grep 'peer nat: down' "$TL_STATE/pub/tapmeshd.log")"
check "pub never went down at nat" test -z "$(grep 'peer pub: down' "$TL_STATE/nat/tapmeshd.log")"
moves=$(tail -n +"$mark" "$TL_STATE/pub/tapmeshd.log" | grep -c "peer nat: path .*(learned)")
diag "pub moved nat's learned path $moves time(s) during the cut"
diag "$(tail -n +"$mark" "$TL_STATE/pub/tapmeshd.log" | grep 'peer nat')"
check "pub moved once, to r2" test "$moves" = 1

# Restore uplink 1: back after the hold-down.
tlx r1 nft delete table inet cut
t0=$(date +%s%N)
check "traffic returns to uplink 1" lab_wait 15 on_r1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
diag "pub back on r1 after $ms ms (hold-down 2000 ms)"
check "not before the hold-down" test "$ms" -ge 1500
check "nat is back on its first path" test "$(nat_active)" = 0
check "pub -> nat works" tl_ping pub 10.255.0.2
check "nat -> pub works" tl_ping nat 10.255.0.1
diag "$(tl_ctl pub show nat | grep -E 'endpoint|heard')"

tl_finish
