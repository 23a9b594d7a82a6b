"""Government auctions on chain: the governed calendar, the reserve price from the chain's bars, sealed bids
with cash escrow, the per-bidder cap, uniform-price clearing with the pro-rata margin, DvP settlement,
rollover of unsold tonnes, and what the public can and cannot see."""

from __future__ import annotations

import json

import pytest

from protocol.calendar import HOUR, day_number, day_start
from protocol.codes import Code
from abci_harness import GENESIS_TIME, OPENING, Actors, Node, approve, proposal_id
from auction_steps import bid, cancel, fund, governed, ok, schedule, trade_day

D = day_number(GENESIS_TIME) + 50  # the auction day (KST day number)
OPENS, CLOSES = day_start(D) + 13 * HOUR, day_start(D) + 14 * HOUR
BARS = ((D - 40, 9_000, 100), (D - 10, 9_500, 100), (D - 5, 9_800, 100), (D - 2, 10_000, 200), (D - 1, 10_400, 100))


def entry(volume: int, opens: int = OPENS, closes: int = CLOSES, instrument: str = "KAU26") -> dict:
    return {"instrument": instrument, "opens": opens, "closes": closes, "volume": volume}


@pytest.fixture
def chain(tmp_path):
    actors = Actors.make(companies=10)
    balances = {c.address: dict(OPENING) for c in actors.companies}
    balances[actors.companies[-1].address]["KAU26"] = 10_000  # the seller of the trading days
    node = Node.start(tmp_path / "n", actors.app_state(balances=balances, market_around_the_clock=1))
    for company in actors.companies[:8]:
        fund(node, actors, company, 10_000_000)
    fund(node, actors, actors.companies[8], 100_000_000)  # the buyer of the trading days
    node.record_access(actors.gov[0])
    return node, actors


def _cash(node: Node, company) -> dict:
    return node.read(f"/cash/{company.address}", reader=company)


def test_reserve_price_is_recomputable_from_the_published_bars(chain):
    node, actors = chain
    schedule(node, actors, entry(1_000))
    for day, price, tonnes in BARS:
        trade_day(node, actors, day, price, tonnes)
    assert node.read("/auction/1")["status"] == "scheduled"
    node.block([], OPENS)
    record = node.read("/auction/1")
    # 3 months: 5,870,000 / 600 = 9,783.3 → 9,783; last month: 4,970,000 / 500 = 9,940; 3 days: 4,020,000 / 400 = 10,050
    assert record["reserve_inputs"]["averages"] == {"three_months": 9_783, "last_month": 9_940, "three_days": 10_050}
    assert record["status"] == "open" and record["reserve_price"] == 9_925  # 29,773 / 3 = 9,924.3, up to the tick of 5


def test_auction_without_bars_takes_the_reference_price(chain):
    node, actors = chain
    schedule(node, actors, entry(1_000))
    node.block([], OPENS)
    record = node.read("/auction/1")
    assert record["reserve_price"] == 10_000 and record["reserve_inputs"]["from_bars"]["three_days"] is False


def test_auction_clears_at_the_lowest_winning_bid_with_caps_and_a_pro_rata_margin(chain):
    node, actors = chain
    c = actors.companies
    schedule(node, actors, entry(1_000))
    for day, price, tonnes in BARS:
        trade_day(node, actors, day, price, tonnes)
    assert bid(node, c[0], 1, 12_000, 150).code == Code.AUCTION_NOT_OPEN  # before the opening
    node.block([], OPENS)
    t = OPENS + 60
    assert ok(bid(node, c[0], 1, 12_000, 150, t)) == {"auction_id": 1, "bid_id": 1, "escrow": 1_800_000, "cap": 150}
    assert _cash(node, c[0]) == {"available": 8_200_000, "held": 1_800_000}
    assert bid(node, c[0], 1, 12_000, 10).code == Code.AUCTION_CAP_EXCEEDED  # 15% of 1,000 t
    assert bid(node, c[6], 1, 9_920, 150).code == Code.AUCTION_BELOW_RESERVE
    assert bid(node, c[6], 1, 9_927, 150).code == Code.AUCTION_BELOW_RESERVE  # off the tick grid
    assert bid(node, c[9], 1, 50_000, 150).code == Code.INSUFFICIENT_BALANCE  # its 5.87 M KRW cannot cover the escrow
    assert bid(node, actors.bank, 1, 10_000, 1).code == Code.UNAUTHORIZED
    ok(bid(node, c[1], 1, 11_500, 150))
    ok(bid(node, c[2], 1, 11_000, 150))
    ok(bid(node, c[3], 1, 10_500, 150))
    withdrawn = ok(bid(node, c[7], 1, 10_000, 30))["bid_id"]
    ok(bid(node, c[4], 1, 10_000, 150))
    ok(bid(node, c[5], 1, 10_000, 100))
    ok(bid(node, c[5], 1, 10_000, 50))
    ok(bid(node, c[7], 1, 10_000, 120))
    ok(bid(node, c[6], 1, 9_925, 150))
    assert ok(cancel(node, c[7], 1, withdrawn)) == {"auction_id": 1, "bid_id": withdrawn, "released": 300_000}
    assert cancel(node, c[7], 1, withdrawn).code == Code.AUCTION_BID_NOT_FOUND
    assert cancel(node, c[6], 1, 1).code == Code.AUCTION_BID_NOT_FOUND  # someone else's bid
    assert "result" not in node.read("/auction/1")  # nothing is published before the close
    supply = node.read("/supply")["KAU26"]
    node.block([], CLOSES)
    assert bid(node, c[8], 1, 12_000, 10).code == Code.AUCTION_NOT_OPEN  # after the close
    record = node.read("/auction/1")
    result = record["result"]
    assert record["status"] == "settled"
    assert (result["price"], result["sold"], result["unsold"], result["winners"]) == (10_000, 1_000, 0, 7)
    assert (result["bids"], result["cancelled"], result["demand"], result["proceeds"]) == (9, 1, 1_170, 10_000_000)
    for company in c:
        assert company.address not in json.dumps(record)  # results without bidders' names
    # the margin at 10,000: 400 t for 420 t bid, pro rata, 2 t of rounding by sequence (c[4], then c[5]'s first bid)
    won = {i: sum(b["allocated"] for m in node.read(f"/auction/bids/{c[i].address}", reader=c[i]) for b in m["bids"]
                  if b["status"] != "cancelled") for i in range(8)}
    assert won == {0: 150, 1: 150, 2: 150, 3: 150, 4: 143, 5: 96 + 47, 6: 0, 7: 114}
    assert node.read("/supply")["KAU26"] == supply + 1_000
    assert _cash(node, c[0]) == {"available": 10_000_000 - 1_500_000, "held": 0}  # 300,000 refunded
    assert _cash(node, c[6]) == {"available": 10_000_000, "held": 0}  # rejected: refunded in full
    assert node.balances(c[4])["KAU26"] == 500 + 143
    assert node.read("/auctions")["treasury_krw"] == 10_000_000
    cash = sum(sum(_cash(node, x).values()) for x in c)
    assert cash == int(node.app.store.get("cashsupply") or b"0")  # the takings left the market's cash


