"""Account security (EU-registry style): representatives, four eyes, the trusted-account list, transfer limits.

A company account (its own key: the *holder*) admits *representatives*, each a key of its own with
rights: ``initiate`` (start a transfer out), ``approve`` (confirm another's transfer, confirm a
trusted-account addition), none (read-only). A representative signs as itself (its address is
SHA-256(key)[:20], like an account's) and acts only for the account that admitted it
(``abci_app.modules.custody`` documents the rules). Every message here is private.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..constants import MAX_AMOUNT
from ._base import _address, _count, _fields, _invalid, _name, _only_id, _public_key, _quantity_to, message, Wire

__all__ = [
    "CustodyRepresentative", "CustodySettings", "CustodyTrusted", "CustodyTransfer", "CustodyApprove", "CustodyCancel",
    "RIGHTS", "LIMITS", "TRUSTED_OPS", "MAX_REPRESENTATIVES", "MAX_TRUSTED", "MAX_OPEN_TRANSFERS",
]

RIGHTS = ("approve", "initiate")  # a representative with none of them is read-only
LIMITS = ("transaction", "daily", "weekly", "monthly")  # the account's own caps on transfers to untrusted accounts
TRUSTED_OPS = ("add", "confirm", "cancel", "remove")
MAX_REPRESENTATIVES = 20  # per account
MAX_TRUSTED = 200  # entries of one account's trusted list (pending ones included)
MAX_OPEN_TRANSFERS = 100  # transfers of one account awaiting an approver at once


@message
@dataclass(frozen=True, slots=True)
class CustodyRepresentative(Wire):
    """Holder: admit a representative, change its rights, or (``remove``) take it off at once.

    New rights act after the chain's custody delay; fewer rights and removal act at once."""

    op: str  # "set" | "remove"
    representative: str
    public_key: str | None = None
    name: str | None = None
    rights: tuple[str, ...] | None = None
    TYPE = "custody_representative"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CustodyRepresentative":
        kind = cls.TYPE
        if obj.get("op") == "remove":
            _fields(obj, kind, ("op", "representative"))
            return cls("remove", _address(kind, "representative", obj["representative"]))
        if obj.get("op") != "set":
            raise _invalid(f'{kind}.op must be "set" (admit or change rights) or "remove"')
        _fields(obj, kind, ("op", "representative", "public_key", "name", "rights"))
        address = _address(kind, "representative", obj["representative"])
        rights = obj["rights"]
        if not isinstance(rights, list) or len(rights) > len(RIGHTS) or any(r not in RIGHTS for r in rights) \
                or list(rights) != sorted(set(rights)):
            raise _invalid(f"{kind}.rights must be a sorted list of distinct rights from {', '.join(RIGHTS)} "
                           "([] = read-only)")
        return cls("set", address, _public_key(kind, obj["public_key"], address), _name(kind, obj["name"]), tuple(rights))


@message
@dataclass(frozen=True, slots=True)
class CustodySettings(Wire):
    """Holder: whether transfers out need an approver (four eyes), and the account's own limits in tonnes
    on transfers to untrusted accounts (0 = none of its own; the chain's central cap still applies).

    Stricter settings act at once; looser ones after the custody delay (sending the current settings
    again cancels a scheduled loosening)."""

    four_eyes: bool
    transaction: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0
    TYPE = "custody_settings"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CustodySettings":
        kind = cls.TYPE
        _fields(obj, kind, ("four_eyes",), LIMITS)
        if not isinstance(obj["four_eyes"], bool):
            raise _invalid(f"{kind}.four_eyes must be true or false")
        return cls(obj["four_eyes"], *(_count(kind, name, obj.get(name, 0), MAX_AMOUNT) for name in LIMITS))

    def limits(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in LIMITS}


@message
@dataclass(frozen=True, slots=True)
class CustodyTrusted(Wire):
    """The trusted-account list: ``add`` proposes, ``confirm`` (a second person, with approve rights) starts
    the delay, ``cancel`` withdraws an addition not yet in effect, ``remove`` deletes at once."""

    op: str
    account: str
    TYPE = "custody_trusted"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CustodyTrusted":
        kind = cls.TYPE
        _fields(obj, kind, ("op", "account"))
        if obj["op"] not in TRUSTED_OPS:
            raise _invalid(f"{kind}.op must be one of {', '.join(TRUSTED_OPS)}")
        return cls(obj["op"], _address(kind, "account", obj["account"]))


@message
@dataclass(frozen=True, slots=True)
class CustodyTransfer(Wire):
    """Holder or initiator: a transfer out of the account; it waits for an approver where four eyes apply."""

    to: str
    instrument: str
    amount: int
    TYPE = "custody_transfer"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CustodyTransfer":
        return cls(*_quantity_to(cls.TYPE, obj))


@message
@dataclass(frozen=True, slots=True)
class CustodyApprove(Wire):
    """Approver: confirm a waiting transfer of the account (not one it initiated); it executes at once."""

    transfer_id: int
    TYPE = "custody_approve"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CustodyApprove":
        return cls(_only_id(cls.TYPE, obj, "transfer_id"))


@message
@dataclass(frozen=True, slots=True)
class CustodyCancel(Wire):
    """Its initiator, an approver or the holder: withdraw a waiting transfer; the held tonnes return."""

    transfer_id: int
    TYPE = "custody_cancel"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CustodyCancel":
        return cls(_only_id(cls.TYPE, obj, "transfer_id"))

