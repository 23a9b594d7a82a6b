"""Session schedule from block time: phases in KST, transitions, trading days, the 24-hour demo."""

from __future__ import annotations

import calendar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.market import Event, InvalidParameter, Phase, Schedule, phase_at, trading_day_at, transitions_between

KRX = Schedule()
DEMO = Schedule.around_the_clock()


def kst(date: str, hhmmss: str) -> int:
    """Unix seconds of a KST wall-clock time (UTC+9, no daylight saving)."""
    y, m, d = map(int, date.split("-"))
    h, mi, s = map(int, hhmmss.split(":"))
    return calendar.timegm((y, m, d, h, mi, s)) - 9 * 3600


@pytest.mark.parametrize(
    "when, phase",
    [
        ("08:59:59", Phase.CLOSED),
        ("09:00:00", Phase.OPENING_CALL),
        ("09:59:59", Phase.OPENING_CALL),
        ("10:00:00", Phase.CONTINUOUS),
        ("11:29:59", Phase.CONTINUOUS),
        ("11:30:00", Phase.CLOSING_CALL),
        ("11:59:59", Phase.CLOSING_CALL),
        ("12:00:00", Phase.CLOSED),
        ("23:59:59", Phase.CLOSED),
        ("00:00:00", Phase.CLOSED),
    ],
)
def test_krx_phases_on_a_weekday(when, phase):
    assert phase_at(kst("2025-06-12", when), KRX) is phase  # a Thursday


def test_kst_is_utc_plus_nine():
    # 01:00 UTC is 10:00 KST
    assert phase_at(calendar.timegm((2025, 6, 12, 1, 0, 0)), KRX) is Phase.CONTINUOUS
    assert trading_day_at(calendar.timegm((2025, 6, 11, 23, 0, 0)), KRX) == "2025-06-12"  # 08:00 KST next day


def test_weekends_and_holidays_are_closed():
    saturday = kst("2025-06-14", "10:30:00")
    assert phase_at(saturday, KRX) is Phase.CLOSED and trading_day_at(saturday, KRX) is None
    holiday = Schedule(holidays=("2025-06-06",))  # Memorial Day, a Friday
    assert phase_at(kst("2025-06-06", "10:30:00"), holiday) is Phase.CLOSED
    assert phase_at(kst("2025-06-06", "10:30:00"), KRX) is Phase.CONTINUOUS
    assert transitions_between(kst("2025-06-05", "13:00:00"), kst("2025-06-09", "08:00:00"), holiday) == ()


def test_a_trading_day_has_four_transitions_in_order():
    day = transitions_between(kst("2025-06-12", "00:00:00"), kst("2025-06-12", "23:00:00"), KRX)
    assert [(t.event, t.time, t.trading_day) for t in day] == [
        (Event.PRE_OPEN, kst("2025-06-12", "09:00:00"), "2025-06-12"),
        (Event.OPEN, kst("2025-06-12", "10:00:00"), "2025-06-12"),
        (Event.CLOSING_CALL, kst("2025-06-12", "11:30:00"), "2025-06-12"),
        (Event.CLOSE, kst("2025-06-12", "12:00:00"), "2025-06-12"),
    ]


def test_a_transition_belongs_to_the_first_block_at_or_after_it():
    ten = kst("2025-06-12", "10:00:00")
    assert [t.event for t in transitions_between(ten - 2, ten, KRX)] == [Event.OPEN]
    assert transitions_between(ten, ten + 3, KRX) == ()
    assert [t.event for t in transitions_between(ten - 1, ten + 5, KRX)] == [Event.OPEN]
    assert transitions_between(ten, ten, KRX) == ()


def test_a_gap_over_a_weekend_reports_each_trading_day_in_turn():
    events = transitions_between(kst("2025-06-13", "11:00:00"), kst("2025-06-16", "10:00:00"), KRX)
    assert [(t.trading_day, t.event) for t in events] == [
        ("2025-06-13", Event.CLOSING_CALL),
        ("2025-06-13", Event.CLOSE),
        ("2025-06-16", Event.PRE_OPEN),
        ("2025-06-16", Event.OPEN),
    ]


