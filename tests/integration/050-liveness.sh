#!/bin/bash
# Liveness: with keepalive 1 s and dead_time 3 s, a stopped peer is
# marked down within the dead time (its neighbour entries turn FAILED),
# and comes back within seconds of its restart; the others never notice.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
LAB_MAIN_EXTRA='keepalive = 1;
dead_time = 3;'

lab_mesh 3 || bail "could not build the mesh"

failed3() { nsx 1 ip neigh show 10.255.0.3 | grep -q FAILED; }
perm3() { nsx 1 ip neigh show 10.255.0.3 | grep -q PERMANENT; }
check "n1 holds a PERMANENT entry for n3" perm3

t0=$(date +%s%N)
kill -KILL "$(lab_pid 3)"	# a crash: no goodbye of any kind
lab_wait 10 failed3
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
diag "n3 marked down after $ms ms (dead_time 3000 ms)"
check "n1 marks n3 down: entry FAILED" failed3
check "within dead_time + 1 s" test "$ms" -le 4000
check "n1 answers no ARP for n3 (ping fails fast)" \
    test "$(ping_loss 1 10.255.0.3 2 0.2)" = 2
check "n1 logged n3 down once" test "$(grep -c 'peer n3: down' "$LAB_DIR/n1/tapmeshd.log")" = 1
check "n1 <-> n2 unaffected" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2

# The crashed daemon left its TAP behind with the namespace; a restart
# adopts nothing stale because the TAP died with its file descriptor.
t0=$(date +%s%N)
lab_start 3 || bail "n3 restart"
lab_wait 10 perm3
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
diag "n3 back up at n1 $ms ms after its restart"
check "n3 comes back: entry PERMANENT again" perm3
check "within 5 s of the restart" test "$ms" -le 5000
check "n1 -> n3 works again" quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.3
check "n1 logged n3 up twice in all" test "$(grep -c 'peer n3: up' "$LAB_DIR/n1/tapmeshd.log")" = 2

finish
