"""The portal in Korean by default, in real Chromium: a real ``streamlit run`` with no language set.

(a) a visitor sees the public pages in Korean (headings and navigation from the catalogue); the sidebar's
    language switch flips the page to English, and a reload keeps English (the choice is in the URL);
(b) each role's main page after a Korean login (company, government official, verification body) has its
    Korean heading, and the same page in English has the English one;
(c) a refused login says so in Korean only;
(d) a company's transfer is restated, confirmed and reported done in Korean;
(e) each role's main flow in Korean, restated with its figures in Korean units, confirmed and said done, and the
    chain read afterwards: an official proposes to issue a plan of this module's own (the progress box and the
    live panel too), the verification body issues its statement on an assigned report, and a representative
    approves a four-eyes transfer of the localnet company it acts for.

The texts expected are the catalogue's (``portal/text``), never typed here. With ``ETS_PORTAL_SCREENSHOTS=<folder>``
the tests also save a screenshot of each role's main page in both languages there, and of the representative's
Account security page in Korean (the portal's docs keep them in ``portal/docs/screenshots``)."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from ets.custody import representative_of
from ets.keys import Signer
from ets.rpc import ChainClient
from portal.data import governance
from portal.data._base import query_or_none
from portal.i18n import catalogue
from portal_chain import CUSTODY_HOLDER, PASSWORDS, REPRESENTATIVE_NAME, Plan, SeededChain, upload_plan
from portal_process import start_portal
from protocol.messages import Approve, CustodyTransfer, Propose, SetViewKey
from protocol.messages.compliance import AssignVerifiers, EmissionsReport, OtherSource, SetComplianceDeadline
from protocol.sealed import open_document, view_key_of, view_public_hex

pytestmark = [pytest.mark.localnet, pytest.mark.long(seconds=60)]

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup.sh installs it); "
                "browser tests never download a browser", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402
from portal_pages import body, choose, confirm, nav_links, settled  # noqa: E402
from protocol.messages import Transfer  # noqa: E402

TEXT = catalogue()
ROLE_PAGES = {"steel": "my_allocation", "official1": "plan_review", "verifier": "verification"}
STATEMENT_YEAR, STATEMENT_COMPANY, REPORTED = 2023, "company-4", 4_321  # a year and a company no other test uses
CUSTODY_TO, CUSTODY_AMOUNT = "company-3", 1_234


def ko(key: str) -> str:
    return TEXT[key]["ko"]


def en(key: str) -> str:
    return TEXT[key]["en"]


@pytest.fixture(scope="module")
def korean_url(chain: SeededChain, users_dir: Path, tmp_path_factory) -> str:
    with start_portal(chain.rpc_url, users_dir, tmp_path_factory.mktemp("portal-korean"), ETS_PORTAL_LANGUAGE="",
                      ETS_PORTAL_TTL="2") as url:
        yield url


@pytest.fixture(scope="module")
def korean_plan(chain: SeededChain) -> Plan:
    """A sealed plan of this module's own, uploaded with real signed txs (other modules decide the seeded ones)."""
    chem, power = chain.company("chem"), chain.company("power")
    plan = Plan({"kind": "additional", "name": "Korean review plan", "vintages": ["KAU27"]},
                tuple(sorted(((chem.company_id, "KAU27", 1_234_567), (power.company_id, "KAU27", 76_543)))))
    upload_plan(chain.client, chain.keys["gov-1"], plan)
    return plan


@pytest.fixture(scope="module")
def assigned_report(chain: SeededChain) -> Signer:
    """company-4's report for 2023, assigned to verifier-1: the year's deadlines by notice (so settlement leaves the
    year alone), view keys for the company and the regulator, the assignment, the report; the rounds batch the
    txs of different signers."""
    client, keys = chain.client, chain.keys
    company, gov1, gov2 = keys[STATEMENT_COMPANY], keys["gov-1"], keys["gov-2"]
    now = client.chain_time()
    deadline, _ = _committed(client, (gov1, Propose(SetComplianceDeadline(STATEMENT_YEAR, now + 3_600, now + 86_400))),
                             (company, SetViewKey(view_public_hex(company))))
    _committed(client, (gov2, Approve(json.loads(deadline.data)["proposal_id"])), (gov1, SetViewKey(view_public_hex(gov1))))
    assign, _ = _committed(client, (gov1, Propose(AssignVerifiers(STATEMENT_YEAR, ((company.address, keys["verifier-1"].address),)))),
                           (company, EmissionsReport(STATEMENT_YEAR, (OtherSource("kiln", "fuel x factor", REPORTED, "d" * 64),))))
    executed = client.submit(gov2, Approve(json.loads(assign.data)["proposal_id"]))
    assert json.loads(executed.data)["status"] == "executed"
    return company


