# tapmesh network-namespace lab, sourced by contrib/demo.sh and the
# integration tests.  Builds test hosts in network namespaces joined by
# veth pairs to a bridge in a "switch" namespace, writes a tapmesh
# configuration for each and runs tapmeshd in it.  Only namespaces and
# processes this lab created are ever touched; every wait is bounded.
#
# Node i (1..254): namespace tmn<i>-<id>, underlay 198.18.0.<i>/24 on ul0
# (a benchmarking range, RFC 2544, kept inside the namespaces), tunnel
# addresses 10.255.0.<i>/24 and fd00:255::<i>/64 on tap0.
#
# Each node has its own key pair (tapmeshctl genkey | tapmeshctl pubkey).
#
# Variables: TAPMESHD (the daemon binary, required), TAPMESHCTL (default:
# beside TAPMESHD), LAB_ID (a unique suffix, default the shell's PID),
# LAB_MAIN_EXTRA (lines appended to every main file, e.g. timers).

LAB_ID=${LAB_ID:-$$}
TAPMESHCTL=${TAPMESHCTL:-$(dirname "$TAPMESHD")/tapmeshctl}
LAB_MAIN_EXTRA=${LAB_MAIN_EXTRA:-}
LAB_NS=()
LAB_PIDS=()
LAB_DIR=
LAB_SW=

lab_log() { echo "lab: $*" >&2; }

# lab_wait SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds
# or SECONDS have passed; returns its last status.
lab_wait() {
	local limit=$(( $1 * 10 )) n=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n + 1))
		[ "$n" -ge "$limit" ] && return 1
		sleep 0.1
	done
	return 0
}

lab_ns() { echo "tmn$1-$LAB_ID"; }

lab_init() {
	LAB_DIR=$(mktemp -d /tmp/tapmesh-lab.XXXXXX) || return 1
	# Readable by a daemon that dropped privileges (the keys stay 0600).
	chmod 755 "$LAB_DIR"
	LAB_SW="tmsw-$LAB_ID"
	ip netns add "$LAB_SW" || return 1
	LAB_NS+=("$LAB_SW")
	ip -n "$LAB_SW" link set lo up
	ip -n "$LAB_SW" link add br0 type bridge
	ip -n "$LAB_SW" link set br0 up
}

# lab_node I: creates node I with its underlay link to the switch.
lab_node() {
	local i=$1 ns
	ns=$(lab_ns "$i")
	ip netns add "$ns" || return 1
	LAB_NS+=("$ns")
	ip -n "$ns" link set lo up
	ip link add ul0 netns "$ns" type veth peer name "v$i" netns "$LAB_SW" \
	    || return 1
	ip -n "$LAB_SW" link set "v$i" master br0
	ip -n "$LAB_SW" link set "v$i" up
	ip -n "$ns" addr add "198.18.0.$i/24" dev ul0
	ip -n "$ns" link set ul0 up
	mkdir -p "$LAB_DIR/n$i/conf.d"
	lab_keygen "$i"
}

# lab_keygen I: a new key pair for node I (private.key, mode 0600).
lab_keygen() {
	local dir="$LAB_DIR/n$1"
	(umask 077 && "$TAPMESHCTL" genkey >"$dir/private.key") || return 1
	"$TAPMESHCTL" pubkey <"$dir/private.key" >"$dir/public.key"
}

# lab_config I PEERS...: writes node I's main file and one peer file for
# each node number in PEERS.
lab_config() {
	local i=$1 j dir
	shift
	dir="$LAB_DIR/n$i"
	cat >"$dir/tapmesh.conf" <<EOC
interface = "tap0";
address = [ "10.255.0.$i/24", "fd00:255::$(printf %x "$i")/64" ];
listen = 5655;
peers_dir = "conf.d";
private_key_file = "private.key";
control_socket = "ctl.sock";
$LAB_MAIN_EXTRA
EOC
	for j in "$@"; do
		[ "$j" = "$i" ] && continue
		cat >"$dir/conf.d/n$j.conf" <<EOC
name = "n$j";
public_key = "$(cat "$LAB_DIR/n$j/public.key")";
address = [ "10.255.0.$j", "fd00:255::$(printf %x "$j")" ];
endpoints = ( { host = "198.18.0.$j"; port = 5655; priority = 10; } );
EOC
	done
}

