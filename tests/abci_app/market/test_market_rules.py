"""Order fields and the market rules: size limit, tick grid, daily price band and its rounding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.market import (
    REASONS,
    InvalidOrder,
    InvalidParameter,
    MarketError,
    MarketRules,
    NotOnTick,
    Order,
    PriceOutOfBand,
    QuantityTooLarge,
    Side,
)

RULES = MarketRules()  # tick 5, 100,000 t, ±10 %, initial reference 10,000


def order(price: int = 10_000, quantity: int = 10, side: Side = Side.BUY, **kw) -> Order:
    fields = dict(order_id=1, sequence=1, owner="a", instrument="KAU25", side=side, price=price, quantity=quantity)
    fields.update(kw)
    return Order(**fields)


def test_defaults_are_the_domain_values():
    assert (RULES.tick_size, RULES.max_order_quantity, RULES.band_bps) == (5, 100_000, 1_000)
    assert RULES.reference_price(None) == RULES.initial_reference_price == 10_000
    assert RULES.reference_price(9_875) == 9_875


def test_remaining_defaults_to_quantity_and_orders_round_trip():
    o = order(quantity=70)
    assert o.remaining == 70 and o.filled == 0
    assert Order.from_dict(o.to_dict()) == o
    part = o.with_remaining(30)
    assert (part.remaining, part.filled, o.remaining) == (30, 40, 70)
    assert part == Order(**{**o.to_dict(), "side": o.side, "remaining": 30})
    for bad in (-1, 71):
        with pytest.raises(InvalidOrder, match="remaining"):
            o.with_remaining(bad)


@pytest.mark.parametrize(
    "fields, fragment",
    [
        ({"order_id": 0}, "order_id"),
        ({"sequence": -1}, "sequence"),
        ({"owner": ""}, "owner"),
        ({"owner": "a\nb"}, "owner"),
        ({"instrument": 25}, "instrument"),
        ({"side": "buy"}, "side"),
        ({"price": 0}, "price"),
        ({"price": 10_000.0}, "price"),
        ({"price": True}, "price"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 2**63}, "quantity"),
        ({"remaining": 11}, "remaining"),
        ({"remaining": -1}, "remaining"),
    ],
)
def test_malformed_orders_are_refused_on_construction(fields, fragment):
    with pytest.raises(InvalidOrder, match=fragment):
        order(**fields)


@pytest.mark.parametrize(
    "obj",
    [
        {"order_id": 1},
        {**order().to_dict(), "extra": 1},
        {**order().to_dict(), "side": "BUY"},
        [],
    ],
)
def test_order_from_dict_is_strict(obj):
    with pytest.raises(InvalidOrder):
        Order.from_dict(obj)


# ---------------------------------------------------------------- band: lower rounded up, upper rounded down

@pytest.mark.parametrize(
    "reference, tick, bps, band",
    [
        (10_000, 5, 1_000, (9_000, 11_000)),  # exact: 9,000 and 11,000 are on the grid
        (10_005, 5, 1_000, (9_005, 11_005)),  # 9,004.5 → up to 9,005; 11,005.5 → down to 11,005
        (10_010, 5, 1_000, (9_010, 11_010)),  # 9,009 → 9,010; 11,011 → 11,010
        (9_995, 5, 1_000, (9_000, 10_990)),  # 8,995.5 → 9,000; 10,994.5 → 10,990
        (12_345, 10, 1_000, (11_120, 13_570)),  # 11,110.5 → 11,120; 13,579.5 → 13,570
        (10_000, 5, 0, (10_000, 10_000)),  # no band: only the reference price
        (10_000, 1, 250, (9_750, 10_250)),  # ±2.5 %
        (5, 5, 1_000, (5, 5)),  # the lowest reference: 4.5 → 5; 5.5 → 5
        (30, 5, 9_999, (5, 55)),  # nearly ±100 %: 0.003 → 5; 59.997 → 55
    ],
)
def test_price_band_rounds_inwards_to_the_tick(reference, tick, bps, band):
    rules = MarketRules(tick_size=tick, band_bps=bps, initial_reference_price=tick)
    assert rules.price_band(reference) == band


@settings(max_examples=300, deadline=None)
@given(reference=st.integers(1, 10**7), tick=st.sampled_from([1, 5, 10, 50, 100]), bps=st.integers(0, 5_000))
def test_price_band_never_leaves_the_exact_band(reference, tick, bps):
    rules = MarketRules(tick_size=tick, band_bps=bps, initial_reference_price=tick)
    try:
        lower, upper = rules.price_band(reference)
    except InvalidParameter:
        assert reference % tick  # only a reference off the grid can leave an empty band
        return
    assert lower % tick == 0 and upper % tick == 0 and tick <= lower <= upper
    # within ±bps of the reference, in exact integer arithmetic
    assert upper * 10_000 <= reference * (10_000 + bps)
    assert lower * 10_000 >= reference * (10_000 - bps)
    # and as wide as the grid allows: one more tick outwards would leave the band
    assert (upper + tick) * 10_000 > reference * (10_000 + bps)
    assert (lower - tick) * 10_000 < reference * (10_000 - bps)
    if reference % tick == 0:
        assert lower <= reference <= upper


# ---------------------------------------------------------------- the order rules, table-driven

@pytest.mark.parametrize(
    "price, quantity, error",
    [
        (10_000, 1, None),
        (10_000, 100_000, None),
        (10_000, 100_001, QuantityTooLarge),
        (9_000, 10, None),  # lower band edge
        (11_000, 10, None),  # upper band edge
        (8_995, 10, PriceOutOfBand),
        (11_005, 10, PriceOutOfBand),
        (10_003, 10, NotOnTick),
        (9_001, 10, NotOnTick),  # tick is checked before the band
        (20_003, 100_001, QuantityTooLarge),  # size first
        (12_000, 10, PriceOutOfBand),
    ],
)
@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
def test_check_order(price, quantity, error, side):
    o = order(price=price, quantity=quantity, side=side)
    if error is None:
        assert RULES.check_order(o, 10_000) is None
    else:
        with pytest.raises(error) as info:
            RULES.check_order(o, 10_000)
        assert info.value.reason in REASONS and REASONS[info.value.reason] is error


def test_rejections_say_what_to_do():
    with pytest.raises(NotOnTick, match="use 10,000 or 10,005"):
        RULES.check_order(order(price=10_003), 10_000)
    with pytest.raises(NotOnTick, match="use 5"):
        RULES.check_order(order(price=3), 10_000)
    with pytest.raises(PriceOutOfBand, match=r"9,000–11,000 KRW/t \(±10% of the reference price 10,000"):
        RULES.check_order(order(price=11_005), 10_000)
    with pytest.raises(QuantityTooLarge, match="split it"):
        RULES.check_order(order(quantity=100_001), 10_000)
    with pytest.raises(PriceOutOfBand, match=r"±2.5%"):
        MarketRules(band_bps=250).check_order(order(price=10_300), 10_000)


def test_the_band_follows_the_reference_price():
    RULES.check_order(order(price=11_550), 10_500)  # 10,500 × 1.1 = 11,550
    with pytest.raises(PriceOutOfBand):
        RULES.check_order(order(price=11_550), 10_000)


@pytest.mark.parametrize(
    "fields",
    [
        {"tick_size": 0},
        {"max_order_quantity": 0},
        {"band_bps": 10_000},
        {"band_bps": -1},
        {"initial_reference_price": 10_003},  # off the 5 KRW grid
        {"initial_reference_price": 0},
    ],
)
def test_bad_parameters_are_refused(fields):
    with pytest.raises(InvalidParameter):
        MarketRules(**fields)


def test_rules_round_trip_and_strict_dict():
    rules = MarketRules(tick_size=10, band_bps=1_500, initial_reference_price=9_000)
    assert MarketRules.from_dict(rules.to_dict()) == rules
    assert MarketRules.from_dict({}) == MarketRules()
    with pytest.raises(InvalidParameter):
        MarketRules.from_dict({"tick": 5})


def test_off_grid_reference_with_empty_band_is_reported():
    with pytest.raises(InvalidParameter, match="holds no price"):
        MarketRules(tick_size=5).price_band(7)


def test_every_reason_is_distinct_and_a_market_error():
    assert len(REASONS) == len(set(REASONS.values()))
    assert all(issubclass(cls, MarketError) and cls.reason == reason for reason, cls in REASONS.items())
