"""Issuing a sealed plan: the batch checked and queued at the final approval, credited at the end of blocks."""

from __future__ import annotations

from typing import Any

from protocol.codes import Code, TxRejected
from protocol.constants import MAX_HOLDING
from protocol.messages.plans import IssuePlan

from ...view import BlockContext, View, add_int, get_int, get_json, put_int, put_json
from ..accounts import keys as account_keys
from ..transfers import keys as ledger_keys
from . import keys
from .events import EORDER
from .handlers import plan_lines_from, sealed_plan

__all__ = ["execute_issue_plan", "advance_issuance", "ISSUE_LINES_PER_BLOCK"]

ISSUE_LINES_PER_BLOCK = 5000


def execute_issue_plan(view: View, action: IssuePlan, ctx: BlockContext, proposal: dict[str, Any]) -> None:
    """At the final approval: check every line can be issued, then queue the batch.

    Every company must be registered and every vintage's supply must stay within the limit, or
    the approval fails and nothing is queued. The lines are then credited at the end of this and
    the following blocks (``advance_issuance``), at most ``ISSUE_LINES_PER_BLOCK`` a block, so a
    national-size batch never makes one block too slow for consensus; it always completes.
    """
    plan = sealed_plan(view, action)
    totals: dict[str, int] = {}
    company = None
    for index, (company_id, vintage, amount) in enumerate(plan_lines_from(view, action.plan_hash, 0, plan["lines"])):
        if company_id != company:  # lines come sorted by company: each company is looked up once
            if view.get(account_keys.company_id(company_id)) is None:
                raise TxRejected(Code.UNKNOWN_ACCOUNT, f"plan line {index}: company {company_id!r} has no registered account; register it before issuing")
            company = company_id
        totals[vintage] = totals.get(vintage, 0) + amount
    for vintage in sorted(totals):
        if get_int(view, ledger_keys.supply(vintage)) + totals[vintage] > MAX_HOLDING:
            raise TxRejected(Code.LIMIT_EXCEEDED, f"total {vintage} issued would exceed {MAX_HOLDING:,} t")
    approved = {"height": ctx.height, "time": ctx.time}
    plan.update(status="issuing", approved=approved, issued_lines=0)
    put_json(view, keys.plan(action.plan_hash), plan)
    put_json(view, keys.ISSUE_QUEUE, (get_json(view, keys.ISSUE_QUEUE) or []) + [action.plan_hash])
    put_json(view, keys.eorder(action.plan_hash), {
        "plan_hash": action.plan_hash, "proposal_id": proposal["id"], "proposer": proposal["proposer"],
        "approvals": proposal["approvals"], "approved": approved, "status": "issuing",
        "lines": plan["lines"], "totals": dict(sorted(totals.items())), "kind": plan["header"].get("kind"),
    })
    ctx.emit(EORDER(plan_hash=action.plan_hash, proposal_id=proposal["id"], status="issuing", issued_lines=0, lines=plan["lines"]))


def advance_issuance(view: View, ctx: BlockContext, budget: int | None = None) -> None:
    """End of block: credit the next lines of queued plans (oldest approval first)."""
    budget = ISSUE_LINES_PER_BLOCK if budget is None else budget
    queue = get_json(view, keys.ISSUE_QUEUE)
    if not queue:
        return
    while queue and budget > 0:
        plan_hash = queue[0]
        plan = get_json(view, keys.plan(plan_hash))
        start = plan["issued_lines"]
        end = min(plan["lines"], start + budget)
        supply: dict[str, int] = {}
        company, holder = None, ""
        for company_id, vintage, amount in plan_lines_from(view, plan_hash, start, end):
            if company_id != company:  # lines come sorted by company: each holder is looked up once
                company, holder = company_id, view.get(account_keys.company_id(company_id)).decode()
            # checked at approval: the company exists and the supply stays within the limit
            add_int(view, ledger_keys.balance(holder, vintage), amount)
            put_int(view, keys.allocation(holder, plan_hash, vintage), amount)  # lines are unique per (company, vintage)
            supply[vintage] = supply.get(vintage, 0) + amount
        for vintage in sorted(supply):
            add_int(view, ledger_keys.supply(vintage), supply[vintage])
        budget -= end - start
        plan["issued_lines"] = end
        eorder = get_json(view, keys.eorder(plan_hash))
        if end == plan["lines"]:
            done = {"height": ctx.height, "time": ctx.time}
            plan["status"] = "issued"
            plan["issued"] = done
            eorder.update(status="issued", issued=done)
            put_json(view, keys.eorder(plan_hash), eorder)
            queue.pop(0)
        put_json(view, keys.plan(plan_hash), plan)
        ctx.emit(EORDER(plan_hash=plan_hash, proposal_id=eorder["proposal_id"], status=plan["status"], issued_lines=end,
                        lines=plan["lines"]))
    put_json(view, keys.ISSUE_QUEUE, queue) if queue else view.set(keys.ISSUE_QUEUE, None)
