"""Governance's descriptor: propose, approve, reject; the proposal paths."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.governance import Approve, Propose, Reject

from .. import MessageRule, Module, Query, StateRead
from . import handlers, keys, queries
from .events import PROPOSAL, VOTE

MODULE = Module(
    name="governance",
    summary="m-of-n proposals of governed actions, approvals and rejections",
    messages=(
        MessageRule(Propose, {"government"}, handlers.handle_propose,
                    "open a proposal for a governed action; counts as the proposer's approval (executes at once if m=1)",
                    events=(VOTE, PROPOSAL), executes_actions=True),
        MessageRule(Approve, {"government"}, handlers.handle_approve, "add an approval; at m approvals the action runs",
                    events=(VOTE, PROPOSAL), executes_actions=True),
        MessageRule(Reject, {"government"}, handlers.handle_reject,
                    "add a rejection with a reason; closes the proposal once m approvals can no longer be reached",
                    events=(VOTE, PROPOSAL), executes_actions=True),
    ),
    queries=(
        Query("proposal", queries.proposal, "/proposal/<id>", "proposal record with votes (governance is public)"),
        Query("proposals", queries.proposals, "/proposals", "the latest 200 proposals"),
    ),
    codes=frozenset({Code.PROPOSAL_NOT_FOUND, Code.PROPOSAL_CLOSED, Code.PROPOSAL_EXPIRED, Code.ALREADY_VOTED}),
    code_range=range(400, 500),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PREFIXES),  # proposals and votes are public
)
