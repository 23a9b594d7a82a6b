"""Market stabilisation on chain: the hash-committed reference series, the daily evaluation published with its
inputs, the chain's own proposal of a measure at a tripped trigger, m-of-n approval, the floor in the market's
order check, expiry and the floor's lift by rule, reserve auctions and parameter measures."""

from __future__ import annotations

import pytest

from protocol.calendar import DAY, HOUR, day_number, iso_day
from protocol.codes import Code
from protocol.stabilisation import evaluate, series_hash
from abci_harness import GENESIS_TIME, OPENING, Actors, Node, approve
from auction_steps import bid, fund, governed, noon, ok, trade_day

TODAY = day_number(GENESIS_TIME)  # 2025-06-16: the last complete month is 2025-05
JULY_1 = day_number(GENESIS_TIME) + 15  # 2025-07-01


def series_action(last_price: int, through: str = "2025-05") -> dict:
    """2023-01 .. ``through`` at 20,000 KRW, 100,000 t over 20 days a month; the last month at ``last_price``."""
    months = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13) if f"{y}-{m:02d}" <= through]
    rows = [[m, (last_price if m == through else 20_000) * 100_000, 100_000, 20] for m in months]
    return {"type": "set_reference_series", "source": "KRX daily files 2023-2025 (test)", "sha256": series_hash(rows),
            "months": rows}


def measure(kind: str, **fields) -> dict:
    return {"type": "stabilisation_measure", "kind": kind, "trigger": "manual", "reason": "a test measure", **fields}


@pytest.fixture
def chain(tmp_path):
    actors = Actors.make(companies=4)
    balances = {c.address: dict(OPENING) for c in actors.companies}
    balances[actors.companies[-1].address]["KAU26"] = 10_000
    node = Node.start(tmp_path / "n", actors.app_state(balances=balances, market_around_the_clock=1, market_band_bps=2_000))
    for company in actors.companies:
        fund(node, actors, company, 100_000_000)
    return node, actors


def _order(node, company, price, quantity=10, side="buy", time=None):
    return node.run(company, {"type": "place_order", "instrument": "KAU26", "side": side, "price": price, "quantity": quantity}, time)


def test_a_slump_in_the_series_makes_the_chain_propose_a_floor_that_runs_at_m_of_n_and_expires(chain):
    node, actors = chain
    g, c = actors.gov, actors.companies
    ok(governed(node, actors, series_action(10_000)))  # 10,000 ≤ 60% of the two-year 20,000
    overview = node.read("/stabilisation")
    day = overview["latest"]
    assert day["month"] == "2025-05" and day["tripped"] == ["price_slump"]
    assert overview["series"]["sha256"] == series_action(10_000)["sha256"] and overview["series"]["months"] == 29
    stats = {m: (s["value"], s["volume"], s["days"]) for m, s in day["stats"].items()}
    assert evaluate(stats, day["month"], day["thresholds"]) == day["triggers"]  # anyone recomputes the published result
    (opened,) = day["proposals"]
    proposal = node.read(f"/proposal/{opened['proposal_id']}")
    assert proposal["proposer"] == "chain" and proposal["approvals"] == [] and proposal["status"] == "open"
    assert proposal["action"]["kind"] == "price_floor" and proposal["action"]["price"] == 9_000  # 10,000 − 10%
    ok(_order(node, c[0], 8_995))  # no floor yet
    ok(node.run(g[0], approve(opened["proposal_id"])))
    assert node.read(f"/proposal/{opened['proposal_id']}")["status"] == "open"  # one approval of two
    ok(node.run(g[1], approve(opened["proposal_id"])))
    assert node.read("/params")["market_price_floor"] == 9_000
    (active,) = node.read("/stabilisation")["active"]
    assert (active["kind"], active["previous"], active["status"]) == ("price_floor", 0, "in force")
    refused = _order(node, c[0], 8_995)
    assert refused.code == Code.ORDER_REJECTED and "floor" in refused.log
    ok(_order(node, c[0], 9_000))
    node.block([], TODAY * DAY + 3 * HOUR)  # later the same day: the trigger is not proposed twice
    node.block([], active["expires"])
    assert node.read("/params")["market_price_floor"] == 0
    assert node.read("/stabilisation")["active"] == []
    assert node.read("/stabilisation/measures")[0]["status"] == "expired"
    ok(_order(node, c[0], 8_995))
    assert node.read("/stabilisation")["latest"]["proposals"] == []  # July: June had no trade on chain, nothing trips


def test_a_tampered_series_does_not_parse(chain):
    node, actors = chain
    action = series_action(10_000)
    action["months"][3][1] += 1
    assert node.run(actors.gov[0], {"type": "propose", "action": action}).code == Code.INVALID_MESSAGE


def test_the_daily_hook_trips_on_the_chains_own_month_and_the_floor_is_lifted_by_rule(chain):
    node, actors = chain
    g = actors.gov
    ok(governed(node, actors, series_action(20_000)))  # May at 20,000: nothing trips
    assert node.read("/stabilisation")["latest"]["tripped"] == []
    for day in range(TODAY + 1, TODAY + 6):  # June on chain at 10,000 (the initial reference price)
        trade_day(node, actors, day, 10_000, 100)
    node.block([], noon(JULY_1))
    day = node.read(f"/stabilisation/day/{iso_day(noon(JULY_1))}")
    assert day["month"] == "2025-06" and day["stats"]["2025-06"]["source"] == "chain"
    assert (day["stats"]["2025-06"]["price"], day["stats"]["2025-06"]["volume"], day["stats"]["2025-06"]["days"]) == (10_000, 500, 5)
    assert day["tripped"] == ["price_slump"] and day["stats"]["2024-06"]["source"] == "reference"
    pid = day["proposals"][0]["proposal_id"]
    ok(node.run(g[0], approve(pid)))
    ok(node.run(g[2], approve(pid)))
    assert node.read("/params")["market_price_floor"] == 9_000  # lowest close of the last 5 days (10,000) − 10%
    for day_number_ in range(JULY_1 + 1, JULY_1 + 5):  # four days at ≥ 9,900: not yet
        trade_day(node, actors, day_number_, 10_000, 10)
    node.block([], noon(JULY_1 + 5) - HOUR)
    assert node.read("/params")["market_price_floor"] == 9_000
    trade_day(node, actors, JULY_1 + 5, 10_000, 10)  # the fifth (the day it applied counts: 1 July had no trade)
    node.block([], noon(JULY_1 + 6))
    assert node.read("/params")["market_price_floor"] == 0
    assert node.read("/stabilisation/measures")[0]["status"] == "lifted"


