"""Uploading a plan (open, chunks, seal by hash) and the checks of the governed ``issue_plan``."""

from __future__ import annotations

import json
from typing import Any, Iterator

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages.plans import IssuePlan, PlanChunk, PlanOpen
from protocol.plan_format import finish_plan_hash, fold_lines, header_hash, LINES_SEED, PlanFormatError

from ...view import BlockContext, View, get_json, put_json
from ..governance import keys as governance_keys
from . import keys
from .events import PLAN

__all__ = ["handle_plan_open", "handle_plan_chunk", "sealed_plan", "check_issue_plan", "note_plan_proposal",
           "mark_plan_rejected", "plan_lines_from"]


def _plan(view: View, plan_hash: str) -> dict[str, Any]:
    plan = get_json(view, keys.plan(plan_hash))
    if plan is None:
        raise TxRejected(Code.PLAN_NOT_FOUND, f"no allocation plan {plan_hash}; open it with plan_open first")
    return plan


def handle_plan_open(view: View, signer: str, msg: PlanOpen, ctx: BlockContext) -> bytes:
    if view.get(keys.plan(msg.plan_hash)) is not None:
        raise TxRejected(Code.PLAN_CONFLICT, f"plan {msg.plan_hash} was already opened")
    put_json(view, keys.plan(msg.plan_hash), {
        "hash": msg.plan_hash, "header": msg.header, "lines": msg.lines, "received": 0,
        "acc": LINES_SEED.hex(), "last": None, "proposer": signer,
        "opened": {"height": ctx.height, "time": ctx.time}, "status": "uploading",
    })
    ctx.emit(PLAN(hash=msg.plan_hash, status="uploading", received=0, lines=msg.lines))
    return canonical_json({"plan_hash": msg.plan_hash, "status": "uploading"})


def handle_plan_chunk(view: View, signer: str, msg: PlanChunk, ctx: BlockContext) -> bytes:
    plan = _plan(view, msg.plan_hash)
    if plan["proposer"] != signer:
        raise TxRejected(Code.UNAUTHORIZED, "only the official who opened a plan may upload its lines")
    if plan["status"] != "uploading":
        raise TxRejected(Code.PLAN_CONFLICT, f"plan {msg.plan_hash} is {plan['status']}; no more lines are accepted")
    if msg.offset != plan["received"]:
        raise TxRejected(Code.CHUNK_OUT_OF_ORDER, f"chunk starts at line {msg.offset}, but the upload stands at line {plan['received']}")
    if plan["received"] + len(msg.lines) > plan["lines"]:
        raise TxRejected(Code.CHUNK_OUT_OF_ORDER, f"chunk goes past the {plan['lines']} lines declared when the plan was opened")
    last = tuple(plan["last"]) if plan["last"] else None
    try:
        acc = fold_lines(bytes.fromhex(plan["acc"]), msg.lines, after=last)
    except PlanFormatError as exc:
        raise TxRejected(Code.INVALID_MESSAGE, f"plan_chunk at line {msg.offset}: {exc}") from None
    view.set(keys.plan_chunk(msg.plan_hash, msg.offset + len(msg.lines)), canonical_json([list(l) for l in msg.lines]))
    plan.update(received=plan["received"] + len(msg.lines), acc=acc.hex(), last=list(msg.lines[-1][:2]))
    if plan["received"] == plan["lines"]:
        try:
            computed = finish_plan_hash(header_hash(plan["header"]), acc, plan["lines"])
        except PlanFormatError as exc:
            raise TxRejected(Code.PLAN_HASH_MISMATCH, f"the plan header cannot be hashed: {exc}") from None
        if computed != msg.plan_hash:
            raise TxRejected(Code.PLAN_HASH_MISMATCH, f"the {plan['lines']} lines and the header hash to {computed}, not to the declared {msg.plan_hash}; open a corrected plan")
        plan["status"] = "sealed"
        plan["sealed"] = {"height": ctx.height, "time": ctx.time}
    put_json(view, keys.plan(msg.plan_hash), plan)
    ctx.emit(PLAN(hash=msg.plan_hash, status=plan["status"], received=plan["received"], lines=plan["lines"]))
    return canonical_json({"plan_hash": msg.plan_hash, "received": plan["received"], "status": plan["status"]})


def plan_lines_from(source: Any, plan_hash: str, start: int, end: int) -> Iterator[tuple[str, str, int]]:
    """The stored lines ``start`` … ``end - 1`` of a plan, in order, from ``source`` (an overlay or the store):
    each chunk they lie in is read and decoded once."""
    low, high = keys.plan_chunks_from(plan_hash, start)
    index = start
    for key, raw in source.iter_range(low, high):
        if index >= end:
            return
        chunk_end = keys.plan_chunk_end(key)
        lines = json.loads(raw)
        for line in lines[index - (chunk_end - len(lines)): end - (chunk_end - len(lines))]:
            yield line
        index = chunk_end


def sealed_plan(view: View, action: IssuePlan) -> dict[str, Any]:
    """The plan record, if it is sealed and so may be issued."""
    plan = _plan(view, action.plan_hash)
    if plan["status"] != "sealed":
        detail = {"uploading": "its lines are not all uploaded", "issued": "it was already issued",
                  "rejected": "it was rejected"}.get(plan["status"], plan["status"])
        raise TxRejected(Code.PLAN_CONFLICT, f"plan {action.plan_hash} cannot be issued: {detail}")
    return plan


def check_issue_plan(view: View, action: IssuePlan, ctx: BlockContext) -> None:
    """When proposed: the plan is sealed and has no other proposal still open (votes are never split)."""
    plan = sealed_plan(view, action)
    open_id = plan.get("open_proposal")
    if open_id is not None:
        proposal = get_json(view, governance_keys.proposal(open_id))
        if proposal["status"] == "open" and ctx.time <= proposal["expires_time"]:
            raise TxRejected(Code.PLAN_CONFLICT, f"plan {action.plan_hash} already has open proposal {open_id}; vote on that one")


def note_plan_proposal(view: View, action: IssuePlan, proposal_id: int) -> None:
    """Remember the plan's open proposal, so officials' votes are never split over two."""
    plan = get_json(view, keys.plan(action.plan_hash))
    plan["open_proposal"] = proposal_id
    put_json(view, keys.plan(action.plan_hash), plan)


def mark_plan_rejected(view: View, action: IssuePlan, ctx: BlockContext) -> None:
    plan = get_json(view, keys.plan(action.plan_hash))
    if plan is not None and plan["status"] == "sealed":
        plan["status"] = "rejected"
        plan["rejected"] = {"height": ctx.height, "time": ctx.time}
        put_json(view, keys.plan(action.plan_hash), plan)
        ctx.emit(PLAN(hash=action.plan_hash, status="rejected", received=plan["received"], lines=plan["lines"]))
