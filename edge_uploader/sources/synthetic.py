"""A seeded, deterministic synthetic stack: a realistic daily load profile, noise and gaps.

The hourly CO2 (kg) of hour ``i`` after ``start_day`` 00:00 KST is

    base_kg_per_hour × profile[hour of day] / 1000 × (weekend_per_mille on Sat/Sun) / 1000
                     × (1000 + noise) / 1000,   noise uniform in [-noise_per_mille, +noise_per_mille]

with ``profile`` a power plant's daily load shape (lowest before dawn, a morning ramp, a
midday plateau, an evening peak). Randomness comes only from SHA-256 of (seed, hour, what),
so any hour can be produced on its own, in any order, after any restart, and the same seed
always gives the same stack. ``missing_per_mille`` hours have no data (the meter missed
them), ``spike_per_mille`` hours read ``spike_kg`` (default 6 × base: a faulty value far above
any sensible upper limit, which the range check must reject), and ``outages`` are ``[first hour index, number of hours]`` windows where the
meter is down (to exercise substitution and the 5-day outage alert).
"""

from __future__ import annotations

import hashlib
from typing import Sequence

from ..days import DAY, HOUR, KST_OFFSET, day_start
from ..errors import SourceError
from . import Measurement

__all__ = ["SyntheticStack", "DAILY_PROFILE_PER_MILLE"]

DAILY_PROFILE_PER_MILLE = (
    780, 755, 740, 735, 745, 790, 870, 960,      # 00-07 KST: night minimum, morning ramp
    1040, 1100, 1130, 1150, 1120, 1140, 1160, 1150,  # 08-15: daytime plateau (lunch dip at 12)
    1120, 1110, 1150, 1170, 1100, 1000, 900, 830,    # 16-23: evening peak, then down
)
SOURCE_TAG = "synthetic"


def _uniform(seed: int, index: int, what: str, modulus: int) -> int:
    digest = hashlib.sha256(f"{seed}:{index}:{what}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % modulus


class SyntheticStack:
    def __init__(self, *, seed: int, start_day: str, base_kg_per_hour: int = 50_000, noise_per_mille: int = 30,
                 weekend_per_mille: int = 880, missing_per_mille: int = 0, spike_per_mille: int = 0,
                 spike_kg: int | None = None, outages: Sequence[Sequence[int]] = ()):
        for name, value in (("seed", seed), ("base_kg_per_hour", base_kg_per_hour), ("noise_per_mille", noise_per_mille),
                            ("weekend_per_mille", weekend_per_mille), ("missing_per_mille", missing_per_mille),
                            ("spike_per_mille", spike_per_mille)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SourceError(f"[synthetic] {name} must be a whole number ≥ 0, got {value!r}")
        if noise_per_mille >= 1000 or missing_per_mille > 1000 or spike_per_mille > 1000:
            raise SourceError("[synthetic] noise_per_mille must be below 1000; missing_per_mille and spike_per_mille at most 1000")
        windows: list[tuple[int, int]] = []
        for window in outages:
            if len(window) != 2 or any(not isinstance(v, int) or v < 0 for v in window):
                raise SourceError(f"[synthetic] outages must be [first hour index, hours] pairs, got {list(window)!r}")
            windows.append((window[0], window[1]))
        self.seed, self.base, self.noise = seed, base_kg_per_hour, noise_per_mille
        self.weekend, self.missing, self.spike = weekend_per_mille, missing_per_mille, spike_per_mille
        self.spike_kg = spike_kg if spike_kg is not None else 6 * base_kg_per_hour
        self.outages = tuple(windows)
        self.start = day_start(start_day)

    def expected_kg(self, hour: int) -> int:
        """The profile value of ``hour`` with noise (what the meter reads when it works)."""
        index = (hour - self.start) // HOUR
        local = hour + KST_OFFSET
        hour_of_day = (local % DAY) // HOUR
        weekday = (local // DAY + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
        value = self.base * DAILY_PROFILE_PER_MILLE[hour_of_day] // 1000
        if weekday >= 5:
            value = value * self.weekend // 1000
        noise = _uniform(self.seed, index, "noise", 2 * self.noise + 1) - self.noise
        return value * (1000 + noise) // 1000

    def measurement_for(self, hour: int) -> Measurement | None:
        index = (hour - self.start) // HOUR
        if index < 0:
            return None
        if any(first <= index < first + length for first, length in self.outages):
            return None
        if _uniform(self.seed, index, "missing", 1000) < self.missing:
            return None
        if _uniform(self.seed, index, "spike", 1000) < self.spike:
            return Measurement(hour, self.spike_kg, SOURCE_TAG)
        return Measurement(hour, self.expected_kg(hour), SOURCE_TAG)
