#!/usr/bin/env python3
"""An independent Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, written from the
Noise specification (revision 34, sections 4, 5 and 9) on Python's hashlib
and the cryptography package, to cross-check src/noise.c.  It prints the
two handshake messages and the handshake hash for the inputs of the
published Noise_IK vector that tests/unit/test_noise.c uses (snow's
vector file), with the pre-shared key given below; test_noise.c holds its
output as a known answer."""
import hashlib
import hmac
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

NAME = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
PROLOGUE = bytes.fromhex(
    "5468657265206973206e6f20726967687420616e642077726f6e672e205468657265"
    "2773206f6e6c792066756e20616e6420626f72696e672e")
INIT_STATIC = "b7e117ce8ede06ceb89500799a3778d097fc54a3f90bea744493dfc24ec21f32"
INIT_EPHEMERAL = "cc95b4ccc4912c5a52c8d2f6b808e13712392c4468f4e3f02a7d2d1590cb9178"
RESP_STATIC = "e3187f5c10734e934be3a73c398c7fae07ba3e0cde2fcd9ab03a1c93dcae10f8"
RESP_EPHEMERAL = "587f83fe736432043d2665fbd47b0506b2cd103b6ba8577f72e117c7ffeb5105"
PAYLOAD0 = "910ef4a7c04090f66403fcd8ffaed066e70ed38b576792c4a554cc5016fe5120"
PAYLOAD1 = "3ce1e4d6e5f02bfeea1d6620cbf1473b5f55372d6954e98d3e12b6ffd04879d5"
# "This is my Austrian perspective!"
PSK = "54686973206973206d7920417573747269616e20706572737065637469766521"


def h(data):
    return hashlib.blake2s(data).digest()


def hkdf(ck, ikm, n):
    temp = hmac.new(ck, ikm, hashlib.blake2s).digest()
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = hmac.new(temp, prev + bytes([i]), hashlib.blake2s).digest()
        out.append(prev)
    return out


def pub(priv):
    k = X25519PrivateKey.from_private_bytes(priv)
    return k.public_key().public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)


def dh(priv, public):
    return X25519PrivateKey.from_private_bytes(priv).exchange(
        X25519PublicKey.from_public_bytes(public))


class Sym:
    def __init__(self, name=NAME):
        self.h = name + bytes(32 - len(name)) if len(name) <= 32 else h(name)
        self.ck = self.h
        self.k, self.n = None, 0

    def mix_hash(self, d):
        self.h = h(self.h + d)

    def mix_key(self, ikm):
        self.ck, k = hkdf(self.ck, ikm, 2)
        self.k, self.n = k, 0

    def mix_key_and_hash(self, ikm):
        self.ck, th, k = hkdf(self.ck, ikm, 3)
        self.mix_hash(th)
        self.k, self.n = k, 0

    def encrypt_and_hash(self, pt):
        nonce = bytes(4) + self.n.to_bytes(8, "little")
        ct = ChaCha20Poly1305(self.k).encrypt(nonce, pt, self.h)
        self.n += 1
        self.mix_hash(ct)
        return ct


# Message 0 of the published Noise_IK vector (snow, as in test_noise.c).
IK_MSG0 = (
    "df44a475167152d3e4767b9ad5b28468fb8bd6aaa0b0e7181afd87ede7a8c971"
    "e818de301c97393bfa71ac250becfc8acef64a969e039f407fe44c5ffc3d66d9"
    "4ff57627ad4cc53882a1b2993babac3940edd1eaff34a3d3f08c53570166b3d2"
    "9d06bd5de3cfb9b85b66001a60a5bb98d72b80da9485655f86db72b46f745c4e")


def self_check():
    """The same code without the psk modifier must give the published IK
    vector's message 0, or nothing it prints is worth comparing with."""
    si, ei = bytes.fromhex(INIT_STATIC), bytes.fromhex(INIT_EPHEMERAL)
    sr = bytes.fromhex(RESP_STATIC)
    s = Sym(b"Noise_IK_25519_ChaChaPoly_BLAKE2s")
    s.mix_hash(PROLOGUE)
    s.mix_hash(pub(sr))
    s.mix_hash(pub(ei))
    s.mix_key(dh(ei, pub(sr)))
    msg0 = pub(ei) + s.encrypt_and_hash(pub(si))
    s.mix_key(dh(si, pub(sr)))
    msg0 += s.encrypt_and_hash(bytes.fromhex(PAYLOAD0))
    return msg0.hex() == IK_MSG0


def main():
    if not self_check():
        print("self-check against the Noise_IK vector failed",
              file=sys.stderr)
        return 1
    si, ei = bytes.fromhex(INIT_STATIC), bytes.fromhex(INIT_EPHEMERAL)
    sr, er = bytes.fromhex(RESP_STATIC), bytes.fromhex(RESP_EPHEMERAL)
    psk = bytes.fromhex(PSK)
    s = Sym()
    s.mix_hash(PROLOGUE)
    s.mix_hash(pub(sr))                          # <- s
    # -> e, es, s, ss
    s.mix_hash(pub(ei))
    s.mix_key(pub(ei))                           # psk modifier: e mixes
    s.mix_key(dh(ei, pub(sr)))
    msg0 = pub(ei) + s.encrypt_and_hash(pub(si))
    s.mix_key(dh(si, pub(sr)))
    msg0 += s.encrypt_and_hash(bytes.fromhex(PAYLOAD0))
    # <- e, ee, se, psk
    s.mix_hash(pub(er))
    s.mix_key(pub(er))
    s.mix_key(dh(er, pub(ei)))
    s.mix_key(dh(er, pub(si)))
    s.mix_key_and_hash(psk)
    msg1 = pub(er) + s.encrypt_and_hash(bytes.fromhex(PAYLOAD1))
    k1, k2 = hkdf(s.ck, b"", 2)
    print("msg0", msg0.hex())
    print("msg1", msg1.hex())
    print("hash", s.h.hex())
    print("k1", k1.hex())
    print("k2", k2.hex())
    return 0


if __name__ == "__main__":
    sys.exit(main())
