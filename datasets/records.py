"""The records the importers return: one frozen dataclass per public file, validated on construction.

    Statement             NGMS company statement (명세서): emissions and energy of one company-year
    PreAllocation         ETRS Phase pre-allocation of one company, by year, with its auctioned flag
    AdditionalAllocation  ETRS additional allocation of one company, by year
    CertifiedEmissions    ETRS certified emissions of one company-year
    OffsetIssuance        ETRS offset credits (상쇄배출권) issued to one company for a compliance year
    TotalCap              ETRS total allowances of a phase and of each of its years
    MarketDay             KRX emissions market daily data of one instrument on one day
    Site                  a company site (demo data only; no public file lists sites)
    YearAmounts           an immutable, sorted {year: tonnes} mapping used by the above

Quantities are ``int`` (tonnes, TJ, KRW); percentages are whole basis points (0.46 % → 46). A
company is stored as its public id (``company_id``), which construction applies. Text fields are
kept as published (cleaned of surrounding and repeated whitespace by the importers). Sector and
industry may be empty: the published files have rows without them (e.g. row 317 of the Phase 3
additional allocation has no 업종), so only the company, years and quantities are required.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from .identity import company_id

__all__ = [
    "DESIGNATIONS",
    "YearAmounts",
    "Statement",
    "PreAllocation",
    "AdditionalAllocation",
    "CertifiedEmissions",
    "OffsetIssuance",
    "TotalCap",
    "MarketDay",
    "Site",
    "phase_of_year",
]

DESIGNATIONS = ("업체", "사업장")  # designated as a whole company / at site level
_MIN_YEAR, _MAX_YEAR = 1990, 2100
_PHASES = ((1, 2015, 2017), (2, 2018, 2020), (3, 2021, 2025), (4, 2026, 2030))


def phase_of_year(year: int) -> int | None:
    """The K-ETS phase a compliance year belongs to (1: 2015-17 … 4: 2026-30), None outside them."""
    for phase, first, last in _PHASES:
        if first <= year <= last:
            return phase
    return None


def _int(name: str, value: object, *, signed: bool = False) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number (int), got {value!r}")
    if not signed and value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value}")


def _year(name: str, value: object) -> None:
    _int(name, value)
    if not _MIN_YEAR <= value <= _MAX_YEAR:  # type: ignore[operator]
        raise ValueError(f"{name} must be a year from {_MIN_YEAR} to {_MAX_YEAR}, got {value}")


def _text(name: str, value: object, *, required: bool = True) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, got {value!r}")
    if required and not value.strip():
        raise ValueError(f"{name} must not be empty")


def _number(value: object) -> None:
    if value is not None:
        _int("number", value)


def _company(record: object) -> None:
    object.__setattr__(record, "company", company_id(record.company))  # type: ignore[attr-defined]


class YearAmounts(Mapping[int, int]):
    """An immutable ``{year: whole tonnes}`` mapping in year order; hashable, so records stay frozen."""

    __slots__ = ("_items",)

    def __init__(self, amounts: Mapping[int, int] | None = None) -> None:
        items = tuple(sorted((amounts or {}).items()))
        for year, amount in items:
            _year("year", year)
            _int(f"amount for {year}", amount)
        object.__setattr__(self, "_items", items)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("YearAmounts is immutable")

    def __getitem__(self, year: int) -> int:
        for y, amount in self._items:
            if y == year:
                return amount
        raise KeyError(year)

    def __iter__(self) -> Iterator[int]:
        return (y for y, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, YearAmounts):
            return self._items == other._items
        return Mapping.__eq__(self, other)

    def __repr__(self) -> str:
        return f"YearAmounts({dict(self._items)!r})"

    def __reduce__(self) -> tuple[type, tuple[dict[int, int]]]:
        return (YearAmounts, (dict(self._items),))

    @property
    def total(self) -> int:
        """Sum over all years."""
        return sum(amount for _, amount in self._items)


def _amounts(record: object, name: str) -> None:
    value = getattr(record, name)
    if isinstance(value, YearAmounts):
        return
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a mapping of year to tonnes, got {value!r}")
    object.__setattr__(record, name, YearAmounts(value))


@dataclass(frozen=True)
class Statement:
    """An NGMS company statement (명세서) row: one company's emissions and energy use for a year."""

    number: int | None  # 번호 (the row's number in the disclosure), None if the export has none
    agency: str  # 관장기관, e.g. 기후에너지환경부
    company: str  # 법인명, as company_id
    year: int  # 대상년도
    designation: str  # 지정구분: 업체 (company-level) or 사업장 (site-level)
    sector: str  # 지정업종(목표)/계획업종(할당)
    emissions_tco2eq: int  # 온실가스 배출량(tCO2eq)
    energy_tj: int  # 에너지 사용량(TJ)
    verifier: str  # 검증수행기관 (may be empty)
    note: str  # 비고 (may be empty)

    def __post_init__(self) -> None:
        _number(self.number)
        _text("agency", self.agency, required=False)
        _company(self)
        _year("year", self.year)
        if self.designation not in DESIGNATIONS:
            raise ValueError(f"designation must be 업체 or 사업장, got {self.designation!r}")
        _text("sector", self.sector, required=False)
        _int("emissions_tco2eq", self.emissions_tco2eq)
        _int("energy_tj", self.energy_tj)
        _text("verifier", self.verifier, required=False)
        _text("note", self.note, required=False)


