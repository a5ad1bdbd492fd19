#!/bin/bash
# A hub with many configured peers that are all off: 1,000 peer files
# whose endpoints are in a namespace that drops their traffic (nftables).
# Their handshakes back off, so they cost little CPU: tapmeshd's own CPU
# time (utime + stime from /proc/PID/stat) is measured over the first
# minute, and over a minute after the back-off has grown, which must stay
# under 2 % of a core.  Then traffic for one of them (a ping, so the
# kernel asks for its address) ends its back-off at once.
#
# UNREACH_PEERS (default 1000) and UNREACH_WARM (when the second measured
# minute ends, at least 120 s; default 120, by when every peer's retries
# are 40 s apart or more) may be changed.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v nft >/dev/null || skip_all "nft is needed"
command -v python3 >/dev/null || skip_all "python3 is needed"
N=${UNREACH_PEERS:-1000}
WARM=${UNREACH_WARM:-120}
HZ=$(getconf CLK_TCK)

lab_init || bail "lab"
lab_node 1 || bail "node 1"
lab_node 2 || bail "node 2"
# Node 2 takes the endpoints' datagrams and drops them all.
nsx 2 nft -f - <<'EON' || bail "nftables"
table inet sink {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport 20000-29999 counter drop
	}
}
EON

dir=$LAB_DIR/n1
cat >"$dir/tapmesh.conf" <<EOC
interface = "tap0";
address = [ "10.254.0.1/16" ];
listen = 5655;
peers_dir = "conf.d";
private_key_file = "private.key";
control_socket = "ctl.sock";
EOC
python3 - "$dir/conf.d" "$N" <<'EOP' || bail "peer files"
import base64, os, sys
d, n = sys.argv[1], int(sys.argv[2])
for k in range(n):
    a = k + 2
    with open(os.path.join(d, "p%04d.conf" % k), "w") as f:
        f.write('name = "p%04d";\n' % k)
        f.write('public_key = "%s";\n' % base64.b64encode(os.urandom(32)).decode())
        f.write('address = [ "10.254.%d.%d" ];\n' % (a // 256, a % 256))
        f.write('endpoints = ( { host = "198.18.0.2"; port = %d; } );\n' % (20000 + k))
EOP

lab_start 1 || bail "start"
pid=$(lab_pid 1)
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hs_sent() { lab_ctl 1 show --json | python3 -c '
import json, sys
print(sum(p["handshakes_sent"] for p in json.load(sys.stdin)["peers"]))'; }

c0=$(cpu); h0=$(hs_sent); sleep 60; c1=$(cpu); h1=$(hs_sent)
first=$(( (c1 - c0) * 10000 / (60 * HZ) ))
diag "$N unreachable peers, first minute: CPU $((first / 100)).$(printf %02d $((first % 100))) % of a core, $((h1 - h0)) initiations"
sleep $(( WARM > 120 ? WARM - 120 : 0 ))
c2=$(cpu); h2=$(hs_sent); sleep 60; c3=$(cpu); h3=$(hs_sent)
later=$(( (c3 - c2) * 10000 / (60 * HZ) ))
diag "$N unreachable peers, minute up to ${WARM} s: CPU $((later / 100)).$(printf %02d $((later % 100))) % of a core, $((h3 - h2)) initiations"
check "after the back-off grew, under 2 % of a core" test "$later" -lt 200
check "... with fewer initiations than at first" test $((h3 - h2)) -lt $((h1 - h0))
dropped=$(nsx 2 nft list chain inet sink input | sed -n 's/.*packets \([0-9]*\).*/\1/p')
diag "node 2 dropped $dropped datagrams"
check "the initiations reached node 2 and were dropped there" \
    test "${dropped:-0}" -gt 0

# Traffic for p0000 (10.254.0.2): the kernel asks for its address, and
# its back-off ends: a new initiation within the retry time (5 s).
one() { lab_ctl 1 show p0000 --json | python3 -c '
import json, sys
print(json.load(sys.stdin)["peers"][0]["handshakes_sent"])'; }
o0=$(one)
nsx 1 ping -c 8 -i 1 -W 1 -q 10.254.0.2 >/dev/null 2>&1
o1=$(one)
diag "p0000: $o0 initiations before 8 s of pings, $o1 after"
check "traffic for a backed-off peer brings a new initiation soon" \
    test "$o1" -gt "$o0"
check "tapmeshd still runs" kill -0 "$pid"
finish
