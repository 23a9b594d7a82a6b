"""Events of the participant registry (public: the registry is published)."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["ACCOUNT_REGISTERED", "DEVICE_REGISTERED"]

ACCOUNT_REGISTERED = EventType("account_registered", (
    Attribute("address", index=True), Attribute("role", index=True), Attribute("name"),
))
DEVICE_REGISTERED = EventType("device_registered", (
    Attribute("device", index=True), Attribute("company", index=True), Attribute("site", index=True), Attribute("registered_by"),
))
