"""Market makers on chain: governed registration, holding limits by participant class, the duty measured in block
time and the monthly obligation report (abci_app/modules/makers)."""

from __future__ import annotations

import json

import pytest

from protocol.codes import Code
from abci_harness import CHAIN_ID, GENESIS_TIME, Actors, Node, approve, proposal_id

T0 = GENESIS_TIME + 600  # 2025-06-16 00:16:40 KST (around-the-clock market: continuous all day)


def _ok(result) -> dict:
    assert result.code == Code.OK, result.log
    return json.loads(result.data) if result.data else {}


def order(side: str, price: int, quantity: int, instrument: str = "KAU25") -> dict:
    return {"type": "place_order", "instrument": instrument, "side": side, "price": price, "quantity": quantity}


def set_class(node: Node, actors: Actors, account, kind: str, instrument: str = "", time: int | None = None):
    action = {"type": "set_participant_class", "account": account.address, "participant_class": kind,
              **({"instrument": instrument} if instrument else {})}
    proposed = node.run(actors.gov[0], {"type": "propose", "action": action}, time=time)
    if proposed.code != Code.OK:  # the governed action's check runs at the proposal too
        return proposed
    return node.run(actors.gov[1], approve(proposal_id(proposed)), time=time)


@pytest.fixture
def market(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "n", actors.app_state(market_around_the_clock=1, holding_limit_third_party=2_000,
                                                       mm_min_quote_tonnes=100))
    for company in actors.companies:
        _ok(node.run(actors.bank, {"type": "fund_cash", "to": company.address, "amount": 100_000_000}))
    return node, actors


def test_registration_is_governed_public_and_reversible(market):
    node, actors = market
    maker = actors.companies[1]
    alone = node.run(actors.gov[0], {"type": "propose", "action": {
        "type": "set_participant_class", "account": maker.address, "participant_class": "market_maker", "instrument": "KAU25"}})
    assert alone.code == Code.OK and node.read("/makers") == []  # one approval of two: nothing yet
    done = node.run(actors.gov[1], approve(proposal_id(alone)))
    assert done.code == Code.OK
    events = {e.type: {a.key: a.value for a in e.attributes} for e in done.events}
    assert events["participant_class"]["account"] == maker.address
    (row,) = node.read("/makers")
    assert (row["account"], row["class"], row["instrument"]) == (maker.address, "market_maker", "KAU25")
    assert set_class(node, actors, maker, "market_maker", "KAU25").code == Code.PARTICIPANT_CLASS_UNCHANGED
    assert set_class(node, actors, actors.bank, "third_party").code == Code.INVALID_RECIPIENT  # a bank holds no allowances
    refused = node.run(actors.gov[0], {"type": "propose", "action": {
        "type": "set_participant_class", "account": maker.address, "participant_class": "third_party", "instrument": "KAU25"}})
    assert refused.code == Code.INVALID_MESSAGE  # only a market maker names an instrument
    assert node.run(maker, {"type": "propose", "action": {
        "type": "set_participant_class", "account": maker.address, "participant_class": "company"}}).code == Code.UNAUTHORIZED
    for who in (actors.gov[0], maker):  # refused before the nonce check: the nonces were not used
        node.nonces[who.address] -= 1
    _ok(set_class(node, actors, maker, "company"))
    assert node.read("/makers") == []


def test_the_chain_measures_a_bounded_number_of_makers(market, monkeypatch):
    from abci_app.modules.makers import handlers

    node, actors = market
    monkeypatch.setattr(handlers, "MAX_MAKERS", 1)  # the bound (50) seen with a small one
    _ok(set_class(node, actors, actors.companies[0], "market_maker", "KAU25"))
    assert set_class(node, actors, actors.companies[1], "market_maker", "KAU26").code == Code.TOO_MANY_MARKET_MAKERS
    _ok(set_class(node, actors, actors.companies[0], "market_maker", "KAU26"))  # a registered maker may change instrument
    _ok(set_class(node, actors, actors.companies[1], "third_party"))  # other classes are not bounded


def test_holding_limit_counts_holdings_held_allowances_and_resting_buys(market):
    node, actors = market
    firm, other = actors.companies[2], actors.companies[0]  # each holds 1,500 t (1,000 KAU25 + 500 KAU26)
    _ok(set_class(node, actors, firm, "third_party"))  # limit 2,000 t here (param)
    _ok(node.run(firm, order("sell", 10_500, 100)))  # held allowances still count: 1,500
    _ok(node.run(firm, order("buy", 9_500, 400)))  # 1,900 with the resting buy
    refused = node.run(firm, order("buy", 9_500, 101))
    assert refused.code == Code.HOLDING_LIMIT_EXCEEDED and "2,001" in refused.log and "2,000" in refused.log
    transfer = {"type": "transfer", "to": firm.address, "instrument": "KAU26", "amount": 101}
    assert node.run(other, transfer).code == Code.HOLDING_LIMIT_EXCEEDED  # a transfer in is an arrival too
    _ok(node.run(other, {**transfer, "amount": 100}))  # exactly at the limit
    assert node.balances(firm)["KAU26"] == 600
    # a fill of a resting buy changes nothing: it was counted when it was placed
    _ok(node.run(other, order("sell", 9_500, 400)))
    assert node.balances(firm)["KAU25"] == 900 + 400
    assert node.run(firm, order("buy", 9_500, 1)).code == Code.HOLDING_LIMIT_EXCEEDED
    _ok(node.run(firm, order("sell", 9_800, 50, "KAU26")))  # selling is never limited
    # an ordinary company has no limit (holding_limit_company = 0)
    _ok(node.run(other, order("buy", 9_000, 5_000)))


