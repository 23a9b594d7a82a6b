"""Trading integrity on chain: self-trade prevention, a vintage stops trading at its surrender deadline, block trades
within the day's band."""

from __future__ import annotations

import json

import pytest

from protocol.codes import Code
from protocol.sealed import seal_price_opening, view_public_hex
from abci_app.modules.trading import session
from abci_harness import GENESIS_TIME, Actors, Node, approve, proposal_id

T0 = GENESIS_TIME + 600
KST_MIDNIGHT = 1_749_999_600  # 2025-06-16 00:00 KST, a Monday


def _ok(result) -> dict:
    assert result.code == Code.OK, result.log
    return json.loads(result.data) if result.data else {}


def order(side: str, price: int, quantity: int, instrument: str = "KAU25") -> dict:
    return {"type": "place_order", "instrument": instrument, "side": side, "price": price, "quantity": quantity}


def _status(node: Node, who, order_id: int) -> dict:
    return {o["id"]: o for o in node.read(f"/orders/{who.address}", reader=who)}[order_id]


def _cash(node: Node, who) -> dict:
    return node.read(f"/cash/{who.address}", reader=who)


@pytest.fixture
def market(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "n", actors.app_state(market_around_the_clock=1))
    for company in actors.companies:
        _ok(node.run(actors.bank, {"type": "fund_cash", "to": company.address, "amount": 50_000_000}))
    return node, actors


def test_an_order_that_would_trade_with_its_owner_cancels_the_owners_crossing_orders(market):
    node, actors = market
    a, b = actors.companies[0], actors.companies[1]
    first = _ok(node.run(a, order("sell", 10_000, 50)))["order_id"]
    second = _ok(node.run(a, order("sell", 10_100, 20)))["order_id"]
    far = _ok(node.run(a, order("sell", 10_500, 10)))["order_id"]
    other = _ok(node.run(b, order("sell", 10_050, 30)))["order_id"]
    placed = _ok(node.run(a, order("buy", 10_100, 40)))
    assert placed["self_trade_cancelled"] == [first, second]  # the owner's asks at or below its bid
    assert placed["fills"] == 1 and placed["filled"] == 30  # it still trades with the other owner
    for cancelled in (first, second):
        record = _status(node, a, cancelled)
        assert record["status"] == "cancelled" and record["cancelled"]["reason"] == "self_trade"
    assert _status(node, a, far)["status"] == "open" and _status(node, b, other)["status"] == "filled"
    assert node.app.store.get(f"held/{a.address}/KAU25") == b"10"  # only the far ask still holds allowances
    assert node.read("/market/depth/KAU25") == {"instrument": "KAU25", "bids": [[10_100, 10]], "asks": [[10_500, 10]]}
    assert _cash(node, a) == {"available": 50_000_000 - 30 * 10_050 - 10 * 10_100, "held": 10 * 10_100}
    assert node.read(f"/fills/{a.address}", reader=a)[0]["seller"] == b.address


def test_self_trade_prevention_holds_in_the_call_auction(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "n", actors.app_state())  # KRX hours: 09:00-10:00 opening call
    a, b = actors.companies[0], actors.companies[1]
    _ok(node.run(actors.bank, {"type": "fund_cash", "to": a.address, "amount": 10_000_000}))
    call = KST_MIDNIGHT + 9 * 3600 + 600
    own = _ok(node.run(a, order("sell", 9_900, 20), time=call))["order_id"]
    _ok(node.run(b, order("sell", 10_000, 20), time=call + 1))
    placed = _ok(node.run(a, order("buy", 10_000, 20), time=call + 2))
    assert placed["self_trade_cancelled"] == [own] and placed["status"] == "open"
    node.block([], time=KST_MIDNIGHT + 10 * 3600 + 5)  # the opening auction: a buys from b only
    (fill,) = node.read(f"/fills/{a.address}", reader=a)
    assert (fill["seller"], fill["price"], fill["quantity"], fill["auction"]) == (b.address, 10_000, 20, True)


