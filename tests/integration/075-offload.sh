#!/bin/bash
# Segmentation offload (offload = true, the default) between real
# daemons: TCP data crosses intact in both directions over IPv4 and IPv6
# (sha256 of what was sent against what arrived, so every checksum the
# offloads wrote or checked was right), with the kernel's MSS and with a
# small one (more segments per super frame than one UDP GSO message
# takes), to and from a node with the offloads off; the offload counters
# show both directions used; the two nodes with offloads agree on
# partial TCP checksums and send most segments so, the node without
# them never does (the segments it gets are finished by the sender);
# pings of mixed sizes (fragmented ones too),
# multicast, ARP and NDP keep working; nothing is counted malformed.
# n2 runs with read_ahead = false, n1 and n3 with the default (true), so
# the transfers cross both ways of reading the TAP and the socket.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v python3 >/dev/null || skip_all "python3 is needed for the transfers"
XFER=$TOP_SRCDIR/tests/tools/tcpxfer.py

lab_init || bail "no lab"
for i in 1 2 3; do lab_node "$i" || bail "no node $i"; done
for i in 1 2 3; do lab_config "$i" 1 2 3; done
echo "offload = false;" >>"$LAB_DIR/n3/tapmesh.conf"
echo "read_ahead = false;" >>"$LAB_DIR/n2/tapmesh.conf"
for i in 1 2 3; do lab_start "$i" || bail "node $i did not start"; done
for i in 1 2 3; do
	lab_wait_up 10 "$i" 2 || bail "node $i: peers not up"
done

check "n1 logs offloads on" grep -q "tap0: created TAP.*offloads on" \
    "$LAB_DIR/n1/tapmeshd.log"
check "n3 logs offloads off" grep -q "tap0: created TAP.*offloads off" \
    "$LAB_DIR/n3/tapmeshd.log"

port=7000
# xfer NAME FROM TO ADDR BYTES [MSS [CHUNK]]: a transfer whose digests must match.
xfer() {
	local name=$1 from=$2 to=$3 addr=$4 bytes=$5 mss=${6:-0} chunk=${7:-65536}
	local srv sent got
	port=$((port + 1))
	nsx "$to" timeout 40 python3 "$XFER" serve "$addr" "$port" 30 \
	    >"$LAB_DIR/xfer.$port" 2>&1 &
	srv=$!
	lab_wait 5 nsx "$to" sh -c "ss -ltn | grep -q ':$port '"
	sent=$(nsx "$from" timeout 40 python3 "$XFER" send "$addr" "$port" \
	    "$bytes" "$port" "$mss" "$chunk" 2>&1)
	wait "$srv"
	got=$(cat "$LAB_DIR/xfer.$port")
	check "$name: $bytes bytes arrive intact" test -n "$sent" -a "$sent" = "$got"
	[ "$sent" = "$got" ] || diag "sent: $sent
got: $got"
}

MB=$((24 * 1024 * 1024))
xfer "n1 -> n2 IPv4" 1 2 10.255.0.2 "$MB"
xfer "n2 -> n1 IPv6" 2 1 fd00:255::1 "$MB"
xfer "n1 -> n2 IPv4, MSS 536" 1 2 10.255.0.2 $((8 * 1024 * 1024)) 536
xfer "n2 -> n1 IPv6, MSS 600, odd writes" 2 1 fd00:255::1 \
    $((8 * 1024 * 1024)) 600 12345
xfer "n1 -> n3 (offloads off) IPv4" 1 3 10.255.0.3 "$MB"
xfer "n3 -> n1 IPv6 (sender offloads off)" 3 1 fd00:255::1 "$MB"

# UDP of mixed sizes in bursts: sent in batches (UDP GSO runs of equal
# sizes, sendmmsg), each datagram must arrive as it was sent.
nsx 2 timeout 30 python3 "$XFER" udpserve 10.255.0.2 6999 2 \
    >"$LAB_DIR/udp.out" 2>&1 &
