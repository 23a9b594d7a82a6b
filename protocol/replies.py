"""Answers to signed queries, sealed to the one query that asked.

A signed query carries ``reply_key``, the public half of an X25519 key the reader made for that
query alone. The node seals its answer to it::

    sealed = b"ETSR" || ephemeral X25519 public (32) || nonce (12) || AES-256-GCM(key, value, aad = query digest)
    key    = HKDF-SHA256(ECDH(ephemeral, reply_key), info = "ETS-QUERY-REPLY-V1" || query digest)

where the query digest is what the reader signed (``sign_digest(body, query=True)``). Whoever
captures the query and sends it again (to this node or another) gets bytes only the reader can
open; the answer of one query cannot be passed off as the answer of another.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = ["REPLY_MAGIC", "ReplyError", "new_reply_key", "reply_public_hex", "seal_reply", "open_reply"]

REPLY_MAGIC = b"ETSR"
_INFO = b"ETS-QUERY-REPLY-V1"


class ReplyError(ValueError):
    """A sealed answer that this reply key cannot open (tampered, or meant for another query)."""


def new_reply_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def reply_public_hex(key: X25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _key(shared: bytes, digest: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO + digest).derive(shared)


def seal_reply(value: bytes, reply_key_hex: str, digest: bytes) -> bytes:
    """Encrypt ``value`` to the query's reply key (a node's side; not consensus code)."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(reply_key_hex)))
    nonce = os.urandom(12)
    public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return REPLY_MAGIC + public + nonce + AESGCM(_key(shared, digest)).encrypt(nonce, value, digest)


def open_reply(sealed: bytes, key: X25519PrivateKey, digest: bytes) -> bytes:
    """The reader's side: the plain answer, or ``ReplyError``."""
    if len(sealed) < 4 + 32 + 12 + 16 or not sealed.startswith(REPLY_MAGIC):
        raise ReplyError("the answer is not a sealed reply (expected ETSR + key + nonce + ciphertext)")
    public, nonce, ciphertext = sealed[4:36], sealed[36:48], sealed[48:]
    try:
        shared = key.exchange(X25519PublicKey.from_public_bytes(public))
        return AESGCM(_key(shared, digest)).decrypt(nonce, ciphertext, digest)
    except (InvalidTag, ValueError):
        raise ReplyError("the sealed answer does not open with this query's reply key (tampered or for another query)") from None
