"""The compliance pages in real Chromium against the seeded validator: the verifier issues its statement on a
company's 2024 report from the Verification page (restated, then confirmed); after certification (2 of 3) the company surrenders from
My compliance, with its limits shown; the public Compliance page shows the table and offers the CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from protocol.messages import Approve, IssueAllowances, Propose, SetViewKey
from protocol.messages.compliance import AssignVerifiers, EmissionsReport, OtherSource, SetComplianceDeadline
from protocol.sealed import open_document, view_key_of, view_public_hex
from portal.data import compliance
from portal.data._base import query_or_none
from portal_chain import SeededChain
from portal_process import start_portal

pytestmark = pytest.mark.localnet

if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from portal_pages import body as main, confirm, go, login_with, settled  # noqa: E402

YEAR, REPORTED, HELD = 2024, 7_000, 10_000
PASSWORDS = {"chem": "mirae-chemical-pw", "verifier": "verification-body-pw", "official": "official-one-pw"}
login = login_with(PASSWORDS)


def _governed(chain: SeededChain, action) -> None:
    proposal = json.loads(chain.client.submit(chain.keys["gov-1"], Propose(action)).data)["proposal_id"]
    assert json.loads(chain.client.submit(chain.keys["gov-2"], Approve(proposal)).data)["status"] == "executed"


@pytest.fixture(scope="module")
def seeded(chain: SeededChain) -> SeededChain:
    """Mirae Chemical's 2024: the calendar by notice, KAU24 to surrender, its verifier, its report."""
    client, chem = chain.client, chain.company("chem")
    now = client.chain_time()
    _governed(chain, SetComplianceDeadline(YEAR, now + 3_600, now + 86_400))
    _governed(chain, IssueAllowances(chem.address, "KAU24", HELD))
    for who in (chem.signer, chain.keys["gov-1"]):
        client.submit(who, SetViewKey(view_public_hex(who)))
    _governed(chain, AssignVerifiers(YEAR, ((chem.address, chain.keys["verifier-1"].address),)))
    client.submit(chem.signer, EmissionsReport(YEAR, (OtherSource("cracker furnace", "fuel x factor", REPORTED, "c" * 64),)))
    return chain


@pytest.fixture(scope="module")
def portal_url(seeded: SeededChain, tmp_path_factory) -> str:
    from portal.users import add_user

    work = tmp_path_factory.mktemp("compliance-portal")
    users = work / "users"
    add_user(users, "chem", PASSWORDS["chem"], seeded.company("chem").signer, scrypt_n=2**12)
    add_user(users, "verifier", PASSWORDS["verifier"], seeded.keys["verifier-1"], scrypt_n=2**12)
    add_user(users, "official", PASSWORDS["official"], seeded.keys["gov-1"], scrypt_n=2**12)
    with start_portal(seeded.rpc_url, users, work, ETS_PORTAL_TTL="1", ETS_PORTAL_COMPLIANCE_YEAR=str(YEAR)) as url:
        yield url








def test_the_verifier_issues_its_statement_and_the_company_surrenders(seeded: SeededChain, portal_url: str, open_page):
    chem, client = seeded.company("chem"), seeded.client

    verifier = open_page()
    login(verifier, portal_url, "verifier")
    go(verifier, "Verification")
    expect(main(verifier)).to_contain_text(f"Report v1: {REPORTED:,} t CO₂-eq")
    expect(main(verifier)).to_contain_text("cracker furnace")
    verifier.get_by_role("button", name="Issue statement").click()
    expect(main(verifier)).to_contain_text(f"Issue the {YEAR} statement on {chem.name}: verified {REPORTED:,} t CO₂-eq")
    assert query_or_none(client, f"/compliance/statement/{chem.address}/{YEAR}") is None  # restated, not sent
    confirm(verifier, "verification_statement")
    expect(main(verifier)).to_contain_text(f"Statement on {chem.name} for {YEAR} committed at block")
    statement = client.query(f"/compliance/statement/{chem.address}/{YEAR}")
    assert (statement["verifier"], statement["verified"], statement["opinion"]) == (seeded.keys["verifier-1"].address, REPORTED, "unmodified")
    assert open_document(statement["sealed_document"], view_key_of(chem.signer), chem.address,
                         statement["document_hash"]) == f"Verification statement {YEAR}".encode()

    # the official proposes certifying the queue from the Certification page; a second official approves
    official = open_page()
    login(official, portal_url, "official")
    go(official, "Certification")
    expect(main(official)).to_contain_text("Awaiting certification (1)")
    official.get_by_role("button", name="Propose certification at the verified figures").click()
    expect(main(official)).to_contain_text("another official approves it under Proposals")
    (latest,) = [p for p in client.query("/proposals")[:1] if p["action"]["type"] == "certify_emissions"]
    assert latest["action"]["entries"] == [[chem.address, REPORTED]]
    client.submit(seeded.keys["gov-2"], Approve(latest["id"]))
    assert client.query(f"/compliance/certification/{chem.address}/{YEAR}")["quantity"] == REPORTED

    company = open_page()
    login(company, portal_url, "chem")
    go(company, "My compliance")
    body = main(company)
    expect(body).to_contain_text(f"{REPORTED:,} t")  # certified
    expect(body).to_contain_text(f"you may now: {REPORTED:,} t")  # the surrender limit beside the form
    expect(body).to_contain_text("KCU may cover 350 t (5% of the obligation)")
    company.get_by_role("spinbutton", name="Tonnes").first.fill(str(REPORTED + 1))
    company.get_by_role("spinbutton", name="Tonnes").first.press("Tab")  # the widget takes the value on blur, as a user's click does
    company.get_by_role("button", name="Surrender", exact=True).click()
    expect(company.locator(".st-key-confirm_yes_compliance_surrender button")).to_be_visible()  # restated, not sent
    expect(body).to_contain_text(f"{REPORTED + 1:,} t")
    assert compliance.position(client, chem.address, chem.signer)["years"][str(YEAR)]["surrendered_total"] == 0
    confirm(company, "compliance_surrender")
    expect(body).to_contain_text("The chain rejected the transaction")  # more than the obligation: refused, in full
    expect(body).to_contain_text(f"only {REPORTED:,} t of your {YEAR} obligation")
    settled(company)
    company.get_by_role("spinbutton", name="Tonnes").first.fill(str(REPORTED))
    company.get_by_role("spinbutton", name="Tonnes").first.press("Tab")  # the widget takes the value on blur, as a user's click does
    company.get_by_role("button", name="Surrender", exact=True).click()
    confirm(company, "compliance_surrender")
    expect(body).to_contain_text(f"Surrender: {REPORTED:,} t committed at block")
    expect(body).to_contain_text("you may now: 0 t")
    position = compliance.position(client, chem.address, chem.signer)["years"][str(YEAR)]
    assert (position["surrendered_total"], position["shortfall"]) == (REPORTED, 0)
    assert client.query(f"/balances/{chem.address}", reader=chem.signer)["KAU24"] == HELD - REPORTED

    public = open_page()
    public.goto(f"{portal_url}/compliance")  # a public page: no login
    expect(public.get_by_role("heading", name="Compliance", level=1)).to_be_visible()
    expect(main(public)).to_contain_text(chem.name)
    expect(public.get_by_role("button", name="Download CSV")).to_be_visible()
    row = compliance.table(client, YEAR).set_index("company").loc[chem.address]
    assert (row["certified"], row["status"]) == (REPORTED, "open") and row["surrendered"] is None
