"""Channels (채널): member-only ledgers. Opening one and setting its members are governed actions;
key epochs and posts are messages of the members (``protocol.channel_box`` seals them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..codes import Code, TxRejected
from ..constants import (
    CHANNEL_CHUNK_BYTES, MAX_CHANNEL_CIPHERTEXT, MAX_CHANNEL_EPOCH, MAX_CHANNEL_MEMBERS, MAX_CHANNEL_NAME, MAX_REASON,
    MIN_CHANNEL_MEMBERS,
)
from ..private_tx import PrivateTxError, epoch_of, reader_ids
from ._base import _address, _count, _fields, _hex64, _invalid, _text, action, message, Wire

__all__ = ["ChannelOpen", "ChannelMembers", "ChannelKey", "ChannelPost", "POST_KINDS", "is_channel_name"]

_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
POST_KINDS = ("document", "draft", "message", "readings", "statement")
MAX_CHUNKS = -(-MAX_CHANNEL_CIPHERTEXT // CHANNEL_CHUNK_BYTES)
MAX_WRAP_HEX = 2048  # a wrap is one 512-byte padding bucket plus its header: 638 bytes


def is_channel_name(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_CHANNEL_NAME and _NAME.fullmatch(value) is not None


def _channel_name(kind: str, value: object) -> str:
    if not is_channel_name(value):
        raise _invalid(f"{kind}.name must be a slug of 1 to {MAX_CHANNEL_NAME} characters: a-z, 0-9 and inner hyphens "
                       "(e.g. steel-verification-2025)")
    return value  # type: ignore[return-value]


def _members(kind: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not MIN_CHANNEL_MEMBERS <= len(value) <= MAX_CHANNEL_MEMBERS:
        raise _invalid(f"{kind}.members must list {MIN_CHANNEL_MEMBERS} to {MAX_CHANNEL_MEMBERS} account addresses")
    members = tuple(_address(kind, "members", m) for m in value)
    if len(set(members)) != len(members):
        raise _invalid(f"{kind}.members lists an account twice")
    return tuple(sorted(members))


def _epoch(kind: str, value: object) -> int:
    return _count(kind, "epoch", value, MAX_CHANNEL_EPOCH, 1)


def _box(kind: str, what: str, hex_text: object, epoch: int, limit_hex: int) -> bytes:
    """Bytes of one sealed box (lowercase hex) whose outside says: one reader, this epoch."""
    if not isinstance(hex_text, str) or not 0 < len(hex_text) <= limit_hex or len(hex_text) % 2 \
            or any(c not in "0123456789abcdef" for c in hex_text):
        raise _invalid(f"{kind}.{what} must be lowercase hex of at most {limit_hex // 2:,} bytes")
    data = bytes.fromhex(hex_text)
    try:
        box_epoch, readers = epoch_of(data), reader_ids(data)
    except PrivateTxError as exc:
        raise _invalid(f"{kind}.{what} is not a sealed box: {exc}") from None
    if len(readers) != 1:
        raise _invalid(f"{kind}.{what} must be sealed to exactly one key; it lists {len(readers)} readers")
    if box_epoch != epoch:
        raise _invalid(f"{kind}.{what} is sealed for epoch {box_epoch}, the message says epoch {epoch}")
    return data


@action
@dataclass(frozen=True, slots=True)
class ChannelOpen(Wire):
    """Governed action: open channel ``name`` for ``purpose`` with these members (each needs a view key).
    The channel has no key until a member posts epoch 1 (``channel_key``)."""

    name: str
    purpose: str
    members: tuple[str, ...]
    TYPE = "channel_open"

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(sorted(self.members)))

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "ChannelOpen":
        _fields(obj, cls.TYPE, ("name", "purpose", "members"))
        return cls(_channel_name(cls.TYPE, obj["name"]), _text(cls.TYPE, "purpose", obj["purpose"], MAX_REASON),
                   _members(cls.TYPE, obj["members"]))


@action
@dataclass(frozen=True, slots=True)
class ChannelMembers(Wire):
    """Governed action: the channel's members from now on. Posting then waits for a member's new key
    wrapped to exactly these members (a member who left cannot read what comes after)."""

    name: str
    members: tuple[str, ...]
    TYPE = "channel_members"

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(sorted(self.members)))

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "ChannelMembers":
        _fields(obj, cls.TYPE, ("name", "members"))
        return cls(_channel_name(cls.TYPE, obj["name"]), _members(cls.TYPE, obj["members"]))


@message
@dataclass(frozen=True, slots=True)
class ChannelKey(Wire):
    """A member's new channel key for the next epoch: its public half, and its private half wrapped to
    each current member's view key (address → sealed box, hex)."""

    name: str
    epoch: int
    public_key: str
    wraps: dict[str, str]
    TYPE = "channel_key"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "ChannelKey":
        kind = cls.TYPE
        _fields(obj, kind, ("name", "epoch", "public_key", "wraps"))
        name, epoch = _channel_name(kind, obj["name"]), _epoch(kind, obj["epoch"])
        key = _hex64(kind, "public_key", obj["public_key"])
        if key == "0" * 64:
            raise _invalid(f"{kind}.public_key is all zeros, which is no X25519 key")
        wraps = obj["wraps"]
        if not isinstance(wraps, dict) or not MIN_CHANNEL_MEMBERS <= len(wraps) <= MAX_CHANNEL_MEMBERS:
            raise _invalid(f"{kind}.wraps must map {MIN_CHANNEL_MEMBERS} to {MAX_CHANNEL_MEMBERS} member addresses "
                           "to the key sealed to their view keys")
        for member, wrap in wraps.items():
            _address(kind, "wraps member", member)
            _box(kind, f"wraps[{member}]", wrap, epoch, MAX_WRAP_HEX)
        return cls(name, epoch, key, dict(wraps))


