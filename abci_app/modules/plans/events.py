"""Events of allocation plans (public: plans and e-orders are published)."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["PLAN", "EORDER"]

PLAN = EventType("plan", (Attribute("hash", index=True), Attribute("status", index=True), Attribute("received"), Attribute("lines")))
EORDER = EventType("eorder", (
    Attribute("plan_hash", index=True), Attribute("proposal_id", index=True), Attribute("status", index=True),
    Attribute("issued_lines"), Attribute("lines"),
))
