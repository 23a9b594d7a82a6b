"""Events of private transactions' keys (public: every client must learn the new key)."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["EXECUTION_KEY"]

EXECUTION_KEY = EventType("execution_key", (Attribute("epoch", index=True), Attribute("public_key")))
