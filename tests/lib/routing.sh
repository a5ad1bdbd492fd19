# Helpers of the routing integration tests (tests/integration/1*.sh):
# BIRD 2 and FRR daemons run inside the lab's nodes, each with private
# paths under $LAB_DIR, so a test never touches a system-wide service.
# Every daemon runs in the foreground as a background job of the shell;
# its PID joins LAB_PIDS, so lab_cleanup stops it by PID like tapmeshd.
#
# Source after tests/lib/common.sh.  Conventions beside those of the lab:
# node i has the loopback addresses 10.0.0.<i>/32 and fd00:1::<i>/128 on
# lo, and forwards IPv4 and IPv6.

BIRD=${BIRD:-$(command -v bird 2>/dev/null || echo /usr/sbin/bird)}
BIRDC=${BIRDC:-$(command -v birdc 2>/dev/null || echo /usr/sbin/birdc)}
FRR_DIR=${FRR_DIR:-/usr/lib/frr}
VTYSH=${VTYSH:-$(command -v vtysh 2>/dev/null || echo /usr/bin/vtysh)}

# rt_need_bird: skips the whole test unless BIRD 2 is installed.
rt_need_bird() {
	[ -x "$BIRD" ] && [ -x "$BIRDC" ] || skip_all "BIRD 2 (bird, birdc) not installed"
	"$BIRD" --version 2>&1 | grep -q "BIRD version 2" ||
	    skip_all "$BIRD is not BIRD 2"
}

# rt_need_frr DAEMON...: skips the whole test unless vtysh, zebra and
# every DAEMON of FRR are installed, and the frr user exists.
rt_need_frr() {
	local d
	[ -x "$VTYSH" ] || skip_all "FRR vtysh not installed"
	for d in zebra "$@"; do
		[ -x "$FRR_DIR/$d" ] || skip_all "FRR $d not installed ($FRR_DIR)"
	done
	id frr >/dev/null 2>&1 || skip_all "no frr user"
}

# rt_need_cmd CMD...: skips the whole test unless every CMD is found.
rt_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed"
	done
}

# rt_ms: the monotonic-enough wall clock in milliseconds.
rt_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# rt_ns I, rt_home: node I's namespace and the directory the daemons'
# files go below: the netns lab's node I and LAB_DIR, or in a test on
# contrib/lab's lab (tests/lib/lab.sh, which sets TL_NAME) the host
# named I and TL_STATE.
rt_ns() {
	if [ -n "${TL_NAME:-}" ]; then echo "tml-$TL_NAME-$1"; else lab_ns "$1"; fi
}
rt_home() {
	if [ -n "${TL_NAME:-}" ]; then echo "$TL_STATE"; else echo "$LAB_DIR"; fi
}

