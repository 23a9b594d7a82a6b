"""Who looked: an official reads a company's private data only after recording why; the company reads the records."""

from __future__ import annotations

import json

import pytest

from abci_app.app import PRIVATE_RESULT
from protocol.codes import Code
from protocol.codec import tx_hash

from abci_harness import CHAIN_ID, Node, seal, transfer


def _ask(node: Node, reader, path: str):
    signed = reader.signed_query(CHAIN_ID, path, node.app.store.block_time)
    resp = node.query(path, signed.data)
    return resp.code, (json.loads(signed.open(resp.value)) if resp.code == Code.OK else resp.log)


def test_an_officials_read_needs_a_record_the_company_then_sees(node, actors):
    company, other, official = actors.companies[0], actors.companies[1], actors.gov[0]
    paths = [f"/balances/{company.address}", f"/holdings/{company.address}", f"/cash/{company.address}",
             f"/orders/{company.address}", f"/fills/{company.address}", f"/nonce/{company.address}",
             f"/block_trades/{company.address}", f"/state/bal/{company.address}/KAU25"]
    for path in paths:
        code, log = _ask(node, official, path)
        assert code == Code.ACCESS_NOT_RECORDED, path
        assert "ets access record" in log and company.address in log
    tx = node.sign(official, {"type": "record_access", "subject": company.address, "reason": "annual review of KAU holdings"})
    (public,) = node.finalize([tx]).tx_results[:-1]
    node.commit()
    assert public == PRIVATE_RESULT  # the public does not learn whom the regulator is looking at
    for path in paths:
        assert _ask(node, official, path)[0] == Code.OK, path
    assert _ask(node, official, f"/balances/{other.address}")[0] == Code.ACCESS_NOT_RECORDED  # only that company
    assert _ask(node, actors.gov[1], f"/balances/{company.address}")[0] == Code.ACCESS_NOT_RECORDED  # only that official

    code, records = _ask(node, company, f"/looked/{company.address}")
    assert code == Code.OK
    assert [(r["reader"], r["reason"], r["height"]) for r in records] == [(official.address, "annual review of KAU holdings", 1)]
    assert records[0]["until"] == records[0]["time"] + node.read("/params")["access_window_seconds"]
    assert _ask(node, other, f"/looked/{company.address}")[0] == Code.UNAUTHORIZED  # the company's own, and the auditors'
    assert _ask(node, actors.gov[2], f"/looked/{company.address}")[0] == Code.OK  # an auditor reads without a record

    # the window closes in block time
    window = node.read("/params")["access_window_seconds"]
    node.run(company, transfer(other, 1), time=node.time + window + 1)
    assert _ask(node, official, f"/balances/{company.address}")[0] == Code.ACCESS_NOT_RECORDED
    own = node.sign(company, transfer(other, 2))
    node.block([own])
    assert _ask(node, official, f"/tx/{tx_hash(own).hex()}")[0] == Code.ACCESS_NOT_RECORDED
    assert _ask(node, company, f"/tx/{tx_hash(own).hex()}")[0] == Code.OK  # the signer never needs one
    assert _ask(node, actors.bank, f"/cash/{company.address}")[0] == Code.OK  # the settlement bank is not audited here


def test_a_record_for_every_account_opens_listings(node, actors):
    official = actors.gov[1]
    assert _ask(node, official, "/block_trades")[0] == Code.ACCESS_NOT_RECORDED
    node.record_access(official, "*", "listing all block trades for the quarterly market report")
    assert _ask(node, official, "/block_trades")[0] == Code.OK
    assert _ask(node, official, f"/balances/{actors.companies[2].address}")[0] == Code.OK  # * covers each account too


@pytest.mark.parametrize("who, msg, code", [
    ("company", {"subject": "c1", "reason": "looking at a competitor"}, Code.UNAUTHORIZED),
    ("gov", {"subject": "c1", "reason": "short"}, Code.INVALID_MESSAGE),
    ("gov", {"subject": "c1", "reason": " " * 40}, Code.INVALID_MESSAGE),
    ("gov", {"subject": "gov", "reason": "my own account, for a test"}, Code.INVALID_MESSAGE),
    ("gov", {"subject": "ab" * 20, "reason": "an account that does not exist"}, Code.UNKNOWN_ACCOUNT),
    ("gov", {"subject": "not an address", "reason": "a malformed subject for a test"}, Code.INVALID_MESSAGE),
    ("gov", {"subject": "c1", "reason": "x" * 5_000}, Code.INVALID_MESSAGE),
])
def test_record_access_refusals(node, actors, who, msg, code):
    signer = {"company": actors.companies[1], "gov": actors.gov[0]}[who]
    subject = {"c1": actors.companies[0].address, "gov": actors.gov[0].address}.get(msg["subject"], msg["subject"])
    result = node.run(signer, {"type": "record_access", "subject": subject, "reason": msg["reason"]})
    assert result.code == code, result.log
    assert node.app.store.scan("looked/") == []


def test_a_chain_without_a_regulator_key_is_read_by_the_regulator_only_through_records(tmp_path, actors):
    state = actors.app_state()
    del state["privacy"]["regulator_key"]  # no key opens private txs off chain: every official read is recorded
    node = Node.start(tmp_path / "n", state)
    a, b, official = actors.companies[0], actors.companies[1], actors.gov[0]
    tx = seal(a.sign_tx(CHAIN_ID, 0, transfer(b, 9)), regulator=False)
    (result,) = node.block([tx])
    assert result.code == Code.OK, result.log  # accepted sealed to the execution key alone
    assert node.read("/privacy")["regulator_key"] is None
    assert _ask(node, official, f"/tx/{tx_hash(tx).hex()}")[0] == Code.ACCESS_NOT_RECORDED
    node.record_access(official, a, "a transfer the company asked us to confirm")
    assert _ask(node, official, f"/tx/{tx_hash(tx).hex()}")[1]["code"] == Code.OK
