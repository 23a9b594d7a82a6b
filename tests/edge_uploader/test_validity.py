"""Validity rules: mean + 2σ in integer arithmetic, limits, the alarm, the outage alert."""

from __future__ import annotations

from fractions import Fraction
from math import isqrt

import pytest
from hypothesis import given, settings, strategies as st

from protocol.readings import Reading

from edge_uploader.errors import ConfigError, ReadingRejected
from edge_uploader.validity import Limits, at_alarm_level, check_range, isqrt_ceil, outage, substitute_value

from edge_helpers import HOUR0, device_signer


@pytest.mark.parametrize("values, expected", [
    ([100], 100),                        # one valid hour: σ = 0
    ([100, 100, 100], 100),
    ([0, 0], 0),
    ([90, 110], 120),                    # mean 100, σ 10
    ([1, 2, 3, 4], 5),                   # mean 2.5, σ = √1.25 = 1.118 → 4.736 → 5 (rounded up)
    ([10, 20], 25),                      # mean 15, σ 5 → 25 exactly
    ([50_000] * 23 + [50_024], 50_011),  # mean 50001, σ² = 23, σ = 4.80 → 50010.6 → 50011
])
def test_substitute_value_table(values, expected):
    assert substitute_value(values) == expected


def exact_bound(values: list[int]) -> tuple[Fraction, Fraction]:
    n = len(values)
    s, q = sum(values), sum(v * v for v in values)
    return Fraction(s, n), Fraction(n * q - s * s, n * n)  # mean, variance


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=24))
def test_substitute_is_the_smallest_whole_kg_not_below_mean_plus_two_sigma(values):
    value = substitute_value(values)
    mean, variance = exact_bound(values)
    # value ≥ mean + 2σ  ⇔  value − mean ≥ 0 and (value − mean)² ≥ 4·variance
    assert value - mean >= 0 and (value - mean) ** 2 >= 4 * variance
    # and it is tight: at most one kg (from rounding σ·n up) plus one (rounding the division up) above
    below = value - 2
    assert below - mean < 0 or (below - mean) ** 2 < 4 * variance
    assert min(values) <= value and (len(set(values)) > 1 or value == values[0])


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**30))
def test_isqrt_ceil(n):
    r = isqrt_ceil(n)
    assert r * r >= n and (r == 0 or (r - 1) ** 2 < n)
    assert r - isqrt(n) in (0, 1)


def test_no_floats_in_substitution():
    assert isinstance(substitute_value([10**15, 3, 7]), int)


def hour_reading(kg: int, substituted: bool = False) -> Reading:
    return Reading(device_signer().address, 0, HOUR0, kg, substituted, "csv")


@pytest.mark.parametrize("kg, ok", [(0, False), (999, False), (1000, True), (80_000, True), (100_000, True), (100_001, False)])
def test_range_check(kg, ok):
    limits = Limits(min_kg_per_hour=1000, max_kg_per_hour=100_000)
    if ok:
        check_range(hour_reading(kg), limits)
    else:
        with pytest.raises(ReadingRejected) as info:
            check_range(hour_reading(kg), limits)
        assert info.value.reason == "out_of_range" and "substituted" in info.value.detail


@pytest.mark.parametrize("kg, alarm", [(89_999, False), (90_000, True), (100_000, True)])
def test_alarm_at_ninety_percent_of_the_limit(kg, alarm):
    assert at_alarm_level(hour_reading(kg), Limits(max_kg_per_hour=100_000)) is alarm


@pytest.mark.parametrize("kwargs, message", [
    ({"min_kg_per_hour": 10, "max_kg_per_hour": 10}, "min_kg_per_hour < max_kg_per_hour"),
    ({"alarm_per_mille": 0}, "alarm_per_mille"),
    ({"outage_alert_hours": 0}, "outage_alert_hours"),
    ({"max_kg_per_hour": -1}, "max_kg_per_hour"),
    ({"fallback_kg_per_hour": -3}, "fallback_kg_per_hour"),
])
def test_bad_limits_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Limits(**kwargs)


def test_outage_alert_after_five_days():
    limits = Limits()
    start = HOUR0
    assert not outage(None, start, start + 120 * 3600, limits).alert
    assert outage(None, start, start + 120 * 3600 + 1, limits).alert
    last = start + 10 * 3600
    state = outage(last, start, last + 3600 + 120 * 3600, limits)
    assert state.down_since == last + 3600 and state.down_seconds == 120 * 3600 and not state.alert
    assert outage(last, start, last + 3600 + 121 * 3600, limits).alert
