"""Answers of the block-trade paths: a party's trades or all of them (private); daily aggregates (public)."""

from __future__ import annotations

import json
from typing import Any

from ...query_args import MAX_ROWS, first_arg, json_at
from .. import QueryRequest
from . import keys

__all__ = ["block_trades", "block_volume"]


def block_trades(q: QueryRequest) -> Any:
    if q.subject is None:  # the regulator's list of every block trade
        return [json.loads(v) for _, v in q.store.scan(keys.BLOCK_TRADES, MAX_ROWS)]
    return [json_at(q.store, keys.block_trade(keys.id_in(k))) for k, _ in q.store.scan(keys.trades_of(q.subject), MAX_ROWS)]


def block_volume(q: QueryRequest) -> Any:
    prefix = keys.daily_volumes_of(first_arg(q.args))
    return [{"day": k[len(prefix):], **json.loads(v)} for k, v in q.store.scan(prefix, MAX_ROWS)]
