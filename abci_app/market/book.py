"""The order book of one instrument: resting orders in price-time priority, as an immutable value.

    bids   price levels, highest price first; in a level, earliest arrival (sequence) first
    asks   price levels, lowest price first;  in a level, earliest arrival first

Every operation returns a new ``Book`` and never changes its argument; unchanged levels are
shared between the old and the new book, so an operation costs O(price levels + orders in the
touched level), not O(orders in the book). ``last_sequence`` is the highest arrival sequence the
book has accepted: an order must arrive with a higher one (``OutOfSequence`` otherwise), which
keeps time priority equal to arrival order.

A book built by the public constructor (or ``book_from_json``) is fully validated. Operations of
this package build their results through a trusted path that skips re-validation; they preserve
the invariants by construction (checked by ``Book.validated`` in the property tests).

During a call period orders rest without matching, so a book may be crossed until the auction
uncrosses it (``is_crossed``). After continuous matching or an auction it never is.

Canonical form (``book_to_json``): UTF-8 JSON, sorted keys, no spaces; orders of each side in
priority order. ``book_from_json`` accepts exactly that form, so one book has one encoding.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Iterator

from protocol.codec import CodecError, canonical_json, reject_duplicate_keys

from .errors import CorruptState, InvalidOrder, NotOwner, OutOfSequence, UnknownOrder, WrongInstrument
from .order import MAX_INT, Order, Side

__all__ = [
    "Level",
    "Book",
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
]


@dataclass(frozen=True, slots=True)
class Level:
    """All resting orders of one side at one price, earliest arrival first."""

    side: Side
    price: int
    orders: tuple[Order, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.orders, tuple) or not self.orders:
            raise InvalidOrder(f"a price level holds a non-empty tuple of orders; got {self.orders!r}")
        previous = 0
        for order in self.orders:
            if not isinstance(order, Order):
                raise InvalidOrder(f"a price level holds Order values; got {order!r}")
            if order.side is not self.side or order.price != self.price:
                raise InvalidOrder(f"order {order.order_id} ({order.side.value} at {order.price:,}) is not in the {self.side.value} level at {self.price:,}")
            if order.remaining == 0:
                raise InvalidOrder(f"order {order.order_id} has nothing remaining and cannot rest in the book")
            if order.sequence <= previous:
                raise InvalidOrder(f"orders in the level at {self.price:,} are not in arrival order at order {order.order_id}")
            previous = order.sequence

    @property
    def quantity(self) -> int:
        """Tonnes resting at this price."""
        return sum(order.remaining for order in self.orders)


@dataclass(frozen=True, slots=True)
class Book:
    """Resting orders of one instrument; see the module docstring for the ordering."""

    instrument: str
    bids: tuple[Level, ...] = ()
    asks: tuple[Level, ...] = ()
    last_sequence: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.instrument, str) or not self.instrument:
            raise InvalidOrder(f"a book needs an instrument name; got {self.instrument!r}")
        if not isinstance(self.last_sequence, int) or isinstance(self.last_sequence, bool) or not 0 <= self.last_sequence <= MAX_INT:
            raise InvalidOrder(f"last_sequence must be a whole number ≥ 0; got {self.last_sequence!r}")
        seen: set[int] = set()
        for side, levels in ((Side.BUY, self.bids), (Side.SELL, self.asks)):
            if not isinstance(levels, tuple):
                raise InvalidOrder(f"{side.value} levels must be a tuple of Level")
            previous: int | None = None
            for level in levels:
                if not isinstance(level, Level) or level.side is not side:
                    raise InvalidOrder(f"the {side.value} side holds something that is not a {side.value} Level: {level!r}")
                if previous is not None and (level.price >= previous if side is Side.BUY else level.price <= previous):
                    raise InvalidOrder(f"{side.value} levels are not in price priority at {level.price:,}")
                previous = level.price
                for order in level.orders:
                    if order.instrument != self.instrument:
                        raise WrongInstrument(f"order {order.order_id} is for {order.instrument}, this book is {self.instrument}")
                    if order.sequence > self.last_sequence:
                        raise InvalidOrder(f"order {order.order_id} has sequence {order.sequence} after the book's last_sequence {self.last_sequence}")
                    if order.order_id in seen:
                        raise InvalidOrder(f"order id {order.order_id} appears twice in the book")
                    seen.add(order.order_id)

    @classmethod
    def validated(cls, book: "Book") -> "Book":
        """Re-run the full construction checks on a book (raises if an invariant is broken)."""
        return cls(book.instrument, tuple(Level(lv.side, lv.price, lv.orders) for lv in book.bids),
                   tuple(Level(lv.side, lv.price, lv.orders) for lv in book.asks), book.last_sequence)

    def side(self, side: Side) -> tuple[Level, ...]:
        return self.bids if side is Side.BUY else self.asks

    def orders(self, side: Side | None = None) -> Iterator[Order]:
        """Resting orders in priority order: bids then asks, or one side."""
        for s in (Side.BUY, Side.SELL) if side is None else (side,):
            for level in self.side(s):
                yield from level.orders

    def __len__(self) -> int:
        return sum(len(level.orders) for level in self.bids) + sum(len(level.orders) for level in self.asks)

    def to_json(self) -> bytes:
        """The canonical encoding (``book_to_json``)."""
        return book_to_json(self)

    @staticmethod
    def from_json(data: bytes) -> "Book":
        """Decode a canonical encoding, fully validated (``book_from_json``)."""
        return book_from_json(data)


# ---------------------------------------------------------------- trusted constructors (internal)


def _level(side: Side, price: int, orders: tuple[Order, ...]) -> Level:
    level = object.__new__(Level)
    object.__setattr__(level, "side", side)
    object.__setattr__(level, "price", price)
    object.__setattr__(level, "orders", orders)
    return level


def _book(instrument: str, bids: tuple[Level, ...], asks: tuple[Level, ...], last_sequence: int) -> Book:
    book = object.__new__(Book)
    object.__setattr__(book, "instrument", instrument)
    object.__setattr__(book, "bids", bids)
    object.__setattr__(book, "asks", asks)
    object.__setattr__(book, "last_sequence", last_sequence)
    return book


def _with_side(book: Book, side: Side, levels: tuple[Level, ...], last_sequence: int | None = None) -> Book:
    seq = book.last_sequence if last_sequence is None else last_sequence
    if side is Side.BUY:
        return _book(book.instrument, levels, book.asks, seq)
    return _book(book.instrument, book.bids, levels, seq)


def _bid_key(level: Level) -> int:
    return -level.price


def _ask_key(level: Level) -> int:
    return level.price


def _check_arrival(book: Book, order: Order) -> None:
    if order.instrument != book.instrument:
        raise WrongInstrument(f"order {order.order_id} is for {order.instrument}; this is the {book.instrument} book")
    if order.sequence <= book.last_sequence:
        raise OutOfSequence(
            f"order {order.order_id} arrives with sequence {order.sequence}, not after the book's last "
            f"sequence {book.last_sequence}; the chain must number orders in arrival order"
        )
    if order.remaining == 0:
        raise InvalidOrder(f"order {order.order_id} has nothing remaining to rest or match")


def _rest(book: Book, order: Order) -> Book:
    """Put an order (already checked by ``_check_arrival``) at the back of its price level."""
    if order.side is Side.BUY:
        levels, index = book.bids, bisect_left(book.bids, -order.price, key=_bid_key)
    else:
        levels, index = book.asks, bisect_left(book.asks, order.price, key=_ask_key)
    if index < len(levels) and levels[index].price == order.price:
        old = levels[index]
        level = _level(order.side, order.price, old.orders + (order,))
        new_levels = levels[:index] + (level,) + levels[index + 1 :]
    else:
        new_levels = levels[:index] + (_level(order.side, order.price, (order,)),) + levels[index:]
    return _with_side(book, order.side, new_levels, order.sequence)


def _take(levels: tuple[Level, ...], quantity: int, limit: int) -> tuple[list[tuple[Order, int]], tuple[Level, ...]]:
    """Take up to ``quantity`` tonnes from the front of one side, in priority order, from levels
    whose price reaches ``limit`` (bids at or above it, asks at or below it).

    Returns ([(order as it rested, tonnes taken)], the side's new levels).
    """
    taken: list[tuple[Order, int]] = []
    i, n = 0, len(levels)
    while quantity and i < n:
        level = levels[i]
        if (level.price < limit) if level.side is Side.BUY else (level.price > limit):
            break
        orders = level.orders
        j, m = 0, len(orders)
        while quantity and j < m:
            order = orders[j]
            q = order.remaining if order.remaining <= quantity else quantity
            taken.append((order, q))
            quantity -= q
            if q < order.remaining:  # partly filled: it keeps its place at the front
                front = (order.with_remaining(order.remaining - q),) + orders[j + 1 :]
                return taken, (_level(level.side, level.price, front),) + levels[i + 1 :]
            j += 1
        if j < m:
            return taken, (_level(level.side, level.price, orders[j:]),) + levels[i + 1 :]
        i += 1
    return taken, levels[i:]


# ---------------------------------------------------------------- operations


def add_order(book: Book, order: Order) -> Book:
    """Rest an order without matching (call periods). The book may become crossed."""
    _check_arrival(book, order)
    return _rest(book, order)


def _locate(book: Book, order_id: int) -> tuple[Side, int, int] | None:
    for side in (Side.BUY, Side.SELL):
        for i, level in enumerate(book.side(side)):
            for j, order in enumerate(level.orders):
                if order.order_id == order_id:
                    return side, i, j
    return None


def find_order(book: Book, order_id: int) -> Order | None:
    """The resting order with that id, or None (a linear scan of the book)."""
    where = _locate(book, order_id)
    if where is None:
        return None
    side, i, j = where
    return book.side(side)[i].orders[j]


def cancel_order(book: Book, order_id: int, owner: str) -> tuple[Book, Order]:
    """Remove a resting order at its owner's request; returns (new book, the cancelled order).

    The cancelled order keeps its ``remaining`` tonnes, whose escrow the chain releases.
    Raises ``UnknownOrder`` if no such order rests here, ``NotOwner`` if ``owner`` is not its owner.
    """
    where = _locate(book, order_id)
    if where is None:
        raise UnknownOrder(f"no resting {book.instrument} order with id {order_id}; it may be filled, cancelled or expired")
    side, i, j = where
    levels = book.side(side)
    level = levels[i]
    order = level.orders[j]
    if order.owner != owner:
        raise NotOwner(f"order {order_id} belongs to another account; only its owner may cancel it")
    rest = level.orders[:j] + level.orders[j + 1 :]
    if rest:
        new_levels = levels[:i] + (_level(side, level.price, rest),) + levels[i + 1 :]
    else:
        new_levels = levels[:i] + levels[i + 1 :]
    return _with_side(book, side, new_levels), order


def expire_day_orders(book: Book) -> tuple[Book, tuple[Order, ...]]:
    """End of the trading day: every resting order expires. Returns (empty book, expired orders by sequence)."""
    expired = tuple(sorted(book.orders(), key=lambda o: o.sequence))
    return _book(book.instrument, (), (), book.last_sequence), expired


def best_bid(book: Book) -> int | None:
    return book.bids[0].price if book.bids else None


def best_ask(book: Book) -> int | None:
    return book.asks[0].price if book.asks else None


def is_crossed(book: Book) -> bool:
    """True when the best bid is at or above the best ask (possible only during a call period)."""
    return bool(book.bids and book.asks and book.bids[0].price >= book.asks[0].price)


def depth(book: Book, levels: int = 5) -> dict[str, list[tuple[int, int]]]:
    """Market aggregate: (price, tonnes) of the best ``levels`` price levels per side, no owners."""
    return {
        "bids": [(level.price, level.quantity) for level in book.bids[:levels]],
        "asks": [(level.price, level.quantity) for level in book.asks[:levels]],
    }


# ---------------------------------------------------------------- canonical form

_ORDER_KEYS = ("order_id", "owner", "price", "quantity", "remaining", "sequence")


_encode = canonical_json


def book_to_json(book: Book) -> bytes:
    """The canonical encoding of a book (see the module docstring)."""

    def side(levels: tuple[Level, ...]) -> list[dict[str, Any]]:
        return [
            {"order_id": o.order_id, "owner": o.owner, "price": o.price, "quantity": o.quantity,
             "remaining": o.remaining, "sequence": o.sequence}
            for level in levels
            for o in level.orders
        ]

    return _encode({"instrument": book.instrument, "last_sequence": book.last_sequence,
                    "bids": side(book.bids), "asks": side(book.asks)})


def _no_floats(text: str) -> Any:
    raise CorruptState(f"book JSON holds the non-integer number {text}; prices and quantities are whole numbers")


def book_from_json(data: bytes) -> Book:
    """Decode and fully validate a book in canonical form; raises ``CorruptState`` otherwise."""
    try:
        # no depth or size limit of the codec here: the book is the chain's own state, and may be large
        obj = json.loads(data.decode(), object_pairs_hook=reject_duplicate_keys, parse_float=_no_floats, parse_constant=_no_floats)
    except CorruptState:
        raise
    except CodecError as exc:
        raise CorruptState(f"book JSON: {exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptState(f"book state is not valid UTF-8 JSON: {exc}") from None
    if not isinstance(obj, dict) or sorted(obj) != ["asks", "bids", "instrument", "last_sequence"]:
        raise CorruptState("book JSON must be an object with exactly asks, bids, instrument, last_sequence")
    instrument = obj["instrument"]
    try:
        sides = []
        for side, key in ((Side.BUY, "bids"), (Side.SELL, "asks")):
            rows = obj[key]
            if not isinstance(rows, list):
                raise CorruptState(f"book JSON {key} must be a list of orders")
            levels: list[Level] = []
            group: list[Order] = []
            for row in rows:
                if not isinstance(row, dict) or sorted(row) != list(_ORDER_KEYS):
                    raise CorruptState(f"each order in {key} has exactly the fields {', '.join(_ORDER_KEYS)}")
                order = Order(row["order_id"], row["sequence"], row["owner"], instrument, side,
                              row["price"], row["quantity"], row["remaining"])
                if group and group[-1].price != order.price:
                    levels.append(Level(side, group[0].price, tuple(group)))
                    group = []
                group.append(order)
            if group:
                levels.append(Level(side, group[0].price, tuple(group)))
            sides.append(tuple(levels))
        book = Book(instrument, sides[0], sides[1], obj["last_sequence"])
    except CorruptState:
        raise
    except InvalidOrder as exc:
        raise CorruptState(f"book state breaks a rule: {exc}") from None
    if book_to_json(book) != data:
        raise CorruptState("book JSON is not in canonical form (sorted keys, no spaces, orders in priority order)")
    return book
