"""Quantity limits, first-result-stands for tx records, bounded caches, strict genesis JSON."""

from __future__ import annotations

import json

import pytest

from abci_app.errors import GenesisError
from protocol.codes import Code
from abci_app.genesis import genesis_entries
from protocol.constants import MAX_HOLDING
from abci_app.state import _ABSENT_LIMIT, Store
from abci_harness import BLINDING_KEY, Actors, Node, approve, issue, transfer
from protocol.codec import tx_hash


def test_issuance_past_the_holding_limit_is_refused(tmp_path):
    actors = Actors.make()
    company = actors.companies[0]
    node = Node.start(tmp_path / "n", actors.app_state(balances={company.address: {"KAU30": MAX_HOLDING - 10}}))
    proposal = json.loads(node.run(actors.gov[0], issue(company, 11, "KAU30")).data)["proposal_id"]
    result = node.run(actors.gov[1], approve(proposal))
    assert result.code == Code.LIMIT_EXCEEDED and f"{MAX_HOLDING:,}" in result.log
    assert node.balances(company)["KAU30"] == MAX_HOLDING - 10
    proposal = json.loads(node.run(actors.gov[0], issue(company, 10, "KAU30")).data)["proposal_id"]
    assert node.run(actors.gov[1], approve(proposal)).code == Code.OK
    assert node.balances(company)["KAU30"] == MAX_HOLDING


def test_first_result_of_a_tx_hash_stands(node, actors):
    tx = node.sign(actors.gov[0], {"type": "propose", "action": {  # a public tx: its results are public
        "type": "issue_allowances", "to": actors.companies[1].address, "instrument": "KAU25", "amount": 5}})
    first, second = node.block([tx, tx])  # only a byzantine majority could commit this block
    assert (first.code, second.code) == (Code.OK, Code.NONCE_REPLAYED)
    record = node.read(f"/tx/{tx_hash(tx).hex()}")
    assert record["code"] == Code.OK and record["index"] == 0


def test_lookups_of_absent_keys_do_not_grow_memory_without_bound(tmp_path):
    store = Store(tmp_path / "s.sqlite", BLINDING_KEY)
    store.reset_genesis("c", {"params": b"{}"}, 0)
    for i in range(_ABSENT_LIMIT + 10):
        assert store.get(f"nonce/{i:040x}") is None
    assert len(store._absent) <= _ABSENT_LIMIT
    writes = {"nonce/" + "0" * 40: b"3"}
    store.commit_block(1, store.stage(1, writes), 1, writes, [])
    assert store.get("nonce/" + "0" * 40) == b"3"


def test_genesis_with_a_repeated_key_is_refused():
    actors = Actors.make()
    text = json.dumps(actors.app_state())
    doubled = text.replace('"params": {', '"params": {"approvals_required": 1, ', 1)
    with pytest.raises(GenesisError, match="approvals_required"):
        genesis_entries(doubled.encode())


def test_a_handler_bug_reached_through_the_mempool_is_a_rejection_not_a_crash(node, actors, monkeypatch):
    import dataclasses

    from abci_app import rules
    from protocol.messages import Transfer

    def broken(view, signer, msg, ctx):
        raise RuntimeError("simulated bug")

    monkeypatch.setitem(rules.RULES, Transfer, dataclasses.replace(rules.RULES[Transfer], handler=broken))
    response = node.check(node.sign(actors.companies[0], transfer(actors.companies[1], 1)))
    assert response.code == Code.INTERNAL and "refused" in response.log
