"""Engine inputs keyed by id: the generic long format and EU-style compliance tables.

Where companies or installations are known by an id — names repeat, or are blank (the EU
Transaction Log lists 17,644 installations, many without a name) — the plan's company id is the
entity's id, and names are kept for people only. Rules:

* One ``CompanyInput`` per id, sorted by id. Its history is the emissions of every year the rows
  give (blank = unknown, left out); EU tables give the *verified* emissions.
* Names are for people: the first one an id's rows state is kept (EU names change over the years).
* Per-id facts (sector, industry, auctioned, activity, benchmark intensity, new entrant) may be
  given on one row or on all; rows of one id that state different values are an error naming
  both rows. A fact never stated is "" (sector, industry), fully free (auctioned, noted), not a
  new entrant.
* EU tables: the sector is the installation's activity code of its latest year (the EUTL renumbered
  activities between trading periods, so codes may change over the years); the auctioned flag is not in the
  table (every installation is taken as fully free, noted); the published free allocation is
  not an input of the engine (the engine computes its own).
* Notes count the ids without a name and the names shared by several ids, which stay separate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from datasets.eutl import InstallationYear
from datasets.long_format import EntityYear

from .company import CompanyInput
from .errors import AllocationInputError
from .inputs import EngineInputs

__all__ = ["entity_inputs", "installation_inputs"]

_FACTS = ("sector", "industry", "auctioned", "activity", "benchmark_intensity", "new_entrant")


@dataclass(slots=True)
class _Entity:
    facts: dict[str, tuple[object, int]] = field(default_factory=dict)  # fact → (value, row it came from)
    emissions: dict[int, int] = field(default_factory=dict)


def _blank(value: object) -> bool:
    return value is None or value == ""


def _merge(entity: _Entity, record: EntityYear, what: str) -> None:
    if record.name and "name" not in entity.facts:  # names are for people: the first one stated is kept
        entity.facts["name"] = (record.name, record.row)
    for fact in _FACTS:
        value = getattr(record, fact)
        if not _blank(value):
            _agree(entity, fact, value, record.entity_id, record.row, what)
    if record.emissions is not None:
        entity.emissions[record.year] = record.emissions


def _agree(entity: _Entity, fact: str, value: object, eid: str, row: int, what: str) -> None:
    known = entity.facts.setdefault(fact, (value, row))
    if known[0] != value:
        raise AllocationInputError(
            f"{what} row {row}: id {eid!r} has {fact} {value!r}, but row {known[1]} gives {known[0]!r}; the rows of "
            "one id must agree (correct one of them)"
        )


def entity_inputs(records: Iterable[EntityYear], *, what: str = "long-format file") -> EngineInputs:
    """One engine input per id of the long format (rules in the module docstring)."""
    entities: dict[str, _Entity] = {}
    for record in records:
        _merge(entities.setdefault(record.entity_id, _Entity()), record, what)
    return _inputs(entities)


def installation_inputs(records: Iterable[InstallationYear]) -> EngineInputs:
    """One engine input per installation of an EU-style compliance table (verified emissions as history)."""
    entities: dict[str, _Entity] = {}
    for record in records:
        entity = entities.setdefault(record.installation_id, _Entity())
        if record.name and "name" not in entity.facts:
            entity.facts["name"] = (record.name, 0)
        if record.activity and record.year >= entity.facts.get("sector", ("", -1))[1]:  # the latest year's code
            entity.facts["sector"] = (record.activity, record.year)
        if record.verified is not None:
            entity.emissions[record.year] = record.verified
    return _inputs(entities)


def _inputs(entities: dict[str, _Entity]) -> EngineInputs:
    result: list[CompanyInput] = []
    unnamed, free = 0, 0
    names: dict[str, int] = {}
    for eid in sorted(entities):
        entity = entities[eid]
        fact = {k: v for k, (v, _) in entity.facts.items()}
        if "name" in fact:
            names[fact["name"]] = names.get(fact["name"], 0) + 1  # type: ignore[index]
        else:
            unnamed += 1
        free += "auctioned" not in fact
        result.append(CompanyInput(
            company_id=eid,
            sector=fact.get("sector", ""),  # type: ignore[arg-type]
            industry=fact.get("industry", ""),  # type: ignore[arg-type]
            auctioned=bool(fact.get("auctioned", False)),
            emissions=entity.emissions,
            activity=fact.get("activity"),  # type: ignore[arg-type]
            benchmark_intensity=fact.get("benchmark_intensity"),  # type: ignore[arg-type]
            new_entrant=bool(fact.get("new_entrant", False)),
        ))
    notes = []
    shared = sum(1 for n in names.values() if n > 1)
    if unnamed or shared:
        notes.append(f"{unnamed:,} id(s) have no name and {shared:,} name(s) are shared by several ids; the plan is by "
                     "id, so they stay separate")
    if free:
        notes.append(f"{free:,} id(s) have no auctioned flag and are taken as fully free")
    return EngineInputs(companies=tuple(result), notes=tuple(notes))
