#!/bin/bash
# Short data messages (a ping, an acknowledgement, a hello) have a socket
# of their own on the port, the express socket, so that they neither
# queue nor get dropped behind bulk data.  n2's daemon is stopped
# (SIGSTOP) while n1 sends it bulk UDP through the tunnel, far more than
# n2's data socket holds, and pings it behind that bulk: when n2 goes
# on, the kernel dropped bulk datagrams, no short one, and every ping is
# answered.  With read_ahead = false (a reload) short messages join the
# bulk again and the pings behind the full data socket are lost with
# it; back to true (another reload), they are answered again.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/flood.sh"
need_netns
trap 'lab_cleanup' EXIT

lab_mesh 2 || bail "could not build the mesh"
pid2=$(lab_pid 2)

# bulk SECONDS: 1300-byte UDP datagrams from n1 to n2's discard port
# through the tunnel, about 40000 a second (n1 keeps up, so nothing is
# lost before n2's socket), for SECONDS.
bulk() {
	nsx 1 timeout $(($1 + 5)) python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b, end = bytes(1300), time.time() + float(sys.argv[1])
while time.time() < end:
    for i in range(400):
        try:
            s.sendto(b, ("10.255.0.2", 9))
        except OSError:
            pass
    time.sleep(0.01)
' "$1"
}

# behind_bulk WHAT: 20 pings n1 -> n2 sent while n2 is stopped and its
# data socket is full of bulk; sets PING_TX, PING_RX and the kernel's
# drops at n2's sockets before (D0 H0 E0) and after (D1 H1 E1).
behind_bulk() {
	local bulk_pid ping_pid
	read -r D0 H0 E0 <<<"$(flood_kernel_drops 2)"
	kill -STOP "$pid2"
	bulk 3 &
	bulk_pid=$!
	LAB_PIDS+=("$bulk_pid")
	# 1 s of bulk is some 50 MB: the data socket (8 MB) is full.
	sleep 1
	# Exactly 20, in 1 s; then up to 10 s for the replies.
	nsx 1 ping -q -c 20 -i 0.05 -W 10 10.255.0.2 >"$LAB_DIR/ping.out" 2>&1 &
	ping_pid=$!
	LAB_PIDS+=("$ping_pid")
	lab_wait 10 lab_gone "$bulk_pid"
	wait "$bulk_pid"
	kill -CONT "$pid2"
	lab_wait 20 lab_gone "$ping_pid"
	wait "$ping_pid"
	ping_summary "$LAB_DIR/ping.out" "n1 -> n2 behind the bulk ($1)"
	read -r D1 H1 E1 <<<"$(flood_kernel_drops 2)"
	diag "n2's kernel drops: bulk data $D0 -> $D1, short data $E0 -> $E1, handshake $H0 -> $H1"
	diag "n1: $(lab_ctl 1 show | grep -E '^  drops')"
}

behind_bulk "express socket"
check "the bulk overflowed n2's data socket" test "${D1:-0}" -gt "${D0:-0}"
check "... and no short data message was dropped" test "${E1:-x}" = "${E0:-y}"
check "every ping sent behind the bulk was answered" \
    test "$PING_TX" = 20 -a "$PING_RX" = 20
check "n1 -> n2 afterwards" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
check "tapmeshctl show names the three sockets' drops" \
    grep -q "kernel drops: [0-9]* bulk data, $E1 short data, [0-9]* handshake datagrams" \
    <<<"$(lab_ctl 2 show)"
check "... and so do the metrics" \
    grep -q "tapmesh_kernel_drops_total{interface=\"tap0\",socket=\"express\"} $E1" \
    <<<"$(lab_ctl 2 metrics)"

echo "read_ahead = false;" >>"$LAB_DIR/n2/tapmesh.conf"
check "reload n2 with read_ahead = false" quiet lab_ctl 2 reload
behind_bulk "read_ahead = false"
check "the pings went into the full data socket and were lost" \
    test "$PING_TX" = 20 -a "${PING_RX:-20}" -lt 20
check "... nothing arrived at the express socket to be dropped" \
    test "${E1:-x}" = "${E0:-y}"

sed -i '/^read_ahead = false;$/d' "$LAB_DIR/n2/tapmesh.conf"
check "reload n2 with read_ahead back to true" quiet lab_ctl 2 reload
behind_bulk "read_ahead = true again"
check "every ping behind the bulk was answered again" \
    test "$PING_TX" = 20 -a "$PING_RX" = 20
check "n2 exits 0 on SIGTERM" lab_stop 2
check "n2 logged the kernel's drops at exit" \
    grep -q "UDP port 5655: the kernel dropped $D1 bulk data, $E1 short data and [0-9]* handshake datagrams" \
    "$LAB_DIR/n2/tapmeshd.log"
finish
