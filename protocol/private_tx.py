"""Private transactions on the wire: a signed tx encrypted to the readers the exposure model names.

A private message (``protocol.exposure``: transfers, cash, orders, cancels, block trades) never
travels in clear. The client signs the usual envelope (``protocol.codec``, ``ETS1``) and wraps
it::

    b"ETSP" | version (1) | epoch (4, big-endian) | ephemeral X25519 public key (32)
    | readers (1) | per reader: reader id (8) | wrapped content key (32 + 16)
    | nonce (12) | AES-256-GCM(content key, nonce, padded inner tx, aad = everything before the nonce)

    padded inner tx  = length (4, big-endian) | the signed ETS1 envelope | zeros up to a multiple of
                       ``PAD`` bytes, so the size does not tell a transfer from an order
    reader id        = SHA-256("ETS-PRIVATE-READER-V1" || reader's X25519 public key)[:8]
    wrap for reader  = AES-256-GCM(HKDF-SHA256(X25519(ephemeral, reader), info = "ETS-PRIVATE-TX-V1"
                       || reader key || ephemeral key), nonce = 12 zero bytes, content key, aad = reader id)

The first reader is always the validators' **execution key** of ``epoch`` (each validator holds
its private half; rotated by a governed action), then the regulator's view key. Outside the
ciphertext a block shows the epoch, the readers and a size bucket: no signer, no message type,
amount, price or recipient. The validators open it, check the inner envelope as any other tx,
and commit to its hash in state; whoever holds a reader key reads it from the block.
"""

from __future__ import annotations

import hashlib
import os
import struct
from typing import Callable, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "MAGIC", "PAD", "MAX_READERS", "MAX_INNER", "PrivateTxError", "is_private", "reader_id", "public_bytes",
    "seal_tx", "seal_to", "open_tx", "epoch_of", "reader_ids", "Header", "parse_header",
]

MAGIC = b"ETSP"
VERSION = 1
PAD = 512
MAX_READERS = 8
MAX_INNER = 1 << 20  # bytes of a signed inner tx (the codec's own limits are far below)
_WRAP = 32 + 16
_HEADER = len(MAGIC) + 1 + 4 + 32 + 1
_ZERO_NONCE = bytes(12)


class PrivateTxError(ValueError):
    """A private tx that is malformed, or that this key cannot open."""


def is_private(tx: bytes) -> bool:
    return tx[:4] == MAGIC


