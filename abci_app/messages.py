"""Message types: frozen dataclasses validated on construction (stateless checks only).

``parse_message(obj)`` turns the ``msg`` object of a decoded envelope into one of these,
or raises ``TxRejected`` with ``UNKNOWN_MESSAGE`` / ``INVALID_MESSAGE`` and a log naming
the field and what is expected. Checks against state live in ``rules.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Union

from ets.codec import address_of, canonical_json, is_address
from ets.text import is_text, name_key, name_problem

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
    "RegisterAccounts",
    "IssuePlan",
    "PlanOpen",
    "PlanChunk",
    "RegisterDevice",
    "DailyTotal",
    "FundCash",
    "WithdrawCash",
    "PlaceOrder",
    "CancelOrder",
    "SetViewKey",
    "BlockTradePropose",
    "BlockTradeAccept",
    "BlockTradeCancel",
    "Message",
    "Action",
    "day_number",
    "parse_message",
    "is_instrument",
]

ROLES = ("government", "verifier", "exchange", "bank", "company", "edge_device", "validator_operator")
MAX_AMOUNT = 10**12  # tonnes in one message; far above any national cap
MAX_HOLDING = 10**15  # tonnes in any balance or total supply; keeps every quantity well inside int64
_INSTRUMENT = re.compile(r"^(KAU|KCU|KOC)[0-9]{2}$")
_MAX_NAME = 200
_MAX_REASON = 500
_MAX_SECTOR = 100
_SITE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
MAX_BATCH_ACCOUNTS = 1000
MAX_PLAN_LINES = 1_000_000
MAX_CHUNK_LINES = 5000
MAX_PLAN_HEADER_BYTES = 64 * 1024
MAX_DAILY_KG = 10**13  # a day's emissions of one device, in kg: far above any stack
MAX_DAILY_READINGS = 10**7


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
    problem = name_problem(value, _MAX_NAME)
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
    return _count(kind, field, obj[field], 2**63 - 1, 1)


def day_number(kind: str, value: object) -> int:
    """'YYYY-MM-DD' → days since 1970-01-01 (a calendar date; no clock involved)."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise _invalid(f"{kind}.day must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        raise _invalid(f"{kind}.day {value!r} is not a calendar date") from None


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
    """Governed action: admit a new participant with a role.

    Companies may carry their public registry id (``company_id``, the name as published by
    ETRS/NGMS, see ``datasets.company_id``) and sector; allocation plans credit companies by it.
    """

    address: str
    public_key: str
    role: str
    name: str
    company: str | None = None
    company_id: str | None = None
    sector: str | None = None
    TYPE = "register_account"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "RegisterAccount":
        kind = cls.TYPE
        _fields(obj, kind, ("address", "public_key", "role", "name"), ("company", "company_id", "sector"))
        address = _address(kind, "address", obj["address"])
        pk = _public_key(kind, obj["public_key"], address)
        role = obj["role"]
        if role not in ROLES:
            raise _invalid(f"{kind}.role must be one of {', '.join(ROLES)}")
        company = obj.get("company")
        if role == "edge_device":
            company = _address(kind, "company", company)
        elif company is not None:
            raise _invalid(f"{kind}.company is only for edge_device accounts")
        company_id, sector = obj.get("company_id"), obj.get("sector")
        if role != "company" and (company_id is not None or sector is not None):
            raise _invalid(f"{kind}.company_id and sector are only for company accounts")
        if company_id is not None:
            company_id = _text(kind, "company_id", company_id, _MAX_NAME)
        if sector is not None:
            sector = _text(kind, "sector", sector, _MAX_SECTOR)
            if "/" in sector:
                raise _invalid(f"{kind}.sector must not contain '/'")
        return cls(address, pk, role, _name(kind, obj["name"]), company, company_id, sector)


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