# rt_node_setup I: the loopback addresses 10.0.0.I/32 and fd00:1::I/128
# on lo, and forwarding on, in node I.
rt_node_setup() {
	local i=$1 ns
	ns=$(lab_ns "$i")
	ip -n "$ns" addr add "10.0.0.$i/32" dev lo || return 1
	ip -n "$ns" addr add "fd00:1::$(printf %x "$i")/128" dev lo || return 1
	nsx "$i" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# rt_register NAME I PID: remembers PID as daemon NAME of node I and
# hands it to the lab's cleanup.
rt_register() {
	LAB_PIDS+=("$3")
	eval "RT_PID_${1}_$2=$3"
}

# rt_pid NAME I: the PID of daemon NAME in node I (empty if stopped).
rt_pid() { eval "echo \${RT_PID_${1}_$2:-}"; }

# rt_kill NAME I: SIGTERM to daemon NAME of node I, SIGKILL after 5 s.
rt_kill() {
	local pid
	pid=$(rt_pid "$1" "$2")
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	lab_wait 5 lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "RT_PID_${1}_$2="
}

# --- BIRD ------------------------------------------------------------

rt_bird_dir() { echo "$(rt_home)/n$1"; }

# rt_bird_start I CONF: runs BIRD in node I with CONF (the test's own
# file, or a wrapper that includes a contrib/bird/ example), its control
# socket at $(rt_home)/n<I>/bird.ctl, its log in bird.log there.
rt_bird_start() {
	local i=$1 conf=$2 dir pid
	dir=$(rt_bird_dir "$i")
	mkdir -p "$dir" || return 1
	if ! "$BIRD" -p -c "$conf" >"$dir/bird.parse" 2>&1; then
		lab_log "node $i: BIRD refuses $conf:"
		cat "$dir/bird.parse" >&2
		return 1
	fi
	ip netns exec "$(rt_ns "$i")" "$BIRD" -f -c "$conf" \
	    -s "$dir/bird.ctl" -P "$dir/bird.pid" >"$dir/bird.out" 2>&1 &
	pid=$!
	rt_register bird "$i" "$pid"
	if ! lab_wait 10 rt_birdc "$i" show status; then
		lab_log "node $i: BIRD did not start:"
		cat "$dir/bird.out" >&2
		return 1
	fi
}

# rt_birdc I COMMAND...: a birdc command against node I's BIRD.
rt_birdc() {
	local i=$1
	shift
	"$BIRDC" -s "$(rt_bird_dir "$i")/bird.ctl" "$@"
}

# rt_bird_wrap I FILE LINES: writes to FILE a configuration for node I
# made of LINES (router id, log file) and the rest of the text on stdin.
rt_bird_wrap() {
	local i=$1 file=$2
	{
		echo "log \"$(rt_bird_dir "$i")/bird.log\" all;"
		cat
	} >"$file"
}

# rt_bird_ospf_full I COUNT [PROTO]: true when node I's BIRD protocol
# PROTO (default ospf4) has COUNT neighbours in state Full.
rt_bird_ospf_full() {
	local n
	n=$(rt_birdc "$1" show ospf neighbors "${3:-ospf4}" 2>/dev/null |
	    grep -c 'Full/')
	[ "$n" -eq "$2" ]
}

# rt_bird_example I EXAMPLE: sets node I up for routing and runs BIRD in
# it with the file EXAMPLE (an absolute path) included unchanged.
rt_bird_example() {
	rt_node_setup "$1" || bail "node $1 setup"
	rt_bird_wrap "$1" "$LAB_DIR/n$1/bird.conf" <<EOC
include "$2";
EOC
	rt_bird_start "$1" "$LAB_DIR/n$1/bird.conf" || bail "BIRD in node $1"
}

# rt_bird_mesh CONF: checks that the shipped example CONF (a path below
# TOP_SRCDIR) parses, builds a full mesh of three nodes and runs BIRD in
# each with CONF unchanged.  Sets RT_T0 to the time BIRD was started.
rt_bird_mesh() {
	local conf=$1 example=$TOP_SRCDIR/$1 i
	check "$conf parses (bird -p)" quiet "$BIRD" -p -c "$example"
	lab_mesh 3 || bail "could not build the mesh"
	RT_T0=$(rt_ms)
	for i in 1 2 3; do rt_bird_example "$i" "$example"; done
}

# rt_bird_check_full PROTO NAME: one check per node of rt_bird_mesh that
# both its neighbours of BIRD protocol PROTO (ospf4, ospf6), called NAME
# in the checks, reach Full, then the time that took and node 1's
# neighbours as diagnostics.
rt_bird_check_full() {
	local i
	for i in 1 2 3; do
		lab_wait 40 rt_bird_ospf_full "$i" 2 "$1"
		check "n$i: both $2 neighbours Full" rt_bird_ospf_full "$i" 2 "$1"
	done
	diag "all adjacencies Full $(( $(rt_ms) - RT_T0 )) ms after the start of BIRD"
	diag "$(rt_birdc 1 show ospf neighbors "$1" | tail -n +2)"
}

# rt_cut_primary I: cuts node I's primary0 link (the circuit beside the
# tunnel) with nftables, every direction; `nsx I nft delete table inet
# cut` restores it.
rt_cut_primary() {
	nsx "$1" nft -f - <<'EON'
table inet cut {
	chain cin { type filter hook input priority 0; iifname "primary0" drop; }
	chain cfwd { type filter hook forward priority 0; iifname "primary0" drop; }
	chain cout { type filter hook output priority 0; oifname "primary0" drop; }
}
EON
}

# --- FRR -------------------------------------------------------------

rt_frr_dir() { echo "$(rt_home)/frr$1"; }

# rt_frr_start I CONF DAEMON...: runs zebra and each DAEMON (ospfd,
# ospf6d, bgpd, isisd, bfdd, staticd) of FRR in node I, all with their
# vty sockets, zebra socket, PID files and logs in $(rt_home)/frr<I>
# (owned by the frr user the daemons drop to), then loads the
# integrated configuration CONF into them with vtysh.
rt_frr_start() {
	local i=$1 conf=$2 dir d pid
	shift 2
	dir=$(rt_frr_dir "$i")
	mkdir -p "$dir" || return 1
	# The daemons run as frr: they must reach their directory.
	chmod 711 "$(rt_home)"
	chown frr:frr "$dir"
	for d in zebra "$@"; do
		ip netns exec "$(rt_ns "$i")" "$FRR_DIR/$d" -P 0 -f /dev/null \
		    -z "$dir/zserv.api" -i "$dir/$d.pid" --vty_socket "$dir" \
		    --log "file:$dir/$d.log" >"$dir/$d.out" 2>&1 &
		pid=$!
		rt_register "$d" "$i" "$pid"
		if ! lab_wait 10 test -S "$dir/$d.vty"; then
			lab_log "node $i: FRR $d did not start:"
			cat "$dir/$d.out" "$dir/$d.log" >&2
			return 1
		fi
		if [ "$d" = zebra ] && ! lab_wait 10 test -S "$dir/zserv.api"; then
			lab_log "node $i: zebra did not open its socket"
			return 1
		fi
	done
	eval "RT_FRR_DAEMONS_$i=\"zebra $*\""
	if ! rt_vtysh_file "$i" "$conf" >"$dir/vtysh.out" 2>&1; then
		lab_log "node $i: vtysh did not load $conf:"
		cat "$dir/vtysh.out" >&2
		return 1
	fi
}

# rt_vtysh I COMMAND...: one vtysh command per argument, in node I.
rt_vtysh() {
	local i=$1 a=()
	shift
	for c in "$@"; do a+=(-c "$c"); done
	ip netns exec "$(rt_ns "$i")" "$VTYSH" --vty_socket "$(rt_frr_dir "$i")" \
	    "${a[@]}"
}

# rt_vtysh_file I FILE: loads configuration FILE into node I's daemons.
rt_vtysh_file() {
	ip netns exec "$(rt_ns "$1")" "$VTYSH" --vty_socket "$(rt_frr_dir "$1")" \
	    -f "$2"
}

# rt_frr_stop I: stops node I's FRR daemons, the routing ones first.
rt_frr_stop() {
	local i=$1 d list
	eval "list=\${RT_FRR_DAEMONS_$i:-}"
	for d in $(echo "$list" | tr ' ' '\n' | tac); do rt_kill "$d" "$i"; done
}

# rt_frr_check FILE: FRR's own dry run of an integrated configuration
# (every daemon's commands are known to vtysh).
rt_frr_check() {
	"$VTYSH" --dryrun -f "$1" 2>&1
}

# --- routes and traffic ------------------------------------------------

# rt_via I DST [SELECTOR...]: "ADDR DEV", the next hop the kernel of
# node I picks for DST (and the ip route get selectors that follow).
rt_via() {
	local i=$1
	shift
	nsx "$i" ip route get "$@" 2>/dev/null |
	    sed -n 's/.* via \([^ ]*\) dev \([^ ]*\).*/\1 \2/p' | head -1
}

# rt_check_mesh_routes PREFIX NEXTHOP: in a full mesh of three nodes,
# one check per node I and other node J that the kernel of I routes
# PREFIX<J> (the loopback of J) via "$(NEXTHOP J)" on tap0, each after up
# to 20 s for all of I's routes, then the time since RT_T0.
rt_check_mesh_routes() {
	local prefix=$1 nh=$2 i j got
	for i in 1 2 3; do
		lab_wait 20 rt_mesh_routes_in "$i" "$prefix" "$nh"
		for j in 1 2 3; do
			[ "$i" = "$j" ] && continue
			got=$(rt_via "$i" "$prefix$j")
			check "n$i: $prefix$j via $("$nh" "$j") dev tap0" \
			    test "$got" = "$("$nh" "$j") tap0"
			[ "$got" = "$("$nh" "$j") tap0" ] || diag "got: '$got'"
		done
	done
	diag "all routes installed $(( $(rt_ms) - RT_T0 )) ms after the start of BIRD"
}

# rt_mesh_routes_in I PREFIX NEXTHOP: true when node I routes the
# loopbacks of both other nodes as rt_check_mesh_routes expects.
rt_mesh_routes_in() {
	local i=$1 prefix=$2 nh=$3 j
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		[ "$(rt_via "$i" "$prefix$j")" = "$("$nh" "$j") tap0" ] || return 1
	done
}

# rt_check_mesh_pings PREFIX [PING_OPTION...]: in a full mesh of three
# nodes, one check per node I and other node J that a ping from PREFIX<I>
# to PREFIX<J> is answered.
rt_check_mesh_pings() {
	local prefix=$1 i j
	shift
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ "$i" = "$j" ] && continue
			check "ping $prefix$i -> $prefix$j" quiet nsx "$i" ping "$@" \
			    -c 2 -i 0.2 -W 2 -q -I "$prefix$i" "$prefix$j"
		done
	done
}

