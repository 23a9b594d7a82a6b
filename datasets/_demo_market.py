"""The demo market: KRX-style daily rows for KAU, KCU and KOC instruments over two years.

Trading days are weekdays from ``MARKET_FIRST_DAY`` to ``MARKET_LAST_DAY`` (public holidays are not
modelled). A KAU/KCU vintage is listed from January of its year to the end of August of the next
(its Phase 3 surrender deadline); KOC credits of 2021-2025 for five years. A reference price walks
on the KRW 10 tick; KCU trade at a small premium, KOC at a larger one. The vintage surrendered next
trades almost daily, others seldom. A traded day stays inside the ±10 % band around the previous
close, its VWAP is the rounded value / volume of a few fills inside [low, high], and 등락률 is the
change in basis points rounded half up; an untraded day carries the close with zeros elsewhere,
as KRX publishes it. Integers only.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .records import MarketDay

__all__ = ["MARKET_FIRST_DAY", "MARKET_LAST_DAY", "market_days"]

MARKET_FIRST_DAY = date(2023, 6, 12)
MARKET_LAST_DAY = date(2025, 6, 12)


def _instruments(day: date) -> list[str]:
    """Instruments listed on ``day``, in KRX's order (KAU, KCU by vintage, then KOC)."""
    vintages = [y for y in range(day.year - 1, day.year + 1) if day <= date(y + 1, 8, 31)]
    kaus = [f"KAU{y % 100:02d}" for y in vintages]
    kcus = [f"KCU{y % 100:02d}" for y in vintages]
    kocs = [f"KOC{y % 100:02d}-{(y + 5) % 100:02d}" for y in range(2021, 2026) if y <= day.year <= y + 5]
    return kaus + kcus + kocs


def market_days(rng: random.Random) -> list[MarketDay]:
    """Every instrument-day from MARKET_FIRST_DAY to MARKET_LAST_DAY, newest day first (as KRX lists them)."""
    level = 9_000 + 10 * rng.randrange(-50, 51)  # KAU reference price, KRW
    closes: dict[str, int] = {}
    days: list[list[MarketDay]] = []
    day = MARKET_FIRST_DAY
    while day <= MARKET_LAST_DAY:
        if day.weekday() < 5:
            drift = 10 * rng.randrange(-12, 13) + (10 if level < 8_000 else -10 if level > 12_000 else 0)
            level = max(5_000, level + drift)
            instruments = _instruments(day)
            front = instruments[0]
            rows = []
            for name in instruments:
                premium = 0 if name.startswith("KAU") else 300 if name.startswith("KCU") else 1_500
                chance = 95 if name == front else 30 if name.startswith("KAU") else 10 if name.startswith("KCU") else 4
                rows.append(_trade_day(rng, day, name, level + premium, closes, traded=rng.randrange(100) < chance))
            days.append(rows)
        day += timedelta(days=1)
    return [row for rows in reversed(days) for row in rows]


def _tick_down(price: int) -> int:
    return price // 10 * 10


def _tick_up(price: int) -> int:
    return -(-price // 10) * 10


def _trade_day(rng: random.Random, day: date, name: str, target: int, closes: dict[str, int], *, traded: bool) -> MarketDay:
    """One instrument's row: untraded days carry the close; traded days stay inside the ±10 % band."""
    previous = closes.get(name) or max(10, _tick_down(target))
    if not traded:
        closes[name] = previous
        return MarketDay(day, name, previous, 0, 0, 0, 0, 0, 0, 0, 0)
    floor, ceiling = max(10, _tick_up(previous - previous // 10)), _tick_down(previous + previous // 10)

    def in_band(price: int) -> int:
        return min(ceiling, max(floor, _tick_down(price)))

    close = in_band(target + 10 * rng.randrange(-20, 21))
    open_ = in_band(previous + 10 * rng.randrange(-5, 6))
    high = in_band(max(open_, close) + 10 * rng.randrange(4))
    low = in_band(min(open_, close) - 10 * rng.randrange(4))
    volume, value = 0, 0
    for _ in range(1 + rng.randrange(4)):
        quantity = rng.randrange(100, 200_000) if name.startswith("KAU") else rng.randrange(100, 30_000)
        volume += quantity
        value += quantity * (low + 10 * rng.randrange((high - low) // 10 + 1))
    vwap = (2 * value + volume) // (2 * volume)  # rounded half up
    change = close - previous
    change_bp = (abs(change) * 20_000 + previous) // (2 * previous)  # rounded half up, as KRX prints 등락률
    closes[name] = close
    return MarketDay(day, name, close, change, change_bp if change >= 0 else -change_bp, open_, high, low, volume, value, vwap)
