"""Channels (채널) from a member's side: rekey, post, and read the channel's ledger from the blocks.

    with ChainClient(url) as client:
        client.submit(member, rekey_message(client, member, "steel-verification"))
        client.submit(member, post_message(client, member, "steel-verification", b"...", kind="statement"))
        for post in read_ledger(client, member, "steel-verification"):
            post.seq, post.author, post.payload (None if this member cannot open it), post.problem

A member's view key (``protocol.sealed.view_key_of``: derived from its signing key) opens its wrap
of each epoch's channel key; that key opens the posts of the epoch. ``read_ledger`` finds the posts
with ``tx_search "channel_post.channel='<name>'"`` on the node, checks every ciphertext against its
commitment on chain (``channel/<name>/post/<seq>``: read from ``/channel/<name>/posts``, or proven
against a header the validators signed when ``verified`` is given, as ``ets verify`` does) and
only then opens it. A post that fails a check is returned with ``problem`` set and no payload.

Errors are ``ChannelError`` (a ``ChainError``), whose ``reason`` says which: ``not_found``,
``not_member``, ``needs_rekey``, ``too_large``, ``bad_wrap``.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from protocol import state_keys
from protocol.channel_box import ChannelBoxError, from_chunks, new_key, open_post, post_digest, seal_post, to_chunks, \
    unwrap_key, wrap_key
from protocol.codec import CodecError, decode_envelope
from protocol.codes import Code, TxRejected
from protocol.constants import MAX_CHANNEL_PAYLOAD
from protocol.messages import ChannelKey, ChannelPost, parse_message
from protocol.private_tx import public_bytes
from protocol.sealed import view_key_of

from .keys import Signer
from .rpc import ChainClient, ChainError, QueryError

__all__ = ["ChannelError", "LedgerPost", "channel_record", "rekey_message", "post_message", "read_ledger",
           "epoch_key", "find_post_txs", "POST_EVENT"]

POST_EVENT = "channel_post"
_PER_PAGE = 100


class ChannelError(ChainError):
    """A channel operation that cannot be done; ``reason`` is one of the module docstring's."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class LedgerPost:
    seq: int
    epoch: int
    kind: str
    author: str
    height: int
    sha256: str
    payload: bytes | None  # None: this member cannot open it, or a check failed (``problem``)
    problem: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"seq": self.seq, "epoch": self.epoch, "kind": self.kind, "author": self.author,
                               "height": self.height, "sha256": self.sha256, "readable": self.payload is not None}
        if self.payload is not None:
            try:
                out["text"] = self.payload.decode("utf-8")
            except UnicodeDecodeError:
                out["base64"] = base64.b64encode(self.payload).decode()
        if self.problem:
            out["problem"] = self.problem
        return out


def channel_record(client: ChainClient, name: str) -> dict[str, Any]:
    """``/channel/<name>``: members, epoch, public key, the current wraps, whether it takes posts."""
    try:
        return client.query(f"/channel/{name}")
    except QueryError as exc:
        if exc.code == Code.NOT_FOUND:
            raise ChannelError("not_found", f"there is no channel {name!r} on this chain (채널 없음)") from None
        raise


def _require_member(record: dict[str, Any], signer: Signer, doing: str) -> None:
    if signer.address not in record["members"]:
        raise ChannelError("not_member", f"{signer.address} is not a member of channel {record['name']!r} and may not "
                                         f"{doing} (채널 구성원이 아님); members: {', '.join(record['members'])}")


def rekey_message(client: ChainClient, signer: Signer, name: str, *,
                  randomness: Callable[[int], bytes] = os.urandom) -> ChannelKey:
    """A fresh key for the channel's next epoch, wrapped to every current member's view key on chain."""
    record = channel_record(client, name)
    _require_member(record, signer, "rekey it")
    epoch = record["epoch"] + 1
    key = new_key(randomness)
    wraps = {}
    for member in record["members"]:
        view = client.query(f"/account/{member}").get("view_key")
        if not view:
            raise ChannelError("bad_wrap", f"member {member} has no view key on chain: it must publish one first "
                                           "(`ets channel view-key`)")
        wraps[member] = wrap_key(key, name, epoch, bytes.fromhex(view), randomness).hex()
    return ChannelKey(name, epoch, public_bytes(key).hex(), wraps)


def post_message(client: ChainClient, signer: Signer, name: str, payload: bytes, kind: str, *,
                 randomness: Callable[[int], bytes] = os.urandom) -> ChannelPost:
    """``payload`` sealed to the channel's current key, as a ``channel_post`` (checked before anything is sent)."""
    if len(payload) > MAX_CHANNEL_PAYLOAD:
        raise ChannelError("too_large", f"the post is {len(payload):,} bytes; a channel post is at most "
                                        f"{MAX_CHANNEL_PAYLOAD:,} bytes (게시물 크기 초과): split it or post a digest")
    if not payload:
        raise ChannelError("too_large", "the post is empty")
    record = channel_record(client, name)
    _require_member(record, signer, "post to it")
    if record["needs_rekey"]:
        raise ChannelError("needs_rekey", f"channel {name!r} takes no posts now: {record['reason']} (재키 필요)")
    sealed = seal_post(payload, channel=name, epoch=record["epoch"], kind=kind, author=signer.address,
                       channel_public=bytes.fromhex(record["public_key"]), randomness=randomness)
    msg = ChannelPost(name, record["epoch"], kind, to_chunks(sealed))
    try:
        return parse_message(msg.to_json())  # type: ignore[return-value]  (stateless checks, e.g. the kind)
    except TxRejected as exc:
        raise ChannelError("too_large" if exc.code == Code.CHANNEL_POST_TOO_LARGE else "invalid", exc.log) from None


