"""ETRS disclosures (배출권등록부, data.go.kr exports): allocations, certified emissions, offsets, total cap.

    read_pre_allocation        번호, 부문, 업종, 업체명, 유상여부, 2021년 … 2025년
    read_additional_allocation 번호, 부문, 업종, 업체명, 추가 할당량(2021년) … (2025년)
    read_certified_emissions   번호, 부문, 업종, 업체명, 이행연도, 인증 배출량(톤)
    read_offset_credits        번호, 부문, 업종, 업체명, 이행연도 ("2024년"), 상쇄배출권 발행수량
    read_total_cap             계획기간 배출권 총수량, 2021년 총수량 … (exactly one data row)

The published files are cp949 or UTF-8 (detected), pre-allocation rows end with a trailing
comma, and the per-year columns are found by their headers, so a Phase 4 file (2026년 …) reads
the same way. Uniqueness (``unique=True`` by default): one row per company in the allocation
files, one per company and year in certified emissions; offset issuances may repeat.

English headers are read too (``no, sector, industry, company, auctioned, 2021 …``, ``year``,
``certified emissions``, ``offset credits issued``, ``total cap``), and a mapping file may add
any other. A row that repeats an earlier row exactly is refused in every file (a download pasted
in twice would otherwise be added up), unless ``allow_repeats=True``.

Note: the published Phase 3 pre-allocation file lists 경원여객자동차(주) twice (rows 474 and 724,
different allocations), so it must be read with ``unique=False``; the allocation engine then
decides how the two rows map to the one company id that name gives.
"""

from __future__ import annotations

from typing import Any

from ._columns import Column, Row, YearColumns, bind
from ._scan import Kind, read_all
from ._tables import FileInput, load_tables
from .errors import MalformedFileError
from .records import AdditionalAllocation, CertifiedEmissions, OffsetIssuance, PreAllocation, TotalCap, YearAmounts

__all__ = [
    "read_pre_allocation",
    "read_additional_allocation",
    "read_certified_emissions",
    "read_offset_credits",
    "read_total_cap",
    "PRE_ALLOCATION",
    "ADDITIONAL_ALLOCATION",
    "CERTIFIED_EMISSIONS",
    "OFFSET_CREDITS",
    "TOTAL_CAP",
]

_PUBLISHER = "ETRS (배출권등록부, data.go.kr)"
_NUMBER = Column("number", "번호", ("순번", "no", "no.", "number"), required=False)
_SECTOR = Column("sector", "부문", ("sector",))
_INDUSTRY = Column("industry", "업종", ("industry",))
_COMPANY = Column("company", "업체명", ("법인명", "company", "company name"))
_YEAR = Column("year", "이행연도", ("대상년도", "year", "compliance year"))

_PRE_YEARS = YearColumns(r"([0-9]{4})년?(?:할당량)?", "2021년")
_ADDITIONAL_YEARS = YearColumns(
    r"추가할당량\(([0-9]{4})년?\)|([0-9]{4})년?추가할당량|additionalallocation\(([0-9]{4})\)|([0-9]{4})additional",
    "추가 할당량(2021년)",
)
_CAP_YEARS = YearColumns(r"([0-9]{4})년?총수량|([0-9]{4})(?:cap|total)", "2021년 총수량")

_DUPLICATE_ALLOCATION = (
    "If these are two companies that share a name, read with unique=False and decide how the allocation "
    "plan treats them (the chain's company id is the name)."
)


def _classified(row: Row) -> dict[str, Any]:
    return {
        "number": row.optional_whole("number"),
        "sector": row.text("sector", required=False),
        "industry": row.text("industry", required=False),
        "company": row.company("company"),
    }


def _by_year(row: Row) -> YearAmounts:
    return YearAmounts({year: row.whole(i) for year, i in row.bound.years.items()})


def _company_key(record: Any) -> tuple[object, str, str]:
    return record.company, "company", f"company {record.company!r}"


PRE_ALLOCATION = Kind(
    name="pre_allocation",
    title="pre-allocation by company and year (사전할당)",
    what="an ETRS pre-allocation file",
    publisher=_PUBLISHER,
    columns=(_NUMBER, _SECTOR, _INDUSTRY, _COMPANY,
             Column("auctioned", "유상여부", ("유상할당여부", "auctioned", "auction", "auctioned (y/n)"))),
    years=_PRE_YEARS,
    record=lambda row: row.build(PreAllocation, **_classified(row), auctioned=row.yes_no("auctioned"),
                                 allocation=_by_year(row)),
    key=_company_key,
    unique_what="a company appears once in a pre-allocation file",
    unique_advice=_DUPLICATE_ALLOCATION,
)

