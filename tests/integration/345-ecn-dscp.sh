#!/bin/bash
# DSCP and ECN across the tunnel (RFC 6040 normal mode), on an IPv4
# underlay (a - r - b) and an IPv6 one (a - r - c):
# - a capture of the outer packets on the underlay shows the inner DSCP
#   and ECN field copied, and with dscp = "zero" (taken on reload) the
#   DSCP zeroed while the ECN field is still copied;
# - router r marks CE (nftables) on the ECN-capable outer packets: the
#   receiving node's TCP sees the marks (its ACKs echo them: the sender's
#   TcpExtTCPDeliveredCE grows);
# - r marks CE on every outer packet: pings (not ECN-capable) are
#   dropped by the receiver and counted as "ecn" drops.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "no nft (nftables)"
command -v tcpdump >/dev/null || skip_all "no tcpdump"
command -v iperf3 >/dev/null || skip_all "no iperf3"
command -v nstat >/dev/null || skip_all "no nstat"
. "$TOP_SRCDIR/tests/lib/lab.sh"
export LAB_UP_WAIT=15

tl_up <<'EOF' || bail "could not build the lab"
node a
node b
node c
router r
link a r v6
link r b
link r c v6only
peer a b v4
peer a c v6
main keepalive = 1;
main dead_time = 5;
EOF

# The underlay: a's link is 198.18.1.0/24 (+ 2001:db8:0:1::/64), b's
# 198.18.2.0/24, c's 2001:db8:0:3::/64; r forwards between them.
for j in b:10.255.0.2 c:10.255.0.3; do
	t=$(tl_wait_secs 15 tl_tunnel a "${j#*:}")
	check "a -> ${j%%:*} carries data (after $t s)" test "$t" -lt 15
done
tlx r nft -f - <<'EOF'
table inet ecnt {
	chain marks {
		type filter hook forward priority 0; policy accept;
	}
}
EOF

# cap HOST FILTER CMD...: runs CMD in a while tcpdump -v listens on HOST's
# eth0 for the first 3 outer packets matching FILTER; prints what it saw.
cap() {
	local h=$1 filter=$2 out=$TL_STATE/cap.$RANDOM pid i
	shift 2
	tlx "$h" timeout 10 tcpdump -l -n -v -c 3 --immediate-mode -i eth0 \
	    "$filter" >"$out" 2>"$out.err" &
	pid=$!
	for i in $(seq 50); do
		grep -q "listening on" "$out.err" && break
		sleep 0.1
	done
	tlx a "$@" >/dev/null 2>&1
	wait "$pid"
	cat "$out"
}

# Outer packets from a of more than 300 bytes: the pings below, not the
# keepalives and probes.
big4='udp and dst port 5655 and src host 198.18.1.1 and greater 300'
big6='udp and dst port 5655 and src host 2001:db8:0:1::1 and greater 300'

# family 4|6: the receiving node h over that underlay, its tunnel address
# dst and the capture filter f.
family() {
	case $1 in
	4) h=b dst=10.255.0.2 f=$big4 ;;
	6) h=c dst=10.255.0.3 f=$big6 ;;
	esac
}

# tos_check V TOS WANT WHAT: 3 pings with TOS through the tunnel over the
# IPv<V> underlay; every outer packet captured must show WANT (a regular
# expression for tcpdump's "tos 0x.." or "class 0x..").
tos_check() {
	local out
	family "$1"
	out=$(cap "$h" "$f" ping -c 3 -i 0.2 -s 300 -Q "$2" "$dst")
	diag "IPv$1 underlay, ping -Q $2: $(grep -m1 -o -E '(tos|class) 0x[0-9a-f]+[^ ]*' <<<"$out")"
	check "IPv$1 underlay: $4" \
	    test "$(grep -c -E "(tos|class) $3" <<<"$out")" = 3
}

for v in 4 6; do
	tos_check "$v" 0xb8 '0xb8' "the outer packet takes the inner DSCP (EF)"
	tos_check "$v" 0xba '0xba' "the outer packet takes the inner DSCP and ECT(0)"
