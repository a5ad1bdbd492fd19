#!/bin/bash
# A mesh upgraded one node at a time: a tapmeshd built from the last
# commit before pre-shared keys (whose handshake is version 1's: Noise_IK,
# prologue "tapmesh v1") and this one, without pre-shared keys, must
# handshake both ways and carry pings.  Each way is forced by giving only
# the initiator an endpoint for the other.  Then this node alone takes a
# pre-shared key for the old one: its IKpsk2 initiations are dropped by
# the old node (byte 1 is reserved there), and it refuses the old node's
# plain ones with the mismatch hint, never falling back to plain IK.
#
# The old daemon is $TAPMESHD_V1 if set, else built here from git (the
# test is skipped without the history).  Skipped in the sanitized run:
# 072 and 073 take the handshake through the sanitizers, and a second
# build of the old tree would only cost minutes.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
[ -z "${TAPMESH_SANITIZED:-}" ] ||
    skip_all "the old build is not sanitized; 072 and 073 cover the handshake"
need_netns

V1_COMMIT=fb110c7a7e5241e3fd486db66ddf3c3cd025fa96

lab_init || bail "could not create the lab"
if [ -z "${TAPMESHD_V1:-}" ]; then
	git -C "$TOP_SRCDIR" cat-file -e "$V1_COMMIT^{commit}" 2>/dev/null ||
	    skip_all "commit ${V1_COMMIT:0:7} (v1 handshake) not in this clone"
	mkdir "$LAB_DIR/v1"
	git -C "$TOP_SRCDIR" archive "$V1_COMMIT" | tar -x -C "$LAB_DIR/v1" ||
	    bail "git archive failed"
	(cd "$LAB_DIR/v1" && autoreconf -fi && ./configure &&
	    timeout 600 make -j2 tapmeshd) >"$LAB_DIR/v1.build" 2>&1 || {
		tail -20 "$LAB_DIR/v1.build" >&2
		bail "could not build tapmeshd ${V1_COMMIT:0:7}"
	}
	TAPMESHD_V1=$LAB_DIR/v1/tapmeshd
fi
check "the old daemon does not know pre-shared keys" \
    test -z "$(strings "$TAPMESHD_V1" | grep -i 'preshared_key_file')"

lab_node 1 || bail "node 1"
lab_node 2 || bail "node 2"

# start_pair INITIATOR [LINE]: node 1 runs this tapmeshd, node 2 the old
# one; only INITIATOR (0: both) has an endpoint for the other; LINE is
# added to node 1's file for node 2.
start_pair() {
	local i j
	lab_config 1 1 2
	lab_config 2 1 2
	for i in 1 2; do
		j=$((3 - i))
		[ "$1" = 0 ] || [ "$i" = "$1" ] ||
		    sed -i '/^endpoints/d' "$LAB_DIR/n$i/conf.d/n$j.conf"
	done
	[ -z "${2:-}" ] || echo "$2" >>"$LAB_DIR/n1/conf.d/n2.conf"
	lab_start 1 || return 1
	TAPMESHD=$TAPMESHD_V1 lab_start 2
}
stop_pair() { lab_stop 1; lab_stop 2; true; }
handshakes() {
	lab_ctl 1 show n2 --json | grep -o '"handshakes_done": [0-9]*' |
	    grep -o '[0-9]*$'
}
up() { test "$(handshakes)" -ge 1; }

for ini in 1 2; do
	case $ini in
	1) way="new initiates, old responds" ;;
	2) way="old initiates, new responds" ;;
	esac
	start_pair "$ini" || bail "could not start the pair"
	check "$way: handshake done" lab_wait 15 up
	check "$way: n1 -> n2 IPv4" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
	check "$way: n2 -> n1 IPv6" quiet nsx 2 ping -6 -c 3 -i 0.2 -W 2 -q fd00:255::1
	check "$way: no mismatch hint" \
	    test -z "$(grep 'pre-shared key' "$LAB_DIR"/n*/tapmeshd.log)"
	stop_pair
done

# A pre-shared key on the new node alone: no session, no downgrade.
# Both initiate: the old node drops the psk initiation, the new one
# refuses the plain one.
(umask 077 && "$TAPMESHCTL" genpsk >"$LAB_DIR/n1/n2.psk")
start_pair 0 'preshared_key_file = "../n2.psk";' ||
    bail "could not start the pair"
hint() { grep -q "peer n2: its initiation came without a pre-shared key; a pre-shared key mismatch is the likely cause" "$LAB_DIR/n1/tapmeshd.log"; }
no_ping() { ! nsx 1 ping -c 2 -i 0.2 -W 1 -q 10.255.0.2 >/dev/null 2>&1; }
check "with a key for the old node only: the new one refuses its plain initiation, with the hint" lab_wait 20 hint
check "no session without the key on both sides" test "$(handshakes)" = 0
check "the new node's pings do not pass" no_ping
diag "$(grep -h 'pre-shared key mismatch' "$LAB_DIR/n1/tapmeshd.log" | head -2)"

finish
