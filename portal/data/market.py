"""The public market (anyone may read it) and what an order must meet today.

    market_rules     the chain's tick, size and band parameters (``/params``) as the engine's
                     ``abci_app.market.MarketRules``: the portal has no copy of the rule
    instruments      each book's reference price, today's band, session phase, best bid and ask
    order_limits     ``OrderLimits`` of one instrument: the rules and today's reference price,
                     with ``problems`` saying (in the chain's words) what is wrong with an order
    depth, trades, bars, block_volume    aggregated book, trades without counterparties,
                     daily bars, settled block trades per day (count and tonnes only)

Prices are whole KRW per tonne, quantities whole tonnes, values whole KRW (price × tonnes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from abci_app.market import CASH, MarketError, MarketRules, Order, Phase, Side, escrow_of
from ets.rpc import ChainClient
from protocol.codes import TxRejected
from protocol.messages import PlaceOrder

from ._base import frame, ints, is_int, public, query_list, query_or_none, to_kst

__all__ = ["OrderLimits", "market_rules", "around_the_clock", "instruments", "order_limits", "depth", "trades", "bars",
           "block_volume", "TRADE_COLUMNS", "BAR_COLUMNS"]

TRADE_COLUMNS = ["seq", "time", "price", "quantity", "value_krw", "auction", "height"]
BAR_COLUMNS = ["trading_day", "instrument", "open", "high", "low", "close", "volume", "value", "trades", "vwap"]
_SIDES = tuple(s.value for s in Side)
_PHASES = tuple(p.value for p in Phase)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:].rstrip(".") + "."


@dataclass(frozen=True)
class OrderLimits:
    """What an order for ``instrument`` must meet today, as the chain says, shown before an order is sent."""

    instrument: str
    rules: MarketRules  # tick, size limit, band width: the chain's parameters in the engine's own class
    reference_price: int  # KRW/t: the previous close, or the chain's initial reference before the first close
    phase: str | None = None  # closed | opening_call | continuous | closing_call (None: no order seen yet)
    best_bid: int | None = None
    best_ask: int | None = None

    @property
    def band(self) -> tuple[int, int]:
        """Today's (lowest, highest) accepted limit price, by the engine's formula."""
        return self.rules.price_band(self.reference_price)

    @property
    def band_low(self) -> int:
        return self.band[0]

    @property
    def band_high(self) -> int:
        return self.band[1]

    @property
    def tick(self) -> int:
        return self.rules.tick_size

    @property
    def max_quantity(self) -> int:
        return self.rules.max_order_quantity

    @property
    def band_pct(self) -> str:
        whole, frac = divmod(self.rules.band_bps, 100)
        return f"±{whole}%" if frac == 0 else f"±{whole}.{frac:02d}".rstrip("0") + "%"

    def problems(self, side: str, price: Any, quantity: Any, *, available_cash: int | None = None,
                 available_tonnes: int | None = None) -> list[str]:
        """What is wrong with this order, in words a trader can act on (empty: the order may be sent).

        Size, tick and band are checked by the engine's ``MarketRules.check_order`` (the chain's own
        rule and words, the first rule broken); then the escrow the order needs (``escrow_of``)
        against what is available, then the session."""
        out: list[str] = []
        if side not in _SIDES:
            out.append("Choose Buy or Sell.")
        if not is_int(price) or price < 1:
            out.append(f"The price must be a whole number of KRW per tonne (got {price!r}).")
        if not is_int(quantity) or quantity < 1:
            out.append(f"The quantity must be a whole number of tonnes, at least 1 (got {quantity!r}).")
        if out:
            return out
        try:
            PlaceOrder.from_json(PlaceOrder(self.instrument, side, price, quantity).to_json())  # the wire's limits
        except TxRejected as exc:
            return [_sentence(f"the order cannot be sent: {exc.log}")]
        order = Order(1, 1, "you", self.instrument, Side(side), price, quantity)
        try:
            self.rules.check_order(order, self.reference_price)
        except MarketError as exc:
            return [_sentence(f"the {exc.message}" if exc.message.startswith("price ") else exc.message)]
        asset, amount = escrow_of(order)
        if asset == CASH and available_cash is not None and amount > available_cash:
            out.append(f"A buy of {quantity:,} t at {price:,} KRW/t holds {amount:,} KRW, but only "
                       f"{available_cash:,} KRW of your cash is available. Lower the quantity or ask your bank to fund "
                       "your cash account.")
        if asset != CASH and available_tonnes is not None and amount > available_tonnes:
            out.append(f"A sell of {quantity:,} t {self.instrument} needs {amount:,} t available, but you have "
                       f"{available_tonnes:,} t available (allowances behind open sells are held).")
        if self.phase in _PHASES and not Phase(self.phase).accepts_orders:
            out.append("The market is closed now: orders are taken only during the trading session.")
        return out


@public
def market_rules(client: ChainClient) -> MarketRules:
    """The chain's market parameters as the engine's rules: tick, max order size, band, initial reference price."""
    p = client.query("/params")
    return MarketRules(int(p["market_tick_size"]), int(p["market_max_order_quantity"]), int(p["market_band_bps"]),
                       int(p["market_initial_reference_price"]))


@public
def around_the_clock(client: ChainClient) -> bool:
    """Whether the chain runs the 24-hour demo session (``market_around_the_clock`` in genesis)."""
    return bool(int(client.query("/params").get("market_around_the_clock", 0)))


@public
def instruments(client: ChainClient) -> pd.DataFrame:
    """Instruments with a book on chain: reference price, today's band, session phase, best bid and ask."""
    rows = [{"instrument": r["instrument"], "reference_price": r["reference_price"], "band_low": r["band"][0],
             "band_high": r["band"][1], "phase": r["phase"], "best_bid": r.get("best_bid"), "best_ask": r.get("best_ask")}
            for r in query_list(client, "/market/instruments")]
    df = frame(rows, ["instrument", "reference_price", "band_low", "band_high", "phase", "best_bid", "best_ask"])
    df = ints(df, ["reference_price", "band_low", "band_high"])
    return ints(df, ["best_bid", "best_ask"], nullable=True).sort_values("instrument", ignore_index=True)


