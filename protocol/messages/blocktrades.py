"""Confidential block trades: view keys, proposals with sealed prices, acceptance and cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..constants import MAX_AMOUNT, MAX_PRICE, MAX_SEALED_READERS
from ._base import _address, _count, _fields, _hex64, _instrument, _invalid, message, _only_id, Wire

__all__ = ["SetViewKey", "BlockTradePropose", "BlockTradeAccept", "BlockTradeCancel"]


@message
@dataclass(frozen=True, slots=True)
class SetViewKey(Wire):
    """Publish the account's X25519 view key, to which sealed block-trade prices are encrypted."""

    public_key: str
    TYPE = "set_view_key"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "SetViewKey":
        _fields(obj, cls.TYPE, ("public_key",))
        return cls(_hex64(cls.TYPE, "public_key", obj["public_key"]))


@message
@dataclass(frozen=True, slots=True)
class BlockTradePropose(Wire):
    """A confidential block trade: quantity on chain, price sealed to its readers with a commitment.

    ``price`` and ``salt`` open the commitment for the executing validators (the tx is private: sealed to them
    and the regulator), who check that the price lies within the day's band; neither is stored or shown."""

    counterparty: str
    instrument: str
    side: str
    quantity: int
    price_commitment: str
    sealed_price: dict[str, dict[str, str]]
    price: int
    salt: str
    TYPE = "block_trade_propose"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "BlockTradePropose":
        kind = cls.TYPE
        _fields(obj, kind, ("counterparty", "instrument", "side", "quantity", "price_commitment", "sealed_price", "price", "salt"))
        if obj["side"] not in ("buy", "sell"):
            raise _invalid(f'{kind}.side must be "buy" or "sell" (the proposer\'s side)')
        sealed = obj["sealed_price"]
        if not isinstance(sealed, dict) or not 1 <= len(sealed) <= MAX_SEALED_READERS:
            raise _invalid(f"{kind}.sealed_price must map 1 to {MAX_SEALED_READERS} reader addresses to sealed entries")
        for reader, entry in sealed.items():
            _address(kind, "sealed_price reader", reader)
            if not isinstance(entry, dict) or set(entry) != {"epk", "nonce", "ct"} or not all(
                    isinstance(v, str) and 0 < len(v) <= 512 and all(c in "0123456789abcdef" for c in v) for v in entry.values()):
                raise _invalid(f"{kind}.sealed_price[{reader}] must be {{epk, nonce, ct}} in lowercase hex")
        return cls(_address(kind, "counterparty", obj["counterparty"]), _instrument(kind, obj["instrument"]), obj["side"],
                   _count(kind, "quantity", obj["quantity"], MAX_AMOUNT, 1), _hex64(kind, "price_commitment", obj["price_commitment"]), sealed,
                   _count(kind, "price", obj["price"], MAX_PRICE, 1), _salt(kind, obj["salt"]))


def _salt(kind: str, value: object) -> str:
    if not isinstance(value, str) or len(value) != 32 or any(c not in "0123456789abcdef" for c in value):
        raise _invalid(f"{kind}.salt must be the 32 lowercase hex digits sealed with the price")
    return value


@message
@dataclass(frozen=True, slots=True)
class BlockTradeAccept(Wire):
    trade_id: int
    TYPE = "block_trade_accept"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "BlockTradeAccept":
        return cls(_only_id(cls.TYPE, obj, "trade_id"))


@message
@dataclass(frozen=True, slots=True)
class BlockTradeCancel(Wire):
    """The proposer cancels, or the counterparty declines, an open block trade."""

    trade_id: int
    TYPE = "block_trade_cancel"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "BlockTradeCancel":
        return cls(_only_id(cls.TYPE, obj, "trade_id"))
