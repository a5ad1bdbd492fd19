# Helpers of the integration tests built on contrib/lab/tapmesh-lab (the
# description-file lab), sourced after tests/lib/common.sh and need_netns:
#
#   tl_up <<EOF ... EOF    builds and starts the lab described on stdin
#   tlx HOST CMD...        runs CMD in HOST's namespace
#   tl_ctl NODE ARGS...    tapmeshctl against NODE's daemon
#   tl_bg HOST CMD...      CMD in the background, stopped by PID at exit
#   tl_finish              finish, with the daemons' logs on failure
#
# The lab is named after the test and the shell's PID, so that tests
# running at the same time never share a namespace; the EXIT trap takes
# it down (every daemon by PID, every namespace it created).

TL=$TOP_SRCDIR/contrib/lab/tapmesh-lab
TL_NAME=t$(basename "$0" .sh | cut -c1-3)-$$
TL_STATE=/tmp/tapmesh-lab-$TL_NAME
TL_BG=()
TL_UP=0
export TAPMESHD TAPMESHCTL

tl() { bash "$TL" -n "$TL_NAME" "$@"; }
tlx() { local h=$1; shift; ip netns exec "tml-$TL_NAME-$h" "$@"; }
tl_ctl() { local h=$1; shift; "$TAPMESHCTL" -s "$TL_STATE/$h/ctl.sock" "$@"; }
tl_log() { cat "$TL_STATE/$1/tapmeshd.log"; }

tl_cleanup() {
	local pid
	# Daemons of tests/lib/routing.sh (LAB_PIDS) stop before their
	# namespaces and TL_STATE go.
	TL_BG+=("${LAB_PIDS[@]}")
	LAB_PIDS=()
	for pid in "${TL_BG[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${TL_BG[@]}"; do
		lab_wait 3 lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	TL_BG=()
	[ "$TL_UP" = 1 ] && tl down >/dev/null 2>&1
	TL_UP=0
	lab_cleanup
}
trap tl_cleanup EXIT

# tl_up: the description on stdin ("name" is set by the test).  The
# summary goes to $TL_STATE/summary; returns non-zero if up failed.
tl_up() {
	local desc rc
	desc=$(mktemp /tmp/tapmesh-lab-desc.XXXXXX) || return 1
	cat >"$desc"
	TL_UP=1
	tl up "$desc" >"$desc.out" 2>&1
	rc=$?
	[ "$rc" = 0 ] || cat "$desc.out" >&2
	[ -d "$TL_STATE" ] && cp "$desc.out" "$TL_STATE/up.out"
	rm -f "$desc" "$desc.out"
	[ "$rc" = 0 ] && [ -f "$TL_STATE/summary" ]
}

# tl_bg HOST CMD...: CMD in HOST's namespace in the background; its PID
# in TL_BGPID.
tl_bg() {
	local h=$1
	shift
	ip netns exec "tml-$TL_NAME-$h" "$@" &
	TL_BGPID=$!
	TL_BG+=("$TL_BGPID")
}

# tl_wait_secs SECONDS COMMAND...: runs COMMAND until it succeeds, for at
# most SECONDS by the clock; prints the seconds it took (or SECONDS).
tl_wait_secs() {
	local start=$SECONDS end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo $((SECONDS - start))
			return 1
		fi
		sleep 0.2
	done
	echo $((SECONDS - start))
}

# tl_tunnel HOST DST: one ping over the tunnel answered.
tl_tunnel() { tlx "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }

# tl_ping HOST DST [ARGS...]: two pings answered.
tl_ping() {
	local h=$1 d=$2
	shift 2
	tlx "$h" ping -c 2 -i 0.2 -W 2 -q "$@" "$d" >/dev/null 2>&1
}

# tl_ll ID: the link-local address of node ID (mac_prefix 0, IPv4 tunnel
# address 10.255.0.ID).
tl_ll() { printf 'fe80::aff:feff:%x' "$1"; }

tl_finish() {
	local f
	if [ "$T_FAIL" -ne 0 ] && [ -d "$TL_STATE" ]; then
		for f in "$TL_STATE"/*/tapmeshd.log; do
			[ -f "$f" ] || continue
			diag "--- $f"
			diag "$(tail -30 "$f")"
		done
	fi
	finish
}
