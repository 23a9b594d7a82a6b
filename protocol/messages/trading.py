"""The market: KRW cash funded by the bank, limit orders and their cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..constants import MAX_AMOUNT, MAX_KRW, MAX_PRICE
from ._base import _address, _count, _fields, _instrument, _invalid, message, _only_id, Wire

__all__ = ["FundCash", "WithdrawCash", "PlaceOrder", "CancelOrder"]


@message
@dataclass(frozen=True, slots=True)
class FundCash(Wire):
    """The settlement bank credits KRW it received to a company's cash account."""

    to: str
    amount: int
    TYPE = "fund_cash"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "FundCash":
        _fields(obj, cls.TYPE, ("to", "amount"))
        return cls(_address(cls.TYPE, "to", obj["to"]), _count(cls.TYPE, "amount", obj["amount"], MAX_KRW, 1))


@message
@dataclass(frozen=True, slots=True)
class WithdrawCash(Wire):
    """The settlement bank pays out KRW from a company's available cash."""

    account: str
    amount: int
    TYPE = "withdraw_cash"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "WithdrawCash":
        _fields(obj, cls.TYPE, ("account", "amount"))
        return cls(_address(cls.TYPE, "account", obj["account"]), _count(cls.TYPE, "amount", obj["amount"], MAX_KRW, 1))


@message
@dataclass(frozen=True, slots=True)
class PlaceOrder(Wire):
    """A day limit order: side buy or sell, price in KRW per tonne, quantity in tonnes."""

    instrument: str
    side: str
    price: int
    quantity: int
    TYPE = "place_order"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "PlaceOrder":
        kind = cls.TYPE
        _fields(obj, kind, ("instrument", "side", "price", "quantity"))
        if obj["side"] not in ("buy", "sell"):
            raise _invalid(f'{kind}.side must be "buy" or "sell"')
        return cls(_instrument(kind, obj["instrument"]), obj["side"], _count(kind, "price", obj["price"], MAX_PRICE, 1),
                   _count(kind, "quantity", obj["quantity"], MAX_AMOUNT, 1))


@message
@dataclass(frozen=True, slots=True)
class CancelOrder(Wire):
    order_id: int
    TYPE = "cancel_order"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CancelOrder":
        return cls(_only_id(cls.TYPE, obj, "order_id"))
