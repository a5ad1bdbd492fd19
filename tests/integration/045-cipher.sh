#!/bin/bash
# Cipher negotiation between real daemons: AES-256-GCM only when both
# ends prefer it, ChaCha20-Poly1305 otherwise, and traffic flows with
# either.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
need_netns

cipher_of() {
	lab_ctl 1 show n2 | sed -n 's/^  cipher: //p'
}

run_pair() {
	local c1=$1 c2=$2 want=$3
	lab_init || bail "lab"
	lab_node 1 && lab_node 2 || bail "nodes"
	lab_config 1 1 2
	lab_config 2 1 2
	echo "cipher = \"$c1\";" >>"$LAB_DIR/n1/tapmesh.conf"
	echo "cipher = \"$c2\";" >>"$LAB_DIR/n2/tapmesh.conf"
	lab_start 1 && lab_start 2 || bail "start"
	lab_wait_up 10 1 1 || bail "n1 did not bring n2 up"
	check "$c1 + $c2: session uses $want" test "$(cipher_of)" = "$want"
	check "$c1 + $c2: traffic flows" \
	    quiet nsx 1 ping -c 3 -i 0.2 -W 2 -q 10.255.0.2
	lab_cleanup
}

run_pair aes-256-gcm aes-256-gcm aes-256-gcm
run_pair aes-256-gcm chacha20-poly1305 chacha20-poly1305
run_pair chacha20-poly1305 aes-256-gcm chacha20-poly1305
run_pair chacha20-poly1305 chacha20-poly1305 chacha20-poly1305

finish
