#!/bin/bash
# Smoke test of the benchmark (bench/run --quick): it runs to the end
# within its time bound and exits 0; tapmesh (both ciphers, each also
# with sched_priority, and through a relay), raw veth and VXLAN are measured; every competitor is measured or reported "not
# installed"; the mesh scale figures are there; the JSON is complete; no
# namespace is left behind.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns
command -v iperf3 >/dev/null || skip_all "iperf3 is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

out=$(mktemp -d /tmp/tapmesh-bench-smoke.XXXXXX) || bail "mktemp"
trap 'rm -rf "$out"; lab_cleanup' EXIT

before=$(ip netns list | awk '{print $1}' | grep -c '^tb[ABR]-')
start=$SECONDS
timeout 240 bash "$TOP_SRCDIR/bench/run" --quick -o "$out/results.json" \
    >"$out/stdout" 2>"$out/stderr"
rc=$?
took=$((SECONDS - start))
check "bench/run --quick exits 0 (status $rc)" test "$rc" = 0
[ "$rc" = 0 ] || { diag "$(tail -30 "$out/stderr")"; diag "$(tail -40 "$out/stdout")"; }
check "bench/run --quick took ${took} s (at most 150)" test "$took" -le 150
check "the table is on stdout" grep -q "^tapmesh-aes " "$out/stdout"
check "the mesh scale table is on stdout" grep -q "^Mesh scale" "$out/stdout"
after=$(ip netns list | awk '{print $1}' | grep -c '^tb[ABR]-')
check "no benchmark namespace left behind" test "$after" -le "$before"

# jcheck DESCRIPTION PYTHON-EXPRESSION: one check on the JSON (j).
jcheck() {
	check "$1" python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if ($2) else 1)" "$out/results.json"
}
jcheck "JSON: quick mode, one repetition" \
    'j["mode"] == "quick" and j["repetitions"] == 1'
for s in raw vxlan tapmesh-aes tapmesh-chacha tapmesh-aes-rt tapmesh-chacha-rt \
    tapmesh-relayed; do
	jcheck "JSON: $s measured, TCP and UDP throughput and RTT > 0" \
	    "j['systems']['$s']['status'] == 'ok' and all(
	        j['systems']['$s']['median'].get(m, 0) > 0
	        for m in ('tcp1_mbps', 'tcp4_mbps', 'udp_mbps', 'rtt_avg_ms'))"
done
for s in tapmesh-aes tapmesh-chacha tapmesh-aes-rt tapmesh-chacha-rt \
    tapmesh-relayed; do
	jcheck "JSON: $s CPU per GB and ratios to raw" \
	    "j['systems']['$s']['median'].get('cpu_s_per_gb', 0) > 0 and
	     0 < j['systems']['$s']['ratio_to_raw']['tcp1_mbps']"
	jcheck "JSON: $s RTT under load" \
	    "j['systems']['$s']['median'].get('rtt_load_avg_ms', 0) > 0 and
	     j['systems']['$s']['median']['rtt_load_max_ms'] >=
	     j['systems']['$s']['median']['rtt_load_avg_ms']"
done
# The relayed system's CPU is three daemons': no ratio to one pair's
# floor.  Two floors: openssl speed's, and bench/aeadfloor's (one frame
# at a time through tapmeshd's calls), with the user part of the CPU.
for s in tapmesh-aes tapmesh-chacha tapmesh-aes-rt tapmesh-chacha-rt; do
	jcheck "JSON: $s CPU to the crypto floor of its cipher" \
	    "j['systems']['$s']['crypto_floor_s_per_gb'] > 0 and
	     j['systems']['$s']['cpu_to_floor'] > 0"
	jcheck "JSON: $s CPU to the per-message floor, user time" \
	    "j['systems']['$s']['message_floor_s_per_gb'] > 0 and
	     j['systems']['$s']['cpu_to_message_floor'] > 0 and
	     0 < j['systems']['$s']['median']['cpu_user_s_per_gb'] <=
	     j['systems']['$s']['median']['cpu_s_per_gb']"
done
for f in crypto_floor_s_per_gb message_floor_s_per_gb; do
	jcheck "JSON: $f of both ciphers, for a full frame" \
	    "j['$f']['frame_bytes'] == 1420 and
	     j['$f']['chacha20-poly1305'] > 0 and
	     j['$f']['aes-256-gcm'] > 0"
done
check "the floor and the ratio are on stdout" \
    grep -q "tapmesh-chacha *CPU .* the floor of chacha20-poly1305" \
    "$out/stdout"
check "the per-message floor and the ratio are on stdout" \
    grep -q "tapmesh-aes *CPU .* the per-message floor of aes-256-gcm; user" \
    "$out/stdout"
for s in fastd openvpn tinc wireguard-go gvpe; do
	jcheck "JSON: $s measured or not installed" \
	    "j['systems']['$s']['status'] in ('ok', 'not installed')"
done
jcheck "JSON: ratio to the best competitor where one was measured" \
    "not any(j['systems'][c]['status'] == 'ok' for c in
         ('fastd', 'openvpn', 'tinc', 'wireguard-go')) or
     j['systems']['tapmesh-aes']['ratio_to_best_competitor']['tcp1_mbps'] > 0"
jcheck "JSON: mesh scale with 1, 100 and 1000 peers" \
    "[e['peers'] for e in j['scale']] == [1, 100, 1000] and
     all(e['status'] == 'ok' and e['ready_s'] > 0 and e['rss_kb'] > 0 and
         e['neigh_permanent'] == 3 and e['tcp1_mbps'] > 0 for e in j['scale'])"

finish
