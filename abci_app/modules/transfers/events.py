"""Events of the allowance ledger. Transfers are private and have none; issuance is governed, so public."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["ALLOWANCES_ISSUED"]

ALLOWANCES_ISSUED = EventType("allowances_issued", (
    Attribute("proposal_id", index=True), Attribute("company", index=True), Attribute("instrument", index=True),
    Attribute("amount"),
))
