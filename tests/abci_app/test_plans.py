"""Allocation plans on chain: chunked upload sealed by hash, m-of-n batch issue of e-orders."""

from __future__ import annotations

import json

import pytest

from protocol.codes import Code
from abci_harness import Actors, Node, approve, proposal_id, reject
from ets.keys import Signer
from protocol.plan_format import plan_hash as compute_plan_hash

HEADER = {"kind": "initial", "phase": 4, "vintages": ["KAU28", "KAU29"], "inputs": {"pre_allocation.csv": "ab" * 32}}


def _companies(n: int) -> list[tuple[str, Signer]]:
    return [(f"(주)회사{i:04d}", Signer.generate()) for i in range(n)]


def _lines(companies: list[tuple[str, Signer]]) -> list[tuple[str, str, int]]:
    return sorted((cid, vintage, 1000 + 7 * i + (1 if vintage == "KAU29" else 0))
                  for i, (cid, _) in enumerate(companies) for vintage in ("KAU28", "KAU29"))


def _register_all(node: Node, actors: Actors, companies: list[tuple[str, Signer]]) -> None:
    accounts = [{"address": s.address, "public_key": s.public_key.hex(), "role": "company", "name": cid,
                 "company_id": cid, "sector": "산업"} for cid, s in companies]
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": {"type": "register_accounts", "accounts": accounts}}))
    assert node.run(actors.gov[1], approve(pid)).code == Code.OK


def _upload(node: Node, official: Signer, header: dict, lines: list, chunk: int = 3, declared: str | None = None) -> str:
    plan_hash = declared or compute_plan_hash(header, lines)
    assert node.run(official, {"type": "plan_open", "plan_hash": plan_hash, "header": header, "lines": len(lines)}).code == Code.OK
    for offset in range(0, len(lines), chunk):
        result = node.run(official, {"type": "plan_chunk", "plan_hash": plan_hash, "offset": offset,
                                     "lines": [list(l) for l in lines[offset:offset + chunk]]})
        if offset + chunk >= len(lines) and declared:
            return result  # type: ignore[return-value]
        assert result.code == Code.OK, result.log
    return plan_hash


@pytest.fixture
def setup(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "n", actors.app_state())
    companies = _companies(5)
    _register_all(node, actors, companies)
    return node, actors, companies


def test_plan_is_sealed_approved_and_issued_once(setup):
    node, actors, companies = setup
    lines = _lines(companies)
    plan_hash = _upload(node, actors.gov[0], HEADER, lines)
    assert node.read(f"/plan/{plan_hash}")["status"] == "sealed"
    assert node.read(f"/plan_lines/{plan_hash}?offset=0&limit=100") == [list(l) for l in lines]

    propose = {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}}
    pid = proposal_id(node.run(actors.gov[2], propose))
    assert node.run(actors.companies[0], approve(pid)).code == Code.UNAUTHORIZED
    assert node.read("/supply").get("KAU28") is None  # one official alone issues nothing
    result = node.run(actors.gov[1], approve(pid))
    assert result.code == Code.OK and json.loads(result.data)["status"] == "executed"

    for cid, signer in companies:
        expected = {v: a for c, v, a in lines if c == cid}
        assert node.balances(signer) == expected
        assert node.read(f"/allocations/{signer.address}") == {plan_hash: expected}
    supply = node.read("/supply")
    assert supply["KAU28"] == sum(a for _, v, a in lines if v == "KAU28")
    eorder = node.read(f"/eorder/{plan_hash}")
    assert eorder["proposer"] == actors.gov[2].address
    assert [a["official"] for a in eorder["approvals"]] == [actors.gov[2].address, actors.gov[1].address]
    assert eorder["lines"] == len(lines)

    # issuing twice credits once
    again = node.run(actors.gov[0], propose)
    assert again.code == Code.PLAN_CONFLICT and "already issued" in again.log
    assert node.read("/supply") == supply


def test_rejected_plan_issues_nothing(setup):
    node, actors, companies = setup
    plan_hash = _upload(node, actors.gov[0], HEADER, _lines(companies))
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}}))
    assert node.run(actors.gov[1], reject(pid, "base years wrong")).code == Code.OK
    assert node.run(actors.gov[2], reject(pid, "agree")).code == Code.OK
    assert node.read(f"/proposal/{pid}")["status"] == "rejected"
    assert node.read(f"/plan/{plan_hash}")["status"] == "rejected"
    assert "KAU28" not in node.read("/supply")
    retry = node.run(actors.gov[1], {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}})
    assert retry.code == Code.PLAN_CONFLICT


