"""Governed proposals and their votes (public): every m-of-n proposal, the issue_plan proposals of a plan."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.rpc import ChainClient
from protocol.messages import IssueAllowances, IssuePlan, RegisterAccount, RegisterAccounts

from ._base import frame, ints, names, public, query_list, to_kst

__all__ = ["PROPOSAL_COLUMNS", "VOTE_COLUMNS", "OPEN", "proposals", "proposal_votes", "open_plan_proposal",
           "plan_proposals"]

OPEN = "open"  # a proposal still collecting votes
PROPOSAL_COLUMNS = ["proposal_id", "type", "status", "summary", "plan_hash", "proposer", "proposer_name", "approvals",
                    "rejections", "created_height", "created_time", "expires_time", "executed_height", "closed_height"]
VOTE_COLUMNS = ["proposal_id", "vote", "official", "official_name", "reason", "height", "time"]


def _summary(action: dict[str, Any], by_address: dict[str, str]) -> str:
    kind = action.get("type")
    if kind == IssuePlan.TYPE:
        return f"issue allocation plan {action['plan_hash'][:12]}…"
    if kind == IssueAllowances.TYPE:
        return f"issue {action['amount']:,} {action['instrument']} to {by_address.get(action['to'], action['to'])}"
    if kind == RegisterAccount.TYPE:
        return f"register {action.get('role')} {action.get('name')}"
    if kind == RegisterAccounts.TYPE:
        return f"register {len(action.get('accounts', []))} accounts"
    return str(kind)


def _raw_proposals(client: ChainClient) -> list[dict[str, Any]]:
    return [p for p in query_list(client, "/proposals") if p]


@public
def proposals(client: ChainClient) -> pd.DataFrame:
    """Governed proposals (latest 200), newest first, with their vote counts."""
    by_address = names(client)
    rows = []
    for p in _raw_proposals(client):
        action = p.get("action") or {}
        rows.append({
            "proposal_id": p["id"], "type": action.get("type"), "status": p["status"],
            "summary": _summary(action, by_address), "plan_hash": action.get("plan_hash"), "proposer": p["proposer"],
            "proposer_name": by_address.get(p["proposer"], ""), "approvals": len(p["approvals"]),
            "rejections": len(p["rejections"]), "created_height": p["created"]["height"],
            "created_time": to_kst(p["created"]["time"]), "expires_time": to_kst(p["expires_time"]),
            "executed_height": (p.get("executed") or {}).get("height"), "closed_height": (p.get("closed") or {}).get("height"),
        })
    return ints(frame(rows, PROPOSAL_COLUMNS), ["proposal_id", "approvals", "rejections", "created_height",
                                                "executed_height", "closed_height"], nullable=True)


@public
def proposal_votes(client: ChainClient, proposal_id: int | None = None) -> pd.DataFrame:
    """Every vote (approve / reject with its reason), for one proposal or all of the latest 200."""
    by_address = names(client)
    source = [client.query(f"/proposal/{int(proposal_id)}")] if proposal_id is not None else _raw_proposals(client)
    rows = []
    for p in source:
        for vote, entries in (("approve", p["approvals"]), ("reject", p["rejections"])):
            for v in entries:
                rows.append({"proposal_id": p["id"], "vote": vote, "official": v["official"],
                             "official_name": by_address.get(v["official"], ""), "reason": v.get("reason", ""),
                             "height": v["height"], "time": to_kst(v["time"])})
    df = frame(rows, VOTE_COLUMNS)
    return df.sort_values(["proposal_id", "height", "vote"], ascending=[False, True, True], ignore_index=True)


def _is_plan_proposal(p: dict[str, Any], plan_hash: str) -> bool:
    action = p.get("action") or {}
    return action.get("type") == IssuePlan.TYPE and action.get("plan_hash") == plan_hash


@public
def open_plan_proposal(client: ChainClient, plan_hash: str, *, now: int | None = None) -> dict[str, Any] | None:
    """The open, unexpired ``issue_plan`` proposal for this plan (the latest if several), or None.

    ``now`` is the chain's time (unix seconds); by default the latest block time."""
    now = client.chain_time() if now is None else now
    for p in _raw_proposals(client):  # newest first
        if _is_plan_proposal(p, plan_hash) and p["status"] == OPEN and p["expires_time"] >= now:
            return p
    return None


@public
def plan_proposals(client: ChainClient, plan_hash: str) -> list[dict[str, Any]]:
    """Every ``issue_plan`` proposal for this plan, newest first (raw records with votes)."""
    return [p for p in _raw_proposals(client) if _is_plan_proposal(p, plan_hash)]
