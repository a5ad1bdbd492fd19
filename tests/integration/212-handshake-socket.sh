#!/bin/bash
# Handshake messages have a socket of their own on the port, so that a
# flood of them cannot fill the buffer that data waits in.  n2's daemon
# is stopped (SIGSTOP) while n1 pings it and a third host floods it with
# initiations: when it goes on, every ping is answered, the kernel
# dropped handshake datagrams and not one data message (`tapmeshctl
# show`).  Then a stranger's SO_REUSEPORT socket on the same port (same
# user) gets nothing, data or handshake, and a second daemon on the port
# is refused, leaving no TAP behind.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/flood.sh"
need_netns
HSFLOOD=${TOOLS:-$(dirname "$TAPMESHD")/tests/tools}/hsflood
[ -x "$HSFLOOD" ] || bail "no hsflood tool at $HSFLOOD"
STRANGER_PID=
trap '[ -n "$STRANGER_PID" ] && kill "$STRANGER_PID" 2>/dev/null; lab_cleanup' EXIT

lab_mesh 2 || bail "could not build the mesh"
lab_node 3 || bail "could not add the flooding host"
pid2=$(lab_pid 2)
pub2=$(cat "$LAB_DIR/n2/public.key")

read -r d0 h0 e0 <<<"$(flood_kernel_drops 2)"
diag "n2's kernel drops before: data $d0, handshake $h0, express $e0"

# 20 pings queue up in n2's data socket while 20000 initiations (with
# the kernel's overhead, over 10 MB) meet its 1 MB handshake buffer.
kill -STOP "$pid2"
nsx 1 ping -q -c 20 -i 0.05 -w 20 10.255.0.2 >"$LAB_DIR/ping.out" 2>&1 &
ping_pid=$!
LAB_PIDS+=("$ping_pid")
out=$(nsx 3 timeout 30 "$HSFLOOD" random 198.18.0.2 5655 20000 "$pub2" 198.18.0.3)
diag "hsflood: $out"
sleep 1
kill -CONT "$pid2"
lab_wait 25 lab_gone "$ping_pid"
wait "$ping_pid"
ping_summary "$LAB_DIR/ping.out" "n1 -> n2 while n2 was stopped"
check "every ping queued behind the flood was answered" \
    test -n "$PING_TX" -a "$PING_TX" = "$PING_RX"
read -r d1 h1 e1 <<<"$(flood_kernel_drops 2)"
diag "n2's kernel drops after: data $d1, handshake $h1, express $e1"
check "the kernel dropped handshake datagrams (their buffer was full)" \
    test "${h1:-0}" -gt "${h0:-0}"
check "... and not one data message" \
    test "${d1:-x}" = "${d0:-y}" -a "${e1:-x}" = "${e0:-y}"
check "tapmeshctl show says so" \
    grep -q "kernel drops: $d1 bulk data, $e1 short data, $h1 handshake datagrams" \
    <<<"$(lab_ctl 2 show)"

# A stranger on the port (the same user may join a SO_REUSEPORT group).
nsx 2 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("::", 5655))
print("bound", flush=True)
s.settimeout(0.2)
n, end = 0, time.time() + 60
while time.time() < end:
    try:
        s.recv(65536)
        n += 1
        print("got", n, flush=True)
    except socket.timeout:
        pass
' >"$LAB_DIR/stranger.out" 2>&1 &
STRANGER_PID=$!
lab_wait 5 grep -q bound "$LAB_DIR/stranger.out"
diag "stranger: $(head -1 "$LAB_DIR/stranger.out")"
check "a stranger joined the port's group" grep -q bound "$LAB_DIR/stranger.out"
# n1 restarts: its initiation and the data after it reach n2.
lab_stop 1
lab_start 1 || bail "restart n1"
check "n1 and n2 shake hands again" lab_wait_up 10 1 1
check "n1 -> n2 with the stranger on the port" \
    quiet nsx 1 ping -c 20 -i 0.05 -W 2 -q 10.255.0.2
check "the stranger got no datagram" \
    test "$(grep -c got "$LAB_DIR/stranger.out")" = 0
kill "$STRANGER_PID" 2>/dev/null
wait "$STRANGER_PID" 2>/dev/null
STRANGER_PID=

# A second daemon on the port: refused, as before the group.
sed 's/^interface = "tap0";/interface = "tap9";/; s/^control_socket = .*/control_socket = "ctl9.sock";/' \
    "$LAB_DIR/n2/tapmesh.conf" >"$LAB_DIR/n2/second.conf"
out=$(cd "$LAB_DIR/n2" && timeout 10 ip netns exec "$(lab_ns 2)" "$TAPMESHD" \
    -c "$LAB_DIR/n2/second.conf" 2>&1)
rc=$?
diag "second daemon: exit $rc: $(grep -i 'udp port' <<<"$out")"
check "a second daemon on the port exits 1" test "$rc" = 1
check "... saying the port is in use" \
    grep -q "UDP port 5655: Address already in use" <<<"$out"
check "... leaving no TAP behind" \
    test -z "$(ip -n "$(lab_ns 2)" -o link show tap9 2>/dev/null)"
check "n1 -> n2 still" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
check "n2 exits 0 on SIGTERM" lab_stop 2
check "n2 logged the kernel's drops at exit" \
    grep -q "UDP port 5655: the kernel dropped $d1 bulk data, $e1 short data and [0-9]* handshake datagrams" \
    "$LAB_DIR/n2/tapmeshd.log"
finish