done

# dscp = "zero" on a, taken on reload: DSCP 0, ECN still copied.
sed -i '1i dscp = "zero";' "$TL_STATE/a/tapmesh.conf"
check "reload with dscp = \"zero\" accepted" quiet tl_ctl a reload
for v in 4 6; do
	tos_check "$v" 0xba '0x0?2\b' "dscp zero: the outer DSCP is 0, the ECN field ECT(0)"
done
tos_check 4 0 '0x0\b' "dscp zero, inner TOS 0: the outer TOS is 0"
sed -i '/^dscp = "zero";$/d' "$TL_STATE/a/tapmesh.conf"
check "reload back to the default (copy) accepted" quiet tl_ctl a reload

# CE in the underlay on ECN-capable outer packets to b and c.  TCP with
# ECN on both ends: the receiver echoes CE (ECE), the sender counts the
# segments acknowledged so (TcpExtTCPDeliveredCE).
for h in a b c; do
	tlx "$h" sysctl -q -w net.ipv4.tcp_ecn=1
done
tlx r nft add rule inet ecnt marks udp dport 5655 ip ecn ect0 ip ecn set ce counter
tlx r nft add rule inet ecnt marks udp dport 5655 ip6 ecn ect0 ip6 ecn set ce counter

for v in 4 6; do
	family "$v"
	tl_bg "$h" iperf3 -s -1 -B "$dst" -p 5201 >"$TL_STATE/iperf3-$h.out" 2>&1
	srv=$TL_BGPID
	tl_wait_secs 5 tlx "$h" sh -c "ss -ltn | grep -q $dst:5201" >/dev/null
	tlx a nstat -n >/dev/null
	tlx "$h" nstat -n >/dev/null
	out=$(timeout 20 ip netns exec "tml-$TL_NAME-a" iperf3 -c "$dst" -p 5201 -t 2 -f m 2>&1)
	rc=$?
	lab_wait 5 lab_gone "$srv"
	ce=$(tlx a nstat TcpExtTCPDeliveredCE | awk '/TcpExtTCPDeliveredCE/ { print $2 }')
	rxce=$(tlx "$h" nstat IpExtInCEPkts | awk '/IpExtInCEPkts/ { print $2 }')
	diag "IPv$v underlay: iperf3 a -> $h rc $rc: $(grep ' receiver$' <<<"$out" | tail -1)"
	diag "IPv$v underlay: a's TcpExtTCPDeliveredCE ${ce:-0}, $h's IpExtInCEPkts ${rxce:-0} (outer and inner)"
	check "IPv$v underlay: iperf3 with CE marks completes" test "$rc" = 0
	check "IPv$v underlay: the receiving TCP saw CE (sender's DeliveredCE > 0)" \
	    test "${ce:-0}" -gt 0
done
diag "outer packets marked CE by r (IPv4, IPv6): $(tlx r nft list chain inet ecnt marks | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | paste -sd' ')"

# CE on every outer packet: pings are not ECN-capable, so the receiver
# drops them and counts them.
tlx r nft flush chain inet ecnt marks
tlx r nft add rule inet ecnt marks udp dport 5655 ip ecn set ce
tlx r nft add rule inet ecnt marks udp dport 5655 ip6 ecn set ce
for v in 4 6; do
	family "$v"
	before=$(tl_ctl "$h" show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["drops"]["ecn"])')
	lost=$(tlx a ping -q -c 5 -i 0.2 -W 1 "$dst" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
	after=$(tl_ctl "$h" show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["drops"]["ecn"])')
	diag "IPv$v underlay, CE on every packet: ${lost}% of 5 pings lost, $h's ecn drops $before -> $after"
	check "IPv$v underlay: CE over not-ECT is dropped" test "$lost" = 100
	check "IPv$v underlay: ... and counted (at least the 5 pings as ecn drops)" \
	    test $((after - before)) -ge 5
done
tlx r nft flush chain inet ecnt marks
check "without the marks, pings pass again" tl_ping a 10.255.0.2

tl_finish
