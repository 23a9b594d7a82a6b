"""Events of the market: only aggregates the public may see (session phases, auction prices, reference prices).

Cash, orders and fills are private: their txs carry only the core's ``message`` event."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["MARKET_SESSION", "AUCTION", "REFERENCE_PRICE"]

MARKET_SESSION = EventType("market_session", (Attribute("event", index=True), Attribute("trading_day", index=True)))
AUCTION = EventType("auction", (
    Attribute("instrument", index=True), Attribute("trading_day", index=True), Attribute("session", index=True),
    Attribute("price"), Attribute("volume"),
))
REFERENCE_PRICE = EventType("reference_price", (
    Attribute("instrument", index=True), Attribute("trading_day", index=True), Attribute("price"),
))
