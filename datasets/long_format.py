"""The generic long format for the allocation engine: one row per entity (company or installation) and year.

For data that comes in no published layout — another country's registry, a ministry's own
tables, a research data set — the allocation engine reads this one shape, keyed by id (names may
repeat or be blank)::

    id, name, sector, industry, auctioned, year, emissions, activity, benchmark_intensity, new_entrant
    KR-0001,(주)예시시멘트,산업,시멘트 제조업,N,2021,1203344,1250000,812,N
    KR-0001,(주)예시시멘트,산업,시멘트 제조업,N,2022,1187002,,,

    id                   required: the entity's id (1-200 printable characters); becomes the plan's company id
    year                 required: the year of this row's figures
    emissions            the year's (verified) emissions in tonnes; blank = not known
    name                 optional, for people (may be blank or shared by several ids)
    sector, industry     optional (부문, 업종): they choose the method and auctioned share
    auctioned            optional Y/N (유상여부); blank = not stated
    activity, benchmark_intensity   optional whole numbers (benchmark sectors; give both or neither)
    new_entrant          optional Y/N

Korean headers are read too (업체ID/시설ID, 업체명, 부문, 업종, 유상여부, 연도, 배출량, 활동량,
배출효율기준, 신규진입자). Per-entity fields (name, sector, industry, auctioned, activity,
intensity, new entrant) may be given on every row or only on one; ``governance.inputs`` checks
that the rows of one id agree. One row per id and year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._columns import Column, Row
from ._scan import Kind, read_all
from ._tables import FileInput
from .records import _int, _text, _year

__all__ = ["EntityYear", "read_entity_years", "ENTITY_YEARS", "LONG_HEADERS"]


@dataclass(frozen=True)
class EntityYear:
    """One row of the long format: an entity's figures for one year (None = blank)."""

    entity_id: str
    year: int
    emissions: int | None
    name: str = ""
    sector: str = ""
    industry: str = ""
    auctioned: bool | None = None
    activity: int | None = None
    benchmark_intensity: int | None = None
    new_entrant: bool | None = None
    row: int = 0  # the file row, for messages

    def __post_init__(self) -> None:
        _text("entity_id", self.entity_id)
        _year("year", self.year)
        for name in ("name", "sector", "industry"):
            _text(name, getattr(self, name), required=False)
        for name in ("emissions", "activity", "benchmark_intensity"):
            if getattr(self, name) is not None:
                _int(name, getattr(self, name))
        if (self.activity is None) != (self.benchmark_intensity is None):
            raise ValueError("give both activity and benchmark_intensity, or neither")


_COLUMNS = (
    Column("id", "id", ("entity_id", "company_id", "installation_id", "업체ID", "시설ID", "ID")),
    Column("name", "name", ("company", "company name", "업체명", "시설명"), required=False),
    Column("sector", "sector", ("부문",), required=False),
    Column("industry", "industry", ("업종",), required=False),
    Column("auctioned", "auctioned", ("유상여부",), required=False),
    Column("year", "year", ("연도", "이행연도")),
    Column("emissions", "emissions", ("배출량", "emissions (t)", "verified emissions")),
    Column("activity", "activity", ("활동량",), required=False),
    Column("benchmark_intensity", "benchmark_intensity", ("배출효율기준", "benchmark intensity"), required=False),
    Column("new_entrant", "new_entrant", ("신규진입자", "new entrant"), required=False),
)

LONG_HEADERS = tuple(c.label for c in _COLUMNS)


def _entity_year(row: Row) -> EntityYear:
    return row.build(
        EntityYear,
        entity_id=row.identifier("id", "an id"),
        year=row.year("year"),
        emissions=row.optional_amount("emissions"),
        name=row.text("name", required=False),
        sector=row.text("sector", required=False),
        industry=row.text("industry", required=False),
        auctioned=row.optional_yes_no("auctioned"),
        activity=row.optional_amount("activity"),
        benchmark_intensity=row.optional_amount("benchmark_intensity"),
        new_entrant=row.optional_yes_no("new_entrant"),
        row=row.number,
    )


ENTITY_YEARS = Kind(
    name="long_format",
    title="generic long format (id, name, sector, year, emissions, activity …)",
    what="a long-format file (one row per id and year)",
    publisher="",
    columns=_COLUMNS,
    record=_entity_year,
    key=lambda r: ((r.entity_id, r.year), "id", f"id {r.entity_id!r} ({r.year})"),
    unique_what="the long format has one row per id and year",
    unique_advice="Merge the two rows into one.",
    span=lambda r: r.year,
)


def read_entity_years(file: FileInput, *, name: str | None = None, format: str | None = None,
                      **options: Any) -> list[EntityYear]:
    """Read a long-format file: one record per id and year."""
    return read_all(ENTITY_YEARS, file, name=name, format=format, **options)
