"""State keys of allocation plans: plan records, their lines, the issue queue, e-orders and allocations."""

from __future__ import annotations

from protocol.state_keys import allocation  # a key clients prove: part of the wire contract

__all__ = ["PREFIXES", "PLANS", "ISSUE_QUEUE", "plan", "plan_line", "allocation", "allocations_of", "allocation_in", "eorder"]

PREFIXES = ("plan/", "planline/", "issuequeue", "alloc/", "eorder/")

PLANS = "plan/"
ISSUE_QUEUE = "issuequeue"  # plans approved and still being credited, oldest first


def plan(plan_hash: str) -> str:
    return f"{PLANS}{plan_hash}"


def plan_line(plan_hash: str, index: int) -> str:
    """Line ``index`` of a plan: [company_id, vintage, amount]."""
    return f"planline/{plan_hash}/{index:07d}"


def allocations_of(address: str) -> str:
    return f"alloc/{address}/"


def allocation_in(key: str) -> tuple[str, str]:
    """(plan hash, vintage) of an allocation key."""
    _, _, plan_hash, vintage = key.split("/")
    return plan_hash, vintage


def eorder(plan_hash: str) -> str:
    """The audit record of a plan's batch issue."""
    return f"eorder/{plan_hash}"
