"""Message types: frozen dataclasses validated on construction (stateless checks only).

``parse_message(obj)`` turns the ``msg`` object of a decoded envelope into one of these,
or raises ``TxRejected`` with ``UNKNOWN_MESSAGE`` / ``INVALID_MESSAGE`` and a log naming
the field and what is expected. Checks against state live in ``rules.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Union

from ets.codec import address_of, is_address

from .errors import Code, TxRejected

__all__ = [
    "ROLES",
    "MAX_AMOUNT",
    "MAX_HOLDING",
    "Transfer",
    "RegisterAccount",
    "IssueAllowances",
    "Propose",
    "Approve",
    "Reject",
    "Message",
    "Action",
    "parse_message",
    "is_instrument",
]

ROLES = ("government", "verifier", "exchange", "bank", "company", "edge_device", "validator_operator")
MAX_AMOUNT = 10**12  # tonnes in one message; far above any national cap
MAX_HOLDING = 10**15  # tonnes in any balance or total supply; keeps every quantity well inside int64
_INSTRUMENT = re.compile(r"^(KAU|KCU|KOC)[0-9]{2}$")
_MAX_NAME = 200
_MAX_REASON = 500


def is_instrument(value: object) -> bool:
    return isinstance(value, str) and _INSTRUMENT.match(value) is not None


def _invalid(log: str) -> TxRejected:
    return TxRejected(Code.INVALID_MESSAGE, log)


def _fields(obj: dict[str, Any], kind: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    keys = set(obj) - {"type"}
    missing = [f for f in required if f not in keys]
    extra = sorted(keys - set(required) - set(optional))
    if missing:
        raise _invalid(f"{kind}: missing field(s) {', '.join(missing)}")
    if extra:
        raise _invalid(f"{kind}: unknown field(s) {', '.join(extra)}")


def _address(kind: str, field: str, value: object) -> str:
    if not is_address(value):
        raise _invalid(f"{kind}.{field} must be a 40-character lowercase hex account address")
    return value  # type: ignore[return-value]


def _amount(kind: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_AMOUNT:
        raise _invalid(f"{kind}.amount must be a whole number of tonnes between 1 and {MAX_AMOUNT:,}")
    return value


def _instrument(kind: str, value: object) -> str:
    if not is_instrument(value):
        raise _invalid(f"{kind}.instrument must look like KAU25, KCU25 or KOC25 (allowance type + 2-digit vintage)")
    return value  # type: ignore[return-value]


def _text(kind: str, field: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or not value.isprintable():
        raise _invalid(f"{kind}.{field} must be printable text of 1 to {limit} characters")
    return value


def _proposal_id(kind: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value < 2**63:
        raise _invalid(f"{kind}.proposal_id must be a positive integer")
    return value


def _quantity_to(kind: str, obj: dict[str, Any]) -> tuple[str, str, int]:
    """The (to, instrument, amount) fields shared by messages that move a quantity to a holder."""
    _fields(obj, kind, ("to", "instrument", "amount"))
    return _address(kind, "to", obj["to"]), _instrument(kind, obj["instrument"]), _amount(kind, obj["amount"])


@dataclass(frozen=True, slots=True)
class Transfer:
    """Move allowances of one instrument from the signer to another holder."""

    to: str
    instrument: str
    amount: int
    TYPE = "transfer"

    @classmethod
    def from_json(cls, obj: dict[str, Any]):
        return cls(*_quantity_to(cls.TYPE, obj))


@dataclass(frozen=True, slots=True)
class RegisterAccount:
    """Governed action: admit a new participant with a role."""

    address: str
    public_key: str
    role: str
    name: str
    company: str | None = None
    TYPE = "register_account"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "RegisterAccount":
        kind = cls.TYPE
        _fields(obj, kind, ("address", "public_key", "role", "name"), ("company",))
        address = _address(kind, "address", obj["address"])
        pk = obj["public_key"]
        if not isinstance(pk, str) or len(pk) != 64 or any(c not in "0123456789abcdef" for c in pk):
            raise _invalid(f"{kind}.public_key must be 64 lowercase hex characters (an Ed25519 public key)")
        if address_of(bytes.fromhex(pk)) != address:
            raise _invalid(f"{kind}.address does not belong to public_key (address = first 20 bytes of SHA-256(key))")
        role = obj["role"]
        if role not in ROLES:
            raise _invalid(f"{kind}.role must be one of {', '.join(ROLES)}")
        company = obj.get("company")
        if role == "edge_device":
            company = _address(kind, "company", company)
        elif company is not None:
            raise _invalid(f"{kind}.company is only for edge_device accounts")
        return cls(address, pk, role, _text(kind, "name", obj["name"], _MAX_NAME), company)


@dataclass(frozen=True, slots=True)
class IssueAllowances:
    """Governed action: create allowances of an instrument in a holder's account."""

    to: str
    instrument: str
    amount: int
    TYPE = "issue_allowances"

    @classmethod
    def from_json(cls, obj: dict[str, Any]):
        return cls(*_quantity_to(cls.TYPE, obj))


Action = Union[RegisterAccount, IssueAllowances]
_ACTIONS: dict[str, Callable[[dict[str, Any]], Action]] = {
    RegisterAccount.TYPE: RegisterAccount.from_json,
    IssueAllowances.TYPE: IssueAllowances.from_json,
}


@dataclass(frozen=True, slots=True)
class Propose:
    """An official proposes a governed action; the proposer's approval is counted."""

    action: Action
    TYPE = "propose"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Propose":
        _fields(obj, cls.TYPE, ("action",))
        action = obj["action"]
        if not isinstance(action, dict) or not isinstance(action.get("type"), str) or action["type"] not in _ACTIONS:
            raise _invalid(f"propose.action must be an object whose type is one of {', '.join(sorted(_ACTIONS))}")
        return cls(_ACTIONS[action["type"]](action))


@dataclass(frozen=True, slots=True)
class Approve:
    proposal_id: int
    TYPE = "approve"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Approve":
        _fields(obj, cls.TYPE, ("proposal_id",))
        return cls(_proposal_id(cls.TYPE, obj["proposal_id"]))


@dataclass(frozen=True, slots=True)
class Reject:
    proposal_id: int
    reason: str
    TYPE = "reject"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Reject":
        _fields(obj, cls.TYPE, ("proposal_id", "reason"))
        return cls(_proposal_id(cls.TYPE, obj["proposal_id"]), _text(cls.TYPE, "reason", obj["reason"], _MAX_REASON))


Message = Union[Transfer, Propose, Approve, Reject]
_PARSERS: dict[str, Callable[[dict[str, Any]], Message]] = {
    cls.TYPE: cls.from_json for cls in (Transfer, Propose, Approve, Reject)
}


def parse_message(obj: dict[str, Any]) -> Message:
    parser = _PARSERS.get(obj.get("type"))  # type: ignore[arg-type]
    if parser is None:
        raise TxRejected(Code.UNKNOWN_MESSAGE, f"unknown message type {str(obj.get('type'))[:40]!r}; known: {', '.join(sorted(_PARSERS))}")
    return parser(obj)
