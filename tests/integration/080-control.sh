#!/bin/bash
# The control socket: show (text and JSON that parses), counters that move
# with traffic, Prometheus metrics, errors for unknown peers and bad
# requests, the socket's mode, and the daemon as an unprivileged user
# keeping only CAP_NET_ADMIN, still moving neighbour entries on peer
# down and up and still reloading.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v python3 >/dev/null || skip_all "python3 is needed to parse JSON"
LAB_MAIN_EXTRA='user = "nobody";
keepalive = 1;
dead_time = 3;'

lab_mesh 3 || bail "could not build the mesh"

out=$(lab_ctl 1 show)
check "show lists the interface" grep -q "^interface: tap0" <<<"$out"
check "show lists n2 up" grep -A3 "^peer: n2" <<<"$out" | grep -q "state: up"
check "show --json parses" quiet python3 -m json.tool < <(lab_ctl 1 show --json)
rx() {
	lab_ctl 1 show n2 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["rx_packets"])'
}
before=$(rx)
nsx 1 ping -c 5 -i 0.1 -W 1 -q 10.255.0.2 >/dev/null
after=$(rx)
diag "n2 rx_packets at n1: $before -> $after"
check "rx_packets moved with the pings" test "$after" -ge $((before + 5))
m=$(lab_ctl 1 metrics)
check "metrics: peer up gauge" grep -q '^tapmesh_peer_up{interface="tap0",peer="n2"} 1$' <<<"$m"
check "metrics: TYPE lines" grep -q '^# TYPE tapmesh_peer_drops_total counter$' <<<"$m"
lab_ctl 1 show nosuch >/dev/null 2>&1
check "show of an unknown peer exits 1" test $? = 1
check "control socket mode is 0660" test "$(stat -c %a "$LAB_DIR/n1/ctl.sock")" = 660

check "daemon survives garbage on the control socket" \
    quiet python3 -c "
import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'\xff'*300); s.shutdown(1)
d=s.recv(4096); sys.exit(0 if d else 1)" "$LAB_DIR/n1/ctl.sock"
check "daemon still answers" quiet lab_ctl 1 show

pid=$(lab_pid 1)
check "n1 runs as nobody" grep -q "^Uid:[[:space:]]*65534" /proc/"$pid"/status
check "n1 keeps only CAP_NET_ADMIN" grep -q "^CapEff:[[:space:]]*0000000000001000" /proc/"$pid"/status
lab_stop 3
failed3() { nsx 1 ip neigh show 10.255.0.3 | grep -q FAILED; }
perm3() { nsx 1 ip neigh show 10.255.0.3 | grep -q PERMANENT; }
check "unprivileged n1 marks n3 down (FAILED)" lab_wait 8 failed3
lab_start 3 || bail "n3 restart"
check "unprivileged n1 brings n3 back (PERMANENT)" lab_wait 8 perm3
rm "$LAB_DIR/n1/conf.d/n2.conf"
check "unprivileged n1 reloads" quiet lab_ctl 1 reload
gone2() { test -z "$(nsx 1 ip neigh show 10.255.0.2)"; }
check "and removes n2's entries" lab_wait 5 gone2
check "n1 warned that nobody cannot remove its socket from n1's directory" \
    grep -q "user nobody cannot remove the control socket" "$LAB_DIR/n1/tapmeshd.log"

# A socket directory the daemon creates is its user's: the unprivileged
# daemon removes its socket at exit, leaving nothing stale.
check "n1 stops" lab_stop 1
sed -i 's#^control_socket = .*#control_socket = "run/ctl.sock";#' \
    "$LAB_DIR/n1/tapmesh.conf"
lab_start 1 || bail "n1 restart"
check "n1 created its socket's directory for nobody" \
    test "$(stat -c %U "$LAB_DIR/n1/run" 2>/dev/null)" = nobody
check "and serves the socket there" test -S "$LAB_DIR/n1/run/ctl.sock"
check "unprivileged n1 exits 0" lab_stop 1
check "and leaves no stale socket behind" test ! -e "$LAB_DIR/n1/run/ctl.sock"

finish
