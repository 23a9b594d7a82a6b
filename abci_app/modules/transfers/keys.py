"""State keys of the allowance ledger: available and held tonnes per holder, total supply per instrument, and each
account's private transfer record (``journal.py``)."""

from __future__ import annotations

from protocol.state_keys import balance, held, supply  # the keys clients prove: part of the wire contract

__all__ = ["PREFIXES", "SUPPLY", "JOURNAL", "balance", "balances_of", "held", "held_of", "supply", "instrument_in",
           "journal_count", "journal_entry"]

PREFIXES = ("bal/", "held/", "supply/", "xlog/")
BALANCES, HELD = "bal/", "held/"

SUPPLY = "supply/"


def balances_of(address: str) -> str:
    return f"bal/{address}/"


def held_of(address: str) -> str:
    return f"held/{address}/"


def instrument_in(key: str) -> str:
    """The instrument at the end of a balance, held or supply key."""
    return key.rsplit("/", 1)[1]


JOURNAL = "xlog/"


def journal_count(address: str) -> str:
    """Private: how many entries the account's transfer record holds (its latest sequence number)."""
    return f"{JOURNAL}{address}"


def journal_entry(address: str, seq: int) -> str:
    """Private: one entry of the account's transfer record, by its per-account sequence number."""
    return f"{JOURNAL}{address}/{seq:012d}"
