"""Properties over random order streams: conservation, escrow, no crossed book, limits, determinism.

Each stream runs through ``market_sim.Sim``, which drives the engine as the chain will (check the
order, escrow it, place it in the session phase, settle fills, uncross, expire, cancel) and checks
after every action: no pocket negative, held = what resting orders escrow, totals per asset
unchanged, every batch of movements sums to zero, the book valid and not crossed outside a call.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.market import Book, Order, Side, book_from_json, book_to_json, match_order
from market_sim import Sim, random_actions

BUY, SELL = Side.BUY, Side.SELL
HERE = Path(__file__).resolve().parent

_order = st.tuples(
    st.just("order"),
    st.integers(0, 4),
    st.sampled_from([BUY, SELL]),
    st.one_of(st.integers(-12, 12), st.integers(-12, 12), st.integers(-260, 260)),  # some outside the ±200-tick band
    st.integers(1, 90),
)
_cancel = st.tuples(st.just("cancel"), st.integers(0, 10_000), st.booleans())
_session = st.sampled_from([("call",), ("uncross",), ("expire",)])
_actions = st.lists(st.one_of(_order, _order, _order, _order, _cancel, _session), max_size=70)


@settings(max_examples=250, deadline=None)
@given(actions=_actions)
def test_invariants_hold_after_every_action(actions):
    sim = Sim()
    for action in actions:
        sim.apply(action)  # checks the invariants itself


@settings(max_examples=60, deadline=None)
@given(actions=_actions, cut=st.integers(0, 70))
def test_same_stream_same_result_also_after_a_restart_from_canonical_state(actions, cut):
    straight, twin = Sim(), Sim()
    for action in actions:
        straight.apply(action)
        twin.apply(action)
    assert straight.digest() == twin.digest()
    first = Sim()
    for action in actions[:cut]:
        first.apply(action)
    resumed = first.reloaded()
    for action in actions[cut:]:
        resumed.apply(action)
    assert resumed.digest() == straight.digest()
    assert book_to_json(resumed.book) == book_to_json(straight.book)


# ---------------------------------------------------------------- a naive model of price-time priority


def _naive(resting: list[Order], incoming: Order) -> tuple[list[tuple[int, int, int, int]], list[Order]]:
    """Sort the whole opposite side every time and walk it: obviously price-time priority."""
    if incoming.side is BUY:
        opposite = sorted((o for o in resting if o.side is SELL), key=lambda o: (o.price, o.sequence))
        crosses = lambda o: o.price <= incoming.price  # noqa: E731
    else:
        opposite = sorted((o for o in resting if o.side is BUY), key=lambda o: (-o.price, o.sequence))
        crosses = lambda o: o.price >= incoming.price  # noqa: E731
    left = incoming.remaining
    fills = []
    after = {o.order_id: o for o in resting}
    for maker in opposite:
        if not left or not crosses(maker):
            break
        q = min(left, maker.remaining)
        left -= q
        buy, sell = (incoming, maker) if incoming.side is BUY else (maker, incoming)
        fills.append((buy.order_id, sell.order_id, maker.price, q))
        if q == maker.remaining:
            del after[maker.order_id]
        else:
            after[maker.order_id] = maker.with_remaining(maker.remaining - q)
    if left:
        after[incoming.order_id] = incoming.with_remaining(left)
    return fills, list(after.values())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([BUY, SELL]), st.integers(1_990, 2_010), st.integers(1, 30)), max_size=60))
def test_continuous_matching_agrees_with_a_naive_model(stream):
    book, resting = Book("KAU25"), []
    for n, (side, ticks, quantity) in enumerate(stream, start=1):
        order = Order(n, n, f"acct{n % 3}", "KAU25", side, ticks * 5, quantity)
        book, fills, _ = match_order(book, order, height=n)
        expected, resting = _naive(resting, order)
        assert [(f.buy_order_id, f.sell_order_id, f.price, f.quantity) for f in fills] == expected
        assert sorted((o.order_id, o.remaining) for o in book.orders()) == sorted((o.order_id, o.remaining) for o in resting)
        assert all(f.sell_limit <= f.price <= f.buy_limit for f in fills)
        assert book_from_json(book_to_json(book)) == book


# ---------------------------------------------------------------- replay, across processes

_REPLAY = """
import sys
sys.path.insert(0, {here!r})
from market_sim import Sim, random_actions
sim = Sim(cash=10**12, allowances=10**7, check=False)
for action in random_actions(7, 4_000):
    sim.apply(action)
sim.apply(("expire",))
print(sim.digest(), len(sim.fills))
"""


def test_two_engines_in_separate_processes_give_identical_results():
    """The same stream in two processes with different hash seeds (set and dict order differ)."""
    expected = Sim(cash=10**12, allowances=10**7, check=False)
    for action in random_actions(7, 4_000):
        expected.apply(action)
    expected.apply(("expire",))
    assert len(expected.fills) > 1_000
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(HERE.parents[2])}
        run = subprocess.run([sys.executable, "-c", _REPLAY.format(here=str(HERE))], env=env, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout.split())
    assert outputs[0] == outputs[1] == [expected.digest(), str(len(expected.fills))]


def test_long_random_days_keep_every_invariant():
    """Two longer streams, one with tight balances (many orders refused for lack of funds)."""
    for seed, cash, allowances in ((1, 3_000_000, 400), (2, 30_000_000, 3_000)):
        sim = Sim(cash=cash, allowances=allowances)
        for action in random_actions(seed, 1_500):
            sim.apply(action)
        sim.apply(("expire",))
        assert len(sim.book) == 0 and len(sim.fills) > 300
        assert any(f.taker_side is None for f in sim.fills)  # auctions traded
        assert {"not_owner", "price_out_of_band"} <= set(sim.refused)
        assert all(v == 0 for (_, _, held), v in sim.ledger.items() if held)  # every escrow released
