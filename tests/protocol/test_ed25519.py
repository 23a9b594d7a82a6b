"""libsodium's Ed25519 check (the chain's) against OpenSSL's: the same verdict on every signature an
honest key makes and on ordinary corruptions; only libsodium refuses small-order forgeries."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from protocol.ed25519 import verify, verify_openssl

GROUP_ORDER = 2**252 + 27742317777372353535851937790883648493
IDENTITY = bytes([1]) + bytes(31)  # the neutral point: a public key of small order


def _key(i: int) -> tuple[Ed25519PrivateKey, bytes]:
    private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"vector key %d" % i).digest())
    return private, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _flip(data: bytes, index: int) -> bytes:
    out = bytearray(data)
    out[index] ^= 1
    return bytes(out)


def _with_s(signature: bytes, s: int) -> bytes:
    return signature[:32] + s.to_bytes(32, "little")


def _vectors() -> list[tuple[str, bytes, bytes, bytes, bool]]:
    """(name, public key, signature, message, valid)."""
    out = []
    for i in range(24):
        private, public = _key(i)
        message = hashlib.sha256(b"message %d" % i).digest()[: i % 33]
        signature = private.sign(message)
        _, other = _key(i + 100)
        s = int.from_bytes(signature[32:], "little")
        out += [
            (f"valid {i}", public, signature, message, True),
            (f"R bit flipped {i}", public, _flip(signature, i % 32), message, False),
            (f"S bit flipped {i}", public, _flip(signature, 32 + i % 31), message, False),
            (f"message changed {i}", public, signature, message + b"!", False),
            (f"another key {i}", other, signature, message, False),
            (f"S + L (malleated) {i}", public, _with_s(signature, s + GROUP_ORDER), message, False),
            (f"S = 0 {i}", public, _with_s(signature, 0), message, False),
            (f"truncated signature {i}", public, signature[:63], message, False),
            (f"long signature {i}", public, signature + b"\x00", message, False),
            (f"truncated key {i}", public[:31], signature, message, False),
            (f"zero signature {i}", public, bytes(64), message, False),
        ]
    return out


VECTORS = _vectors()


@pytest.mark.parametrize("name,public,signature,message,valid", VECTORS, ids=[v[0] for v in VECTORS])
def test_both_verifiers_agree(name, public, signature, message, valid):
    assert verify(public, signature, message) is valid
    assert verify_openssl(public, signature, message) is valid


def test_rfc8032_first_vector_verifies():
    secret = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    private = Ed25519PrivateKey.from_private_bytes(secret)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert public.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    signature = bytes.fromhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
                              "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    assert private.sign(b"") == signature
    assert verify(public, signature, b"") and not verify(public, signature, b"\x00")


def test_small_order_forgery_is_refused_where_openssl_accepts_it():
    forged = IDENTITY + bytes(32)  # R = identity, S = 0: "valid" for every message under the identity key
    for message in (b"", b"transfer everything", bytes(32)):
        assert verify_openssl(IDENTITY, forged, message), "OpenSSL accepts the small-order forgery"
        assert not verify(IDENTITY, forged, message)


def test_non_canonical_public_key_is_refused():
    _, public = _key(1)
    private, _ = _key(1)
    signature = private.sign(b"m")
    non_canonical = bytes([0xED] + [0xFF] * 30 + [0x7F])  # p + 0 is not a canonical y coordinate
    assert not verify(non_canonical, signature, b"m")
    assert verify(public, signature, b"m")
