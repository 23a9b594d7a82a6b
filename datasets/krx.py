"""KRX emissions market daily data (배출권 시장 일별 시세): the importer for KRX's download and for
price histories of the same market published with English headers.

KRX columns: 일자, 종목명, 종가, 대비, 등락률, 시가, 고가, 저가, 거래량, 거래대금, 가중평균. KRX serves it
as UTF-8 with a BOM, every number quoted with thousands separators (``"1,251,186,800"``), newest
day first. Prices and amounts become ``int`` (KRW, tonnes); 등락률 (``"0.46"``, ``"-0.68"``) becomes
whole basis points (46, -68) so no float ever appears. Dates may be ``2025-06-12``, ``2025/06/12``,
``2025.06.12`` or ``20250612``. One row per (day, instrument) unless ``unique=False``.

English headers are read as the same fields: ``date, symbol (or instrument, ticker), open, high,
low, close, volume, value (or turnover)`` and optionally ``change``, ``change %``, ``vwap``. Fields
a file lacks are derived where it has their inputs, and the record says so (``MarketDay.derived``):

    vwap        traded value ÷ volume, rounded half up (0 on a day without volume, as KRX prints it)
    change      close − the previous trading day's close of the same instrument in the file
    change_bp   change ÷ previous close in basis points, rounded half up; both None on an
                instrument's first day in the file (nothing to compare with)

``iter_market_daily`` streams the records (vwap derived, change left None); ``read_market_daily``
returns the list and derives change from the previous day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ._columns import Column, Row
from ._scan import Kind, open_scan, read_all, read_scan
from ._tables import FileInput
from .records import MarketDay

__all__ = ["read_market_daily", "read_market_history", "MarketHistory", "iter_market_daily", "MARKET_HEADERS",
           "MARKET_DAILY"]

_COLUMNS = (
    Column("date", "일자", ("거래일자", "날짜", "date", "trade date", "trading date")),
    Column("instrument", "종목명", ("종목", "symbol", "instrument", "ticker")),
    Column("close", "종가", ("close", "closing price", "price", "last")),
    Column("change", "대비", ("전일대비", "change", "chg"), required=False),
    Column("change_pct", "등락률", ("등락률(%)", "change %", "change(%)", "change pct", "chg %", "pct change"),
           required=False),
    Column("open", "시가", ("open", "opening price")),
    Column("high", "고가", ("high",)),
    Column("low", "저가", ("low",)),
    Column("volume", "거래량", ("volume", "vol", "volume (t)", "traded volume")),
    Column("value", "거래대금", ("value", "turnover", "traded value", "value (krw)", "amount")),
    Column("vwap", "가중평균", ("가중평균가격", "가중평균가", "vwap", "weighted average", "weighted average price"),
           required=False),
)

MARKET_HEADERS = tuple(c.label for c in _COLUMNS)


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero (integers only)."""
    quotient, remainder = divmod(abs(numerator) * 2 + denominator, 2 * denominator)
    return quotient if numerator >= 0 else -quotient


def _market_day(row: Row) -> MarketDay:
    whole = row.whole
    volume, value = whole("volume"), whole("value")
    derived: tuple[str, ...] = ()
    if row.has("vwap") and row.text("vwap", required=False):
        vwap = whole("vwap")
    else:
        vwap, derived = (_half_up(value, volume) if volume else 0), ("vwap",)
    has_change = row.has("change") and row.has("change_pct")
    return row.build(
        MarketDay,
        date=row.date("date"),
        instrument=row.text("instrument", what="an instrument name such as KAU25"),
        close=whole("close"),
        change=whole("change", signed=True) if has_change else None,
        change_bp=row.basis_points("change_pct") if has_change else None,
        open=whole("open"),
        high=whole("high"),
        low=whole("low"),
        volume=volume,
        value_krw=value,
        vwap=vwap,
        derived=derived,
    )


MARKET_DAILY = Kind(
    name="market_daily",
    title="emissions market daily prices (배출권 시장 일별 시세)",
    what="a KRX emissions market daily file",
    publisher="KRX (Korea Exchange)",
    columns=_COLUMNS,
    record=_market_day,
    key=lambda d: ((d.date, d.instrument), "instrument", f"{d.instrument} on {d.date.isoformat()}"),
    unique_what="KRX publishes one row per instrument and day",
    unique_advice="The download may have been pasted together twice; download it again.",
    span=lambda d: d.date,
    derived=(("vwap", "traded value ÷ volume, rounded half up"),
             ("change", "close − the previous trading day's close (read_market_daily)"),
             ("change_pct", "change ÷ the previous close, in basis points (read_market_daily)")),
)


def iter_market_daily(file: FileInput, **options: Any) -> Iterator[MarketDay]:
    """Stream the records of a daily file in file order (vwap derived where absent; change as published)."""
    scan = open_scan(MARKET_DAILY, file, **options)
    yield from scan.records()
    scan.problems.raise_first()


def _with_change(days: list[MarketDay]) -> list[MarketDay]:
    """Fill in change and change_bp from each instrument's previous trading day where the file has none."""
    if all(d.change is not None for d in days):
        return days
    order = sorted(range(len(days)), key=lambda i: (days[i].instrument, days[i].date))
    out = list(days)
    last: MarketDay | None = None
    for i in order:
        day = days[i]
        if day.change is None and last is not None and last.instrument == day.instrument and last.close:
            change = day.close - last.close
            out[i] = MarketDay(day.date, day.instrument, day.close, change, _half_up(change * 10_000, last.close),
                               day.open, day.high, day.low, day.volume, day.value_krw, day.vwap,
                               day.derived + ("change", "change_bp"))
        last = day
    return out


def read_market_daily(file: FileInput, *, name: str | None = None, format: str | None = None, unique: bool = True,
                      **options: Any) -> list[MarketDay]:
    """Read an emissions market daily file, rows in file order (KRX: newest day first).

    ``options``: ``allow_repeats``, ``mapping``, ``mapping_source``, ``max_bytes`` (see ``datasets``)."""
    return _with_change(read_all(MARKET_DAILY, file, name=name, format=format, unique=unique, **options))


@dataclass(frozen=True)
class MarketHistory:
    """A daily file's records with its source label; ``krx_layout`` is True when it was read under KRX's own
    (Korean) headers without a mapping file, i.e. it has the shape of the KRX download itself."""

    days: list[MarketDay]
    label: str
    krx_layout: bool


def read_market_history(file: FileInput, *, name: str | None = None, **options: Any) -> MarketHistory:
    """``read_market_daily`` plus where the file came from (for pages that show the figures)."""
    scan, days = read_scan(MARKET_DAILY, file, name=name, **options)
    return MarketHistory(_with_change(days), scan.label, not scan.english and not scan.mapping_source)
