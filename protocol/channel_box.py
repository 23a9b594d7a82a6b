"""Channel keys and channel posts on the wire: sealed boxes of ``protocol.private_tx``.

A channel (채널) is a member-only ledger. Each key epoch of a channel has its own X25519 key
pair, made by a member; the chain stores its public half and one *wrap* of its private half per
member. Posts are sealed to the public half, so whoever holds the epoch's private key reads them
from the blocks, and nobody else does. Both use ``private_tx.seal_tx`` (X25519 + HKDF-SHA256 +
AES-256-GCM, one reader each, padded to 512-byte buckets) with their own plaintext framing, so a
wrap or a post can never be taken for the other, for another channel or for another epoch::

    wrap       = seal_tx(KEY_MAGIC | epoch (4, big-endian) | len(name) (1) | name | private key (32),
                         epoch, [the member's view key])
    post       = seal_tx(POST_MAGIC | len(header) (2, big-endian) | header | payload,
                         epoch, [the channel's public key of epoch])
    header     = canonical JSON {"author", "channel", "epoch", "kind"}
    commitment = SHA-256 of the post's ciphertext bytes (hex), stored on chain

The chain sees only the box's outside (``private_tx.epoch_of`` / ``reader_ids``): it checks that
each wrap is sealed to exactly one member's view key and that a post is sealed to the channel key
of the current epoch. A reader checks the inside: the wrap opens to the private key of the
announced public key, the post's header names the channel, epoch, kind and author the chain
recorded, and the ciphertext hashes to the commitment.

A post's ciphertext travels as hex chunks (``to_chunks``): one JSON string holds at most 64 KiB,
a post up to ``MAX_CHANNEL_CIPHERTEXT`` bytes. Every chunk but the last is exactly
``CHANNEL_CHUNK_BYTES``, so a ciphertext has one encoding.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Callable

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from .codec import canonical_json
from .constants import CHANNEL_CHUNK_BYTES, MAX_CHANNEL_EPOCH, MAX_CHANNEL_NAME, MAX_CHANNEL_PAYLOAD
from .private_tx import PrivateTxError, open_tx, public_bytes, seal_tx

__all__ = [
    "ChannelBoxError", "KEY_MAGIC", "POST_MAGIC", "new_key", "wrap_key", "unwrap_key", "seal_post", "open_post",
    "post_digest", "to_chunks", "from_chunks",
]

KEY_MAGIC = b"ETS-CHANNEL-KEY-V1\x00"
POST_MAGIC = b"ETS-CHANNEL-POST-V1\x00"

Randomness = Callable[[int], bytes]


class ChannelBoxError(ValueError):
    """A wrap or post that does not open with this key, or whose inside does not match the chain's record."""


def new_key(randomness: Randomness = os.urandom) -> X25519PrivateKey:
    """A fresh channel key pair for the next epoch."""
    return X25519PrivateKey.from_private_bytes(randomness(32))


def _check(channel: str, epoch: int) -> None:
    if not isinstance(epoch, int) or not 1 <= epoch <= MAX_CHANNEL_EPOCH:
        raise ChannelBoxError(f"a channel key epoch is 1 to {MAX_CHANNEL_EPOCH:,}")
    if not isinstance(channel, str) or not 1 <= len(channel.encode()) <= MAX_CHANNEL_NAME:
        raise ChannelBoxError(f"a channel name is 1 to {MAX_CHANNEL_NAME} characters")


def _key_inner(channel: str, epoch: int, secret: bytes) -> bytes:
    _check(channel, epoch)
    name = channel.encode()
    return KEY_MAGIC + epoch.to_bytes(4, "big") + bytes((len(name),)) + name + secret


def wrap_key(key: X25519PrivateKey, channel: str, epoch: int, view_public: bytes,
             randomness: Randomness = os.urandom) -> bytes:
    """The channel's private key of ``epoch``, sealed to one member's X25519 view key."""
    secret = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return seal_tx(_key_inner(channel, epoch, secret), epoch, [view_public], randomness=randomness)


