"""Escrow and DvP movements, and the daily bar with its VWAP rounding."""

from __future__ import annotations

import pytest

from abci_app.market import (
    CASH,
    DailyBar,
    Fill,
    InvalidOrder,
    Movement,
    Order,
    Side,
    asset_totals,
    escrow_of,
    lock_escrow,
    net_movements,
    next_reference_price,
    release_escrow,
    settle_fills,
    update_bar,
)

BUY, SELL = Side.BUY, Side.SELL


def fill(price: int, quantity: int, buy_limit: int, sell_limit: int = 9_000, buyer="b", seller="s", instrument="KAU25") -> Fill:
    return Fill(instrument, price, quantity, 1, 2, buyer, seller, buy_limit, sell_limit, BUY, 5)


def test_escrow_of_an_order_is_cash_for_a_buy_and_allowances_for_a_sell():
    assert escrow_of(Order(1, 1, "b", "KAU25", BUY, 10_005, 40, remaining=30)) == (CASH, 300_150)
    assert escrow_of(Order(2, 2, "s", "KAU25", SELL, 10_005, 40, remaining=30)) == ("KAU25", 30)


def test_lock_and_release_move_between_pockets_only():
    buy = Order(1, 1, "b", "KAU25", BUY, 10_000, 40)
    assert lock_escrow(buy) == (Movement("b", CASH, False, -400_000), Movement("b", CASH, True, 400_000))
    sell = Order(2, 2, "s", "KAU25", SELL, 10_000, 40, remaining=15)
    assert release_escrow([sell, buy.with_remaining(10)]) == (
        Movement("b", CASH, False, 100_000),
        Movement("b", CASH, True, -100_000),
        Movement("s", "KAU25", False, 15),
        Movement("s", "KAU25", True, -15),
    )


def test_a_fill_below_the_buy_limit_releases_the_difference_to_the_buyer():
    # buyer escrowed 10,100 × 7; trades at 10,000: pays 70,000, gets 700 back, receives 7 t
    moves = settle_fills([fill(10_000, 7, 10_100)])
    assert moves == (  # sorted by account, asset ("KAU25" < "KRW"), pocket
        Movement("b", "KAU25", False, 7),
        Movement("b", CASH, False, 700),
        Movement("b", CASH, True, -70_700),
        Movement("s", "KAU25", True, -7),
        Movement("s", CASH, False, 70_000),
    )
    assert asset_totals(moves) == (("KAU25", 0), (CASH, 0))


def test_settlement_nets_per_account_and_pocket():
    fills = [fill(10_000, 7, 10_000), fill(10_000, 3, 10_000, buyer="s", seller="b")]
    moves = settle_fills(fills)
    assert Movement("b", "KAU25", False, 7) in moves and Movement("b", "KAU25", True, -3) in moves
    assert all(m.delta != 0 for m in moves) and list(moves) == sorted(moves)
    assert asset_totals(moves) == (("KAU25", 0), (CASH, 0))


def test_net_movements_drops_zero_sums():
    assert net_movements([Movement("a", CASH, False, 5), Movement("a", CASH, False, -5)]) == ()


# ---------------------------------------------------------------- daily bar

def test_daily_bar_from_fills_in_trade_order():
    fills = [fill(10_000, 10, 10_100), fill(10_100, 5, 10_100), fill(9_950, 1, 10_100), fill(10_050, 4, 10_100)]
    bar = update_bar(None, fills[:2], trading_day="2025-06-12", instrument="KAU25")
    bar = update_bar(bar, fills[2:], trading_day="2025-06-12", instrument="KAU25")
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades) == (10_000, 10_100, 9_950, 10_050, 20, 4)
    assert bar.value == 100_000 + 50_500 + 9_950 + 40_200 == 200_650
    assert bar.vwap == 10_033  # 200,650 / 20 = 10,032.5 → halves up
    assert bar.to_dict()["vwap"] == 10_033
    assert next_reference_price(9_000, bar) == 10_050
    assert next_reference_price(9_000, None) == 9_000
    assert update_bar(None, [], trading_day="2025-06-12", instrument="KAU25") is None


@pytest.mark.parametrize(
    "value, volume, vwap",
    [(30_001, 3, 10_000), (30_002, 3, 10_001), (20_001, 2, 10_001), (20_000, 2, 10_000), (19_999, 2, 10_000), (7, 7, 1)],
)
def test_vwap_rounds_to_the_nearest_krw_halves_up(value, volume, vwap):
    low, high = value // volume, -(-value // volume)
    assert DailyBar("2025-06-12", "KAU25", low, high, low, high, volume, value, 1).vwap == vwap


def test_a_bar_refuses_fills_of_another_instrument_or_day():
    bar = update_bar(None, [fill(10_000, 1, 10_000)], trading_day="2025-06-12", instrument="KAU25")
    with pytest.raises(InvalidOrder):
        update_bar(bar, [fill(10_000, 1, 10_000, instrument="KAU26")], trading_day="2025-06-12", instrument="KAU25")
    with pytest.raises(InvalidOrder):
        update_bar(bar, [fill(10_000, 1, 10_000)], trading_day="2025-06-13", instrument="KAU25")


@pytest.mark.parametrize(
    "fields",
    [
        dict(open=10, high=9, low=9, close=9, volume=1, value=9),
        dict(open=10, high=10, low=10, close=10, volume=2, value=19),
        dict(open=10, high=10, low=10, close=10, volume=1, value=10, trades=2),
        dict(open=0, high=10, low=0, close=10, volume=1, value=10),
    ],
)
def test_inconsistent_bars_are_refused(fields):
    with pytest.raises(InvalidOrder):
        DailyBar(**{"trading_day": "2025-06-12", "instrument": "KAU25", "trades": 1, **fields})


@pytest.mark.parametrize(
    "fields",
    [
        {"price": 10_200},  # above the buy limit
        {"sell_limit": 10_100},  # above the price
        {"sell_order_id": 1},  # pairs an order with itself
        {"height": -1},
        {"quantity": 0},
        {"taker_side": "buy"},
    ],
)
def test_fills_outside_their_limits_or_malformed_are_refused(fields):
    base = fill(10_000, 1, 10_100).to_dict() | {"taker_side": BUY}
    with pytest.raises(InvalidOrder):
        Fill(**(base | fields))


def test_fill_round_trip():
    f = fill(10_000, 3, 10_100)
    assert Fill.from_dict(f.to_dict()) == f
    auction = Fill("KAU25", 10_000, 3, 1, 2, "b", "s", 10_000, 10_000, None, 1)
    assert Fill.from_dict(auction.to_dict()) == auction