def epoch_key(client: ChainClient, signer: Signer, name: str, epoch: int,
              cache: dict[int, X25519PrivateKey | ChannelError] | None = None) -> X25519PrivateKey:
    """This member's channel key of ``epoch``, from its wrap (``ChannelError`` if it has none or it is bad)."""
    cache = {} if cache is None else cache
    if epoch not in cache:
        record = client.query(f"/channel/{name}/key/{epoch}")
        wrap = record["wraps"].get(signer.address)
        if wrap is None:
            cache[epoch] = ChannelError("not_member", f"{signer.address} was not a member when key epoch {epoch} was "
                                                      "made: its posts are not for this account")
        else:
            try:
                cache[epoch] = unwrap_key(bytes.fromhex(wrap), view_key_of(signer), name, epoch,
                                          bytes.fromhex(record["public_key"]))
            except ChannelBoxError as exc:
                cache[epoch] = ChannelError("bad_wrap", str(exc))
    found = cache[epoch]
    if isinstance(found, ChannelError):
        raise found
    return found


def _event_attribute(events: list[dict[str, Any]], event: str, key: str) -> str | None:
    for item in events or []:
        if item.get("type") == event:
            for attribute in item.get("attributes") or []:
                if attribute.get("key") == key:
                    return attribute.get("value")
    return None


def find_post_txs(client: ChainClient, name: str) -> dict[int, tuple[bytes, int]]:
    """seq → (the tx bytes, height) of every accepted post of the channel, from the node's tx index."""
    found: dict[int, tuple[bytes, int]] = {}
    page = 1
    while True:
        result = client.call("tx_search", query=f"{POST_EVENT}.channel='{name}'", page=str(page),
                             per_page=str(_PER_PAGE), order_by="asc")
        for item in result.get("txs") or []:
            tx_result = item.get("tx_result") or {}
            seq = _event_attribute(tx_result.get("events"), POST_EVENT, "seq")
            if int(tx_result.get("code", 0)) == 0 and seq is not None and seq.isdigit():
                found[int(seq)] = (base64.b64decode(item["tx"]), int(item["height"]))
        if page * _PER_PAGE >= int(result.get("total_count", 0)):
            return found
        page += 1


def _commitments(client: ChainClient, name: str, total: int) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    start = 1
    while start <= total:
        rows = client.query(f"/channel/{name}/posts?from={start}&limit=500")
        if not rows:
            break
        out.update({row["seq"]: row for row in rows})
        start += len(rows)
    return out


def read_ledger(client: ChainClient, signer: Signer, name: str, *,
                verified: Callable[[str], bytes | None] | None = None) -> list[LedgerPost]:
    """Every post of the channel, opened where this account holds the epoch's key.

    ``verified(state_key)`` returns a state value proven against a signed header (``ets.verify``);
    without it the commitments come from the node's ``/channel/<name>/posts`` answer."""
    record = channel_record(client, name)
    keys: dict[int, X25519PrivateKey | ChannelError] = {}
    if signer.address not in record["members"]:
        epochs = range(1, record["epoch"] + 1)
        if not any(signer.address in client.query(f"/channel/{name}/key/{e}")["wraps"] for e in epochs):
            raise ChannelError("not_member", f"{signer.address} is not and never was a member of channel {name!r}: "
                                             "it holds no key to read it with (채널 구성원이 아님)")
    if verified is None:
        commitments = _commitments(client, name, record["posts"])
    else:
        commitments = {}
        for seq in range(1, record["posts"] + 1):
            raw = verified(state_keys.channel_post(name, seq))
            if raw is not None:
                commitments[seq] = json.loads(raw)
    txs = find_post_txs(client, name)
    out = []
    for seq in sorted(commitments):
        c = commitments[seq]
        base = dict(seq=seq, epoch=c["epoch"], kind=c["kind"], author=c["signer"], height=c["height"], sha256=c["sha256"])
        found = txs.get(seq)
        if found is None:
            out.append(LedgerPost(**base, payload=None, problem="the node's tx index has no tx for this post"))
            continue
        try:
            env = decode_envelope(found[0])
            msg = parse_message(env.msg)
        except (CodecError, TxRejected) as exc:
            out.append(LedgerPost(**base, payload=None, problem=f"the node served a malformed tx: {exc}"))
            continue
        if not isinstance(msg, ChannelPost) or msg.name != name or env.signer != c["signer"] \
                or msg.epoch != c["epoch"] or msg.kind != c["kind"] or post_digest(from_chunks(msg.ciphertext)) != c["sha256"]:
            out.append(LedgerPost(**base, payload=None, problem="the tx the node served does not match the commitment "
                                                                "on chain: ask another node"))
            continue
        try:
            key = epoch_key(client, signer, name, msg.epoch, keys)
            payload = open_post(from_chunks(msg.ciphertext), key, channel=name, epoch=msg.epoch, kind=msg.kind,
                                author=env.signer)
        except (ChannelError, ChannelBoxError) as exc:
            out.append(LedgerPost(**base, payload=None, problem=str(exc)))
            continue
        out.append(LedgerPost(**base, payload=payload))
    return out
