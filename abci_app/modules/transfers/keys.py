"""State keys of the allowance ledger: available and held tonnes per holder, total supply per instrument."""

from __future__ import annotations

__all__ = ["PREFIXES", "SUPPLY", "balance", "balances_of", "held", "held_of", "supply", "instrument_in"]

PREFIXES = ("bal/", "held/", "supply/")
BALANCES, HELD = "bal/", "held/"

SUPPLY = "supply/"


def balance(address: str, instrument: str) -> str:
    """Tonnes the holder has available (absent = 0)."""
    return f"bal/{address}/{instrument}"


def balances_of(address: str) -> str:
    return f"bal/{address}/"


def held(address: str, instrument: str) -> str:
    """Tonnes held behind the holder's sell orders and proposed block trades (absent = 0)."""
    return f"held/{address}/{instrument}"


def held_of(address: str) -> str:
    return f"held/{address}/"


def supply(instrument: str) -> str:
    """Tonnes of the instrument issued in total."""
    return f"{SUPPLY}{instrument}"


def instrument_in(key: str) -> str:
    """The instrument at the end of a balance, held or supply key."""
    return key.rsplit("/", 1)[1]
