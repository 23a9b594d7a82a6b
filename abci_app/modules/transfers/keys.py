"""State keys of the allowance ledger: available and held tonnes per holder, total supply per instrument."""

from __future__ import annotations

from protocol.state_keys import balance, held, supply  # the keys clients prove: part of the wire contract

__all__ = ["PREFIXES", "SUPPLY", "balance", "balances_of", "held", "held_of", "supply", "instrument_in"]

PREFIXES = ("bal/", "held/", "supply/")
BALANCES, HELD = "bal/", "held/"

SUPPLY = "supply/"


def balances_of(address: str) -> str:
    return f"bal/{address}/"


def held_of(address: str) -> str:
    return f"held/{address}/"


def instrument_in(key: str) -> str:
    """The instrument at the end of a balance, held or supply key."""
    return key.rsplit("/", 1)[1]
