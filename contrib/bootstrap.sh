#!/bin/bash
# Prepares a fresh Debian 12 machine and builds tapmesh in the source
# tree: installs the build and test packages (as root, with apt-get),
# then autoreconf, configure and make.  Safe to run again: it installs
# only what is missing and rebuilds only what changed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

PACKAGES="build-essential autoconf automake pkg-config libssl-dev
    libmnl-dev libconfig-dev libcmocka-dev iproute2 iputils-ping
    procps mandoc python3 systemd clang libclang-rt-dev valgrind iputils-arping ndisc6
    nftables conntrack iperf3 bird2 frr fastd openvpn tinc wireguard-go wireguard-tools
    debhelper lintian man-db tcpdump"

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "bootstrap: missing packages:$missing (install them as root)" >&2
		exit 1
	fi
	echo "bootstrap: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
	./configure --enable-werror --prefix=/usr --sysconfdir=/etc \
	    --localstatedir=/var --runstatedir=/run
fi
make -j"$(nproc)"
