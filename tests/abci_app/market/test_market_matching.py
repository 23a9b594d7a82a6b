"""Continuous matching: price-time priority, maker price, partial fills; the book's operations."""

from __future__ import annotations

import pytest

from abci_app.market import (
    Book,
    InvalidOrder,
    MarketClosed,
    NotOwner,
    Order,
    OutOfSequence,
    Phase,
    Side,
    UnknownOrder,
    WrongInstrument,
    add_order,
    best_ask,
    best_bid,
    book_to_json,
    cancel_order,
    depth,
    expire_day_orders,
    find_order,
    is_crossed,
    match_order,
    place_order,
)

BUY, SELL = Side.BUY, Side.SELL


class Stream:
    """Numbers orders in arrival order, as the chain does."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, side: Side, price: int, quantity: int, owner: str = "", instrument: str = "KAU25") -> Order:
        self.n += 1
        return Order(self.n, self.n, owner or f"acct{self.n}", instrument, side, price, quantity)


def run(book: Book, *orders: Order, height: int = 7):
    fills = []
    for o in orders:
        book, new, _ = match_order(book, o, height=height)
        fills += new
    return book, fills


def summary(fills):
    return [(f.buy_order_id, f.sell_order_id, f.price, f.quantity) for f in fills]


def levels(book: Book, side: Side):
    return [(level.price, [(o.order_id, o.remaining) for o in level.orders]) for level in book.side(side)]


def test_orders_that_do_not_cross_rest_in_price_time_priority():
    new = Stream()
    book, fills = run(Book("KAU25"), new(BUY, 9_990, 5), new(BUY, 10_000, 5), new(BUY, 9_990, 7),
                      new(SELL, 10_020, 3), new(SELL, 10_010, 4), new(SELL, 10_020, 1))
    assert fills == []
    assert levels(book, BUY) == [(10_000, [(2, 5)]), (9_990, [(1, 5), (3, 7)])]
    assert levels(book, SELL) == [(10_010, [(5, 4)]), (10_020, [(4, 3), (6, 1)])]
    assert (best_bid(book), best_ask(book), is_crossed(book)) == (10_000, 10_010, False)
    assert depth(book, 1) == {"bids": [(10_000, 5)], "asks": [(10_010, 4)]}
    assert book.last_sequence == 6 and len(book) == 6


def test_an_incoming_buy_sweeps_asks_best_price_first_then_earliest_and_pays_the_makers_prices():
    new = Stream()
    book, _ = run(Book("KAU25"), new(SELL, 10_020, 3), new(SELL, 10_010, 4), new(SELL, 10_010, 2), new(SELL, 10_030, 9))
    book, fills = run(book, new(BUY, 10_025, 8))
    # 10,010 level first (order 2 before order 3), then 10,020; 10,030 is beyond the limit
    assert summary(fills) == [(5, 2, 10_010, 4), (5, 3, 10_010, 2), (5, 1, 10_020, 2)]
    assert all(f.taker_side is BUY and f.taker_order_id == 5 and f.height == 7 for f in fills)
    assert [f.maker_order_id for f in fills] == [2, 3, 1]
    assert [f.price_improvement for f in fills] == [15 * 4, 15 * 2, 5 * 2]
    assert levels(book, SELL) == [(10_020, [(1, 1)]), (10_030, [(4, 9)])]
    assert book.bids == ()  # fully filled: nothing rests


def test_an_incoming_sell_fills_partially_and_the_rest_rests():
    new = Stream()
    book, _ = run(Book("KAU25"), new(BUY, 10_000, 5), new(BUY, 10_005, 5))
    book, fills = run(book, new(SELL, 10_000, 12))
    assert summary(fills) == [(2, 3, 10_005, 5), (1, 3, 10_000, 5)]
    assert all(f.taker_side is SELL and f.maker_order_id in (1, 2) for f in fills)
    assert levels(book, SELL) == [(10_000, [(3, 2)])] and book.bids == ()
    assert not is_crossed(book)


def test_a_partly_filled_maker_keeps_its_place_ahead_of_later_orders():
    new = Stream()
    book, _ = run(Book("KAU25"), new(SELL, 10_000, 10), new(SELL, 10_000, 10))
    book, fills = run(book, new(BUY, 10_000, 4))
    assert summary(fills) == [(3, 1, 10_000, 4)]
    assert levels(book, SELL) == [(10_000, [(1, 6), (2, 10)])]
    book, fills = run(book, new(BUY, 10_000, 8))
    assert summary(fills) == [(4, 1, 10_000, 6), (4, 2, 10_000, 2)]
    assert levels(book, SELL) == [(10_000, [(2, 8)])]


def test_match_result_reports_the_incoming_order_afterwards():
    new = Stream()
    book, _ = run(Book("KAU25"), new(SELL, 10_000, 10))
    result = match_order(book, new(BUY, 10_000, 25), height=1)
    assert result.order.remaining == 15 and result.order.filled == 10
    assert find_order(result.book, 2) == result.order
    result = match_order(result.book, new(SELL, 9_995, 15), height=1)
    assert result.order.remaining == 0 and find_order(result.book, 3) is None and len(result.book) == 0


def test_matching_never_changes_its_arguments():
    new = Stream()
    book, _ = run(Book("KAU25"), new(SELL, 10_000, 10), new(SELL, 10_005, 10))
    before = book_to_json(book)
    incoming = new(BUY, 10_005, 15)
    after, fills, _ = match_order(book, incoming, height=1)
    assert book_to_json(book) == before and incoming.remaining == 15
    assert book_to_json(after) != before and len(fills) == 2


def test_self_matching_orders_of_one_owner_trade_like_any_other():
    new = Stream()
    book, fills = run(Book("KAU25"), new(SELL, 10_000, 10, owner="x"), new(BUY, 10_000, 10, owner="x"))
    assert summary(fills) == [(2, 1, 10_000, 10)] and fills[0].buyer == fills[0].seller == "x"


@pytest.mark.parametrize(
    "order, error",
    [
        (Order(9, 9, "a", "KAU26", BUY, 10_000, 1), WrongInstrument),
        (Order(9, 2, "a", "KAU25", BUY, 10_000, 1), OutOfSequence),  # sequence not after the book's last (2)
        (Order(9, 9, "a", "KAU25", BUY, 10_000, 1, remaining=0), InvalidOrder),
    ],
)
def test_arrival_checks(order, error):
    new = Stream()
    book, _ = run(Book("KAU25"), new(SELL, 10_100, 1), new(SELL, 10_200, 1))
    for enter in (lambda: match_order(book, order, height=1), lambda: add_order(book, order)):
        with pytest.raises(error):
            enter()


def test_place_order_follows_the_phase():
    new = Stream()
    book, _ = run(Book("KAU25"), new(SELL, 10_000, 10))
    crossing = new(BUY, 10_000, 4)
    result = place_order(book, crossing, Phase.CONTINUOUS, height=3)
    assert summary(result.fills) == [(2, 1, 10_000, 4)]
    for phase in (Phase.OPENING_CALL, Phase.CLOSING_CALL):
        result = place_order(book, crossing, phase, height=3)
        assert result.fills == () and is_crossed(result.book) and find_order(result.book, 2) == crossing
    with pytest.raises(MarketClosed, match="closed"):
        place_order(book, crossing, Phase.CLOSED, height=3)


# ---------------------------------------------------------------- cancel and expiry

def test_cancel_by_the_owner_returns_the_order_with_what_it_still_holds():
    new = Stream()
    book, _ = run(Book("KAU25"), new(SELL, 10_000, 10, owner="s"), new(SELL, 10_000, 5, owner="t"), new(BUY, 10_000, 4))
    after, cancelled = cancel_order(book, 1, "s")
    assert (cancelled.order_id, cancelled.remaining, cancelled.quantity) == (1, 6, 10)
    assert levels(after, SELL) == [(10_000, [(2, 5)])]
    after, cancelled = cancel_order(after, 2, "t")
    assert after.asks == () and after.last_sequence == book.last_sequence


def test_cancel_refusals():
    new = Stream()
    book, _ = run(Book("KAU25"), new(BUY, 10_000, 10, owner="s"), new(SELL, 10_000, 10))
    with pytest.raises(UnknownOrder, match="filled, cancelled or expired"):
        cancel_order(book, 1, "s")  # fully filled by order 2
    book, _ = run(book, new(BUY, 9_000, 1, owner="s"))
    with pytest.raises(NotOwner, match="only its owner") as info:
        cancel_order(book, 3, "mallory")
    assert "s" not in str(info.value).split()  # the owner is not disclosed
    with pytest.raises(UnknownOrder):
        cancel_order(book, 99, "s")


def test_expiry_empties_the_book_and_returns_every_order_in_arrival_order():
    new = Stream()
    book, _ = run(Book("KAU25"), new(BUY, 9_990, 5), new(SELL, 10_010, 5), new(BUY, 10_000, 5), new(SELL, 10_005, 2))
    empty, expired = expire_day_orders(book)
    assert [o.order_id for o in expired] == [1, 2, 3, 4]
    assert len(empty) == 0 and empty.instrument == "KAU25" and empty.last_sequence == 4
    with pytest.raises(OutOfSequence):
        add_order(empty, Order(9, 4, "a", "KAU25", BUY, 10_000, 1))


# ---------------------------------------------------------------- the book's own validation

def test_public_construction_validates_every_invariant():
    a = Order(1, 1, "a", "KAU25", BUY, 10_000, 5)
    b = Order(2, 2, "a", "KAU25", BUY, 10_005, 5)
    from abci_app.market import Level

    with pytest.raises(InvalidOrder, match="price priority"):
        Book("KAU25", (Level(BUY, 10_000, (a,)), Level(BUY, 10_005, (b,))), (), 2)
    with pytest.raises(InvalidOrder, match="last_sequence"):
        Book("KAU25", (Level(BUY, 10_005, (b,)),), (), 1)
    with pytest.raises(WrongInstrument):
        Book("KAU26", (Level(BUY, 10_005, (b,)),), (), 2)
    with pytest.raises(InvalidOrder, match="arrival order"):
        Level(BUY, 10_000, (Order(2, 2, "a", "KAU25", BUY, 10_000, 5), Order(3, 1, "a", "KAU25", BUY, 10_000, 5)))
    with pytest.raises(InvalidOrder, match="twice"):
        Book("KAU25", (Level(BUY, 10_000, (a,)),), (Level(SELL, 10_005, (Order(1, 2, "a", "KAU25", SELL, 10_005, 5),)),), 2)
    with pytest.raises(InvalidOrder, match="not a sell Level"):
        Book("KAU25", (), (Level(BUY, 10_000, (a,)),), 2)
    with pytest.raises(InvalidOrder, match="nothing remaining"):
        Level(BUY, 10_000, (a.with_remaining(0),))
