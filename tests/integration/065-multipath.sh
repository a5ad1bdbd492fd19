#!/bin/bash
# Two underlay paths between two peers (a primary and a backup line):
# while n1 pings n2 every 10 ms, the primary's UDP is dropped with
# nftables.  Traffic moves to the backup within 3 probe intervals,
# without a handshake and without the peer going down; when the primary
# returns, traffic moves back after the hold-down.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "nftables is not installed"
LAB_MAIN_EXTRA='keepalive = 1;
dead_time = 3;
probe_interval = 200;
path_hold_down = 2;'

lab_init || bail "lab"
lab_node 1 && lab_node 2 || bail "nodes"
# The backup line: a second switch, 198.19.0.0/24 on ul1.
sw2="tmsw2-$LAB_ID"
ip netns add "$sw2" && LAB_NS+=("$sw2")
ip -n "$sw2" link add br1 type bridge && ip -n "$sw2" link set br1 up
for i in 1 2; do
	ip link add ul1 netns "$(lab_ns "$i")" type veth peer name "w$i" netns "$sw2"
	ip -n "$sw2" link set "w$i" master br1 && ip -n "$sw2" link set "w$i" up
	nsx "$i" ip addr add "198.19.0.$i/24" dev ul1
	nsx "$i" ip link set ul1 up
done
lab_config 1 1 2
lab_config 2 1 2
for pair in "1 2" "2 1"; do
	set -- $pair
	sed -i "s|^endpoints = .*|endpoints = ( { host = \"198.18.0.$2\"; priority = 10; }, { host = \"198.19.0.$2\"; priority = 20; } );|" \
	    "$LAB_DIR/n$1/conf.d/n$2.conf"
done
lab_start 1 && lab_start 2 || bail "start"
lab_wait_up 10 1 1 || bail "n1 did not bring n2 up"
paths_up() { test "$(lab_ctl 1 show n2 | grep -c "198.1[89].0.2:5655: up")" = 2; }
lab_wait 10 paths_up	# the peer and both of its paths
active() { lab_ctl 1 show n2 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["endpoint"])'; }
check "traffic starts on the primary" test "$(active)" = "198.18.0.2:5655"
hs0=$(grep -c "session established" "$LAB_DIR/n1/tapmeshd.log")

nsx 1 ping -c 600 -i 0.01 -W 1 -q 10.255.0.2 >"$LAB_DIR/ping.out" 2>&1 &
ping_pid=$!
LAB_PIDS+=("$ping_pid")
sleep 1
# Cut the primary line at n1, both directions.
nsx 1 nft -f - <<'EON'
table inet cut {
	chain in { type filter hook input priority 0; iifname "ul0" udp dport 5655 drop; }
	chain out { type filter hook output priority 0; oifname "ul0" udp dport 5655 drop; }
}
EON
lab_wait 15 lab_gone "$ping_pid"
wait "$ping_pid"
tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$LAB_DIR/ping.out")
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$LAB_DIR/ping.out")
lost=$((tx - rx))
diag "primary cut under ping -i 0.01: $lost of $tx lost (3 probe intervals = 600 ms = 60 pings)"
check "failover lost fewer than 3 probe intervals' worth" test "$lost" -lt 60
check "traffic is on the backup" test "$(active)" = "198.19.0.2:5655"
check "no new handshake for the failover" \
    test "$(grep -c "session established" "$LAB_DIR/n1/tapmeshd.log")" = "$hs0"
check "the peer never went down" test -z "$(grep 'peer n2: down' "$LAB_DIR/n1/tapmeshd.log")"
check "n1 logged the primary down" grep -q "path 198.18.0.2:5655 down" "$LAB_DIR/n1/tapmeshd.log"
out=$(lab_ctl 1 show n2)
diag "$out"

# Restore the primary: back after the hold-down (2 s), not before.
nsx 1 nft delete table inet cut
primary() { test "$(active)" = "198.18.0.2:5655"; }
t0=$(date +%s%N)
check "traffic returns to the primary" lab_wait 10 primary
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
diag "back on the primary after $ms ms (hold-down 2000 ms)"
check "not before the hold-down" test "$ms" -ge 1500
check "n1 -> n2 on the primary" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2

finish
