#!/bin/bash
# An ARP/NDP storm from the kernel side of the TAP for a few seconds:
# tapstorm (ARP requests and Neighbour Solicitations at full speed, for
# peers and unknown addresses, gratuitous, DAD and truncated ones),
# arping (requests, gratuitous, DAD), ndisc6 solicitations, and pings to
# many unknown addresses that make the kernel resolve them.  The daemon stays up with
# bounded memory, still answers for its peers, counts what it does not
# answer, and pings between the peers go on without loss.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/flood.sh"
need_netns
command -v arping >/dev/null || skip_all "no arping (iputils-arping)"
command -v ndisc6 >/dev/null || skip_all "no ndisc6"
STORM_S=${STORM_S:-4}
# Far above anything the kernel's own resolution sends; a full-speed
# burst follows, where only survival and bounded memory are required.
STORM_RATE=${STORM_RATE:-20000}
STORM=${TOOLS:-$(dirname "$TAPMESHD")/tests/tools}/tapstorm
[ -x "$STORM" ] || bail "no tapstorm tool at $STORM"

tx_dropped() {
	ip -n "$(lab_ns 1)" -s -j link show tap0 |
	    grep -o '"tx":{[^}]*' | grep -o '"dropped":[0-9]*' | cut -d: -f2
}
bg() { "$@" >/dev/null 2>&1 & LAB_PIDS+=("$!"); storm+=("$!"); }

lab_mesh 3 || bail "could not build the mesh"
pid1=$(lab_pid 1)
check "n1 -> n2 before the storm" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2
rss0=$(flood_rss "$pid1")

flood_pings_start 1 10.255.0.2 500
storm=()
start=$(date +%s%N)
ns1=$(lab_ns 1)
# From a packet socket on tap0, STORM_RATE frames a second.
for seed in $(seq 1 "${STORM_PROCS:-1}"); do
	TAPSTORM_RATE=$STORM_RATE ip netns exec "$ns1" timeout $((STORM_S + 5)) "$STORM" tap0 "$(lab_mac 1)" \
	    10.255.0.1 fd00:255::1 5000000 "$STORM_S" 10.255.0.2 10.255.0.3 \
	    fd00:255::2 fd00:255::3 "$(lab_ll 2)" "$(lab_ll 3)" \
	    >"$LAB_DIR/storm$seed.out" 2>&1 &
	LAB_PIDS+=("$!"); storm+=("$!")
done
# arping (its interval is whole seconds): unknown targets, peers,
# gratuitous claiming a peer's address, DAD.
for t in 10.255.0.77 10.255.0.200 10.255.0.2 10.255.0.3; do
	bg timeout $((STORM_S + 5)) ip netns exec "$ns1" arping -q -b -c "$STORM_S" -w "$STORM_S" -I tap0 "$t"
done
bg timeout $((STORM_S + 5)) ip netns exec "$ns1" arping -q -U -c "$STORM_S" -w "$STORM_S" -I tap0 -s 10.255.0.2 10.255.0.2
bg timeout $((STORM_S + 5)) ip netns exec "$ns1" arping -q -D -c "$STORM_S" -w "$STORM_S" -I tap0 10.255.0.3
# ndisc6 to unknown and peer addresses (global and link-local), looped.
bg timeout $((STORM_S + 5)) ip netns exec "$ns1" bash -c "
	end=\$((SECONDS + $STORM_S)); n=0
	while [ \$SECONDS -lt \$end ] && [ \$n -lt 5000 ]; do
		n=\$((n + 1))
		ndisc6 -q -r 1 -w 10 fd00:255::\$((n % 200 + 50)) tap0
		ndisc6 -q -1 -r 1 -w 5 fd00:255::2 tap0
		ndisc6 -q -1 -r 1 -w 5 $(lab_ll 3) tap0
	done"
# Pings to 200 unknown IPv4 and IPv6 addresses: the kernel resolves each.
bg timeout $((STORM_S + 5)) ip netns exec "$ns1" bash -c "
	for k in \$(seq 20 219); do
		ping -c 1 -W 0.05 -q 10.255.0.\$k &
		ping -6 -c 1 -W 0.05 -q fd00:255::\$(printf %x \$k) &
		[ \$((k % 20)) = 0 ] && wait
	done; wait"
