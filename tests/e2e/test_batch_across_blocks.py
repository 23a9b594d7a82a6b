"""An e-order batch larger than one block's share (``ISSUE_LINES_PER_BLOCK`` = 5,000 lines) is credited
across blocks on four real validators: 1,100 companies × 5 vintages = 5,500 lines, the first 5,000 at the
end of the approving block and the rest in the next one, every line credited once, the supply equal to
the plan's totals, and every validator with the same app hash."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from abci_app.modules.plans.issuance import ISSUE_LINES_PER_BLOCK
from datasets.demo import generate
from ets.keys import Signer
from ets.plan_upload import PlanFile, propose_issue, upload_plan
from ets.registry import CompanyEntry, register_companies
from governance import AllocationParameters, compute_allocation_plan
from governance.inputs import build_company_inputs
from governance.parameters import Reserve
from protocol.messages import Approve, RecordAccess

from .conftest import start_net, wait_until

pytestmark = pytest.mark.localnet
COMPANIES = 1_100


def _plan():
    data = generate(11, COMPANIES)
    merged = build_company_inputs(pre_allocation=data.pre_allocation, history="pre_allocation")
    cap = dict(data.total_cap.by_year)
    params = AllocationParameters(cap=cap, base_years=tuple(sorted(cap)), phase=3, vintages=tuple(sorted(cap)),
                                  market_stabilisation_reserve=Reserve(bp_of_cap=300))
    return merged.companies, compute_allocation_plan(merged.companies, params)


def _eorder_events(net, height: int) -> list[dict[str, str]]:
    events = net.rpc("node0", "block_results", height=height).get("finalize_block_events") or []
    return [{a["key"]: a["value"] for a in e["attributes"]} for e in events if e["type"] == "eorder"]


def test_a_batch_of_5500_lines_is_credited_across_two_blocks(tmp_path: Path):
    companies, plan = _plan()
    assert ISSUE_LINES_PER_BLOCK < len(plan.lines) < 2 * ISSUE_LINES_PER_BLOCK, len(plan.lines)
    net = start_net(tmp_path / "net", "ets-batch")
    try:
        client = net.client("node0")
        gov1, gov2, gov3 = net.keys["gov-1"], net.keys["gov-2"], net.keys["gov-3"]
        signers = {c.company_id: Signer.generate() for c in companies}
        entries = [CompanyEntry(c.company_id, c.company_id, c.sector, signers[c.company_id].address,
                                signers[c.company_id].public_key.hex()) for c in companies]
        assert register_companies(client, gov1, [gov2], entries) == COMPANIES
        upload_plan(client, gov1, PlanFile(plan.plan_hash, plan.header.to_dict(),
                                           [(line.company_id, line.vintage, line.amount) for line in plan.lines]))
        supply_before = client.query("/supply")  # the localnet's genesis holds opening balances too
        proposal = propose_issue(client, gov1, plan.plan_hash)
        approved = net.client("node1").submit(gov2, Approve(proposal), timeout=120)
        wait_until(lambda: client.query(f"/plan/{plan.plan_hash}")["status"] == "issued", 120, "every line issued")

        eorder = client.query(f"/eorder/{plan.plan_hash}")
        assert eorder["approved"]["height"] == approved.height
        assert eorder["issued"]["height"] == approved.height + 1, eorder  # one more block for the last 500 lines
        first, second = _eorder_events(net, approved.height), _eorder_events(net, approved.height + 1)
        assert [(e["status"], int(e["issued_lines"])) for e in first if e["plan_hash"] == plan.plan_hash][-1] == \
            ("issuing", ISSUE_LINES_PER_BLOCK)
        assert [(e["status"], int(e["issued_lines"])) for e in second if e["plan_hash"] == plan.plan_hash] == \
            [("issued", len(plan.lines))]

        totals: dict[str, int] = {}
        expected: dict[str, dict[str, int]] = {}
        for line in plan.lines:
            totals[line.vintage] = totals.get(line.vintage, 0) + line.amount
            expected.setdefault(line.company_id, {})[line.vintage] = line.amount
        assert eorder["totals"] == dict(sorted(totals.items()))
        supply = client.query("/supply")
        assert {v: supply.get(v, 0) - supply_before.get(v, 0) for v in totals} == totals
        client.submit(gov3, RecordAccess("*", "checking the credited batch after the block boundary"))
        # the lines on both sides of the boundary (index 4,999 and 5,000) and a sample of the rest
        boundary = {plan.lines[i].company_id for i in (0, ISSUE_LINES_PER_BLOCK - 1, ISSUE_LINES_PER_BLOCK, len(plan.lines) - 1)}
        for cid in sorted(boundary | set(random.Random(3).sample(sorted(expected), 40))):
            assert client.query(f"/balances/{signers[cid].address}", reader=gov3) == expected[cid], cid
        net.assert_same_app_hash()
    finally:
        net.net.stop()