def test_a_reserve_auction_measure_takes_at_most_a_quarter_of_the_reserve(chain):
    node, actors = chain
    c = actors.companies
    too_much = measure("reserve_auction", instrument="KAU26", volume=21_320_001, opens_after=3600, window=3600)
    assert node.run(actors.gov[0], {"type": "propose", "action": too_much}).code == Code.RESERVE_EXCEEDED
    ok(governed(node, actors, measure("reserve_auction", instrument="KAU26", volume=1_000, opens_after=3600, window=3600)))
    (record,) = node.read("/stabilisation/measures")
    auction = node.read(f"/auction/{record['auction_id']}")
    assert (auction["source"], auction["volume"], auction["measure"]) == ("reserve", 1_000, 1)
    assert node.read("/auctions")["reserve"]["used"] == 1_000
    node.block([], auction["opens"])
    ok(bid(node, c[0], auction["id"], 10_000, 150))
    node.block([], auction["closes"])
    assert node.read(f"/auction/{auction['id']}")["result"]["unsold"] == 850
    assert node.read("/auctions")["reserve"]["used"] == 150  # what did not sell went back to the reserve
    assert node.read("/auctions")["carry"] == {}


def test_parameter_measures_conflict_range_and_restore(chain):
    node, actors = chain
    ok(governed(node, actors, measure("param", param="compliance_offset_cap_bps", value=300, duration=DAY)))
    assert node.read("/params")["compliance_offset_cap_bps"] == 300
    again = node.run(actors.gov[0], {"type": "propose", "action": measure("param", param="compliance_offset_cap_bps",
                                                                           value=200, duration=DAY)})
    assert again.code == Code.MEASURE_CONFLICT
    wide = measure("param", param="compliance_borrow_first_year_bps", value=20_000, duration=DAY)
    assert node.run(actors.gov[0], {"type": "propose", "action": wide}).code == Code.MEASURE_INVALID
    ok(governed(node, actors, measure("price_ceiling", price=11_000, duration=DAY)))
    floor = node.run(actors.gov[0], {"type": "propose", "action": measure("price_floor", price=11_000, duration=DAY)})
    assert floor.code == Code.MEASURE_INVALID  # a floor must stay below the ceiling
    refused = _order(node, actors.companies[0], 11_005)  # inside the ±20% band, above the ceiling
    assert refused.code == Code.ORDER_REJECTED and "ceiling" in refused.log
    node.block([], node.time + DAY)
    params = node.read("/params")
    assert (params["compliance_offset_cap_bps"], params["market_price_ceiling"]) == (500, 0)


def test_hostile_measures_are_refused():
    from protocol.codes import TxRejected
    from protocol.messages import parse_action

    for bad in ({"type": "stabilisation_measure", "kind": ["price_floor"], "trigger": "manual", "reason": "x"},
                measure("price_floor", price=0, duration=DAY), measure("price_floor", price=9_000, duration=1),
                measure("param", param="approvals_required", value=1, duration=DAY),
                {**measure("price_floor", price=9_000, duration=DAY), "trigger": "a whim"},
                measure("reserve_auction", instrument="KOC26", volume=1, opens_after=3600, window=3600),
                {**series_action(10_000), "months": [["2025-13", 1, 1, 1]]},
                {**series_action(10_000), "months": [["2025-01", 1, 1, 1]] * 2}):
        with pytest.raises(TxRejected) as refused:
            parse_action(bad)
        assert refused.value.code == Code.INVALID_MESSAGE, bad


def test_volume_and_price_make_the_chain_propose_a_quarter_of_the_reserve_at_auction(chain):
    node, actors = chain
    action = series_action(20_000)
    last = action["months"][-1]
    last[1], last[2] = 45_000 * 200_000, 200_000  # May: 10,000 t a day (2× 5,000) at 45,000 KRW (≥ 2× 20,000)
    action["sha256"] = series_hash(action["months"])
    ok(governed(node, actors, action))
    day = node.read("/stabilisation")["latest"]
    assert day["tripped"] == ["volume_and_price"]
    proposal = node.read(f"/proposal/{day['proposals'][0]['proposal_id']}")
    assert proposal["action"] | {"reason": ""} == {
        "type": "stabilisation_measure", "kind": "reserve_auction", "trigger": "volume_and_price", "reason": "",
        "instrument": "KAU25", "volume": 85_280_000 // 4, "opens_after": 7 * DAY, "window": HOUR}
    ok(node.run(actors.gov[1], approve(proposal["id"])))
    ok(node.run(actors.gov[2], approve(proposal["id"])))
    (auction,) = node.read("/auctions")["auctions"]
    assert (auction["source"], auction["volume"], auction["instrument"]) == ("reserve", 21_320_000, "KAU25")
    assert node.read("/auctions")["reserve"]["left"] == 85_280_000 - 21_320_000