def test_the_demo_schedule_trades_continuously_and_ends_each_day_at_midnight():
    for date in ("2025-06-14", "2025-06-15", "2025-06-16"):
        for when in ("00:00:00", "03:00:00", "12:00:00", "23:59:59"):
            assert phase_at(kst(date, when), DEMO) is Phase.CONTINUOUS
    midnight = kst("2025-06-15", "00:00:00")
    events = transitions_between(midnight - 1, midnight, DEMO)
    assert [(t.trading_day, t.event) for t in events] == [
        ("2025-06-14", Event.CLOSING_CALL),
        ("2025-06-14", Event.CLOSE),
        ("2025-06-15", Event.PRE_OPEN),
        ("2025-06-15", Event.OPEN),
    ]
    assert all(t.time == midnight for t in events)


@pytest.mark.parametrize(
    "fields",
    [
        {"opening_call": 11 * 3600},  # after continuous
        {"close": 86_401},
        {"opening_call": 0, "continuous": 0, "closing_call": 0, "close": 0},
        {"weekdays": (4, 0)},
        {"weekdays": (7,)},
        {"holidays": ("2025-6-6",)},
        {"holidays": ("2025-06-07", "2025-06-06")},
    ],
)
def test_bad_schedules_are_refused(fields):
    with pytest.raises(InvalidParameter):
        Schedule(**fields)


def test_schedule_round_trip_and_time_checks():
    s = Schedule(holidays=("2025-06-06", "2025-08-15"))
    assert Schedule.from_dict(s.to_dict()) == s
    assert Schedule.from_dict({}) == KRX
    with pytest.raises(InvalidParameter, match="backwards"):
        transitions_between(10, 9, KRX)
    with pytest.raises(InvalidParameter):
        phase_at(1.5, KRX)  # type: ignore[arg-type]


_times = st.integers(kst("2024-12-20", "00:00:00"), kst("2025-01-10", "00:00:00"))
_schedules = st.sampled_from([KRX, DEMO, Schedule(holidays=("2024-12-25", "2025-01-01")),
                              Schedule(9 * 3600, 9 * 3600, 15 * 3600, 15 * 3600 + 600, (0, 1, 2, 3, 4, 5))])
_NEXT = {
    Event.PRE_OPEN: Phase.OPENING_CALL,
    Event.OPEN: Phase.CONTINUOUS,
    Event.CLOSING_CALL: Phase.CLOSING_CALL,
    Event.CLOSE: Phase.CLOSED,
}


@settings(max_examples=300, deadline=None)
@given(t0=_times, steps=st.lists(st.integers(0, 5 * 3600), min_size=1, max_size=30), schedule=_schedules)
def test_phase_at_agrees_with_the_transitions(t0, steps, schedule):
    """Walking block by block, the phase after the last transition is the phase at the block time,
    each trading day's events come in order, and splitting an interval changes nothing."""
    times = [t0]
    for step in steps:
        times.append(times[-1] + step)
    all_events = []
    for a, b in zip(times, times[1:]):
        events = transitions_between(a, b, schedule)
        all_events += events
        if events:  # a zero-length phase's end comes at the same time, so it is in the same batch
            assert phase_at(b, schedule) is _NEXT[events[-1].event]
        else:
            assert phase_at(b, schedule) is phase_at(a, schedule)
    assert tuple(all_events) == transitions_between(times[0], times[-1], schedule)
    assert [t.time for t in all_events] == sorted(t.time for t in all_events)
    order = list(_NEXT)
    for prev, nxt in zip(all_events, all_events[1:]):
        if prev.trading_day == nxt.trading_day:
            assert order.index(nxt.event) == order.index(prev.event) + 1
        else:
            assert nxt.trading_day > prev.trading_day
