"""From imported public data to engine inputs: one ``CompanyInput`` per company.

The ``datasets`` importers return one record per published row; this module merges them by
``company_id`` into what the engine needs, by these rules:

* Which companies: with a pre-allocation list, its companies (the designated ones) plus any
  company the company-data supplement adds (e.g. new entrants); other records are ignored and
  counted in the notes. Without one, every company in any input.
* Classification (부문, 업종, 유상여부): from the pre-allocation row, else the supplement, else the
  certified-emissions row (an NGMS statement's 지정업종 counts as the industry); a company whose
  auctioned flag is known from no file is taken as fully free (noted).
* A name listed twice in the pre-allocation file (the Phase 3 file has one: two rows for
  경원여객자동차(주)) is one company on the chain, whose id is its name: its rows are added year by
  year (noted). Rows that disagree on sector, industry or auctioned flag are an error.
* Emission history (``history="emissions"``): per year, the certified emissions (인증 배출량),
  else the NGMS statement's emissions.
* ``history="pre_allocation"``: per year, the pre-allocation plus any additional allocation, years
  with none left out. A stand-in where verified emissions are not published for every company
  (demonstrations and regression runs); the plan records which files it used.
* Benchmark activity and intensity and the new-entrant flag come from the supplement only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from datasets.records import AdditionalAllocation, CertifiedEmissions, PreAllocation, Statement

from .company import CompanyInput
from .company_data import CompanyData
from .errors import AllocationInputError

__all__ = ["EngineInputs", "HISTORY_SOURCES", "build_company_inputs"]

HISTORY_SOURCES = ("emissions", "pre_allocation")


@dataclass(frozen=True, slots=True)
class EngineInputs:
    """The merged companies (sorted by company_id) and notes on how the records were merged."""

    companies: tuple[CompanyInput, ...]
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _Company:
    sector: str | None = None
    industry: str | None = None
    auctioned: bool | None = None
    allocation: dict[int, int] | None = None
    rows: int = 0


def _merge_pre_allocation(records: Iterable[PreAllocation], notes: list[str]) -> dict[str, _Company]:
    merged: dict[str, _Company] = {}
    for record in records:
        entry = merged.get(record.company)
        if entry is None:
            merged[record.company] = _Company(record.sector, record.industry, record.auctioned, dict(record.allocation), 1)
            continue
        if (entry.sector, entry.industry, entry.auctioned) != (record.sector, record.industry, record.auctioned):
            raise AllocationInputError(
                f"pre-allocation lists {record.company!r} twice with different sector, industry or auctioned flag "
                f"(row {record.number}); the chain knows one company per name: correct the file or rename one row"
            )
        for year, tonnes in record.allocation.items():
            entry.allocation[year] = entry.allocation.get(year, 0) + tonnes  # type: ignore[index, union-attr]
        entry.rows += 1
    for cid in sorted(merged):
        if merged[cid].rows > 1:
            notes.append(f"{cid}: listed {merged[cid].rows} times in the pre-allocation; its rows were added year by year")
    return merged


def build_company_inputs(
    *,
    pre_allocation: Iterable[PreAllocation] = (),
    additional_allocation: Iterable[AdditionalAllocation] = (),
    certified_emissions: Iterable[CertifiedEmissions] = (),
    statements: Iterable[Statement] = (),
    company_data: Iterable[CompanyData] = (),
    history: str = "emissions",
) -> EngineInputs:
    """Merge imported records into engine inputs (rules in the module docstring)."""
    if history not in HISTORY_SOURCES:
        raise AllocationInputError(f"history must be one of {', '.join(HISTORY_SOURCES)}, got {history!r}")
    notes: list[str] = []
    designated = _merge_pre_allocation(pre_allocation, notes)
    supplement = {d.company_id: d for d in company_data}
    certified = list(certified_emissions)
    statement_list = list(statements)
    additional: dict[str, dict[int, int]] = {}
    for record in additional_allocation:
        years = additional.setdefault(record.company, {})
        for year, tonnes in record.allocation.items():
            years[year] = years.get(year, 0) + tonnes

    companies: dict[str, _Company] = dict(designated)
    for cid in supplement:
        companies.setdefault(cid, _Company())
    if not designated:
        for record in certified:
            companies.setdefault(record.company, _Company())
        for statement in statement_list:
            companies.setdefault(statement.company, _Company())

    emissions: dict[str, dict[int, int]] = {cid: {} for cid in companies}
    ignored: set[str] = set()
    if history == "emissions":
        for statement in statement_list:
            if statement.company in emissions:
                emissions[statement.company][statement.year] = statement.emissions_tco2eq
            else:
                ignored.add(statement.company)
        certified_seen: dict[tuple[str, int], int] = {}
        for record in certified:  # certified figures take precedence over statements
            key = (record.company, record.year)
            if certified_seen.get(key, record.tonnes) != record.tonnes:
                raise AllocationInputError(
                    f"certified emissions of {record.company!r} for {record.year} are given twice with different "
                    f"figures ({certified_seen[key]:,} t and {record.tonnes:,} t); keep one file per year"
                )
            certified_seen[key] = record.tonnes
            if record.company in emissions:
                emissions[record.company][record.year] = record.tonnes
            else:
                ignored.add(record.company)
    else:
        for cid, entry in companies.items():
            years = dict(entry.allocation or {})
            for year, tonnes in additional.get(cid, {}).items():
                years[year] = years.get(year, 0) + tonnes
            emissions[cid] = {year: tonnes for year, tonnes in years.items() if tonnes}
        ignored.update(cid for cid in additional if cid not in companies)
    if history == "emissions" and additional:
        notes.append("the additional allocation file is used only with history=pre_allocation and was not used")
    if ignored:
        notes.append(f"{len(ignored)} company(ies) in the emission or additional-allocation files are not in the "
                     f"pre-allocation list and were left out")

    classified_by: dict[str, tuple[str, str]] = {}
    for record in certified:
        classified_by.setdefault(record.company, (record.sector, record.industry))
    for statement in statement_list:
        classified_by.setdefault(statement.company, ("", statement.sector))

    assumed_free: list[str] = []
    result: list[CompanyInput] = []
    for cid in sorted(companies):
        entry, extra = companies[cid], supplement.get(cid)
        sector, industry, auctioned = entry.sector, entry.industry, entry.auctioned
        if extra is not None:
            for field, given in (("sector", extra.sector), ("industry", extra.industry), ("auctioned", extra.auctioned)):
                known = {"sector": sector, "industry": industry, "auctioned": auctioned}[field]
                if given is not None and known is not None and given != known:
                    raise AllocationInputError(
                        f"company data row {extra.row} ({cid}): {field} {given!r} differs from the pre-allocation's {known!r}"
                    )
            sector = sector if sector is not None else extra.sector
            industry = industry if industry is not None else extra.industry
            auctioned = auctioned if auctioned is not None else extra.auctioned
        fallback = classified_by.get(cid, ("", ""))
        if auctioned is None:
            assumed_free.append(cid)
        result.append(CompanyInput(
            company_id=cid,
            sector=sector if sector is not None else fallback[0],
            industry=industry if industry is not None else fallback[1],
            auctioned=bool(auctioned),
            emissions=emissions[cid],
            activity=extra.activity if extra else None,
            benchmark_intensity=extra.benchmark_intensity if extra else None,
            new_entrant=extra.new_entrant if extra else False,
        ))
    if assumed_free:
        shown = ", ".join(assumed_free[:5]) + (", …" if len(assumed_free) > 5 else "")
        notes.append(f"{len(assumed_free)} company(ies) have no auctioned flag in any file and are taken as fully free ({shown})")
    return EngineInputs(companies=tuple(result), notes=tuple(notes))
