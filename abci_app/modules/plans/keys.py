"""State keys of allocation plans: plan records, their lines, the issue queue, e-orders and allocations."""

from __future__ import annotations

from protocol.state_keys import allocation  # a key clients prove: part of the wire contract

__all__ = ["PREFIXES", "PLANS", "ISSUE_QUEUE", "plan", "plan_chunk", "plan_chunks_from", "plan_chunk_end", "allocation",
           "allocations_of", "allocation_in", "eorder"]

PREFIXES = ("plan/", "planchunk/", "issuequeue", "alloc/", "eorder/")

PLANS = "plan/"
ISSUE_QUEUE = "issuequeue"  # plans approved and still being credited, oldest first


def plan(plan_hash: str) -> str:
    return f"{PLANS}{plan_hash}"


def plan_chunk(plan_hash: str, end: int) -> str:
    """The chunk of a plan's lines that ends before line ``end``: [[company_id, vintage, amount], ...], as uploaded.

    Keyed by its end, so the chunk holding line ``i`` is the first at or after ``plan_chunks_from(hash, i)``."""
    return f"planchunk/{plan_hash}/{end:07d}"


def plan_chunks_from(plan_hash: str, index: int) -> tuple[str, str]:
    """The key range (low, high) of the chunks holding line ``index`` and every later line."""
    return plan_chunk(plan_hash, index + 1), f"planchunk/{plan_hash}0"  # "0" sorts right after "/"


def plan_chunk_end(key: str) -> int:
    return int(key.rsplit("/", 1)[1])


def allocations_of(address: str) -> str:
    return f"alloc/{address}/"


def allocation_in(key: str) -> tuple[str, str]:
    """(plan hash, vintage) of an allocation key."""
    _, _, plan_hash, vintage = key.split("/")
    return plan_hash, vintage


def eorder(plan_hash: str) -> str:
    """The audit record of a plan's batch issue."""
    return f"eorder/{plan_hash}"
