#!/bin/bash
# Slow rounds of the event loop are visible: tapmeshctl show (text and
# JSON), the metrics and the exit log count the rounds of 1, 10 and
# 100 ms or more and give the longest; a round of 100 ms or more is
# logged as a warning, once (a second within the minute only counts).
# A stall is made by stopping n1's daemon (SIGSTOP, 300 ms, SIGCONT)
# while iperf3 keeps it busy, so that the stop falls inside a round; a
# stop that falls into epoll_wait does not count, so it is tried again.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v iperf3 >/dev/null || skip_all "no iperf3"

lab_init || bail "no lab"
for i in 1 2; do lab_node "$i" || bail "no node $i"; done
for i in 1 2; do lab_config "$i" 1 2; done
for i in 1 2; do lab_start "$i" || bail "node $i did not start"; done
for i in 1 2; do lab_wait_up 10 "$i" 1 || bail "node $i: peer not up"; done
pid1=$(lab_pid 1)

# loop_field NAME: a member of n1's "event_loop" object in show --json.
loop_field() {
	lab_ctl 1 show --json | python3 -c '
import json, sys
print(json.load(sys.stdin)["interface"]["event_loop"][sys.argv[1]])' "$1"
}
# warnings: how many slow-round warnings n1 logged.
warnings() {
	grep -c "event loop: [0-9]* .*round.* of 100 ms or more.*frames and timers waited that long" \
	    "$LAB_DIR/n1/tapmeshd.log"
}

check "show --json has the event loop's counters" \
    test -n "$(loop_field rounds_over_1ms)" -a -n "$(loop_field longest_round_us)"
check "show says it in words" \
    quiet grep -E "^  event loop: [0-9]+ rounds of 1 ms or more, [0-9]+ of 10 ms, [0-9]+ of 100 ms; longest [0-9]+ us$" \
    <(lab_ctl 1 show)
before=$(loop_field rounds_over_100ms)
diag "n1 before: $before rounds of 100 ms or more"

nsx 2 iperf3 -s -p 5201 -D -I "$LAB_DIR/n2/iperf3.pid" \
    --logfile "$LAB_DIR/n2/iperf3-server.out" || bail "iperf3 server"
lab_wait 5 test -s "$LAB_DIR/n2/iperf3.pid"
LAB_PIDS+=("$(cat "$LAB_DIR/n2/iperf3.pid")")
sleep 0.5
nsx 1 timeout 60 iperf3 -c 10.255.0.2 -p 5201 -t 30 >"$LAB_DIR/c12.out" 2>&1 &
LAB_PIDS+=("$!")
sleep 2

# stall_past N: stops n1's daemon for 300 ms, up to 10 times, until it
# has counted more than N rounds of 100 ms or more; sets TRIES.
stall_past() {
	TRIES=0
	while [ "$TRIES" -lt 10 ]; do
		kill -STOP "$pid1"
		sleep 0.3
		kill -CONT "$pid1"
		sleep 0.3
		TRIES=$((TRIES + 1))
		[ "$(loop_field rounds_over_100ms)" -gt "$1" ] && return 0
	done
	return 1
}
stall_past "$before"
slow=$(loop_field rounds_over_100ms)
diag "after $TRIES stop(s): $slow rounds of 100 ms or more, longest $(loop_field longest_round_us) us"
check "a stop inside a round counts as a round of 100 ms or more" test "$slow" -gt "$before"
check "... and as one of 10 and of 1 ms" \
    test "$(loop_field rounds_over_10ms)" -ge "$slow" -a "$(loop_field rounds_over_1ms)" -ge "$slow"
check "the longest round is at least 300 ms" test "$(loop_field longest_round_us)" -ge 300000
warned() { [ "$(warnings)" -ge 1 ]; }
check "n1 warned of it" lab_wait 3 warned
diag "$(grep 'event loop:' "$LAB_DIR/n1/tapmeshd.log" | tail -1)"
m=$(lab_ctl 1 metrics)
check "the metric counts it" test "$(sed -n 's/^tapmesh_event_loop_slow_rounds_total{interface="tap0",over="100ms"} \([0-9]*\)$/\1/p' <<<"$m")" = "$slow"
check "the longest round is a metric" \
    quiet grep -E '^tapmesh_event_loop_longest_round_seconds\{interface="tap0"\} 0\.[3-9]|^tapmesh_event_loop_longest_round_seconds\{interface="tap0"\} [1-9]' <<<"$m"

# A second stall within the minute is counted, not logged again.
check "a second stall is counted" stall_past "$slow"
sleep 0.3
check "... but not logged again within the minute" test "$(warnings)" = 1

check "n1 -> n2 still" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
lab_stop 1
line=$(grep "event loop: longest round" "$LAB_DIR/n1/tapmeshd.log" | tail -1)
diag "$line"
check "the exit log has the longest round and the counts" \
    quiet grep -E "event loop: longest round [0-9]+ us; [0-9]+ rounds of 1 ms or more, [0-9]+ of 10 ms, [1-9][0-9]* of 100 ms$" <<<"$line"
check "loop_longest still reads it" test "$(loop_longest 1)" -ge 300000
finish
