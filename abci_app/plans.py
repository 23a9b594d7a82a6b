"""Allocation plans: upload in chunks, seal by hash, issue as e-orders in one batch.

A government official opens a plan (its hash, header and number of lines), then sends its
lines in order, in chunks. The chain folds each line into the running hash exactly as
``governance.plan_format`` defines it; when the last line arrives the result must equal the
declared plan hash, and the plan is *sealed*. Issuing is a governed action (``issue_plan``):
at the m-th approval every line is credited to the company registered under its
``company_id``, all in the same transaction — every line or none.

    plan/<hash>                      {"header", "lines", "received", "acc", "last", "proposer",
                                      "opened", "status": uploading|sealed|issued|rejected, ...}
    planline/<hash>/<index:07d>      [company_id, vintage, amount]
    alloc/<address>/<hash>/<vintage> tonnes issued to that company by that plan (its e-orders)
    eorder/<hash>                    audit record of the batch issue (proposal, approvals, heights)
"""

from __future__ import annotations

from typing import Any

from ets.codec import canonical_json

from governance.plan_format import LINES_SEED, PlanFormatError, finish_plan_hash, fold_lines, header_hash

from .errors import Code, TxRejected
from .messages import MAX_HOLDING, IssuePlan, PlanChunk, PlanOpen
from .view import BlockContext, View, add_int, get_json, move, put_json

__all__ = ["handle_plan_open", "handle_plan_chunk", "check_issue_plan", "execute_issue_plan", "mark_plan_rejected"]



def _plan(view: View, plan_hash: str) -> dict[str, Any]:
    plan = get_json(view, f"plan/{plan_hash}")
    if plan is None:
        raise TxRejected(Code.PLAN_NOT_FOUND, f"no allocation plan {plan_hash}; open it with plan_open first")
    return plan


def handle_plan_open(view: View, signer: str, msg: PlanOpen, ctx: BlockContext) -> bytes:
    if view.get(f"plan/{msg.plan_hash}") is not None:
        raise TxRejected(Code.PLAN_CONFLICT, f"plan {msg.plan_hash} was already opened")
    put_json(view, f"plan/{msg.plan_hash}", {
        "hash": msg.plan_hash, "header": msg.header, "lines": msg.lines, "received": 0,
        "acc": LINES_SEED.hex(), "last": None, "proposer": signer,
        "opened": {"height": ctx.height, "time": ctx.time}, "status": "uploading",
    })
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
    for index, line in enumerate(msg.lines, start=msg.offset):
        view.set(f"planline/{msg.plan_hash}/{index:07d}", canonical_json(list(line)))
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
    put_json(view, f"plan/{msg.plan_hash}", plan)
    return canonical_json({"plan_hash": msg.plan_hash, "received": plan["received"], "status": plan["status"]})


def check_issue_plan(view: View, action: IssuePlan) -> dict[str, Any]:
    plan = _plan(view, action.plan_hash)
    if plan["status"] != "sealed":
        detail = {"uploading": "its lines are not all uploaded", "issued": "it was already issued",
                  "rejected": "it was rejected"}.get(plan["status"], plan["status"])
        raise TxRejected(Code.PLAN_CONFLICT, f"plan {action.plan_hash} cannot be issued: {detail}")
    return plan


def execute_issue_plan(view: View, action: IssuePlan, ctx: BlockContext, proposal: dict[str, Any]) -> None:
    plan = check_issue_plan(view, action)
    totals: dict[str, int] = {}
    for index in range(plan["lines"]):
        company_id, vintage, amount = get_json(view, f"planline/{action.plan_hash}/{index:07d}")
        address = view.get(f"companyid/{company_id}")
        if address is None:
            raise TxRejected(Code.UNKNOWN_ACCOUNT, f"plan line {index}: company {company_id!r} has no registered account; register it before issuing")
        holder = address.decode()
        move(view, holder, vintage, amount)
        add_int(view, f"alloc/{holder}/{action.plan_hash}/{vintage}", amount)
        totals[vintage] = totals.get(vintage, 0) + amount
    for vintage in sorted(totals):
        if add_int(view, f"supply/{vintage}", totals[vintage]) > MAX_HOLDING:
            raise TxRejected(Code.LIMIT_EXCEEDED, f"total {vintage} issued would exceed the holding limit")
    plan["status"] = "issued"
    plan["issued"] = {"height": ctx.height, "time": ctx.time, "proposal_id": proposal["id"]}
    put_json(view, f"plan/{action.plan_hash}", plan)
    put_json(view, f"eorder/{action.plan_hash}", {
        "plan_hash": action.plan_hash, "proposal_id": proposal["id"], "proposer": proposal["proposer"],
        "approvals": proposal["approvals"], "issued": {"height": ctx.height, "time": ctx.time},
        "lines": plan["lines"], "totals": dict(sorted(totals.items())), "kind": plan["header"].get("kind"),
    })


def mark_plan_rejected(view: View, action: IssuePlan, ctx: BlockContext) -> None:
    plan = get_json(view, f"plan/{action.plan_hash}")
    if plan is not None and plan["status"] == "sealed":
        plan["status"] = "rejected"
        plan["rejected"] = {"height": ctx.height, "time": ctx.time}
        put_json(view, f"plan/{action.plan_hash}", plan)
