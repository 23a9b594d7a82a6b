"""Events of the validator set (public: who validates the chain is public)."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["VALIDATOR_POWER"]

VALIDATOR_POWER = EventType("validator_power", (
    Attribute("pub_key", index=True), Attribute("address", index=True), Attribute("proposal_id", index=True),
    Attribute("power"), Attribute("previous_power"), Attribute("name"),
))
