"""The auction and stabilisation pages against the seeded validator: ``portal.data.auctions`` reads, and in real
Chromium a company places a sealed bid from the Government auctions page (its escrow shown before it signs),
sees it under its bids with the cash held, and a bid past its cap is refused with the chain's answer; a visitor
sees the calendar without the form, and the Market stabilisation page."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ets.keys import Keystore
from ets_tools.devnet import localnet_passphrase
from protocol.messages import Approve, AuctionEntry, FundCash, Propose, ScheduleAuctions
from portal.data import auctions, holdings
from portal_chain import SeededChain
from portal_process import start_portal

pytestmark = pytest.mark.localnet

VOLUME, CASH, PRICE, TONNES = 10_000, 50_000_000, 10_500, 1_000  # the cap: 15% of 10,000 t = 1,500 t
PASSWORDS = {"steel": "steel-auction-pw"}


def _wait_open(client, auction_id: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while client.query(f"/auction/{auction_id}")["status"] != "open":
        assert time.monotonic() < deadline, f"auction {auction_id} did not open within {timeout} s"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def seeded(chain: SeededChain) -> tuple[SeededChain, int]:
    """Hanbit Steel with KRW cash; a KAU27 auction of 10,000 t open for an hour."""
    client, steel = chain.client, chain.company("steel")
    bank = Keystore(chain.net.home / "keys").load("bank-1", localnet_passphrase())
    client.submit(bank, FundCash(steel.address, CASH))
    opens = client.chain_time() + 10
    proposal = json.loads(client.submit(chain.keys["gov-1"], Propose(ScheduleAuctions((
        AuctionEntry("KAU27", opens, opens + 3_600, VOLUME),)))).data)["proposal_id"]
    client.submit(chain.keys["gov-2"], Approve(proposal))
    auction_id = client.query("/auctions")["auctions"][0]["id"]
    _wait_open(client, auction_id)
    return chain, auction_id


def test_the_data_layer_reads_the_calendar_and_a_companys_own_bids(seeded):
    chain, auction_id = seeded
    calendar = auctions.calendar(chain.client)
    row = calendar.set_index("id").loc[auction_id]
    assert (row["instrument"], row["volume"], row["status"], row["reserve_price"]) == ("KAU27", VOLUME, "open", 10_000)
    summary = auctions.summary(chain.client)
    assert summary["bidder_cap_bps"] == 1_500 and summary["reserve"]["total"] == 85_280_000
    steel = chain.company("steel")
    bids, mine = auctions.my_bids(chain.client, steel.address, steel.signer)
    assert list(bids.columns) == auctions.BID_COLUMNS
    assert auctions.stabilisation(chain.client)["active"] == []


@pytest.fixture(scope="module")
def portal_url(seeded, tmp_path_factory) -> str:
    from portal.users import add_user

    chain, _ = seeded
    work = tmp_path_factory.mktemp("auction-portal")
    users = work / "users"
    add_user(users, "steel", PASSWORDS["steel"], chain.company("steel").signer, scrypt_n=2**12)
    with start_portal(chain.rpc_url, users, work, ETS_PORTAL_TTL="1") as url:
        yield url


def test_a_company_places_a_sealed_bid_with_its_escrow_shown(seeded, portal_url: str, open_page):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from portal_pages import absent, body as main, expect, go, login_with, settled

    chain, auction_id = seeded
    steel, client = chain.company("steel"), chain.client
    before = holdings.cash(client, steel.address, steel.signer)
    page = open_page()
    login_with(PASSWORDS)(page, portal_url, "steel")
    go(page, "Government auctions")
    body = main(page)
    expect(body).to_contain_text("taking sealed bids")
    expect(body).to_contain_text("your cap 1,500 t CO₂-eq, of which 0 t CO₂-eq already bid")
    page.get_by_role("spinbutton", name="Price (KRW per tonne)").fill(str(PRICE))
    page.get_by_role("spinbutton", name="Price (KRW per tonne)").press("Tab")
    settled(page)
    page.get_by_role("spinbutton", name="Tonnes").fill(str(TONNES))
    page.get_by_role("spinbutton", name="Tonnes").press("Tab")
    expect(body).to_contain_text(f"Escrow of this bid: {PRICE * TONNES:,} KRW")  # shown before anything is signed
    settled(page)
    page.get_by_role("button", name="Place sealed bid").click()
    expect(body).to_contain_text(f"Sealed bid in auction #{auction_id} committed at block")
    expect(body).to_contain_text("Your bids")
    expect(body).to_contain_text(f"of which {TONNES:,} t CO₂-eq already bid")
    after = holdings.cash(client, steel.address, steel.signer)
    assert after.held - before.held == PRICE * TONNES and before.available - after.available == PRICE * TONNES
    (record,) = [r for r in client.query(f"/auction/bids/{steel.address}", reader=steel.signer) if r["auction"] == auction_id]
    assert (record["tonnes"], record["bids"][0]["price"]) == (TONNES, PRICE)

    settled(page)
    page.get_by_role("spinbutton", name="Tonnes").fill("600")  # 1,000 + 600 t > the cap of 1,500 t
    page.get_by_role("spinbutton", name="Tonnes").press("Tab")
    settled(page)
    page.get_by_role("button", name="Place sealed bid").click()
    expect(body).to_contain_text("The chain rejected the transaction")
    expect(body).to_contain_text("the per-bidder cap is 1,500 t")

    visitor = open_page()
    visitor.goto(f"{portal_url}/auctions")
    expect(visitor.get_by_role("heading", name="Government auctions", level=1)).to_be_visible()
    expect(main(visitor)).to_contain_text("KAU27")
    absent(visitor, visitor.get_by_role("button", name="Place sealed bid"))
    expect(main(visitor)).not_to_contain_text(steel.address)
    visitor.goto(f"{portal_url}/stabilisation")
    expect(visitor.get_by_role("heading", name="Market stabilisation", level=1)).to_be_visible()
    expect(main(visitor)).to_contain_text("Reference series")
