"""Channels opened and re-membered by governed actions; key epochs and posts sent by members."""

from __future__ import annotations

from typing import Any

from protocol.channel_box import post_digest
from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages.channels import ChannelKey, ChannelMembers, ChannelOpen, ChannelPost
from protocol.private_tx import reader_id, reader_ids

from ...view import BlockContext, View, account, get_json, put_json
from ..blocktrades import keys as view_keys
from . import keys
from .events import CHANNEL, CHANNEL_POST

__all__ = ["check_open", "execute_open", "check_members", "execute_members", "handle_channel_key",
           "handle_channel_post", "rekey_reason"]


def _channel(view: View, name: str) -> dict[str, Any]:
    record = get_json(view, keys.channel(name))
    if record is None:
        raise TxRejected(Code.CHANNEL_NOT_FOUND, f"there is no channel {name!r}; a channel is opened by the government "
                                                 "(governed action channel_open)")
    return record


def _check_members(view: View, members: tuple[str, ...]) -> None:
    for member in members:
        if account(view, member) is None:
            raise TxRejected(Code.UNKNOWN_ACCOUNT, f"member {member} is not a registered account")
        if view.get(view_keys.view_key(member)) is None:
            raise TxRejected(Code.MISSING_VIEW_KEY, f"member {member} has no view key on chain; it must send "
                                                    "set_view_key first (`ets channel view-key`)")


def rekey_reason(record: dict[str, Any]) -> str:
    """Why the channel refuses posts until a member posts a new key ("" when it takes posts)."""
    if record["epoch"] == 0:
        return "the channel has no key yet: a member posts epoch 1 (`ets channel rekey`)"
    members, wrapped = set(record["members"]), set(record["key_members"])
    if wrapped - members:
        return (f"a member left after epoch {record['epoch']} was made: a remaining member posts epoch "
                f"{record['epoch'] + 1} (`ets channel rekey`)")
    if members - wrapped:
        return (f"new members have no wrap of epoch {record['epoch']}: a member posts epoch {record['epoch'] + 1} "
                "(`ets channel rekey`)")
    return ""


# ---------------------------------------------------------------- governed actions


def check_open(view: View, action: ChannelOpen, ctx: BlockContext) -> None:
    if view.get(keys.channel(action.name)) is not None:
        raise TxRejected(Code.CHANNEL_EXISTS, f"channel {action.name!r} is already open; choose another name")
    _check_members(view, action.members)


def execute_open(view: View, action: ChannelOpen, ctx: BlockContext, proposal: dict) -> None:
    check_open(view, action, ctx)
    put_json(view, keys.channel(action.name), {
        "name": action.name, "purpose": action.purpose, "members": list(action.members), "epoch": 0,
        "public_key": "", "key_members": [], "posts": 0,
        "opened": {"height": ctx.height, "time": ctx.time, "proposal_id": proposal["id"]},
    })
    ctx.emit(CHANNEL(name=action.name, change="opened", epoch=0, members=len(action.members)))


def check_members(view: View, action: ChannelMembers, ctx: BlockContext) -> None:
    record = _channel(view, action.name)
    if list(action.members) == record["members"]:
        raise TxRejected(Code.CHANNEL_UNCHANGED, f"channel {action.name!r} already has exactly these members")
    _check_members(view, action.members)


def execute_members(view: View, action: ChannelMembers, ctx: BlockContext, proposal: dict) -> None:
    check_members(view, action, ctx)
    record = _channel(view, action.name)
    removed = sorted(set(record["members"]) - set(action.members))
    record["members"] = list(action.members)
    record["changed"] = {"height": ctx.height, "time": ctx.time, "proposal_id": proposal["id"], "removed": removed}
    put_json(view, keys.channel(action.name), record)
    ctx.emit(CHANNEL(name=action.name, change="members", epoch=record["epoch"], members=len(action.members)))


# ---------------------------------------------------------------- members' messages


def _member_of(view: View, name: str, signer: str, what: str) -> dict[str, Any]:
    record = _channel(view, name)
    if signer not in record["members"]:
        raise TxRejected(Code.CHANNEL_NOT_A_MEMBER, f"{signer} is not a member of channel {name!r}: only its members "
                                                    f"may {what}")
    return record


