"""NGMS company statements (명세서): the importer for the national GHG management system's disclosure.

The NGMS site shows the list as an HTML table and offers CSV and Excel (XLSX) downloads, all with
the same columns::

    번호, 관장기관, 법인명, 대상년도, 지정구분, 지정업종(목표)/계획업종(할당),
    온실가스 배출량(tCO2eq), 에너지 사용량(TJ), 검증수행기관, 비고

``read_statements`` takes any of the three (recognised from the bytes; ``format=`` forces one).
English headers are read too (``no, agency, company, year, designation, sector, emissions (tCO2eq),
energy (TJ), verifier, note``), and a mapping file may add any other (``datasets.mapping``).
Numbers may carry thousands separators (``"4,000,544"``); 번호 and 비고 may be absent; 지정구분
must be 업체 or 사업장. A company files one statement per year, so (company, year) must be unique
unless ``unique=False``.
"""

from __future__ import annotations

from typing import Any

from ._columns import Column, Row
from ._scan import Kind, read_all
from ._tables import FileInput
from .records import DESIGNATIONS, Statement

__all__ = ["read_statements", "STATEMENT_HEADERS", "STATEMENTS"]

_COLUMNS = (
    Column("number", "번호", ("순번", "no", "no.", "number"), required=False),
    Column("agency", "관장기관", ("agency", "competent authority")),
    Column("company", "법인명", ("업체명", "법인명(업체명)", "company", "company name", "corporation")),
    Column("year", "대상년도", ("대상연도", "보고년도", "이행연도", "year", "reporting year")),
    Column("designation", "지정구분", ("designation",)),
    Column("sector", "지정업종(목표)/계획업종(할당)", ("업종", "지정업종", "계획업종", "sector", "industry")),
    Column("emissions", "온실가스 배출량(tCO2eq)", ("온실가스 배출량(tCO2-eq)", "온실가스 배출량(tCO2)", "배출량(tCO2eq)",
                                                "emissions", "emissions (tco2eq)", "emissions (tco2-eq)", "ghg emissions")),
    Column("energy", "에너지 사용량(TJ)", ("에너지사용량(TJ)", "energy", "energy (tj)", "energy use (tj)")),
    Column("verifier", "검증수행기관", ("검증기관", "verifier", "verification body")),
    Column("note", "비고", ("note", "remarks"), required=False),
)


def _statement(row: Row) -> Statement:
    return row.build(
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


STATEMENTS = Kind(
    name="ngms_statements",
    title="company statements (명세서)",
    what="an NGMS statements (명세서) file",
    publisher="GIR / NGMS (온실가스종합정보센터)",
    columns=_COLUMNS,
    record=_statement,
    key=lambda s: ((s.company, s.year), "company", f"company {s.company!r} ({s.year})"),
    unique_what="a company files one statement per year",
    unique_advice="If the file really lists it twice, read with unique=False and decide which row counts.",
    span=lambda s: s.year,
)

STATEMENT_HEADERS = tuple(c.label for c in _COLUMNS)


def read_statements(file: FileInput, *, name: str | None = None, format: str | None = None, unique: bool = True,
                    **options: Any) -> list[Statement]:
    """Read an NGMS statements file (CSV, HTML page or XLSX; a path or the bytes of an upload).

    ``name`` is the file name used in error messages (defaults to the path's name). Raises a
    ``DatasetError`` subclass naming the file, row and column of the first problem, with every
    problem found in its ``problems``. ``options``: ``allow_repeats`` (keep rows that repeat an earlier row exactly),
    ``mapping``, ``mapping_source``, ``max_bytes``.
    """
    return read_all(STATEMENTS, file, name=name, format=format, unique=unique, **options)
