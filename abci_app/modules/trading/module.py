"""The market's descriptor: cash and order messages, the session hook, the market paths."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.trading import CancelOrder, FundCash, PlaceOrder, WithdrawCash

from .. import Hook, MessageRule, Module, Query, StateRead, private
from . import handlers, keys, queries, session
from .events import AUCTION, MARKET_SESSION, REFERENCE_PRICE

MODULE = Module(
    name="trading",
    summary="KRW cash, escrowed limit orders matched in FinalizeBlock, call auctions at the session transitions",
    messages=(
        MessageRule(FundCash, {"bank"}, handlers.handle_fund_cash, "credit KRW to a company's cash account"),
        MessageRule(WithdrawCash, {"bank"}, handlers.handle_withdraw_cash, "pay out a company's available KRW"),
        MessageRule(PlaceOrder, {"company"}, handlers.handle_place_order, "escrow, then match (continuous) or rest (call)"),
        MessageRule(CancelOrder, {"company"}, handlers.handle_cancel_order,
                    "take an open order off the book, release escrow", who="owner"),
    ),
    queries=(
        Query("cash", queries.cash, "/cash/<addr>", '{"available", "held"} KRW', private("bank", "government", what="cash balances")),
        Query("orders", queries.orders, "/orders/<addr>", "the company's orders", private("government", what="orders")),
        Query("fills", queries.fills, "/fills/<addr>", "its fills, with prices and counterparties", private("government", what="fills")),
        Query("market/instruments", queries.instruments, "/market/instruments",
              "instruments, reference price, phase, best bid/ask"),
        Query("market/depth", queries.depth, "/market/depth/<instrument>",
              '{"bids": [[price, tonnes]], "asks": [...]} (aggregated, no owners)'),
        Query("market/trades", queries.trades, "/market/trades/<instrument>",
              "latest trades: price, tonnes, height, time (no counterparties)"),
        Query("market/bars", queries.bars, "/market/bars/<instrument>", "daily bars: open, high, low, close, volume, VWAP"),
    ),
    hooks=(
        Hook("begin", session.market_begin_block,
             "run the session transitions since the previous block: opening/closing call auctions, expiry of day "
             "orders, next reference price", events=(MARKET_SESSION, AUCTION, REFERENCE_PRICE)),
    ),
    codes=frozenset({Code.MARKET_CLOSED, Code.ORDER_REJECTED, Code.ORDER_NOT_FOUND}),
    code_range=range(700, 800),
    keys=keys.PREFIXES,
    state_reads=(
        StateRead(keys.CASH, private("bank", "government", what="cash balances")),
        StateRead(keys.CASH_HELD, private("bank", "government", what="cash balances")),
        # public market aggregates (no owners): daily bars, reference prices, the instruments, the market clock
        # (depth is public through /market/depth, from the lvl/ keys a validator serves, as the book/ value before)
        *(StateRead(prefix) for prefix in (keys.BARS, keys.REFERENCE_PRICES, keys.BOOKS, keys.MARKET_CLOCK)),
        StateRead(keys.NET_SOLD, private("government", what="net sales")),
    ),
)