def test_sealed_bids_are_not_readable_by_the_public(chain):
    node, actors = chain
    c = actors.companies
    schedule(node, actors, entry(1_000))
    node.block([], OPENS)
    ok(bid(node, c[0], 1, 12_000, 100))
    for key in ("auc/bids/000001/000001", "auc/nbids/000001", f"auc/mine/{c[0].address}/000001"):
        assert node.query(f"/state/{key}").code in (Code.BAD_QUERY, Code.UNAUTHORIZED)
    assert node.query(f"/auction/bids/{c[0].address}").code == Code.UNAUTHORIZED  # needs a signed query
    mine = node.read(f"/auction/bids/{c[0].address}", reader=c[0])
    assert mine[0]["escrow"] == 1_200_000 and mine[0]["bids"][0]["price"] == 12_000
    signed = c[1].signed_query("ets-test-1", f"/auction/bids/{c[0].address}", node.app.store.block_time)
    assert node.query(f"/auction/bids/{c[0].address}", signed.data).code == Code.UNAUTHORIZED


def test_unsold_volume_rolls_to_the_next_auction(chain):
    node, actors = chain
    c = actors.companies
    later = (OPENS + 30 * 86400, CLOSES + 30 * 86400)
    schedule(node, actors, entry(500), entry(1_000, *later))
    node.block([], OPENS)
    ok(bid(node, c[0], 1, 10_000, 75))
    ok(bid(node, c[1], 1, 10_500, 50))
    node.block([], CLOSES)
    first = node.read("/auction/1")["result"]
    assert (first["price"], first["sold"], first["unsold"]) == (10_000, 125, 375)  # everyone won, at the lowest bid
    second = node.read("/auction/2")
    assert second["carried_in"] == 375
    node.block([], later[0])
    assert ok(bid(node, c[0], 2, 10_000, 206))["cap"] == 206  # 15% of 1,375 t
    node.block([], later[1])
    assert node.read("/auction/2")["result"]["unsold"] == 1_375 - 206
    assert node.read("/auctions")["carry"] == {"KAU26": 1_169}  # no later auction yet: waiting
    schedule(node, actors, entry(100, later[0] + 30 * 86400, later[1] + 30 * 86400))
    assert node.read("/auction/3")["carried_in"] == 1_169 and node.read("/auctions")["carry"] == {}