def test_block_trade_purchase_is_checked_against_the_buyers_limit(market):
    from protocol.sealed import seal_price_opening, view_public_hex

    node, actors = market
    firm, seller = actors.companies[2], actors.companies[0]
    _ok(set_class(node, actors, firm, "third_party"))
    for who in (firm, seller, actors.gov[0]):
        _ok(node.run(who, {"type": "set_view_key", "public_key": view_public_hex(who)}))
    readers = {w.address: view_public_hex(w) for w in (firm, seller, actors.gov[0])}

    def propose(signer, side, quantity):
        commitment, sealed, salt = seal_price_opening(10_000, readers)
        counterparty = seller if signer is firm else firm
        return node.run(signer, {"type": "block_trade_propose", "counterparty": counterparty.address, "instrument": "KAU25",
                                 "side": side, "quantity": quantity, "price_commitment": commitment, "sealed_price": sealed,
                                 "price": 10_000, "salt": salt})

    assert propose(firm, "buy", 501).code == Code.HOLDING_LIMIT_EXCEEDED  # 1,500 + 501
    trade = _ok(propose(seller, "sell", 400))["trade_id"]  # the seller proposes; the buyer's limit is checked at settlement
    _ok(node.run(firm, order("buy", 9_500, 200)))  # 1,700 with this resting buy: 400 more would pass 2,000
    assert node.run(firm, {"type": "block_trade_accept", "trade_id": trade}).code == Code.HOLDING_LIMIT_EXCEEDED
    _ok(node.run(seller, {"type": "block_trade_cancel", "trade_id": trade}))  # the seller's allowances come back
    assert node.balances(seller)["KAU25"] == 1_000


def _quote(node: Node, maker, bid: int, ask: int, tonnes: int, time: int) -> list[int]:
    ids = [_ok(node.run(maker, order("buy", bid, tonnes), time=time))["order_id"]]
    ids.append(_ok(node.run(maker, order("sell", ask, tonnes), time=time + 1))["order_id"])
    return ids


def test_duty_is_measured_in_block_time_and_reported_monthly(market):
    node, actors = market
    maker, regulator, third = actors.companies[1], actors.gov[0], actors.companies[2]
    _ok(set_class(node, actors, maker, "market_maker", "KAU25", time=T0))
    _quote(node, maker, 9_900, 10_300, 100, T0 + 10)  # spread 400, 100 t a side (param): the duty is met from T0 + 11
    node.block([], time=T0 + 11 + 1_000)
    node.block([], time=T0 + 11 + 1_900)  # 1,900 s ≥ 1,800 s: the day is met
    (report,) = node.read(f"/makers/report/{maker.address}", reader=maker)["months"]
    assert report["month"] == "2025-06"
    day = {d["day"]: d for d in report["days"]}["2025-06-16"]
    assert (day["seconds"], day["met"]) == (1_900, True)
    assert (report["days_met"], report["days_required"]) == (1, 30)  # around the clock: every day of June trades
    # the next day: a spread of 600 KRW is no quote at all
    next_day = T0 + 86_400
    _quote(node, maker, 9_700, 10_300, 100, next_day)
    node.block([], time=next_day + 3_600)
    # and a day with one side too thin: 99 t
    day3 = T0 + 2 * 86_400
    _quote(node, maker, 9_900, 10_300, 99, day3)
    node.block([], time=day3 + 3_600)
    # a day met late: quoting starts short, then a second order on each side fills the tonnes (at the same prices)
    day4 = T0 + 3 * 86_400
    _quote(node, maker, 9_900, 10_300, 60, day4)
    _ok(node.run(maker, order("buy", 9_900, 40), time=day4 + 100))  # the bid has 100 t, the ask still 60
    node.block([], time=day4 + 150)
    _quote(node, maker, 9_900, 10_300, 40, day4 + 200)  # ... now both sides: met from day4 + 201
    node.block([], time=day4 + 201 + 1_800)
    (report,) = node.read(f"/makers/report/{maker.address}", reader=regulator)["months"]  # no access record: a report to it
    seconds = {d["day"]: d["seconds"] for d in report["days"]}
    assert (seconds["2025-06-17"], seconds["2025-06-18"], seconds["2025-06-19"]) == (0, 0, 1_800)
    assert report["days_met"] == 2 and report["min_seconds"] == 1_800 and report["max_spread_krw"] == 500
    path = f"/makers/report/{maker.address}"
    assert node.query(path, data=third.sign_query(CHAIN_ID, path, node.app.store.block_time)).code == Code.UNAUTHORIZED
    assert node.query(path).code == Code.UNAUTHORIZED
    assert node.read(f"/makers/report/{third.address}", reader=third)["months"] == []  # not a maker: nothing to report


def test_a_trade_that_takes_the_makers_quote_ends_its_time(market):
    node, actors = market
    maker, taker = actors.companies[1], actors.companies[0]
    _ok(set_class(node, actors, maker, "market_maker", "KAU25", time=T0))
    _quote(node, maker, 9_900, 10_300, 100, T0 + 10)
    node.block([], time=T0 + 611)  # 600 s quoted
    _ok(node.run(taker, order("sell", 9_900, 30), time=T0 + 700))  # 70 t left on the bid: below the minimum
    node.block([], time=T0 + 5_000)
    (report,) = node.read(f"/makers/report/{maker.address}", reader=maker)["months"]
    assert {d["day"]: d["seconds"] for d in report["days"]}["2025-06-16"] == 600 + 89  # until the fill's block
