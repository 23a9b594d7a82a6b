"""State keys of m-of-n governance: proposals and their counter."""

from __future__ import annotations

__all__ = ["PREFIXES", "PROPOSAL_SEQ", "proposal"]

PREFIXES = ("prop/", "seq/proposal")

PROPOSAL_SEQ = "seq/proposal"  # the last proposal id


def proposal(proposal_id: int) -> str:
    """The proposal record with its votes (canonical JSON)."""
    return f"prop/{proposal_id:012d}"