def _committed(client: ChainClient, *sends):
    """Send each (signer, message) at once (one per signer) and wait for all; every one must commit."""
    hashes = [client.submit(signer, msg, wait=False) for signer, msg in sends]
    commits = [client.wait_for_tx(h) for h in hashes]
    assert all(c.code == 0 for c in commits), [(c.code, c.log) for c in commits]
    return commits


def _plain(text: str) -> str:
    """A catalogue text as the browser shows it: markdown's bold and code marks are not text."""
    return text.replace("**", "").replace("`", "")


def _said(key: str, **known) -> re.Pattern:
    """The Korean text of ``key`` as shown: the fields given filled in, the others (heights, ids, hashes) any text."""
    parts = re.split(r"\{(\w+)\}", _plain(ko(key)))
    return re.compile("".join(re.escape(part) if i % 2 == 0 else
                              re.escape(str(known[part])) if part in known else ".+?" for i, part in enumerate(parts)))


def _watch_for(page: Page, text: str) -> None:
    """Note whether ``text`` ever appears on the page from now on (a progress box lasts only while its block commits)."""
    page.evaluate("""text => {
        window.__etsSeen = false;
        const look = () => { if (document.body.textContent.includes(text)) window.__etsSeen = true; };
        new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""", text)


def _seen(page: Page) -> bool:
    return bool(page.evaluate("window.__etsSeen"))


def _open(page: Page, title_key: str) -> None:
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name=ko("app.log_out"))).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=ko(title_key), exact=True).click()
    expect(_heading(page, ko(title_key))).to_be_visible()
    settled(page)


def _wait_for_right(client: ChainClient, representative: Signer, right: str) -> None:
    """The seeded representative's right acts once the genesis custody delay has passed in block time."""
    deadline = time.monotonic() + 60
    while right not in (representative_of(client, representative) or {}).get("rights", []):
        assert time.monotonic() < deadline, f"the representative's {right} right did not take effect within 60 s"
        time.sleep(0.5)


def _heading(page: Page, text: str):
    return page.get_by_role("heading", name=text, level=1, exact=True)


def _log_in(page: Page, url: str, user: str, password: str) -> None:
    """Submit the Korean login form (the portal's first page can take a while to draw on a loaded machine)."""
    page.goto(f"{url}/account")
    expect(_heading(page, ko("account.log_in"))).to_be_visible(timeout=60_000)
    page.get_by_role("textbox", name=ko("account.username")).fill(user)
    page.get_by_role("textbox", name=ko("account.password")).fill(password)
    page.get_by_role("button", name=ko("account.log_in")).click()


def _switch(page: Page, label: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("ETS_PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        settled(page)
        expect(page.get_by_test_id("stSkeleton")).to_have_count(0)  # every element drawn, not a placeholder
        page.wait_for_timeout(1_000)  # charts and tables paint after their element arrives
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_the_default_portal_is_korean_and_the_switch_keeps_english_across_a_reload(korean_url: str, open_page):
    page = open_page()
    page.goto(korean_url)
    expect(_heading(page, ko("page.transparency"))).to_be_visible()
    expect(body(page)).to_contain_text(ko("transparency.caption")[:20])
    links = nav_links(page)
    assert links[:3] == [ko("page.transparency"), ko("page.allocations"), ko("page.market")], links
    assert links[-1] == ko("page.log_in")
    expect(page.get_by_test_id("stSidebar")).to_contain_text(ko("app.not_logged_in"))
    _shot(page, "public-ko")

    _switch(page, "English")
    expect(_heading(page, en("page.transparency"))).to_be_visible()
    settled(page)
    assert "lang=en" in page.url, page.url
    assert nav_links(page)[0] == en("page.transparency")
    _shot(page, "public-en")

    page.reload()
    expect(_heading(page, en("page.transparency"))).to_be_visible()
    assert "lang=en" in page.url
    settled(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=en("page.market"), exact=True).click()
    expect(_heading(page, en("page.market"))).to_be_visible()

    _switch(page, "한국어")
    expect(_heading(page, ko("page.market"))).to_be_visible()


@pytest.mark.parametrize("user", sorted(ROLE_PAGES))
def test_each_roles_main_page_in_korean_then_english(korean_url: str, open_page, user: str):
    page = open_page()
    _log_in(page, korean_url, user, PASSWORDS[user])
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name=ko("app.log_out"))).to_be_visible()  # officials land on their inbox
    title = f"page.{ROLE_PAGES[user]}"
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=ko(title), exact=True).click()
    expect(_heading(page, ko(title))).to_be_visible()
    settled(page)
    expect(body(page)).not_to_contain_text("Traceback")
    _shot(page, f"{ROLE_PAGES[user]}-ko")
    _switch(page, "English")
    expect(_heading(page, en(title))).to_be_visible()
    settled(page)
    _shot(page, f"{ROLE_PAGES[user]}-en")


