"""Answers of the ledger's paths: total supply (public); balances, holdings and the transfer record (the holder,
its representatives or the regulator)."""

from __future__ import annotations

from typing import Any

from protocol.codes import Code

from ...query_args import Denied, json_at, query_params
from .. import QueryRequest
from . import keys
from .journal import MAX_ENTRIES_PER_QUERY

__all__ = ["supply", "balances", "holdings", "record"]

MAX_SEQ = 10**12  # sequence numbers a page may name


def supply(q: QueryRequest) -> Any:
    return {keys.instrument_in(k): int(v) for k, v in q.store.scan(keys.SUPPLY)}


def balances(q: QueryRequest) -> Any:
    return {keys.instrument_in(k): int(v) for k, v in q.store.scan(keys.balances_of(q.subject))}


def holdings(q: QueryRequest) -> Any:
    out: dict[str, dict[str, int]] = {}
    for kind, prefix in (("available", keys.balances_of(q.subject)), ("held", keys.held_of(q.subject))):
        for key, value in q.store.scan(prefix):
            out.setdefault(keys.instrument_in(key), {"available": 0, "held": 0})[kind] = int(value)
    return dict(sorted(out.items()))


_PAGE = ("before", "from", "limit")


def _number(p: dict[str, str], name: str, default: int, high: int) -> int:
    text = p.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 13 or not 1 <= int(text) <= high:
        raise Denied(Code.BAD_QUERY, f"{name} must be a whole number from 1 to {high:,}")
    return int(text)


def record(q: QueryRequest) -> Any:
    """The account's transfer record: newest first (``before=SEQ``: older than SEQ), or (``from=SEQ``) oldest
    first from SEQ; at most ``limit`` (default and most: ``journal.MAX_ENTRIES_PER_QUERY``) entries."""
    p = query_params(q.path, set(_PAGE))
    if "before" in p and "from" in p:
        raise Denied(Code.BAD_QUERY, "give before= (newest first) or from= (oldest first), not both")
    count = int(q.store.get(keys.journal_count(q.subject)) or 0)
    limit = _number(p, "limit", MAX_ENTRIES_PER_QUERY, MAX_ENTRIES_PER_QUERY)
    if "from" in p:
        low = _number(p, "from", 1, MAX_SEQ)
        seqs = range(low, min(count, low + limit - 1) + 1)
    else:
        high = min(count, _number(p, "before", count + 1, MAX_SEQ) - 1)
        seqs = range(high, max(0, high - limit), -1)
    entries = [json_at(q.store, keys.journal_entry(q.subject, seq)) for seq in seqs]
    return {"account": q.subject, "count": count, "limit": limit, "entries": entries}
