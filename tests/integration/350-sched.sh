#!/bin/bash
# sched_priority: the data path thread runs SCHED_FIFO at the configured
# priority, the helper threads (netlink sender, resolver) keep the normal
# scheduler, the node without it stays normal; a change on reload is
# refused and leaves the priority as it was; without CAP_SYS_NICE the
# daemon refuses to start, naming file and line, and leaves no TAP
# behind; a policy set from outside (chrt) is logged as inherited.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
for t in chrt setpriv; do
	command -v "$t" >/dev/null || skip_all "$t (util-linux) is needed"
done

lab_init || bail "no lab"
for i in 1 2; do lab_node "$i" || bail "no node $i"; done
for i in 1 2; do lab_config "$i" 1 2; done
echo "sched_priority = 10;" >>"$LAB_DIR/n1/tapmesh.conf"
line=$(grep -n '^sched_priority' "$LAB_DIR/n1/tapmesh.conf" | cut -d: -f1)
for i in 1 2; do lab_start "$i" || bail "node $i did not start"; done
for i in 1 2; do lab_wait_up 10 "$i" 1 || bail "node $i: peer not up"; done

# policy TID: "SCHED_FIFO|SCHED_RESET_ON_FORK 10", "SCHED_OTHER 0", ...
policy() {
	chrt -p "$1" 2>/dev/null | awk -F': ' '
	    /policy/ { p = $2 } /priority/ { n = $2 } END { print p, n }'
}
# helpers PID: the policies of every thread but the first, one a line.
helpers() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "${t##*/}" = "$1" ] || policy "${t##*/}"
	done
}

pid1=$(lab_pid 1)
pid2=$(lab_pid 2)
check "n1 <-> n2 ping" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
check "n1's data path runs SCHED_FIFO at 10" test "$(policy "$pid1")" = "SCHED_FIFO|SCHED_RESET_ON_FORK 10"
check "n1 logs it" grep -q "data path scheduled SCHED_FIFO, priority 10$" \
    "$LAB_DIR/n1/tapmeshd.log"
h=$(helpers "$pid1")
diag "n1's helper threads: $(tr '\n' ';' <<<"$h")"
check "n1 has a helper thread (netlink sender)" test -n "$h"
check "n1's helper threads keep the normal scheduler" \
    test -z "$(grep -v '^SCHED_OTHER 0$' <<<"$h")"
check "n2 (no sched_priority) runs SCHED_OTHER" test "$(policy "$pid2")" = "SCHED_OTHER 0"
check "n2 logs no real-time policy" \
    test -z "$(grep 'data path scheduled' "$LAB_DIR/n2/tapmeshd.log")"

# Only a restart can change it.
sed -i 's/^sched_priority = 10;/sched_priority = 20;/' "$LAB_DIR/n1/tapmesh.conf"
out=$(lab_ctl 1 reload 2>&1)
diag "$out"
check "changing sched_priority on reload is refused" \
    grep -q "sched_priority cannot change on reload" <<<"$out"
check "n1 still runs SCHED_FIFO at 10" test "$(policy "$pid1")" = "SCHED_FIFO|SCHED_RESET_ON_FORK 10"
check "n1 still carries pings" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
sed -i 's/^sched_priority = 20;/sched_priority = 10;/' "$LAB_DIR/n1/tapmesh.conf"

# Without CAP_SYS_NICE: a clear refusal, before anything is set up.
check "n1 exits 0 on SIGTERM" lab_stop 1
ns1=$(lab_ns 1)
out=$(timeout 10 ip netns exec "$ns1" setpriv --bounding-set -sys_nice \
    "$TAPMESHD" -c "$LAB_DIR/n1/tapmesh.conf" 2>&1)
rc=$?
diag "$out"
check "without CAP_SYS_NICE tapmeshd exits 1" test "$rc" = 1
check "the error names file and line" grep -qF \
    "$LAB_DIR/n1/tapmesh.conf:$line: sched_priority 10: cannot run the data path at SCHED_FIFO: Operation not permitted" \
    <<<"$out"
check "no TAP was left behind" test -z "$(ip -n "$ns1" -o link show tap0 2>/dev/null)"

# A policy from outside is kept and said to be inherited; its helpers
# still run normally.
check "n2 exits 0 on SIGTERM" lab_stop 2
wrap=$LAB_DIR/chrt-tapmeshd
printf '#!/bin/sh\nexec chrt -f 5 %s "$@"\n' "$TAPMESHD" >"$wrap"
chmod +x "$wrap"
real=$TAPMESHD
TAPMESHD=$wrap
lab_start 2 || bail "n2 under chrt did not start"
TAPMESHD=$real
lab_start 1 || bail "n1 did not start again"
lab_wait_up 10 2 1 || bail "n2: peer not up"
pid2=$(lab_pid 2)
check "n1 <-> n2 ping after the restarts" quiet nsx 2 ping -c 3 -i 0.2 -W 2 -q 10.255.0.1
check "n2 under chrt runs SCHED_FIFO at 5" test "$(policy "$pid2")" = "SCHED_FIFO|SCHED_RESET_ON_FORK 5"
check "n2 logs the inherited policy" \
    grep -q "data path scheduled SCHED_FIFO, priority 5 (inherited)" \
    "$LAB_DIR/n2/tapmeshd.log"
h=$(helpers "$pid2")
check "n2's helper threads keep the normal scheduler" \
    test -n "$h" -a -z "$(grep -v '^SCHED_OTHER 0$' <<<"$h")"

finish
