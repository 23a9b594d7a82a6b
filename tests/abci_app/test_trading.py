"""The market on chain: cash, escrow, matching with DvP, call auctions, expiry, and who sees what."""

from __future__ import annotations

import json
import re

import pytest

from protocol.codes import Code
from abci_harness import CHAIN_ID, Actors, Node

KST_MIDNIGHT = 1_749_999_600  # 2025-06-16 00:00 KST, a Monday (GENESIS_TIME is 00:06:40 that day)
AT = {"09:30": KST_MIDNIGHT + 34_200, "10:00:05": KST_MIDNIGHT + 36_005, "11:00": KST_MIDNIGHT + 39_600,
      "12:00:05": KST_MIDNIGHT + 43_205, "13:00": KST_MIDNIGHT + 46_800}


def order(side: str, price: int, quantity: int, instrument: str = "KAU25") -> dict:
    return {"type": "place_order", "instrument": instrument, "side": side, "price": price, "quantity": quantity}


def fund(to, amount: int) -> dict:
    return {"type": "fund_cash", "to": to.address, "amount": amount}


def _ok(result) -> dict:
    assert result.code == Code.OK, result.log
    return json.loads(result.data) if result.data else {}


def _conserved(node: Node, actors: Actors) -> None:
    gov = actors.gov[0]
    cash = sum(sum(node.read(f"/cash/{c.address}", reader=actors.bank).values()) for c in actors.companies)
    assert cash == int(node.app.store.get("cashsupply") or b"0")
    held = sum(int(node.app.store.get(f"held/{c.address}/KAU25") or b"0") for c in actors.companies)
    owned = sum(node.balances(c).get("KAU25", 0) for c in actors.companies)
    assert owned + held == node.read("/supply")["KAU25"]


@pytest.fixture
def market(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "n", actors.app_state(market_around_the_clock=1))
    buyer, seller = actors.companies[0], actors.companies[1]
    _ok(node.run(actors.bank, fund(buyer, 50_000_000)))
    node.record_access(actors.gov[0])  # the regulator's reads below are recorded first
    return node, actors, buyer, seller


def test_crossing_orders_settle_delivery_versus_payment(market):
    node, actors, buyer, seller = market
    before = node.balances(buyer)["KAU25"], node.balances(seller)["KAU25"]
    sell = _ok(node.run(seller, order("sell", 10_000, 100)))
    assert sell["status"] == "open"
    buy = _ok(node.run(buyer, order("buy", 10_050, 60)))
    assert buy == {"order_id": 2, "status": "filled", "filled": 60, "fills": 1}
    assert node.read(f"/cash/{buyer.address}", reader=buyer) == {"available": 50_000_000 - 600_000, "held": 0}
    assert node.read(f"/cash/{seller.address}", reader=seller) == {"available": 600_000, "held": 0}
    assert node.balances(buyer)["KAU25"] == before[0] + 60
    assert node.balances(seller)["KAU25"] == before[1] - 100  # 40 still held behind the resting sell
    assert node.app.store.get(f"held/{seller.address}/KAU25") == b"40"
    _conserved(node, actors)
    depth = node.read("/market/depth/KAU25")
    assert depth["asks"] == [[10_000, 40]] and depth["bids"] == []
    (trade,) = node.read("/market/trades/KAU25")
    assert trade["price"] == 10_000 and trade["quantity"] == 60 and "buyer" not in trade and "seller" not in trade
    bar = node.read("/market/bars/KAU25")[0]
    assert (bar["open"], bar["close"], bar["volume"], bar["vwap"]) == (10_000, 10_000, 60, 10_000)
    assert [f["seller"] for f in node.read(f"/fills/{buyer.address}", reader=buyer)] == [seller.address]


