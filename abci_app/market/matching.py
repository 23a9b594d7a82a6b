"""Continuous matching with price-time priority, and the phase-aware entry point for new orders.

An incoming order matches against the opposite side, best price first and earliest arrival
first within a price, while prices cross (bid ≥ ask). Each fill is at the resting (maker)
order's price; a partly filled maker keeps its place. Whatever is left of the incoming order
rests in the book, so after matching the book is never crossed.

``place_order`` applies the session phase: matching in CONTINUOUS, resting without matching in
the call periods (the auction uncrosses later), ``MarketClosed`` otherwise. Checking the order
against the market rules (size, tick, band) is ``MarketRules.check_order``, done by the chain
before it escrows and places the order.
"""

from __future__ import annotations

from typing import NamedTuple

from .book import Book, _check_arrival, add_order, _rest, _take, _with_side
from .errors import MarketClosed
from .fill import Fill
from .order import Order, Side
from .session import Phase

__all__ = ["MatchResult", "fill_against", "match_order", "place_order"]


class MatchResult(NamedTuple):
    book: Book
    fills: tuple[Fill, ...]
    order: Order  # the incoming order afterwards: ``remaining`` tonnes now rest (0: fully filled)


def fill_against(incoming: Order, maker: Order, quantity: int, height: int) -> Fill:
    buy, sell = (incoming, maker) if incoming.side is Side.BUY else (maker, incoming)
    return Fill(
        instrument=incoming.instrument,
        price=maker.price,
        quantity=quantity,
        buy_order_id=buy.order_id,
        sell_order_id=sell.order_id,
        buyer=buy.owner,
        seller=sell.owner,
        buy_limit=buy.price,
        sell_limit=sell.price,
        taker_side=incoming.side,
        height=height,
    )


def match_order(book: Book, order: Order, *, height: int) -> MatchResult:
    """Match an incoming order against the book; the rest of it rests. Never mutates ``book``."""
    _check_arrival(book, order)
    opposite = order.side.opposite
    taken, remaining_levels = _take(book.side(opposite), order.remaining, order.price)
    if not taken:
        return MatchResult(_rest(book, order), (), order)
    fills = tuple(fill_against(order, maker, quantity, height) for maker, quantity in taken)
    remaining = order.remaining - sum(quantity for _, quantity in taken)
    after = order.with_remaining(remaining)
    new_book = _with_side(book, opposite, remaining_levels, order.sequence)
    if remaining:
        new_book = _rest(new_book, after)
    return MatchResult(new_book, fills, after)


def place_order(book: Book, order: Order, phase: Phase, *, height: int) -> MatchResult:
    """Enter an order as the session phase requires: match (continuous), rest (calls) or refuse."""
    if phase is Phase.CONTINUOUS:
        return match_order(book, order, height=height)
    if phase in (Phase.OPENING_CALL, Phase.CLOSING_CALL):
        return MatchResult(add_order(book, order), (), order)
    raise MarketClosed(
        f"the market is {phase.value}: orders are taken from the opening call to the close of a trading day"
    )
