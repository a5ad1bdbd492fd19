#!/bin/bash
# A local source address per endpoint (two uplinks on one host): n1 holds
# a second underlay address and sends to n2 from it, as its peer file
# says; n2 sees n1's datagrams coming from that address, and traffic
# flows.  A source address of the wrong family is refused by -t.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v python3 >/dev/null || skip_all "python3 is needed to read show --json"

lab_init || bail "lab"
lab_node 1 && lab_node 2 || bail "nodes"
nsx 1 ip addr add 198.18.0.11/24 dev ul0
lab_config 1 1 2
lab_config 2 1 2
sed -i 's|^endpoints = .*|endpoints = ( { host = "198.18.0.2"; port = 5655; source = "198.18.0.11"; } );|' \
    "$LAB_DIR/n1/conf.d/n2.conf"
check "tapmeshd -t accepts the source key" quiet "$TAPMESHD" -t -c "$LAB_DIR/n1/tapmesh.conf"
lab_start 1 && lab_start 2 || bail "start"
check "n1 brings n2 up" lab_wait_up 10 1 1
check "n1 -> n2 over the tunnel" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
learned() {
	lab_ctl 2 show n1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["learned_endpoint"])'
}
check "n2 hears n1 from 198.18.0.11, the configured source" \
    lab_wait 5 test "$(learned)" = "198.18.0.11:5655"
diag "n2 learned n1 at $(learned)"

cp -r "$LAB_DIR/n1" "$LAB_DIR/bad"
sed -i 's|source = "198.18.0.11"|source = "fd00::11"|' "$LAB_DIR/bad/conf.d/n2.conf"
out=$("$TAPMESHD" -t -c "$LAB_DIR/bad/tapmesh.conf" 2>&1)
diag "$out"
check "a source of the wrong family is refused with FILE:LINE" \
    grep -q "n2.conf:[0-9]*: endpoint: source \"fd00::11\" is not of the host's address family" <<<"$out"

finish