def public_bytes(key: X25519PrivateKey | X25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def reader_id(public_key: bytes) -> bytes:
    return hashlib.sha256(b"ETS-PRIVATE-READER-V1" + public_key).digest()[:8]


def _kek(shared: bytes, reader: bytes, ephemeral: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"ETS-PRIVATE-TX-V1" + reader + ephemeral).derive(shared)


def seal_tx(inner: bytes, epoch: int, readers: list[bytes], *, randomness: Callable[[int], bytes] = os.urandom) -> bytes:
    """Encrypt the signed envelope ``inner`` to ``readers`` (X25519 public keys; the execution key first).

    ``randomness`` gives the ephemeral key, the content key and the nonce (a seeded generator makes a
    test's blocks reproducible; anything else must use the default)."""
    if not 1 <= len(readers) <= MAX_READERS or any(len(r) != 32 for r in readers):
        raise PrivateTxError(f"a private tx has 1 to {MAX_READERS} readers, each a 32-byte X25519 public key")
    if not 0 < len(inner) <= MAX_INNER:
        raise PrivateTxError(f"the inner tx must be 1 to {MAX_INNER} bytes")
    if not 0 <= epoch < 2**32:
        raise PrivateTxError("the key epoch is a 32-bit number")
    ephemeral = X25519PrivateKey.from_private_bytes(randomness(32))
    eph_pub = public_bytes(ephemeral)
    content_key = randomness(32)
    parts = [MAGIC, bytes((VERSION,)), epoch.to_bytes(4, "big"), eph_pub, bytes((len(readers),))]
    for reader in readers:
        rid = reader_id(reader)
        kek = _kek(ephemeral.exchange(X25519PublicKey.from_public_bytes(reader)), reader, eph_pub)
        parts += [rid, AESGCM(kek).encrypt(_ZERO_NONCE, content_key, rid)]
    header = b"".join(parts)
    body = struct.pack(">I", len(inner)) + inner
    body += bytes(-len(body) % PAD)
    nonce = randomness(12)
    return header + nonce + AESGCM(content_key).encrypt(nonce, body, header)


def seal_to(tx: bytes, readers: dict, *, randomness: Callable[[int], bytes] = os.urandom) -> bytes:
    """``tx`` sealed to the readers the chain names (its ``/privacy`` record, or genesis ``app_state.privacy``):
    the execution key of ``epoch``, then the regulator's view key if there is one."""
    keys = [bytes.fromhex(readers["execution_key"])]
    if readers.get("regulator_key"):
        keys.append(bytes.fromhex(readers["regulator_key"]))
    return seal_tx(tx, readers["epoch"], keys, randomness=randomness)


class Header(NamedTuple):
    """The outside of a private tx: what anyone can read without a key."""

    epoch: int
    ephemeral: bytes  # the sender's one-time X25519 public key
    wraps: list[tuple[bytes, bytes]]  # (reader id, wrapped content key) per reader, in order
    ciphertext_at: int  # where the nonce and ciphertext start

    @property
    def reader_ids(self) -> list[bytes]:
        return [rid for rid, _ in self.wraps]


def parse_header(tx: bytes) -> Header:
    """The outside of ``tx``, checked for shape (``PrivateTxError`` otherwise); read once, then passed to
    ``open_tx`` so that a validator parses each private tx a single time."""
    if len(tx) < _HEADER + _WRAP + 8 + 12 + 16 or tx[:4] != MAGIC:
        raise PrivateTxError("not a private tx: too short or no ETSP prefix")
    if tx[4] != VERSION:
        raise PrivateTxError(f"private tx version {tx[4]}; this node reads version {VERSION}")
    if len(tx) > _HEADER + MAX_READERS * (8 + _WRAP) + 12 + 4 + MAX_INNER + PAD + 16:
        raise PrivateTxError("private tx is larger than any inner tx allows")
    epoch = int.from_bytes(tx[5:9], "big")
    eph_pub = tx[9:41]
    count = tx[41]
    if not 1 <= count <= MAX_READERS:
        raise PrivateTxError(f"private tx lists {count} readers; 1 to {MAX_READERS} are allowed")
    pos = _HEADER
    wraps = []
    for _ in range(count):
        wraps.append((tx[pos:pos + 8], tx[pos + 8:pos + 8 + _WRAP]))
        pos += 8 + _WRAP
    if len(tx) < pos + 12 + 16 + PAD or (len(tx) - pos - 12 - 16) % PAD:
        raise PrivateTxError("private tx ciphertext is not a whole number of padding blocks")
    return Header(epoch, eph_pub, wraps, pos)


def epoch_of(tx: bytes) -> int:
    return parse_header(tx).epoch


def reader_ids(tx: bytes) -> list[bytes]:
    return parse_header(tx).reader_ids


def open_tx(tx: bytes, key: X25519PrivateKey, *, public: bytes | None = None, header: Header | None = None) -> bytes:
    """The signed inner envelope, opened with one reader's private key (``public``: its public half, if
    the caller keeps it, which saves deriving it per tx; ``header``: ``parse_header(tx)`` if the caller
    has read it already); ``PrivateTxError`` otherwise."""
    _, eph_pub, wraps, pos = parse_header(tx) if header is None else header
    mine = public_bytes(key) if public is None else public
    rid = reader_id(mine)
    wrapped = next((w for r, w in wraps if r == rid), None)
    if wrapped is None:
        raise PrivateTxError("this key is not among the private tx's readers")
    try:
        kek = _kek(key.exchange(X25519PublicKey.from_public_bytes(eph_pub)), mine, eph_pub)
        content_key = AESGCM(kek).decrypt(_ZERO_NONCE, wrapped, rid)
        body = AESGCM(content_key).decrypt(tx[pos:pos + 12], tx[pos + 12:], tx[:pos])
    except (InvalidTag, ValueError):
        raise PrivateTxError("the private tx does not open with this key (altered, or sealed to another key)") from None
    length = int.from_bytes(body[:4], "big")
    if not 0 < length <= len(body) - 4 or any(body[4 + length:]):
        raise PrivateTxError("the private tx's padding is malformed")
    return body[4:4 + length]