def test_calendar_amendments_until_the_opening(chain):
    node, actors = chain
    schedule(node, actors, entry(1_000))
    amend = {"type": "amend_auction", "auction_id": 1, "opens": OPENS + HOUR, "closes": CLOSES + HOUR, "volume": 800}
    ok(governed(node, actors, amend))
    record = node.read("/auction/1")
    assert (record["opens"], record["volume"], len(record["amendments"])) == (OPENS + HOUR, 800, 1)
    assert record["amendments"][0]["volume"] == 1_000
    late = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": {**amend, "volume": 700}}, OPENS))
    node.block([], OPENS + HOUR)
    assert node.run(actors.gov[1], approve(late)).code == Code.AUCTION_SCHEDULE_CONFLICT  # opened meanwhile
    again = node.run(actors.gov[0], {"type": "propose", "action": {**amend, "volume": 700}})
    assert again.code == Code.AUCTION_SCHEDULE_CONFLICT and node.read("/auction/1")["volume"] == 800
    missing = node.run(actors.gov[0], {"type": "propose", "action": {**amend, "auction_id": 9}})
    assert missing.code == Code.AUCTION_NOT_FOUND
    past = node.run(actors.gov[0], {"type": "propose", "action": {"type": "schedule_auctions", "auctions": [entry(5, 100, 200)]}})
    assert past.code == Code.AUCTION_SCHEDULE_CONFLICT
    bad = node.run(actors.gov[0], {"type": "propose", "action": {"type": "schedule_auctions", "auctions": [entry(5, instrument="KCU26")]}})
    assert bad.code == Code.INVALID_MESSAGE


def test_hostile_bids_are_refused_with_clear_codes(chain):
    node, actors = chain
    c = actors.companies
    for msg in ({"type": "auction_bid", "auction_id": 1, "price": 10**9, "quantity": 10**12},
                {"type": "auction_bid", "auction_id": -1, "price": 1, "quantity": 1},
                {"type": "auction_bid", "auction_id": 1, "price": "1", "quantity": 1},
                {"type": "auction_bid", "auction_id": 1, "price": 1, "quantity": 1, "extra": [[[]]]},
                {"type": "auction_cancel_bid", "auction_id": 1}):
        assert node.run(c[0], msg).code == Code.INVALID_MESSAGE
        node.nonces[c[0].address] -= 1  # a message that does not parse consumes no nonce
    assert bid(node, c[0], 7, 10_000, 1).code == Code.AUCTION_NOT_FOUND
    too_many = {"type": "schedule_auctions", "auctions": [entry(1)] * 25}
    assert node.run(actors.gov[0], {"type": "propose", "action": too_many}).code == Code.INVALID_MESSAGE


def test_bid_limits_per_auction_and_per_bidder(tmp_path):
    actors = Actors.make(companies=3)
    node = Node.start(tmp_path / "n", actors.app_state(auction_max_bids=21))
    c = actors.companies
    for company in c:
        fund(node, actors, company, 10_000_000)
    schedule(node, actors, entry(10_000))
    node.block([], OPENS)
    for _ in range(20):
        ok(bid(node, c[0], 1, 10_000, 1))
    assert bid(node, c[0], 1, 10_000, 1).code == Code.AUCTION_BID_LIMIT  # 20 bids per company and auction
    ok(bid(node, c[1], 1, 10_000, 1))
    assert bid(node, c[2], 1, 10_000, 1).code == Code.AUCTION_BID_LIMIT  # the auction's 21 bids are taken
    node.block([], CLOSES)
    assert node.read("/auction/1")["result"]["bids"] == 21


def test_a_calendar_that_could_issue_past_the_supply_limit_is_refused(tmp_path):
    from protocol.constants import MAX_HOLDING

    actors = Actors.make(companies=2)
    balances = {actors.companies[0].address: {"KAU26": MAX_HOLDING - 1_000}}
    node = Node.start(tmp_path / "n", actors.app_state(balances=balances))
    ok(governed(node, actors, {"type": "schedule_auctions", "auctions": [entry(600)]}))
    second = node.run(actors.gov[0], {"type": "propose", "action": {"type": "schedule_auctions", "auctions": [entry(500)]}})
    assert second.code == Code.AUCTION_SCHEDULE_CONFLICT and "exceed" in second.log  # 600 t already wait


def test_holding_limits_bind_bids_and_settlement(tmp_path):
    actors = Actors.make(companies=3)
    node = Node.start(tmp_path / "n", actors.app_state(holding_limit_company=2_000))  # each holds 1,500 t already
    c = actors.companies
    for company in c:
        fund(node, actors, company, 10_000_000)
    schedule(node, actors, entry(10_000))
    node.block([], OPENS)
    assert bid(node, c[0], 1, 10_000, 600).code == Code.HOLDING_LIMIT_EXCEEDED  # 1,500 + 600 > 2,000
    ok(bid(node, c[0], 1, 10_000, 400))
    ok(bid(node, c[1], 1, 10_000, 300))
    ok(node.run(c[2], {"type": "transfer", "to": c[0].address, "instrument": "KAU25", "amount": 200}))  # c[0] at 1,700 t
    node.block([], CLOSES)
    result = node.read("/auction/1")["result"]
    assert (result["sold"], result["unsold"]) == (300, 9_700)  # c[0]'s 400 t could not be credited: they roll over
    (mine,) = node.read(f"/auction/bids/{c[0].address}", reader=c[0])
    assert (mine["allocated"], mine["refunded"], mine["bids"][0]["status"]) == (0, 4_000_000, "rejected")
    assert "holding limit" in mine["bids"][0]["refused"]
    assert node.read(f"/cash/{c[0].address}", reader=c[0]) == {"available": 10_000_000, "held": 0}
    assert node.read("/auctions")["carry"] == {"KAU26": 9_700}
