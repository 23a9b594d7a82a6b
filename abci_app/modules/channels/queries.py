"""Answers of the channel paths (public: names, members, keys' public halves, wraps, post commitments).

    /channel/<name>                          the record, the current epoch's wraps, whether it takes posts
    /channel/<name>/posts?from=SEQ&limit=N   post commitments from SEQ (default 1), at most 500
    /channel/<name>/key/<epoch>              one epoch's key record (old epochs: to read old posts)
"""

from __future__ import annotations

from typing import Any

from protocol.codes import Code
from protocol.constants import MAX_CHANNEL_EPOCH
from protocol.messages.channels import is_channel_name

from ...query_args import Denied, json_at, query_params
from .. import QueryRequest
from . import keys
from .handlers import rekey_reason

__all__ = ["channel", "MAX_POSTS_PER_QUERY"]

MAX_POSTS_PER_QUERY = 500


def _number(text: str, what: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 19 or not low <= int(text) <= high:
        raise Denied(Code.BAD_QUERY, f"{what} must be a whole number from {low} to {high:,}")
    return int(text)


def channel(q: QueryRequest) -> Any:
    args = [a.partition("?")[0] for a in q.args]
    name = args[0] if args else ""
    if not is_channel_name(name):
        raise Denied(Code.BAD_QUERY, "expected /channel/<name>[/posts?from=&limit=|/key/<epoch>] with a channel name "
                                     "(a-z, 0-9, inner hyphens)")
    record = json_at(q.store, keys.channel(name))
    if record is None:
        raise Denied(Code.NOT_FOUND, f"there is no channel {name!r}")
    if len(args) == 1:
        current = json_at(q.store, keys.channel_key(name, record["epoch"])) if record["epoch"] else None
        reason = rekey_reason(record)
        return {**record, "wraps": current["wraps"] if current else {}, "needs_rekey": bool(reason), "reason": reason}
    if len(args) == 2 and args[1] == "posts":
        p = query_params(q.path, {"from", "limit"})
        start = _number(p.get("from", "1"), "from", 1, 10**12)
        limit = _number(p.get("limit", str(MAX_POSTS_PER_QUERY)), "limit", 1, MAX_POSTS_PER_QUERY)
        end = min(record["posts"], start + limit - 1)
        return [json_at(q.store, keys.post(name, seq)) for seq in range(start, end + 1)]
    if len(args) == 3 and args[1] == "key":
        epoch = _number(args[2], "epoch", 1, MAX_CHANNEL_EPOCH)
        found = json_at(q.store, keys.channel_key(name, epoch))
        if found is None:
            raise Denied(Code.NOT_FOUND, f"channel {name!r} has no key of epoch {epoch} (it is at epoch {record['epoch']})")
        return found
    raise Denied(Code.BAD_QUERY, "expected /channel/<name>, /channel/<name>/posts?from=&limit= or /channel/<name>/key/<epoch>")

