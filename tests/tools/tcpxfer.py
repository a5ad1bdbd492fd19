#!/usr/bin/env python3
"""TCP transfer with an integrity check, for the integration tests.

  tcpxfer.py serve ADDR PORT SECONDS
      accepts one connection, reads until EOF, prints "<bytes> <sha256>"
  tcpxfer.py send ADDR PORT BYTES SEED [MSS [CHUNK]]
      sends BYTES pseudo-random bytes (from SEED), written CHUNK bytes at
      a time (default 65536), with TCP_MAXSEG set to MSS if given (0:
      the kernel's), and prints "<bytes> <sha256>" of what it sent

  tcpxfer.py udpserve ADDR PORT SECONDS
      receives datagrams until SECONDS pass without one, prints
      "<received> <corrupt>"
  tcpxfer.py udpsend ADDR PORT COUNT
      sends COUNT datagrams of sizes 1..1400 (cycling), each its sequence
      number and bytes derived from it, in bursts of 50

Every socket operation has a timeout, so a stalled tunnel fails the
test instead of hanging it.
"""
import hashlib
import random
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(addr, port, seconds):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(seconds)
    s.bind((addr, port))
    s.listen(1)
    c, _ = s.accept()
    c.settimeout(seconds)
    h = hashlib.sha256()
    n = 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    print(n, h.hexdigest())


def send(addr, port, nbytes, seed, mss=0, chunk=65536):
    rnd = random.Random(seed)
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    if mss:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
    s.settimeout(20)
    s.connect((addr, port))
    h = hashlib.sha256()
    left = nbytes
    while left > 0:
        b = rnd.randbytes(min(chunk, left))
        s.sendall(b)
        h.update(b)
        left -= len(b)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
    print(nbytes, h.hexdigest())


def udp_payload(seq):
    size = 1 + (seq * 7919) % 1400
    head = seq.to_bytes(4, "big")
    if size <= 4:
        return head[:size] if size == 4 else bytes([seq & 0xff]) * size
    body = hashlib.sha256(head).digest()
    body = (body * (size // 32 + 1))[:size - 4]
    return head + body


def udpserve(addr, port, seconds):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(seconds)
    got = bad = 0
    try:
        while True:
            b = s.recv(2048)
            if len(b) < 4:
                got += 1
                continue
            seq = int.from_bytes(b[:4], "big")
            got += 1
            if b != udp_payload(seq):
                bad += 1
    except socket.timeout:
        pass
    print(got, bad)


def udpsend(addr, port, count):
    import time
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    for seq in range(count):
        s.sendto(udp_payload(seq), (addr, port))
        if seq % 50 == 49:
            time.sleep(0.002)
    print(count)


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "serve":
        serve(a[1], int(a[2]), float(a[3]))
    elif 5 <= len(a) <= 7 and a[0] == "send":
        send(a[1], int(a[2]), int(a[3]), int(a[4]),
             int(a[5]) if len(a) > 5 else 0,
             int(a[6]) if len(a) > 6 else 65536)
    elif len(a) == 4 and a[0] == "udpserve":
        udpserve(a[1], int(a[2]), float(a[3]))
    elif len(a) == 4 and a[0] == "udpsend":
        udpsend(a[1], int(a[2]), int(a[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
