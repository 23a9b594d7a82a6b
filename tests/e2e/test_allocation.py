"""Allocation of the real Phase 3 list on a real 4-validator network: register, upload, approve 2-of-3, issue once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from protocol.codes import Code
from protocol.messages import Approve, IssuePlan, Propose, RecordAccess, Reject

from ets.keys import Signer
from ets.plan_upload import load_plan_file, propose_issue, upload_plan
from ets.registry import CompanyEntry, register_companies
from ets.rpc import TxRejectedError

from .conftest import Net, wait_until

pytestmark = pytest.mark.localnet

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
PRE_ALLOCATION = DATASETS / "kets" / "phase3_pre_allocation_2021_2025.csv"
TOTAL_CAP = DATASETS / "kets" / "phase3_total_cap.csv"


@pytest.fixture(scope="module")
def phase3_plan(tmp_path_factory):
    if not PRE_ALLOCATION.exists() or not TOTAL_CAP.exists():
        pytest.skip(f"the real ETRS files are not in {DATASETS} (the shared datasets folder beside the repository)")
    import datasets
    from governance import AllocationParameters, compute_allocation_plan
    from governance.inputs import build_company_inputs

    records = datasets.read_pre_allocation(PRE_ALLOCATION, unique=False)
    merged = build_company_inputs(pre_allocation=records, history="pre_allocation")
    cap = datasets.read_total_cap(TOTAL_CAP)
    params = AllocationParameters(cap=dict(cap.by_year), base_years=(2021, 2022, 2023, 2024, 2025), phase=3,
                                  vintages=tuple(sorted(cap.by_year)))
    plan = compute_allocation_plan(merged.companies, params,
                                   inputs={"phase3_pre_allocation": datasets.file_sha256(PRE_ALLOCATION),
                                           "phase3_total_cap": datasets.file_sha256(TOTAL_CAP)})
    path = tmp_path_factory.mktemp("plan") / "phase3.json"
    path.write_bytes(plan.to_json())
    sectors = {c.company_id: c.sector for c in merged.companies}
    return load_plan_file(path), sectors


def test_real_phase3_plan_is_issued_exactly_once(shared_net: Net, phase3_plan):
    plan, sectors = phase3_plan
    keys = shared_net.keys
    gov1, gov2, gov3 = keys["gov-1"], keys["gov-2"], keys["gov-3"]
    client = shared_net.client("node0")
    companies = {cid: Signer.generate() for cid in sorted(sectors)}
    assert len(companies) == 780  # the real list: 781 rows, one company listed twice
    assert {line[0] for line in plan.lines} <= set(companies)
    entries = [CompanyEntry(cid, cid, sectors.get(cid), s.address, s.public_key.hex()) for cid, s in companies.items()]
    assert register_companies(client, gov1, [gov2], entries) == len(entries)
    assert register_companies(client, gov1, [gov2], entries) == 0  # a re-run registers nothing twice

    state = upload_plan(shared_net.client("node1"), gov1, plan)
    assert state["status"] == "sealed" and state["received"] == len(plan.lines)
    shared_net.sync(shared_net.height("node1"))
    supply_before = client.query("/supply")

    pid = propose_issue(client, gov1, plan.plan_hash)
    shared_net.sync(shared_net.height("node0"))
    company = next(iter(companies.values()))
    with pytest.raises(TxRejectedError) as refused:
        client.submit(company, Approve(pid))
    assert refused.value.code in (Code.UNAUTHORIZED, Code.UNKNOWN_SIGNER)
    assert client.query("/supply") == supply_before  # one official alone issues nothing

    started = time.perf_counter()
    commit = shared_net.client("node2").submit(gov2, Approve(pid))
    assert commit.code == Code.OK
    wait_until(lambda: client.query(f"/plan/{plan.plan_hash}")["status"] == "issued", 120, "every e-order to be credited", 0.05)
    elapsed = time.perf_counter() - started
    print(f"\n[figure] {len(plan.lines):,} e-orders for {len(companies)} companies committed {elapsed:.2f} s after the final approval was broadcast")

    shared_net.assert_same_app_hash()
    expected: dict[str, dict[str, int]] = {}
    for cid, vintage, amount in plan.lines:
        expected.setdefault(cid, {})[vintage] = amount
    reader = shared_net.client("node3")
    reader.submit(gov3, RecordAccess("*", "checking every company's credited allocation"))
    for cid, signer in companies.items():
        assert reader.query(f"/balances/{signer.address}", reader=gov3) == expected.get(cid, {}), cid
        assert reader.query(f"/allocations/{signer.address}") == ({plan.plan_hash: expected[cid]} if cid in expected else {})
    supply = reader.query("/supply")
    for vintage in {v for _, v, _ in plan.lines}:
        issued = sum(a for _, v, a in plan.lines if v == vintage)
        assert supply[vintage] == supply_before.get(vintage, 0) + issued
    eorder = reader.query(f"/eorder/{plan.plan_hash}")
    assert eorder["proposer"] == gov1.address and [a["official"] for a in eorder["approvals"]] == [gov1.address, gov2.address]

    with pytest.raises(TxRejectedError) as twice:  # issuing twice credits once
        client.submit(gov3, Propose(IssuePlan(plan.plan_hash)))
    assert twice.value.code == Code.PLAN_CONFLICT
    assert reader.query("/supply") == supply


def test_a_rejected_plan_issues_nothing(shared_net: Net, tmp_path):
    from protocol.plan_format import plan_hash

    keys = shared_net.keys
    gov1, gov2, gov3 = keys["gov-1"], keys["gov-2"], keys["gov-3"]
    client = shared_net.client("node0")
    company = Signer.generate()
    register_companies(client, gov3, [gov1], [CompanyEntry("(주)추가할당", "(주)추가할당", "산업", company.address, company.public_key.hex())])
    header = {"kind": "additional", "note": "test"}
    lines = [("(주)추가할당", "KAU29", 1234)]
    from ets.plan_upload import PlanFile

    plan = PlanFile(plan_hash(header, lines), header, lines)
    upload_plan(client, gov3, plan)
    pid = propose_issue(client, gov3, plan.plan_hash)
    client.submit(gov1, Reject(pid, "the new-entrant reserve is exhausted"))
    client.submit(gov2, Reject(pid, "agreed"))
    assert client.query(f"/plan/{plan.plan_hash}")["status"] == "rejected"
    assert "KAU29" not in client.query("/supply")
    assert client.query(f"/balances/{company.address}", reader=company) == {}
