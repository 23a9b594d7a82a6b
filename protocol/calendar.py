"""Time on the chain: Korea Standard Time (UTC+9, no daylight saving) calendar days from unix seconds.

Pure integer arithmetic on block times (or reading timestamps); nothing here reads a clock.

    KST_OFFSET          seconds east of UTC
    day_number(t)       KST calendar day of unix time ``t``, as days since 1970-01-01 (KST)
    iso_day(t)          the same day written YYYY-MM-DD
    day_start(n)        unix time of 00:00 KST of day number ``n``
"""

from __future__ import annotations

from datetime import date, timedelta, timezone

__all__ = ["KST_OFFSET", "KST_ZONE", "HOUR", "DAY", "day_number", "iso_day", "day_start", "EPOCH_ORDINAL"]

KST_OFFSET = 9 * 3600
KST_ZONE = timezone(timedelta(seconds=KST_OFFSET), "KST")  # for display (datetime, pandas)
HOUR = 3600
DAY = 86400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(unix_seconds: int) -> int:
    """KST calendar day number (days since 1970-01-01 KST) of a unix time."""
    return (unix_seconds + KST_OFFSET) // DAY


def iso_day(unix_seconds: int) -> str:
    return date.fromordinal(day_number(unix_seconds) + EPOCH_ORDINAL).isoformat()


def day_start(day: int) -> int:
    """Unix time of 00:00 KST on KST day number ``day``."""
    return day * DAY - KST_OFFSET
