"""``portal.data.decisions`` on a real validator: propose, approve, reject, and every refusal along the way."""

from __future__ import annotations

import pytest

from ets.rpc import TxRejectedError
from portal.data import allocations, decisions, governance
from protocol.codes import Code
from protocol.messages import Approve, IssuePlan, Propose, Reject
from portal_chain import SeededChain

pytestmark = pytest.mark.localnet


def test_reject_path_of_a_plan(chain: SeededChain):
    client, keys = chain.client, chain.keys
    plan = chain.plans["decisions"].hash
    nonce = client.next_nonce(keys["gov-2"])

    with pytest.raises(decisions.DecisionError, match="nothing to reject"):
        decisions.decide_plan(client, keys["gov-2"], plan, approve=False, reason="too generous")
    assert client.next_nonce(keys["gov-2"]) == nonce, "a refused decision must send nothing"

    assert decisions.plan_decision_message(client, plan, approve=True) == Propose(IssuePlan(plan))
    first = decisions.decide_plan(client, keys["gov-1"], plan, approve=True)
    assert (first.sent, first.status) == ("propose", "open")
    assert governance.open_plan_proposal(client, plan)["id"] == first.proposal_id
    assert decisions.plan_decision_message(client, plan, approve=True) == Approve(first.proposal_id)
    assert decisions.plan_decision_message(client, plan, approve=False, reason="  too generous ") == Reject(
        first.proposal_id, "too generous")

    with pytest.raises(TxRejectedError) as twice:
        decisions.decide_plan(client, keys["gov-1"], plan, approve=True)
    assert twice.value.code == Code.ALREADY_VOTED

    with pytest.raises(TxRejectedError) as company:
        decisions.decide_plan(client, chain.company("chem").signer, plan, approve=True)
    assert company.value.code == Code.UNAUTHORIZED

    for bad in ("", "   ", "x" * (decisions.MAX_REASON + 1), "two\nlines"):
        with pytest.raises(decisions.DecisionError, match="needs a reason"):
            decisions.decide_plan(client, keys["gov-2"], plan, approve=False, reason=bad)

    second = decisions.decide_plan(client, keys["gov-2"], plan, approve=False, reason="the chemical sector is over-allocated")
    assert (second.sent, second.proposal_id, second.status) == ("reject", first.proposal_id, "open")
    third = decisions.decide_plan(client, keys["gov-3"], plan, approve=False, reason="agree with the review")
    assert third.status == "rejected"
    assert allocations.plan_record(client, plan)["status"] == "rejected"
    votes = governance.proposal_votes(client, first.proposal_id)
    assert list(votes["vote"]) == ["approve", "reject", "reject"]
    assert votes["reason"].iloc[1] == "the chemical sector is over-allocated"

    with pytest.raises(decisions.DecisionError, match="is rejected"):
        decisions.decide_plan(client, keys["gov-1"], plan, approve=True)


def test_unknown_plan_is_refused_before_sending(chain: SeededChain):
    with pytest.raises(decisions.DecisionError, match="no allocation plan"):
        decisions.plan_decision_message(chain.client, "ab" * 32, approve=True)


def test_issued_plan_has_nothing_left_to_decide(chain: SeededChain):
    with pytest.raises(decisions.DecisionError, match="is issued"):
        decisions.plan_decision_message(chain.client, chain.plans["initial"].hash, approve=True)