@message
@dataclass(frozen=True, slots=True)
class ChannelPost(Wire):
    """A member's post: a payload sealed to the channel key of the current epoch, as hex chunks
    (``protocol.channel_box.to_chunks``). The chain keeps only its commitment."""

    name: str
    epoch: int
    kind: str
    ciphertext: tuple[str, ...]
    sealed: bytes = field(default=b"", compare=False, metadata={"derived": True})  # the ciphertext's bytes
    TYPE = "channel_post"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "ChannelPost":
        kind = cls.TYPE
        _fields(obj, kind, ("name", "epoch", "kind", "ciphertext"))
        name, epoch = _channel_name(kind, obj["name"]), _epoch(kind, obj["epoch"])
        if obj["kind"] not in POST_KINDS:
            raise _invalid(f"{kind}.kind must be one of {', '.join(POST_KINDS)}")
        chunks = obj["ciphertext"]
        if not isinstance(chunks, (list, tuple)) or not chunks:
            raise _invalid(f"{kind}.ciphertext must be a list of hex chunks (protocol.channel_box.to_chunks)")
        if len(chunks) > MAX_CHUNKS:
            raise TxRejected(Code.CHANNEL_POST_TOO_LARGE, f"{kind}.ciphertext has {len(chunks)} chunks; a post is at most "
                                                          f"{MAX_CHANNEL_CIPHERTEXT:,} bytes ({MAX_CHUNKS} chunks)")
        full = 2 * CHANNEL_CHUNK_BYTES
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            if not isinstance(chunk, str) or not (0 < len(chunk) <= full if last else len(chunk) == full):
                raise _invalid(f"{kind}.ciphertext chunk {i} must be hex of {'1 to ' if last else ''}"
                               f"{CHANNEL_CHUNK_BYTES:,} bytes (every chunk but the last is full)")
        total = sum(len(c) for c in chunks) // 2
        if total > MAX_CHANNEL_CIPHERTEXT:
            raise TxRejected(Code.CHANNEL_POST_TOO_LARGE, f"{kind}.ciphertext is {total:,} bytes; a post is at most "
                                                          f"{MAX_CHANNEL_CIPHERTEXT:,} bytes sealed")
        data = _box(kind, "ciphertext", "".join(chunks), epoch, 2 * MAX_CHANNEL_CIPHERTEXT)
        return cls(name, epoch, obj["kind"], tuple(chunks), data)
