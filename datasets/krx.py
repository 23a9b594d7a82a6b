"""KRX emissions market daily data (배출권 시장 일별 시세): the importer for KRX's download.

Columns: 일자, 종목명, 종가, 대비, 등락률, 시가, 고가, 저가, 거래량, 거래대금, 가중평균. KRX serves it
as UTF-8 with a BOM, every number quoted with thousands separators (``"1,251,186,800"``), newest
day first. Prices and amounts become ``int`` (KRW, tonnes); 등락률 (``"0.46"``, ``"-0.68"``) becomes
whole basis points (46, -68) so no float ever appears. Dates may be ``2025-06-12``, ``2025/06/12``,
``2025.06.12`` or ``20250612``. One row per (day, instrument) unless ``unique=False``.
"""

from __future__ import annotations

from ._columns import Column, UniqueKeys, bind
from ._tables import FileInput, load_tables
from .records import MarketDay

__all__ = ["read_market_daily", "MARKET_HEADERS"]

_COLUMNS = (
    Column("date", "일자", ("거래일자", "날짜")),
    Column("instrument", "종목명", ("종목",)),
    Column("close", "종가"),
    Column("change", "대비", ("전일대비",)),
    Column("change_pct", "등락률", ("등락률(%)",)),
    Column("open", "시가"),
    Column("high", "고가"),
    Column("low", "저가"),
    Column("volume", "거래량"),
    Column("value", "거래대금"),
    Column("vwap", "가중평균", ("가중평균가격", "가중평균가")),
)

MARKET_HEADERS = tuple(c.label for c in _COLUMNS)


def read_market_daily(
    file: FileInput, *, name: str | None = None, format: str | None = None, unique: bool = True
) -> list[MarketDay]:
    """Read a KRX emissions market daily file, rows in file order (KRX: newest day first)."""
    source, tables = load_tables(file, name=name, format=format)
    bound = bind(source, tables, _COLUMNS, what="a KRX emissions market daily file")
    seen = UniqueKeys(
        "KRX publishes one row per instrument and day",
        "The download may have been pasted together twice; download it again.",
    )
    days: list[MarketDay] = []
    for row in bound.data_rows():
        day = row.build(
            MarketDay,
            date=row.date("date"),
            instrument=row.text("instrument", what="an instrument name such as KAU25"),
            close=row.whole("close"),
            change=row.whole("change", signed=True),
            change_bp=row.basis_points("change_pct"),
            open=row.whole("open"),
            high=row.whole("high"),
            low=row.whole("low"),
            volume=row.whole("volume"),
            value_krw=row.whole("value"),
            vwap=row.whole("vwap"),
        )
        if unique:
            seen.add((day.date, day.instrument), row, "instrument", f"{day.instrument} on {day.date.isoformat()}")
        days.append(day)
    return days
