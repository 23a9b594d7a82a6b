"""State keys of the participant registry: account records, role counts, registry ids, names, devices."""

from __future__ import annotations

from protocol.state_keys import account  # a key clients prove: part of the wire contract
from protocol.text import name_key

__all__ = ["PREFIXES", "ACCOUNTS", "account", "address_in", "role_count", "company_id", "name", "device", "devices_of"]

PREFIXES = ("acct/", "count/role/", "companyid/", "name/", "device/")

ACCOUNTS = "acct/"


def address_in(key: str) -> str:
    """The address at the end of an account key or of a device index key."""
    return key.rsplit("/", 1)[1]


def role_count(role: str) -> str:
    """How many accounts have that role."""
    return f"count/role/{role}"


def company_id(registry_id: str) -> str:
    """The address of the company with that public registry id."""
    return f"companyid/{registry_id}"


def name(registered_name: str) -> str:
    """The address registered under that name: names that differ only in case, spaces or
    punctuation share one key (``protocol.text.name_key``), so look-alike duplicates collide."""
    return f"name/{name_key(registered_name)}"


def device(company: str, site: str, device_address: str) -> str:
    """Index entry of a company's device at a site (value b"1")."""
    return f"device/{company}/{site}/{device_address}"


def devices_of(company: str) -> str:
    """Prefix of a company's device index entries."""
    return f"device/{company}/"
