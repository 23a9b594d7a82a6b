"""Market stabilisation triggers (시장안정화조치, Decree Art. 38) as pure integer functions anyone can rerun.

The chain publishes, every KST day, the monthly statistics it used and the result of each trigger
(``abci_app/modules/stabilisation``); ``evaluate`` is the same computation on the published inputs,
so a client recomputes it (``ets stabilisation verify``).

A month's statistics are ``(value KRW, volume t, trading days)`` over every KAU instrument: from the
chain's own daily bars, or, for months before the chain, from the hash-committed reference series
built from KRX's public daily files (``monthly_series``).

    price(m)          = value / volume, nearest KRW, halves up (the month's average price)
    daily_volume(m)   = volume / trading days, nearest tonne, halves up (the month's average volume)
    two_year(y)       = Σ value / Σ volume over the months of years y−2 and y−1 (weighted average price)
    same_month(m)     = Σ volume / Σ days of the same month in the two previous years

Triggers on the last complete month M (year Y); any one trips (thresholds are chain parameters):

    price_surge       price(m) ≥ surge_multiple × two_year(year of m) for each of the last surge_months months
    volume_and_price  daily_volume(M) ≥ volume_multiple × same_month(M)  and  price(M) ≥ high_multiple × two_year(Y)
    price_slump       price(M) × 10,000 ≤ low_bps × two_year(Y)

A trigger whose inputs are missing (no trades, no reference) does not trip and says which input is
missing. The fourth trigger of the Decree (holders not selling) is a judgement, not a formula: officials
propose a measure for it by hand.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable, Mapping

from .codec import canonical_json

__all__ = ["TRIGGERS", "MONTH", "month_price", "daily_volume", "two_year_average", "same_month_volume", "evaluate",
           "months_needed", "previous_month", "series_hash", "monthly_series"]

TRIGGERS = ("price_surge", "volume_and_price", "price_slump")
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

Stats = Mapping[str, tuple[int, int, int]]  # month → (value, volume, days)


def _halves_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def month_price(stat: tuple[int, int, int] | None) -> int | None:
    return None if not stat or stat[1] == 0 else _halves_up(stat[0], stat[1])


def daily_volume(stat: tuple[int, int, int] | None) -> int | None:
    return None if not stat or stat[2] == 0 else _halves_up(stat[1], stat[2])


def _shift(month: str, by: int) -> str:
    y, m = int(month[:4]), int(month[5:])
    index = y * 12 + (m - 1) + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(month: str) -> str:
    return _shift(month, -1)


def two_year_average(stats: Stats, year: int) -> int | None:
    value = volume = 0
    for y in (year - 2, year - 1):
        for m in range(1, 13):
            stat = stats.get(f"{y:04d}-{m:02d}")
            if stat:
                value, volume = value + stat[0], volume + stat[1]
    return None if volume == 0 else _halves_up(value, volume)


def same_month_volume(stats: Stats, month: str) -> int | None:
    volume = days = 0
    for back in (12, 24):
        stat = stats.get(_shift(month, -back))
        if stat:
            volume, days = volume + stat[1], days + stat[2]
    return None if days == 0 else _halves_up(volume, days)


def months_needed(month: str, surge_months: int) -> list[str]:
    """Every month whose statistics the triggers of ``month`` read, ascending."""
    first_year = int(_shift(month, -(surge_months - 1))[:4]) - 2
    out = [f"{y:04d}-{m:02d}" for y in range(first_year, int(month[:4]) + 1) for m in range(1, 13)]
    return [m for m in out if m <= month]


def evaluate(stats: Stats, month: str, thresholds: Mapping[str, int]) -> list[dict[str, Any]]:
    """Each trigger's inputs and result for the last complete ``month`` (thresholds: the chain parameters
    ``stabilisation_surge_multiple``, ``_surge_months``, ``_volume_multiple``, ``_high_multiple``, ``_low_bps``)."""
    year = int(month[:4])
    price, reference = month_price(stats.get(month)), two_year_average(stats, year)
    months = [_shift(month, -k) for k in range(thresholds["stabilisation_surge_months"] - 1, -1, -1)]
    surge_rows = [{"month": m, "price": month_price(stats.get(m)), "two_year": two_year_average(stats, int(m[:4]))} for m in months]
    multiple = thresholds["stabilisation_surge_multiple"]
    surge_missing = [r["month"] for r in surge_rows if r["price"] is None or r["two_year"] is None]
    surge = not surge_missing and all(r["price"] >= multiple * r["two_year"] for r in surge_rows)
    volume, usual = daily_volume(stats.get(month)), same_month_volume(stats, month)
    high = thresholds["stabilisation_high_multiple"]
    both_missing = [name for name, v in (("daily_volume", volume), ("same_month_volume", usual), ("price", price),
                                         ("two_year", reference)) if v is None]
    both = not both_missing and volume >= thresholds["stabilisation_volume_multiple"] * usual and price >= high * reference
    low_missing = [name for name, v in (("price", price), ("two_year", reference)) if v is None]
    low = not low_missing and price * 10_000 <= thresholds["stabilisation_low_bps"] * reference
    return [
        {"trigger": "price_surge", "tripped": surge, "missing": surge_missing, "months": surge_rows, "multiple": multiple},
        {"trigger": "volume_and_price", "tripped": both, "missing": both_missing, "daily_volume": volume,
         "same_month_volume": usual, "price": price, "two_year": reference,
         "volume_multiple": thresholds["stabilisation_volume_multiple"], "price_multiple": high},
        {"trigger": "price_slump", "tripped": low, "missing": low_missing, "price": price, "two_year": reference,
         "low_bps": thresholds["stabilisation_low_bps"]},
    ]


def series_hash(months: Iterable[Iterable[Any]]) -> str:
    """SHA-256 (hex) of the canonical JSON of the series' rows ``[[month, value, volume, days], ...]``."""
    return hashlib.sha256(canonical_json([list(row) for row in months])).hexdigest()


def monthly_series(days: Iterable[tuple[str, str, int, int]]) -> list[list[Any]]:
    """Monthly rows ``[month, value, volume, days]`` of KAU instruments from daily ``(YYYY-MM-DD, instrument,
    volume, value)`` rows (KRX's file); a day counts as a trading day when some KAU traded."""
    totals: dict[str, list[int]] = {}
    traded: dict[str, set[str]] = {}
    for day, instrument, volume, value in days:
        if not instrument.startswith("KAU") or volume <= 0:
            continue
        month = day[:7]
        row = totals.setdefault(month, [0, 0])
        row[0] += value
        row[1] += volume
        traded.setdefault(month, set()).add(day)
    return [[month, totals[month][0], totals[month][1], len(traded[month])] for month in sorted(totals)]