srv=$!
lab_wait 5 nsx 2 sh -c "ss -lun | grep -q ':6999 '"
nsx 1 timeout 30 python3 "$XFER" udpsend 10.255.0.2 6999 5000 >/dev/null
wait "$srv"
read -r got bad <"$LAB_DIR/udp.out"
diag "UDP: $got of 5000 datagrams arrived, $bad corrupt"
check "UDP: at least 95% of 5000 mixed-size datagrams arrive" \
    test "${got:-0}" -ge 4750
check "UDP: none corrupt" test "${bad:-1}" = 0

for s in 0 1 56 500 1000 1300 1378 1500 3000 8000; do
	check "n1 -> n2 ping of $s bytes" \
	    quiet nsx 1 ping -c 2 -i 0.1 -W 2 -s "$s" 10.255.0.2
done
check "n2 -> n1 IPv6 ping of 3000 bytes" \
    quiet nsx 2 ping -6 -c 2 -i 0.1 -W 2 -s 3000 fd00:255::1
out=$(nsx 1 ping -6 -c 3 -i 0.3 -W 2 -I tap0 ff02::1 2>&1)
check "ff02::1 answered by n2" grep -q "from $(lab_ll 2)" <<<"$out"
check "ff02::1 answered by n3" grep -q "from $(lab_ll 3)" <<<"$out"
nsx 1 ip neigh del 10.255.0.2 dev tap0 2>/dev/null
check "ARP for n2 answered after its entry went" \
    quiet nsx 1 arping -c 1 -w 2 -I tap0 10.255.0.2

tso=$(lab_ctl 1 metrics | sed -n 's/^tapmesh_offload_total{interface="tap0",kind="tso"} //p')
check "metrics: n1 counted TCP super frames ($tso)" test "${tso:-0}" -gt 100
on=$(lab_ctl 3 show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["interface"]["offload"]["on"])')
check "show --json: offload off on n3" test "$on" = False
check "show: n2 has an offload line" \
    quiet grep -q "offload: on, [0-9]* TCP super frames" <(lab_ctl 2 show)

for i in 1 2 3; do check "n$i exits 0" lab_stop "$i"; done
line() { grep "tap0: offload:" "$LAB_DIR/n$1/tapmeshd.log" | tail -1; }
diag "$(for i in 1 2 3; do line "$i"; done)"
cut_frames() { line "$1" | sed -n 's/.*offload: \([0-9]*\) TCP.*/\1/p'; }
joined() { line "$1" | sed -n 's/.*frames, \([0-9]*\) frames joined.*/\1/p'; }
check "n1 cut TCP super frames" test "$(cut_frames 1)" -gt 100
check "n2 cut TCP super frames" test "$(cut_frames 2)" -gt 100
check "n1 joined received segments" test "$(joined 1)" -gt 1000
check "n2 joined received segments" test "$(joined 2)" -gt 1000
check "n3 used no offload" test "$(cut_frames 3):$(joined 3)" = 0:0
ptx() { line "$1" | sed -n 's/.*partial checksums \([0-9]*\) sent.*/\1/p'; }
prx() { line "$1" | sed -n 's/.*sent, \([0-9]*\) received.*/\1/p'; }
for i in 1 2; do
	check "n$i sent segments with partial checksums ($(ptx $i))" \
	    test "$(ptx $i)" -gt 1000
	check "n$i received segments with partial checksums ($(prx $i))" \
	    test "$(prx $i)" -gt 1000
done
check "n3 neither sent nor took partial checksums" \
    test "$(ptx 3):$(prx 3)" = 0:0
check "n1-n2 session agreed on partial checksums" grep -q \
    "peer n2: session established (.*partial checksums" "$LAB_DIR/n1/tapmeshd.log"
check "n1-n3 session did not" test -z "$(grep \
    "peer n3: session established (.*partial checksums" "$LAB_DIR/n1/tapmeshd.log")"
for i in 1 2 3; do
	check "n$i counted nothing malformed" \
	    test "$(counter "$i" tap0 malformed)" = 0
done

finish
