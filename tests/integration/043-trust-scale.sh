#!/bin/bash
# The strict-mode route mirror at scale: 100,000 IPv4 and 20,000 IPv6
# routes via a peer on tap0 added with ip -batch (a full table arriving
# from a routing daemon), then removed.  The daemon's memory stays
# bounded (measured: VmRSS before and after), the last route of the batch
# is in force once the batch is done, and a single route change is in
# force within 100 ms of `ip route` returning.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/flood.sh"
need_netns
command -v python3 >/dev/null || skip_all "python3 is needed (rawframe)"
RAW=$TOP_SRCDIR/tests/tools/rawframe.py
N4=${N4:-100000}
N6=${N6:-20000}

LAB_MAIN_EXTRA='source_check = "strict";'
lab_mesh 2 || bail "could not build the mesh"
pid1=$(lab_pid 1)
M1=$(lab_mac 1)
inechos() {
	nsx 1 awk '$1 == "Icmp:" { if (!h) { for (i = 2; i <= NF; i++)
		c[$i] = i; h = 1 } else print $c["InEchos"] }' /proc/net/snmp
}
# sent SRC: 1 echo request from SRC, written into n2's TAP for n1; true
# if it reached n1's kernel.
sent() {
	local b a
	b=$(inechos)
	nsx 2 python3 "$RAW" tap0 "$(lab_mac 2)" "$M1" echo4 "$1" 10.255.0.1 1
	lab_wait 1 test "$(inechos)" -gt "$b"
}
ms() { echo $(( $(date +%s%N) / 1000000 )); }

rss0=$(flood_rss "$pid1")
batch=$LAB_DIR/routes.batch
python3 - "$N4" "$N6" >"$batch" <<'EOP'
import sys
n4, n6 = int(sys.argv[1]), int(sys.argv[2])
for i in range(n4):
    print("route add %d.%d.%d.0/24 via 10.255.0.2 dev tap0"
          % (11 + i // 65536, (i // 256) % 256, i % 256))
for i in range(n6):
    print("route add 2001:db8:%x:%x::/64 via fe80::aff:feff:2 dev tap0"
          % (i // 65536, i % 65536))
EOP
t0=$(ms)
check "ip -batch adds $N4 + $N6 routes" nsx 1 ip -batch "$batch"
t1=$(ms)
last4=$(grep -v "2001:" "$batch" | tail -n 1 | awk '{print $3}' | sed 's|0/24|7|')
check "the last IPv4 route of the batch is in force ($last4)" lab_wait 10 sent "$last4"
t2=$(ms)
diag "batch: $((t1 - t0)) ms in ip -batch, its last route in force $((t2 - t1)) ms later"
sleep 1
rss1=$(flood_rss "$pid1")
diag "n1 VmRSS: $rss0 kB before, $rss1 kB with $((N4 + N6)) routes mirrored: $(( (rss1 - rss0) * 1024 / (N4 + N6) )) bytes a route"
diag "$(grep 'routes:' "$LAB_DIR/n1/tapmeshd.log" | tail -2)"
check "memory bounded: under 64 MiB more for the table" test $((rss1 - rss0)) -lt 65536
dropped() { ! sent "$1"; }
check "a source with no route is dropped" dropped 100.64.0.1

# One change at a time, with the table loaded, and a sender already
# running, so that a frame leaves a millisecond after ip route returns.
coproc SENDER { nsx 2 python3 "$RAW" tap0 "$(lab_mac 2)" "$M1" echo4 198.51.100.5 10.255.0.1 -; }
read -r -t 10 line <&"${SENDER[0]}"
check "the sender is ready" test "$line" = ready
# now_in_force WANT: sends one frame now; WANT 1: it must be delivered.
now_in_force() {
	local b t0 t1
	b=$(inechos)
	t0=$(date +%s%N)
	echo >&"${SENDER[1]}"
	read -r -t 5 line <&"${SENDER[0]}"
	t1=$(date +%s%N)
	LAT_US=$(( (t1 - t0) / 1000 ))
	sleep 0.3
	[ $(( $(inechos) - b )) = "$1" ]
}
nsx 1 ip route add 198.51.100.0/24 via 10.255.0.2 dev tap0
check "an added route is in force at once" now_in_force 1
diag "the frame left ${LAT_US} us after ip route add returned"
nsx 1 ip route del 198.51.100.0/24 via 10.255.0.2 dev tap0
check "a deleted route is out of force at once" now_in_force 0
diag "the frame left ${LAT_US} us after ip route del returned"
nsx 1 ip route add 198.51.100.0/24 via 10.255.0.2 dev tap0
t0=$(ms)
for k in $(seq 1 20); do now_in_force 1 && break; done
diag "in force again at try $k, $(( $(ms) - t0 )) ms after ip route add"
exec {SENDER[1]}>&-
sed -i "s/^route add/route del/" "$batch"
t0=$(ms)
out=$(nsx 1 ip -batch "$batch" 2>&1)
check "ip -batch removes them" test -z "$out"
[ -z "$out" ] || diag "$(echo "$out" | head -3)"
check "the batch's last route is out of force" lab_wait 10 dropped "$last4"
diag "removed in $(( $(ms) - t0 )) ms; n1 VmRSS then $(flood_rss "$pid1") kB"
check "the daemon is still running" kill -0 "$pid1"
check "honest ping n2 -> n1" quiet nsx 2 ping -c 2 -i 0.2 -W 2 -q 10.255.0.1
finish
