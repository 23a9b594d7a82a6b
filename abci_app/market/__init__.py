"""The matching engine of the on-chain emissions market, as pure deterministic functions.

Consensus code: integers only (KRW per tonne, tonnes), explicit ordering, no clock, no
randomness. Every function returns new values and never changes its arguments, so the chain
can stage a block's market work and drop it if the block is not committed.

    module      owns
    errors      MarketError and its reasons (mapped by the chain to result codes)
    order       Side, Order, MarketRules (tick, size, band, initial reference; check_order)
    fill        Fill (a trade between a buy and a sell order)
    book        Book, Level, add_order, cancel_order, expire_day_orders, canonical JSON
    matching    continuous price-time matching; place_order (phase-aware entry)
    auction     single-price call auction: auction_price, uncross
    session     Phase, Schedule, phase_at, transitions_between (block time, KST)
    escrow      escrow_of, lock/release/settle movements (DvP), conservation totals
    bar         DailyBar (OHLC, volume, value, VWAP), next_reference_price

How the chain drives it, per block with time t (previous block time t0) and height h:

    for tr in transitions_between(t0, t, schedule):       # before the block's txs
        PRE_OPEN      reference = rules.reference_price(previous close or None), per instrument
        OPEN          book, fills, price = uncross(book, reference, height=h); settle_fills(fills)
        CLOSE         the same uncross, anchored on the last trade price of the day (bar.close) or,
                      without trades, the reference price (a choice: KRX anchors on the last price);
                      then book, expired = expire_day_orders(book); release_escrow(expired);
                      tomorrow's reference = next_reference_price(reference, bar)
    order tx:     rules.check_order(order, reference); the signer must hold escrow_of(order) available;
                  lock_escrow(order); book, fills, _ = place_order(book, order, phase_at(t, schedule), height=h);
                  settle_fills(fills); bar = update_bar(bar, fills, trading_day=..., instrument=...)
    cancel tx:    book, order = cancel_order(book, order_id, signer); release_escrow([order])

Every ``MarketError`` has a ``reason`` (``REASONS`` lists them) for the chain's result codes.
"""

from __future__ import annotations

from .auction import AuctionPrice, AuctionResult, auction_price, auction_price_of_levels, pair_fills, uncross
from .bar import DailyBar, next_reference_price, update_bar
from .book import (
    Book,
    Level,
    add_order,
    best_ask,
    best_bid,
    book_from_json,
    book_to_json,
    cancel_order,
    depth,
    expire_day_orders,
    find_order,
    is_crossed,
)
from .errors import (
    REASONS,
    CorruptState,
    InvalidOrder,
    InvalidParameter,
    MarketClosed,
    MarketError,
    NotOnTick,
    NotOwner,
    OutOfSequence,
    PriceOutOfBand,
    QuantityTooLarge,
    UnknownOrder,
    WrongInstrument,
)
from .escrow import CASH, Movement, asset_totals, escrow_of, lock_escrow, net_movements, release_escrow, settle_fills
from .fill import Fill
from .matching import MatchResult, fill_against, match_order, place_order
from .order import MarketRules, Order, Side
from .session import Event, Phase, Schedule, Transition, phase_at, trading_day_at, transitions_between

__all__ = [
    # orders and rules
    "Side",
    "Order",
    "MarketRules",
    "Fill",
    # book
    "Book",
    "Level",
    "add_order",
    "cancel_order",
    "expire_day_orders",
    "find_order",
    "best_bid",
    "best_ask",
    "is_crossed",
    "depth",
    "book_to_json",
    "book_from_json",
    # matching and auctions
    "MatchResult",
    "match_order",
    "fill_against",
    "place_order",
    "AuctionPrice",
    "AuctionResult",
    "auction_price",
    "auction_price_of_levels",
    "pair_fills",
    "uncross",
    # session
    "Phase",
    "Event",
    "Schedule",
    "Transition",
    "phase_at",
    "transitions_between",
    "trading_day_at",
    # escrow and settlement
    "CASH",
    "Movement",
    "escrow_of",
    "lock_escrow",
    "release_escrow",
    "settle_fills",
    "net_movements",
    "asset_totals",
    # daily data
    "DailyBar",
    "update_bar",
    "next_reference_price",
    # errors
    "MarketError",
    "InvalidOrder",
    "NotOnTick",
    "PriceOutOfBand",
    "QuantityTooLarge",
    "WrongInstrument",
    "OutOfSequence",
    "MarketClosed",
    "UnknownOrder",
    "NotOwner",
    "CorruptState",
    "InvalidParameter",
    "REASONS",
]
