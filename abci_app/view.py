"""Typed access to state for handlers: block context, JSON/int values, accounts, parameters.

Handlers receive an ``Overlay`` (``View``) and a ``BlockContext``; everything they read or
write goes through these helpers and their module's ``keys.py``, so values keep one canonical
encoding and keys one spelling.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from protocol.calendar import KST_OFFSET, day_number
from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.events import Event

from .modules.accounts import keys as account_keys
from .modules.core import keys as core_keys
from .state import Overlay

__all__ = [
    "View", "BlockContext", "get_json", "put_json", "get_int", "put_int", "add_int",
    "account", "params", "require_account", "require_company", "day_of", "KST_OFFSET",
]

View = Overlay


@dataclass(frozen=True, slots=True)
class BlockContext:
    """What a handler may know about the block: never wall-clock time. ``emit`` records an event:
    the executor gives each tx a context of its own (``for_tx``), so a rejected tx's events are dropped."""

    chain_id: str
    height: int
    time: int  # block time, unix seconds (from CometBFT)
    events: list[Event] = field(default_factory=list, compare=False, repr=False)

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def for_tx(self) -> "BlockContext":
        return BlockContext(self.chain_id, self.height, self.time)


day_of = day_number  # KST calendar day number (days since 1970-01-01 KST) of a block time


def get_json(view: View, key: str) -> Any:
    raw = view.get(key)
    return None if raw is None else json.loads(raw)


def put_json(view: View, key: str, value: Any) -> None:
    view.set(key, canonical_json(value))


def get_int(view: View, key: str) -> int:
    raw = view.get(key)
    return 0 if raw is None else int(raw)


def put_int(view: View, key: str, value: int) -> None:
    view.set(key, None if value == 0 else str(value).encode())


def add_int(view: View, key: str, delta: int) -> int:
    value = get_int(view, key) + delta
    put_int(view, key, value)
    return value


_ACCOUNT_RECORDS: dict[bytes, Mapping[str, Any]] = {}


def account(view: View, address: str) -> Mapping[str, Any] | None:
    """The account record, read-only; parsed records are shared by their exact bytes."""
    raw = view.get(account_keys.account(address))
    if raw is None:
        return None
    record = _ACCOUNT_RECORDS.get(raw)
    if record is None:
        if len(_ACCOUNT_RECORDS) >= 100_000:
            _ACCOUNT_RECORDS.clear()
        record = _ACCOUNT_RECORDS[raw] = MappingProxyType(json.loads(raw))
    return record


_PARAMS: dict[bytes, Mapping[str, Any]] = {}


def params(view: View) -> Mapping[str, Any]:
    """The chain parameters, read-only; parsed once per value (a block's txs read them many times)."""
    raw = view.get(core_keys.PARAMS)
    record = _PARAMS.get(raw)
    if record is None:
        _PARAMS.clear()  # one value is current; a changed one replaces it
        record = _PARAMS[raw] = MappingProxyType(json.loads(raw))
    return record


def require_account(view: View, address: str, what: str) -> Mapping[str, Any]:
    acct = account(view, address)
    if acct is None:
        raise TxRejected(Code.UNKNOWN_ACCOUNT, f"{what} {address} is not a registered account")
    return acct


def require_company(view: View, address: str, what: str, why: str = "this needs a company") -> Mapping[str, Any]:
    acct = require_account(view, address, what)
    if acct["role"] != "company":
        raise TxRejected(Code.INVALID_RECIPIENT, f"{what} {address} is a {acct['role']} account; {why}")
    return acct
