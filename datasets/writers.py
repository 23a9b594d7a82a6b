"""Records back to bytes, byte-for-byte in the shapes the public files are published in.

Each function returns the file's bytes; the importers read them back to equal records. The
quirks of the real downloads are kept on purpose, so demo data exercises the same code paths:

    statements_csv              UTF-8, numbers with thousands separators (quoted when they have one)
    statements_html             UTF-8 page with one <table> (<thead> headers, <tbody> rows), as the NGMS site shows it
    pre_allocation_csv          cp949, header's first cell quoted ("번호"), a trailing comma on every data row
    additional_allocation_csv   cp949, header's first cell quoted
    certified_emissions_csv     UTF-8
    offset_credits_csv          cp949, header's first cell quoted, 이행연도 as "2024년"
    total_cap_csv               cp949, header's first cell quoted, one row
    market_daily_csv            UTF-8 with BOM; date and every price/amount quoted with thousands
                                separators, except 대비 (quoted only when it needs a separator);
                                no newline after the last row
    sites_csv                   UTF-8 (the demo's own format, see ``datasets.sites``)

The cp949 writers take ``encoding="utf-8"`` to write the same layout as UTF-8 (what a
spreadsheet saves as 'CSV UTF-8'), so text cp949 has no letters for can be written too.
Shapes from other publishers, for demo and test data (``datasets.shapes`` generates records)::

    market_daily_english_csv    date, symbol, open, high, low, close, volume, value (UTF-8, oldest first,
                                no weighted average, no change columns)
    eu_compliance_csv           registry, installation_id, installation_name, activity, year, allocated,
                                verified (UTF-8; blank for not reported)
    entity_years_csv            the generic long format (``datasets.long_format``), UTF-8
    auction_results_json        {"source": …, "results": [{date, instrument, offered, bid, sold, clearing_price}]}
    auction_results_csv         경매일, 종목, 공급량, 응찰량, 낙찰량, 낙찰가 (or the English headers), UTF-8

All use LF line ends. Text that cp949 cannot encode raises ``ValueError`` naming the record.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Iterable, Sequence

from .auctions import AUCTION_HEADERS, AuctionResult
from .eutl import InstallationYear
from .long_format import LONG_HEADERS, EntityYear
from .krx import MARKET_HEADERS
from .ngms import STATEMENT_HEADERS
from .records import (
    AdditionalAllocation,
    CertifiedEmissions,
    MarketDay,
    OffsetIssuance,
    PreAllocation,
    Site,
    Statement,
    TotalCap,
    YearAmounts,
)
from .sites import SITE_HEADERS

__all__ = [
    "statements_csv",
    "statements_html",
    "pre_allocation_csv",
    "additional_allocation_csv",
    "certified_emissions_csv",
    "offset_credits_csv",
    "total_cap_csv",
    "market_daily_csv",
    "sites_csv",
    "market_daily_english_csv",
    "eu_compliance_csv",
    "entity_years_csv",
    "auction_results_json",
    "auction_results_csv",
    "ENCODINGS",
]

ENCODINGS = ("cp949", "utf-8")


def _csv(header_line: str, rows: Iterable[Sequence[str]], *, trailing_comma: bool = False) -> str:
    out = io.StringIO()
    out.write(header_line + "\n")
    writer = csv.writer(out, lineterminator=",\n" if trailing_comma else "\n")
    writer.writerows(rows)
    return out.getvalue()


def _cp949(text: str, what: str, encoding: str = "cp949") -> bytes:
    if encoding not in ENCODINGS:
        raise ValueError(f"{what}: encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        raise ValueError(
            f"{what}: {text[error.start:error.end]!r} on line {line} cannot be written in cp949, the encoding "
            "this file is published in"
        ) from None


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _years(records: Sequence[PreAllocation | AdditionalAllocation], what: str) -> list[int]:
    years = sorted({year for record in records for year in record.allocation})
    for record in records:
        if list(record.allocation) != years:
            raise ValueError(f"{what}: {record.company!r} has years {list(record.allocation)}, the file has {years}")
    return years


def statements_csv(statements: Iterable[Statement]) -> bytes:
    """NGMS statements as the site's CSV download (UTF-8, no BOM)."""
    rows = (
        (
            _number(s.number), s.agency, s.company, str(s.year), s.designation, s.sector,
            f"{s.emissions_tco2eq:,}", f"{s.energy_tj:,}", s.verifier, s.note,
        )
        for s in statements
    )
    return _csv(",".join(STATEMENT_HEADERS), rows).encode("utf-8")


