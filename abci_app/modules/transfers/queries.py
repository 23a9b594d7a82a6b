"""Answers of the ledger's paths: total supply (public); balances and holdings (the holder or the regulator)."""

from __future__ import annotations

from typing import Any

from .. import QueryRequest
from . import keys

__all__ = ["supply", "balances", "holdings"]


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
