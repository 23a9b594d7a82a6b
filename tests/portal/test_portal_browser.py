"""The portal in real Chromium: a real ``streamlit run`` process in front of a real validator.

(a) the public transparency page shows the figures the chain holds and checks a reading's proof;
(b) two officials approve a plan (the first proposes, the second's approval issues it) and the
    company then sees its allocation equal to the plan line;
(c) a visitor cannot reach government pages, and a company sees only its own holdings;
(d) the company's holdings and the public daily totals carry the badge of the portal's light client
    (the portal trusts the network's genesis file).
Screenshots of every open page go to the test's tmp dir when a test fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from protocol.merkle import MerkleTree
from protocol.readings import Reading, sign_reading
from portal.data import allocations, governance, holdings
from portal.ui import kg_to_t_text
from portal_chain import PASSWORDS, SeededChain, reading_bytes
from portal_process import start_portal

pytestmark = [pytest.mark.localnet, pytest.mark.long(seconds=80)]

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup.sh installs it); "
                "browser tests never download a browser", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402
from portal_pages import absent, body, choose, confirm, go, logged_in, login_with, nav_links  # noqa: E402

login = login_with(PASSWORDS)


@pytest.fixture(scope="module")
def portal_url(chain: SeededChain, users_dir: Path, tmp_path_factory) -> str:
    """``streamlit run portal/app.py`` as a real process, with a review file for the browser plan."""
    work = tmp_path_factory.mktemp("portal-server")
    plans = work / "plans"
    plans.mkdir()
    steel = chain.company("steel")
    browser_plan = chain.plans["browser"]
    (plans / f"{browser_plan.hash}.json").write_text(json.dumps({
        "format": "ETS-PLAN-FILE-V1", "header": browser_plan.header, "lines": [list(x) for x in browser_plan.lines],
        "plan_hash": browser_plan.hash,
        "explanations": [{"company_id": steel.company_id, "sector": steel.sector, "industry": "steel", "method": "GF",
                          "basis": "average of 2022-2024", "history_used": {"2022": 130_000, "2023": 120_000, "2024": 110_000},
                          "missing_base_years": [], "demand": 120_000, "auction_share_bp": 0, "shares": []}],
    }, ensure_ascii=False))
    with start_portal(chain.rpc_url, users_dir, work, ETS_PORTAL_PLANS=str(plans), ETS_PORTAL_TTL="2",
                      ETS_PORTAL_GENESIS=str(chain.net.home / "genesis.json")) as url:
        yield url


# ---------------------------------------------------------------- helpers












# ---------------------------------------------------------------- (a) public transparency


def test_public_transparency_shows_the_chain_figures(chain: SeededChain, portal_url: str, open_page):
    page = open_page()
    page.goto(portal_url)
    expect(page.get_by_role("heading", name="Emission transparency", level=1)).to_be_visible()
    main = body(page)
    expect(main).to_contain_text("2025-02-01")  # latest day reported
    totals = chain.totals()
    sectors: dict[str, dict[str, int]] = {}
    for (label, _day), t in totals.items():
        acc = sectors.setdefault(chain.device(label).company.sector, {"total": 0, "readings": 0, "substituted": 0})
        for k in acc:
            acc[k] += t[k]
    for sector, t in sectors.items():
        expect(main).to_contain_text(sector)
        expect(main).to_contain_text(f"{t['total']:,}")
        expect(main).to_contain_text(kg_to_t_text(t["total"]))
    grand = sum(t["total"] for t in sectors.values())
    readings = sum(t["readings"] for t in sectors.values())
    substituted = sum(t["substituted"] for t in sectors.values())
    expect(main).to_contain_text(kg_to_t_text(grand))
    expect(main).to_contain_text(f"{substituted:,} ({substituted / readings:.1%})")
    expect(main).to_contain_text(f"{substituted:,} of {readings:,} readings are substituted values")

    # drill-down: the first company in the list is Hanbit Power; each day's record is on the page
    expect(main).to_contain_text("Daily records")
    power = chain.company("power")
    for (label, day), t in totals.items():
        if chain.device(label).company is power:
            expect(main).to_contain_text(f"{t['total']:,}")
            expect(main).to_contain_text(chain.roots[(label, day)][:16])
    expect(main).to_contain_text("⚠ 3 substituted")

    # a substituted reading, signed by its device, proves against the root on chain; an altered one does not
    device = chain.device("power-unit")
    readings_of_day = chain.readings[("power-unit", "2025-01-31")]
    tree = MerkleTree.from_leaves(reading_bytes(r) for r in readings_of_day)
    signed = sign_reading(device.signer, Reading.from_json(readings_of_day[22]))
    proof = {"reading": readings_of_day[22], "signature": signed.signature.hex(), "proof": tree.proof(22).to_json(),
             "chain_record": {"device": device.address, "day": "2025-01-31"}}  # the shape `ets edge prove` prints
    page.get_by_role("textbox", name="Proof JSON").fill(json.dumps(proof))
    page.get_by_role("button", name="Check proof").click()
    expect(main).to_contain_text("Verified: this reading is part of the day's readings")
    expect(main).to_contain_text(f"{readings_of_day[22]['co2_kg']:,} kg CO2")
    expect(main).to_contain_text("a SUBSTITUTED value")
    expect(main).to_contain_text("signature verifies with the device key registered on chain")
    proof["reading"] = {**readings_of_day[22], "co2_kg": readings_of_day[22]["co2_kg"] - 5_000, "substituted": False}
    page.get_by_role("textbox", name="Proof JSON").fill(json.dumps(proof))
    page.get_by_role("button", name="Check proof").click()
    expect(main).to_contain_text("Not verified")
    expect(main).not_to_contain_text("balance")


# ---------------------------------------------------------------- (b) approval flow


def _decide(page: Page, plan_hash: str, expected: str) -> None:
    go(page, "Plan review")
    choose(page, "Plan", plan_hash[:12])
    main = body(page)
    expect(main).to_contain_text(f"Plan hash {plan_hash}")
    page.get_by_role("button", name="Send decision").click()
    confirm(page, "plan_decision")
    expect(main).to_contain_text(expected)


def test_two_officials_approve_and_the_company_sees_its_allocation(chain: SeededChain, portal_url: str, open_page):
    plan = chain.plans["browser"]
    steel = chain.company("steel")

    first = open_page()
    login(first, portal_url, "official1")
    go(first, "Plan review")
    choose(first, "Plan", plan.hash[:12])
    main = body(first)
    expect(main).to_contain_text(f"Plan hash {plan.hash}")
    expect(main).to_contain_text(f"{plan.amount(steel.company_id, 'KAU26'):,}")  # sector totals table
    expect(main).to_contain_text(f"From the engine's review file {plan.hash}.json")
    expect(main).to_contain_text("No proposal is open for this plan")
    first.get_by_role("button", name="Send decision").click()
    confirm(first, "plan_decision")
    expect(main).to_contain_text(re.compile(r"Sent propose: proposal #\d+ is now open"))
    expect(main).to_contain_text("1 of 2 approvals")
    first.get_by_role("button", name="Send decision").click()  # a second vote: the chain refuses it, in full
    confirm(first, "plan_decision")
    expect(main).to_contain_text("The chain rejected the transaction while sending your decision (code 16")
    expect(main).to_contain_text("already voted")
    expect(main).to_contain_text("Nothing was changed.")
    proposal = governance.open_plan_proposal(chain.client, plan.hash)
    assert proposal is not None and proposal["proposer"] == chain.keys["gov-1"].address

    second = open_page()
    login(second, portal_url, "official2")
    _decide(second, plan.hash, f"Sent approve: proposal #{proposal['id']} is now executed")
    expect(body(second)).to_contain_text("Issued at block")
    assert allocations.plan_record(chain.client, plan.hash)["status"] == "issued"
    expect(body(first)).to_contain_text("Issued at block")  # the first official's live panel follows

    company = open_page()
    login(company, portal_url, "steel")
    go(company, "My allocation")
    main = body(company)
    expected = plan.amount(steel.company_id, "KAU26")
    expect(main).to_contain_text(f"Plan {plan.hash[:16]}… — proposal #{proposal['id']}")
    expect(main).to_contain_text(f"{expected:,}")
    on_chain = allocations.allocations(chain.client, steel.address)
    assert int(on_chain[on_chain["plan_hash"] == plan.hash]["amount"].sum()) == expected


# ---------------------------------------------------------------- (c) access


def test_visitor_cannot_reach_government_or_company_pages(portal_url: str, open_page):
    page = open_page()
    for path in ("plan_review", "proposals", "my_holdings", "my_allocation", "devices", "certification", "my_compliance",
                 "verification"):
        page.goto(f"{portal_url}/{path}")  # the page says which login it needs, and offers it
        expect(page.get_by_role("textbox", name="Password")).to_be_visible()
        links = nav_links(page)
        assert links == ["Emission transparency", "Allocations", "Market", "Market makers", "Compliance",
                         "Government auctions", "Market stabilisation", "Log in"], links
        absent(page, page.get_by_role("button", name="Send decision"))


def test_company_sees_only_its_own_holdings(chain: SeededChain, portal_url: str, open_page):
    steel, power = chain.company("steel"), chain.company("power")
    page = open_page()
    login(page, portal_url, "steel")
    links = nav_links(page)
    assert "My holdings" in links and "My allocation" in links and "My compliance" in links
    assert not {"Plan review", "Proposals", "Devices", "Certification", "Verification"} & set(links)
    go(page, "My holdings")
    main = body(page)
    own = holdings.balances(chain.client, steel.address, steel.signer)
    others = holdings.balances(chain.client, power.address, power.signer)
    for row in own.itertuples():
        expect(main).to_contain_text(f"{row.amount:,} t")
    expect(main).to_contain_text(steel.address)
    expect(main).not_to_contain_text(power.address)
    for row in others.itertuples():
        if row.amount not in set(own["amount"]):
            expect(main).not_to_contain_text(f"{row.amount:,}")
    # the government's page is not in this session's navigation, even by its address
    page.goto(f"{portal_url}/plan_review")
    absent(page, page.get_by_role("button", name="Send decision"))


# another role's pages, reached by their address inside a logged-in session (a reload keeps the session)
OTHER_ROLES_PAGES = {
    "steel": (("plan_review", "Plan review", "Government official"), ("certification", "Certification", "Government official"),
              ("verification", "Verification", "Verification body")),
    "official1": (("my_holdings", "My holdings", "Company"), ("my_compliance", "My compliance", "Company"),
                  ("verification", "Verification", "Verification body")),
    "verifier": (("my_holdings", "My holdings", "Company"), ("plan_review", "Plan review", "Government official")),
}
ROLE_NAMES = {"steel": "Company", "official1": "Government official", "verifier": "Verification body"}


@pytest.mark.parametrize("user", sorted(OTHER_ROLES_PAGES))
def test_a_logged_in_user_reaching_another_roles_page_is_told_whose_it_is(chain: SeededChain, portal_url: str,
                                                                          open_page, user: str):
    page = open_page()
    login(page, portal_url, user)
    for path, title, needed in OTHER_ROLES_PAGES[user]:
        page.goto(f"{portal_url}/{path}")
        main = body(page)
        expect(page.get_by_role("heading", name=title, level=1, exact=True)).to_be_visible()
        expect(main).to_contain_text(f"{title} is for")
        expect(main).to_contain_text(f"You are logged in as {ROLE_NAMES[user]}")
        assert needed in main.inner_text()
        expect(logged_in(page)).to_be_visible()  # still in the same session, not logged out by the reload
        absent(page, page.get_by_role("textbox", name="Password"))  # no login form to slip past the check
        absent(page, page.get_by_test_id("stDataFrame"))  # and none of the page's data
        absent(page, page.get_by_role("button", name="Send decision"))


# ---------------------------------------------------------------- (d) verified facts


VERIFIED_BADGE = re.compile(r"verified against block (\d+), signed by ([34]) of 4 validators")  # 4 validators


def test_holdings_and_daily_totals_carry_the_light_client_badge(chain: SeededChain, portal_url: str, open_page):
    page = open_page()
    login(page, portal_url, "steel")
    go(page, "My holdings")
    main = body(page)
    badge = main.get_by_text(re.compile(r"Holdings verified against block \d+"))
    expect(badge).to_be_visible()
    assert "검증인" not in main.inner_text()  # the English portal's badge is English only
    block = int(VERIFIED_BADGE.search(badge.inner_text()).group(1))
    assert block <= chain.client.height()
    expect(main).not_to_contain_text("Not verified")

    go(page, "Emission transparency")
    expect(main.get_by_text(re.compile(r"Daily totals verified against block \d+, signed by [34] of 4 validators"))).to_be_visible()
    expect(main).not_to_contain_text("Not verified")


def test_wrong_password_and_unknown_user_look_the_same(portal_url: str, open_page):
    page = open_page()
    for user, password in (("steel", "not-the-password"), ("no-such-user", "whatever-pw")):
        page.goto(f"{portal_url}/account")
        page.get_by_role("textbox", name="User name").fill(user)
        page.get_by_role("textbox", name="Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(body(page)).to_contain_text("Unknown user name or wrong password.")
        assert "Your account" not in body(page).inner_text()
