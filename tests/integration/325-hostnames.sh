#!/bin/bash
# Endpoint host names.  n1 knows n2 and n3 by name only (n2.lab.test,
# n3.lab.test in n1's own hosts file, /etc/netns/NS/hosts, which `ip
# netns exec` mounts over /etc/hosts); n2 and n3 have no endpoint for n1,
# so they cannot reach it first.  n2.lab.test resolves at start and the
# peers connect by name.  Then n2 moves to another underlay address and
# the hosts file follows: n1's path goes dead, the name is looked up
# again and probing goes on at the new address, with the same session.
# n3.lab.test does not resolve at start: tapmeshd -t warns with
# FILE:LINE, the daemon starts anyway, and reaches n3 once the hosts file
# learns the name.  Name lookups never leave the namespaces: their
# resolv.conf names 127.0.0.1, where no server listens.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v python3 >/dev/null || skip_all "python3 is needed to read show --json"
LAB_MAIN_EXTRA='keepalive = 1;
dead_time = 10;
probe_interval = 200;
path_hold_down = 2;'

trap 'netns_etc_cleanup; lab_cleanup' EXIT

lab_init || bail "lab"
for i in 1 2 3; do
	lab_node "$i" || bail "node $i"
	netns_etc "$i" 127.0.0.1 "timeout:1 attempts:1" || bail "etc $i"
done
hosts1=/etc/netns/$(lab_ns 1)/hosts
printf '127.0.0.1 localhost\n198.18.0.2 n2.lab.test\n' >"$hosts1"

lab_config 1 2 3
lab_config 2 1
lab_config 3 1
sed -i 's|host = "198.18.0.\([23]\)"|host = "n\1.lab.test"|' \
    "$LAB_DIR/n1/conf.d/n2.conf" "$LAB_DIR/n1/conf.d/n3.conf"
sed -i '/^endpoints/d' "$LAB_DIR/n2/conf.d/n1.conf" "$LAB_DIR/n3/conf.d/n1.conf"
# n2 stays quiet unless spoken to, so only a new lookup can find it.
sed -i 's/^keepalive = 1;/keepalive = 25;/; s/^dead_time = 10;/dead_time = 60;/' \
    "$LAB_DIR/n2/tapmesh.conf"

out=$(nsx 1 "$TAPMESHD" -t -c "$LAB_DIR/n1/tapmesh.conf" 2>&1)
rc=$?
diag "$out"
check "tapmeshd -t accepts a name that does not resolve (exit 0)" test "$rc" = 0
check "... and warns with FILE:LINE and the resolver's error" \
    grep -q "n3.conf:4: warning: endpoint host \"n3.lab.test\" does not resolve: " <<<"$out"
check "... but not about a name that resolves" \
    test -z "$(grep n2.lab.test <<<"$out")"

lab_start 1 && lab_start 2 && lab_start 3 || bail "start"
check "n1 brings n2 up, known by name" lab_wait_up 10 1 1
check "n1 -> n2 over the tunnel" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
check "the daemon logged that n3.lab.test does not resolve" \
    grep -q "n3.conf:4: endpoint host \"n3.lab.test\" does not resolve" "$LAB_DIR/n1/tapmeshd.log"
out=$(lab_ctl 1 show)
diag "$(grep -E '^peer|path' <<<"$out")"
check "show: the path by name with its address" \
    grep -q "path n2.lab.test (198.18.0.2:5655): up" <<<"$out"
check "show: n3's path is unresolved" \
    grep -q "path n3.lab.test (unresolved): unresolved" <<<"$out"
json() { lab_ctl 1 show "$1" --json | python3 -c "import json,sys; p=json.load(sys.stdin)['peers'][0]; $2"; }
check "show --json: host and endpoint of the path" \
    test "$(json n2 'print(p["paths"][0]["host"], p["paths"][0]["endpoint"])')" = "n2.lab.test 198.18.0.2:5655"
check "show --json: an unresolved path has no endpoint" \
    test "$(json n3 'print(p["paths"][0]["host"], p["paths"][0]["endpoint"], p["paths"][0]["state"])')" = "n3.lab.test None unresolved"
hs() { json n2 'print(p["handshakes_done"])'; }
hs0=$(hs)

# n2 moves; the name follows (rewritten in place: the bind mount keeps
# the inode).
cat >"$hosts1" <<'EOH'
127.0.0.1 localhost
198.18.0.12 n2.lab.test
EOH
t0=$(date +%s%N)
# (Deleting a primary address deletes its secondaries: delete first.)
nsx 2 ip addr del 198.18.0.2/24 dev ul0
nsx 2 ip addr add 198.18.0.12/24 dev ul0
moved() { lab_ctl 1 show n2 | grep -q "path n2.lab.test (198.18.0.12:5655): up"; }
check "n1 finds n2 at its new address" lab_wait 15 moved
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
diag "n2 moved: path up at the new address after $ms ms (probe interval 200 ms)"
diag "$(grep -E 'n2: (path|endpoint)' "$LAB_DIR/n1/tapmeshd.log")"
check "the path went down first" grep -q "peer n2: path 198.18.0.2:5655 down" "$LAB_DIR/n1/tapmeshd.log"
check "the move was logged: name, old and new address" \
    grep -q "peer n2: endpoint n2.lab.test: 198.18.0.2:5655 -> 198.18.0.12:5655" "$LAB_DIR/n1/tapmeshd.log"
check "n1 -> n2 at the new address" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
check "n2 heard n1 from nowhere but its probes (no roaming)" \
    test -z "$(grep 'peer n1: path\|peer n1: endpoint' "$LAB_DIR/n2/tapmeshd.log" | grep -v 198.18.0.1:)"
check "no new handshake: the session continued" test "$(hs)" = "$hs0"
check "n2 never went down at n1" test -z "$(grep 'peer n2: down' "$LAB_DIR/n1/tapmeshd.log")"

# A reload with the same name keeps the session and the path.
check "reload" quiet lab_ctl 1 reload
check "after the reload: same session" test "$(hs)" = "$hs0"
check "after the reload: same address, path up" moved

# The name n1 could not resolve at start appears.
cat >"$hosts1" <<'EOH'
127.0.0.1 localhost
198.18.0.12 n2.lab.test
198.18.0.3 n3.lab.test
EOH
t0=$(date +%s%N)
check "n1 brings n3 up once its name resolves" lab_wait 40 lab_test_up 1 2
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
diag "n3.lab.test added to the hosts file: n3 up after $ms ms"
check "the lookup was logged" \
    grep -q "peer n3: endpoint n3.lab.test: unresolved -> 198.18.0.3:5655" "$LAB_DIR/n1/tapmeshd.log"
check "n1 -> n3 over the tunnel" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.3

finish
