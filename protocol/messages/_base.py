"""What every message class shares: field checks (stateless, ValidateBasic-style), the registry
that ``parse_message`` reads, and ``to_json``, the exact object a client signs.

A message module declares its classes with ``@message`` (transaction messages) or ``@action``
(governed actions, carried by ``propose``); nothing else has to be edited to make a new one parse.
"""

from __future__ import annotations

import re
from datetime import date
from dataclasses import fields, is_dataclass
from typing import Any, Callable

from ..calendar import EPOCH_ORDINAL
from ..codec import address_of, is_address
from ..codes import Code, TxRejected
from ..constants import MAX_AMOUNT, MAX_ID, MAX_NAME
from ..text import is_text, name_problem

__all__ = ["Wire", "message", "action", "MESSAGES", "ACTIONS", "is_instrument", "day_number"]

_INSTRUMENT = re.compile(r"(KAU|KCU|KOC)[0-9]{2}")
_SITE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

MESSAGES: dict[str, Callable[[dict[str, Any]], Any]] = {}
ACTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}


def _json_value(value: Any) -> Any:
    if isinstance(value, Wire):
        return value.to_json()
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    return value


class Wire:
    """Mixin of the message dataclasses: ``to_json`` gives the ``msg`` object that ``from_json`` reads back.

    Fields marked ``metadata={"derived": True}`` are computed by ``from_json`` and not sent; optional
    fields that are None are left out."""

    __slots__ = ()
    TYPE = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.TYPE}
        for f in fields(self):  # type: ignore[arg-type]
            if f.metadata.get("derived"):
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = _json_value(value)
        return out


def message(cls):
    """Register a transaction message class under its ``TYPE``."""
    assert is_dataclass(cls) and cls.TYPE and cls.TYPE not in MESSAGES, cls
    MESSAGES[cls.TYPE] = cls.from_json
    return cls


def action(cls):
    """Register a governed action class (carried by ``propose``) under its ``TYPE``."""
    assert is_dataclass(cls) and cls.TYPE and cls.TYPE not in ACTIONS, cls
    ACTIONS[cls.TYPE] = cls.from_json
    return cls


def is_instrument(value: object) -> bool:
    return isinstance(value, str) and _INSTRUMENT.fullmatch(value) is not None


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
    if not is_text(value, limit):
        raise _invalid(f"{kind}.{field} must be printable text of 1 to {limit} characters (no control or format characters)")
    return value  # type: ignore[return-value]


def _name(kind: str, value: object) -> str:
    problem = name_problem(value, MAX_NAME)
    if problem is not None:
        raise _invalid(f"{kind}.name {problem}")
    return value  # type: ignore[return-value]


def _hex64(kind: str, field: str, value: object) -> str:
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise _invalid(f"{kind}.{field} must be 64 lowercase hex characters")
    return value


def _public_key(kind: str, value: object, address: str) -> str:
    pk = _hex64(kind, "public_key", value)
    if address_of(bytes.fromhex(pk)) != address:
        raise _invalid(f"{kind}: the address does not belong to public_key (address = first 20 bytes of SHA-256(key))")
    return pk


def _count(kind: str, field: str, value: object, high: int, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _invalid(f"{kind}.{field} must be a whole number between {low} and {high:,}")
    return value


def _only_id(kind: str, obj: dict[str, Any], field: str) -> int:
    """The one positive integer id field of a message that names an order or a trade."""
    _fields(obj, kind, (field,))
    return _count(kind, field, obj[field], MAX_ID, 1)


def day_number(kind: str, value: object) -> int:
    """'YYYY-MM-DD' → days since 1970-01-01 (a calendar date; no clock involved)."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise _invalid(f"{kind}.day must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value).toordinal() - EPOCH_ORDINAL
    except ValueError:
        raise _invalid(f"{kind}.day {value!r} is not a calendar date") from None


def _proposal_id(kind: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
        raise _invalid(f"{kind}.proposal_id must be a positive integer")
    return value


def _quantity_to(kind: str, obj: dict[str, Any]) -> tuple[str, str, int]:
    """The (to, instrument, amount) fields shared by messages that move a quantity to a holder."""
    _fields(obj, kind, ("to", "instrument", "amount"))
    return _address(kind, "to", obj["to"]), _instrument(kind, obj["instrument"]), _amount(kind, obj["amount"])
