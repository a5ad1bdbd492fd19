#!/bin/bash
# The command line and configuration checking: -V, -h, -t on the shipped
# examples and on broken configurations (every error as FILE:LINE), exit
# statuses, and tapmeshctl peerfile: its output accepted in another
# node's peers_dir, its errors.  Needs no privileges.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"

d=$(mktemp -d /tmp/tapmesh-cli.XXXXXX)
trap 'rm -rf "$d"' EXIT

out=$("$TAPMESHD" -V)
check "-V prints the version" grep -q "^tapmeshd [0-9]" <<<"$out"
check "-h prints usage and exits 0" quiet "$TAPMESHD" -h
"$TAPMESHD" -x >/dev/null 2>&1
check "an unknown option exits 2" test $? = 2

# The shipped examples, laid out as they are installed.
mkdir -p "$d/ok"
cp "$TOP_SRCDIR/contrib/tapmesh.conf" "$d/ok/"
cp -r "$TOP_SRCDIR/conf.d" "$d/ok/"
(umask 077 && "$TAPMESHCTL" genkey >"$d/ok/private.key")
out=$("$TAPMESHD" -t -c "$d/ok/tapmesh.conf" 2>&1)
check "-t accepts contrib/tapmesh.conf with conf.d/" test $? = 0
check "-t counts the example peers" grep -q "configuration OK, 3 peers" <<<"$out"

# A key file owned by another user (not root) is refused, named.
if [ "$(id -u)" = 0 ]; then
	chown 65534 "$d/ok/private.key"
	out=$("$TAPMESHD" -t -c "$d/ok/tapmesh.conf" 2>&1)
	rc=$?
	chown 0 "$d/ok/private.key"
	diag "$out"
	check "-t refuses a key file owned by another user, exit 1" test "$rc" = 1
	check "... naming the file and its owner" \
	    grep -q "$d/ok/private.key\"*: owned by uid 65534" <<<"$out"
fi

out=$("$TAPMESHD" -t -c "$d/missing.conf" 2>&1)
check "-t on a missing file exits 1" test $? = 1
check "-t names the missing file" grep -q "$d/missing.conf" <<<"$out"

# A broken main file and two broken peers: all errors, each FILE:LINE.
mkdir -p "$d/bad/conf.d"
cat >"$d/bad/tapmesh.conf" <<EOC
interface = "tap0";
address = [ "10.255.0.1/24" ];
listen = 70000;
EOC
cat >"$d/bad/conf.d/a.conf" <<EOC
name = "a";
address = [ "10.255.0.2" ];
colour = "blue";
EOC
cat >"$d/bad/conf.d/b.conf" <<EOC
name = "b";

address = [ "10.99.0.3" ];
EOC
out=$("$TAPMESHD" -t -c "$d/bad/tapmesh.conf" 2>&1)
rc=$?
diag "$out"
check "-t on a broken configuration exits 1" test "$rc" = 1
check "error names main file line 3 (listen)" \
    grep -q "^$d/bad/tapmesh.conf:3: " <<<"$out"
check "error names a.conf line 3 (unknown key)" \
    grep -q "^$d/bad/conf.d/a.conf:3: .*colour" <<<"$out"
check "error names b.conf line 3 (address outside the prefixes)" \
    grep -q "^$d/bad/conf.d/b.conf:3: .*10.99.0.3" <<<"$out"

# Duplicate MACs: an IPv6-only peer whose last four bytes equal another
# peer's IPv4 address derives the same MAC.
mkdir -p "$d/dup/conf.d"
cat >"$d/dup/tapmesh.conf" <<EOC
interface = "tap0";
address = [ "10.255.0.1/24", "fd00:255::1/64" ];
EOC
printf 'name = "x";\naddress = [ "10.255.0.2" ];\n' >"$d/dup/conf.d/x.conf"
printf 'name = "y";\naddress = [ "fd00:255::aff:2" ];\n' >"$d/dup/conf.d/y.conf"
out=$("$TAPMESHD" -t -c "$d/dup/tapmesh.conf" 2>&1)
rc=$?
diag "$out"
check "duplicate derived MAC refused" test "$rc" = 1
check "duplicate MAC error names the MAC" grep -q "02:00:0a:ff:00:02" <<<"$out"