@dataclass(frozen=True, slots=True)
class RegisterAccounts:
    """Governed action: admit many participants at once (e.g. every covered company)."""

    accounts: tuple[RegisterAccount, ...]
    TYPE = "register_accounts"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "RegisterAccounts":
        _fields(obj, cls.TYPE, ("accounts",))
        raw = obj["accounts"]
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_BATCH_ACCOUNTS:
            raise _invalid(f"register_accounts.accounts must be a list of 1 to {MAX_BATCH_ACCOUNTS} accounts")
        accounts = []
        for i, entry in enumerate(raw):
            if not isinstance(entry, dict):
                raise _invalid(f"register_accounts.accounts[{i}] must be an object")
            try:
                accounts.append(RegisterAccount.from_json(entry))
            except TxRejected as exc:
                raise _invalid(f"register_accounts.accounts[{i}]: {exc.log}") from None
        if len({a.address for a in accounts}) != len(accounts):
            raise _invalid("register_accounts: an address appears twice")
        ids = [a.company_id for a in accounts if a.company_id is not None]
        if len(set(ids)) != len(ids):
            raise _invalid("register_accounts: a company_id appears twice")
        keys = [name_key(a.name) for a in accounts]
        if len(set(keys)) != len(keys):
            twice = sorted(a.name for a, k in zip(accounts, keys) if keys.count(k) > 1)
            raise _invalid(f"register_accounts: names that differ only in case, spaces or punctuation: {', '.join(twice[:4])}")
        return cls(tuple(accounts))


@dataclass(frozen=True, slots=True)
class IssuePlan:
    """Governed action: issue every line of a sealed allocation plan as e-orders, in one batch."""

    plan_hash: str
    TYPE = "issue_plan"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "IssuePlan":
        _fields(obj, cls.TYPE, ("plan_hash",))
        return cls(_hex64(cls.TYPE, "plan_hash", obj["plan_hash"]))


Action = Union[RegisterAccount, RegisterAccounts, IssueAllowances, IssuePlan]
_ACTIONS: dict[str, Callable[[dict[str, Any]], Action]] = {
    cls.TYPE: cls.from_json for cls in (RegisterAccount, RegisterAccounts, IssueAllowances, IssuePlan)
}


@dataclass(frozen=True, slots=True)
class PlanOpen:
    """Start uploading an allocation plan: its hash, header (parameters, input hashes) and size."""

    plan_hash: str
    header: dict[str, Any]
    lines: int
    TYPE = "plan_open"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "PlanOpen":
        kind = cls.TYPE
        _fields(obj, kind, ("plan_hash", "header", "lines"))
        header = obj["header"]
        if not isinstance(header, dict) or len(canonical_json(header)) > MAX_PLAN_HEADER_BYTES:
            raise _invalid(f"{kind}.header must be an object of at most {MAX_PLAN_HEADER_BYTES:,} bytes")
        return cls(_hex64(kind, "plan_hash", obj["plan_hash"]), header, _count(kind, "lines", obj["lines"], MAX_PLAN_LINES, 1))


@dataclass(frozen=True, slots=True)
class PlanChunk:
    """The next slice of a plan's lines, [company_id, vintage, amount], in (company_id, vintage) order."""

    plan_hash: str
    offset: int
    lines: tuple[tuple[str, str, int], ...]
    TYPE = "plan_chunk"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "PlanChunk":
        kind = cls.TYPE
        _fields(obj, kind, ("plan_hash", "offset", "lines"))
        raw = obj["lines"]
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CHUNK_LINES:
            raise _invalid(f"{kind}.lines must be a list of 1 to {MAX_CHUNK_LINES:,} lines")
        lines = []
        for i, line in enumerate(raw):
            if not isinstance(line, list) or len(line) != 3:
                raise _invalid(f"{kind}.lines[{i}] must be [company_id, vintage, amount]")
            company_id, vintage, amount = line
            if not is_text(company_id, _MAX_NAME):
                raise _invalid(f"{kind}.lines[{i}]: company_id must be printable text of 1 to {_MAX_NAME} characters")
            if not isinstance(vintage, str) or not vintage.startswith("KAU") or not is_instrument(vintage):
                raise _invalid(f"{kind}.lines[{i}]: vintage must look like KAU26")
            lines.append((company_id, vintage, _count(f"{kind}.lines[{i}]", "amount", amount, MAX_AMOUNT, 1)))
        return cls(_hex64(kind, "plan_hash", obj["plan_hash"]), _count(kind, "offset", obj["offset"], MAX_PLAN_LINES), tuple(lines))