def unwrap_key(wrap: bytes, view_key: X25519PrivateKey, channel: str, epoch: int, public_key: bytes) -> X25519PrivateKey:
    """The channel key of ``epoch`` from this member's wrap; checked against the public key on chain."""
    try:
        inner = open_tx(wrap, view_key)
    except PrivateTxError as exc:
        raise ChannelBoxError(f"the key wrap of epoch {epoch} does not open with this view key: {exc}") from None
    prefix = _key_inner(channel, epoch, b"")
    if len(inner) != len(prefix) + 32 or not inner.startswith(prefix):
        raise ChannelBoxError(f"the key wrap is not for channel {channel!r} epoch {epoch}")
    key = X25519PrivateKey.from_private_bytes(inner[len(prefix):])
    if public_bytes(key) != public_key:
        raise ChannelBoxError(f"the key wrap of epoch {epoch} holds a key that is not the channel's public key on chain: "
                              "the member who rekeyed sent a bad wrap; any member can rekey again")
    return key


def _header(channel: str, epoch: int, kind: str, author: str) -> bytes:
    _check(channel, epoch)
    return canonical_json({"author": author, "channel": channel, "epoch": epoch, "kind": kind})


def seal_post(payload: bytes, *, channel: str, epoch: int, kind: str, author: str, channel_public: bytes,
              randomness: Randomness = os.urandom) -> bytes:
    """``payload`` sealed to the channel's public key of ``epoch``, its header naming the author."""
    if not 1 <= len(payload) <= MAX_CHANNEL_PAYLOAD:
        raise ChannelBoxError(f"a channel post is 1 to {MAX_CHANNEL_PAYLOAD:,} bytes; this one is {len(payload):,}")
    header = _header(channel, epoch, kind, author)
    inner = POST_MAGIC + len(header).to_bytes(2, "big") + header + payload
    return seal_tx(inner, epoch, [channel_public], randomness=randomness)


def open_post(ciphertext: bytes, key: X25519PrivateKey, *, channel: str, epoch: int, kind: str, author: str) -> bytes:
    """The payload of a post, opened with the channel key of its epoch; its header must match the chain's record."""
    try:
        inner = open_tx(ciphertext, key)
    except PrivateTxError as exc:
        raise ChannelBoxError(f"the post does not open with the channel key of epoch {epoch}: {exc}") from None
    if not inner.startswith(POST_MAGIC) or len(inner) < len(POST_MAGIC) + 2:
        raise ChannelBoxError("the sealed box is not a channel post")
    at = len(POST_MAGIC)
    size = int.from_bytes(inner[at:at + 2], "big")
    header = inner[at + 2:at + 2 + size]
    try:
        fields = json.loads(header)
    except ValueError:
        raise ChannelBoxError("the post's header is not JSON") from None
    expected = {"author": author, "channel": channel, "epoch": epoch, "kind": kind}
    if fields != expected:
        raise ChannelBoxError(f"the post's sealed header {fields!r} differs from the chain's record {expected!r}: "
                              "it was copied from another post or channel")
    return inner[at + 2 + size:]


def post_digest(ciphertext: bytes) -> str:
    """The commitment the chain stores for a post: SHA-256 of its ciphertext (hex)."""
    return hashlib.sha256(ciphertext).hexdigest()


def to_chunks(ciphertext: bytes) -> tuple[str, ...]:
    """The ciphertext as the hex chunks a ``channel_post`` carries."""
    return tuple(ciphertext[i:i + CHANNEL_CHUNK_BYTES].hex() for i in range(0, len(ciphertext), CHANNEL_CHUNK_BYTES))


def from_chunks(chunks: tuple[str, ...] | list[str]) -> bytes:
    return b"".join(bytes.fromhex(c) for c in chunks)