# A bound on peers: a directory holding more peer files than max_peers is
# refused whole.
printf 'max_peers = 1;\n' >>"$d/dup/tapmesh.conf"
out=$("$TAPMESHD" -t -c "$d/dup/tapmesh.conf" 2>&1)
rc=$?
diag "$out"
check "more peer files than max_peers is refused" test "$rc" = 1
check "the error names max_peers" grep -q "2 peer files in .*, more than max_peers (1)" <<<"$out"


# tapmeshctl peerfile: this node's peer file, from the shipped example
# layout, placed into another node's peers_dir and checked there.
out=$("$TAPMESHCTL" peerfile -c "$d/ok/tapmesh.conf" --name hq \
    --endpoint 192.0.2.1 --endpoint '[2001:db8::1]:7000' 2>&1)
rc=$?
diag "$out"
check "peerfile exits 0" test "$rc" = 0
check "peerfile writes this node's public key" \
    grep -qF "public_key = \"$("$TAPMESHCTL" pubkey <"$d/ok/private.key")\";" <<<"$out"
check "peerfile lists the tunnel addresses without prefix length" \
    grep -qF 'address    = [ "10.255.0.1", "fd00:255::1" ];' <<<"$out"
check "peerfile: the first endpoint is preferred, its port the listen port" \
    grep -qF '{ host = "192.0.2.1"; port = 5655; priority = 10; }' <<<"$out"
check "peerfile: an IPv6 endpoint in brackets with its port" \
    grep -qF '{ host = "2001:db8::1"; port = 7000; priority = 20; }' <<<"$out"
mkdir -p "$d/other/conf.d"
sed -e 's|10\.255\.0\.1/24|10.255.0.9/24|' -e 's|fd00:255::1/64|fd00:255::9/64|' \
    "$TOP_SRCDIR/contrib/tapmesh.conf" >"$d/other/tapmesh.conf"
(umask 077 && "$TAPMESHCTL" genkey >"$d/other/private.key")
printf '%s\n' "$out" >"$d/other/conf.d/hq.conf"
out=$("$TAPMESHD" -t -c "$d/other/tapmesh.conf" 2>&1)
rc=$?
diag "$out"
check "peerfile output in another node's peers_dir passes tapmeshd -t" \
    test "$rc" = 0
check "... as its one peer" grep -q "configuration OK, 1 peers" <<<"$out"

out=$("$TAPMESHCTL" peerfile -c "$d/ok/tapmesh.conf" 2>/dev/null)
short=$(hostname | cut -d. -f1)
if [ -n "$short" ] && [[ "$short" =~ ^[A-Za-z0-9._-]{1,63}$ ]]; then
	check "peerfile names the node after its host name by default" \
	    grep -qx "name       = \"$short\";" <<<"$out"
fi
check "peerfile without --endpoint writes no endpoints" \
    eval '! grep -q "^endpoints" <<<"$out"'

out=$("$TAPMESHCTL" peerfile -c "$d/bad/tapmesh.conf" 2>&1 >"$d/stdout")
rc=$?
diag "$out"
check "peerfile on a broken configuration exits 1" test "$rc" = 1
check "peerfile names main file line 3 (listen)" \
    grep -q "^$d/bad/tapmesh.conf:3: " <<<"$out"
check "peerfile prints nothing on stdout then" test ! -s "$d/stdout"
out=$("$TAPMESHCTL" peerfile -c "$d/missing.conf" 2>&1)
check "peerfile on a missing main file exits 1" test $? = 1

out=$("$TAPMESHCTL" peerfile -c "$d/ok/tapmesh.conf" --name 'a b' 2>&1 >"$d/stdout")
rc=$?
diag "$out"
check "peerfile refuses an invalid name, exit 1" test "$rc" = 1
check "... saying why, before printing anything" \
    eval 'grep -q "would be refused: invalid peer name" <<<"$out" && test ! -s "$d/stdout"'
out=$("$TAPMESHCTL" peerfile -c "$d/ok/tapmesh.conf" --endpoint 'ex"ample' 2>&1)
check "peerfile: a quote in an endpoint is a usage error" test $? = 2
out=$("$TAPMESHCTL" peerfile -c "$d/ok/tapmesh.conf" --endpoint 192.0.2.1:0 2>&1)
check "peerfile: port 0 is a usage error" test $? = 2
out=$("$TAPMESHCTL" peerfile -c "$d/ok/tapmesh.conf" --endpoint 2>&1)
check "peerfile: --endpoint without its argument is a usage error" test $? = 2

finish