@dataclass(frozen=True, slots=True)
class RegisterDevice:
    """A verification body (or the government) registers a verified sensor device for one company site."""

    device: str
    public_key: str
    company: str
    site: str
    measures: str
    unit: str
    TYPE = "register_device"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "RegisterDevice":
        kind = cls.TYPE
        _fields(obj, kind, ("device", "public_key", "company", "site", "measures", "unit"))
        device = _address(kind, "device", obj["device"])
        site = obj["site"]
        if not isinstance(site, str) or not _SITE.fullmatch(site):
            raise _invalid(f"{kind}.site must be 1-64 characters of letters, digits, '_', '.', '-'")
        if obj["measures"] != "CO2":
            raise _invalid(f"{kind}.measures must be \"CO2\" (CO2-equivalent mass)")
        if obj["unit"] != "kg":
            raise _invalid(f"{kind}.unit must be \"kg\"")
        return cls(device, _public_key(kind, obj["public_key"], device), _address(kind, "company", obj["company"]), site, "CO2", "kg")


@dataclass(frozen=True, slots=True)
class DailyTotal:
    """A device's daily total: mass, reading counts and the Merkle root of the day's readings."""

    day: str
    day_number: int
    total: int
    unit: str
    readings: int
    substituted: int
    merkle_root: str
    TYPE = "daily_total"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "DailyTotal":
        kind = cls.TYPE
        _fields(obj, kind, ("day", "total", "unit", "readings", "substituted", "merkle_root"))
        if obj["unit"] != "kg":
            raise _invalid(f"{kind}.unit must be \"kg\"")
        readings = _count(kind, "readings", obj["readings"], MAX_DAILY_READINGS)
        substituted = _count(kind, "substituted", obj["substituted"], readings)
        return cls(obj["day"], day_number(kind, obj["day"]), _count(kind, "total", obj["total"], MAX_DAILY_KG), "kg",
                   readings, substituted, _hex64(kind, "merkle_root", obj["merkle_root"]))


@dataclass(frozen=True, slots=True)
class Propose:
    """An official proposes a governed action; the proposer's approval is counted."""

    action: Action
    raw_action: dict[str, Any] = field(default_factory=dict, compare=False)  # the action as signed; stored in the proposal
    TYPE = "propose"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Propose":
        _fields(obj, cls.TYPE, ("action",))
        action = obj["action"]
        if not isinstance(action, dict) or not isinstance(action.get("type"), str) or action["type"] not in _ACTIONS:
            raise _invalid(f"propose.action must be an object whose type is one of {', '.join(sorted(_ACTIONS))}")
        return cls(_ACTIONS[action["type"]](action), action)


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


MAX_KRW = 10**15  # one cash movement, KRW


@dataclass(frozen=True, slots=True)
class FundCash:
    """The settlement bank credits KRW it received to a company's cash account."""

    to: str
    amount: int
    TYPE = "fund_cash"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "FundCash":
        _fields(obj, cls.TYPE, ("to", "amount"))
        return cls(_address(cls.TYPE, "to", obj["to"]), _count(cls.TYPE, "amount", obj["amount"], MAX_KRW, 1))


@dataclass(frozen=True, slots=True)
class WithdrawCash:
    """The settlement bank pays out KRW from a company's available cash."""

    account: str
    amount: int
    TYPE = "withdraw_cash"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "WithdrawCash":
        _fields(obj, cls.TYPE, ("account", "amount"))
        return cls(_address(cls.TYPE, "account", obj["account"]), _count(cls.TYPE, "amount", obj["amount"], MAX_KRW, 1))


@dataclass(frozen=True, slots=True)
class PlaceOrder:
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
        return cls(_instrument(kind, obj["instrument"]), obj["side"], _count(kind, "price", obj["price"], 10**9, 1),
                   _count(kind, "quantity", obj["quantity"], MAX_AMOUNT, 1))