# rt_tunnel_addr I: node I's IPv4 address on tap0.
rt_tunnel_addr() { echo "10.255.0.$1"; }

# rt_ping I SRC DST: one ping from node I, source SRC, answered within 1 s.
rt_ping() { nsx "$1" ping -c 1 -W 1 -q -I "$2" "$3" >/dev/null 2>&1; }

# rt_gap_start I SRC DST SECONDS: pings DST from SRC in node I every
# 10 ms for SECONDS, in the background, with timestamps (ping -D).
rt_gap_start() {
	local i=$1 out="$LAB_DIR/gap.$1"
	nsx "$i" ping -D -n -i 0.01 -W 0.2 -w "$4" -I "$2" "$3" >"$out" 2>&1 &
	RT_GAP_PID=$!
	RT_GAP_OUT=$out
}

# rt_gap_result: waits for rt_gap_start's ping and prints "LOST GAP":
# how many echo requests got no reply (by sequence number) and the
# longest time in ms between two consecutive replies.
rt_gap_result() {
	wait "$RT_GAP_PID" 2>/dev/null
	awk '
	BEGIN { n = 0; max = 0; gap = 0; prev = 0 }
	/icmp_seq=.* time=/ {
		s = $0; sub(/.*icmp_seq=/, "", s); sub(/ .*/, "", s); s += 0
		t = $1; gsub(/[\[\]]/, "", t); t += 0
		if (prev > 0 && t - prev > gap) gap = t - prev
		prev = t; n++
		if (s > max) max = s
	}
	/packets transmitted/ { if ($1 > max) max = $1 }
	END { printf "%d %d\n", max - n, gap * 1000 }' "$RT_GAP_OUT"
}
