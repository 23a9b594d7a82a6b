"""A fill (trade): one quantity of an instrument changing hands at one price between two orders.

Fills come out of continuous matching (``taker_side`` = the side of the incoming order; the price
is the resting maker's limit) and out of call auctions (``taker_side`` is None; every fill is at
the auction price). Each fill carries both limit prices, so escrow releases and the rule
``sell_limit ≤ price ≤ buy_limit`` can be checked from the fill alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InvalidOrder
from .order import MAX_INT, Side

__all__ = ["Fill"]


def _positive(what: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_INT:
        raise InvalidOrder(f"fill {what} must be a positive whole number; got {value!r}")


@dataclass(frozen=True, slots=True)
class Fill:
    instrument: str
    price: int  # KRW per tonne
    quantity: int  # tonnes
    buy_order_id: int
    sell_order_id: int
    buyer: str
    seller: str
    buy_limit: int  # the buy order's limit price (its escrow rate)
    sell_limit: int
    taker_side: Side | None  # None: call auction
    height: int  # block height of the trade

    def __post_init__(self) -> None:
        for what in ("price", "quantity", "buy_order_id", "sell_order_id", "buy_limit", "sell_limit"):
            _positive(what, getattr(self, what))
        if not isinstance(self.height, int) or isinstance(self.height, bool) or not 0 <= self.height <= MAX_INT:
            raise InvalidOrder(f"fill height must be a block height (whole number ≥ 0); got {self.height!r}")
        if not self.sell_limit <= self.price <= self.buy_limit:
            raise InvalidOrder(
                f"fill price {self.price:,} KRW/t is outside the limits of its orders "
                f"(sell ≥ {self.sell_limit:,}, buy ≤ {self.buy_limit:,})"
            )
        if self.buy_order_id == self.sell_order_id:
            raise InvalidOrder(f"fill pairs order {self.buy_order_id} with itself")
        if self.taker_side is not None and not isinstance(self.taker_side, Side):
            raise InvalidOrder(f"fill taker_side must be a Side or None; got {self.taker_side!r}")
        for what in ("instrument", "buyer", "seller"):
            if not isinstance(getattr(self, what), str) or not getattr(self, what):
                raise InvalidOrder(f"fill {what} must be non-empty text")

    @property
    def value(self) -> int:
        """KRW paid by the buyer to the seller."""
        return self.price * self.quantity

    @property
    def price_improvement(self) -> int:
        """KRW of the buyer's escrow released because the fill was below the buy limit."""
        return (self.buy_limit - self.price) * self.quantity

    @property
    def maker_order_id(self) -> int | None:
        if self.taker_side is None:
            return None
        return self.sell_order_id if self.taker_side is Side.BUY else self.buy_order_id

    @property
    def taker_order_id(self) -> int | None:
        if self.taker_side is None:
            return None
        return self.buy_order_id if self.taker_side is Side.BUY else self.sell_order_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "price": self.price,
            "quantity": self.quantity,
            "buy_order_id": self.buy_order_id,
            "sell_order_id": self.sell_order_id,
            "buyer": self.buyer,
            "seller": self.seller,
            "buy_limit": self.buy_limit,
            "sell_limit": self.sell_limit,
            "taker_side": None if self.taker_side is None else self.taker_side.value,
            "height": self.height,
        }

    @classmethod
    def from_dict(cls, obj: Any) -> "Fill":
        fields = tuple(cls.__dataclass_fields__)
        if not isinstance(obj, dict) or sorted(obj) != sorted(fields):
            raise InvalidOrder(f"a fill is an object with exactly the fields {', '.join(fields)}")
        taker = obj["taker_side"]
        if taker not in (None, "buy", "sell"):
            raise InvalidOrder(f"taker_side must be 'buy', 'sell' or null; got {taker!r}")
        return cls(**{**obj, "taker_side": None if taker is None else Side(taker)})