def test_escrow_cancel_and_refusals(market):
    node, actors, buyer, seller = market
    placed = _ok(node.run(buyer, order("buy", 10_000, 4_000)))  # holds 40,000,000 KRW
    assert node.read(f"/cash/{buyer.address}", reader=buyer) == {"available": 10_000_000, "held": 40_000_000}
    withdraw = node.run(actors.bank, {"type": "withdraw_cash", "account": buyer.address, "amount": 20_000_000})
    assert withdraw.code == Code.INSUFFICIENT_BALANCE  # escrowed cash cannot be spent
    assert node.run(buyer, order("buy", 10_000, 2_000)).code == Code.INSUFFICIENT_BALANCE
    assert node.run(seller, order("sell", 10_000, 10**7)).code == Code.ORDER_REJECTED  # > 100,000 t per order
    assert node.run(seller, order("sell", 20_000, 10)).code == Code.ORDER_REJECTED  # outside the ±10% band
    assert node.run(seller, order("sell", 10_001, 10)).code == Code.ORDER_REJECTED  # not on the 5 KRW tick
    assert node.run(actors.companies[2], order("sell", 10_000, 10**6 + 1, "KAU26")).code in (Code.ORDER_REJECTED, Code.INSUFFICIENT_BALANCE)
    stolen = node.run(seller, {"type": "cancel_order", "order_id": placed["order_id"]})
    missing = node.run(seller, {"type": "cancel_order", "order_id": 999})
    assert stolen.code == missing.code == Code.ORDER_NOT_FOUND  # another's order looks like no order at all
    assert stolen.log.replace(str(placed["order_id"]), "N") == missing.log.replace("999", "N")
    assert node.run(buyer, {"type": "cancel_order", "order_id": 999}).code == Code.ORDER_NOT_FOUND
    _ok(node.run(buyer, {"type": "cancel_order", "order_id": placed["order_id"]}))
    assert node.read(f"/cash/{buyer.address}", reader=buyer) == {"available": 50_000_000, "held": 0}
    assert node.run(actors.companies[2], fund(buyer, 1)).code == Code.UNAUTHORIZED  # only the bank funds
    _conserved(node, actors)


def test_who_sees_what(market):
    node, actors, buyer, seller = market
    _ok(node.run(buyer, order("buy", 9_500, 10)))
    third = actors.companies[2]
    for path in (f"/orders/{buyer.address}", f"/fills/{buyer.address}", f"/cash/{buyer.address}"):
        assert node.query(path, data=third.sign_query(CHAIN_ID, path, node.app.store.block_time)).code == Code.UNAUTHORIZED
        assert node.query(path).code == Code.UNAUTHORIZED
    assert node.read(f"/orders/{buyer.address}", reader=actors.gov[0])[0]["price"] == 9_500
    assert node.read(f"/cash/{buyer.address}", reader=actors.bank)["held"] == 95_000
    (instrument,) = node.read("/market/instruments")
    assert instrument["instrument"] == "KAU25" and instrument["best_bid"] == 9_500 and instrument["band"] == [9_000, 11_000]


def test_krx_session_call_auction_close_and_expiry(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "n", actors.app_state())  # KRX hours
    a, b, c = actors.companies
    _ok(node.run(actors.bank, fund(a, 10_000_000)))
    assert node.run(a, order("buy", 10_000, 10), time=AT["09:30"] - 3600).code == Code.MARKET_CLOSED  # 08:30
    _ok(node.run(a, order("buy", 10_100, 30), time=AT["09:30"]))
    _ok(node.run(b, order("sell", 9_900, 20), time=AT["09:30"] + 5))
    _ok(node.run(c, order("sell", 10_000, 20), time=AT["09:30"] + 10))
    assert node.read("/market/trades/KAU25") == []  # the opening call collects without matching
    node.block([], time=AT["10:00:05"])  # the chain uncrosses the opening auction by itself
    trades = node.read("/market/trades/KAU25")
    assert {t["price"] for t in trades} == {10_000} and sum(t["quantity"] for t in trades) == 30
    assert all(t["auction"] for t in trades)
    _ok(node.run(c, order("sell", 10_050, 5), time=AT["11:00"]))  # rests in the continuous session
    node.block([], time=AT["12:00:05"])  # close: the day order expires and its escrow is released
    assert node.read(f"/orders/{c.address}", reader=c)[-1]["status"] == "expired"
    assert node.app.store.get(f"held/{c.address}/KAU25") is None
    assert node.read("/market/instruments")[0]["reference_price"] == 10_000  # the day's close
    assert node.run(a, order("buy", 10_000, 1), time=AT["13:00"]).code == Code.MARKET_CLOSED
    _conserved(node, actors)


