"""Sessions, addresses and safe actions in real Chromium against a real ``streamlit run`` and the seeded network.

(a) a login survives a reload and a new address; logging out ends it, and its old token is dead;
(b) a restricted page opened by its address names the login it needs and, after login, is that page;
(c) an official lands on the task inbox, whose links open the pages where the tasks are decided;
(d) a company's transfer is restated and sent only once confirmed; both it and one received are on the
    account statement's CSV download.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from protocol.messages import Transfer

from portal_chain import PASSWORDS, Plan, SeededChain, upload_plan
from portal_process import start_portal

pytestmark = pytest.mark.localnet

if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup.sh installs it); "
                "browser tests never download a browser", allow_module_level=True)

from playwright.sync_api import Page  # noqa: E402
from portal_pages import body, choose, confirm, expect, go, logged_in, login_with, settled  # noqa: E402

login = login_with(PASSWORDS)
COOKIE = "ets_portal_session"


@pytest.fixture(scope="module")
def portal_url(chain: SeededChain, users_dir: Path, tmp_path_factory) -> str:
    with start_portal(chain.rpc_url, users_dir, tmp_path_factory.mktemp("portal-flows"), ETS_PORTAL_LANGUAGE="en") as url:
        yield url


@pytest.fixture(scope="module")
def awaiting(chain: SeededChain) -> Plan:
    """A plan of this module's own, sealed and awaiting a decision: the seeded ones are decided by other files'
    tests, which may run before these on the same worker, and Plan review opens on a plan awaiting one."""
    plan = Plan({"kind": "additional", "name": "flows browser plan awaiting a decision", "vintages": ["KAU27"]},
                ((chain.company("chem").company_id, "KAU27", 2_468),))
    upload_plan(chain.client, chain.keys["gov-1"], plan)
    return plan


def _heading(page: Page, name: str):
    return page.get_by_role("heading", name=name, level=1, exact=True)


def _session_cookie(page: Page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == COOKIE and c["value"]), None)


def _logged_out(page: Page) -> None:
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Log in", exact=True)).to_be_visible()
    settled(page)
    expect(logged_in(page)).to_have_count(0)


def test_a_session_survives_a_reload_and_logging_out_ends_it(chain: SeededChain, awaiting: Plan, portal_url: str, open_page, chromium):
    page = open_page()
    login(page, portal_url, "official1")
    expect(_heading(page, "Inbox")).to_be_visible()  # an official lands on the inbox
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=v1.')")
    token = _session_cookie(page)
    assert token and token.startswith("v1.") and "official1" not in token and PASSWORDS["official1"] not in token

    page.reload()
    expect(_heading(page, "Inbox")).to_be_visible()
    expect(logged_in(page)).to_be_visible()
    page.goto(f"{portal_url}/plan_review")  # a new address, a new connection: the same session
    expect(_heading(page, "Plan review")).to_be_visible()
    expect(page.get_by_role("button", name="Send decision")).to_be_visible()

    logged_in(page).click()
    _logged_out(page)
    page.reload()
    _logged_out(page)
    assert _session_cookie(page) is None  # the browser forgot it

    replay = chromium.new_context()  # the old token, replayed from elsewhere: revoked on the server
    try:
        host = portal_url.split("//")[1].split(":")[0]
        replay.add_cookies([{"name": COOKIE, "value": token, "domain": host, "path": "/"}])
        other = replay.new_page()
        other.goto(f"{portal_url}/inbox")
        expect(_heading(other, "Inbox")).to_be_visible()
        expect(body(other)).to_contain_text("Inbox needs a login as Government official")
        _logged_out(other)
    finally:
        replay.close()


def test_a_restricted_address_names_its_login_and_returns_there(chain: SeededChain, awaiting: Plan, portal_url: str, open_page):
    page = open_page()
    page.goto(f"{portal_url}/plan_review")
    expect(_heading(page, "Plan review")).to_be_visible()
    expect(body(page)).to_contain_text("Plan review needs a login as Government official")
    expect(page.get_by_role("button", name="Send decision")).to_have_count(0)
    page.get_by_role("textbox", name="User name").fill("official2")
    page.get_by_role("textbox", name="Password").fill(PASSWORDS["official2"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Send decision")).to_be_visible()  # the page asked for, not the inbox
    expect(_heading(page, "Plan review")).to_be_visible()
    assert page.url.split("?")[0].rstrip("/").endswith("/plan_review")

    company = open_page()
    login(company, portal_url, "steel")
    company.goto(f"{portal_url}/plan_review")
    expect(body(company)).to_contain_text("Plan review is for Government official. You are logged in as Company")
    expect(company.get_by_role("textbox", name="Password")).to_have_count(0)


def test_the_inbox_links_to_the_page_of_each_task(chain: SeededChain, portal_url: str, open_page):
    chem = chain.company("chem")  # a plan of its own awaiting approval: other tests decide the seeded ones
    upload_plan(chain.client, chain.keys["gov-1"],
                Plan({"kind": "additional", "name": "inbox browser plan", "vintages": ["KAU27"]},
                     ((chem.company_id, "KAU27", 1_234),)))
    page = open_page()
    login(page, portal_url, "official1")
    expect(_heading(page, "Inbox")).to_be_visible()
    main = body(page)
    expect(main).to_contain_text("Plans awaiting approval")
    link = main.get_by_role("link", name="Open Plan review").first
    expect(link).to_be_visible()
    link.click()
    expect(_heading(page, "Plan review")).to_be_visible()
    expect(logged_in(page)).to_be_visible()


def test_a_company_transfer_is_sent_only_once_confirmed(chain: SeededChain, portal_url: str, open_page):
    steel, power = chain.company("steel"), chain.company("power")

    def kau27(company) -> int:
        return int(chain.client.query(f"/balances/{company.address}", reader=company.signer).get("KAU27", 0))

    before = kau27(steel), kau27(power)
    page = open_page()
    login(page, portal_url, "steel")
    go(page, "Transfer")
    main = body(page)
    expect(main).to_contain_text("Four eyes are off")
    choose(page, "Recipient", power.name)
    choose(page, "Instrument", "KAU27")
    amount = page.get_by_role("spinbutton", name="Tonnes")
    amount.fill("3")
    amount.press("Tab")
    page.get_by_role("button", name="Review transfer").click()
    expect(main).to_contain_text(f"Transfer 3 t CO₂-eq KAU27 to {power.name}")
    expect(main).to_contain_text("Nothing has been sent yet")
    assert (kau27(steel), kau27(power)) == before
    confirm(page, "transfer")
    expect(main).to_contain_text(f"3 t CO₂-eq KAU27 transferred to {power.name}")
    assert (kau27(steel), kau27(power)) == (before[0] - 3, before[1] + 3)
    back = chain.client.submit(power.signer, Transfer(steel.address, "KAU27", 3))  # other tests read steel's holdings
    expect(page.get_by_role("spinbutton", name="Tonnes")).to_have_value("3")  # the form kept its values

    go(page, "Account statement")  # both transfers are on it, and in the CSV its download button gives
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = pd.read_csv(download.value.path(), encoding="utf-8-sig")
    received = rows[(rows["height"] == back.height) & (rows["kind"] == "transfer in")]
    assert received[["instrument", "tonnes", "counterparty"]].values.tolist() == [["KAU27", 3, power.name]]
    sent = rows[(rows["kind"] == "transfer out") & (rows["counterparty"] == power.name) & (rows["instrument"] == "KAU27")]
    assert len(sent) >= 1 and int(sent["height"].max()) < back.height
