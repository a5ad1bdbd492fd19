#!/bin/bash
# Pre-shared keys by reload: a 3-node mesh pings between every pair every
# 10 ms while n1 and n2 add a pre-shared key for each other by reload.
# That pair handshakes again (losing at most one keepalive interval, 10
# s, of pings), the others keep their sessions and lose nothing.  Then a
# mismatch (n3 alone sets one for n1) must fail the handshake with both
# logs naming a pre-shared key mismatch, and a key file others can read
# is refused with FILE:LINE.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns

lab_mesh 3 || bail "could not build the mesh"
sleep 1

psk=$("$TAPMESHCTL" genpsk)
check "genpsk prints 44 characters of base64" grep -qE '^[A-Za-z0-9+/]{43}=$' <<<"$psk"
check "two genpsk runs differ" test "$psk" != "$("$TAPMESHCTL" genpsk)"
(umask 077 && echo "$psk" >"$LAB_DIR/n1/n2.psk" && echo "$psk" >"$LAB_DIR/n2/n1.psk")

hs() { lab_ctl "$1" show "n$2" --json | grep -o '"handshakes_done": [0-9]*' | grep -o '[0-9]*$'; }
hs12=$(hs 1 2)
hs13=$(hs 1 3)
hs23=$(hs 2 3)

ping_pairs 2000 1-2 1-3 2-3
sleep 1

echo 'preshared_key_file = "../n2.psk";' >>"$LAB_DIR/n1/conf.d/n2.conf"
echo 'preshared_key_file = "../n1.psk";' >>"$LAB_DIR/n2/conf.d/n1.conf"
check "n1 takes the pre-shared key by reload" quiet lab_ctl 1 reload
check "n2 takes the pre-shared key by reload" quiet lab_ctl 2 reload
psk_on() { lab_ctl "$1" show "n$2" --json | grep -q '"preshared_key": true'; }
newer() { test "$(hs "$1" "$2")" -gt "$3"; }
check "n1 and n2 handshake again" lab_wait 15 newer 1 2 "$hs12"
check "n1 shows the pre-shared key for n2" psk_on 1 2
check "n2 shows the pre-shared key for n1" psk_on 2 1
check "n1 shows none for n3" grep -q "pre-shared key: no" <<<"$(lab_ctl 1 show n3)"
check "metrics carry it" grep -q 'tapmesh_peer_preshared_key{interface="tap0",peer="n2"} 1' <<<"$(lab_ctl 1 metrics)"

lost_1_2=$(ping_pair_lost 1-2)
lost_1_3=$(ping_pair_lost 1-3)
lost_2_3=$(ping_pair_lost 2-3)
check "pair n1-n2 lost at most one keepalive interval (1000 pings)" test "$lost_1_2" -le 1000
check "pair n1-n3 lost nothing" test "$lost_1_3" = 0
check "pair n2-n3 lost nothing" test "$lost_2_3" = 0
check "n1-n3 kept its session" test "$(hs 1 3)" = "$hs13"
check "n2-n3 kept its session" test "$(hs 2 3)" = "$hs23"
# Between the two reloads the keys did differ: hints there are right.
diag "mismatch hints while only n1 had the key: n1 $(grep -c 'mismatch' "$LAB_DIR/n1/tapmeshd.log"), n2 $(grep -c 'mismatch' "$LAB_DIR/n2/tapmeshd.log")"
check "n3 saw no pre-shared key mismatch with anyone" test -z "$(grep 'pre-shared key mismatch' "$LAB_DIR/n3/tapmeshd.log")"

# A mismatch: n3 sets a key for n1, n1 has none for n3.
(umask 077 && "$TAPMESHCTL" genpsk >"$LAB_DIR/n3/n1.psk")
echo 'preshared_key_file = "../n1.psk";' >>"$LAB_DIR/n3/conf.d/n1.conf"
check "n3 takes a pre-shared key n1 does not have" quiet lab_ctl 3 reload
hint() { grep -q "peer $2: .*a pre-shared key mismatch is the likely cause" "$LAB_DIR/n$1/tapmeshd.log"; }
check "n3 (initiator) logs a likely pre-shared key mismatch" lab_wait 15 hint 3 n1
check "n1 (responder) logs a likely pre-shared key mismatch" lab_wait 20 hint 1 n3
diag "$(grep 'pre-shared key mismatch' "$LAB_DIR/n3/tapmeshd.log" "$LAB_DIR/n1/tapmeshd.log" | head -4)"
check "the hints are rate-limited (n3: at most 3 in all)" test "$(grep -c 'pre-shared key mismatch' "$LAB_DIR/n3/tapmeshd.log")" -le 3

# A key file others can read is refused, naming the file and line.
chmod 644 "$LAB_DIR/n1/n2.psk"
out=$(lab_ctl 1 reload 2>&1)
diag "$out"
check "a world-readable pre-shared key file is refused with FILE:LINE" grep -q "conf.d/n2.conf:5: preshared_key_file \"[^\"]*n2.psk\": mode 0644 lets group or others access the pre-shared key" <<<"$out"
check "n1 keeps the pre-shared key it runs with" psk_on 1 2

finish
