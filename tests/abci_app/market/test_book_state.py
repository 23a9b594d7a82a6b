"""The book kept as one key per resting order gives the pure engine's results, action for action.

Each stream of actions runs twice: through the engine's immutable ``Book`` (``match_order``,
``add_order``, ``uncross``, ``cancel_order``, ``expire_day_orders``) and through ``book_state`` on
real overlays over a real store (a block overlay, a child per action merged into it, blocks
committed to SQLite now and then), so walks cross every layer. Fills and the resulting book must be
equal after every action. Every order has its own owner here: self-trade prevention is a chain rule
on top of the engine (tested in tests/abci_app/test_makers_integrity.py).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.market import Book, Order, Side, add_order, cancel_order, expire_day_orders, match_order, uncross
from abci_app.modules.trading import book_state
from abci_app.state import Overlay, Store
from abci_harness import BLINDING_KEY

INSTRUMENT = "KAU25"


class Chain:
    """A store with one open block overlay; ``commit`` writes the block to SQLite."""

    def __init__(self, path: Path):
        self.store = Store(path, BLINDING_KEY)
        self.store.reset_genesis("c", {"x": b"1"}, 100)
        self.block = Overlay(self.store)
        self.height = 0

    def action(self) -> Overlay:
        return self.block.child()

    def commit(self) -> None:
        self.height += 1
        staged = self.store.stage(self.height, self.block.writes)
        self.store.commit_block(self.height, staged, 100 + self.height, self.block.writes, [])
        self.block = Overlay(self.store)


def _run(actions: list[tuple], path: Path) -> None:
    chain, book, seq = Chain(path), Book(INSTRUMENT), 0
    for action in actions:
        view = chain.action()
        if action[0] == "order":
            _, side, ticks, tonnes, call = action
            seq += 1
            order = Order(seq, seq, f"owner{seq}", INSTRUMENT, side, 10_000 + 5 * ticks, tonnes)
            if call:
                book = add_order(book, order)
                book_state.rest(view, order)
                expected, got = (), ()
            else:
                result = match_order(book, order, height=chain.height)
                book, expected = result.book, result.fills
                got, _ = book_state.match(view, order, height=chain.height)
        elif action[0] == "cancel":
            resting = sorted(book.orders(), key=lambda o: o.order_id)
            if not resting:
                continue
            victim = resting[action[1] % len(resting)]
            book, cancelled = cancel_order(book, victim.order_id, victim.owner)
            book_state.remove(view, cancelled)
            expected = got = ()
        elif action[0] == "uncross":
            result = uncross(book, 10_000 + 5 * action[1], height=chain.height)
            book, expected = result.book, result.fills
            got, price = book_state.uncross(view, INSTRUMENT, 10_000 + 5 * action[1], height=chain.height)
            assert price == result.price
        else:  # expire
            book, expired = expire_day_orders(book)
            mine = book_state.resting_orders(view, INSTRUMENT)
            assert mine == list(expired)
            for order in mine:
                book_state.remove(view, order)
            expected = got = ()
        view.merge()
        assert tuple(got) == tuple(expected), action
        if action[0] != "order" or random.Random(len(actions) + seq).random() < 0.3:
            chain.commit()
        mine = book_state.load_book(chain.block, INSTRUMENT)
        assert (mine.bids, mine.asks) == (book.bids, book.asks), action
        assert list(book_state.levels(chain.block, INSTRUMENT, Side.BUY)) == [(lv.price, lv.quantity) for lv in book.bids]
        assert book_state.best(chain.block, INSTRUMENT, Side.SELL) == (book.asks[0].price if book.asks else None)
    chain.store.close()


_ACTION = st.one_of(
    st.tuples(st.just("order"), st.sampled_from([Side.BUY, Side.SELL]), st.integers(-8, 8), st.integers(1, 60), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 50)),
    st.tuples(st.just("uncross"), st.integers(-4, 4)),
    st.tuples(st.just("expire")),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ACTION, min_size=1, max_size=40))
def test_keyed_book_equals_the_engine(tmp_path_factory, actions):
    _run(actions, tmp_path_factory.mktemp("book") / "state.sqlite")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_streams_with_deep_books(tmp_path, seed):
    rng = random.Random(seed)
    actions: list[tuple] = []
    for _ in range(400):
        roll = rng.random()
        if roll < 0.8:
            actions.append(("order", rng.choice([Side.BUY, Side.SELL]), rng.randint(-20, 20), rng.randint(1, 500), rng.random() < 0.3))
        elif roll < 0.95:
            actions.append(("cancel", rng.randint(0, 10_000)))
        else:
            actions.append(("uncross", rng.randint(-5, 5)))
    actions.append(("expire",))
    _run(actions, tmp_path / "state.sqlite")


def test_a_walk_sees_the_parents_keys_minus_its_deletions(tmp_path):
    chain = Chain(tmp_path / "s.sqlite")
    view = chain.action()
    for seq, price in enumerate([10_010, 10_000, 10_020, 10_000], start=1):
        book_state.rest(view, Order(seq, seq, f"o{seq}", INSTRUMENT, Side.SELL, price, 10))
    view.merge()
    chain.commit()
    child = chain.action()
    first = next(book_state.orders(child, INSTRUMENT, Side.SELL))
    book_state.remove(child, first)
    assert [o.order_id for o in book_state.orders(child, INSTRUMENT, Side.SELL)] == [4, 1, 3]
    assert [o.order_id for o in book_state.orders(chain.block, INSTRUMENT, Side.SELL)] == [2, 4, 1, 3]  # not merged
    assert list(book_state.levels(child, INSTRUMENT, Side.SELL)) == [(10_000, 10), (10_010, 10), (10_020, 10)]
