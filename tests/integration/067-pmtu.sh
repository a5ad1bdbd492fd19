#!/bin/bash
# Path MTU through the tunnel: n1 and n2 talk across a router whose link
# to n2 carries only 1300 bytes.  The router's ICMP "fragmentation
# needed" teaches n1's daemon the path MTU; from then on an inner packet
# with DF that no longer fits is answered with ICMP "fragmentation needed"
# written into n1's TAP, so the sender's own PMTU discovery works; a
# TCP transfer completes; with clamp_mss the SYN's MSS is lowered to fit.
# A forged ICMPv6 "packet too big" cannot take an IPv6 path below 1280.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v python3 >/dev/null || skip_all "python3 is needed for the TCP transfer"
LAB_MAIN_EXTRA='clamp_mss = true;'

lab_init || bail "lab"
lab_node 1 && lab_node 2 || bail "nodes"
# A router r on the switch (198.18.0.254) with a 1300-byte link to n2.
r="tmr-$LAB_ID"
ip netns add "$r" && LAB_NS+=("$r")
ip -n "$r" link set lo up
ip link add ul0 netns "$r" type veth peer name vr netns "$LAB_SW"
ip -n "$LAB_SW" link set vr master br0 && ip -n "$LAB_SW" link set vr up
ip -n "$r" addr add 198.18.0.254/24 dev ul0 && ip -n "$r" link set ul0 up
nsx 2 ip addr flush dev ul0
ip -n "$LAB_SW" link set v2 nomaster
ip link add ul9 netns "$r" type veth peer name ul1 netns "$(lab_ns 2)"
ip -n "$r" link set ul9 mtu 1300 && nsx 2 ip link set ul1 mtu 1300
ip -n "$r" addr add 198.20.0.254/24 dev ul9 && ip -n "$r" link set ul9 up
nsx 2 ip addr add 198.20.0.2/24 dev ul1 && nsx 2 ip link set ul1 up
ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
nsx 1 ip route add 198.20.0.0/24 via 198.18.0.254
nsx 2 ip route add default via 198.20.0.254
lab_config 1 1 2
lab_config 2 1 2
sed -i 's/198.18.0.2"/198.20.0.2"/' "$LAB_DIR/n1/conf.d/n2.conf"
lab_start 1 && lab_start 2 || bail "start"
lab_wait_up 10 1 1 || bail "n1 did not bring n2 up"

check "small pings cross" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2
# Big packets without DF: the underlay packet is fragmented, and the
# router's ICMP teaches n1 the path MTU.
check "1350-byte pings without DF cross" \
    quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q -s 1350 -M dont 10.255.0.2
nsx 1 ping -c 2 -i 0.2 -W 2 -q -s 1350 -M do 10.255.0.2 >/dev/null 2>&1
learned() { grep -q "peer n2: path 198.20.0.2:5655: underlay MTU 1300" "$LAB_DIR/n1/tapmeshd.log"; }
check "n1 learned the path MTU 1300 from the router" lab_wait 5 learned
out=$(nsx 1 ping -c 2 -i 0.2 -W 2 -s 1350 -M do 10.255.0.2 2>&1)
diag "$(grep -i "mtu\|frag\|long" <<<"$out" | head -2)"
check "a 1350-byte ping with DF gets 'frag needed, mtu 1226' from the tunnel" \
    grep -qi "mtu *= *1226\|mtu=1226" <<<"$out"
check "a 1190-byte ping with DF fits" \
    quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q -s 1190 -M do 10.255.0.2
check "the kernel now knows the route's MTU" \
    grep -q "mtu 1226" <<<"$(nsx 1 ip route get 10.255.0.2 2>&1)"

# TCP over the tunnel: 4 MB, and the MSS the receiver was offered.
cat >"$LAB_DIR/srv.py" <<'EOPY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.255.0.2", 5001)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
mss = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
print(n, mss)
EOPY
nsx 2 timeout 30 python3 "$LAB_DIR/srv.py" >"$LAB_DIR/srv.out" 2>&1 &
srv=$!
LAB_PIDS+=("$srv")
sleep 0.5
nsx 1 timeout 25 python3 -c '
import socket
s = socket.create_connection(("10.255.0.2", 5001), timeout=20)
s.sendall(b"x" * (4 << 20)); s.close()' 2>&1
lab_wait 25 lab_gone "$srv"
read -r bytes mss <"$LAB_DIR/srv.out"
diag "TCP over the tunnel: ${bytes:-0} bytes received, MSS ${mss:-?}"
check "a 4 MiB TCP transfer completes" test "${bytes:-0}" = $((4 << 20))
check "clamp_mss lowered the SYN's MSS to fit the path (<= 1186)" \
    test "${mss:-9999}" -le 1186

# A forged ICMPv6 "packet too big" from the router, quoting a datagram of
# n1 to a second, IPv6 endpoint of n2 with the right 4-tuple and an MTU
# of 1000: the path takes 1280, the IPv6 minimum, and shows its age.
nsx 1 ip -6 addr add fd12::1/64 dev ul0 nodad
ip -n "$r" -6 addr add fd12::fe/64 dev ul0 nodad
nsx 1 ip -6 route add fd20::/64 via fd12::fe
sed -i 's#^endpoints = .*#endpoints = ( { host = "198.20.0.2"; port = 5655; priority = 10; }, { host = "fd20::2"; port = 5655; priority = 20; } );#' \
    "$LAB_DIR/n1/conf.d/n2.conf"
quiet lab_ctl 1 reload || not_ok "n1 reloads with an IPv6 endpoint"
ip netns exec "$r" python3 - <<'EOPY'
import socket, struct
src, dst = "fd12::1", "fd20::2"
udp = struct.pack("!HHHH", 5655, 5655, 8 + 32, 0) + bytes(32)
ip6 = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + \
    socket.inet_pton(socket.AF_INET6, src) + \
    socket.inet_pton(socket.AF_INET6, dst)
# Type 2 (packet too big), code 0; the kernel fills in the checksum.
ptb = struct.pack("!BBHI", 2, 0, 0, 1000) + ip6 + udp
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.sendto(ptb, ("fd12::1", 0))
EOPY
learned6() { grep -q "peer n2: path \[fd20::2\]:5655: underlay MTU" "$LAB_DIR/n1/tapmeshd.log"; }
lab_wait 3 learned6
diag "$(grep 'fd20::2\]:5655: underlay MTU' "$LAB_DIR/n1/tapmeshd.log")"
check "the forged 'too big' quoting the 4-tuple takes IPv6 to 1280, not 1000" \
    grep -q "peer n2: path \[fd20::2\]:5655: underlay MTU 1280 (ICMP said 1000" \
    "$LAB_DIR/n1/tapmeshd.log"
path6=$(lab_ctl 1 show n2 --json | python3 -c '
import json, sys
p = json.load(sys.stdin)["peers"][0]["paths"][1]
print(p["endpoint"], p["mtu"], p["mtu_learned_age_ms"] is not None)')
diag "show: $path6"
check "show --json gives the path's MTU 1280, learned" \
    test "$path6" = "[fd20::2]:5655 1280 True"
check "show gives its age" \
    quiet grep -q "path \[fd20::2\]:5655: .*mtu 1280 (learned [0-9]* s ago)" \
    <(lab_ctl 1 show n2)

finish
