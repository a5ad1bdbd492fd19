#!/bin/bash
# Reload as a diff: a 4th peer added to a running 3-peer mesh while n1
# pings n2 every 10 ms (no ping lost, the new peer reachable, untouched
# sessions keep their keys); a removed peer takes its neighbour entries
# with it; a broken file is refused with FILE:LINE and changes nothing.
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

# What only a restart can change is refused.
sed -i 's/^listen = 5655;/listen = 5656;/' "$LAB_DIR/n1/tapmesh.conf"
out=$(lab_ctl 1 reload 2>&1)
check "changing listen on reload is refused" grep -q "listen cannot change on reload" <<<"$out"

finish