@dataclass(frozen=True)
class PreAllocation:
    """ETRS pre-allocation (사전할당) of one company for each year of a phase."""

    number: int | None  # 번호
    sector: str  # 부문, e.g. 전환, 산업
    industry: str  # 업종
    company: str  # 업체명, as company_id
    auctioned: bool  # 유상여부: Y = part of the allocation is auctioned, N = fully free
    allocation: YearAmounts  # {2021: tonnes, …}

    def __post_init__(self) -> None:
        _number(self.number)
        _text("sector", self.sector, required=False)
        _text("industry", self.industry, required=False)
        _company(self)
        if not isinstance(self.auctioned, bool):
            raise ValueError(f"auctioned must be True or False, got {self.auctioned!r}")
        _amounts(self, "allocation")


@dataclass(frozen=True)
class AdditionalAllocation:
    """ETRS additional allocation (추가 할당) of one company, by year."""

    number: int | None
    sector: str
    industry: str
    company: str
    allocation: YearAmounts

    def __post_init__(self) -> None:
        _number(self.number)
        _text("sector", self.sector, required=False)
        _text("industry", self.industry, required=False)
        _company(self)
        _amounts(self, "allocation")


@dataclass(frozen=True)
class CertifiedEmissions:
    """ETRS certified emissions (인증 배출량) of one company for one compliance year."""

    number: int | None
    sector: str
    industry: str
    company: str
    year: int  # 이행연도
    tonnes: int  # 인증 배출량(톤)

    def __post_init__(self) -> None:
        _number(self.number)
        _text("sector", self.sector, required=False)
        _text("industry", self.industry, required=False)
        _company(self)
        _year("year", self.year)
        _int("tonnes", self.tonnes)


@dataclass(frozen=True)
class OffsetIssuance:
    """ETRS offset credits issued (상쇄배출권 발행) to one company for a compliance year.

    A company may have several issuances in one year.
    """

    number: int | None
    sector: str
    industry: str
    company: str
    compliance_year: int  # 이행연도, "2024년" → 2024
    quantity: int  # 상쇄배출권 발행수량 (tonnes)

    def __post_init__(self) -> None:
        _number(self.number)
        _text("sector", self.sector, required=False)
        _text("industry", self.industry, required=False)
        _company(self)
        _year("compliance_year", self.compliance_year)
        _int("quantity", self.quantity)


@dataclass(frozen=True)
class TotalCap:
    """ETRS total allowances (배출권 총수량) of a phase and of each of its years.

    The phase total also holds what is not split by year (reserves), so it may exceed the sum of
    the years but never fall short of it.
    """

    phase_total: int  # 계획기간 배출권 총수량
    by_year: YearAmounts  # {2021: 2021년 총수량, …}

    def __post_init__(self) -> None:
        _int("phase_total", self.phase_total)
        _amounts(self, "by_year")
        if not self.by_year:
            raise ValueError("by_year must have at least one year")
        if self.by_year.total > self.phase_total:
            raise ValueError(
                f"the yearly totals add up to {self.by_year.total:,}, more than the phase total {self.phase_total:,}"
            )

    @property
    def reserve(self) -> int:
        """Allowances of the phase not assigned to any year (phase total − sum of yearly totals)."""
        return self.phase_total - self.by_year.total

    @property
    def phase(self) -> int | None:
        """The K-ETS phase of the first year (3 for 2021-2025), None if outside the known phases."""
        return phase_of_year(next(iter(self.by_year)))


