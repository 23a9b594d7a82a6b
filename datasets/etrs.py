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

Note: the published Phase 3 pre-allocation file lists 경원여객자동차(주) twice (rows 474 and 724,
different allocations), so it must be read with ``unique=False``; the allocation engine then
decides how the two rows map to the one company id that name gives.
"""

from __future__ import annotations

from ._columns import Column, UniqueKeys, YearColumns, bind
from ._tables import FileInput, load_tables
from .errors import MalformedFileError
from .records import AdditionalAllocation, CertifiedEmissions, OffsetIssuance, PreAllocation, TotalCap, YearAmounts

__all__ = [
    "read_pre_allocation",
    "read_additional_allocation",
    "read_certified_emissions",
    "read_offset_credits",
    "read_total_cap",
]

_NUMBER = Column("number", "번호", ("순번", "no", "no."), required=False)
_SECTOR = Column("sector", "부문")
_INDUSTRY = Column("industry", "업종")
_COMPANY = Column("company", "업체명", ("법인명",))
_YEAR = Column("year", "이행연도", ("대상년도",))

_PRE_YEARS = YearColumns(r"([0-9]{4})년?(?:할당량)?", "2021년")
_ADDITIONAL_YEARS = YearColumns(r"추가할당량\(([0-9]{4})년?\)|([0-9]{4})년?추가할당량", "추가 할당량(2021년)")
_CAP_YEARS = YearColumns(r"([0-9]{4})년?총수량", "2021년 총수량")

_DUPLICATE_ALLOCATION = (
    "If these are two companies that share a name, read with unique=False and decide how the allocation "
    "plan treats them (the chain's company id is the name)."
)


def read_pre_allocation(
    file: FileInput, *, name: str | None = None, format: str | None = None, unique: bool = True
) -> list[PreAllocation]:
    """Read an ETRS pre-allocation file: per company its sector, industry, auctioned flag and tonnes by year."""
    source, tables = load_tables(file, name=name, format=format)
    bound = bind(
        source, tables, (_NUMBER, _SECTOR, _INDUSTRY, _COMPANY, Column("auctioned", "유상여부", ("유상할당여부",))),
        years=_PRE_YEARS, what="an ETRS pre-allocation file",
    )
    seen = UniqueKeys("a company appears once in a pre-allocation file", _DUPLICATE_ALLOCATION)
    records: list[PreAllocation] = []
    for row in bound.data_rows():
        record = row.build(
            PreAllocation,
            number=row.optional_whole("number"),
            sector=row.text("sector", required=False),
            industry=row.text("industry", required=False),
            company=row.company("company"),
            auctioned=row.yes_no("auctioned"),
            allocation=YearAmounts({year: row.whole(i) for year, i in bound.years.items()}),
        )
        if unique:
            seen.add(record.company, row, "company", f"company {record.company!r}")
        records.append(record)
    return records


def read_additional_allocation(
    file: FileInput, *, name: str | None = None, format: str | None = None, unique: bool = True
) -> list[AdditionalAllocation]:
    """Read an ETRS additional allocation file: per company the additional tonnes by year."""
    source, tables = load_tables(file, name=name, format=format)
    bound = bind(source, tables, (_NUMBER, _SECTOR, _INDUSTRY, _COMPANY), years=_ADDITIONAL_YEARS,
                 what="an ETRS additional allocation file")
    seen = UniqueKeys("a company appears once in an additional allocation file", _DUPLICATE_ALLOCATION)
    records: list[AdditionalAllocation] = []
    for row in bound.data_rows():
        record = row.build(
            AdditionalAllocation,
            number=row.optional_whole("number"),
            sector=row.text("sector", required=False),
            industry=row.text("industry", required=False),
            company=row.company("company"),
            allocation=YearAmounts({year: row.whole(i) for year, i in bound.years.items()}),
        )
        if unique:
            seen.add(record.company, row, "company", f"company {record.company!r}")
        records.append(record)
    return records


def read_certified_emissions(
    file: FileInput, *, name: str | None = None, format: str | None = None, unique: bool = True
) -> list[CertifiedEmissions]:
    """Read an ETRS certified emissions file: per company and compliance year the certified tonnes."""
    source, tables = load_tables(file, name=name, format=format)
    bound = bind(
        source, tables,
        (_NUMBER, _SECTOR, _INDUSTRY, _COMPANY, _YEAR,
         Column("tonnes", "인증 배출량(톤)", ("인증배출량", "인증 배출량(tCO2eq)", "인증 배출량(tCO2-eq)"))),
        what="an ETRS certified emissions file",
    )
    seen = UniqueKeys(
        "certified emissions are one figure per company and year",
        "If the file really lists it twice, read with unique=False and decide which row counts.",
    )
    records: list[CertifiedEmissions] = []
    for row in bound.data_rows():
        record = row.build(
            CertifiedEmissions,
            number=row.optional_whole("number"),
            sector=row.text("sector", required=False),
            industry=row.text("industry", required=False),
            company=row.company("company"),
            year=row.year("year"),
            tonnes=row.whole("tonnes"),
        )
        if unique:
            seen.add((record.company, record.year), row, "company", f"company {record.company!r} ({record.year})")
        records.append(record)
    return records


def read_offset_credits(
    file: FileInput, *, name: str | None = None, format: str | None = None
) -> list[OffsetIssuance]:
    """Read an ETRS offset credits issued file: one row per issuance (a company may have several a year)."""
    source, tables = load_tables(file, name=name, format=format)
    bound = bind(
        source, tables,
        (_NUMBER, _SECTOR, _INDUSTRY, _COMPANY, _YEAR, Column("quantity", "상쇄배출권 발행수량", ("발행수량",))),
        what="an ETRS offset credits issued file",
    )
    return [
        row.build(
            OffsetIssuance,
            number=row.optional_whole("number"),
            sector=row.text("sector", required=False),
            industry=row.text("industry", required=False),
            company=row.company("company"),
            compliance_year=row.year("year"),
            quantity=row.whole("quantity"),
        )
        for row in bound.data_rows()
    ]


def read_total_cap(file: FileInput, *, name: str | None = None, format: str | None = None) -> TotalCap:
    """Read an ETRS total cap file: the phase total and each year's total (exactly one data row)."""
    source, tables = load_tables(file, name=name, format=format)
    bound = bind(
        source, tables, (Column("phase_total", "계획기간 배출권 총수량", ("배출권 총수량", "총수량")),),
        years=_CAP_YEARS, what="an ETRS total cap file",
    )
    rows = bound.data_rows()
    if len(rows) != 1:
        raise MalformedFileError(
            bound.source,
            f"expected exactly one row of totals below the header, found {len(rows)}: is this the total cap file?",
            row=rows[1].number,
        )
    row = rows[0]
    return row.build(
        TotalCap,
        phase_total=row.whole("phase_total"),
        by_year=YearAmounts({year: row.whole(i) for year, i in bound.years.items()}),
    )
