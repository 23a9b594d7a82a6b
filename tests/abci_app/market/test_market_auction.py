"""Single-price call auction: the price rule, every tie-break by a hand-worked example, allocation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.market import Book, Order, Side, add_order, auction_price, is_crossed, uncross
from abci_app.market.auction import _curves

BUY, SELL = Side.BUY, Side.SELL


def call_book(*orders: tuple[Side, int, int]) -> Book:
    """Orders collected in a call period, numbered 1, 2, … in the order given."""
    book = Book("KAU25")
    for n, (side, price, quantity) in enumerate(orders, start=1):
        book = add_order(book, Order(n, n, f"acct{n}", "KAU25", side, price, quantity))
    return book


def summary(fills):
    return [(f.buy_order_id, f.sell_order_id, f.price, f.quantity) for f in fills]


def test_the_price_maximises_executed_volume_and_allocation_follows_price_time_priority():
    # candidate   demand  supply  volume
    #  9,900        50      10      10
    # 10,000        50      35      35   ← maximum
    # 10,100        30      75      30
    book = call_book((BUY, 10_100, 30), (BUY, 10_000, 20), (SELL, 9_900, 10), (SELL, 10_000, 25), (SELL, 10_100, 40))
    found = auction_price(book, 10_000)
    assert (found.price, found.volume, found.demand, found.supply, found.surplus) == (10_000, 35, 50, 35, 15)
    after, fills, price = uncross(book, 10_000, height=12)
    assert price == 10_000
    # sells at or below 10,000 all fill; buys in priority: order 1 (10,100) fully, order 2 for 5 of 20
    assert summary(fills) == [(1, 3, 10_000, 10), (1, 4, 10_000, 20), (2, 4, 10_000, 5)]
    assert all(f.taker_side is None and f.maker_order_id is None and f.height == 12 for f in fills)
    assert [(lvl.price, [(o.order_id, o.remaining) for o in lvl.orders]) for lvl in after.bids] == [(10_000, [(2, 15)])]
    assert [(lvl.price, [(o.order_id, o.remaining) for o in lvl.orders]) for lvl in after.asks] == [(10_100, [(5, 40)])]
    assert not is_crossed(after)


def test_within_a_price_the_earlier_order_is_filled_first():
    book = call_book((BUY, 10_000, 10), (BUY, 10_000, 10), (SELL, 10_000, 15))
    after, fills, price = uncross(book, 10_000, height=1)
    assert summary(fills) == [(1, 3, 10_000, 10), (2, 3, 10_000, 5)]
    assert [(o.order_id, o.remaining) for o in after.orders()] == [(2, 5)]


def test_tie_break_1_minimum_imbalance():
    # 10,000: demand 30, supply 20 → volume 20, surplus +10
    # 10,100: demand 20, supply 20 → volume 20, surplus 0   ← least imbalance wins,
    # although 10,000 is the reference price (rule 4) and the lower price (rule 5)
    book = call_book((BUY, 10_000, 10), (BUY, 10_100, 20), (SELL, 10_000, 20))
    assert auction_price(book, 10_000).price == 10_100


def test_tie_break_2_buy_pressure_takes_the_highest_price():
    # 10,000: demand 30, supply 20 → 20, surplus +10
    # 10,100: demand 30, supply 20 → 20, surplus +10   both buy surplus → highest, not the reference 10,000
    book = call_book((BUY, 10_100, 30), (SELL, 9_900, 10), (SELL, 10_000, 10))
    found = auction_price(book, 10_000)
    assert (found.price, found.volume, found.surplus) == (10_100, 20, 10)


def test_tie_break_2_sell_pressure_takes_the_lowest_price():
    #  9,900: demand 20, supply 30 → 20, surplus −10
    # 10,000: demand 20, supply 30 → 20, surplus −10   both sell surplus → lowest, not the reference 10,000
    book = call_book((SELL, 9_900, 30), (BUY, 10_100, 10), (BUY, 10_000, 10))
    found = auction_price(book, 10_000)
    assert (found.price, found.volume, found.surplus) == (9_900, 20, -10)


def test_tie_break_3_no_surplus_takes_the_price_closest_to_the_reference():
    # 9,900, 10,100 and any reference between: demand 10, supply 10 → no surplus anywhere
    book = call_book((BUY, 10_100, 10), (SELL, 9_900, 10))
    assert auction_price(book, 10_000).price == 10_000  # the reference price itself is a candidate
    assert auction_price(book, 10_050).price == 10_050
    assert auction_price(book, 11_000).price == 10_100  # reference above every limit: the closest limit
    assert auction_price(book, 9_000).price == 9_900


def test_tie_break_3_surpluses_of_both_signs_take_the_price_closest_to_the_reference():
    # 10,000: demand 20, supply 10 → 10, surplus +10
    # 10,100: demand 10, supply 20 → 10, surplus −10   mixed pressure → closest to the reference
    book = call_book((BUY, 10_000, 10), (BUY, 10_100, 10), (SELL, 10_000, 10), (SELL, 10_100, 10))
    assert auction_price(book, 10_100).price == 10_100
    assert auction_price(book, 10_000).price == 10_000
    assert auction_price(book, 12_000).price == 10_100
    # a reference between them: demand 10, supply 10 there — no imbalance, so rule 1 already picks it
    found = auction_price(book, 10_050)
    assert (found.price, found.surplus) == (10_050, 0)


def test_tie_break_4_the_lower_price_is_total_but_never_needed_with_the_reference_as_candidate():
    # Equally close candidates lie on both sides of the reference; the reference price itself then
    # executes as much with no more imbalance (see the property below), so rule 4 always finds one
    # price at distance 0 before rule 5 could apply. Worked: 9,900 and 10,100 are equally close to
    # 10,000, but 10,000 itself (demand 10, supply 10) is a tied candidate at distance 0.
    book = call_book((BUY, 10_100, 10), (SELL, 9_900, 10))
    points = {p.price: (p.volume, p.surplus) for p in _curves(book, 10_000)}
    assert points == {9_900: (10, 0), 10_000: (10, 0), 10_100: (10, 0)}
    assert auction_price(book, 10_000).price == 10_000


def test_nothing_crosses_nothing_trades():
    book = call_book((BUY, 9_900, 10), (SELL, 10_000, 10))
    assert auction_price(book, 10_000) is None
    after, fills, price = uncross(book, 10_000, height=1)
    assert (after, fills, price) == (book, (), None)
    assert uncross(Book("KAU25"), 10_000, height=1) == (Book("KAU25"), (), None)


def test_one_sided_book_does_not_trade():
    book = call_book((BUY, 10_000, 10), (BUY, 10_100, 10))
    assert uncross(book, 10_000, height=1).price is None


_side = st.sampled_from([BUY, SELL])
_orders = st.lists(st.tuples(_side, st.integers(195, 205).map(lambda t: t * 50), st.integers(1, 40)), min_size=1, max_size=25)


@settings(max_examples=200, deadline=None)
@given(orders=_orders, reference=st.integers(190, 210).map(lambda t: t * 50))
def test_auction_properties(orders, reference):
    book = call_book(*orders)
    curve = _curves(book, reference)
    result = uncross(book, reference, height=1)
    if result.price is None:
        assert all(p.volume == 0 for p in curve) and result.book == book
        return
    chosen = next(p for p in curve if p.price == result.price)
    # maximum volume over every price on a fine grid, not only over the candidates
    grid_best = 0
    for price in range(min(p.price for p in curve) - 50, max(p.price for p in curve) + 51):
        demand = sum(o.remaining for o in book.orders(BUY) if o.price >= price)
        supply = sum(o.remaining for o in book.orders(SELL) if o.price <= price)
        grid_best = max(grid_best, min(demand, supply))
    assert chosen.volume == grid_best == sum(f.quantity for f in result.fills)
    # every fill at the one price, within both limits; the book afterwards is not crossed
    assert all(f.price == result.price and f.sell_limit <= f.price <= f.buy_limit for f in result.fills)
    assert not is_crossed(result.book)
    Book.validated(result.book)
    # rule 5 never decides: among the candidates rules 1-3 leave, the closest to the reference is unique
    tied = [p for p in curve if p.volume == chosen.volume and abs(p.surplus) == abs(chosen.surplus)]
    if not (all(p.surplus > 0 for p in tied) or all(p.surplus < 0 for p in tied)):
        distances = sorted(abs(p.price - reference) for p in tied)
        assert len(distances) == 1 or distances[0] < distances[1]
    # quantities are conserved order by order
    filled: dict[int, int] = {}
    for f in result.fills:
        filled[f.buy_order_id] = filled.get(f.buy_order_id, 0) + f.quantity
        filled[f.sell_order_id] = filled.get(f.sell_order_id, 0) + f.quantity
    left = {o.order_id: o.remaining for o in result.book.orders()}
    for o in book.orders():
        assert filled.get(o.order_id, 0) + left.get(o.order_id, 0) == o.remaining
