#!/bin/bash
# Handshake floods from 50 source addresses at full speed: initiations
# of the right type and size with random content (mac1 fails), and real
# initiations from keys the victim does not know with a correct mac1
# (only the per-source rate limit and the cookie stand in the way).  The
# daemon stays up, its memory stays bounded, pings between the peers go
# on, and the refusals are counted.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/flood.sh"
need_netns
HSFLOOD=${TOOLS:-$(dirname "$TAPMESHD")/tests/tools}/hsflood
[ -x "$HSFLOOD" ] || bail "no hsflood tool at $HSFLOOD"
N=${FLOOD_COUNT:-200000}


lab_mesh 3 || bail "could not build the mesh"
lab_node 4 || bail "could not add the flooding host"
srcs=()
for i in $(seq 100 149); do
	ip -n "$(lab_ns 4)" addr add "198.18.0.$i/24" dev ul0 || bail "address"
	srcs+=("198.18.0.$i")
done
pub2=$(cat "$LAB_DIR/n2/public.key")
pid2=$(lab_pid 2)

check "n1 -> n2 before the flood" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2
rss0=$(flood_rss "$pid2")

flood_pings_start 1 10.255.0.2 600
total=0 ms=0
for mode in ${FLOOD_MODES:-random mac1 random mac1}; do
	out=$(nsx 4 timeout 70 "$HSFLOOD" "$mode" 198.18.0.2 5655 "$N" "$pub2" "${srcs[@]}")
	diag "hsflood $mode: $out"
	total=$(( total + $(sed -n 's/^sent \([0-9]*\) .*/\1/p' <<<"$out") ))
	ms=$(( ms + $(sed -n 's/.* in \([0-9]*\) ms/\1/p' <<<"$out") ))
done
rate=$(( total * 1000 / (ms > 0 ? ms : 1) ))
diag "sent $total initiations in $ms ms: $rate per second from ${#srcs[@]} addresses"
check "flood was sent" test "$total" -gt $(( N * 2 ))

flood_pings_wait
diag "$(tail -2 "$LAB_DIR/ping.out")"
read -r kd kh ke <<<"$(flood_kernel_drops 2)"
diag "n2's kernel dropped $kd bulk data, $ke short data and $kh handshake datagrams"
flood_perf_check "n2's kernel dropped no data message (handshakes wait apart)" \
    test "${kd:-x}" = 0 -a "${ke:-x}" = 0
flood_check_survived 2 "$rss0"
lost=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$LAB_DIR/ping.out")
diag "pings n1 -> n2 during the flood: ${lost:-?}% lost"
flood_perf_check "no ping lost during the flood" flood_loss_ok
check "n2 -> n1 after the flood" quiet nsx 2 ping -c 2 -i 0.2 -W 2 -q 10.255.0.1
check "n2 -> n3 after the flood" quiet nsx 2 ping -c 2 -i 0.2 -W 2 -q 10.255.0.3

check "n2 exits 0 on SIGTERM" lab_stop 2
h=$(counter 2 tap0 handshake); r=$(counter 2 tap0 ratelimit)
m=$(counter 2 tap0 malformed)
diag "n2 refused: handshake=$h ratelimit=$r malformed=$m"
check "n2 refused the random initiations (mac1)" test "${h:-0}" -ge $(( N / 2 ))
check "n2 refused the mac1-valid initiations (rate limit, cookie)" \
    test "${r:-0}" -ge $(( N / 2 ))
check "n2 did not log per refused packet" \
    test "$(grep -c 'unknown key' "$LAB_DIR/n2/tapmeshd.log")" -lt 50

finish
