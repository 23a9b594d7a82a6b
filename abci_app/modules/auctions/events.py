"""Events of the government auctions: the calendar and the results, never a bid or a bidder.

Bids and their cancellations are private txs and carry only the core's ``message`` event."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["GOVERNMENT_AUCTION"]

# status: scheduled | amended | open | settled; price and figures are "" until known
GOVERNMENT_AUCTION = EventType("government_auction", (
    Attribute("id", index=True), Attribute("instrument", index=True), Attribute("status", index=True),
    Attribute("opens"), Attribute("closes"), Attribute("volume"), Attribute("reserve_price"), Attribute("price"),
    Attribute("sold"), Attribute("unsold"),
))
