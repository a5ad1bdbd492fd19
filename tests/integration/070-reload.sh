#!/bin/bash
# Reload as a diff: a 4th peer added to a running 3-peer mesh while n1
# pings n2 every 10 ms (no ping lost, the new peer reachable, untouched
# sessions keep their keys); a removed peer takes its neighbour entries
# with it; a broken file is refused with FILE:LINE and changes nothing;
# an address moving from one kept peer to another keeps its new entry.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns

lab_mesh 3 || bail "could not build the mesh"
lab_node 4 || bail "node 4"
lab_config 4 1 2 3 4
for i in 1 2 3; do lab_config "$i" 1 2 3 4; done	# adds conf.d/n4.conf

# Both ends may initiate at start; let the crossing handshakes finish.
sleep 1
hs_before=$(lab_ctl 1 show n2 --json | grep -o '"handshakes_done": [0-9]*')
nsx 1 ping -c 400 -i 0.01 -W 1 -q 10.255.0.2 >"$LAB_DIR/ping.out" 2>&1 &
ping_pid=$!
LAB_PIDS+=("$ping_pid")
sleep 0.5
ok=1
for i in 1 2 3; do lab_ctl "$i" reload >/dev/null || ok=0; done
check "reload accepted on n1..n3" test "$ok" = 1
lab_start 4 || bail "n4"
check "n1 brings n4 up" lab_wait_up 10 1 3
check "n4 brings n1..n3 up" lab_wait_up 10 4 3
check "n1 -> n4 over the tunnel" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.4
lab_wait 15 lab_gone "$ping_pid"
wait "$ping_pid"
diag "$(grep 'packets transmitted' "$LAB_DIR/ping.out")"
check "no ping n1 -> n2 lost across the reloads" grep -q " 0% packet loss" "$LAB_DIR/ping.out"
hs_after=$(lab_ctl 1 show n2 --json | grep -o '"handshakes_done": [0-9]*')
diag "n1 <-> n2 handshakes before/after: $hs_before / $hs_after"
check "n1 <-> n2 session untouched by the reload" test "$hs_before" = "$hs_after"
check "n1 logged the addition" grep -q "peer n4: added" "$LAB_DIR/n1/tapmeshd.log"

# A broken peer file: refused, FILE:LINE reported, nothing changes.
neigh_before=$(nsx 1 ip neigh show dev tap0 | sort)
show_before=$(lab_ctl 1 show --json | grep -o '"public_key": "[^"]*"\|"handshakes_done": [0-9]*\|"state": "[a-z]*"')
printf 'name = "n5";\naddress = [ "10.255.0.5" ];\nport = 1;\n' >"$LAB_DIR/n1/conf.d/n5.conf"
out=$(lab_ctl 1 reload 2>&1)
rc=$?
diag "$out"
check "broken reload exits 1" test "$rc" = 1
check "error names n5.conf and its line" grep -q "conf.d/n5.conf:3: unknown key \"port\"" <<<"$out"
check "missing public_key reported too" grep -q "n5.conf: missing \"public_key\"" <<<"$out"
check "neighbour table unchanged" test "$neigh_before" = "$(nsx 1 ip neigh show dev tap0 | sort)"
check "sessions unchanged" test "$show_before" = "$(lab_ctl 1 show --json | grep -o '"public_key": "[^"]*"\|"handshakes_done": [0-9]*\|"state": "[a-z]*"')"
rm "$LAB_DIR/n1/conf.d/n5.conf"

# Removing n3: its entries go, the others stay.
rm "$LAB_DIR/n1/conf.d/n3.conf"
kill -HUP "$(lab_pid 1)"
gone3() { test -z "$(nsx 1 ip neigh show 10.255.0.3)"; }
check "SIGHUP reload removes n3's neighbour entries" lab_wait 5 gone3
check "n1 keeps n2 and n4 (6 entries)" test "$(lab_permanent 1)" = 6
check "n1 -> n2 still works" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2
check "n1 logged the removal" grep -q "peer n3: removed" "$LAB_DIR/n1/tapmeshd.log"

# An address that moves between two peers that both stay: n4 owns
# 10.255.0.50 (after its own, which gives its MAC), then n2 (whose file sorts, and is applied, first) takes
# it.  Its new entry must not be deleted by the removal of n4's.
sed -i 's/^address = \[ "10.255.0.4",/address = [ "10.255.0.4", "10.255.0.50",/' \
    "$LAB_DIR/n1/conf.d/n4.conf"
quiet lab_ctl 1 reload
mac50() { nsx 1 ip neigh show 10.255.0.50 dev tap0 | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2; }
owner4() { [ "$(mac50)" = "$(lab_mac 4)" ]; }
check "10.255.0.50 is n4's" lab_wait 5 owner4
sed -i 's/^address = \[ "10.255.0.4", "10.255.0.50",/address = [ "10.255.0.4",/' \
    "$LAB_DIR/n1/conf.d/n4.conf"
sed -i 's/^address = \[ "10.255.0.2",/address = [ "10.255.0.2", "10.255.0.50",/' \
    "$LAB_DIR/n1/conf.d/n2.conf"
nsx 1 ip monitor neigh >"$LAB_DIR/neigh.mon" 2>&1 &
mon=$!
LAB_PIDS+=("$mon")
sleep 0.3
out=$(lab_ctl 1 reload 2>&1)
diag "$out"
sleep 1
kill "$mon"
wait "$mon" 2>/dev/null
diag "$(grep '10.255.0.50 ' "$LAB_DIR/neigh.mon")"
check "10.255.0.50 moved to n2" test "$(mac50)" = "$(lab_mac 2)"
# n4's entry goes (a FAILED update, then Deleted), then n2's comes; once
# n2's is there, nothing may touch it.
after_n2() {
	grep '10.255.0.50 ' "$LAB_DIR/neigh.mon" |
	    sed -n "/lladdr $(lab_mac 2) PERMANENT/,\$p" | sed 1d
}
check "n2's new entry was never deleted or changed" test -z "$(after_n2)"

# What only a restart can change is refused.
sed -i 's/^listen = 5655;/listen = 5656;/' "$LAB_DIR/n1/tapmesh.conf"
out=$(lab_ctl 1 reload 2>&1)
check "changing listen on reload is refused" grep -q "listen cannot change on reload" <<<"$out"

finish
