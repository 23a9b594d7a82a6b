"""An official's task inbox: what waits for a government decision, read from public queries.

    tasks(client, official, years)   DataFrame: kind, item, detail, since_height, page

Four kinds of task, each naming the portal page where it is decided:

    approval       an open proposal the official has not voted on        plan_review (plans) or proposals
    plan           a sealed plan no proposal has been opened for         plan_review
    objection      a company's objection still open                      certification
    certification  a verification statement awaiting certification      certification
"""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from ets.rpc import ChainClient
from protocol.messages import IssuePlan

from . import allocations, compliance, governance
from ._base import frame, ints, names, public

__all__ = ["TASK_COLUMNS", "KINDS", "tasks"]

TASK_COLUMNS = ["kind", "item", "detail", "since_height", "page"]
KINDS = ("approval", "plan", "objection", "certification")


def _approvals(client: ChainClient, official: str) -> list[dict[str, Any]]:
    props = governance.proposals(client)
    votes = governance.proposal_votes(client)
    voted = set(votes.loc[votes["official"] == official, "proposal_id"])
    waiting = props[(props["status"] == governance.OPEN) & ~props["proposal_id"].isin(voted)]
    return [{"kind": "approval", "item": f"proposal #{int(p.proposal_id)}", "since_height": int(p.created_height),
             "detail": f"{p.summary} · {int(p.approvals)} approval(s) so far · proposed by {p.proposer_name or p.proposer}",
             "page": "plan_review" if p.type == IssuePlan.TYPE else "proposals"} for p in waiting.itertuples()]


def _plans(client: ChainClient) -> list[dict[str, Any]]:
    props = governance.proposals(client)
    proposed = set(props.loc[props["status"] == governance.OPEN, "plan_hash"].dropna())
    plans = allocations.plans(client)
    sealed = plans[(plans["status"] == "sealed") & ~plans["plan_hash"].isin(proposed)]
    return [{"kind": "plan", "item": f"plan {p.plan_hash[:12]}…", "since_height": int(p.opened_height),
             "detail": f"{p.kind or 'plan'} · {int(p.lines):,} lines · sealed, no proposal to issue it yet",
             "page": "plan_review"} for p in sealed.itertuples()]


def _objections(client: ChainClient, by_address: dict[str, str]) -> list[dict[str, Any]]:
    found = compliance.objections(client)
    waiting = found[found["status"] == "open"]
    return [{"kind": "objection", "item": f"objection #{int(o.id)}", "since_height": None,
             "detail": f"{by_address.get(o.company, o.company)} · {o.kind} {o.year} · “{o.reason}”",
             "page": "certification"} for o in waiting.itertuples()]


def _certifications(client: ChainClient, years: Iterable[int], by_address: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for year in sorted(set(int(y) for y in years)):
        for q in compliance.queue(client, year).itertuples():
            rows.append({"kind": "certification", "item": f"{by_address.get(q.company, q.company)} {year}",
                         "since_height": None, "page": "certification",
                         "detail": f"verified {q.verified} t (reported {q.reported} t) · opinion {q.opinion}"})
    return rows


@public
def tasks(client: ChainClient, official: str, years: tuple[int, ...]) -> pd.DataFrame:
    """Everything waiting for ``official`` (an address) or for any official, oldest kind first."""
    by_address = names(client)
    rows = (_approvals(client, official) + _plans(client) + _objections(client, by_address)
            + _certifications(client, years, by_address))
    return ints(frame(rows, TASK_COLUMNS), ["since_height"], nullable=True)