@dataclass(frozen=True, slots=True)
class CancelOrder:
    order_id: int
    TYPE = "cancel_order"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CancelOrder":
        return cls(_only_id(cls.TYPE, obj, "order_id"))


@dataclass(frozen=True, slots=True)
class SetViewKey:
    """Publish the account's X25519 view key, to which sealed block-trade prices are encrypted."""

    public_key: str
    TYPE = "set_view_key"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "SetViewKey":
        _fields(obj, cls.TYPE, ("public_key",))
        return cls(_hex64(cls.TYPE, "public_key", obj["public_key"]))


_MAX_SEALED_READERS = 8


@dataclass(frozen=True, slots=True)
class BlockTradePropose:
    """A confidential block trade: quantity in clear, price sealed to its readers with a commitment."""

    counterparty: str
    instrument: str
    side: str
    quantity: int
    price_commitment: str
    sealed_price: dict[str, dict[str, str]]
    TYPE = "block_trade_propose"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "BlockTradePropose":
        kind = cls.TYPE
        _fields(obj, kind, ("counterparty", "instrument", "side", "quantity", "price_commitment", "sealed_price"))
        if obj["side"] not in ("buy", "sell"):
            raise _invalid(f'{kind}.side must be "buy" or "sell" (the proposer\'s side)')
        sealed = obj["sealed_price"]
        if not isinstance(sealed, dict) or not 1 <= len(sealed) <= _MAX_SEALED_READERS:
            raise _invalid(f"{kind}.sealed_price must map 1 to {_MAX_SEALED_READERS} reader addresses to sealed entries")
        for reader, entry in sealed.items():
            _address(kind, "sealed_price reader", reader)
            if not isinstance(entry, dict) or set(entry) != {"epk", "nonce", "ct"} or not all(
                    isinstance(v, str) and 0 < len(v) <= 512 and all(c in "0123456789abcdef" for c in v) for v in entry.values()):
                raise _invalid(f"{kind}.sealed_price[{reader}] must be {{epk, nonce, ct}} in lowercase hex")
        return cls(_address(kind, "counterparty", obj["counterparty"]), _instrument(kind, obj["instrument"]), obj["side"],
                   _count(kind, "quantity", obj["quantity"], MAX_AMOUNT, 1), _hex64(kind, "price_commitment", obj["price_commitment"]), sealed)


@dataclass(frozen=True, slots=True)
class BlockTradeAccept:
    trade_id: int
    TYPE = "block_trade_accept"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "BlockTradeAccept":
        return cls(_only_id(cls.TYPE, obj, "trade_id"))


@dataclass(frozen=True, slots=True)
class BlockTradeCancel:
    """The proposer cancels, or the counterparty declines, an open block trade."""

    trade_id: int
    TYPE = "block_trade_cancel"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "BlockTradeCancel":
        return cls(_only_id(cls.TYPE, obj, "trade_id"))


Message = Union[Transfer, Propose, Approve, Reject, PlanOpen, PlanChunk, RegisterDevice, DailyTotal, FundCash, WithdrawCash,
                PlaceOrder, CancelOrder, SetViewKey, BlockTradePropose, BlockTradeAccept, BlockTradeCancel]
_PARSERS: dict[str, Callable[[dict[str, Any]], Message]] = {
    cls.TYPE: cls.from_json for cls in (Transfer, Propose, Approve, Reject, PlanOpen, PlanChunk, RegisterDevice, DailyTotal,
                                        FundCash, WithdrawCash, PlaceOrder, CancelOrder, SetViewKey, BlockTradePropose,
                                        BlockTradeAccept, BlockTradeCancel)
}


def parse_message(obj: dict[str, Any]) -> Message:
    parser = _PARSERS.get(obj.get("type"))  # type: ignore[arg-type]
    if parser is None:
        raise TxRejected(Code.UNKNOWN_MESSAGE, f"unknown message type {str(obj.get('type'))[:40]!r}; known: {', '.join(sorted(_PARSERS))}")
    return parser(obj)
