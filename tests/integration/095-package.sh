#!/bin/bash
# The Debian package: built from a copy of this tree with
# dpkg-buildpackage (the in-tree build stays as it is), checked by
# lintian, installed with apt-get and used as an operator would: the
# installed binaries, manual pages, unit, user and completion, then a
# two-node mesh in network namespaces run from copies of the installed
# /etc/tapmesh, one peer file made by `tapmeshctl peerfile`.  Then
# removed, keeping the configuration, and purged: what is left is what
# policy keeps (the tapmesh user and group, the operator's own key).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$TOP_SRCDIR/tests/lib/copy-tree.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root"
# Never again from inside the package build this test started.
[ -z "${TAPMESH_PKG_TEST:-}" ] || skip_all "inside a package build"
# The package holds its own, unsanitized build: tests/sanitize.sh would
# only spend another minute on the same checks.
[ -z "${TAPMESH_SANITIZED:-}" ] ||
    skip_all "the package is not the sanitized build"
for c in dpkg-buildpackage dpkg-checkbuilddeps lintian apt-get; do
	command -v "$c" >/dev/null || skip_all "$c is not installed"
done
# The package and /etc/tapmesh are the machine's: never touch an
# operator's.
st=$(dpkg-query -W -f='${db:Status-Status}' tapmesh 2>/dev/null)
[ -z "$st" ] || [ "$st" = not-installed ] ||
    skip_all "a tapmesh package is on this machine ($st); not touching it"
[ ! -e /etc/tapmesh ] || skip_all "/etc/tapmesh exists; not touching it"
need_netns

