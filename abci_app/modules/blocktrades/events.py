"""Events of block trades: a published view key only (it is shown in the account record too).

Block trades are private: their txs carry only the core's ``message`` event."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["VIEW_KEY"]

VIEW_KEY = EventType("view_key", (Attribute("account", index=True), Attribute("public_key")))
