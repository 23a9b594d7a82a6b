"""The government's decision on an allocation plan, as a ``protocol.messages`` transaction.

Issuing a sealed plan is a governed action (``IssuePlan``) that needs m-of-n approvals:

    approve, no open proposal for the plan   → Propose(IssuePlan(plan_hash))
                                               (the proposer's approval counts; at m = 1 it issues at once)
    approve, a proposal is open              → Approve(proposal_id)   (the m-th approval issues)
    reject,  a proposal is open              → Reject(proposal_id, reason)
    reject,  no proposal is open             → nothing is sent: there is nothing on chain to reject

One decision is one transaction, so nothing is ever half-applied: the chain accepts it whole
or rejects it with a code and a log (``ets.rpc.TxRejectedError``), and the approval that
reaches m issues every line of the plan in that same transaction or none of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Union

from ets.keys import Signer
from ets.rpc import ChainClient, TxCommit
from protocol.codes import TxRejected
from protocol.constants import MAX_REASON
from protocol.messages import Approve, IssuePlan, Propose, Reject

from . import allocations, governance

__all__ = ["DecisionError", "PlanDecision", "MAX_REASON", "SEALED", "plan_decision_message", "decide_plan",
           "decision_result"]

SEALED = "sealed"  # a plan whose lines are all on chain and hash to its declared hash
Decision = Union[Propose, Approve, Reject]


class DecisionError(ValueError):
    """A decision that cannot be sent as asked (nothing was sent); the message says why and what to do."""


@dataclass(frozen=True)
class PlanDecision:
    """What was sent and what the chain answered."""

    sent: str  # "propose" | "approve" | "reject"
    proposal_id: int
    status: str  # the proposal's status after the tx: open | executed | rejected
    tx_hash: str
    height: int


def _rejection(proposal_id: int, reason: str) -> Reject:
    msg = Reject(proposal_id, reason.strip())
    try:
        return Reject.from_json(msg.to_json())  # the wire's own check of a reason
    except TxRejected:
        raise DecisionError(f"A rejection needs a reason: printable text of 1 to {MAX_REASON} characters "
                            "(one line).") from None


def plan_decision_message(client: ChainClient, plan_hash: str, *, approve: bool, reason: str = "") -> Decision:
    """The message a decision sends, given the chain's current state; raises ``DecisionError`` if none applies."""
    plan = allocations.plan_record(client, plan_hash)
    if plan is None:
        raise DecisionError(f"There is no allocation plan {plan_hash} on chain.")
    open_proposal = governance.open_plan_proposal(client, plan_hash)
    if open_proposal is None:
        if plan["status"] != SEALED:
            raise DecisionError(f"Plan {plan_hash[:12]}… is {plan['status']}; only a sealed plan (all lines uploaded, "
                                "hash checked) can be proposed for issue.")
        if not approve:
            raise DecisionError("No proposal is open for this plan, so there is nothing to reject on chain; the plan "
                                "stays sealed and unissued unless an official proposes it.")
        return Propose(IssuePlan(plan_hash))
    if approve:
        return Approve(int(open_proposal["id"]))
    return _rejection(int(open_proposal["id"]), reason)


def decide_plan(client: ChainClient, signer: Signer, plan_hash: str, *, approve: bool, reason: str = "",
                timeout: float = 30.0) -> PlanDecision:
    """Send the official's decision and wait for its commit (a notebook's way; the page uses ``portal.submit``).

    Raises ``DecisionError`` (nothing sent) or ``ets.rpc.TxRejectedError`` (the chain refused it:
    ``code`` and ``log`` say why; nothing changed)."""
    msg = plan_decision_message(client, plan_hash, approve=approve, reason=reason)
    commit = client.submit(signer, msg.to_json(), timeout=timeout)
    assert isinstance(commit, TxCommit)
    return decision_result(msg, commit)


def decision_result(msg: Decision, commit: TxCommit) -> PlanDecision:
    """What a committed decision did, from the chain's result data."""
    result = json.loads(commit.data or b"{}")
    return PlanDecision(msg.TYPE, int(result.get("proposal_id", getattr(msg, "proposal_id", 0))),
                        str(result.get("status", "")), commit.hash, commit.height)