for p in "${storm[@]}"; do
	lab_wait $((STORM_S + 10)) lab_gone "$p"
	wait "$p" 2>/dev/null
done
el=$(( ($(date +%s%N) - start) / 1000000 ))
frames=0
for seed in $(seq 1 "${STORM_PROCS:-1}"); do
	diag "tapstorm $seed: $(cat "$LAB_DIR/storm$seed.out")"
	n=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$LAB_DIR/storm$seed.out")
	frames=$(( frames + ${n:-0} ))
done
diag "storm: $frames ARP/NDP frames from tapstorm ($(( frames / STORM_S )) per second), with arping, ndisc6 and ping resolutions, in $el ms"
check "the storm was sent" test "$frames" -gt 10000

flood_pings_wait
diag "$(tail -2 "$LAB_DIR/ping.out")"
diag "tap0 queue drops: $(tx_dropped)"
flood_check_survived 1 "$rss0"
# The storm's generators (tapstorm, a fork per ndisc6 and ping) share
# the two cores with the daemon, and what the daemon cannot read in time
# the kernel drops from the TAP's queue, pings and storm alike: pings
# must keep flowing, with the loss reported.
lost=$(sed -n 's/.* received, \([0-9.]*\)% packet loss.*/\1/p' "$LAB_DIR/ping.out")
diag "pings n1 -> n2 during the storm: ${lost:-?}% lost"
flood_perf_check "pings kept flowing during the storm (loss <= 10%)" \
    test "${lost%.*}" -le 10 -a -n "$lost"
check "n1 still answers ARP for n2" \
    quiet nsx 1 arping -c 1 -w 2 -I tap0 10.255.0.2
check "n1 still answers NS for n3" \
    test "$(nsx 1 ndisc6 -q -1 -r 3 fd00:255::3 tap0)" = "$(lab_mac 3 | tr a-f A-F)"
no_answer() { ! quiet nsx 1 arping -c 2 -w 1 -I tap0 "$1"; }
check "n1 does not answer for an unknown address" no_answer 10.255.0.77
# A full-speed burst: the TAP's queue overflows in the kernel (its
# frames and the pings' alike) once the sender outruns the daemon on
# two shared cores, so loss is only reported here.
flood_pings_start 1 10.255.0.2 200 ping2.out
txd0=$(tx_dropped)
out=$(ip netns exec "$ns1" timeout 10 "$STORM" tap0 "$(lab_mac 1)" \
    10.255.0.1 fd00:255::1 5000000 2 10.255.0.2 fd00:255::2 "$(lab_ll 2)")
txd1=$(tx_dropped)
flood_pings_wait
diag "full-speed burst: tapstorm $out; tap0 queue drops $(( ${txd1:-0} - ${txd0:-0} )); pings: $(sed -n 's/.* received, \(.*loss\).*/\1/p' "$LAB_DIR/ping2.out")"
check "n1 daemon survived the full-speed burst" kill -0 "$pid1"
rss2=$(flood_rss "$pid1")
diag "n1 VmRSS after the burst ${rss2} kB"
flood_perf_check "n1 memory still bounded after the burst" \
    test "${rss2:-999999}" -lt $(( ${rss0:-0} * 2 + 4096 ))
check "n1 -> n3 after the storm" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.3
check "no neighbour entry of an unknown address became PERMANENT" \
    test "$(lab_permanent 1)" -eq 6

check "n1 exits 0 on SIGTERM" lab_stop 1
d=$(counter 1 tap0 arp_ndp); m=$(counter 1 tap0 malformed)
diag "n1: arp_ndp (not answered) $d, malformed $m"
# Half of tapstorm's frames go unanswered and a quarter are malformed.
check "n1 counted the requests it did not answer" test "${d:-0}" -ge $(( frames / 4 ))
check "n1 counted the truncated ones as malformed" test "${m:-0}" -ge $(( frames / 8 ))

finish
