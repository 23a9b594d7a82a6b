"""State keys of market makers and participant classes (``module.py`` declares who reads them)."""

from __future__ import annotations

__all__ = ["PREFIXES", "CLASSES", "MAKERS", "DAYS", "QUOTING", "participant_class", "day", "days_of", "quoting"]

CLASSES = "mk/class/"  # public: an account's participant class (registered market makers are published)
MAKERS = "mk/makers"  # public: the registered market makers, sorted addresses
DAYS = "mk/day/"  # private (the maker and the regulator): per maker and KST day, the seconds its quote met the duty
QUOTING = "mk/quoting/"  # private: whether the maker's quote met the duty at the end of the last block, and since when
PREFIXES = (CLASSES, MAKERS, DAYS, QUOTING)


def participant_class(address: str) -> str:
    """{"class", "instrument", "since", "proposal_id"}; absent = an ordinary company."""
    return f"{CLASSES}{address}"


def day(address: str, iso_day: str) -> str:
    """{"seconds", "blocks"}: time in the day the maker's quote met the duty (block time, KST day)."""
    return f"{DAYS}{address}/{iso_day}"


def days_of(address: str, month: str = "") -> str:
    """Prefix of a maker's day records (of one month, "YYYY-MM", if given)."""
    return f"{DAYS}{address}/{month}"


def quoting(address: str) -> str:
    """{"time", "met"}: the block time of the last measurement and whether the quote met the duty then."""
    return f"{QUOTING}{address}"
