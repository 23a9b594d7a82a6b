"""Orders and the rules an order must meet: side, tick grid, size limit, daily price band.

An ``Order`` is a day limit order (the only kind the KRX emissions market takes), frozen and
validated on construction. Prices are whole KRW per tonne, quantities whole tonnes. The chain
assigns ``order_id`` and the arrival ``sequence`` (both from counters, in arrival order);
time priority is by ``sequence``.

``MarketRules`` holds the policy parameters (defaults from DOMAIN.md "Market"):

    tick_size                 5 KRW      prices must be multiples of it (a parameter, not a KRX fact)
    max_order_quantity        100,000 t  per order
    band_bps                  1,000      ±10.00 % of the reference price, in basis points
    initial_reference_price   10,000 KRW the reference price before the first close (a placeholder
                                         for genesis to set; must be on the tick grid)

Reference price = the previous trading day's close (``next_reference_price`` in ``bar.py``),
or ``initial_reference_price`` when there is none yet.

Price band, in integers, never floats (``price_band``):

    lower = tick × ceil (ref × (10000 − band_bps) / (10000 × tick))   rounded UP to the tick
    upper = tick × floor(ref × (10000 + band_bps) / (10000 × tick))   rounded DOWN to the tick
    (band_bps < 10000 keeps lower at one tick or more)

so every price in [lower, upper] on the grid is within ±band of the reference, never outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from protocol.text import is_text

from .errors import (
    InvalidOrder,
    InvalidParameter,
    NotOnTick,
    PriceOutOfBand,
    QuantityTooLarge,
)

__all__ = ["Side", "Order", "MarketRules", "MAX_INT"]

MAX_INT = 2**63 - 1  # every integer the engine stores fits a signed 64-bit column
_MAX_TEXT = 200


class Side(str, Enum):
    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> "Side":
        return Side.SELL if self is Side.BUY else Side.BUY


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(what: str, value: object, low: int, high: int = MAX_INT, error: type = InvalidOrder) -> None:
    if not _is_int(value) or not low <= value <= high:  # type: ignore[operator]
        raise error(f"{what} must be a whole number between {low:,} and {high:,}; got {value!r}")


def _check_text(what: str, value: object) -> None:
    if not is_text(value, _MAX_TEXT):  # explicit character classes, not the interpreter's Unicode tables
        raise InvalidOrder(f"{what} must be printable text of 1 to {_MAX_TEXT} characters; got {value!r}")


@dataclass(frozen=True, slots=True)
class Order:
    """A day limit order. ``remaining`` defaults to ``quantity`` (nothing filled yet)."""

    order_id: int
    sequence: int
    owner: str
    instrument: str
    side: Side
    price: int  # limit, KRW per tonne
    quantity: int  # tonnes ordered
    remaining: int = None  # type: ignore[assignment]  # tonnes not yet filled

    def __post_init__(self) -> None:
        if self.remaining is None:
            object.__setattr__(self, "remaining", self.quantity)
        _check_int("order_id", self.order_id, 1)
        _check_int("sequence", self.sequence, 1)
        _check_text("owner", self.owner)
        _check_text("instrument", self.instrument)
        if not isinstance(self.side, Side):
            raise InvalidOrder(f"side must be Side.BUY or Side.SELL; got {self.side!r}")
        _check_int("price (KRW per tonne)", self.price, 1)
        _check_int("quantity (tonnes)", self.quantity, 1)
        _check_int("remaining (tonnes)", self.remaining, 0, self.quantity)

    @property
    def filled(self) -> int:
        return self.quantity - self.remaining

    def with_remaining(self, remaining: int) -> "Order":
        """The same order with ``remaining`` tonnes left (0 ≤ remaining ≤ quantity)."""
        if not 0 <= remaining <= self.quantity:
            raise InvalidOrder(f"order {self.order_id} cannot have {remaining!r} t remaining of {self.quantity:,} t")
        new = object.__new__(Order)  # the other fields were validated when this order was built
        set_field = object.__setattr__
        set_field(new, "order_id", self.order_id)
        set_field(new, "sequence", self.sequence)
        set_field(new, "owner", self.owner)
        set_field(new, "instrument", self.instrument)
        set_field(new, "side", self.side)
        set_field(new, "price", self.price)
        set_field(new, "quantity", self.quantity)
        set_field(new, "remaining", remaining)
        return new

    def to_dict(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "sequence": self.sequence,
            "owner": self.owner,
            "instrument": self.instrument,
            "side": self.side.value,
            "price": self.price,
            "quantity": self.quantity,
            "remaining": self.remaining,
        }

    @classmethod
    def from_dict(cls, obj: Any) -> "Order":
        if not isinstance(obj, dict) or sorted(obj) != sorted(_ORDER_FIELDS):
            raise InvalidOrder(f"an order is an object with exactly the fields {', '.join(_ORDER_FIELDS)}")
        side = obj["side"]
        if side not in ("buy", "sell"):
            raise InvalidOrder(f"side must be 'buy' or 'sell'; got {side!r}")
        return cls(**{**obj, "side": Side(side)})


_ORDER_FIELDS = ("order_id", "sequence", "owner", "instrument", "side", "price", "quantity", "remaining")


def _format_bps(bps: int) -> str:
    whole, frac = divmod(bps, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"


@dataclass(frozen=True, slots=True)
class MarketRules:
    """The market's policy parameters (genesis or a government-approved change)."""

    tick_size: int = 5
    max_order_quantity: int = 100_000
    band_bps: int = 1_000
    initial_reference_price: int = 10_000

    def __post_init__(self) -> None:
        _check_int("tick_size (KRW)", self.tick_size, 1, 10**9, InvalidParameter)
        _check_int("max_order_quantity (tonnes)", self.max_order_quantity, 1, 10**12, InvalidParameter)
        _check_int("band_bps (basis points)", self.band_bps, 0, 9_999, InvalidParameter)
        _check_int("initial_reference_price (KRW per tonne)", self.initial_reference_price, 1, 10**12, InvalidParameter)
        if self.initial_reference_price % self.tick_size:
            raise InvalidParameter(
                f"initial_reference_price {self.initial_reference_price:,} KRW/t is not on the "
                f"{self.tick_size:,} KRW tick grid; choose a multiple of the tick size"
            )

    def reference_price(self, previous_close: int | None) -> int:
        """The day's reference price: the previous close, or the initial one on the first day."""
        if previous_close is None:
            return self.initial_reference_price
        _check_int("previous close (KRW per tonne)", previous_close, 1, 10**12, InvalidParameter)
        return previous_close

    def price_band(self, reference_price: int) -> tuple[int, int]:
        """(lower, upper) limit prices accepted today, both on the tick grid (see module docstring)."""
        _check_int("reference price (KRW per tonne)", reference_price, 1, 10**12, InvalidParameter)
        tick, bps = self.tick_size, self.band_bps
        scale = 10_000 * tick
        lower = tick * -(-(reference_price * (10_000 - bps)) // scale)
        upper = tick * ((reference_price * (10_000 + bps)) // scale)
        if lower > upper:
            raise InvalidParameter(
                f"the ±{_format_bps(bps)} band around the reference price {reference_price:,} KRW/t holds no price "
                f"on the {tick:,} KRW tick grid; use a reference price on the grid"
            )
        return lower, upper

    def check_order(self, order: Order, reference_price: int) -> None:
        """Raise the first rule the order breaks: size, then tick, then band. Returns None if it may enter."""
        if order.quantity > self.max_order_quantity:
            raise QuantityTooLarge(
                f"order quantity {order.quantity:,} t exceeds the limit of {self.max_order_quantity:,} t per order; "
                f"split it into several orders"
            )
        if order.price % self.tick_size:
            below = order.price - order.price % self.tick_size
            hint = f"use {below + self.tick_size:,}" if below == 0 else f"use {below:,} or {below + self.tick_size:,}"
            raise NotOnTick(f"price {order.price:,} KRW/t is not on the {self.tick_size:,} KRW tick grid; {hint}")
        lower, upper = self.price_band(reference_price)
        if not lower <= order.price <= upper:
            raise PriceOutOfBand(
                f"price {order.price:,} KRW/t is outside today's band {lower:,}–{upper:,} KRW/t "
                f"(±{_format_bps(self.band_bps)} of the reference price {reference_price:,} KRW/t)"
            )

    def to_dict(self) -> dict[str, int]:
        return {
            "tick_size": self.tick_size,
            "max_order_quantity": self.max_order_quantity,
            "band_bps": self.band_bps,
            "initial_reference_price": self.initial_reference_price,
        }

    @classmethod
    def from_dict(cls, obj: Any) -> "MarketRules":
        fields = ("tick_size", "max_order_quantity", "band_bps", "initial_reference_price")
        if not isinstance(obj, dict) or not set(obj) <= set(fields):
            raise InvalidParameter(f"market rules are an object with the fields {', '.join(fields)} (each optional)")
        return cls(**obj)
