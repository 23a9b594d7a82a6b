"""The order book in state, one key per resting order: the chain's form of ``abci_app.market.book``.

Keys (``keys.py``; prices as fixed-width digits, bids complemented, so text order is priority order)::

    bko/<instrument>/<b|s>/<price>/<seq:012d>          a resting order {"id","owner","price","quantity","remaining"}
    bkw/<owner>/<instrument>/<b|s>/<price>/<seq:012d>  the owner's index of it: its remaining tonnes
    lvl/<instrument>/<b|s>/<price>                     the level's aggregate "<tonnes> <orders>" (/market/depth)

Walking ``bko/<instrument>/s/`` in key order visits asks lowest price first and, within a price, earliest
arrival first; ``bko/<instrument>/b/`` visits bids highest first. Best bid/ask is the first key of a
side. An order that rests writes three keys, a fill or a cancel rewrites or deletes them: each is one
point write in the state tree (O(log n)), and a walk starts with one range read (O(log n)); matching
an order costs O(log n) per order it touches, independent of how many orders rest. A call auction reads
the level aggregates (O(levels)), then walks only the orders that execute; the close of day expires
every order (O(n) once a day, as it must release each escrow).

The results are those of the pure engine (``market.matching.match_order``, ``market.auction.uncross``,
``market.book.expire_day_orders``): the same walk in the same priority, the same fills
(``fill_against``, ``pair_fills``), checked against it by a property test.

Self-trade prevention (a chain rule on top of the engine): before an order enters the book, every
resting order of the same owner on the other side at a price the new order would cross (a sell at or
below a new buy's limit, a buy at or above a new sell's limit) is cancelled and its escrow released;
then the new order matches or rests as usual. So an owner never trades with itself, in continuous
matching or in a call auction (an auction executes a buy and a sell only if they cross). The cancelled
orders get status "cancelled" with reason "self_trade", and the placing tx's result lists their ids.
"""

from __future__ import annotations

import json
from typing import Iterator

from protocol.codec import canonical_json

from ...market import Book, Fill, Level, MarketClosed, Order, Phase, Side, auction_price_of_levels, fill_against, pair_fills
from ...view import View, get_json, put_json
from . import keys

__all__ = ["SIDE", "orders", "levels", "best", "rest", "remove", "match", "place", "uncross", "resting_orders",
           "crossing_own", "own_orders", "own_best", "load_book", "register_instrument"]

SIDE = {Side.BUY: "b", Side.SELL: "s"}


_FIELDS = ("order_id", "sequence", "owner", "instrument", "side", "price", "quantity", "remaining")


def _parse(instrument: str, side: Side, value: bytes) -> Order:
    """A resting order from its state value: the chain's own, checked when it was placed, so built without
    re-validation (``Order.with_remaining`` does the same)."""
    row = json.loads(value)
    order = object.__new__(Order)
    for name, field_value in zip(_FIELDS, (row["id"], row["id"], row["owner"], instrument, side, row["price"],
                                           row["quantity"], row["remaining"])):
        object.__setattr__(order, name, field_value)
    return order


def _walk(view: View, prefix: str) -> Iterator[tuple[str, bytes]]:
    return view.iter_range(prefix, keys.upper(prefix))


def orders(view: View, instrument: str, side: Side) -> Iterator[Order]:
    """Resting orders of one side in priority order."""
    for _, value in _walk(view, keys.side_of_book(instrument, SIDE[side])):
        yield _parse(instrument, side, value)


def levels(view: View, instrument: str, side: Side) -> Iterator[tuple[int, int]]:
    """(price, tonnes) of each price level of one side, in priority order."""
    s = SIDE[side]
    for key, value in _walk(view, keys.levels_of(instrument, s)):
        yield keys.price_of(s, key.rsplit("/", 1)[1]), int(value.split(b" ")[0])


def best(view: View, instrument: str, side: Side) -> int | None:
    return next((price for price, _ in levels(view, instrument, side)), None)


def _level_add(view: View, order: Order, tonnes: int, count: int) -> None:
    key = keys.level(order.instrument, SIDE[order.side], order.price)
    raw = view.get(key)
    q, n = (int(x) for x in raw.split(b" ")) if raw is not None else (0, 0)
    q, n = q + tonnes, n + count
    view.set(key, f"{q} {n}".encode() if n else None)


def _write(view: View, order: Order) -> None:
    s = SIDE[order.side]
    view.set(keys.resting(order.instrument, s, order.price, order.sequence), canonical_json({
        "id": order.order_id, "owner": order.owner, "price": order.price, "quantity": order.quantity, "remaining": order.remaining}))
    view.set(keys.own_resting(order.owner, order.instrument, s, order.price, order.sequence), str(order.remaining).encode())


def rest(view: View, order: Order) -> None:
    """Put an order at the back of its price level."""
    _write(view, order)
    _level_add(view, order, order.remaining, 1)


def remove(view: View, order: Order) -> None:
    """Take a resting order (as it rests now) off the book."""
    s = SIDE[order.side]
    view.set(keys.resting(order.instrument, s, order.price, order.sequence), None)
    view.set(keys.own_resting(order.owner, order.instrument, s, order.price, order.sequence), None)
    _level_add(view, order, -order.remaining, -1)