made_user=0
getent passwd tapmesh >/dev/null || made_user=1
work=$(mktemp -d /tmp/tapmesh-pkg.XXXXXX) || bail "mktemp"
opkey=/etc/tapmesh/private.key
apt_q() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
	    -y -q "$@" >>"$work/apt.log" 2>&1
}
cleanup() {
	lab_cleanup
	st=$(dpkg-query -W -f='${db:Status-Status}' tapmesh 2>/dev/null)
	if [ -n "$st" ] && [ "$st" != not-installed ]; then
		apt_q purge tapmesh
	fi
	rm -f "$opkey"
	rmdir /etc/tapmesh 2>/dev/null
	if [ "$made_user" = 1 ] && getent passwd tapmesh >/dev/null; then
		userdel tapmesh 2>/dev/null
		getent group tapmesh >/dev/null && groupdel tapmesh 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# Build, as the README says, from a copy of the tree.
start=$(date +%s)
copy_tree "$TOP_SRCDIR" "$work/tapmesh" || bail "copy of the tree"
out=$(cd "$work/tapmesh" && dpkg-checkbuilddeps 2>&1)
diag "$out"
check "the build dependencies are installed (dpkg-checkbuilddeps)" test -z "$out"
# The build starts from a clean make environment: the flags of the make
# that runs this test (its TESTS among them) would reach the package's
# own make check.
(cd "$work/tapmesh" && unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES &&
    TAPMESH_PKG_TEST=1 dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
rc=$?
[ "$rc" = 0 ] || diag "$(tail -40 "$work/build.log")"
check "dpkg-buildpackage -us -uc -b builds" test "$rc" = 0
deb=$(ls "$work"/tapmesh_*_"$(dpkg --print-architecture)".deb 2>/dev/null)
[ -f "$deb" ] || bail "no .deb was built"
diag "built in $(( $(date +%s) - start )) s: $(basename "$deb")"
diag "dpkg -c:"
diag "$(dpkg -c "$deb" | awk '{ print $1, $6 }')"

lintian --info --pedantic "$work"/tapmesh_*.changes >"$work/lintian.out" 2>&1
rc=$?
out=$(grep -v '^running with root privileges' "$work/lintian.out")
diag "lintian: ${out:-no tags}"
check "lintian reports no errors" test "$rc" = 0 -a \
    "$(grep -c '^E: ' <<<"$out")" = 0

files=$(dpkg -c "$deb" | awk '{ print $6 }')
for f in ./usr/sbin/tapmeshd ./usr/sbin/tapmeshctl \
    ./usr/share/man/man8/tapmeshd.8.gz ./usr/share/man/man8/tapmeshctl.8.gz \
    ./usr/share/man/man5/tapmesh.conf.5.gz \
    ./lib/systemd/system/tapmeshd@.service ./etc/tapmesh/tap0.conf \
    ./etc/tapmesh/conf.d/ ./usr/lib/tmpfiles.d/tapmesh.conf \
    ./usr/share/bash-completion/completions/tapmeshctl \
    ./usr/share/doc/tapmesh/examples/realtime.conf; do
	check "the package holds $f" grep -qxF "$f" <<<"$files"
done
check "the package holds no key" eval '! grep -q "\.key$" <<<"$files"'

# Install, as an operator would.
apt_q install --no-install-recommends "$deb"
rc=$?
[ "$rc" = 0 ] || diag "$(tail -20 "$work/apt.log")"
check "apt-get install of the .deb" test "$rc" = 0
check "tapmeshd -V" grep -q "^tapmeshd [0-9]" <<<"$(/usr/sbin/tapmeshd -V)"
out=$(man -w tapmeshd tapmeshctl tapmesh.conf 2>&1)
diag "$out"
check "man -w finds the three pages" test "$(grep -c '^/usr/share/man/' <<<"$out")" = 3
unit=/lib/systemd/system/tapmeshd@.service
if command -v systemd-analyze >/dev/null; then
	cp "$unit" "$work/tapmeshd@tap0.service"
	out=$(systemd-analyze verify --man=no "$work/tapmeshd@tap0.service" 2>&1)
	rc=$?
	diag "$out"
	check "systemd-analyze verify accepts the installed unit" \
	    test "$rc" = 0 -a -z "$out"
else
	ok "# SKIP systemd-analyze is not installed"
fi
check "the unit is enabled for no interface" \
    test -z "$(find /etc/systemd/system -name 'tapmeshd@*' 2>/dev/null)"
check "the tapmesh user exists" getent passwd tapmesh
check "the tapmesh group exists" getent group tapmesh
check "the tapmesh user has no login shell" \
    eval '[[ "$(getent passwd tapmesh | cut -d: -f7)" == */nologin ]]'
check "tap0.conf is a conffile" \
    grep -q "/etc/tapmesh/tap0.conf" <<<"$(dpkg-query -W -f='${Conffiles}' tapmesh)"
check "the peers directory is empty" \
    test -d /etc/tapmesh/conf.d -a -z "$(ls -A /etc/tapmesh/conf.d)"
check "no private key was made" test ! -e "$opkey"
check "/run/tapmesh was made (tmpfiles.d)" test -d /run/tapmesh
out=$(bash -c 'source /usr/share/bash-completion/completions/tapmeshctl &&
    COMP_WORDS=(tapmeshctl pe) COMP_CWORD=1 && _tapmeshctl &&
    echo "${COMPREPLY[*]}"; COMP_WORDS=(tapmeshctl peerfile --e)
    COMP_CWORD=2 && _tapmeshctl && echo "${COMPREPLY[*]}"' 2>&1)
check "bash completes tapmeshctl's commands and options" \
    test "$out" = "peerfile"$'\n'"--endpoint"

# Two nodes from copies of the installed layout, run by the installed
# binaries as the tapmesh user.
TAPMESHD=/usr/sbin/tapmeshd
TAPMESHCTL=/usr/sbin/tapmeshctl
lab_init || bail "lab"
lab_node 1 && lab_node 2 || bail "nodes"
for i in 1 2; do
	cp -r /etc/tapmesh/. "$LAB_DIR/n$i/"
	sed -i -e "s|10\.255\.0\.1/24|10.255.0.$i/24|" \
	    -e "s|fd00:255::1/64|fd00:255::$i/64|" "$LAB_DIR/n$i/tap0.conf"
	echo 'control_socket = "ctl.sock";' >>"$LAB_DIR/n$i/tap0.conf"
done
"$TAPMESHCTL" peerfile -c "$LAB_DIR/n1/tap0.conf" --name n1 \
    --endpoint 198.18.0.1 >"$LAB_DIR/n2/conf.d/n1.conf"
check "tapmeshctl peerfile for n1" test $? = 0
diag "$(cat "$LAB_DIR/n2/conf.d/n1.conf")"
cat >"$LAB_DIR/n1/conf.d/n2.conf" <<EOC
name = "n2";
public_key = "$(cat "$LAB_DIR/n2/public.key")";
address = [ "10.255.0.2", "fd00:255::2" ];
endpoints = ( { host = "198.18.0.2"; } );
EOC
for i in 1 2; do
	out=$("$TAPMESHD" -t -c "$LAB_DIR/n$i/tap0.conf" 2>&1)
	rc=$?
	diag "$out"
	check "n$i: the configuration passes tapmeshd -t" test "$rc" = 0
done
for i in 1 2; do
	ip netns exec "$(lab_ns "$i")" "$TAPMESHD" -c "$LAB_DIR/n$i/tap0.conf" \
	    >"$LAB_DIR/n$i/tapmeshd.log" 2>&1 &
	LAB_PIDS+=("$!")
	eval "LAB_PID_$i=$!"
done
check "n1 and n2 see each other up" \
    eval 'lab_wait_up 15 1 1 && lab_wait_up 5 2 1'
check "n1 pings n2 over IPv4" nsx 1 ping -c 2 -i 0.2 -W 2 -q 10.255.0.2
check "n2 pings n1 over IPv6" nsx 2 ping -c 2 -i 0.2 -W 2 -q fd00:255::1
uid=$(id -u tapmesh)
check "n1 runs as the tapmesh user" \
    grep -q "^Uid:[[:space:]]*$uid[[:space:]]" "/proc/$(lab_pid 1)/status"
check "tapmeshctl show: n1 sees n2 up" eval \
    '"$TAPMESHCTL" -s "$LAB_DIR/n1/ctl.sock" show n2 | grep -q "state: up"'
check "n1 exits 0" lab_stop 1
check "n2 exits 0" lab_stop 2
lab_cleanup

# Remove keeps the configuration; purge removes what the package made,
# and leaves the operator's key (made here as an operator would).
(umask 077 && "$TAPMESHCTL" genkey >"$opkey")
apt_q remove tapmesh
check "apt-get remove" test $? = 0
check "remove: the binaries are gone" test ! -e /usr/sbin/tapmeshd
check "remove: the configuration stays" test -f /etc/tapmesh/tap0.conf
apt_q purge tapmesh
check "apt-get purge" test $? = 0
check "purge: dpkg knows nothing of tapmesh" \
    test -z "$(dpkg-query -W -f='${db:Status-Status}' tapmesh 2>/dev/null | grep -v not-installed)"
check "purge: the operator's key stays, alone in /etc/tapmesh" \
    test "$(ls -A /etc/tapmesh 2>&1)" = private.key
for f in /usr/sbin/tapmeshctl /usr/share/man/man8/tapmeshd.8.gz "$unit" \
    /usr/lib/tmpfiles.d/tapmesh.conf \
    /usr/share/bash-completion/completions/tapmeshctl \
    /usr/share/doc/tapmesh /run/tapmesh; do
	check "purge: $f is gone" test ! -e "$f"
done
check "purge: the tapmesh user stays (policy keeps system users)" \
    getent passwd tapmesh
diag "package test took $(( $(date +%s) - start )) s"

finish