def _optional(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


@public
def order_limits(client: ChainClient, instrument: str) -> OrderLimits:
    """Today's rules for ``instrument``: the reference price from /market/instruments, or (before the
    instrument's first order) the chain's initial reference price; tick, size and band from /params."""
    rules = market_rules(client)
    listed = instruments(client)
    row = listed[listed["instrument"] == instrument]
    phase = Phase.CONTINUOUS.value if around_the_clock(client) else (
        str(listed["phase"].iloc[0]) if not listed.empty else None)
    if row.empty:
        return OrderLimits(instrument, rules, rules.reference_price(None), phase)
    r = row.iloc[0]
    return OrderLimits(instrument, rules, int(r["reference_price"]), str(r["phase"]), _optional(r["best_bid"]),
                       _optional(r["best_ask"]))


@public
def depth(client: ChainClient, instrument: str) -> pd.DataFrame:
    """The aggregated book (best 10 levels a side): side, price, tonnes, cumulative tonnes. No owners."""
    book = query_or_none(client, f"/market/depth/{instrument}") or {}
    rows = []
    for side, key in (("bid", "bids"), ("ask", "asks")):
        total = 0
        for price, quantity in book.get(key, []):
            total += int(quantity)
            rows.append({"side": side, "price": int(price), "quantity": int(quantity), "cumulative": total})
    return ints(frame(rows, ["side", "price", "quantity", "cumulative"]), ["price", "quantity", "cumulative"])


@public
def trades(client: ChainClient, instrument: str) -> pd.DataFrame:
    """The latest trades (up to 200, newest first): time, price, tonnes, value. Counterparties are never public."""
    raw = query_or_none(client, f"/market/trades/{instrument}")
    rows = [{"seq": t["seq"], "time": to_kst(t["time"]), "price": t["price"], "quantity": t["quantity"],
             "value_krw": t["price"] * t["quantity"], "auction": bool(t.get("auction")), "height": t["height"]}
            for t in (raw if isinstance(raw, list) else [])]
    df = ints(frame(rows, TRADE_COLUMNS), ["seq", "price", "quantity", "value_krw", "height"])
    return df.sort_values("seq", ascending=False, ignore_index=True)


@public
def bars(client: ChainClient, instrument: str) -> pd.DataFrame:
    """Daily bars from the chain's own trades, oldest first: open/high/low/close, volume (t), value (KRW), VWAP."""
    raw = query_or_none(client, f"/market/bars/{instrument}")
    rows = [{c: b.get(c) for c in BAR_COLUMNS} for b in (raw if isinstance(raw, list) else [])]
    df = ints(frame(rows, BAR_COLUMNS), ["open", "high", "low", "close", "volume", "value", "trades", "vwap"])
    return df.sort_values("trading_day", ignore_index=True)


@public
def block_volume(client: ChainClient, instrument: str) -> pd.DataFrame:
    """Settled block (OTC) trades per KST day: count and tonnes only; their prices are confidential."""
    raw = query_or_none(client, f"/market/block_volume/{instrument}")
    rows = [{"day": r["day"], "trades": r["trades"], "volume": r["volume"]} for r in (raw if isinstance(raw, list) else [])]
    return ints(frame(rows, ["day", "trades", "volume"]), ["trades", "volume"]).sort_values("day", ignore_index=True)