def statements_html(statements: Iterable[Statement], *, title: str = "온실가스 배출량 명세서") -> bytes:
    """NGMS statements as an HTML page with the list in one table (UTF-8)."""
    e = html.escape
    lines = [
        "<!DOCTYPE html>",
        '<html lang="ko">',
        '<head><meta charset="utf-8"><title>' + e(title) + "</title></head>",
        "<body>",
        '<table class="tbl_list">',
        "<caption>" + e(title) + "</caption>",
        "<thead><tr>" + "".join(f'<th scope="col">{e(h)}</th>' for h in STATEMENT_HEADERS) + "</tr></thead>",
        "<tbody>",
    ]
    for s in statements:
        cells = (
            _number(s.number), s.agency, s.company, str(s.year), s.designation, s.sector,
            f"{s.emissions_tco2eq:,}", f"{s.energy_tj:,}", s.verifier, s.note,
        )
        lines.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    lines += ["</tbody>", "</table>", "</body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def pre_allocation_csv(records: Sequence[PreAllocation], *, encoding: str = "cp949") -> bytes:
    """ETRS pre-allocation as published: cp949, a trailing comma on every data row."""
    years = _years(records, "pre-allocation")
    header = '"번호",부문,업종,업체명,유상여부,' + ",".join(f"{y}년" for y in years)
    rows = (
        (_number(r.number), r.sector, r.industry, r.company, "Y" if r.auctioned else "N",
         *(str(r.allocation[y]) for y in years))
        for r in records
    )
    return _cp949(_csv(header, rows, trailing_comma=True), "pre-allocation", encoding)


def additional_allocation_csv(records: Sequence[AdditionalAllocation], *, encoding: str = "cp949") -> bytes:
    """ETRS additional allocation as published (cp949)."""
    years = _years(records, "additional allocation")
    header = '"번호",부문,업종,업체명,' + ",".join(f"추가 할당량({y}년)" for y in years)
    rows = (
        (_number(r.number), r.sector, r.industry, r.company, *(str(r.allocation[y]) for y in years))
        for r in records
    )
    return _cp949(_csv(header, rows), "additional allocation", encoding)


def certified_emissions_csv(records: Iterable[CertifiedEmissions]) -> bytes:
    """ETRS certified emissions as published (UTF-8)."""
    rows = (
        (_number(r.number), r.sector, r.industry, r.company, str(r.year), str(r.tonnes)) for r in records
    )
    return _csv("번호,부문,업종,업체명,이행연도,인증 배출량(톤)", rows).encode("utf-8")


def offset_credits_csv(records: Iterable[OffsetIssuance], *, encoding: str = "cp949") -> bytes:
    """ETRS offset credits issued as published (cp949, 이행연도 as "2024년")."""
    rows = (
        (_number(r.number), r.sector, r.industry, r.company, f"{r.compliance_year}년", str(r.quantity))
        for r in records
    )
    return _cp949(_csv('"번호",부문,업종,업체명,이행연도,상쇄배출권 발행수량', rows), "offset credits", encoding)


def total_cap_csv(cap: TotalCap, *, encoding: str = "cp949") -> bytes:
    """ETRS total cap as published (cp949, one row)."""
    years: YearAmounts = cap.by_year
    header = '"계획기간 배출권 총수량",' + ",".join(f"{y}년 총수량" for y in years)
    row = (str(cap.phase_total), *(str(years[y]) for y in years))
    return _cp949(_csv(header, [row]), "total cap", encoding)


def _text_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


def _quoted(value: int) -> str:
    return f'"{value:,}"'


def market_daily_csv(days: Iterable[MarketDay]) -> bytes:
    """KRX emissions market daily data as KRX serves it (UTF-8 with BOM, quoted numbers)."""
    lines = [",".join(MARKET_HEADERS)]
    for d in days:
        change = "" if d.change is None else f"{d.change:,}"
        lines.append(
            ",".join(
                (
                    f'"{d.date.isoformat()}"', _text_cell(d.instrument), _quoted(d.close),
                    f'"{change}"' if "," in change else change, f'"{d.change_pct}"',
                    _quoted(d.open), _quoted(d.high), _quoted(d.low), _quoted(d.volume),
                    _quoted(d.value_krw), _quoted(d.vwap),
                )
            )
        )
    return ("\ufeff" + "\n".join(lines)).encode("utf-8")


def sites_csv(sites: Iterable[Site]) -> bytes:
    """Demo sites (UTF-8)."""
    rows = ((s.company, s.site_id, s.site_name, s.region, str(s.emissions_tco2eq)) for s in sites)
    return _csv(",".join(SITE_HEADERS), rows).encode("utf-8")


def _blank(value: object) -> str:
    return "" if value is None else str(value)


def market_daily_english_csv(days: Iterable[MarketDay]) -> bytes:
    """Daily prices with English headers and no weighted average (UTF-8, oldest day first)."""
    rows = sorted(days, key=lambda d: (d.date, d.instrument))
    lines = [(d.date.isoformat(), d.instrument, str(d.open), str(d.high), str(d.low), str(d.close), str(d.volume),
              str(d.value_krw)) for d in rows]
    return _csv("date,symbol,open,high,low,close,volume,value", lines).encode("utf-8")


def eu_compliance_csv(records: Iterable[InstallationYear]) -> bytes:
    """An EU-style compliance table (UTF-8; blank cells for figures not reported)."""
    rows = ((r.registry, r.installation_id.removeprefix(f"{r.registry}-") if r.registry else r.installation_id,
             r.name, r.activity, str(r.year), _blank(r.allocated), _blank(r.verified)) for r in records)
    return _csv("registry,installation_id,installation_name,activity,year,allocated,verified", rows).encode("utf-8")


def entity_years_csv(records: Iterable[EntityYear]) -> bytes:
    """The generic long format (UTF-8)."""
    def yes_no(value: bool | None) -> str:
        return "" if value is None else "Y" if value else "N"

    rows = ((r.entity_id, r.name, r.sector, r.industry, yes_no(r.auctioned), str(r.year), _blank(r.emissions),
             _blank(r.activity), _blank(r.benchmark_intensity), yes_no(r.new_entrant)) for r in records)
    return _csv(",".join(LONG_HEADERS), rows).encode("utf-8")


def auction_results_json(results: Iterable[AuctionResult], *, source: str = "") -> bytes:
    """Auction results as a JSON object with the publisher's ``source`` and one object per auction."""
    items = [{"date": a.date, "instrument": a.instrument, "offered": a.offered, "bid": a.bid, "sold": a.sold,
              "clearing_price": a.clearing_price} for a in results]
    document: dict[str, object] = {"source": source, "results": items} if source else {"results": items}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def auction_results_csv(results: Iterable[AuctionResult], *, korean: bool = True) -> bytes:
    """Auction results as CSV with Korean (default) or English headers (UTF-8)."""
    header = ",".join(AUCTION_HEADERS) if korean else "date,instrument,offered,bid,sold,clearing_price"
    rows = ((a.date, a.instrument or "", f"{a.offered:,}", f"{a.bid:,}", f"{a.sold:,}", f"{a.clearing_price:,}")
            for a in results)
    return _csv(header, rows).encode("utf-8")
