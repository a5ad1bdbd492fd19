#!/bin/bash
# The manual pages render cleanly (mandoc -Tlint) and every example
# configuration shipped (conf.d/, contrib/, debian/) is accepted by
# tapmeshd -t.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib/common.sh"

for page in "$TOP_SRCDIR"/man/*.[0-9]; do
	if command -v mandoc >/dev/null; then
		out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
		diag "$out"
		check "mandoc -Tlint $(basename "$page") is clean" test -z "$out"
	else
		ok "# SKIP mandoc is not installed"
	fi
done

d=$(mktemp -d /tmp/tapmesh-docs.XXXXXX)
trap 'rm -rf "$d"' EXIT
cp "$TOP_SRCDIR/contrib/tapmesh.conf" "$d/"
cp -r "$TOP_SRCDIR/conf.d" "$d/"
(umask 077 && "$TAPMESHCTL" genkey >"$d/private.key")
check "contrib/tapmesh.conf with conf.d/ passes tapmeshd -t" \
    quiet "$TAPMESHD" -t -c "$d/tapmesh.conf"
for f in "$TOP_SRCDIR"/conf.d/*.conf; do
	rm -rf "$d/one" && mkdir -p "$d/one/conf.d"
	cp "$d/tapmesh.conf" "$d/private.key" "$d/one/"
	cp "$f" "$d/one/conf.d/"
	check "conf.d/$(basename "$f") alone passes tapmeshd -t" \
	    quiet "$TAPMESHD" -t -c "$d/one/tapmesh.conf"
done

# The main file that the Debian package installs as /etc/tapmesh/tap0.conf,
# laid out as installed: an empty peers directory and a key made by hand.
mkdir -p "$d/pkg/conf.d"
cp "$TOP_SRCDIR/debian/tap0.conf" "$d/pkg/"
cp "$d/private.key" "$d/pkg/"
out=$("$TAPMESHD" -t -c "$d/pkg/tap0.conf" 2>&1)
rc=$?
diag "$out"
check "debian/tap0.conf with an empty conf.d/ passes tapmeshd -t" \
    test "$rc" = 0
check "... and runs as the tapmesh user" grep -qx 'user  = "tapmesh";' \
    "$TOP_SRCDIR/debian/tap0.conf"

finish
