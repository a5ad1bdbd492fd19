#!/bin/bash
# Rotation of a node's own key without downtime, by the procedure of
# tapmesh.conf(5): a 3-node mesh pings between every pair every 10 ms
# while n1 changes its key: (1) n2 and n3 list n1's new key beside the old
# one and reload, (2) n1 takes its new private key by reload, (3) n2 and
# n3 drop the old key and reload.  No ping may be lost, no peer may go
# down, show must say which key authenticated, and at the end the old
# key must be refused.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns

lab_mesh 3 || bail "could not build the mesh"
sleep 1

old=$(cat "$LAB_DIR/n1/public.key")
(umask 077 && "$TAPMESHCTL" genkey >"$LAB_DIR/n1/private.new") || bail "genkey"
new=$("$TAPMESHCTL" pubkey <"$LAB_DIR/n1/private.new")
cp "$LAB_DIR/n1/private.key" "$LAB_DIR/n1/private.old"

# set_n1_key KEYS: n1's peer file on n2 and n3 gets public_key = KEYS.
set_n1_key() {
	local i
	for i in 2 3; do
		sed -i "s|^public_key = .*|public_key = $1;|" \
		    "$LAB_DIR/n$i/conf.d/n1.conf"
	done
}
# auth_key I: the key n1 authenticated with, as node I shows it.
auth_key() {
	lab_ctl "$1" show n1 --json | sed -n 's/.*"authenticated_key": "\([^"]*\)".*/\1/p'
}
# authed_by I KEY: node I's session with n1 was authenticated by KEY.
authed_by() { test "$(auth_key "$1")" = "$2"; }

# reload_peers: n2 and n3 reload; fails if either refuses.
reload_peers() { quiet lab_ctl 2 reload && quiet lab_ctl 3 reload; }

# Every pair, both ways in effect (replies), 100 pings a second each.
ping_pairs 3000 1-2 1-3 2-3
sleep 1

# Step 1: the peers learn the new key beside the old one.
set_n1_key "[ \"$new\", \"$old\" ]"
check "step 1: n2 and n3 take [ NEW, OLD ] by reload" reload_peers
sleep 1
check "step 1: n2 still authenticates n1 with the old key" authed_by 2 "$old"
check "step 1: n2 shows both keys" grep -q "second public key: $old" <<<"$(lab_ctl 2 show n1)"
check "step 1: n2 says which key (2 of 2)" grep -q "authenticated with: $old (key 2 of 2)" <<<"$(lab_ctl 2 show n1)"

# Step 2: n1 switches to its new key.
cp "$LAB_DIR/n1/private.new" "$LAB_DIR/n1/private.key"
check "step 2: n1 takes its new private key by reload" quiet lab_ctl 1 reload
check "step 2: n2 authenticates n1 with the new key" lab_wait 10 authed_by 2 "$new"
check "step 2: n3 authenticates n1 with the new key" lab_wait 10 authed_by 3 "$new"
check "step 2: n1 shows its new public key" grep -q "$new" <<<"$(lab_ctl 1 show)"
check "step 2: n1 logged the new key" grep -q "reload: new private key (public key $new)" "$LAB_DIR/n1/tapmeshd.log"
diag "$(lab_ctl 2 show n1 | grep -E 'authenticated|public key')"
sleep 1

# Step 3: the old key goes.
set_n1_key "\"$new\""
check "step 3: n2 and n3 drop the old key by reload" reload_peers
sleep 1
check "step 3: n2 still authenticates n1 with the new key" authed_by 2 "$new"
check "step 3: n2 shows one key again" test "$(lab_ctl 2 show n1 --json | grep -o '"public_keys": \[[^]]*\]')" = "\"public_keys\": [\"$new\"]"

for pair in 1-2 1-3 2-3; do
	check "no ping lost $pair through the rotation" test "$(ping_pair_lost "$pair")" = 0
done
for i in 1 2 3; do
	check "n$i: no peer went down" test -z "$(grep ': down' "$LAB_DIR/n$i/tapmeshd.log")"
	check "n$i: no failed handshake blamed on a pre-shared key" test -z "$(grep 'pre-shared key mismatch' "$LAB_DIR/n$i/tapmeshd.log")"
done
for i in 2 3; do
	diag "n$i: $(grep -c 'session established' "$LAB_DIR/n$i/tapmeshd.log") sessions established in all"
done

# The old key is refused now: n1 goes back to it, and n2 turns its
# handshakes away as coming from an unknown key.
refused() { grep -q "with an unknown key" "$LAB_DIR/n2/tapmeshd.log"; }
check "n2 has refused nothing so far" test -z "$(grep 'with an unknown key' "$LAB_DIR/n2/tapmeshd.log")"
cp "$LAB_DIR/n1/private.old" "$LAB_DIR/n1/private.key"
check "n1 reloads with the old key" quiet lab_ctl 1 reload
check "n2 refuses handshakes under the old key" lab_wait 10 refused
check "n2's session is still the one the new key made" authed_by 2 "$new"

finish
