"""The company-data supplement: facts about companies that no public file carries.

Benchmark activity levels and intensities, and which companies are new entrants (신규진입자),
come from the allocation authority's own records, not from ETRS or NGMS downloads. They are
given to ``ets plan compute --company-data FILE`` as a UTF-8 CSV (a BOM is allowed) with a
header row; only ``company`` is required, the other columns may be absent or left blank::

    company,sector,industry,auctioned,activity,benchmark_intensity,new_entrant
    (주)예시시멘트,산업,"시멘트, 석회, 플라스터 및 그 외 제품 제조업",N,1250000,812,N
    신규발전(주),전환,전기업,Y,,,Y

    company              the company's name as published (made a company_id like every import)
    sector, industry     부문 and 업종; needed for a company that is in no other input file
    auctioned            Y or N (유상여부); needed for a company that is in no other input file
    activity             benchmark activity level in the sector's unit (whole number; 1,250,000 allowed)
    benchmark_intensity  kg CO2-eq per unit of activity (whole number); give both or neither
    new_entrant          Y or N (blank = N)
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from datasets.identity import company_id

from .errors import AllocationInputError

__all__ = ["CompanyData", "COMPANY_DATA_COLUMNS", "read_company_data"]

COMPANY_DATA_COLUMNS = ("company", "sector", "industry", "auctioned", "activity", "benchmark_intensity", "new_entrant")
_WHOLE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+")


@dataclass(frozen=True, slots=True)
class CompanyData:
    """One row of the company-data supplement; ``None`` means the cell was blank or absent."""

    company_id: str
    sector: str | None = None
    industry: str | None = None
    auctioned: bool | None = None
    activity: int | None = None
    benchmark_intensity: int | None = None
    new_entrant: bool = False
    row: int = 0  # the CSV row it came from (header = row 1), for messages

    def __post_init__(self) -> None:
        if (self.activity is None) != (self.benchmark_intensity is None):
            raise AllocationInputError(
                f"company data row {self.row} ({self.company_id}): give both activity and benchmark_intensity, or neither"
            )


def _cell(where: str, column: str, text: str, kind: str) -> object:
    text = text.strip()
    if not text:
        return None
    if kind == "text":
        return " ".join(text.split())
    if kind == "yes_no":
        if text.upper() in {"Y", "N"}:
            return text.upper() == "Y"
        raise AllocationInputError(f"{where}, column {column}: expected Y or N, got {text!r}")
    if _WHOLE.fullmatch(text):
        return int(text.replace(",", ""))
    raise AllocationInputError(f"{where}, column {column}: expected a whole number like 1,250,000, got {text!r}")


def read_company_data(path: str | Path) -> list[CompanyData]:
    """Read a company-data supplement CSV; errors name the file, row and column."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise AllocationInputError(f"{path}: company data file not found") from None
    except UnicodeDecodeError as exc:
        raise AllocationInputError(f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise AllocationInputError(f"{path}: empty file; expected a header row with at least `company`")
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h and h not in COMPANY_DATA_COLUMNS]
    if unknown or "company" not in header or len(set(header)) != len(header):
        raise AllocationInputError(
            f"{path} row 1: the header must name `company` once and only these columns: "
            f"{', '.join(COMPANY_DATA_COLUMNS)} (found {', '.join(header)})"
        )
    kinds = {"company": "text", "sector": "text", "industry": "text", "auctioned": "yes_no",
             "activity": "whole", "benchmark_intensity": "whole", "new_entrant": "yes_no"}
    records: list[CompanyData] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        where = f"{path} row {number}"
        if len(cells) > len(header):
            raise AllocationInputError(f"{where}: {len(cells)} cells but the header has {len(header)} columns")
        values = {col: _cell(where, col, cells[i] if i < len(cells) else "", kinds[col]) for i, col in enumerate(header) if col}
        if values.get("company") is None:
            raise AllocationInputError(f"{where}, column company: the company name is empty")
        try:
            cid = company_id(values["company"])  # type: ignore[arg-type]
        except ValueError as exc:
            raise AllocationInputError(f"{where}, column company: {exc}") from None
        if cid in seen:
            raise AllocationInputError(f"{where}: company {cid!r} already appears in row {seen[cid]}; give each company once")
        seen[cid] = number
        records.append(CompanyData(
            company_id=cid,
            sector=values.get("sector"),  # type: ignore[arg-type]
            industry=values.get("industry"),  # type: ignore[arg-type]
            auctioned=values.get("auctioned"),  # type: ignore[arg-type]
            activity=values.get("activity"),  # type: ignore[arg-type]
            benchmark_intensity=values.get("benchmark_intensity"),  # type: ignore[arg-type]
            new_entrant=bool(values.get("new_entrant")),
            row=number,
        ))
    return records
