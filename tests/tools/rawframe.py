#!/usr/bin/env python3
"""rawframe: writes one hand-made Ethernet frame into an interface from a
packet socket (AF_PACKET), as a compromised node would write into its own
TAP for its daemon to carry.  Used by the trust-boundary test inside a lab
namespace; never aim it at an interface of the host.

usage: rawframe.py IFNAME SRC_MAC DST_MAC KIND SRC DST [COUNT | -]
  KIND: echo4, echo6 (echo requests), ra (a Router Advertisement with a
  prefix option 2001:db8:99::/64 and a source link-layer option), rs,
  redirect (ICMPv6), ns-hbh, na-hbh (NS/NA behind a hop-by-hop header),
  dst-ra (an RA behind a destination options header), frag-ra (an RA in
  a first fragment).
  SRC, DST: the IP source and destination written into the packet.
  COUNT frames at once (default 1), or with "-": prints "ready", then
  sends one frame for each line read from stdin and prints "sent", so
  that a test can send at a precise moment without starting Python.
"""
import ipaddress
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, src.packed, dst.packed)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def icmp6(src, dst, typ, code, body):
    msg = struct.pack("!BBH", typ, code, 0) + body
    pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(msg), 58)
    return msg[:2] + struct.pack("!H", csum(pseudo + msg)) + msg[4:]


def ipv6(src, dst, nxt, payload, hlim=255):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nxt, hlim,
                       src.packed, dst.packed) + payload


def pad_ext(nxt):
    # A hop-by-hop or destination options header holding one PadN option.
    return struct.pack("!BBBB4x", nxt, 0, 1, 4)


def build(kind, smac, src, dst):
    if kind == "echo4":
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x7474, 1) + b"tapmesh-spoof" * 4
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        return 0x0800, ipv4(src, dst, 1, icmp)
    if kind == "echo6":
        body = struct.pack("!HH", 0x7474, 1) + b"tapmesh-spoof" * 4
        return 0x86DD, ipv6(src, dst, 58, icmp6(src, dst, 128, 0, body), 64)
    if kind in ("ra", "dst-ra", "frag-ra"):
        prefix = ipaddress.ip_address("2001:db8:99::")
        body = struct.pack("!BBHII", 64, 0, 1800, 0, 0)
        body += struct.pack("!BB", 1, 1) + smac
        body += struct.pack("!BBBBIII16s", 3, 4, 64, 0xC0, 86400, 14400, 0,
                            prefix.packed)
        # An RDNSS option (RFC 8106): what makes this RA one that must stay
        # local; a bare or prefix-only RA from a peer's own link-local
        # address crosses (BGP unnumbered), see src/filter.c.
        body += struct.pack("!BBHI16s", 25, 3, 0, 600,
                            ipaddress.ip_address("2001:db8:99::53").packed)
        msg = icmp6(src, dst, 134, 0, body)
        if kind == "dst-ra":
            return 0x86DD, ipv6(src, dst, 60, pad_ext(58) + msg)
        if kind == "frag-ra":
            frag = struct.pack("!BBHI", 58, 0, 0x0001, 0x7474)  # offset 0, M
            return 0x86DD, ipv6(src, dst, 44, frag + msg)
        return 0x86DD, ipv6(src, dst, 58, msg)
    if kind == "rs":
        body = struct.pack("!I", 0) + struct.pack("!BB", 1, 1) + smac
        return 0x86DD, ipv6(src, dst, 58, icmp6(src, dst, 133, 0, body))
    if kind == "redirect":
        target = ipaddress.ip_address("fe80::99")
        dest = ipaddress.ip_address("2001:db8:77::1")
        body = struct.pack("!I16s16s", 0, target.packed, dest.packed)
        return 0x86DD, ipv6(src, dst, 58, icmp6(src, dst, 137, 0, body))
    if kind in ("ns-hbh", "na-hbh"):
        target = src if kind == "na-hbh" else dst
        if kind == "ns-hbh":
            body = struct.pack("!I16s", 0, target.packed)
            body += struct.pack("!BB", 1, 1) + smac
            msg = icmp6(src, dst, 135, 0, body)
        else:
            body = struct.pack("!I16s", 0x20000000, target.packed)
            body += struct.pack("!BB", 2, 1) + smac
            msg = icmp6(src, dst, 136, 0, body)
        return 0x86DD, ipv6(src, dst, 0, pad_ext(58) + msg)
    sys.exit("unknown kind " + kind)


def main():
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    ifname, smac, dmac, kind, src, dst = sys.argv[1:7]
    count = sys.argv[7] if len(sys.argv) == 8 else "1"
    smac, dmac = mac(smac), mac(dmac)
    etype, payload = build(kind, smac, ipaddress.ip_address(src),
                           ipaddress.ip_address(dst))
    frame = dmac + smac + struct.pack("!H", etype) + payload
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    if count == "-":
        print("ready", flush=True)
        for _ in sys.stdin:
            s.send(frame)
            print("sent", flush=True)
    else:
        for _ in range(int(count)):
            s.send(frame)
    s.close()


main()
