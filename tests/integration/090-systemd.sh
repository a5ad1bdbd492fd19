#!/bin/bash
# systemd: the unit passes `systemd-analyze verify` (also with the
# drop-in contrib/systemd/realtime.conf), and the daemon speaks
# the sd_notify datagram protocol: READY=1 once the TAP, its neighbours
# and sockets are up, RELOADING=1 and READY=1 around a reload, STOPPING=1
# on exit.  (This machine does not run systemd as PID 1, so the unit is
# verified rather than run.)
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v python3 >/dev/null || skip_all "python3 is needed to listen for sd_notify"

unit=$(dirname "$TAPMESHD")/contrib/systemd/tapmeshd@.service
if command -v systemd-analyze >/dev/null && [ -f "$unit" ]; then
	d=$(mktemp -d /tmp/tapmesh-unit.XXXXXX)
	sed -e "s|ExecStartPre=[^ ]*|ExecStartPre=$TAPMESHD|" \
	    -e "s|ExecStart=[^ ]*|ExecStart=$TAPMESHD|" \
	    -e "s|ExecReload=[^ ]*|ExecReload=$TAPMESHCTL|" "$unit" \
	    >"$d/tapmeshd@tap0.service"
	out=$(systemd-analyze verify --man=no "$d/tapmeshd@tap0.service" 2>&1)
	rc=$?
	diag "$out"
	check "systemd-analyze verify accepts the unit" test "$rc" = 0 -a -z "$out"
	# The drop-in for sched_priority (verify reads the .d directory).
	mkdir "$d/tapmeshd@tap0.service.d"
	cp "$TOP_SRCDIR/contrib/systemd/realtime.conf" "$d/tapmeshd@tap0.service.d/"
	out=$(systemd-analyze verify --man=no "$d/tapmeshd@tap0.service" 2>&1)
	rc=$?
	rm -rf "$d"
	diag "$out"
	check "systemd-analyze verify accepts the unit with realtime.conf" \
	    test "$rc" = 0 -a -z "$out"
else
	ok "# SKIP systemd-analyze or the unit is missing"
fi

lab_init || bail "lab"
lab_node 1 && lab_node 2 || bail "nodes"
lab_config 1 1 2
lab_config 2 1 2
sock="$LAB_DIR/notify.sock"
python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    while True:
        print(s.recv(4096).decode(), flush=True)
except socket.timeout:
    pass
' "$sock" >"$LAB_DIR/notify.out" 2>&1 &
LAB_PIDS+=("$!")
lab_wait 5 test -S "$sock" || bail "no notify socket"
NOTIFY_SOCKET=$sock lab_start 1 || bail "n1"
lab_start 2 || bail "n2"
check "READY=1 sent at start" lab_wait 5 grep -qx "READY=1" "$LAB_DIR/notify.out"
check "n1 up and serving when READY" test -S "$LAB_DIR/n1/ctl.sock"
kill -HUP "$(lab_pid 1)"
check "RELOADING=1 sent on SIGHUP" lab_wait 5 grep -qx "RELOADING=1" "$LAB_DIR/notify.out"
check "READY=1 again after the reload" lab_wait 5 test "$(grep -cx READY=1 "$LAB_DIR/notify.out")" -ge 2
check "n1 exits 0" lab_stop 1
check "STOPPING=1 sent on exit" lab_wait 5 grep -qx "STOPPING=1" "$LAB_DIR/notify.out"

finish
