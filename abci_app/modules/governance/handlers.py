"""Propose, approve, reject: the votes, and running the governed action at the m-th approval."""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages import Action, parse_action
from protocol.messages.governance import Approve, Propose, Reject

from ...view import BlockContext, View, add_int, get_int, get_json, params, put_json
from .. import GovernedAction, governed_action
from ..accounts import keys as account_keys
from . import keys
from .events import PROPOSAL, VOTE

__all__ = ["handle_propose", "handle_approve", "handle_reject", "CHAIN_PROPOSER", "open_by_chain"]

CHAIN_PROPOSER = "chain"  # the proposer of a proposal the chain opens by rule (no official's approval counted)


def _governed(action: Action) -> GovernedAction:
    return governed_action(type(action))  # declared by its module; the chain assembled in rules.py


def handle_propose(view: View, signer: str, msg: Propose, ctx: BlockContext) -> bytes:
    governed = _governed(msg.action)
    governed.check(view, msg.action, ctx)
    proposal_id = add_int(view, keys.PROPOSAL_SEQ, 1)
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
    if governed.on_proposed is not None:
        governed.on_proposed(view, msg.action, proposal_id)
    _vote(view, proposal, signer, ctx, approve=True, reason="")
    return canonical_json({"proposal_id": proposal_id, "status": proposal["status"]})


def _open_proposal(view: View, proposal_id: int, signer: str, ctx: BlockContext) -> dict[str, Any]:
    proposal = get_json(view, keys.proposal(proposal_id))
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
    action = parse_action(proposal["action"])
    governed = _governed(action)
    ctx.emit(VOTE(proposal_id=proposal["id"], official=signer, vote="approve" if approve else "reject"))
    if approve:
        proposal["approvals"].append(vote)
        if len(proposal["approvals"]) >= required:
            governed.execute(view, action, ctx, proposal)
            proposal["status"] = "executed"
            proposal["executed"] = {"height": ctx.height, "time": ctx.time}
    else:
        proposal["rejections"].append({**vote, "reason": reason})
        if get_int(view, account_keys.role_count("government")) - len(proposal["rejections"]) < required:
            proposal["status"] = "rejected"
            proposal["closed"] = {"height": ctx.height, "time": ctx.time}
            if governed.on_rejected is not None:
                governed.on_rejected(view, action, ctx)
    put_json(view, keys.proposal(proposal["id"]), proposal)
    ctx.emit(PROPOSAL(id=proposal["id"], action=action.TYPE, status=proposal["status"]))


def handle_approve(view: View, signer: str, msg: Approve, ctx: BlockContext) -> bytes:
    proposal = _open_proposal(view, msg.proposal_id, signer, ctx)
    _vote(view, proposal, signer, ctx, approve=True, reason="")
    return canonical_json({"proposal_id": msg.proposal_id, "status": proposal["status"]})


def handle_reject(view: View, signer: str, msg: Reject, ctx: BlockContext) -> bytes:
    proposal = _open_proposal(view, msg.proposal_id, signer, ctx)
    _vote(view, proposal, signer, ctx, approve=False, reason=msg.reason)
    return canonical_json({"proposal_id": msg.proposal_id, "status": proposal["status"]})


def open_by_chain(view: View, action: Action, ctx: BlockContext) -> int:
    """Open a proposal the chain itself makes by rule (a tripped stabilisation trigger): checked like any
    proposal, no approval counted, so it runs only when m officials approve it."""
    governed = _governed(action)
    governed.check(view, action, ctx)
    proposal_id = add_int(view, keys.PROPOSAL_SEQ, 1)
    put_json(view, keys.proposal(proposal_id), {
        "id": proposal_id, "action": action.to_json(), "proposer": CHAIN_PROPOSER,
        "created": {"height": ctx.height, "time": ctx.time},
        "expires_time": ctx.time + params(view)["proposal_ttl_seconds"], "approvals": [], "rejections": [], "status": "open",
    })
    if governed.on_proposed is not None:
        governed.on_proposed(view, action, proposal_id)
    ctx.emit(PROPOSAL(id=proposal_id, action=action.TYPE, status="open"))
    return proposal_id