# ------------------------------------------------------------------ confidential block trades


def _view_keys(node: Node, *signers) -> dict[str, str]:
    from protocol.sealed import view_public_hex

    keys = {}
    for s in signers:
        _ok(node.run(s, {"type": "set_view_key", "public_key": view_public_hex(s)}))
        keys[s.address] = view_public_hex(s)
    return keys


def _propose(seller, buyer, readers, price=10_345, quantity=300, side="sell") -> tuple[dict, str]:
    from protocol.sealed import seal_price_opening

    commitment, sealed, salt = seal_price_opening(price, readers)
    counterparty = buyer if side == "sell" else seller
    return {"type": "block_trade_propose", "counterparty": counterparty.address, "instrument": "KAU25", "side": side,
            "quantity": quantity, "price_commitment": commitment, "sealed_price": sealed, "price": price, "salt": salt}, commitment


def test_block_trade_price_is_sealed_to_the_parties_and_the_regulator(market):
    from protocol.sealed import open_price, SealedPriceError, view_key_of

    node, actors, buyer, seller = market
    regulator, third = actors.gov[0], actors.companies[2]
    readers = _view_keys(node, seller, buyer, regulator)
    _view_keys(node, third)
    before = node.balances(seller)["KAU25"], node.balances(buyer)["KAU25"]
    msg, commitment = _propose(seller, buyer, readers)
    tx = node.sign(seller, msg)
    (result,) = node.block([tx])
    trade_id = _ok(result)["trade_id"]
    assert node.balances(seller)["KAU25"] == before[0] - 300  # held until the trade settles or is cancelled
    assert node.run(third, {"type": "block_trade_accept", "trade_id": trade_id}).code == Code.ORDER_NOT_FOUND
    assert node.run(seller, {"type": "block_trade_accept", "trade_id": trade_id}).code == Code.UNAUTHORIZED  # a party, not the counterparty
    _ok(node.run(buyer, {"type": "block_trade_accept", "trade_id": trade_id}))
    assert (node.balances(seller)["KAU25"], node.balances(buyer)["KAU25"]) == (before[0] - 300, before[1] + 300)

    (record,) = node.read(f"/block_trades/{buyer.address}", reader=buyer)
    assert record["status"] == "settled" and record["price_commitment"] == commitment
    for who in (seller, buyer, regulator):  # the parties and the regulator open the price
        assert open_price(record["sealed_price"][who.address], view_key_of(who), who.address, commitment) == 10_345
    with pytest.raises(SealedPriceError):  # a third company has no entry it can open
        open_price(record["sealed_price"][buyer.address], view_key_of(third), third.address, commitment)
    path = f"/block_trades/{buyer.address}"
    assert node.query(path, data=third.sign_query(CHAIN_ID, path, node.app.store.block_time)).code == Code.UNAUTHORIZED
    # the price appears nowhere in clear: not in the tx, not in state, not in public queries
    hexless = lambda data: re.sub(rb"[0-9a-f]{16,}", b"", data)  # noqa: E731  ciphertexts may hold any digits
    assert b"10345" not in hexless(tx) and b"10,345" not in tx
    assert all(b"10345" not in hexless(v) for _, v in node.app.store.items())
    (volume,) = node.read("/market/block_volume/KAU25")  # the public sees aggregates only
    assert (volume["trades"], volume["volume"]) == (1, 300) and set(volume) == {"day", "trades", "volume"}


