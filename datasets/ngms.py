"""NGMS company statements (명세서): the importer for the national GHG management system's disclosure.

The NGMS site shows the list as an HTML table and offers CSV and Excel (XLSX) downloads, all with
the same columns::

    번호, 관장기관, 법인명, 대상년도, 지정구분, 지정업종(목표)/계획업종(할당),
    온실가스 배출량(tCO2eq), 에너지 사용량(TJ), 검증수행기관, 비고

``read_statements`` takes any of the three (recognised from the bytes; ``format=`` forces one).
Numbers may carry thousands separators (``"4,000,544"``); 번호 and 비고 may be absent; 지정구분
must be 업체 or 사업장. A company files one statement per year, so (company, year) must be unique
unless ``unique=False``.
"""

from __future__ import annotations

from ._columns import Column, UniqueKeys, bind
from ._tables import FileInput, load_tables
from .records import DESIGNATIONS, Statement

__all__ = ["read_statements", "STATEMENT_HEADERS"]

_COLUMNS = (
    Column("number", "번호", ("순번", "no", "no."), required=False),
    Column("agency", "관장기관"),
    Column("company", "법인명", ("업체명", "법인명(업체명)")),
    Column("year", "대상년도", ("대상연도", "보고년도", "이행연도")),
    Column("designation", "지정구분"),
    Column("sector", "지정업종(목표)/계획업종(할당)", ("업종", "지정업종", "계획업종")),
    Column("emissions", "온실가스 배출량(tCO2eq)", ("온실가스 배출량(tCO2-eq)", "온실가스 배출량(tCO2)", "배출량(tCO2eq)")),
    Column("energy", "에너지 사용량(TJ)", ("에너지사용량(TJ)",)),
    Column("verifier", "검증수행기관", ("검증기관",)),
    Column("note", "비고", required=False),
)

STATEMENT_HEADERS = tuple(c.label for c in _COLUMNS)


def read_statements(
    file: FileInput, *, name: str | None = None, format: str | None = None, unique: bool = True
) -> list[Statement]:
    """Read an NGMS statements file (CSV, HTML page or XLSX; a path or the bytes of an upload).

    ``name`` is the file name used in error messages (defaults to the path's name). Raises a
    ``DatasetError`` subclass naming the file, row and column of the first problem.
    """
    source, tables = load_tables(file, name=name, format=format)
    bound = bind(source, tables, _COLUMNS, what="an NGMS statements (명세서) file")
    seen = UniqueKeys(
        "a company files one statement per year",
        "If the file really lists it twice, read with unique=False and decide which row counts.",
    )
    statements: list[Statement] = []
    for row in bound.data_rows():
        statement = row.build(
            Statement,
            number=row.optional_whole("number"),
            agency=row.text("agency", required=False),
            company=row.company("company"),
            year=row.year("year"),
            designation=row.one_of("designation", DESIGNATIONS),
            sector=row.text("sector", required=False),
            emissions_tco2eq=row.whole("emissions"),
            energy_tj=row.whole("energy"),
            verifier=row.text("verifier", required=False),
            note=row.text("note", required=False),
        )
        if unique:
            key = (statement.company, statement.year)
            seen.add(key, row, "company", f"company {statement.company!r} ({statement.year})")
        statements.append(statement)
    return statements
