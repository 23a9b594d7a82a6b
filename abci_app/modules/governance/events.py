"""Events of governance (public): a proposal's new status, and each official's vote."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["PROPOSAL", "VOTE"]

PROPOSAL = EventType("proposal", (Attribute("id", index=True), Attribute("action", index=True), Attribute("status", index=True)))
VOTE = EventType("vote", (Attribute("proposal_id", index=True), Attribute("official", index=True), Attribute("vote", index=True)))
