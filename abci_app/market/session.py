"""The trading session: which phase the market is in at a block time, and the transitions between.

KRX emissions market (DOMAIN.md "Market"): trading 10:00-12:00 KST with a single-price call
auction at the open and at the close and continuous matching between. The default schedule:

    09:00-10:00  OPENING_CALL   orders collected without matching; uncrossed at 10:00
    10:00-11:30  CONTINUOUS     price-time matching
    11:30-12:00  CLOSING_CALL   orders collected without matching; uncrossed at 12:00
    otherwise    CLOSED         no orders; at 12:00 every resting (day) order expires

KRX takes orders for the opening call from 09:00 and runs the closing call over the last
30 minutes; both boundaries are parameters. Trading days are Monday-Friday except listed
holidays. Times are block times in unix seconds; KST is UTC+9 with no daylight saving. All
arithmetic is on integers; nothing reads a clock.

Phases are half-open intervals [start, end) of seconds after KST midnight, so a transition at
time T has happened for every block with time ≥ T: ``phase_at(t)`` always agrees with
``transitions_between(t0, t)``. A phase of zero length is skipped by ``phase_at`` but its
transitions are still reported, in order, so the chain's work per trading day is always
PRE_OPEN → OPEN → CLOSING_CALL → CLOSE.

    Event         at              the chain then
    PRE_OPEN      opening_call    starts the trading day (reference price = previous close)
    OPEN          continuous      uncrosses the opening call; continuous trading starts
    CLOSING_CALL  closing_call    stops continuous matching; collects the closing call
    CLOSE         close           uncrosses the closing call, expires day orders, closes the daily bar

``Schedule.around_the_clock()`` is a demo schedule: continuous trading 00:00-24:00 KST every
day (the day still ends at midnight: the zero-length calls uncross nothing, day orders expire).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from protocol.calendar import KST_OFFSET

from .errors import InvalidParameter

__all__ = ["Phase", "Event", "Schedule", "Transition", "KST_OFFSET", "phase_at", "transitions_between", "trading_day_at"]

DAY = 86_400
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


class Phase(str, Enum):
    CLOSED = "closed"
    OPENING_CALL = "opening_call"
    CONTINUOUS = "continuous"
    CLOSING_CALL = "closing_call"

    @property
    def accepts_orders(self) -> bool:
        return self is not Phase.CLOSED

    @property
    def matches(self) -> bool:
        """Whether an incoming order matches at once (otherwise it rests for the auction)."""
        return self is Phase.CONTINUOUS


class Event(str, Enum):
    PRE_OPEN = "pre_open"
    OPEN = "open"
    CLOSING_CALL = "closing_call"
    CLOSE = "close"


_EVENT_ORDER = (Event.PRE_OPEN, Event.OPEN, Event.CLOSING_CALL, Event.CLOSE)


def _check_seconds(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= DAY:
        raise InvalidParameter(f"schedule {name} must be seconds after KST midnight, 0 to {DAY:,}; got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Schedule:
    """When each phase starts, in seconds after KST midnight, and which days trade."""

    opening_call: int = 9 * 3600
    continuous: int = 10 * 3600
    closing_call: int = 11 * 3600 + 30 * 60
    close: int = 12 * 3600
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    holidays: tuple[str, ...] = field(default=())  # ISO dates (KST), e.g. "2025-10-03"

    def __post_init__(self) -> None:
        times = [_check_seconds(n, getattr(self, n)) for n in ("opening_call", "continuous", "closing_call", "close")]
        if times != sorted(times) or times[0] == times[3]:
            raise InvalidParameter(
                "schedule times must satisfy opening_call ≤ continuous ≤ closing_call ≤ close with "
                f"opening_call < close; got {times}"
            )
        if not isinstance(self.weekdays, tuple) or list(self.weekdays) != sorted(set(self.weekdays)) or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in self.weekdays
        ):
            raise InvalidParameter(f"schedule weekdays must be a sorted tuple of distinct days 0 (Monday) to 6; got {self.weekdays!r}")
        if not isinstance(self.holidays, tuple) or list(self.holidays) != sorted(set(self.holidays)):
            raise InvalidParameter("schedule holidays must be a sorted tuple of distinct ISO dates")
        for day in self.holidays:
            try:
                ok = isinstance(day, str) and _dt.date.fromisoformat(day).isoformat() == day
            except ValueError:
                ok = False
            if not ok:
                raise InvalidParameter(f"schedule holiday {day!r} is not an ISO date like 2025-10-03")

    @classmethod
    def around_the_clock(cls) -> "Schedule":
        """Demo: continuous trading all day, every day (calls of zero length at midnight)."""
        return cls(0, 0, DAY, DAY, (0, 1, 2, 3, 4, 5, 6), ())

    def is_trading_day(self, day_number: int) -> bool:
        """``day_number``: days since 1970-01-01 in KST."""
        if (day_number + 3) % 7 not in self.weekdays:  # 1970-01-01 was a Thursday
            return False
        return not self.holidays or _iso(day_number) not in self.holidays

    def to_dict(self) -> dict[str, Any]:
        return {
            "opening_call": self.opening_call,
            "continuous": self.continuous,
            "closing_call": self.closing_call,
            "close": self.close,
            "weekdays": list(self.weekdays),
            "holidays": list(self.holidays),
        }

    @classmethod
    def from_dict(cls, obj: Any) -> "Schedule":
        keys = ("opening_call", "continuous", "closing_call", "close", "weekdays", "holidays")
        if not isinstance(obj, dict) or not set(obj) <= set(keys):
            raise InvalidParameter(f"a schedule is an object with the fields {', '.join(keys)} (each optional)")
        values = dict(obj)
        for name in ("weekdays", "holidays"):
            if name in values:
                if not isinstance(values[name], list):
                    raise InvalidParameter(f"schedule {name} must be a list")
                values[name] = tuple(values[name])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Transition:
    time: int  # unix seconds at which it takes effect
    event: Event
    trading_day: str  # ISO date (KST) of the trading day it belongs to


def _iso(day_number: int) -> str:
    return _dt.date.fromordinal(_EPOCH_ORDINAL + day_number).isoformat()


def _check_time(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidParameter(f"{name} must be a block time in whole unix seconds; got {value!r}")
    return value


def _day_and_second(unix_seconds: int) -> tuple[int, int]:
    return divmod(unix_seconds + KST_OFFSET, DAY)


def trading_day_at(unix_seconds: int, schedule: Schedule) -> str | None:
    """The ISO date (KST) of the trading day at that time, or None on a non-trading day."""
    day, _ = _day_and_second(_check_time("unix_seconds", unix_seconds))
    return _iso(day) if schedule.is_trading_day(day) else None


def phase_at(unix_seconds: int, schedule: Schedule) -> Phase:
    """The session phase at a block time."""
    day, second = _day_and_second(_check_time("unix_seconds", unix_seconds))
    if not schedule.is_trading_day(day):
        return Phase.CLOSED
    if second < schedule.opening_call or second >= schedule.close:
        return Phase.CLOSED
    if second < schedule.continuous:
        return Phase.OPENING_CALL
    if second < schedule.closing_call:
        return Phase.CONTINUOUS
    return Phase.CLOSING_CALL


def transitions_between(t0: int, t1: int, schedule: Schedule) -> tuple[Transition, ...]:
    """Every transition with t0 < time ≤ t1, in the order the chain must run them.

    Call it at each block with t0 = the previous block's time and t1 = this block's time, and
    run the returned events before the block's transactions. A gap of several days reports
    every trading day's four events in turn.
    """
    _check_time("t0", t0)
    _check_time("t1", t1)
    if t1 < t0:
        raise InvalidParameter(f"block time went backwards ({t0} → {t1}); transitions need t0 ≤ t1")
    offsets = (schedule.opening_call, schedule.continuous, schedule.closing_call, schedule.close)
    out: list[Transition] = []
    first_day = (t0 + KST_OFFSET) // DAY - 1  # a close at 24:00 of the previous day lands on this day
    last_day = (t1 + KST_OFFSET) // DAY
    for day in range(first_day, last_day + 1):
        if not schedule.is_trading_day(day):
            continue
        base = day * DAY - KST_OFFSET
        label = None
        for event, offset in zip(_EVENT_ORDER, offsets):
            time = base + offset
            if t0 < time <= t1:
                label = label or _iso(day)
                out.append(Transition(time, event, label))
    return tuple(out)
