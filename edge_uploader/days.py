"""KST calendar days and hours: the reporting period of a daily total.

A day is a Korean Standard Time (UTC+9, no daylight saving) calendar day, written
``YYYY-MM-DD``. A reading covers one clock hour and is stamped with the unix time of the
start of that hour; KST hours start on UTC hour boundaries, so an hour stamp is a multiple
of 3600. Pure arithmetic: nothing here reads the clock.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from protocol.calendar import DAY, HOUR, KST_OFFSET

from .errors import ReadingError

__all__ = ["KST_OFFSET", "HOUR", "DAY", "HOURS_PER_DAY", "day_of", "day_start", "day_end", "hours_of", "next_day", "parse_day", "days_between"]

HOURS_PER_DAY = 24
_EPOCH = date(1970, 1, 1)
_DAY_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(text: str) -> str:
    """Check that ``text`` is a real calendar day written YYYY-MM-DD and return it."""
    if not isinstance(text, str) or not _DAY_TEXT.match(text):
        raise ReadingError(f"day {text!r} must be written YYYY-MM-DD")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ReadingError(f"day {text!r} is not a calendar day") from None
    return text


def day_of(timestamp: int) -> str:
    """The KST day that contains unix time ``timestamp``."""
    return (_EPOCH + timedelta(days=(timestamp + KST_OFFSET) // DAY)).isoformat()


def day_start(day: str) -> int:
    """Unix time of 00:00 KST of ``day``."""
    return (date.fromisoformat(parse_day(day)) - _EPOCH).days * DAY - KST_OFFSET


def day_end(day: str) -> int:
    """Unix time of 24:00 KST of ``day`` (the start of the next day)."""
    return day_start(day) + DAY


def hours_of(day: str) -> list[int]:
    """The 24 hour stamps of ``day``, in order."""
    start = day_start(day)
    return [start + i * HOUR for i in range(HOURS_PER_DAY)]


def next_day(day: str) -> str:
    return day_of(day_end(day))


def days_between(first: str, last: str) -> list[str]:
    """Every day from ``first`` to ``last`` inclusive (empty when last < first)."""
    out: list[str] = []
    day = parse_day(first)
    while day <= last:
        out.append(day)
        day = next_day(day)
    return out
