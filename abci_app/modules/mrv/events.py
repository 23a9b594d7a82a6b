"""Events of MRV (public: company emissions are published under Korean law)."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["DAILY_TOTAL"]

DAILY_TOTAL = EventType("daily_total", (
    Attribute("device", index=True), Attribute("company", index=True), Attribute("site"), Attribute("day", index=True),
    Attribute("total"), Attribute("unit"), Attribute("merkle_root"),
))
