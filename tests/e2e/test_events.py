"""ABCI events on a real 4-validator network: tx_search finds txs by event type and public attributes,
and a transfer's block results show neither its amount nor its recipient."""

from __future__ import annotations

import json

import httpx
import pytest

from abci_app.modules.accounts.events import DEVICE_REGISTERED
from abci_app.modules.governance.events import PROPOSAL
from abci_app.modules.mrv.events import DAILY_TOTAL
from ets.keys import Signer
from protocol.calendar import day_number, iso_day
from protocol.events import MESSAGE
from protocol.messages import Approve, IssueAllowances, Propose, RegisterDevice, Transfer

from .conftest import Net

pytestmark = pytest.mark.localnet


def _search(net: Net, query: str) -> list[dict]:
    found = net.client("node0").call("tx_search", query=query, per_page="100")
    return found.get("txs") or []


def _hashes(txs: list[dict]) -> set[str]:
    return {t["hash"].lower() for t in txs}


def _attributes(tx_result: dict, event_type: str) -> list[dict[str, str]]:
    return [{a["key"]: a["value"] for a in e["attributes"]} for e in tx_result.get("events", []) if e["type"] == event_type]


def test_tx_search_finds_governance_txs_by_type_and_by_proposal_id(shared_net: Net):
    keys = shared_net.keys
    client = shared_net.client("node0")
    company = keys["company-3"]
    proposed = client.submit(keys["gov-1"], Propose(IssueAllowances(company.address, "KCU25", 7)).to_json())
    pid = json.loads(proposed.data)["proposal_id"]
    approved = client.submit(keys["gov-2"], Approve(pid).to_json())

    by_id = _search(shared_net, PROPOSAL.query("id", pid))
    assert _hashes(by_id) == {proposed.hash, approved.hash}
    statuses = sorted(_attributes(t["tx_result"], "proposal")[0]["status"] for t in by_id)
    assert statuses == ["executed", "open"]
    assert proposed.hash in _hashes(_search(shared_net, MESSAGE.query("type", "propose")))
    assert approved.hash not in _hashes(_search(shared_net, MESSAGE.query("type", "propose")))
    assert _hashes(_search(shared_net, f"{PROPOSAL.query('id', pid)} AND {PROPOSAL.query('status', 'executed')}")) == {approved.hash}


def test_tx_search_finds_a_device_and_its_daily_totals(shared_net: Net):
    keys = shared_net.keys
    client = shared_net.client("node0")
    company, device = keys["company-1"], Signer.generate()
    registered = client.submit(keys["verifier-1"], RegisterDevice(device.address, device.public_key.hex(), company.address,
                                                                   "events-stack", "CO2", "kg").to_json())
    yesterday = iso_day(day_number(client.chain_time()) - 1)
    reported = client.submit(device, {"type": "daily_total", "day": yesterday, "total": 4_242, "unit": "kg",
                                      "readings": 24, "substituted": 0, "merkle_root": "cd" * 32})

    assert _hashes(_search(shared_net, DEVICE_REGISTERED.query("device", device.address))) == {registered.hash}
    (found,) = _search(shared_net, DAILY_TOTAL.query("device", device.address))
    assert found["hash"].lower() == reported.hash
    assert _attributes(found["tx_result"], "daily_total") == [{
        "device": device.address, "company": company.address, "site": "events-stack", "day": yesterday, "total": "4242",
        "unit": "kg", "merkle_root": "cd" * 32}]
    by_company = _hashes(_search(shared_net, DAILY_TOTAL.query("company", company.address)))
    assert reported.hash in by_company


def test_a_transfer_is_not_found_by_type_and_its_block_results_show_nothing(shared_net: Net):
    keys = shared_net.keys
    client = shared_net.client("node0")
    sender, recipient = keys["company-2"], keys["company-4"]
    amount = 4_321
    commit = client.submit(sender, Transfer(recipient.address, "KAU25", amount).to_json())
    assert commit.hash not in _hashes(_search(shared_net, MESSAGE.query("type", "transfer")))  # sealed: no type

    results = httpx.get(f"{shared_net.net.rpc_url('node0')}/block_results", params={"height": commit.height}, timeout=5)
    text = results.text
    assert recipient.address not in text.lower() and str(amount) not in text and f"{amount:,}" not in text
    body = results.json()["result"]
    (found,) = _search(shared_net, f"tx.hash='{commit.hash.upper()}'")
    tx_result = body["txs_results"][int(found["index"])]
    assert not tx_result.get("events") and tx_result.get("data") in (None, "") and tx_result.get("log", "") == ""
    assert int(tx_result.get("code", 0)) == 0 and client.private_result(sender, commit).code == 0
    for event in body.get("finalize_block_events") or []:  # block hooks carry market aggregates only
        assert all(recipient.address not in a["value"] and sender.address not in a["value"] for a in event["attributes"])
