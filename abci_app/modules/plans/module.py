"""The plans' descriptor: upload messages, the governed issue of e-orders, the end-of-block issuance, the paths."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.plans import IssuePlan, PlanChunk, PlanOpen

from .. import GovernedAction, Hook, MessageRule, Module, Query, StateRead
from . import handlers, issuance, keys, queries
from .events import EORDER, PLAN


MODULE = Module(
    name="plans",
    summary="allocation plans uploaded in chunks, sealed by hash, issued as e-orders",
    messages=(
        MessageRule(PlanOpen, {"government"}, handlers.handle_plan_open,
                    "start uploading an allocation plan (hash, header, number of lines)", events=(PLAN,)),
        MessageRule(PlanChunk, {"government"}, handlers.handle_plan_chunk,
                    "next lines of the plan; the last seals it by hash", who="opener", events=(PLAN,)),
    ),
    actions=(
        GovernedAction(IssuePlan, handlers.check_issue_plan, issuance.execute_issue_plan,
                       "credit every line of a sealed allocation plan to its company: the e-orders, in one batch",
                       on_proposed=handlers.note_plan_proposal, on_rejected=handlers.mark_plan_rejected, events=(EORDER, PLAN)),
    ),
    queries=(
        Query("plans", queries.plans, "/plans", "plan records, latest 200 (allocations are published)"),
        Query("plan", queries.plan, "/plan/<hash>", "plan record"),
        Query("plan_lines", queries.plan_lines, "/plan_lines/<hash>?offset=N&limit=M", "[[company_id, vintage, amount], ...]"),
        Query("eorder", queries.eorder, "/eorder/<hash>", "audit record of the batch issue"),
        Query("allocations", queries.allocations, "/allocations/<addr>", "{plan hash: {vintage: tonnes}}"),
    ),
    hooks=(
        Hook("end", issuance.advance_issuance, f"credit the next lines of queued e-order batches (at most "
             f"{issuance.ISSUE_LINES_PER_BLOCK:,} a block)", events=(EORDER,)),
    ),
    codes=frozenset({Code.PLAN_CONFLICT, Code.PLAN_HASH_MISMATCH, Code.CHUNK_OUT_OF_ORDER, Code.PLAN_NOT_FOUND}),
    code_range=range(500, 600),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PREFIXES),  # allocations are published
)
