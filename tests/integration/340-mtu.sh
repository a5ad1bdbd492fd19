#!/bin/bash
# A 1300-byte MTU link in the middle of the underlay (a router between
# a and b over IPv4, between c and d over IPv6), under a TAP of the
# default MTU 1406.  What must hold: pings of 1378 bytes without DF get
# through after the first (outer fragmentation, once the sender's kernel
# has learned the path MTU from the router), pings with DF are either
# answered or refused with "fragmentation needed" / "packet too big",
# never silently lost, and TCP over the tunnel completes in both
# directions.  Whether the daemon itself writes "fragmentation needed" /
# "packet too big" into the TAP is checked when it does, skipped (TODO)
# while it does not.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v iperf3 >/dev/null || skip_all "no iperf3"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=15

tl_up <<'EOF' || bail "could not build the lab"
node a                      # 10.255.0.1, IPv4 underlay to b
node b                      # 10.255.0.2
node c                      # 10.255.0.3, IPv6 underlay to d
node d                      # 10.255.0.4
router r
link a r v6
link r b v6 mtu 1300
link c r v6
link r d v6 mtu 1300
peer a b v4
peer c d v6
main keepalive = 1;
main dead_time = 5;
EOF

for p in "a 10.255.0.2" "c 10.255.0.4"; do
	set -- $p
	t=$(tl_wait_secs 15 tl_tunnel "$1" "$2")
	check "$1 -> $2 carries data (after $t s)" test "$t" -lt 15
done

# Largest inner IP packet that fits one datagram: 1300 less the outer IP
# header (20 or 40), UDP (8), tunnel overhead (32) and the inner Ethernet
# header (14).
declare -A FIT=([4]=1226 [6]=1206) DST=([a]=10.255.0.2 [b]=10.255.0.1 [c]=10.255.0.4 [d]=10.255.0.3)
declare -A FAM=([a]=4 [b]=4 [c]=6 [d]=6)

# received OUTPUT: the number of echo replies in ping's summary.
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$1"; }

icmp_seen=
for h in a b c d; do
	dst=${DST[$h]}
	out=$(tlx "$h" ping -c 5 -i 0.2 -W 1 -s 1350 -M dont "$dst" 2>&1)
	rx=$(received "$out")
	diag "$h -> $dst, 1378 bytes, no DF: $rx of 5 answered"
	check "$h -> $dst: 1378-byte pings without DF pass (outer fragmentation; >= 3 of 5)" \
	    test "${rx:-0}" -ge 3

	out=$(tlx "$h" ping -c 5 -i 0.2 -W 1 -s 1350 -M do "$dst" 2>&1)
	rx=$(received "$out")
	mtu=$(grep -o 'mtu = [0-9]*\|mtu=[0-9]*' <<<"$out" | head -1 | tr -dc 0-9)
	err=$(grep -c 'Frag needed\|Packet too big\|message too long' <<<"$out")
	diag "$h -> $dst, 1378 bytes, DF: $rx of 5 answered, $err refused${mtu:+ (mtu $mtu)}"
	# The first probe may be lost while the sender learns the underlay
	# path MTU; every later one is answered or refused.
	check "$h -> $dst: 1378-byte pings with DF are answered or refused, not lost" \
	    test $(( ${rx:-0} + err )) -ge 4
	if [ -n "$mtu" ]; then
		icmp_seen="$icmp_seen $h:$mtu"
		check "$h: the MTU signalled ($mtu) fits the path (<= ${FIT[${FAM[$h]}]})" \
		    test "$mtu" -le "${FIT[${FAM[$h]}]}" -a "$mtu" -ge 1100
		out=$(tlx "$h" ping -c 3 -i 0.2 -W 1 -s $((mtu - 28)) -M do "$dst" 2>&1)
		check "$h -> $dst: pings of the signalled size with DF pass" test "$(received "$out")" -ge 2
	fi
done

T_N=$((T_N + 1))
if [ -n "$icmp_seen" ]; then
	echo "ok $T_N - the daemon writes fragmentation needed / packet too big into the TAP (sender:mtu$icmp_seen)"
else
	echo "ok $T_N # SKIP TODO pmtu-icmp: the daemon does not write ICMP fragmentation needed / packet too big into the TAP yet; outer fragmentation carries DF packets"
fi

# TCP over the tunnel, both directions, both underlay families.
port=5201
for p in "a b" "b a" "c d" "d c"; do
	set -- $p
	port=$((port + 1))
	tl_bg "$2" iperf3 -s -1 -B "${DST[$1]}" -p "$port" >"$TL_STATE/iperf3-$2.out" 2>&1
	srv=$TL_BGPID
	tl_wait_secs 5 tlx "$2" sh -c "ss -ltn | grep -q ':$port '" >/dev/null
	out=$(timeout 20 ip netns exec "tml-$TL_NAME-$1" iperf3 -c "${DST[$1]}" -p "$port" -t 3 -f m 2>&1)
	rc=$?
	lab_wait 5 lab_gone "$srv"
	recv=$(grep ' receiver$' <<<"$out" | tail -1)
	mbit=$(awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i}' <<<"$recv")
	diag "TCP $1 -> $2 over the tunnel (IPv${FAM[$1]} underlay): ${mbit:-?} Mbit/s"
	check "TCP $1 -> $2 across the 1300-byte link completes" \
	    test "$rc" = 0 -a -n "$mbit"
done
# The lab itself: the underlay path a -> b has an MTU of 1300.  (Only
# now: a kernel that learned the path MTU from this ping before the
# daemon sent a large datagram would keep the daemon from learning it.)
out=$(tlx a ping -c 2 -i 0.3 -W 1 -s 1400 -M do 198.18.2.2 2>&1)
check "underlay a -> b: 1428 bytes with DF are refused (mtu 1300)" grep -q "mtu = 1300\|mtu=1300" <<<"$out"
for h in a c; do
	diag "$h: $(tl_ctl "$h" show | sed -n '/^peer:/,$p' | grep '  drops:' | tr -s ' ')"
done

tl_finish
