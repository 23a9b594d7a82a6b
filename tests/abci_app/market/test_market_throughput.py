"""How fast the pure engine matches: 100,000 random orders (printed, not asserted: machines differ)."""

from __future__ import annotations

import random
import time

from abci_app.market import Book, Order, Side, is_crossed, match_order, uncross

ORDERS = 100_000


def _stream(seed: int, count: int) -> list[Order]:
    rng = random.Random(seed)
    out = []
    for n in range(1, count + 1):
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        price = 10_000 + 5 * round(rng.triangular(-200, 200, 0))
        out.append(Order(n, n, f"acct{rng.randrange(800)}", "KAU25", side, price, rng.randint(1, 1_000)))
    return out


def test_orders_per_second_of_continuous_matching(capsys):
    orders = _stream(2025, ORDERS)
    book, fills = Book("KAU25"), 0
    start = time.perf_counter()
    for height, order in enumerate(orders, start=1):
        book, new, _ = match_order(book, order, height=height)
        fills += len(new)
    elapsed = time.perf_counter() - start
    auction_start = time.perf_counter()
    after, auction_fills, price = uncross(book, 10_000, height=ORDERS + 1)  # an uncrossed book: nothing to do
    auction_elapsed = time.perf_counter() - auction_start
    with capsys.disabled():
        print(
            f"\nmarket engine: {ORDERS:,} orders in {elapsed:.2f} s = {ORDERS / elapsed:,.0f} orders/s; "
            f"{fills:,} fills; {len(book):,} orders resting on {len(book.bids) + len(book.asks)} price levels; "
            f"auction price discovery over that book {auction_elapsed * 1000:.1f} ms"
        )
    assert not is_crossed(book) and price is None and auction_fills == () and after is book
    assert fills > ORDERS // 2
