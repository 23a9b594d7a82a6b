"""The demo market's opening orders: deterministic, a maker's quote within the KRX rules, takers that fill on the
real matching engine at both sides' prices, resting orders that add depth, and every order paid for."""

from __future__ import annotations

import pytest

from abci_app.market import Book, MarketRules, Order, Phase, Side, best_ask, best_bid, depth, place_order
from datasets import demo_activity
from datasets.demo_activity import (
    BUYER_FUNDING_KRW, MAKER_ALLOWANCES, MAKER_FUNDING_KRW, QUOTE_LEVELS, QUOTE_MIN_TONNES, QUOTE_SPREAD, opening,
)

BUYERS = [f"company-d{i:03d}" for i in range(1, 61)]
SELLERS = ["company-1", "company-2", "company-3"]


def _run(plan: demo_activity.Opening, rules: MarketRules) -> tuple[Book, list, list]:
    """Every order of the plan through the chain's own engine in continuous trading: (book, fills per batch)."""
    book, sequence, fills = Book("KAU26"), 0, []
    for batch in (plan.quote, plan.takers, plan.resting):
        batch_fills = []
        for o in batch:
            sequence += 1
            order = Order(sequence, sequence, o.who, "KAU26", Side(o.side), o.price, o.quantity)
            rules.check_order(order, plan.reference)  # size, tick and the ±10 % band: raises if broken
            book, new, _ = place_order(book, order, Phase.CONTINUOUS, height=sequence)
            batch_fills += new
        fills.append(batch_fills)
    return book, fills[0], fills[1] + fills[2]


def test_same_seed_same_orders_other_seed_other_orders():
    assert opening(2026, 10_000, BUYERS, SELLERS) == opening(2026, 10_000, BUYERS, SELLERS)
    assert opening(2026, 10_000, BUYERS, SELLERS) != opening(2027, 10_000, BUYERS, SELLERS)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("reference", [5_000, 10_000, 23_455])
def test_quote_within_maker_rules_and_takers_fill_at_both_sides(seed, reference):
    plan = opening(seed, reference, BUYERS, SELLERS)
    bids = [o for o in plan.quote if o.side == "buy"]
    asks = [o for o in plan.quote if o.side == "sell"]
    assert len(bids) == len(asks) == QUOTE_LEVELS and {o.who for o in plan.quote} == {"maker"}
    assert asks[0].price - bids[0].price == QUOTE_SPREAD <= 500  # KRX: a maker's spread is at most KRW 500
    assert all(o.quantity >= QUOTE_MIN_TONNES for o in plan.quote)

    book, quote_fills, fills = _run(plan, MarketRules())
    assert quote_fills == []  # the maker's own bids and asks do not cross
    assert len(fills) == len(plan.takers) and sum(f.quantity for f in fills) == plan.traded_tonnes
    assert {f.price for f in fills} == {bids[0].price, asks[0].price}
    assert all((f.seller if f.taker_side is Side.BUY else f.buyer) == "maker" for f in fills)
    # after the day's trades the maker still quotes its best pair with at least the duty's tonnes
    assert (best_bid(book), best_ask(book)) == (bids[0].price, asks[0].price)
    shown = depth(book, 20)
    assert shown["bids"][0][1] >= QUOTE_MIN_TONNES and shown["asks"][0][1] >= QUOTE_MIN_TONNES
    assert len(shown["bids"]) > QUOTE_LEVELS and len(shown["asks"]) > QUOTE_LEVELS  # companies' resting orders


def test_every_order_is_paid_for():
    plan = opening(2026, 23_455, BUYERS, SELLERS)
    funding = dict(plan.fundings)
    assert funding["maker"] == MAKER_FUNDING_KRW and all(funding[b] == BUYER_FUNDING_KRW for b in BUYERS)
    orders = plan.quote + plan.takers + plan.resting
    for name in set(BUYERS) | {"maker"}:
        assert sum(o.price * o.quantity for o in orders if o.who == name and o.side == "buy") <= funding[name]
    assert sum(o.quantity for o in plan.quote if o.side == "sell") <= MAKER_ALLOWANCES
    assert {o.who for o in orders if o.side == "sell"} <= set(SELLERS) | {"maker"}


@pytest.mark.parametrize("arguments", [
    (True, 10_000, BUYERS, SELLERS),              # a bool is no seed
    (1, 10_002, BUYERS, SELLERS),                 # off the KRW 5 tick
    (1, 4_995, BUYERS, SELLERS),                  # the quote and resting orders would leave the ±10 % band
    (1, 10_000, [], SELLERS),
    (1, 10_000, BUYERS, []),
    (1, 10_000, ["company-1"], SELLERS),          # a name on both sides
    (1, 10_000, ["maker"], SELLERS),
    (1, 10_000, ["x"] * 10_001, SELLERS),
])
def test_bad_arguments_are_refused(arguments):
    with pytest.raises(ValueError):
        opening(*arguments)