def handle_channel_key(view: View, signer: str, msg: ChannelKey, ctx: BlockContext) -> bytes:
    record = _member_of(view, msg.name, signer, "post its keys")
    if msg.epoch != record["epoch"] + 1:
        raise TxRejected(Code.CHANNEL_WRONG_EPOCH, f"channel {msg.name!r} is at key epoch {record['epoch']}; the new "
                                                   f"key is epoch {record['epoch'] + 1}, not {msg.epoch}")
    if msg.public_key == record["public_key"]:
        raise TxRejected(Code.INVALID_MESSAGE, "the new channel key must be a fresh key, not the current one")
    members = record["members"]
    if sorted(msg.wraps) != members:
        missing = sorted(set(members) - set(msg.wraps))
        extra = sorted(set(msg.wraps) - set(members))
        raise TxRejected(Code.CHANNEL_WRAPS_MISMATCH, f"the key must be wrapped to exactly the current members; "
                                                      f"missing: {', '.join(missing) or 'none'}; "
                                                      f"not members: {', '.join(extra) or 'none'}")
    for member in members:
        public = view.get(view_keys.view_key(member))
        if public is None:
            raise TxRejected(Code.MISSING_VIEW_KEY, f"member {member} has no view key on chain")
        if reader_ids(bytes.fromhex(msg.wraps[member])) != [reader_id(bytes.fromhex(public.decode()))]:
            raise TxRejected(Code.CHANNEL_WRAPS_MISMATCH, f"the wrap for {member} is not sealed to its view key on chain "
                                                          "(read /account/<addr> view_key and wrap again)")
    put_json(view, keys.channel_key(msg.name, msg.epoch), {
        "epoch": msg.epoch, "public_key": msg.public_key, "wraps": msg.wraps, "by": signer,
        "height": ctx.height, "time": ctx.time,
    })
    record.update(epoch=msg.epoch, public_key=msg.public_key, key_members=members)
    put_json(view, keys.channel(msg.name), record)
    ctx.emit(CHANNEL(name=msg.name, change="key", epoch=msg.epoch, members=len(members)))
    return canonical_json({"channel": msg.name, "epoch": msg.epoch})


def handle_channel_post(view: View, signer: str, msg: ChannelPost, ctx: BlockContext) -> bytes:
    record = _member_of(view, msg.name, signer, "post to it")
    reason = rekey_reason(record)
    if reason:
        raise TxRejected(Code.CHANNEL_NEEDS_REKEY, f"channel {msg.name!r} takes no posts now: {reason}")
    if msg.epoch != record["epoch"]:
        raise TxRejected(Code.CHANNEL_WRONG_EPOCH, f"channel {msg.name!r} is at key epoch {record['epoch']}; the post is "
                                                   f"sealed for epoch {msg.epoch}: read /channel/{msg.name} and seal again")
    if reader_ids(msg.sealed) != [reader_id(bytes.fromhex(record["public_key"]))]:
        raise TxRejected(Code.INVALID_MESSAGE, f"the post is not sealed to the public key of channel {msg.name!r} "
                                               f"epoch {msg.epoch}")
    digest = post_digest(msg.sealed)
    earlier = view.get(keys.posted_digest(msg.name, digest))
    if earlier is not None:
        raise TxRejected(Code.CHANNEL_DUPLICATE_POST, f"this ciphertext was already posted to channel {msg.name!r} "
                                                      f"(post {int(earlier)}); seal the payload again to post it anew")
    seq = record["posts"] + 1
    record["posts"] = seq
    put_json(view, keys.channel(msg.name), record)
    put_json(view, keys.post(msg.name, seq), {
        "seq": seq, "sha256": digest, "epoch": msg.epoch, "kind": msg.kind, "signer": signer, "size": len(msg.sealed),
        "height": ctx.height, "time": ctx.time,
    })
    view.set(keys.posted_digest(msg.name, digest), str(seq).encode())
    ctx.emit(CHANNEL_POST(channel=msg.name, seq=seq, epoch=msg.epoch, kind=msg.kind, sha256=digest))
    return canonical_json({"channel": msg.name, "seq": seq, "sha256": digest})
