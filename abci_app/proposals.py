"""m-of-n governance: officials propose governed actions, approve or reject them.

A proposal executes at the m-th approval (m = ``params.approvals_required``), inside the
approving transaction: the action succeeds as a whole or the approval fails with its code.
The proposer's own approval counts once; each official votes once; a proposal closes as
rejected once m approvals can no longer be reached, and expires after
``params.proposal_ttl_seconds`` of block time.

    prop/<id:012d>   {"id","action","proposer","created","expires_time","approvals","rejections","status",...}
    seq/proposal     last proposal id

Governed actions: register_account, register_accounts (accounts.py), issue_allowances (here),
issue_plan (plans.py).
"""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json

from .accounts import check_registration, execute_registration
from protocol.codes import Code, TxRejected
from protocol.constants import MAX_HOLDING
from protocol.messages import (
    Action,
    Approve,
    IssueAllowances,
    IssuePlan,
    Propose,
    RegisterAccount,
    RegisterAccounts,
    Reject,
)
from .plans import check_issue_plan, execute_issue_plan, mark_plan_rejected, note_plan_proposal
from .view import BlockContext, View, add_int, get_int, get_json, move, params, put_json, require_company

__all__ = ["handle_propose", "handle_approve", "handle_reject"]


def _check_action(view: View, action: Action, ctx: BlockContext) -> None:
    """Stateful checks of a governed action, both when proposed and when executed."""
    if isinstance(action, (RegisterAccount, RegisterAccounts)):
        check_registration(view, action)
    elif isinstance(action, IssueAllowances):
        require_company(view, action.to, "recipient", "allowances go to companies")
    elif isinstance(action, IssuePlan):
        plan = check_issue_plan(view, action)
        open_id = plan.get("open_proposal")
        if open_id is not None:
            proposal = get_json(view, f"prop/{open_id:012d}")
            if proposal["status"] == "open" and ctx.time <= proposal["expires_time"]:
                raise TxRejected(Code.PLAN_CONFLICT, f"plan {action.plan_hash} already has open proposal {open_id}; vote on that one")


def _execute_action(view: View, action: Action, ctx: BlockContext, proposal: dict[str, Any]) -> None:
    if isinstance(action, (RegisterAccount, RegisterAccounts)):
        execute_registration(view, action, ctx)
    elif isinstance(action, IssueAllowances):
        require_company(view, action.to, "recipient", "allowances go to companies")
        move(view, action.to, action.instrument, action.amount)
        if add_int(view, f"supply/{action.instrument}", action.amount) > MAX_HOLDING:
            raise TxRejected(Code.LIMIT_EXCEEDED, f"total {action.instrument} issued would exceed {MAX_HOLDING:,} t")
    elif isinstance(action, IssuePlan):
        execute_issue_plan(view, action, ctx, proposal)


def handle_propose(view: View, signer: str, msg: Propose, ctx: BlockContext) -> bytes:
    _check_action(view, msg.action, ctx)
    proposal_id = add_int(view, "seq/proposal", 1)
    proposal = {
        "id": proposal_id,
        "action": msg.raw_action,
        "proposer": signer,
        "created": {"height": ctx.height, "time": ctx.time},
        "expires_time": ctx.time + params(view)["proposal_ttl_seconds"],
        "approvals": [],
        "rejections": [],
        "status": "open",
    }
    if isinstance(msg.action, IssuePlan) and proposal["status"] == "open":
        note_plan_proposal(view, msg.action, proposal_id)
    _vote(view, proposal, signer, ctx, approve=True, reason="")
    return canonical_json({"proposal_id": proposal_id, "status": proposal["status"]})


def _open_proposal(view: View, proposal_id: int, signer: str, ctx: BlockContext) -> dict[str, Any]:
    proposal = get_json(view, f"prop/{proposal_id:012d}")
    if proposal is None:
        raise TxRejected(Code.PROPOSAL_NOT_FOUND, f"proposal {proposal_id} does not exist")
    if proposal["status"] != "open":
        raise TxRejected(Code.PROPOSAL_CLOSED, f"proposal {proposal_id} is already {proposal['status']}")
    if ctx.time > proposal["expires_time"]:
        raise TxRejected(Code.PROPOSAL_EXPIRED, f"proposal {proposal_id} expired at unix time {proposal['expires_time']}; propose it again")
    voters = {v["official"] for v in proposal["approvals"]} | {v["official"] for v in proposal["rejections"]}
    if signer in voters:
        raise TxRejected(Code.ALREADY_VOTED, f"you already voted on proposal {proposal_id}; each official votes once")
    return proposal


def _vote(view: View, proposal: dict[str, Any], signer: str, ctx: BlockContext, *, approve: bool, reason: str) -> None:
    required = params(view)["approvals_required"]
    vote = {"official": signer, "height": ctx.height, "time": ctx.time}
    action = Propose.from_json({"type": "propose", "action": proposal["action"]}).action
    if approve:
        proposal["approvals"].append(vote)
        if len(proposal["approvals"]) >= required:
            _execute_action(view, action, ctx, proposal)
            proposal["status"] = "executed"
            proposal["executed"] = {"height": ctx.height, "time": ctx.time}
    else:
        proposal["rejections"].append({**vote, "reason": reason})
        if get_int(view, "count/role/government") - len(proposal["rejections"]) < required:
            proposal["status"] = "rejected"
            proposal["closed"] = {"height": ctx.height, "time": ctx.time}
            if isinstance(action, IssuePlan):
                mark_plan_rejected(view, action, ctx)
    put_json(view, f"prop/{proposal['id']:012d}", proposal)


def handle_approve(view: View, signer: str, msg: Approve, ctx: BlockContext) -> bytes:
    proposal = _open_proposal(view, msg.proposal_id, signer, ctx)
    _vote(view, proposal, signer, ctx, approve=True, reason="")
    return canonical_json({"proposal_id": msg.proposal_id, "status": proposal["status"]})


def handle_reject(view: View, signer: str, msg: Reject, ctx: BlockContext) -> bytes:
    proposal = _open_proposal(view, msg.proposal_id, signer, ctx)
    _vote(view, proposal, signer, ctx, approve=False, reason=msg.reason)
    return canonical_json({"proposal_id": msg.proposal_id, "status": proposal["status"]})