ADDITIONAL_ALLOCATION = Kind(
    name="additional_allocation",
    title="additional allocation by company and year (추가 할당)",
    what="an ETRS additional allocation file",
    publisher=_PUBLISHER,
    columns=(_NUMBER, _SECTOR, _INDUSTRY, _COMPANY),
    years=_ADDITIONAL_YEARS,
    record=lambda row: row.build(AdditionalAllocation, **_classified(row), allocation=_by_year(row)),
    key=_company_key,
    unique_what="a company appears once in an additional allocation file",
    unique_advice=_DUPLICATE_ALLOCATION,
)

CERTIFIED_EMISSIONS = Kind(
    name="certified_emissions",
    title="certified emissions (인증 배출량)",
    what="an ETRS certified emissions file",
    publisher=_PUBLISHER,
    columns=(_NUMBER, _SECTOR, _INDUSTRY, _COMPANY, _YEAR,
             Column("tonnes", "인증 배출량(톤)", ("인증배출량", "인증 배출량(tCO2eq)", "인증 배출량(tCO2-eq)",
                                             "certified emissions", "certified emissions (t)"))),
    record=lambda row: row.build(CertifiedEmissions, **_classified(row), year=row.year("year"),
                                 tonnes=row.whole("tonnes")),
    key=lambda r: ((r.company, r.year), "company", f"company {r.company!r} ({r.year})"),
    unique_what="certified emissions are one figure per company and year",
    unique_advice="If the file really lists it twice, read with unique=False and decide which row counts.",
    span=lambda r: r.year,
)

OFFSET_CREDITS = Kind(
    name="offset_credits",
    title="offset credits issued (상쇄배출권 발행)",
    what="an ETRS offset credits issued file",
    publisher=_PUBLISHER,
    columns=(_NUMBER, _SECTOR, _INDUSTRY, _COMPANY, _YEAR,
             Column("quantity", "상쇄배출권 발행수량", ("발행수량", "offset credits issued", "quantity", "credits issued"))),
    record=lambda row: row.build(OffsetIssuance, **_classified(row), compliance_year=row.year("year"),
                                 quantity=row.whole("quantity")),
    span=lambda r: r.compliance_year,
)

_CAP_TOTAL = Column("phase_total", "계획기간 배출권 총수량", ("배출권 총수량", "총수량", "phase total", "total cap"))
TOTAL_CAP = Kind(
    name="total_cap",
    title="total allowances of a phase (배출권 총수량)",
    what="an ETRS total cap file",
    publisher=_PUBLISHER,
    columns=(_CAP_TOTAL,),
    years=_CAP_YEARS,
    record=lambda row: row.build(TotalCap, phase_total=row.whole("phase_total"), by_year=_by_year(row)),
)


def read_pre_allocation(file: FileInput, *, name: str | None = None, format: str | None = None, unique: bool = True,
                        **options: Any) -> list[PreAllocation]:
    """Read an ETRS pre-allocation file: per company its sector, industry, auctioned flag and tonnes by year."""
    return read_all(PRE_ALLOCATION, file, name=name, format=format, unique=unique, **options)


def read_additional_allocation(file: FileInput, *, name: str | None = None, format: str | None = None,
                               unique: bool = True, **options: Any) -> list[AdditionalAllocation]:
    """Read an ETRS additional allocation file: per company the additional tonnes by year."""
    return read_all(ADDITIONAL_ALLOCATION, file, name=name, format=format, unique=unique, **options)


def read_certified_emissions(file: FileInput, *, name: str | None = None, format: str | None = None,
                             unique: bool = True, **options: Any) -> list[CertifiedEmissions]:
    """Read an ETRS certified emissions file: per company and compliance year the certified tonnes."""
    return read_all(CERTIFIED_EMISSIONS, file, name=name, format=format, unique=unique, **options)


def read_offset_credits(file: FileInput, *, name: str | None = None, format: str | None = None,
                        **options: Any) -> list[OffsetIssuance]:
    """Read an ETRS offset credits issued file: one row per issuance (a company may have several a year)."""
    return read_all(OFFSET_CREDITS, file, name=name, format=format, unique=False, **options)


def read_total_cap(file: FileInput, *, name: str | None = None, format: str | None = None,
                   max_bytes: int | None = None, mapping: dict | None = None) -> TotalCap:
    """Read an ETRS total cap file: the phase total and each year's total (exactly one data row)."""
    source, tables = load_tables(file, name=name, format=format, max_bytes=max_bytes)
    bound = bind(source, tables, TOTAL_CAP.columns, years=_CAP_YEARS, what=TOTAL_CAP.what, mapping=mapping)
    rows = bound.data_rows()
    if len(rows) != 1:
        raise MalformedFileError(
            bound.source,
            f"expected exactly one row of totals below the header, found {len(rows)}: is this the total cap file?",
            row=rows[1].number,
        )
    return TOTAL_CAP.record(rows[0])
