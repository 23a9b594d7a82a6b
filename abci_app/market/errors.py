"""Why the market engine refuses something: one small exception hierarchy.

Every refusal is a ``MarketError`` carrying ``reason``, a stable snake_case word the chain maps
to a registered result code (``abci_app/errors.py``), and a message that says what was wrong
and what to do. The reasons are part of the protocol: never rename one.

    MarketError                  base class; never raised itself
      InvalidOrder               an order that can never be accepted as written
        NotOnTick                price is not a multiple of the tick size
        PriceOutOfBand           price outside ±band of the day's reference price
        QuantityTooLarge         more tonnes than one order may carry
        WrongInstrument          order (or fill) for another instrument than the book's
        OutOfSequence            arrival sequence not after every order the book has seen
      MarketClosed               no orders are accepted in this session phase
      UnknownOrder               no resting order with that id in the book
      NotOwner                   only the order's owner may cancel it
      CorruptState               serialised market state that does not decode or breaks an invariant
      InvalidParameter           a market rule or schedule parameter out of range
"""

from __future__ import annotations

__all__ = [
    "MarketError",
    "InvalidOrder",
    "NotOnTick",
    "PriceOutOfBand",
    "QuantityTooLarge",
    "WrongInstrument",
    "OutOfSequence",
    "MarketClosed",
    "UnknownOrder",
    "NotOwner",
    "CorruptState",
    "InvalidParameter",
    "REASONS",
]


class MarketError(Exception):
    """A refusal by the market engine; ``reason`` names it for the chain's result codes."""

    reason = "market_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidOrder(MarketError):
    """The order breaks a rule of the market (fields, size, tick, band, instrument, sequence)."""

    reason = "invalid_order"


class NotOnTick(InvalidOrder):
    reason = "not_on_tick"


class PriceOutOfBand(InvalidOrder):
    reason = "price_out_of_band"


class QuantityTooLarge(InvalidOrder):
    reason = "quantity_too_large"


class WrongInstrument(InvalidOrder):
    reason = "wrong_instrument"


class OutOfSequence(InvalidOrder):
    reason = "out_of_sequence"


class MarketClosed(MarketError):
    reason = "market_closed"


class UnknownOrder(MarketError):
    reason = "unknown_order"


class NotOwner(MarketError):
    reason = "not_owner"


class CorruptState(MarketError):
    reason = "corrupt_state"


class InvalidParameter(MarketError):
    reason = "invalid_parameter"


REASONS: dict[str, type[MarketError]] = {
    cls.reason: cls
    for cls in (
        InvalidOrder,
        NotOnTick,
        PriceOutOfBand,
        QuantityTooLarge,
        WrongInstrument,
        OutOfSequence,
        MarketClosed,
        UnknownOrder,
        NotOwner,
        CorruptState,
        InvalidParameter,
    )
}
"""Every reason the engine can raise, with its exception class (for the chain's code table)."""