def _take(view: View, instrument: str, side: Side, quantity: int, limit: int) -> list[tuple[Order, int]]:
    """Take up to ``quantity`` tonnes from the front of one side, from orders whose price reaches
    ``limit`` (``market.book._take``): read the walk first, then write what it took."""
    taken: list[tuple[Order, int]] = []
    if quantity:
        for order in orders(view, instrument, side):
            if (order.price < limit) if side is Side.BUY else (order.price > limit):
                break
            q = min(order.remaining, quantity)
            taken.append((order, q))
            quantity -= q
            if not quantity:
                break
    for order, q in taken:
        if q == order.remaining:
            remove(view, order)
        else:  # partly filled: it keeps its place at the front
            _write(view, order.with_remaining(order.remaining - q))
            _level_add(view, order, -q, 0)
    return taken


def match(view: View, order: Order, *, height: int) -> tuple[tuple[Fill, ...], Order]:
    """Continuous matching (``market.matching.match_order``): (fills, the incoming order afterwards)."""
    taken = _take(view, order.instrument, order.side.opposite, order.remaining, order.price)
    fills = tuple(fill_against(order, maker, q, height) for maker, q in taken)
    after = order.with_remaining(order.remaining - sum(q for _, q in taken))
    if after.remaining:
        rest(view, after)
    return fills, after


def place(view: View, order: Order, phase: Phase, *, height: int) -> tuple[tuple[Fill, ...], Order]:
    """Enter an order as the phase requires (``market.matching.place_order``): match, rest or refuse."""
    if phase is Phase.CONTINUOUS:
        register_instrument(view, order.instrument)
        return match(view, order, height=height)
    if phase in (Phase.OPENING_CALL, Phase.CLOSING_CALL):
        register_instrument(view, order.instrument)
        rest(view, order)
        return (), order
    raise MarketClosed(f"the market is {phase.value}: orders are taken from the opening call to the close of a trading day")


def uncross(view: View, instrument: str, reference_price: int, *, height: int) -> tuple[tuple[Fill, ...], int | None]:
    """The call auction (``market.auction.uncross``): (fills, auction price or None)."""
    found = auction_price_of_levels(list(levels(view, instrument, Side.BUY)), list(levels(view, instrument, Side.SELL)),
                                    reference_price)
    if found is None:
        return (), None
    buys = _take(view, instrument, Side.BUY, found.volume, found.price)
    sells = _take(view, instrument, Side.SELL, found.volume, found.price)
    return pair_fills(buys, sells, found.price, height), found.price


def resting_orders(view: View, instrument: str, limit: int | None = None) -> list[Order]:
    """Up to ``limit`` resting orders of both sides, by arrival (``expire_day_orders``' order when all)."""
    out: list[Order] = []
    for side in (Side.BUY, Side.SELL):
        for order in orders(view, instrument, side):
            if limit is not None and len(out) >= limit:
                break
            out.append(order)
    return sorted(out, key=lambda o: o.sequence)


def own_orders(view: View, owner: str, instrument: str, side: Side) -> Iterator[tuple[int, int, int]]:
    """(price, order id, remaining tonnes) of an owner's resting orders on one side, in priority order."""
    s = SIDE[side]
    for key, value in _walk(view, keys.own_side(owner, instrument, s)):
        *_, price, seq = key.rsplit("/", 2)
        yield keys.price_of(s, price), int(seq), int(value)


def own_best(view: View, owner: str, instrument: str, side: Side) -> tuple[int, int] | None:
    """(best price, tonnes the owner rests at it) on one side, or None: an owner's quote."""
    best_price, tonnes = None, 0
    for price, _, remaining in own_orders(view, owner, instrument, side):
        if best_price is not None and price != best_price:
            break
        best_price, tonnes = price, tonnes + remaining
    return None if best_price is None else (best_price, tonnes)


def crossing_own(view: View, order: Order) -> list[Order]:
    """The owner's resting orders on the other side that ``order`` would cross (self-trade prevention)."""
    side = order.side.opposite
    found = []
    for price, seq, _ in own_orders(view, order.owner, order.instrument, side):
        if (price < order.price) if side is Side.BUY else (price > order.price):
            break
        found.append(_parse(order.instrument, side, view.get(keys.resting(order.instrument, SIDE[side], price, seq))))
    return found


def register_instrument(view: View, instrument: str) -> None:
    books = get_json(view, keys.BOOKS) or []
    if instrument not in books:
        put_json(view, keys.BOOKS, sorted([*books, instrument]))


def load_book(view: View, instrument: str) -> Book:
    """The book as the engine's value, fully validated (queries and tests; O(n))."""
    sides = []
    for side in (Side.BUY, Side.SELL):
        grouped: dict[int, list[Order]] = {}
        for order in orders(view, instrument, side):
            grouped.setdefault(order.price, []).append(order)
        sides.append(tuple(Level(side, price, tuple(group)) for price, group in grouped.items()))
    last = max((o.sequence for lv in sides[0] + sides[1] for o in lv.orders), default=0)
    return Book(instrument, sides[0], sides[1], last)
