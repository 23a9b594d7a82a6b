"""The auction clearing rule and the reserve price as pure functions: hand-computed cases and properties
(volume conserved, per-bidder caps, uniform price = lowest winning bid, full fills above the margin,
pro rata at the margin with the remainder by sequence, independence of input order)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from abci_app.market.allowance_auction import Bid, cap_tonnes, clear, reserve_price, vwap_of


def _won(clearing) -> dict[int, int]:
    return {a.sequence: a.allocated for a in clearing.allocations}


def test_hand_computed_margin_is_split_pro_rata_with_the_remainder_by_sequence():
    bids = [Bid(1, "a", 12_000, 150), Bid(2, "b", 11_500, 150), Bid(3, "c", 11_000, 150), Bid(4, "d", 10_500, 150),
            Bid(5, "e", 10_000, 150), Bid(6, "f", 10_000, 100), Bid(7, "f", 10_000, 50), Bid(8, "g", 10_000, 120),
            Bid(9, "h", 9_925, 150)]
    clearing = clear(bids, 1_000, 150)
    # 400 t left for 420 t at 10,000: 142.86, 95.24, 47.62, 114.29 → 142 + 95 + 47 + 114 = 398; +1 to bids 5 and 6
    assert _won(clearing) == {1: 150, 2: 150, 3: 150, 4: 150, 5: 143, 6: 96, 7: 47, 8: 114, 9: 0}
    assert (clearing.price, clearing.sold, clearing.unsold, clearing.winners) == (10_000, 1_000, 0, 7)


def test_the_cap_counts_a_bidders_higher_bids_first():
    clearing = clear([Bid(2, "a", 9_000, 100), Bid(1, "a", 10_000, 120), Bid(3, "b", 8_000, 500)], 1_000, 150)
    assert _won(clearing) == {1: 120, 2: 30, 3: 150}  # a's cheaper bid keeps only the 30 t under its cap
    assert [a.eligible for a in clearing.allocations] == [120, 30, 150]
    assert (clearing.price, clearing.sold, clearing.unsold) == (8_000, 300, 700)


def test_no_bids_sell_nothing():
    clearing = clear([], 500, 75)
    assert (clearing.price, clearing.sold, clearing.unsold, clearing.allocations) == (None, 0, 500, ())


def test_reserve_price_and_averages_round_as_stated():
    assert vwap_of([(900_000, 100), (950_000, 100)]) == 9_250
    assert vwap_of([(10, 4)]) == 3  # 2.5 → 3: halves up
    assert vwap_of([]) is None
    assert reserve_price(9_783, 9_940, 10_050, 5) == 9_925  # 9,924.33 up to the tick
    assert reserve_price(10_000, 10_000, 10_000, 5) == 10_000  # already on the tick
    assert cap_tonnes(1_375, 1_500) == 206


_bids = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 12), st.integers(1, 400)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_bids, st.integers(1, 3_000), st.integers(1, 10_000), st.randoms(use_true_random=False))
def test_clearing_properties(raw, volume, cap_bps, rng):
    bids = [Bid(seq, f"bidder-{who}", 1_000 * level, quantity) for seq, (who, level, quantity) in enumerate(raw, 1)]
    cap = cap_tonnes(volume, cap_bps)
    clearing = clear(bids, volume, cap)
    won = _won(clearing)
    assert clearing.sold == sum(won.values()) <= volume and clearing.unsold == volume - clearing.sold
    by_bidder: dict[str, int] = {}
    for a in clearing.allocations:
        assert 0 <= a.allocated <= a.eligible <= a.quantity
        by_bidder[a.bidder] = by_bidder.get(a.bidder, 0) + a.allocated
    assert all(total <= cap for total in by_bidder.values())
    winners = [a for a in clearing.allocations if a.allocated]
    if not winners:
        assert clearing.price is None and (volume == 0 or all(a.eligible == 0 for a in clearing.allocations))
        return
    assert clearing.price == min(a.price for a in winners)
    for a in clearing.allocations:
        if a.price > clearing.price:
            assert a.allocated == a.eligible  # above the margin: filled in full
        if a.price < clearing.price:
            assert a.allocated == 0
    if clearing.unsold:
        assert all(a.allocated == a.eligible for a in clearing.allocations)  # demand exhausted before the volume
    margin = [a for a in clearing.allocations if a.price == clearing.price]
    wanted = sum(a.eligible for a in margin)
    left = sum(a.allocated for a in margin)
    if left < wanted:  # rationed: each bid its pro rata floor, or one tonne more
        for a in margin:
            assert a.allocated - left * a.eligible // wanted in (0, 1)
    shuffled = list(bids)
    rng.shuffle(shuffled)
    assert clear(shuffled, volume, cap) == clearing  # the order bids are handed in does not matter


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**7), st.integers(1, 10**7), st.integers(1, 10**7), st.sampled_from([1, 5, 10, 100]))
def test_reserve_price_is_the_formula_rounded_up_to_the_tick(a, b, c, tick):
    price = reserve_price(a, b, c, tick)
    assert price % tick == 0 and 3 * price >= a + b + c > 3 * (price - tick)


def test_the_monthly_calendar_is_the_second_wednesday_13_to_14_kst():
    from datetime import datetime

    from ets_tools.cli_auctions import monthly_windows
    from protocol.calendar import KST_ZONE

    windows = monthly_windows(2026, [1, 7, 12])
    assert [datetime.fromtimestamp(o, KST_ZONE).strftime("%Y-%m-%d %H:%M %a") for o, _ in windows] == [
        "2026-01-14 13:00 Wed", "2026-07-08 13:00 Wed", "2026-12-09 13:00 Wed"]
    assert all(c - o == 3600 for o, c in windows)
