#!/bin/bash
# A neighbour request the kernel refuses is tried again, backing off,
# until the kernel takes it, with no action from anybody.  The refusal
# is real: an MTU below 1280 on n1's TAP makes the kernel tear down the
# TAP's IPv6 state (and with it the IPv6 neighbour entries); from then
# on every IPv6 neighbour request on it is refused with EINVAL ("IPv6
# is disabled on this device").  IPv4 is untouched (its in_device only
# goes below 68 bytes, under a TAP's minimum).  n1's daemon sees its
# entries deleted, puts them back, is refused, and must:
#   - log each refusal with the peer's name and "trying again in N ms",
#     N growing 100, 200, 400 ... (to 30 s), through a rate limit
#     (10 lines at once, then 1 a second);
#   - keep running, its peers up and IPv4 to them flowing;
#   - once the MTU is back, install the entries at its next try.
# The kernel drops the TAP's own IPv6 address with its IPv6 state, and
# the daemon does not put it back (it sets its addresses at start only):
# the test does that by hand, after the entries are back, to show IPv6
# through the tunnel again.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns

lab_mesh 3 || bail "could not build the mesh"
ns1=$(lab_ns 1)
log=$LAB_DIR/n1/tapmeshd.log
mtu0=$(ip -n "$ns1" -o link show tap0 | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# entry J ADDR: n1 holds a PERMANENT entry for ADDR with node J's MAC.
entry() {
	ip -n "$ns1" neigh show to "$2" dev tap0 |
	    grep -q "lladdr $(lab_mac "$1") PERMANENT"
}
v6_entries() {
	entry 2 fd00:255::2 && entry 2 "$(lab_ll 2)" &&
	    entry 3 fd00:255::3 && entry 3 "$(lab_ll 3)"
}
no_v6_entries() {
	[ -z "$(ip -n "$ns1" -6 neigh show dev tap0 | grep 02:00:0a)" ]
}
v4_entries() { entry 2 10.255.0.2 && entry 3 10.255.0.3; }
refusals() { grep -c 'trying again in' "$log"; }
first_refusal() {
	grep -q 'peer n[23]: neighbour [^ ]*: setting: .*; trying again in 100 ms' "$log"
}
# The refusals logged so far: "peer address ms", one a line.
refusal_values() {
	sed -n 's/.*peer \(n[0-9]*\): neighbour \([^ ]*\): setting: [^;]*; trying again in \([0-9]*\) ms.*/\1 \2 \3/p' "$log"
}
# Every value 100 ms doubled k times (at most 30 s), the first 100, none
# smaller than the one before, and each address's own values growing.
backoff_ok() {
	refusal_values | awk '
	{ v = $3; good = v == 30000
	  for (m = 100; m < 30000; m *= 2) if (v == m) good = 1
	  if (!good || (NR == 1 && v != 100) || v < prev) bad = 1
	  if (($2 in last) && v <= last[$2]) bad = 1
	  last[$2] = v; prev = v }
	END { exit bad || NR == 0 }'
}
max_value() { refusal_values | awk '$3 > m { m = $3 } END { print m + 0 }'; }

check "n1 starts with 6 PERMANENT entries" test "$(lab_permanent 1)" -eq 6
check "n1's TAP has fd00:255::1 to start with" \
    quiet sh -c "ip -n $ns1 -6 addr show dev tap0 | grep -q 'fd00:255::1/64'"
check "no refusal logged before" test "$(refusals)" -eq 0

t_low=$(now_ms)
ip -n "$ns1" link set tap0 mtu 1200 || bail "cannot set tap0's MTU"
if lab_wait 10 first_refusal; then
	t1=$(now_ms)
	ok "the kernel refused a request, logged: peer, address, trying again in 100 ms"
else
	t1=$(now_ms)
	not_ok "the kernel refused a request, logged: peer, address, trying again in 100 ms"
fi
diag "first refusal logged $((t1 - t_low)) ms after the MTU went to 1200"
diag "$(grep -m 1 'trying again in' "$log")"
check "the refusal names both peers" \
    test "$(grep 'trying again in' "$log" | grep -c 'peer n2: ')" -ge 1 -a \
    "$(grep 'trying again in' "$log" | grep -c 'peer n3: ')" -ge 1

# While refused: n1's daemon runs, its peers stay up, IPv4 flows.
check "no IPv6 entry for the peers while refused" no_v6_entries
check "the IPv4 entries stay PERMANENT with the peers' MACs" v4_entries
check "n1's daemon keeps running" kill -0 "$(lab_pid 1)"
check "n2 is up at n1" quiet sh -c "'$TAPMESHCTL' -s '$LAB_DIR/n1/ctl.sock' show n2 | grep -q 'state: up'"
check "n3 is up at n1" quiet sh -c "'$TAPMESHCTL' -s '$LAB_DIR/n1/ctl.sock' show n3 | grep -q 'state: up'"
check "n1 -> n2 over IPv4 while refused" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2
check "n1 -> n3 over IPv4 while refused" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.3
check "n2 -> n3 over IPv6 while n1 is refused" quiet nsx 2 ping -c 2 -i 0.2 -W 2 -q fd00:255::3

# Refused from t1 on, the tries come at t1 + 0.1, 0.3, 0.7, 1.5, 3.1,
# 6.3 s ...: the MTU goes back at t1 + 3.5 s, so the next try, 6.3 s,
# finds it back.
left=$((t1 + 3500 - $(now_ms)))
[ "$left" -gt 0 ] && sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
check "still no IPv6 entry just before the MTU is back" no_v6_entries
t_restore=$(now_ms)
lines=$(refusals)
ip -n "$ns1" link set tap0 mtu "$mtu0" || bail "cannot set tap0's MTU back"
window=$((t_restore - t1))
diag "refusal lines in the $window ms refused: $lines"
diag "back-off values logged (peer address ms):"
diag "$(refusal_values)"
check "the back-off doubles from 100 ms, per address and overall" backoff_ok
check "the back-off reached 1600 ms or more within 3.5 s" test "$(max_value)" -ge 1600
# A token bucket of 10, refilled at 1 a second.
check "refusal lines rate-limited: $lines <= 10 + $((window / 1000 + 1))" \
    test "$lines" -le $((10 + window / 1000 + 1))
check "suppressed refusals are mentioned" grep -q '(more suppressed)' "$log"

# Nobody acts now: the daemon's next try must install them.
t_back=
for _ in $(seq 1 100); do		# 10 s at most
	if v6_entries; then
		t_back=$(now_ms)
		break
	fi
	sleep 0.1
done
if [ -n "$t_back" ]; then
	ok "the IPv6 entries are back, PERMANENT, with the peers' MACs"
	diag "entries back $((t_back - t_restore)) ms after the MTU was restored ($((t_back - t1)) ms after the first refusal)"
	check "back within the back-off pending then (3.2 s) and 3 s slack" \
	    test $((t_back - t_restore)) -le 6200
else
	not_ok "the IPv6 entries are back, PERMANENT, with the peers' MACs"
	diag "$(ip -n "$ns1" neigh show dev tap0)"
fi
check "6 PERMANENT entries on n1 again" test "$(lab_permanent 1)" -eq 6
lines=$(refusals)
sleep 1
check "no refusal logged once the entries are in" test "$(refusals)" -eq "$lines"
check "n1's daemon still running" kill -0 "$(lab_pid 1)"

if ip -n "$ns1" -6 addr show dev tap0 | grep -q 'fd00:255::1/64'; then
	diag "n1's TAP kept fd00:255::1"
else
	diag "the kernel dropped fd00:255::1 from n1's TAP with its IPv6 state; added back by hand"
	ip -n "$ns1" addr add fd00:255::1/64 dev tap0 nodad
fi
check "n1 -> n2 over IPv6 again" quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q fd00:255::2
check "n1 -> n3 over IPv6 link-local again" \
    quiet nsx 1 ping -c 2 -i 0.2 -W 2 -q -I tap0 "$(lab_ll 3)"
check "n1's daemon exits cleanly" lab_stop 1
check "every entry was removed at exit" \
    test -z "$(grep 'could not be removed' "$log")"
finish
