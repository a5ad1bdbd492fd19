#!/bin/bash
# The command line and configuration checking: -V, -h, -t on the shipped
# examples and on broken configurations (every error as FILE:LINE), exit
# statuses.  Needs no privileges.
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

finish
