"""The engine's input record for one company (업체), validated on construction.

A ``CompanyInput`` carries only what allocation needs: the company's identity and
classification from the ETRS lists, whether it is in the auctioned-share group (유상여부),
its verified historical emissions by year for grandfathering, and, for benchmark
sectors, its activity level and benchmark intensity. Importers of public data build these
through ``governance.inputs``; tests and demo generators build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from protocol.plan_format import MAX_COMPANY_ID_CHARS, MAX_LINE_AMOUNT

from .errors import AllocationInputError

__all__ = ["CompanyInput", "MIN_YEAR", "MAX_YEAR", "MAX_BENCHMARK_KG"]

MIN_YEAR = 1990
MAX_YEAR = 2099
MAX_BENCHMARK_KG = MAX_LINE_AMOUNT * 1000  # activity × intensity must stay within one plan line


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(owner: str, field: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_COMPANY_ID_CHARS or (value and not value.isprintable()):
        raise AllocationInputError(f"{owner}: {field} must be printable text of at most {MAX_COMPANY_ID_CHARS} characters, got {value!r}")
    return value


def _emissions(owner: str, value: Mapping[int, int] | Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    pairs = list(value.items()) if isinstance(value, Mapping) else [tuple(p) for p in value]
    seen: set[int] = set()
    for pair in pairs:
        if len(pair) != 2:
            raise AllocationInputError(f"{owner}: emissions must be (year, tonnes) pairs, got {pair!r}")
        year, tonnes = pair
        if not _is_int(year) or not MIN_YEAR <= year <= MAX_YEAR:
            raise AllocationInputError(f"{owner}: emission year {year!r} must be a year from {MIN_YEAR} to {MAX_YEAR}")
        if not _is_int(tonnes) or not 0 <= tonnes <= MAX_LINE_AMOUNT:
            raise AllocationInputError(
                f"{owner}: emissions of {year} must be whole tonnes from 0 to {MAX_LINE_AMOUNT:,}, got {tonnes!r}"
            )
        if year in seen:
            raise AllocationInputError(f"{owner}: emissions of {year} are given twice")
        seen.add(year)
    return tuple(sorted(pairs))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class CompanyInput:
    """One company as the allocation engine sees it.

    company_id           the company's name as normalised by ``datasets.company_id`` (plan lines use it)
    sector               부문 (e.g. 전환, 산업); parameters choose the method and auctioned share by it
    industry             업종 (e.g. 전기업); looked up before ``sector`` when choosing method and share
                         (either may be "": some published rows have none)
    auctioned            True when the company is in the auctioned-share group (유상여부 = Y)
    emissions            historical emissions in whole tCO2-eq by year; a mapping or (year, tonnes) pairs,
                         stored as sorted pairs
    activity             benchmark activity level in the sector's unit (e.g. MWh, t clinker), or None
    benchmark_intensity  benchmark intensity in kg CO2-eq per unit of activity, or None (give both or neither)
    new_entrant          True for a company that enters during the phase (신규진입자): it is allocated from
                         the new-entrant reserve by an "additional" plan, not by the initial plan
    """

    company_id: str
    sector: str
    industry: str
    auctioned: bool
    emissions: tuple[tuple[int, int], ...] = ()
    activity: int | None = None
    benchmark_intensity: int | None = None
    new_entrant: bool = False

    def __post_init__(self) -> None:
        cid = self.company_id
        if not isinstance(cid, str) or not cid.strip() or len(cid) > MAX_COMPANY_ID_CHARS or not cid.isprintable():
            raise AllocationInputError(
                f"company_id {cid!r} must be printable text of 1 to {MAX_COMPANY_ID_CHARS} characters"
            )
        owner = f"company {cid!r}"
        _text(owner, "sector", self.sector)
        _text(owner, "industry", self.industry)
        for field in ("auctioned", "new_entrant"):
            if not isinstance(getattr(self, field), bool):
                raise AllocationInputError(f"{owner}: {field} must be True or False, got {getattr(self, field)!r}")
        object.__setattr__(self, "emissions", _emissions(owner, self.emissions))
        activity, intensity = self.activity, self.benchmark_intensity
        if (activity is None) != (intensity is None):
            raise AllocationInputError(f"{owner}: give both activity and benchmark_intensity, or neither")
        if activity is not None:
            for field, value in (("activity", activity), ("benchmark_intensity", intensity)):
                if not _is_int(value) or value < 0:
                    raise AllocationInputError(f"{owner}: {field} must be a whole number ≥ 0, got {value!r}")
            if activity * intensity > MAX_BENCHMARK_KG:  # type: ignore[operator]
                raise AllocationInputError(
                    f"{owner}: activity × benchmark_intensity is {activity * intensity:,} kg, "  # type: ignore[operator]
                    f"above the {MAX_LINE_AMOUNT:,} t a plan line can hold: check the units (intensity is kg per unit)"
                )

    @property
    def emissions_by_year(self) -> dict[int, int]:
        """The historical emissions as a {year: tonnes} dict (a fresh copy)."""
        return dict(self.emissions)

    @property
    def has_benchmark_data(self) -> bool:
        return self.activity is not None