def test_a_refused_login_is_said_in_korean_only(korean_url: str, open_page):
    page = open_page()
    _log_in(page, korean_url, "steel", "not-the-password")
    expect(body(page)).to_contain_text(ko("account.login_failed"))
    settled(page)
    assert en("account.login_failed") not in body(page).inner_text()


def test_a_company_transfer_in_korean_is_restated_confirmed_and_said_done_in_korean(chain: SeededChain, korean_url: str,
                                                                                    open_page, monkeypatch):
    steel, power = chain.company("steel"), chain.company("power")
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    from portal.ui import tonnes

    three = tonnes(3)  # the Korean unit, as the page formats it
    page = open_page()
    _log_in(page, korean_url, "steel", PASSWORDS["steel"])
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name=ko("app.log_out"))).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=ko("page.transfer"), exact=True).click()
    expect(_heading(page, ko("flows.transfer.title"))).to_be_visible()
    main = body(page)
    expect(main).to_contain_text(ko("flows.transfer.four_eyes_off"))
    choose(page, ko("flows.transfer.to"), power.name)
    choose(page, ko("flows.transfer.instrument"), "KAU27")
    amount = page.get_by_role("spinbutton", name=ko("flows.transfer.amount"))
    amount.fill("3")
    amount.press("Tab")
    page.get_by_role("button", name=ko("flows.transfer.send")).click()
    expect(main).to_contain_text(f"{power.name}({power.address})에게 KAU27 {three} 이전")  # the name once, then the address
    expect(main).to_contain_text(ko("flows.confirm.title"))
    confirm(page, "transfer")
    expect(main).to_contain_text(f"{power.name}에게 KAU27 {three} 이전 완료")
    settled(page)
    text = main.inner_text()
    assert "transferred to" not in text and "Nothing has been sent" not in text  # Korean only
    chain.client.submit(power.signer, Transfer(steel.address, "KAU27", 3))  # other tests read steel's holdings as allocated


def test_an_official_proposes_a_plan_in_korean_restated_with_its_total_and_said_done(
        chain: SeededChain, korean_url: str, korean_plan: Plan, open_page, monkeypatch):
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    from portal.ui import tonnes

    plan, official = korean_plan, chain.keys["gov-1"]
    total = sum(amount for _, _, amount in plan.lines)
    page = open_page()
    _log_in(page, korean_url, "official1", PASSWORDS["official1"])
    _open(page, "page.plan_review")
    choose(page, ko("review.plan"), plan.hash[:12])
    main = body(page)
    expect(main).to_contain_text(_said("review.plan_caption", hash=plan.hash))
    expect(main).to_contain_text(ko("review.no_open_proposal"))
    page.get_by_role("button", name=ko("review.send")).click()
    restated = _plain(ko("flows.confirm.plan_approve").format(
        plan=f"{plan.hash[:12]}…", companies="2", lines="2", total=tonnes(total), vintages=f"KAU27: {tonnes(total)}"))
    assert "1,311,110 tCO₂-eq" in restated  # the Korean unit, with thousands separators
    expect(main).to_contain_text(restated)
    expect(main).to_contain_text(ko("flows.confirm.title"))
    assert governance.open_plan_proposal(chain.client, plan.hash) is None  # restated, not sent

    _watch_for(page, ko("submit.progress").format(doing=ko("review.doing_send")))
    confirm(page, "plan_decision")
    expect(main).to_contain_text(_said("review.sent", sent=ko("review.sent_kind.propose"),
                                       status=ko("common.proposal_status.open")))
    proposal = governance.open_plan_proposal(chain.client, plan.hash)
    assert proposal is not None and proposal["proposer"] == official.address
    assert [v["official"] for v in proposal["approvals"]] == [official.address]
    expect(main).to_contain_text(_said("review.sent", sent=ko("review.sent_kind.propose"), id=proposal["id"],
                                       status=ko("common.proposal_status.open")))
    expect(main).to_contain_text(_said("review.proposal_line", id=proposal["id"], status=ko("common.proposal_status.open"),
                                       approvals=1, required=2))  # the live panel follows the proposal
    assert _seen(page), "the progress box never said the decision was being sent"
    settled(page)
    text = main.inner_text()
    assert "Sent propose" not in text and "is now open" not in text and "approvals" not in text  # Korean only


