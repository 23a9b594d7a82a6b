"""Government auctions and market stabilisation on a real 4-validator network.

An auction with a capped and a refused bid clears at the right uniform price (pro rata at the margin) and
settles delivery versus payment; a reference series proposed with ``ets stabilisation propose-series`` trips
the slump trigger, the chain proposes a price floor, two officials approve it, the market refuses orders
below it, and the floor expires by rule; ``ets stabilisation verify`` recomputes the published triggers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from protocol.calendar import iso_day
from protocol.codes import Code
from protocol.stabilisation import previous_month
from protocol.messages import Approve, AuctionBid, AuctionCancelBid, AuctionEntry, FundCash, PlaceOrder, Propose, ScheduleAuctions
from protocol.messages.accounts import RegisterAccount

from ets.keys import Signer
from ets.rpc import TxRejectedError
from ets_tools.devnet import DEV_PASSPHRASE
from datasets.krx import MARKET_HEADERS

from .conftest import REPO, Net, start_net, wait_until

pytestmark = [pytest.mark.localnet, pytest.mark.long(seconds=230)]

EXTRA = [Signer.generate() for _ in range(4)]  # companies 5-8: eight bidders can ask for more than the volume


def _add_companies(app_state: dict) -> None:
    for i, signer in enumerate(EXTRA, 5):
        record = RegisterAccount(signer.address, signer.public_key.hex(), "company", f"bidder {i}").to_json()
        del record["type"]
        app_state["accounts"].append(record)
    app_state["accounts"].sort(key=lambda r: r["address"])


@pytest.fixture(scope="module")
def net(tmp_path_factory) -> Net:
    home = tmp_path_factory.mktemp("auctions") / "net"
    net = start_net(home, "ets-auctions", params={"market_around_the_clock": 1, "market_band_bps": 2_000,
                                                  "stabilisation_measure_seconds": 60}, edit=_add_companies)
    net.keystore = home.parent / f"{home.name}-keys"
    yield net
    net.net.stop()


def _ok(client, signer, msg) -> dict:
    result = client.submit(signer, msg, timeout=120)
    return json.loads(result.data) if result.data else {}


def _ok_via(net: Net, node: str, signer, msg) -> dict:
    """Send through ``node``; return once node0, which the test reads, has committed the same block."""
    result = net.client(node).submit(signer, msg, timeout=120)
    reader = net.client("node0")
    wait_until(lambda: reader.height() >= result.height, 60, f"node0 to commit block {result.height}")
    return json.loads(result.data) if result.data else {}


def _refused(client, signer, msg) -> Code:
    with pytest.raises(TxRejectedError) as refused:
        client.submit(signer, msg, timeout=120)
    return refused.value.code


def _governed(net: Net, action) -> dict:
    client = net.client("node0")
    pid = _ok(client, net.keys["gov-1"], Propose(action))["proposal_id"]
    return _ok_via(net, "node1", net.keys["gov-2"], Approve(pid))


def test_an_auction_with_capped_and_refused_bids_clears_at_the_right_price_and_settles(net: Net):
    client = net.client("node0")
    bidders = [net.keys[f"company-{i}"] for i in range(1, 5)] + EXTRA
    for company in bidders:
        _ok(client, net.keys["bank-1"], FundCash(company.address, 2_000_000))
    opens = client.chain_time() + 30
    done = _governed(net, ScheduleAuctions((AuctionEntry("KAU26", opens, opens + 120, 400),)))
    assert done["status"] == "executed"
    wait_until(lambda: client.query("/auctions")["auctions"], 60, "node0 to commit the approved calendar")
    auction_id = client.query("/auctions")["auctions"][0]["id"]
    assert _refused(client, bidders[0], AuctionBid(auction_id, 12_000, 60)) == Code.AUCTION_NOT_OPEN
    wait_until(lambda: client.query(f"/auction/{auction_id}")["status"] == "open", 120, "the auction to open")
    assert client.query(f"/auction/{auction_id}")["reserve_price"] == 10_000  # no KAU26 bars: the reference price
    supply = client.query("/supply")["KAU26"]
    plan = [(0, 12_000, 60), (1, 11_500, 60), (2, 11_000, 60), (3, 10_500, 60), (4, 10_500, 60), (5, 10_000, 60),
            (6, 10_000, 60), (7, 10_000, 50)]
    by_cli = _ets("auction", "bid", str(auction_id), "--price", "12000", "--quantity", "60", "--key", "company-1",
                  "--timeout", "120", net=net)  # a sealed bid from the shell
    assert by_cli.returncode == 0 and json.loads(by_cli.stdout)["result"]["escrow"] == 720_000, by_cli.stderr
    for who, price, tonnes in plan[1:]:  # node0 reads each bidder's next nonce: it must have the bid's block
        _ok_via(net, f"node{who % 4}", bidders[who], AuctionBid(auction_id, price, tonnes))
    assert _refused(client, bidders[0], AuctionBid(auction_id, 12_000, 10)) == Code.AUCTION_CAP_EXCEEDED  # 15% of 400 t
    assert _refused(client, bidders[7], AuctionBid(auction_id, 9_995, 10)) == Code.AUCTION_BELOW_RESERVE
    withdrawn = _ok(client, bidders[7], AuctionBid(auction_id, 10_500, 10))["bid_id"]
    assert client.query(f"/cash/{bidders[7].address}", reader=bidders[7])["held"] == 500_000 + 105_000
    _ok(client, bidders[7], AuctionCancelBid(auction_id, withdrawn))
    assert "result" not in client.query(f"/auction/{auction_id}")
    wait_until(lambda: client.query(f"/auction/{auction_id}")["status"] == "settled", 360, "the auction to settle")
    net.assert_same_app_hash()
    reader = net.client("node3")
    result = reader.query(f"/auction/{auction_id}")["result"]
    assert (result["price"], result["sold"], result["unsold"], result["winners"], result["cancelled"]) == (10_000, 400, 0, 8, 1)
    # the margin at 10,000 KRW: 100 t for 170 t bid → 35.3, 35.3, 29.4 → 35 + 35 + 29, one tonne to the first bid
    won = {}
    for who, company in enumerate(bidders):
        (mine,) = reader.query(f"/auction/bids/{company.address}", reader=company)
        won[who] = mine["allocated"]
        assert mine["escrow"] == 0 and mine["paid"] == 10_000 * mine["allocated"]
        assert reader.query(f"/cash/{company.address}", reader=company) == {"available": 2_000_000 - mine["paid"], "held": 0}
    assert won == {0: 60, 1: 60, 2: 60, 3: 60, 4: 60, 5: 36, 6: 35, 7: 29}
    assert reader.query("/supply")["KAU26"] == supply + 400
    assert reader.query("/auctions")["treasury_krw"] == 4_000_000
    assert not any(c.address in json.dumps(reader.query(f"/auction/{auction_id}")) for c in bidders)
    listed = _ets("auction", "list", net=net)
    assert listed.returncode == 0 and "settled" in listed.stdout and "10,000" in listed.stdout, listed.stderr
    mine = _ets("auction", "mine", "--key", "company-1", net=net)
    assert mine.returncode == 0 and json.loads(mine.stdout)[0]["allocated"] == 60, mine.stderr


def _ets(*args: str, net: Net) -> subprocess.CompletedProcess:
    env = {**os.environ, "ETS_PASSPHRASE": DEV_PASSPHRASE, "ETS_NODE": net.net.rpc_url("node1"),
           "ETS_KEYSTORE": str(net.keystore)}
    return subprocess.run([sys.executable, "-m", "ets_tools.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=180, stdin=subprocess.DEVNULL)


def _krx_file(path, last_month: str) -> None:
    """A KRX-format daily file: one KAU24 trading day a month for 26 months up to ``last_month``, at 20,000 KRW,
    the last month at 10,000 KRW (≤ 60% of the two-year average: the slump trigger)."""
    y, m = int(last_month[:4]), int(last_month[5:])
    lines = [",".join(MARKET_HEADERS)]
    for back in range(26):
        index = y * 12 + m - 1 - back
        day = date(index // 12, index % 12 + 1, 15).isoformat()
        price = 10_000 if back == 0 else 20_000
        cells = [day, "KAU24", f"{price:,}", "0", "0.00", f"{price:,}", f"{price:,}", f"{price:,}", "1,000",
                 f"{price * 1_000:,}", f"{price:,}"]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


def test_a_series_trips_the_slump_and_the_chain_proposed_floor_is_approved_applied_and_expires(net: Net, tmp_path):
    client = net.client("node0")
    company = net.keys["company-1"]
    _ok(client, net.keys["bank-1"], FundCash(company.address, 1_000_000))
    month = iso_day(client.chain_time())[:7]
    last = previous_month(month)  # the last complete month: the chain did not exist yet
    krx = tmp_path / "krx.csv"
    _krx_file(krx, last)
    proposed = _ets("stabilisation", "propose-series", "--krx", str(krx), "--until", last, "--key", "gov-1", "--timeout", "120", net=net)
    assert proposed.returncode == 0, proposed.stderr
    pid = json.loads(proposed.stdout)["result"]["proposal_id"]
    _ok_via(net, "node2", net.keys["gov-2"], Approve(pid))
    latest = client.query("/stabilisation")["latest"]
    assert latest["month"] == last and latest["tripped"] == ["price_slump"]
    floor_pid = latest["proposals"][0]["proposal_id"]
    proposal = client.query(f"/proposal/{floor_pid}")
    assert proposal["proposer"] == "chain" and proposal["action"]["price"] == 9_000 and proposal["status"] == "open"
    verified = _ets("stabilisation", "verify", net=net)
    assert verified.returncode == 0 and json.loads(verified.stdout)["same"] is True, verified.stderr
    _ok(client, company, PlaceOrder("KAU25", "buy", 8_995, 1))  # no floor yet
    _ok_via(net, "node1", net.keys["gov-1"], Approve(floor_pid))
    assert client.query(f"/proposal/{floor_pid}")["status"] == "open"  # m = 2: one approval is not enough
    _ok_via(net, "node3", net.keys["gov-3"], Approve(floor_pid))
    (measure,) = client.query("/stabilisation")["active"]
    assert measure["kind"] == "price_floor" and client.query("/params")["market_price_floor"] == 9_000
    assert _refused(client, company, PlaceOrder("KAU25", "buy", 8_995, 1)) == Code.ORDER_REJECTED
    _ok(client, company, PlaceOrder("KAU25", "buy", 9_000, 1))
    wait_until(lambda: client.query("/params")["market_price_floor"] == 0, 180, "the floor to expire by rule")
    assert client.query("/stabilisation/measures")[0]["status"] == "expired"
    _ok(client, company, PlaceOrder("KAU25", "buy", 8_995, 1))
    status = _ets("stabilisation", "status", net=net)
    assert status.returncode == 0 and "price_slump" in status.stdout and "TRIPPED" in status.stdout
    net.assert_same_app_hash()
