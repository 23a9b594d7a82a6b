"""Validity rules for hourly readings: range limits, the alarm, substitution and outages.

Rules (DOMAIN.md, "MRV at the edge"; the EU rule for missing hourly data of continuous
emission monitoring):

* **Range**: a measured hour outside ``[min_kg_per_hour, max_kg_per_hour]`` is not valid; it is
  rejected (counted and logged, never stored) and the hour is then missing.
* **Alarm**: a valid hour at or above ``alarm_per_mille`` / 1000 of the upper limit (Korea's stack
  TMS alarms at 90 %) raises an alarm (logged, counted) but stays valid.
* **Substitution**: each missing hour of a day gets ``mean + 2σ`` of that day's valid measured
  hours, in integer arithmetic: with n valid values, S = Σx and Q = Σx²,

      σ·n   = ⌈√(n·Q − S²)⌉          (integer square root, rounded up)
      value = ⌈(S + 2·σ·n) / n⌉       (rounded up: a substitute never understates emissions)

  (population standard deviation). A day with no valid hour uses the last substitute value of
  an earlier day, or ``fallback_kg_per_hour`` (by default the upper limit) when there is none.
  Substitutes are stored as readings with ``substituted = true`` and source ``substitute``.
* **Outage**: when no measured hour has arrived for more than ``outage_alert_hours`` (5 days by
  default), the authority must be told: an alert is logged and exposed as a metric.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isqrt
from typing import Sequence

from protocol.readings import MAX_CO2_KG, Reading

from .errors import ConfigError, ReadingRejected

__all__ = ["Limits", "check_range", "at_alarm_level", "substitute_value", "isqrt_ceil", "Outage", "outage"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Configured limits of one site's stack, in kg CO2 per hour."""

    min_kg_per_hour: int = 0
    max_kg_per_hour: int = 1_000_000
    alarm_per_mille: int = 900
    outage_alert_hours: int = 120
    fallback_kg_per_hour: int | None = None

    def __post_init__(self) -> None:
        for name in ("min_kg_per_hour", "max_kg_per_hour", "alarm_per_mille", "outage_alert_hours"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"[limits] {name} must be a whole number ≥ 0, got {value!r}")
        if not self.min_kg_per_hour < self.max_kg_per_hour <= MAX_CO2_KG:
            raise ConfigError(f"[limits] needs min_kg_per_hour < max_kg_per_hour ≤ {MAX_CO2_KG}, "
                              f"got {self.min_kg_per_hour} and {self.max_kg_per_hour}")
        if not 1 <= self.alarm_per_mille <= 1000:
            raise ConfigError(f"[limits] alarm_per_mille must be 1-1000 (900 = alarm at 90 % of the limit), got {self.alarm_per_mille}")
        if self.outage_alert_hours < 1:
            raise ConfigError("[limits] outage_alert_hours must be at least 1")
        fb = self.fallback_kg_per_hour
        if fb is not None and (not isinstance(fb, int) or isinstance(fb, bool) or not 0 <= fb <= MAX_CO2_KG):
            raise ConfigError(f"[limits] fallback_kg_per_hour must be a whole number of kg, got {fb!r}")

    @property
    def fallback(self) -> int:
        return self.max_kg_per_hour if self.fallback_kg_per_hour is None else self.fallback_kg_per_hour


def check_range(reading: Reading, limits: Limits) -> None:
    """Raise ``ReadingRejected("out_of_range")`` for a measured value outside the limits."""
    if not limits.min_kg_per_hour <= reading.co2_kg <= limits.max_kg_per_hour:
        raise ReadingRejected(
            "out_of_range",
            f"reading {reading.seq} at {reading.timestamp} is {reading.co2_kg} kg, outside the site's limits "
            f"[{limits.min_kg_per_hour}, {limits.max_kg_per_hour}] kg/h; the hour will be substituted",
        )


def at_alarm_level(reading: Reading, limits: Limits) -> bool:
    """True when a valid value is at or above the alarm share of the upper limit."""
    return reading.co2_kg * 1000 >= limits.max_kg_per_hour * limits.alarm_per_mille


def isqrt_ceil(n: int) -> int:
    """⌈√n⌉ for an integer n ≥ 0."""
    if n < 0:
        raise ValueError("square root of a negative number")
    r = isqrt(n)
    return r if r * r == n else r + 1


def substitute_value(valid: Sequence[int]) -> int:
    """mean + 2σ of ``valid`` (kg), rounded up, in integer arithmetic (see the module docstring)."""
    n = len(valid)
    if n == 0:
        raise ValueError("no valid hours to substitute from")
    s = sum(valid)
    q = sum(x * x for x in valid)
    sigma_n = isqrt_ceil(n * q - s * s)
    return -(-(s + 2 * sigma_n) // n)


@dataclass(frozen=True, slots=True)
class Outage:
    """How long the meter has delivered no measured hour, and whether the authority must be told."""

    down_since: int  # unix time of the first hour without a measurement
    down_seconds: int
    alert: bool


def outage(last_measured_hour: int | None, monitoring_start: int, now: int, limits: Limits) -> Outage:
    """The meter's outage at ``now``, given the last measured hour stamp (None: never measured)."""
    down_since = monitoring_start if last_measured_hour is None else last_measured_hour + 3600
    down = max(0, now - down_since)
    return Outage(down_since, down, down > limits.outage_alert_hours * 3600)
