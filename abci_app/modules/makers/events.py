"""Events of market makers: a participant class set by governance (public, like the governed action)."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["PARTICIPANT_CLASS"]

PARTICIPANT_CLASS = EventType("participant_class", (
    Attribute("account", index=True), Attribute("participant_class", index=True), Attribute("instrument"),
    Attribute("proposal_id"),
))
