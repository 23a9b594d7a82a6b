"""Allocation plans: upload in chunks, seal by hash, issue as e-orders in one batch.

A government official opens a plan (its hash, header and number of lines), then sends its
lines in order, in chunks. The chain folds each line into the running hash exactly as
``protocol.plan_format`` defines it; when the last line arrives the result must equal the
declared plan hash, and the plan is *sealed*. Issuing is a governed action (``issue_plan``):
at the m-th approval the whole batch is checked (every company registered, supply within the
limit) and queued; its lines are credited to the companies at the end of that block and the
next ones, at most ``ISSUE_LINES_PER_BLOCK`` per block, until the plan is *issued*.

    plan/<hash>                      {"header", "lines", "received", "acc", "last", "proposer", "opened",
                                      "status": uploading|sealed|issuing|issued|rejected, "issued_lines", ...}
    issuequeue                       plans approved and still being credited, oldest first
    planline/<hash>/<index:07d>      [company_id, vintage, amount]
    alloc/<address>/<hash>/<vintage> tonnes issued to that company by that plan (its e-orders)
    eorder/<hash>                    audit record of the batch issue (proposal, approvals, approval and
                                      completion heights and times)
"""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json

from protocol.plan_format import finish_plan_hash, fold_lines, header_hash, LINES_SEED, PlanFormatError

from protocol.codes import Code, TxRejected
from protocol.constants import MAX_HOLDING
from protocol.messages import IssuePlan, PlanChunk, PlanOpen
from .view import BlockContext, View, add_int, get_int, get_json, put_json

__all__ = [
    "handle_plan_open", "handle_plan_chunk", "check_issue_plan", "execute_issue_plan", "advance_issuance",
    "mark_plan_rejected", "note_plan_proposal", "ISSUE_LINES_PER_BLOCK",
]

ISSUE_LINES_PER_BLOCK = 5000
_QUEUE = "issuequeue"



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
    """At the final approval: check every line can be issued, then queue the batch.

    Every company must be registered and every vintage's supply must stay within the limit, or
    the approval fails and nothing is queued. The lines are then credited at the end of this and
    the following blocks (``advance_issuance``), at most ``ISSUE_LINES_PER_BLOCK`` a block, so a
    national-size batch never makes one block too slow for consensus; it always completes.
    """
    plan = check_issue_plan(view, action)
    totals: dict[str, int] = {}
    for index in range(plan["lines"]):
        company_id, vintage, amount = get_json(view, f"planline/{action.plan_hash}/{index:07d}")
        if view.get(f"companyid/{company_id}") is None:
            raise TxRejected(Code.UNKNOWN_ACCOUNT, f"plan line {index}: company {company_id!r} has no registered account; register it before issuing")
        totals[vintage] = totals.get(vintage, 0) + amount
    for vintage in sorted(totals):
        if get_int(view, f"supply/{vintage}") + totals[vintage] > MAX_HOLDING:
            raise TxRejected(Code.LIMIT_EXCEEDED, f"total {vintage} issued would exceed {MAX_HOLDING:,} t")
    approved = {"height": ctx.height, "time": ctx.time}
    plan.update(status="issuing", approved=approved, issued_lines=0)
    put_json(view, f"plan/{action.plan_hash}", plan)
    put_json(view, _QUEUE, (get_json(view, _QUEUE) or []) + [action.plan_hash])
    put_json(view, f"eorder/{action.plan_hash}", {
        "plan_hash": action.plan_hash, "proposal_id": proposal["id"], "proposer": proposal["proposer"],
        "approvals": proposal["approvals"], "approved": approved, "status": "issuing",
        "lines": plan["lines"], "totals": dict(sorted(totals.items())), "kind": plan["header"].get("kind"),
    })


def advance_issuance(view: View, ctx: BlockContext, budget: int | None = None) -> None:
    """End of block: credit the next lines of queued plans (oldest approval first)."""
    budget = ISSUE_LINES_PER_BLOCK if budget is None else budget
    queue = get_json(view, _QUEUE)
    if not queue:
        return
    while queue and budget > 0:
        plan_hash = queue[0]
        plan = get_json(view, f"plan/{plan_hash}")
        start = plan["issued_lines"]
        end = min(plan["lines"], start + budget)
        supply: dict[str, int] = {}
        for index in range(start, end):
            company_id, vintage, amount = get_json(view, f"planline/{plan_hash}/{index:07d}")
            holder = view.get(f"companyid/{company_id}").decode()
            # checked at approval: the company exists and the supply stays within the limit
            add_int(view, f"bal/{holder}/{vintage}", amount)
            add_int(view, f"alloc/{holder}/{plan_hash}/{vintage}", amount)
            supply[vintage] = supply.get(vintage, 0) + amount
        for vintage in sorted(supply):
            add_int(view, f"supply/{vintage}", supply[vintage])
        budget -= end - start
        plan["issued_lines"] = end
        if end == plan["lines"]:
            done = {"height": ctx.height, "time": ctx.time}
            plan["status"] = "issued"
            plan["issued"] = done
            eorder = get_json(view, f"eorder/{plan_hash}")
            eorder.update(status="issued", issued=done)
            put_json(view, f"eorder/{plan_hash}", eorder)
            queue.pop(0)
        put_json(view, f"plan/{plan_hash}", plan)
    put_json(view, _QUEUE, queue) if queue else view.set(_QUEUE, None)


def note_plan_proposal(view: View, action: IssuePlan, proposal_id: int) -> None:
    """Remember the plan's open proposal, so officials' votes are never split over two."""
    plan = get_json(view, f"plan/{action.plan_hash}")
    plan["open_proposal"] = proposal_id
    put_json(view, f"plan/{action.plan_hash}", plan)


def mark_plan_rejected(view: View, action: IssuePlan, ctx: BlockContext) -> None:
    plan = get_json(view, f"plan/{action.plan_hash}")
    if plan is not None and plan["status"] == "sealed":
        plan["status"] = "rejected"
        plan["rejected"] = {"height": ctx.height, "time": ctx.time}
        put_json(view, f"plan/{action.plan_hash}", plan)
