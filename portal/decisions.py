"""The government's decision on an allocation plan, as chain transactions.

Issuing a sealed plan is a governed action (``issue_plan``) that needs m-of-n approvals:

    approve, no open proposal for the plan   → propose {"action": {"type": "issue_plan", "plan_hash": ...}}
                                               (the proposer's approval counts; at m = 1 it issues at once)
    approve, a proposal is open              → approve {"proposal_id": ...}   (the m-th approval issues)
    reject,  a proposal is open              → reject {"proposal_id": ..., "reason": ...}
    reject,  no proposal is open             → nothing is sent: there is nothing on chain to reject

One decision is one transaction, so nothing is ever half-applied: the chain accepts it whole
or rejects it with a code and a log (``ets.rpc.TxRejectedError``), and the approval that
reaches m issues every line of the plan in that same transaction or none of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ets.keys import Signer
from ets.rpc import ChainClient, TxCommit

from . import queries

__all__ = ["DecisionError", "PlanDecision", "MAX_REASON", "plan_decision_message", "decide_plan"]

MAX_REASON = 500  # the chain's limit for a rejection reason


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


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON or not reason.isprintable():
        raise DecisionError(f"A rejection needs a reason: printable text of 1 to {MAX_REASON} characters (one line).")
    return reason


def plan_decision_message(client: ChainClient, plan_hash: str, *, approve: bool, reason: str = "") -> dict:
    """The message a decision sends, given the chain's current state; raises ``DecisionError`` if none applies."""
    plan = queries.plan_record(client, plan_hash)
    if plan is None:
        raise DecisionError(f"There is no allocation plan {plan_hash} on chain.")
    open_proposal = queries.open_plan_proposal(client, plan_hash)
    if open_proposal is None:
        if plan["status"] != "sealed":
            raise DecisionError(f"Plan {plan_hash[:12]}… is {plan['status']}; only a sealed plan (all lines uploaded, "
                                "hash checked) can be proposed for issue.")
        if not approve:
            raise DecisionError("No proposal is open for this plan, so there is nothing to reject on chain; the plan "
                                "stays sealed and unissued unless an official proposes it.")
        return {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan_hash}}
    if approve:
        return {"type": "approve", "proposal_id": open_proposal["id"]}
    return {"type": "reject", "proposal_id": open_proposal["id"], "reason": _reason(reason)}


def decide_plan(client: ChainClient, signer: Signer, plan_hash: str, *, approve: bool, reason: str = "",
                timeout: float = 30.0) -> PlanDecision:
    """Send the official's decision and wait for its commit.

    Raises ``DecisionError`` (nothing sent) or ``ets.rpc.TxRejectedError`` (the chain refused it:
    ``code`` and ``log`` say why; nothing changed)."""
    msg = plan_decision_message(client, plan_hash, approve=approve, reason=reason)
    commit = client.submit(signer, msg, timeout=timeout)
    assert isinstance(commit, TxCommit)
    result = json.loads(commit.data or b"{}")
    return PlanDecision(msg["type"], int(result.get("proposal_id", msg.get("proposal_id", 0))),
                        str(result.get("status", "")), commit.hash, commit.height)
