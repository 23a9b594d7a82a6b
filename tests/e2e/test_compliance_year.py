"""A whole compliance year (2024) on 4 real validators.

Each company's stack device posts its daily totals through the uploader's own spool, day sealing and poster;
the companies report (one through ``ets compliance report``), the assigned verification body issues sealed
statements, the government certifies (2 of 3), then:

    company-1  surrenders in full (through ``ets compliance surrender``) and banks within 3 × its net sales
    company-2  borrows from KAU25 within the 15% limit (refused above it; banking then refused) and surrenders
    company-3  surrenders KCU up to the 5% offset cap, is refused above it, and the rest in KAU
    company-4  surrenders only half: at the deadline (block time) it is penalised and blocked for transfers out

The public table (``ets query compliance 2024 --json``) shows A, A, A, B; the scorecard is public; company-4 makes
good late with KAU25 (status D) and may transfer again. Blocks may hold txs other than ours (the block's own
records), so nothing here counts txs per block.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from protocol.codes import Code
from protocol.messages import (
    Approve, Bank, Borrow, CertifyEmissions, FundCash, PlaceOrder, Propose, RegisterDevice, SetComplianceDeadline,
    SetViewKey, Surrender, Transfer, AssignVerifiers, EmissionsReport, OtherSource,
)
from protocol.readings import Reading, sign_reading
from protocol.sealed import open_document, view_key_of, view_public_hex

from edge_uploader.days import hours_of
from edge_uploader.daybook import seal_day
from edge_uploader.poster import DayPoster
from edge_uploader.spool import Spool
from edge_uploader.validity import Limits
from ets.compliance import build_statement
from ets.keys import Signer
from ets.rpc import TxRejectedError
from ets_tools.devnet import DEV_PASSPHRASE

from .conftest import REPO, Net, start_net, wait_until

pytestmark = [pytest.mark.localnet, pytest.mark.long(seconds=45)]

YEAR = 2024
DAYS = ("2024-12-30", "2024-12-31")
KG_PER_HOUR = 500_000  # 12,000 t a day: 24,000 t from each company's stack over the two days
EXTRA = {"KAU24": 50_000, "KCU24": 5_000}
CERTIFIED = {"company-1": 40_000, "company-2": 55_000, "company-3": 40_000, "company-4": 60_000}
VERIFIED = {**CERTIFIED, "company-3": 40_200}  # certification moved company-3's verified figure by 200 t


def _opening_balances(app_state: dict) -> None:
    for record in app_state["accounts"]:
        if record["role"] == "company":
            app_state["balances"] += [{"address": record["address"], "instrument": i, "amount": a} for i, a in EXTRA.items()]
    app_state["balances"].sort(key=lambda r: (r["address"], r["instrument"]))


@pytest.fixture(scope="module")
def net(tmp_path_factory) -> Net:
    net = start_net(tmp_path_factory.mktemp("compliance") / "net", "ets-compliance",
                    params={"market_around_the_clock": 1}, edit=_opening_balances)
    yield net
    net.net.stop()


def ets(net: Net, *args: str) -> dict:
    """The CLI through node2, once node2 has every block node0 (where the test's own txs go) has committed."""
    net.caught_up()
    env = {**os.environ, "ETS_KEYSTORE": str(net.net.home.parent / f"{net.net.home.name}-keys"),
           "ETS_PASSPHRASE": DEV_PASSPHRASE, "ETS_NODE": net.net.rpc_url("node2")}
    result = subprocess.run([sys.executable, "-m", "ets_tools.cli", *args], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"ets {' '.join(args)} failed ({result.returncode}): {result.stderr}"
    return json.loads(result.stdout)


def _governed(client, keys, action) -> None:
    proposal = json.loads(client.submit(keys["gov-1"], Propose(action)).data)["proposal_id"]
    executed = json.loads(client.submit(keys["gov-2"], Approve(proposal)).data)
    assert executed["status"] == "executed", executed


def _post_stack_days(net: Net, tmp, company: Signer, device: Signer) -> None:
    """The uploader's own path: signed hourly readings in its spool, the day sealed with its Merkle root, posted
    through node1 once it has the device's registration (sent through node0)."""
    net.caught_up()
    spool = Spool(tmp / f"{device.address}.sqlite", device=device.address, public_key=device.public_key, start_day=DAYS[0])
    poster = DayPoster(net.net.rpc_url("node1"), device)
    try:
        for day in DAYS:
            for hour in hours_of(day):
                spool.store_reading(sign_reading(device, Reading(device.address, spool.next_seq(), hour, KG_PER_HOUR, False, "cems")))
            outcome = poster.post(seal_day(spool, device, day, Limits()))
            assert outcome.kind == "posted", outcome
    finally:
        poster.close()
        spool.close()


def test_a_whole_compliance_year(net: Net, tmp_path):
    keys = net.keys
    client = net.client("node0")
    companies = {name: keys[name] for name in CERTIFIED}
    c1, c2, c3, c4 = companies.values()
    gov, verifier = keys["gov-1"], keys["verifier-1"]

    # the calendar by notice: far enough for now (the default, end of June 2025, has passed on this chain's clock)
    _governed(client, keys, SetComplianceDeadline(YEAR, client.chain_time() + 3_600, client.chain_time() + 86_400))
    for who in (gov, *companies.values()):
        client.submit(who, SetViewKey(view_public_hex(who)))

    # MRV: one registered stack device per company, its days posted by the uploader's poster
    for company in companies.values():
        device = Signer.generate()
        client.submit(verifier, RegisterDevice(device.address, device.public_key.hex(), company.address, "stack-1", "CO2", "kg"))
        _post_stack_days(net, tmp_path, company, device)

    # market: company-1 sells 2,000 t of KAU24 to company-4 (its net sales set its banking limit)
    client.submit(keys["bank-1"], FundCash(c4.address, 100_000_000))
    client.submit(c1, PlaceOrder("KAU24", "sell", 10_000, 2_000))
    client.submit(c4, PlaceOrder("KAU24", "buy", 10_000, 2_000))

    # reports: the sites' 24,000 t + other sources; company-1's through the CLI
    sources = tmp_path / "sources.json"
    evidence = tmp_path / "fuel-invoices.pdf"
    evidence.write_bytes(b"fuel invoices 2024")
    sources.write_text(json.dumps([{"source": "boiler", "method": "fuel use x emission factor",
                                    "quantity": VERIFIED["company-1"] - 24_000, "evidence_file": evidence.name}]))
    cli_report = ets(net, "compliance", "report", "--year", str(YEAR), "--sources", str(sources), "--key", "company-1")
    assert cli_report["result"] == {"year": YEAR, "version": 1, "sites_tonnes": 24_000,
                                    "other_tonnes": VERIFIED["company-1"] - 24_000, "total": VERIFIED["company-1"]}
    for name, company in list(companies.items())[1:]:
        other = (OtherSource("process", "mass balance", VERIFIED[name] - 24_000, "a" * 64),)
        assert json.loads(client.submit(company, EmissionsReport(YEAR, other)).data)["total"] == VERIFIED[name]

    # verification: one body assigned to all four; statements sealed to each company and the regulator
    _governed(client, keys, AssignVerifiers(YEAR, tuple((c.address, verifier.address) for c in companies.values())))
    assert {row["company"] for row in client.query(f"/compliance/assignments/{verifier.address}/{YEAR}")} == {
        c.address for c in companies.values()}
    for name, company in companies.items():
        statement = build_statement(client, company.address, YEAR, VERIFIED[name], "unmodified", 0,
                                    f"Verification statement {YEAR}: {VERIFIED[name]} t".encode())
        client.submit(verifier, statement)
    record = client.query(f"/compliance/statement/{c3.address}/{YEAR}")
    assert open_document(record["sealed_document"], view_key_of(c3), c3.address, record["document_hash"]).endswith(b"40200 t")
    assert len(client.query(f"/compliance/queue/{YEAR}")) == 4

    # certification, 2 of 3: the certified figure is what must be surrendered
    _governed(client, keys, CertifyEmissions(YEAR, tuple((c.address, CERTIFIED[n]) for n, c in companies.items()),
                                             "verified; company-3's boiler factor corrected"))
    assert client.query(f"/compliance/queue/{YEAR}") == []

    def refused(signer, msg) -> Code:
        with pytest.raises(TxRejectedError) as info:
            client.submit(signer, msg)
        return Code(info.value.code)

    # company-1: surrenders in full (CLI), then banks within 3 × 2,000 t of net sales
    out = ets(net, "compliance", "surrender", "--year", str(YEAR), "--instrument", "KAU24", "--amount", "40000",
              "--key", "company-1")
    assert out["code"] == Code.OK and out["result"]["remaining"] == 0
    assert refused(c1, Bank(YEAR, 6_001)) == Code.BANK_LIMIT_EXCEEDED
    assert json.loads(client.submit(c1, Bank(YEAR, 6_000)).data) == {"year": YEAR, "banked": 6_000, "limit": 6_000}

    # company-2: borrows within 15% of 55,000 t, then surrenders; a year that borrowed does not bank
    assert refused(c2, Borrow(YEAR, 8_251)) == Code.BORROW_LIMIT_EXCEEDED
    client.submit(c2, Borrow(YEAR, 5_000))
    client.submit(c2, Surrender(YEAR, "KAU24", 55_000))
    assert refused(c2, Bank(YEAR, 1)) == Code.BANKING_NOT_ALLOWED

    # company-3: KCU up to 5% of 40,000 t, refused above it, the rest in KAU
    client.submit(c3, Surrender(YEAR, "KCU24", 2_000))
    assert refused(c3, Surrender(YEAR, "KCU24", 1)) == Code.OFFSET_CAP_EXCEEDED
    client.submit(c3, Surrender(YEAR, "KAU24", 38_000))

    # company-4: only half
    client.submit(c4, Surrender(YEAR, "KAU24", 30_000))
    position = ets(net, "compliance", "position", "--year", str(YEAR), "--key", "company-4")["years"][str(YEAR)]
    assert (position["shortfall"], position["penalty_per_tonne"], position["status"]) == (30_000, 30_000, "open")
    assert position["limits"]["may_surrender_kcu"] == 3_000 and position["limits"]["borrow_limit"] == 9_000

    # before the deadline the table shows certified figures, not what was surrendered
    table = ets(net, "query", "compliance", str(YEAR), "--json")
    assert {r["company"]: (r["certified"], r["surrendered"], r["status"]) for r in table["rows"]
            if r["company"] in {c.address for c in companies.values()}} == {
        c.address: (CERTIFIED[n], None, "open") for n, c in companies.items()}

    # the deadline by notice, 15 s ahead in block time; settlement runs in the end-of-block hook
    due = client.chain_time() + 15
    _governed(client, keys, SetComplianceDeadline(YEAR, due - 5, due))
    wait_until(lambda: client.query(f"/compliance/year/{YEAR}")["status"] == "settled", 90, "the 2024 settlement")
    year = client.query(f"/compliance/year/{YEAR}")
    assert (year["price_source"], year["penalty_per_tonne"], year["counts"]) == ("reference", 30_000, {"A": 3, "B": 1})

    table = ets(net, "query", "compliance", str(YEAR), "--json")
    rows = {r["company"]: r for r in table["rows"]}
    assert [rows[c.address]["status"] for c in companies.values()] == ["A", "A", "A", "B"]
    assert (rows[c4.address]["surrendered"], rows[c4.address]["penalty"]) == (30_000, 30_000 * 30_000)
    assert [rows[c.address]["certified"] for c in companies.values()] == list(CERTIFIED.values())
    (score,) = client.query("/compliance/scorecards")
    assert (score["verifier"], score["certified"], score["abs_difference"], score["lowered"]) == (verifier.address, 4, 200, 1)

    # company-4 is blocked for transfers out; it makes good late with the current vintage and is unblocked
    assert refused(c4, Transfer(c1.address, "KAU25", 1)) == Code.ACCOUNT_BLOCKED
    assert refused(c4, PlaceOrder("KAU25", "sell", 10_000, 1)) == Code.ACCOUNT_BLOCKED
    client.submit(c4, Surrender(YEAR, "KAU25", 30_000))
    client.submit(c4, Transfer(c1.address, "KAU25", 1))
    row = {r["company"]: r for r in client.query(f"/compliance/table/{YEAR}")["rows"]}[c4.address]
    assert (row["status"], row["surrendered"], row["penalty"]) == ("D", 60_000, 900_000_000)
    net.assert_same_app_hash()
