#!/bin/bash
# The secure channel against bad peers and bad packets: a peer with a
# wrong public key never completes a handshake and its attempts are
# counted; captured data messages replayed, and one with a tampered
# header, are dropped and counted without moving the peer's endpoint.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
REPLAY=${TOOLS:-$(dirname "$TAPMESHD")/tests/tools}/udpreplay
[ -x "$REPLAY" ] || bail "no udpreplay tool at $REPLAY"

lab_init || bail "lab"
for i in 1 2 3; do lab_node "$i" || bail "node $i"; done
for i in 1 2 3; do lab_config "$i" 1 2 3; done
# n1 believes n3 has another key: a stranger, or a stolen address.
stranger=$("$TAPMESHCTL" genkey | "$TAPMESHCTL" pubkey)
sed -i "s|^public_key = .*|public_key = \"$stranger\";|" "$LAB_DIR/n1/conf.d/n3.conf"
for i in 1 2 3; do lab_start "$i" || bail "start $i"; done
lab_wait_up 10 1 1 || bail "n1 did not bring n2 up"
lab_wait_up 10 2 2 || bail "n2 did not bring n1 and n3 up"

sleep 2
check "n1 has no neighbour entry for n3 (wrong key)" \
    test -z "$(nsx 1 ip neigh show 10.255.0.3 nud permanent)"
check "n1 cannot reach n3" \
    test "$(ping_loss 1 10.255.0.3 3 0.2)" = 3
check "n1 reaches n2" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2

# Replays: capture a data message from n1 arriving at n2, send it again.
nsx 1 ping -c 60 -i 0.05 -q 10.255.0.2 >/dev/null 2>&1 &
ping_pid=$!
LAB_PIDS+=("$ping_pid")
out=$(nsx 2 timeout 15 "$REPLAY" ul0 5655 50 198.18.0.1)
diag "udpreplay: $out"
check "a data message was captured and replayed" grep -q "replayed 50 tampered 1" <<<"$out"
lab_wait 10 lab_gone "$ping_pid"
check "n2 -> n1 still works after the replays" \
    quiet nsx 2 ping -c 3 -i 0.2 -W 2 -q 10.255.0.1

for i in 1 2 3; do lab_stop "$i"; done
r=$(counter 2 n1 replay); a=$(counter 2 n1 bad_auth)
diag "n2: from n1 replay=$r bad_auth=$a"
check "n2 counted the 50 replays" test "${r:-0}" -ge 50
check "n2 counted the tampered message" test "${a:-0}" -ge 1
check "n2 did not move n1's endpoint to the replayer" \
    test -z "$(grep 'peer n1: endpoint .* -> ' "$LAB_DIR/n2/tapmeshd.log")"
h3=$(counter 3 tap0 handshake); h1=$(counter 1 tap0 handshake)
diag "refused handshakes: n1 $h1, n3 $h3"
check "n3 refused n1's initiations (mac1 for the wrong key)" test "${h3:-0}" -ge 1
check "n1 refused n3's initiations (unknown key)" test "${h1:-0}" -ge 1
check "n1 logged the unknown key" grep -q "handshake from 198.18.0.3:5655 with an unknown key" "$LAB_DIR/n1/tapmeshd.log"

finish