def test_a_third_company_learns_nothing_from_accepting_or_cancelling_others_trades(market):
    """Open, settled, declined and non-existent trades all answer a non-party the same way."""
    node, actors, buyer, seller = market
    third = actors.companies[2]
    readers = _view_keys(node, seller, buyer, actors.gov[0])
    msg, _ = _propose(seller, buyer, readers, quantity=10)
    open_id = _ok(node.run(seller, msg))["trade_id"]
    msg, _ = _propose(seller, buyer, readers, quantity=10)
    settled_id = _ok(node.run(seller, msg))["trade_id"]
    _ok(node.run(buyer, {"type": "block_trade_accept", "trade_id": settled_id}))
    msg, _ = _propose(seller, buyer, readers, quantity=10)
    declined_id = _ok(node.run(seller, msg))["trade_id"]
    _ok(node.run(buyer, {"type": "block_trade_cancel", "trade_id": declined_id}))
    answers = set()
    for kind in ("block_trade_accept", "block_trade_cancel"):
        for trade_id in (open_id, settled_id, declined_id, 10**9):
            tx = node.sign(third, {"type": kind, "trade_id": trade_id})
            checked = node.check(tx)
            answers.add((checked.code, checked.log.replace(str(trade_id), "N")))
            (delivered,) = node.block([tx])
            answers.add((delivered.code, delivered.log.replace(str(trade_id), "N")))
    assert answers == {(Code.ORDER_NOT_FOUND, "block trade N is not one of your block trades")}


def test_block_trade_rules(market):
    node, actors, buyer, seller = market
    regulator = actors.gov[0]
    readers = _view_keys(node, seller, buyer, regulator)
    no_regulator = {k: v for k, v in readers.items() if k != regulator.address}
    msg, _ = _propose(seller, buyer, no_regulator)
    assert node.run(seller, msg).code == Code.INVALID_MESSAGE
    stranger = actors.companies[2]
    msg, _ = _propose(seller, buyer, {**readers, stranger.address: readers[buyer.address]})
    assert node.run(seller, msg).code == Code.MISSING_VIEW_KEY  # no view key on chain
    msg, _ = _propose(seller, buyer, readers, quantity=10**6)
    assert node.run(seller, msg).code == Code.INSUFFICIENT_BALANCE
    # a buying proposer: the seller's allowances move only when it accepts; a decline changes nothing
    msg, _ = _propose(seller, buyer, readers, side="buy")
    trade_id = _ok(node.run(buyer, msg))["trade_id"]
    before = node.balances(seller)["KAU25"]
    declined = _ok(node.run(seller, {"type": "block_trade_cancel", "trade_id": trade_id}))
    assert declined["status"] == "declined" and node.balances(seller)["KAU25"] == before
    assert node.run(seller, {"type": "block_trade_accept", "trade_id": trade_id}).code == Code.ORDER_NOT_FOUND
    msg, _ = _propose(seller, buyer, readers)
    trade_id = _ok(node.run(seller, msg))["trade_id"]
    _ok(node.run(seller, {"type": "block_trade_cancel", "trade_id": trade_id}))
    assert node.balances(seller)["KAU25"] == before  # the held allowances came back
    _conserved(node, actors)


def test_holdings_show_held_allowances_and_the_regulator_lists_all_block_trades(market):
    node, actors, buyer, seller = market
    regulator, third = actors.gov[0], actors.companies[2]
    _ok(node.run(seller, order("sell", 10_500, 40)))
    holdings = node.read(f"/holdings/{seller.address}", reader=seller)
    assert holdings["KAU25"] == {"available": 1_000 - 40, "held": 40} and holdings["KAU26"] == {"available": 500, "held": 0}
    assert node.read(f"/holdings/{seller.address}", reader=regulator) == holdings
    path = f"/holdings/{seller.address}"
    assert node.query(path, data=third.sign_query(CHAIN_ID, path, node.app.store.block_time)).code == Code.UNAUTHORIZED

    readers = _view_keys(node, seller, buyer, regulator)
    msg, _ = _propose(seller, buyer, readers, quantity=10)
    _ok(node.run(seller, msg))
    assert [t["quantity"] for t in node.read("/block_trades", reader=regulator)] == [10]
    assert node.query("/block_trades", data=third.sign_query(CHAIN_ID, "/block_trades", node.app.store.block_time)).code == Code.UNAUTHORIZED
    assert node.query("/block_trades").code == Code.UNAUTHORIZED
