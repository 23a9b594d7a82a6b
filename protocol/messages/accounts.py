"""Participant registry messages: governed admission of accounts, sensor devices registered by a verifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..codes import TxRejected
from ..text import name_key
from ..constants import ROLES, MAX_NAME, MAX_SECTOR, MAX_BATCH_ACCOUNTS
from ._base import action, _address, _fields, _invalid, message, _name, _public_key, _SITE, _text, Wire

__all__ = ["RegisterAccount", "RegisterAccounts", "RegisterDevice"]


@action
@dataclass(frozen=True, slots=True)
class RegisterAccount(Wire):
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
            company_id = _text(kind, "company_id", company_id, MAX_NAME)
        if sector is not None:
            sector = _text(kind, "sector", sector, MAX_SECTOR)
            if "/" in sector:
                raise _invalid(f"{kind}.sector must not contain '/'")
        return cls(address, pk, role, _name(kind, obj["name"]), company, company_id, sector)


@action
@dataclass(frozen=True, slots=True)
class RegisterAccounts(Wire):
    """Governed action: admit many participants at once (e.g. every covered company)."""

    accounts: tuple[RegisterAccount, ...]
    TYPE = "register_accounts"

    def to_json(self) -> dict[str, Any]:
        entries = []
        for entry in self.accounts:  # the accounts of a batch are sent without their own "type"
            fields = entry.to_json()
            del fields["type"]
            entries.append(fields)
        return {"type": self.TYPE, "accounts": entries}

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


@message
@dataclass(frozen=True, slots=True)
class RegisterDevice(Wire):
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