def _deadline(node: Node, actors: Actors, year: int, due: int, time: int) -> None:
    action = {"type": "set_compliance_deadline", "year": year, "report_due": due - 60, "surrender_due": due}
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": action}, time=time))
    _ok(node.run(actors.gov[1], approve(pid), time=time))


def test_a_vintage_stops_trading_at_its_surrender_deadline(market, monkeypatch):
    node, actors = market
    a, b = actors.companies[0], actors.companies[1]
    resting = [_ok(node.run(a, order("buy", 9_500 + 5 * i, 10), time=T0 + i))["order_id"] for i in range(3)]
    asks = [_ok(node.run(b, order("sell", 10_500, 10), time=T0 + 10))["order_id"]]
    later = _ok(node.run(b, order("sell", 10_500, 10, "KAU26"), time=T0 + 11))["order_id"]
    due = T0 + 3_600
    _deadline(node, actors, 2025, due, T0 + 20)
    before = node.run(a, order("buy", 9_500, 1), time=due - 1)
    resting.append(_ok(before)["order_id"])  # still taken a second before the deadline
    monkeypatch.setattr(session, "SWEEP_PER_BLOCK", 3)  # bounded work per block, seen with a small bound
    late, late_sell = node.block([node.sign(a, order("buy", 9_500, 1)), node.sign(b, order("sell", 10_500, 1))], time=due)
    assert late.code == late_sell.code == Code.VINTAGE_CLOSED and "KAU25" in late.log
    open_after = [o for o in node.read(f"/orders/{a.address}", reader=a) + node.read(f"/orders/{b.address}", reader=b)
                  if o["instrument"] == "KAU25" and o["status"] == "open"]
    assert len(open_after) == 2  # the first block after the deadline cancelled 3 of 5 (bids first)
    node.block([], time=due + 5)
    for who, ids in ((a, resting), (b, asks)):
        for order_id in ids:
            record = _status(node, who, order_id)
            assert record["status"] == "cancelled" and record["cancelled"]["reason"] == "vintage_closed"
    assert _cash(node, a)["held"] == 0 and node.app.store.get(f"held/{b.address}/KAU25") is None  # escrow released
    assert node.read("/market/depth/KAU25")["bids"] == []
    assert _status(node, b, later)["status"] == "open"  # KAU26 trades on
    _ok(node.run(a, order("buy", 10_500, 5, "KAU26"), time=due + 10))


def _propose(node: Node, seller, buyer, readers, price: int, instrument: str = "KAU25", salt: str | None = None):
    commitment, sealed, real_salt = seal_price_opening(price, readers)
    return node.run(seller, {"type": "block_trade_propose", "counterparty": buyer.address, "instrument": instrument,
                             "side": "sell", "quantity": 10, "price_commitment": commitment, "sealed_price": sealed,
                             "price": price, "salt": salt or real_salt})


def test_block_trades_lie_within_the_days_band_and_open_their_commitment(market):
    node, actors = market
    seller, buyer = actors.companies[0], actors.companies[1]
    for who in (seller, buyer, actors.gov[0]):
        _ok(node.run(who, {"type": "set_view_key", "public_key": view_public_hex(who)}))
    readers = {w.address: view_public_hex(w) for w in (seller, buyer, actors.gov[0])}
    high = _propose(node, seller, buyer, readers, 11_005)
    assert high.code == Code.BLOCK_TRADE_OUT_OF_BAND and "9,000-11,000" in high.log
    assert _propose(node, seller, buyer, readers, 8_995).code == Code.BLOCK_TRADE_OUT_OF_BAND
    assert _propose(node, seller, buyer, readers, 10_000, salt="0" * 32).code == Code.PRICE_OPENING_MISMATCH
    for edge in (9_000, 11_000):
        assert _ok(_propose(node, seller, buyer, readers, edge))["status"] == "proposed"
    # the band follows the reference price: a day's close moves it
    _ok(node.run(seller, order("sell", 10_800, 5)))
    _ok(node.run(buyer, order("buy", 10_800, 5)))
    node.block([], time=KST_MIDNIGHT + 86_400 + 60)  # midnight: the close sets tomorrow's reference at 10,800
    assert _ok(_propose(node, seller, buyer, readers, 11_800))["status"] == "proposed"