# lab_start I: starts tapmeshd in node I and waits until it listens.
lab_start() {
	local i=$1 ns log
	ns=$(lab_ns "$i")
	log="$LAB_DIR/n$i/tapmeshd.log"
	# Emptied here, not by the child's redirection: otherwise the wait
	# below may still read a previous run's "listening" line.
	: >"$log"
	ip netns exec "$ns" "$TAPMESHD" -c "$LAB_DIR/n$i/tapmesh.conf" \
	    >>"$log" 2>&1 &
	LAB_PIDS+=("$!")
	eval "LAB_PID_$i=$!"
	if ! lab_wait 10 grep -q "listening on UDP" "$log"; then
		lab_log "tapmeshd in node $i did not start:"
		cat "$log" >&2
		return 1
	fi
}

lab_pid() { eval "echo \${LAB_PID_$1:-}"; }

# lab_ctl I ARGS...: tapmeshctl against node I's daemon.
lab_ctl() {
	local i=$1
	shift
	"$TAPMESHCTL" -s "$LAB_DIR/n$i/ctl.sock" "$@"
}

# lab_stop I: SIGTERM to node I's daemon; waits up to 5 s for its exit
# and returns its exit status.
lab_stop() {
	local pid rc
	pid=$(lab_pid "$1")
	[ -n "$pid" ] || return 1
	kill -TERM "$pid" 2>/dev/null
	if ! lab_wait 5 lab_gone "$pid"; then
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?
	eval "LAB_PID_$1="
	return $rc
}

lab_gone() { ! kill -0 "$1" 2>/dev/null; }

# lab_cleanup: stops every daemon the lab started (by PID) and deletes
# every namespace it created.
lab_cleanup() {
	local pid ns
	for pid in "${LAB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		lab_wait 5 lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${LAB_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	LAB_PIDS=()
	LAB_NS=()
	[ -n "$LAB_DIR" ] && rm -rf "$LAB_DIR"
	LAB_DIR=
}

# lab_permanent I: the number of PERMANENT neighbour entries on node I.
lab_permanent() {
	ip -n "$(lab_ns "$1")" neigh show dev tap0 nud permanent 2>/dev/null |
	    wc -l
}

# lab_wait_up SECONDS I COUNT: waits until node I has COUNT peers up
# (three neighbour entries each).
lab_wait_up() {
	lab_wait "$1" lab_test_up "$2" "$3"
}
lab_test_up() { [ "$(lab_permanent "$1")" -eq $(( $2 * 3 )) ]; }

# lab_mesh N: N nodes, each configured with all others, all started, and
# every session up.
lab_mesh() {
	local n=$1 i all=()
	for i in $(seq 1 "$n"); do all+=("$i"); done
	lab_init || return 1
	for i in "${all[@]}"; do lab_node "$i" || return 1; done
	for i in "${all[@]}"; do lab_config "$i" "${all[@]}"; done
	for i in "${all[@]}"; do lab_start "$i" || return 1; done
	for i in "${all[@]}"; do
		if ! lab_wait_up 10 "$i" $(( n - 1 )); then
			lab_log "node $i: not every peer came up:"
			cat "$LAB_DIR/n$i/tapmeshd.log" >&2
			return 1
		fi
	done
}

# lab_mac I: the synthetic MAC of node I (prefix 00).
lab_mac() { printf '02:00:0a:ff:00:%02x' "$1"; }

# lab_ll I: the link-local address derived from node I's MAC.
lab_ll() { printf 'fe80::aff:feff:%x' "$1"; }