def test_upload_rules(setup):
    node, actors, companies = setup
    lines = _lines(companies)
    wrong = _upload(node, actors.gov[0], HEADER, lines, declared="0" * 64)
    assert wrong.code == Code.PLAN_HASH_MISMATCH
    assert node.read(f"/plan/{'0' * 64}")["status"] == "uploading"

    plan_hash = compute_plan_hash(HEADER, lines)
    assert node.run(actors.gov[1], {"type": "plan_open", "plan_hash": plan_hash, "header": HEADER, "lines": len(lines)}).code == Code.OK
    chunk = {"type": "plan_chunk", "plan_hash": plan_hash, "offset": 0, "lines": [list(l) for l in lines[:2]]}
    assert node.run(actors.gov[0], chunk).code == Code.UNAUTHORIZED  # not the official who opened it
    assert node.run(actors.gov[1], {**chunk, "offset": 2}).code == Code.CHUNK_OUT_OF_ORDER
    unsorted = {**chunk, "lines": [list(lines[1]), list(lines[0])]}
    assert node.run(actors.gov[1], unsorted).code == Code.INVALID_MESSAGE
    assert node.run(actors.gov[1], chunk).code == Code.OK
    early = node.run(actors.gov[1], {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}})
    assert early.code == Code.PLAN_CONFLICT and "not all uploaded" in early.log
    assert node.run(actors.companies[0], {"type": "plan_open", "plan_hash": "1" * 64, "header": {}, "lines": 1}).code == Code.UNAUTHORIZED


def test_plan_naming_an_unregistered_company_issues_nothing(setup):
    node, actors, companies = setup
    lines = sorted(_lines(companies) + [("(주)미등록", "KAU28", 5)])
    plan_hash = _upload(node, actors.gov[0], HEADER, lines)
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}}))
    result = node.run(actors.gov[1], approve(pid))
    assert result.code == Code.UNKNOWN_ACCOUNT and "(주)미등록" in result.log
    assert "KAU28" not in node.read("/supply")
    assert node.read(f"/plan/{plan_hash}")["status"] == "sealed"


def test_company_ids_are_unique(setup):
    node, actors, companies = setup
    cid, _ = companies[0]
    newcomer = Signer.generate()
    action = {"type": "register_account", "address": newcomer.address, "public_key": newcomer.public_key.hex(),
              "role": "company", "name": "copy", "company_id": cid}
    result = node.run(actors.gov[0], {"type": "propose", "action": action})
    assert result.code == Code.ACCOUNT_EXISTS and "company id" in result.log


def test_a_large_batch_is_credited_over_several_blocks_and_completes(setup, monkeypatch):
    from abci_app.modules.plans import issuance

    monkeypatch.setattr(issuance, "ISSUE_LINES_PER_BLOCK", 4)
    node, actors, companies = setup
    lines = _lines(companies)  # 10 lines → blocks of 4, 4, 2
    plan_hash = _upload(node, actors.gov[0], HEADER, lines)
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}}))
    assert node.run(actors.gov[1], approve(pid)).code == Code.OK
    approved_at = node.height
    progress = [node.read(f"/plan/{plan_hash}")["issued_lines"]]
    assert node.read(f"/plan/{plan_hash}")["status"] == "issuing"
    again = node.run(actors.gov[2], {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}})
    assert again.code == Code.PLAN_CONFLICT  # cannot be queued twice while it is being issued
    progress.append(node.read(f"/plan/{plan_hash}")["issued_lines"])  # that block carried on too
    while node.read(f"/plan/{plan_hash}")["status"] == "issuing":
        node.block([])
        progress.append(node.read(f"/plan/{plan_hash}")["issued_lines"])
    assert progress == [4, 8, 10]
    eorder = node.read(f"/eorder/{plan_hash}")
    assert eorder["status"] == "issued" and eorder["approved"]["height"] == approved_at < eorder["issued"]["height"]
    for cid, signer in companies:
        assert node.balances(signer) == {v: a for c, v, a in lines if c == cid}
    assert node.read("/supply")["KAU28"] == sum(a for _, v, a in lines if v == "KAU28")


def test_one_open_proposal_per_plan(setup):
    node, actors, companies = setup
    plan_hash = _upload(node, actors.gov[0], HEADER, _lines(companies))
    propose = {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}}
    first = proposal_id(node.run(actors.gov[0], propose))
    second = node.run(actors.gov[1], propose)
    assert second.code == Code.PLAN_CONFLICT and f"open proposal {first}" in second.log
    later = node.time + 8 * 24 * 3600  # the first proposal expired: a new one may be made
    assert node.run(actors.gov[1], propose, time=later).code == Code.OK


def test_lines_are_stored_one_key_per_chunk_and_read_back_at_any_offset(setup):
    node, actors, companies = setup
    lines = _lines(companies)  # 10 lines in chunks of 3, 3, 3, 1
    plan_hash = _upload(node, actors.gov[0], HEADER, lines)
    chunk_keys = [k for k, _ in node.app.store.scan(f"planchunk/{plan_hash}/")]
    assert chunk_keys == [f"planchunk/{plan_hash}/{end:07d}" for end in (3, 6, 9, 10)]
    assert node.app.store.scan(f"planline/{plan_hash}/") == []
    for offset in range(len(lines) + 2):
        for limit in (1, 2, 4, 7, 100):
            got = node.read(f"/plan_lines/{plan_hash}?offset={offset}&limit={limit}")
            assert got == [list(l) for l in lines[offset:offset + limit]], (offset, limit)
