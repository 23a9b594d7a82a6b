"""Single-price call auction (the open and the close): price discovery and uncrossing.

During a call period orders rest without matching. At the uncross every executable order trades
at one price P. For a candidate price p:

    demand(p)  = tonnes bid at p or higher        supply(p) = tonnes offered at p or lower
    volume(p)  = min(demand, supply)              surplus(p) = demand − supply (signed)

Candidates are the distinct limit prices in the book plus the reference price: a price strictly
between two neighbouring limits never executes more than those limits do, and the reference
price is added so that an auction without pressure does not move the price for nothing.
The auction price is the candidate with the maximum executed volume (no auction if that is 0:
the book is left as it is); ties are broken by, in order:

    1. minimum imbalance |surplus|;
    2. market pressure: if every remaining candidate has a buy surplus, the highest price;
       if every one has a sell surplus, the lowest price;
    3. otherwise (no surplus, or surpluses of both signs): the price closest to the reference price;
    4. if two are equally close: the lower price. Two candidates equally close lie on both sides
       of the reference price, and then the reference price itself executes as much with no more
       imbalance, so with the reference among the candidates rule 3 always finds a single price
       (a property test checks it); rule 4 only keeps the choice total.

Allocation at P by price-time priority: on the side with the surplus, orders are filled in
priority order (better price first, then earlier arrival) until the volume is used up, the
last one possibly in part; the other side is filled entirely. Buys and sells are paired in
priority order of both sides, so the fills are deterministic. Fills carry no taker
(``taker_side`` is None). What is left rests in the book, which is then never crossed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .book import Book, _take, _with_side
from .errors import InvalidParameter
from .fill import Fill
from .order import Order, Side

__all__ = ["AuctionPrice", "AuctionResult", "auction_price", "auction_price_of_levels", "pair_fills", "uncross"]


@dataclass(frozen=True, slots=True)
class AuctionPrice:
    """The price an uncross would use now, with the tonnes it would execute (indicative during a call)."""

    price: int
    volume: int  # tonnes that execute
    demand: int  # tonnes bid at or above the price
    supply: int  # tonnes offered at or below the price

    @property
    def surplus(self) -> int:
        """Signed imbalance: > 0 buy surplus, < 0 sell surplus."""
        return self.demand - self.supply


class AuctionResult(NamedTuple):
    book: Book
    fills: tuple[Fill, ...]
    price: int | None  # None: nothing crossed, no auction price


def _curves(book: Book, reference_price: int) -> list[AuctionPrice]:
    """(price, volume, demand, supply) at every candidate price, lowest price first."""
    return _level_curves([(lv.price, lv.quantity) for lv in book.bids], [(lv.price, lv.quantity) for lv in book.asks], reference_price)


def _level_curves(bids: list[tuple[int, int]], asks: list[tuple[int, int]], reference_price: int) -> list[AuctionPrice]:
    """(price, volume, demand, supply) at every candidate price, lowest price first, from the
    (price, tonnes) levels of each side in priority order (bids highest first, asks lowest first)."""
    candidates = sorted({price for price, _ in bids} | {price for price, _ in asks} | {reference_price})
    demand: dict[int, int] = {}
    total, i = 0, 0
    for price in reversed(candidates):
        while i < len(bids) and bids[i][0] >= price:
            total += bids[i][1]
            i += 1
        demand[price] = total
    out: list[AuctionPrice] = []
    total, i = 0, 0
    for price in candidates:
        while i < len(asks) and asks[i][0] <= price:
            total += asks[i][1]
            i += 1
        out.append(AuctionPrice(price, min(demand[price], total), demand[price], total))
    return out


def auction_price(book: Book, reference_price: int) -> AuctionPrice | None:
    """The auction price by the rules in the module docstring, or None if no orders cross."""
    return auction_price_of_levels([(lv.price, lv.quantity) for lv in book.bids],
                                   [(lv.price, lv.quantity) for lv in book.asks], reference_price)


def auction_price_of_levels(bids: list[tuple[int, int]], asks: list[tuple[int, int]], reference_price: int) -> AuctionPrice | None:
    """``auction_price`` from the (price, tonnes) levels of each side in priority order (a book kept
    as one key per order aggregates its levels without reading every order)."""
    if not isinstance(reference_price, int) or isinstance(reference_price, bool) or reference_price < 1:
        raise InvalidParameter(f"reference price must be a positive whole number of KRW per tonne; got {reference_price!r}")
    curve = _level_curves(bids, asks, reference_price)
    best_volume = max(point.volume for point in curve)
    if best_volume == 0:
        return None
    tied = [point for point in curve if point.volume == best_volume]
    least = min(abs(point.surplus) for point in tied)
    tied = [point for point in tied if abs(point.surplus) == least]
    if all(point.surplus > 0 for point in tied):
        return tied[-1]  # buy pressure: the highest price
    if all(point.surplus < 0 for point in tied):
        return tied[0]  # sell pressure: the lowest price
    return min(tied, key=lambda point: (abs(point.price - reference_price), point.price))


def pair_fills(buys: list[tuple[Order, int]], sells: list[tuple[Order, int]], price: int, height: int) -> tuple[Fill, ...]:
    fills: list[Fill] = []
    b = s = 0
    buy_left, sell_left = buys[0][1], sells[0][1]
    while b < len(buys) and s < len(sells):
        buy, sell = buys[b][0], sells[s][0]
        quantity = min(buy_left, sell_left)
        fills.append(Fill(buy.instrument, price, quantity, buy.order_id, sell.order_id, buy.owner, sell.owner,
                          buy.price, sell.price, None, height))
        buy_left -= quantity
        sell_left -= quantity
        if buy_left == 0:
            b += 1
            buy_left = buys[b][1] if b < len(buys) else 0
        if sell_left == 0:
            s += 1
            sell_left = sells[s][1] if s < len(sells) else 0
    return tuple(fills)


def uncross(book: Book, reference_price: int, *, height: int) -> AuctionResult:
    """Run the call auction: every executable order trades at the one auction price.

    ``reference_price`` is the price the auction stays closest to when nothing else decides
    (rule 3): the day's reference price at the open; the chain may pass the day's last trade
    price at the close.
    """
    found = auction_price(book, reference_price)
    if found is None:
        return AuctionResult(book, (), None)
    buys, bids = _take(book.bids, found.volume, found.price)
    sells, asks = _take(book.asks, found.volume, found.price)
    new_book = _with_side(_with_side(book, Side.BUY, bids), Side.SELL, asks)
    return AuctionResult(new_book, pair_fills(buys, sells, found.price, height), found.price)
