"""The daily bar of an instrument (KRX daily data: open, high, low, close, volume, value, VWAP).

A bar exists once the day has a trade; it is built from the day's fills in the order they
happened (the opening auction's fills first). ``value`` is the exact KRW traded, so the VWAP is
an integer derived from it:

    vwap = value / volume rounded to the nearest whole KRW, halves up:  (2·value + volume) // (2·volume)

The next trading day's reference price is the close, or the previous reference price when no
trade happened (``next_reference_price``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from .errors import InvalidOrder
from .fill import Fill

__all__ = ["DailyBar", "update_bar", "next_reference_price"]


@dataclass(frozen=True, slots=True)
class DailyBar:
    trading_day: str  # ISO date (KST)
    instrument: str
    open: int  # KRW per tonne
    high: int
    low: int
    close: int
    volume: int  # tonnes
    value: int  # KRW
    trades: int  # number of fills

    def __post_init__(self) -> None:
        for name in ("open", "high", "low", "close", "volume", "value", "trades"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidOrder(f"daily bar {name} must be a positive whole number; got {value!r}")
        if not self.low <= min(self.open, self.close) <= max(self.open, self.close) <= self.high:
            raise InvalidOrder(f"daily bar prices are inconsistent: open {self.open}, high {self.high}, low {self.low}, close {self.close}")
        if not self.low * self.volume <= self.value <= self.high * self.volume:
            raise InvalidOrder(f"daily bar value {self.value:,} KRW is not between low × volume and high × volume")
        if self.trades > self.volume:
            raise InvalidOrder("daily bar has more trades than tonnes traded")

    @property
    def vwap(self) -> int:
        """Volume-weighted average price, whole KRW per tonne, halves rounded up."""
        return (2 * self.value + self.volume) // (2 * self.volume)

    def to_dict(self) -> dict[str, Any]:
        return {
            "trading_day": self.trading_day,
            "instrument": self.instrument,
            "open": self.open,
            "high": self.high,
            "low": self.low,
            "close": self.close,
            "volume": self.volume,
            "value": self.value,
            "trades": self.trades,
            "vwap": self.vwap,
        }


def update_bar(bar: DailyBar | None, fills: Iterable[Fill], *, trading_day: str, instrument: str) -> DailyBar | None:
    """The day's bar after these fills (in trade order); None while the day has no trade."""
    for fill in fills:
        if fill.instrument != instrument:
            raise InvalidOrder(f"a {fill.instrument} fill cannot go into the {instrument} daily bar")
        if bar is None:
            bar = DailyBar(trading_day, instrument, fill.price, fill.price, fill.price, fill.price,
                           fill.quantity, fill.value, 1)
        else:
            if bar.trading_day != trading_day or bar.instrument != instrument:
                raise InvalidOrder(f"the bar is for {bar.instrument} on {bar.trading_day}, not {instrument} on {trading_day}")
            bar = replace(bar, high=max(bar.high, fill.price), low=min(bar.low, fill.price), close=fill.price,
                          volume=bar.volume + fill.quantity, value=bar.value + fill.value, trades=bar.trades + 1)
    return bar


def next_reference_price(previous_reference: int, bar: DailyBar | None) -> int:
    """Tomorrow's reference price: today's close, or today's reference if nothing traded."""
    return previous_reference if bar is None else bar.close
