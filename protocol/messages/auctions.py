"""Government auctions (유상할당): sealed bids and their cancellation; the governed calendar.

A bid is a private message (``protocol.exposure``): sealed to the validators and the regulator on the
wire, its state unreadable to the public until the auction closes, when only the results without
bidders' names are published (``abci_app/modules/auctions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..constants import MAX_AMOUNT, MAX_AUCTION_ENTRIES, MAX_KRW, MAX_PRICE
from ._base import _count, _fields, _instrument, _invalid, action, message, Wire

__all__ = ["AuctionBid", "AuctionCancelBid", "AuctionEntry", "ScheduleAuctions", "AmendAuction"]

_MAX_TIME = 2**40  # unix seconds (year 36812): a bound, not a policy
_MAX_AUCTION_ID = 10**6


def _auction_id(kind: str, value: object) -> int:
    return _count(kind, "auction_id", value, _MAX_AUCTION_ID, 1)


@message
@dataclass(frozen=True, slots=True)
class AuctionBid(Wire):
    """A company's sealed bid: up to ``quantity`` tonnes at ``price`` KRW per tonne or less; the price ×
    quantity in KRW is escrowed from its cash until the close."""

    auction_id: int
    price: int
    quantity: int
    TYPE = "auction_bid"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "AuctionBid":
        kind = cls.TYPE
        _fields(obj, kind, ("auction_id", "price", "quantity"))
        price, quantity = _count(kind, "price", obj["price"], MAX_PRICE, 1), _count(kind, "quantity", obj["quantity"], MAX_AMOUNT, 1)
        if price * quantity > MAX_KRW:
            raise _invalid(f"{kind}: price × quantity (the escrow) must not exceed {MAX_KRW:,} KRW")
        return cls(_auction_id(kind, obj["auction_id"]), price, quantity)


@message
@dataclass(frozen=True, slots=True)
class AuctionCancelBid(Wire):
    """The bidder withdraws one of its bids before the close; its escrow is released."""

    auction_id: int
    bid_id: int
    TYPE = "auction_cancel_bid"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "AuctionCancelBid":
        kind = cls.TYPE
        _fields(obj, kind, ("auction_id", "bid_id"))
        return cls(_auction_id(kind, obj["auction_id"]), _count(kind, "bid_id", obj["bid_id"], _MAX_AUCTION_ID, 1))


def _window(kind: str, obj: dict[str, Any]) -> tuple[int, int]:
    opens = _count(kind, "opens", obj["opens"], _MAX_TIME, 1)
    closes = _count(kind, "closes", obj["closes"], _MAX_TIME, 1)
    if closes <= opens:
        raise _invalid(f"{kind}.closes must be after opens (unix seconds, block time)")
    return opens, closes


@dataclass(frozen=True, slots=True)
class AuctionEntry(Wire):
    """One auction of the calendar: instrument, bidding window (unix seconds), volume in tonnes."""

    instrument: str
    opens: int
    closes: int
    volume: int

    @classmethod
    def from_json(cls, obj: Any, kind: str = "schedule_auctions.auctions[]") -> "AuctionEntry":
        if not isinstance(obj, dict):
            raise _invalid(f"{kind} must be an object with instrument, opens, closes, volume")
        _fields(obj, kind, ("instrument", "opens", "closes", "volume"))
        instrument = _instrument(kind, obj["instrument"])
        if not instrument.startswith("KAU"):
            raise _invalid(f"{kind}.instrument must be a KAU vintage (allowances are auctioned, offsets are not)")
        opens, closes = _window(kind, obj)
        return cls(instrument, opens, closes, _count(kind, "volume", obj["volume"], MAX_AMOUNT, 1))

    def to_json(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "opens": self.opens, "closes": self.closes, "volume": self.volume}


@action
@dataclass(frozen=True, slots=True)
class ScheduleAuctions(Wire):
    """Governed action: publish auctions in the calendar (a year's calendar at once: up to 24 entries)."""

    auctions: tuple[AuctionEntry, ...]
    TYPE = "schedule_auctions"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "ScheduleAuctions":
        kind = cls.TYPE
        _fields(obj, kind, ("auctions",))
        entries = obj["auctions"]
        if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_AUCTION_ENTRIES:
            raise _invalid(f"{kind}.auctions must be a list of 1 to {MAX_AUCTION_ENTRIES} auctions")
        return cls(tuple(AuctionEntry.from_json(e) for e in entries))


@action
@dataclass(frozen=True, slots=True)
class AmendAuction(Wire):
    """Governed action: change an auction's window or volume by notice, until it opens."""

    auction_id: int
    opens: int
    closes: int
    volume: int
    TYPE = "amend_auction"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "AmendAuction":
        kind = cls.TYPE
        _fields(obj, kind, ("auction_id", "opens", "closes", "volume"))
        opens, closes = _window(kind, obj)
        return cls(_auction_id(kind, obj["auction_id"]), opens, closes, _count(kind, "volume", obj["volume"], MAX_AMOUNT, 1))
