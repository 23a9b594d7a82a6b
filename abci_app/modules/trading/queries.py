"""Answers of the market's paths: cash, orders, fills (private); instruments, depth, trades, bars (public)."""

from __future__ import annotations

import json
from typing import Any

from protocol.codes import Code

from ...market import Side, phase_at
from ...query_args import Denied, MAX_ROWS, first_arg, json_at
from .. import QueryRequest
from . import keys
from . import book_state
from .market_state import market_rules, market_schedule

__all__ = ["cash", "orders", "fills", "instruments", "depth", "trades", "bars"]


def cash(q: QueryRequest) -> Any:
    store = q.store
    return {"available": int(store.get(keys.cash(q.subject)) or b"0"), "held": int(store.get(keys.cash_held(q.subject)) or b"0")}


def orders(q: QueryRequest) -> Any:
    return [json_at(q.store, keys.order(keys.id_in(k))) for k, _ in q.store.scan(keys.orders_of(q.subject), MAX_ROWS)]


def fills(q: QueryRequest) -> Any:
    return [json_at(q.store, keys.fill(keys.id_in(k))) for k, _ in q.store.scan(keys.fills_of(q.subject), MAX_ROWS)]


def _books(q: QueryRequest) -> list[str]:
    return json.loads(q.store.get(keys.BOOKS) or b"[]")


def instruments(q: QueryRequest) -> Any:
    store = q.store
    rules, schedule = market_rules(store), market_schedule(store)  # type: ignore[arg-type]
    phase = phase_at(store.block_time, schedule).value
    out = []
    for instrument in _books(q):
        ref = store.get(keys.reference_price(instrument))
        out.append({"instrument": instrument, "reference_price": rules.reference_price(int(ref) if ref else None),
                    "band": list(rules.price_band(rules.reference_price(int(ref) if ref else None))), "phase": phase,
                    "best_bid": book_state.best(store, instrument, Side.BUY),  # type: ignore[arg-type]
                    "best_ask": book_state.best(store, instrument, Side.SELL)})  # type: ignore[arg-type]
    return out


def _instrument(q: QueryRequest) -> str:
    instrument, books = first_arg(q.args), _books(q)
    if instrument not in books:
        raise Denied(Code.NOT_FOUND, f"no market for {instrument[:20]!r}; known: {', '.join(books) or 'none yet'}")
    return instrument


def depth(q: QueryRequest) -> Any:
    instrument = _instrument(q)
    depth_of = {name: [list(level) for level, _ in zip(book_state.levels(q.store, instrument, side), range(10))]  # type: ignore[arg-type]
                for name, side in (("bids", Side.BUY), ("asks", Side.SELL))}
    return {"instrument": instrument, **depth_of}


def trades(q: QueryRequest) -> Any:
    instrument = _instrument(q)
    out = []
    last = int(q.store.get(keys.FILL_SEQ) or b"0")
    seq = last
    while seq > 0 and len(out) < 200 and last - seq < 20_000:
        fill = json_at(q.store, keys.fill(seq))
        if fill["instrument"] == instrument:
            out.append({k: fill[k] for k in ("seq", "price", "quantity", "height", "time", "auction")})
        seq -= 1
    return out


def bars(q: QueryRequest) -> Any:
    instrument = _instrument(q)
    return [json.loads(v) for _, v in q.store.scan(keys.bars_of(instrument), MAX_ROWS)]