@dataclass(frozen=True)
class MarketDay:
    """KRX emissions market daily data of one instrument (KAU24, KCU25, KOC21-26, i-KOC…) on one day.

    Prices are KRW per tonne. On a day without trades KRX publishes open/high/low/volume/value/vwap
    as 0 and the close carried over; block trades can make volume non-zero with a zero open, so no
    ordering between the prices is assumed. A file without 대비/등락률 (price histories with English
    headers) leaves ``change`` and ``change_bp`` None unless the importer derives them from the
    previous day in the file; ``derived`` names the fields computed rather than read (``"vwap"`` from
    traded value ÷ volume, ``"change"``, ``"change_bp"`` from the previous close).
    """

    date: date  # 일자
    instrument: str  # 종목명
    close: int  # 종가
    change: int | None  # 대비 (close − previous close), may be negative; None when neither published nor derivable
    change_bp: int | None  # 등락률 in basis points: "0.46" → 46, "-0.68" → -68
    open: int  # 시가
    high: int  # 고가
    low: int  # 저가
    volume: int  # 거래량 (tonnes)
    value_krw: int  # 거래대금 (KRW)
    vwap: int  # 가중평균 (KRW)
    derived: tuple[str, ...] = ()  # fields computed by the importer, not read from the file

    def __post_init__(self) -> None:
        if not isinstance(self.date, date):
            raise ValueError(f"date must be a datetime.date, got {self.date!r}")
        _text("instrument", self.instrument)
        amounts = (self.close, self.open, self.high, self.low, self.volume, self.value_krw, self.vwap)
        if not all(type(v) is int and v >= 0 for v in amounts):  # the detailed check only when one fails
            for name in ("close", "open", "high", "low", "volume", "value_krw", "vwap"):
                _int(name, getattr(self, name))
        if self.change is not None and type(self.change) is not int:
            _int("change", self.change, signed=True)
        if self.change_bp is not None and type(self.change_bp) is not int:
            _int("change_bp", self.change_bp, signed=True)
        if not isinstance(self.derived, tuple) or (self.derived and not set(self.derived) <= _DERIVABLE):
            raise ValueError(f"derived must be a tuple of {', '.join(sorted(_DERIVABLE))}, got {self.derived!r}")

    @property
    def change_pct(self) -> str:
        """등락률 as KRX prints it: ``46`` → ``"0.46"``, ``-68`` → ``"-0.68"`` (``""`` when unknown)."""
        if self.change_bp is None:
            return ""
        sign = "-" if self.change_bp < 0 else ""
        whole, fraction = divmod(abs(self.change_bp), 100)
        return f"{sign}{whole}.{fraction:02d}"


_DERIVABLE = frozenset({"vwap", "change", "change_bp"})


@dataclass(frozen=True)
class Site:
    """A company site of the demo data (no public file lists sites): where an edge device reports from."""

    company: str  # company_id of the owner
    site_id: str  # chain site id: ASCII letters, digits, '_', '.', '-' (1-64)
    site_name: str  # e.g. 울산공장
    region: str  # e.g. 울산광역시
    emissions_tco2eq: int  # the site's share of the company's latest emissions

    def __post_init__(self) -> None:
        _company(self)
        if (
            not isinstance(self.site_id, str)
            or not 1 <= len(self.site_id) <= 64
            or not all(c.isascii() and (c.isalnum() or c in "_.-") for c in self.site_id)
        ):
            raise ValueError(f"site_id must be 1-64 ASCII letters, digits, '_', '.', '-', got {self.site_id!r}")
        _text("site_name", self.site_name)
        _text("region", self.region)
        _int("emissions_tco2eq", self.emissions_tco2eq)
