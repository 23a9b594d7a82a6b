"""Government auction results (배출권 경매 결과): one row per auction, from JSON or CSV.

The ministry publishes each monthly auction's outcome: the date, the vintage offered, the volume
offered, the volume bid, the volume sold and the clearing (uniform) price. Files come as CSV with
Korean or English headers, or as JSON — a list of objects, or an object holding one such list and
optionally its own ``"source"`` text::

    {"source": "환경부 배출권 유상할당 경매 결과", "results": [
      {"date": "2025-06-11", "instrument": "KAU25", "offered": 1000000, "bid": 1523000,
       "sold": 1000000, "clearing_price": 8950}]}

    CSV: 경매일, 종목, 공급량, 응찰량, 낙찰량, 낙찰가   or   date, instrument, offered, bid, sold, clearing_price

Quantities are whole tonnes, the clearing price whole KRW per tonne. ``instrument`` may be absent
(None); a sale never exceeds the volume offered or the volume bid. ``read_auction_results``
returns the auctions oldest first, each carrying the file's source label (who published it, or
the file name when the file does not say).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ._columns import Column, Row
from ._scan import Kind, read_scan
from ._tables import FileInput
from .records import _int, _text

__all__ = ["AuctionResult", "read_auction_results", "AUCTION_RESULTS", "AUCTION_HEADERS"]


@dataclass(frozen=True)
class AuctionResult:
    """One auction's outcome."""

    date: str  # ISO date, e.g. "2025-06-11"
    instrument: str | None  # e.g. "KAU25"; None when the file does not say
    offered: int  # tonnes offered
    bid: int  # tonnes bid in total
    sold: int  # tonnes sold (awarded)
    clearing_price: int  # KRW per tonne (the uniform price)
    source: str = ""  # where the file came from (the file's source label)

    def __post_init__(self) -> None:
        _text("date", self.date)
        if self.instrument is not None:
            _text("instrument", self.instrument)
        for name in ("offered", "bid", "sold", "clearing_price"):
            _int(name, getattr(self, name))
        if self.sold > min(self.offered, self.bid):
            raise ValueError(f"sold ({self.sold:,} t) exceeds the volume offered ({self.offered:,} t) or bid "
                             f"({self.bid:,} t): check the columns")
        _text("source", self.source, required=False)


_COLUMNS = (
    Column("date", "경매일", ("경매일자", "경매 일자", "입찰일", "입찰일자", "시행일", "일자", "date", "auction date")),
    Column("instrument", "종목", ("종목명", "대상 배출권", "배출권", "instrument", "vintage", "product"), required=False),
    Column("offered", "공급량", ("경매물량", "입찰대상수량", "낙찰가능수량", "offered", "volume offered", "quantity offered",
                              "offered (t)", "supply")),
    Column("bid", "응찰량", ("입찰량", "응찰수량", "입찰수량", "bid", "bids", "volume bid", "total bid", "bid (t)")),
    Column("sold", "낙찰량", ("낙찰수량", "sold", "volume sold", "awarded", "sold (t)")),
    Column("clearing_price", "낙찰가", ("낙찰가격", "낙찰단가", "clearing_price", "clearing price", "price",
                                     "auction price", "clearing price (krw/t)")),
)

AUCTION_HEADERS = tuple(c.label for c in _COLUMNS)


def _auction(row: Row) -> AuctionResult:
    instrument = row.text("instrument", required=False) or None
    return row.build(
        AuctionResult,
        date=row.date("date").isoformat(),
        instrument=instrument,
        offered=row.whole("offered"),
        bid=row.whole("bid"),
        sold=row.whole("sold"),
        clearing_price=row.whole("clearing_price"),
    )


AUCTION_RESULTS = Kind(
    name="auction_results",
    title="government auction results (배출권 경매 결과)",
    what="an auction results file",
    publisher="",
    columns=_COLUMNS,
    record=_auction,
    key=lambda a: ((a.date, a.instrument), "date", f"the auction of {a.instrument or 'the day'} on {a.date}"),
    unique_what="there is one auction per instrument and day",
    unique_advice="Keep one row per auction.",
    span=lambda a: a.date,
)


def read_auction_results(path: FileInput, *, name: str | None = None, **options: Any) -> list[AuctionResult]:
    """Read auction results (JSON or CSV, Korean or English headers), oldest first, each with the source label."""
    scan, records = read_scan(AUCTION_RESULTS, path, name=name, **options)
    label = scan.label
    return sorted((dataclasses.replace(r, source=label) for r in records), key=lambda a: (a.date, a.instrument or ""))