def test_the_verifier_issues_a_statement_in_korean_restated_confirmed_and_said_done(
        chain: SeededChain, korean_url: str, assigned_report: Signer, open_page, monkeypatch):
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    from portal.ui import tonnes

    company, client = assigned_report, chain.client
    path = f"/compliance/statement/{company.address}/{STATEMENT_YEAR}"
    page = open_page()
    _log_in(page, korean_url, "verifier", PASSWORDS["verifier"])
    _open(page, "page.verification")
    year = page.get_by_role("spinbutton", name=ko("common.compliance_year"))
    year.fill(str(STATEMENT_YEAR))
    year.press("Tab")
    main = body(page)
    expect(main).to_contain_text(_plain(ko("verification.report").format(version=1, total=tonnes(REPORTED))))
    settled(page)
    page.get_by_role("button", name=ko("verification.issue")).click()
    expect(main).to_contain_text(_plain(ko("verification.confirm").format(
        company=STATEMENT_COMPANY, year=STATEMENT_YEAR, verified=tonnes(REPORTED), opinion=ko("verification.opinions.unmodified"),
        findings="0", version=1, reported=tonnes(REPORTED))))
    assert query_or_none(client, path) is None  # restated, not sent

    confirm(page, "verification_statement")
    expect(main).to_contain_text(_said("verification.issued", company=STATEMENT_COMPANY, year=STATEMENT_YEAR))
    statement = client.query(path)
    assert (statement["verifier"], statement["verified"], statement["opinion"], statement["status"]) == (
        chain.keys["verifier-1"].address, REPORTED, "unmodified", "issued")
    document = open_document(statement["sealed_document"], view_key_of(company), company.address, statement["document_hash"])
    assert document.decode() == ko("verification.default_document").format(year=STATEMENT_YEAR)  # the Korean default
    settled(page)
    assert "committed at block" not in main.inner_text()  # Korean only


def test_a_representative_approves_a_four_eyes_transfer_in_korean_and_the_chain_executes_it(
        chain: SeededChain, korean_url: str, open_page, monkeypatch):
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    from portal.ui import tonnes

    client, holder, to = chain.client, chain.keys[CUSTODY_HOLDER], chain.keys[CUSTODY_TO]
    _wait_for_right(client, chain.representative, "approve")
    received_before = int(client.query(f"/balances/{to.address}", reader=to).get("KAU25", 0))
    initiated = client.submit(holder, CustodyTransfer(to.address, "KAU25", CUSTODY_AMOUNT))  # the holder's key initiates
    result = json.loads(initiated.data)
    assert result["status"] == "waiting", result  # four eyes: it waits, its tonnes held, for the representative
    transfer_id = result["transfer_id"]

    page = open_page()
    _log_in(page, korean_url, "representative", PASSWORDS["representative"])
    _open(page, "page.account_security")
    main = body(page)
    recipient = ko("custody.account_named").format(name=CUSTODY_TO, address=to.address[:12])
    label = ko("custody.transfer_label").format(id=transfer_id, amount=tonnes(CUSTODY_AMOUNT), instrument="KAU25",
                                                to=recipient)
    expect(main).to_contain_text(label)
    expect(main).to_contain_text(_plain(ko("custody.who").format(account=holder.address, you=REPRESENTATIVE_NAME,
                                                                 rights=ko("custody.right.approve"))))
    _shot(page, "account_security-ko")
    choose(page, ko("custody.waiting_transfer"), label)
    page.get_by_role("button", name=ko("custody.approve"), exact=True).click()
    expect(main).to_contain_text(_plain(ko("custody.confirm_approve").format(
        id=transfer_id, amount=tonnes(CUSTODY_AMOUNT), instrument="KAU25", name=recipient, address=to.address)))
    held = client.query(f"/holdings/{holder.address}", reader=holder)["KAU25"]["held"]
    assert held >= CUSTODY_AMOUNT  # restated, not sent

    confirm(page, "custody_waiting")
    expect(main).to_contain_text(_said("custody.approved", id=transfer_id))
    settled(page)
    assert "approved and executed" not in main.inner_text()  # Korean only
    record = client.query(f"/custody/{holder.address}", reader=holder)
    done = next(x for x in record["transfers"] if x["id"] == transfer_id)
    assert (done["status"], done["amount"], done["to"]) == ("executed", CUSTODY_AMOUNT, to.address)
    assert transfer_id not in [w["id"] for w in record.get("waiting", [])]
    assert int(client.query(f"/balances/{to.address}", reader=to)["KAU25"]) == received_before + CUSTODY_AMOUNT
    assert client.query(f"/holdings/{holder.address}", reader=holder)["KAU25"]["held"] == held - CUSTODY_AMOUNT
