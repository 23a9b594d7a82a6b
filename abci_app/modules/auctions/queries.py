"""Answers of the auction paths: the calendar with results (public), one auction, a bidder's own bids."""

from __future__ import annotations

import json
from typing import Any

from protocol.codes import Code

from ...query_args import Denied, json_at
from .. import QueryRequest
from ..core import keys as core_keys
from . import keys

__all__ = ["calendar", "auction", "my_bids"]

_LATEST = 200


def calendar(q: QueryRequest) -> Any:
    """The latest 200 auctions (newest first), the treasury's takings, the waiting unsold tonnes, the reserve."""
    store = q.store
    last = int(store.get(keys.AUCTION_SEQ) or b"0")
    auctions = [json_at(store, keys.auction(i)) for i in range(last, max(0, last - _LATEST), -1)]
    params = json.loads(store.get(core_keys.PARAMS) or b"{}")
    used = int(store.get(keys.RESERVE_USED) or b"0")
    return {
        "auctions": auctions,
        "treasury_krw": int(store.get(keys.TREASURY) or b"0"),
        "carry": {k.rsplit("/", 1)[1]: int(v) for k, v in store.scan(keys.CARRY, 1000)},
        "reserve": {"total": params.get("stabilisation_reserve", 0), "used": used,
                    "left": params.get("stabilisation_reserve", 0) - used},
        "bidder_cap_bps": params.get("auction_bidder_cap_bps"),
    }


def auction(q: QueryRequest) -> Any:
    args = q.args
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()) or len(args[0]) > 7:
        raise Denied(Code.BAD_QUERY, "expected /auction/<id>")
    record = json_at(q.store, keys.auction(int(args[0])))
    if record is None:
        raise Denied(Code.NOT_FOUND, f"auction {args[0]} is not in the calendar")
    return record


def my_bids(q: QueryRequest) -> Any:
    """Per auction the bidder's record (tonnes bid, escrow, allocated, paid, refunded) with its bids."""
    out = []
    for key, raw in q.store.scan(keys.mine_of(q.subject), 1000):
        mine = json.loads(raw)
        auction_id = int(key.rsplit("/", 1)[1])
        out.append({**mine, "bids": [json_at(q.store, keys.bid(auction_id, n)) for n in mine["bids"]]})
    return out
