# Common helpers of the integration tests: TAP (Test Anything Protocol)
# output, so that automake counts every check, and the netns lab.
#
# Run from `make check`, which sets TAPMESHD and TOP_SRCDIR; by hand:
#   TAPMESHD=./tapmeshd TOP_SRCDIR=. bash tests/integration/020-mesh.sh

: "${TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${TAPMESHD:=$TOP_SRCDIR/tapmeshd}"
export TAPMESHD TOP_SRCDIR
. "$TOP_SRCDIR/contrib/netns-lab.sh"

T_N=0
T_FAIL=0

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
diag() { [ -n "$*" ] && echo "$*" | sed "s/^/# /"; return 0; }

# check DESCRIPTION COMMAND...: one test point from a command's status.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# todo_check DESCRIPTION REASON COMMAND...: a check that a known daemon
# problem may fail: "ok" when it holds, "not ok ... # TODO REASON" (an
# expected failure) when it does not.
todo_check() {
	local desc=$1 why=$2
	shift 2
	T_N=$((T_N + 1))
	if "$@"; then
		echo "ok $T_N - $desc"
	else
		echo "not ok $T_N - $desc # TODO $why"
	fi
}

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; exit 1; }

# finish: prints the plan and exits non-zero if any check failed.
finish() {
	local f
	if [ "$T_FAIL" -ne 0 ] && [ -n "$LAB_DIR" ]; then
		# The daemons' own words, for a failure seen only in CI.
		for f in "$LAB_DIR"/n*/tapmeshd.log; do
			[ -f "$f" ] || continue
			diag "--- $f"
			diag "$(tail -40 "$f")"
		done
	fi
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

need_netns() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
	ip netns add "tmprobe-$$" 2>/dev/null || skip_all "cannot create network namespaces"
	ip netns del "tmprobe-$$"
	trap lab_cleanup EXIT
	trap 'exit 1' INT TERM
}

# quiet COMMAND...: runs COMMAND with its output thrown away.
quiet() { "$@" >/dev/null 2>&1; }

# nsx I COMMAND...: runs COMMAND inside node I.
nsx() {
	local i=$1
	shift
	ip netns exec "$(lab_ns "$i")" "$@"
}

# counter I WHO NAME: a counter from node I's exit log, where WHO is a
# peer name or "tap0" (the interface totals) and NAME a drop reason.
counter() {
	sed -n "s/^tapmeshd: \\(peer \\)\\{0,1\\}$2: .*drops.* $3=\\([0-9]*\\).*/\\2/p" \
	    "$LAB_DIR/n$1/tapmeshd.log" | tail -1
}

# ping_loss I DST COUNT INTERVAL: pings and prints how many were lost.
ping_loss() {
	local out tx rx
	out=$(nsx "$1" ping -q -c "$3" -i "$4" -W 1 "$2" 2>&1)
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	echo $(( ${tx:-0} - ${rx:-0} ))
}

# ping_pairs COUNT A-B...: starts, in the background, COUNT pings every
# 10 ms from node A to node B's tunnel address for each pair A-B; the
# output goes to $LAB_DIR/ping-A-B.out.
ping_pairs() {
	local count=$1 pair
	shift
	for pair in "$@"; do
		nsx "${pair%-*}" ping -c "$count" -i 0.01 -W 1 -q \
		    "10.255.0.${pair#*-}" >"$LAB_DIR/ping-$pair.out" 2>&1 &
		LAB_PIDS+=("$!")
		eval "PING_PID_${pair/-/_}=$!"
	done
}

# ping_pair_lost A-B: waits (60 s at most) for that pair's pings to end,
# reports their summary and prints how many were lost (all if none ran).
ping_pair_lost() {
	local pid out tx rx
	pid=$(eval "echo \$PING_PID_${1/-/_}")
	lab_wait 60 lab_gone "$pid"
	wait "$pid"
	out=$(grep 'packets transmitted' "$LAB_DIR/ping-$1.out")
	diag "$1: $out" >&2
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	echo $(( ${tx:-1} - ${rx:-0} ))
}

# netns_etc I NAMESERVER OPTIONS: node I's own resolv.conf (that server,
# those options) and a hosts file with localhost only, in
# /etc/netns/NS/, which `ip netns exec` mounts over /etc; prints the
# directory.  netns_etc_cleanup removes every one made.
NETNS_ETC=()
netns_etc() {
	local d
	d=/etc/netns/$(lab_ns "$1")
	mkdir -p "$d" || return 1
	NETNS_ETC+=("$d")
	printf 'nameserver %s\noptions %s\n' "$2" "$3" >"$d/resolv.conf"
	printf '127.0.0.1 localhost\n' >"$d/hosts"
}
netns_etc_cleanup() {
	local d
	for d in "${NETNS_ETC[@]}"; do
		rm -f "$d/hosts" "$d/resolv.conf"
		rmdir "$d" 2>/dev/null
	done
	NETNS_ETC=()
}

# ping_summary FILE WHAT: notes the summary of a finished ping whose
# output is in FILE (WHAT says which) and sets PING_TX, PING_RX and
# PING_MAX (the max RTT in ms, empty if none).
ping_summary() {
	diag "$(tail -2 "$1")"
	PING_TX=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1")
	PING_RX=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1")
	PING_MAX=$(sed -n 's|^rtt [^=]*= [^/]*/[^/]*/\([^/]*\)/.*|\1|p' "$1")
	diag "ping $2: $PING_TX sent, $PING_RX received, max RTT ${PING_MAX:-?} ms"
}

# loop_longest I: the longest busy round of node I's event loop, in us,
# from the line tapmeshd logs at exit (empty before it exited).
loop_longest() {
	sed -n 's/.*event loop: longest round \([0-9]*\) us.*/\1/p' \
	    "$LAB_DIR/n$1/tapmeshd.log"
}
