"""Events of market stabilisation: each day's evaluation and each measure's life (all public)."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["STABILISATION_DAY", "MEASURE"]

# tripped: the triggers that tripped, comma-separated, or "none"; proposals: ids the chain opened ("" if none)
STABILISATION_DAY = EventType("stabilisation_day", (
    Attribute("day", index=True), Attribute("month", index=True), Attribute("tripped", index=True),
    Attribute("proposals")))
# status: applied | expired | lifted; param and value: what it set ("" for a reserve auction), expires: unix seconds
MEASURE = EventType("stabilisation_measure", (
    Attribute("id", index=True), Attribute("kind", index=True), Attribute("status", index=True),
    Attribute("trigger", index=True), Attribute("proposal_id", index=True), Attribute("param"), Attribute("value"),
    Attribute("expires")))
