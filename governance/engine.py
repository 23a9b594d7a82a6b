"""The allocation engine: companies + parameters → an allocation plan (integers only).

For every company the engine computes a *demand* in whole tonnes per vintage:

    GF (grandfathering)  floor(sum of its emissions in the base years it has / number of those years);
                         a company with none of the base years gets nothing and is named in the warnings
    BM (benchmark)       floor(activity × benchmark intensity [kg/unit] / 1000); a company in a BM sector
                         without benchmark data is grandfathered instead and named in the warnings

Then, per vintage, the companies of the plan share what is *available*: the cap less every reserve
(market-stabilisation, market-maker, new-entrant) for an ``initial`` plan, or the new-entrant
reserve for an ``additional`` plan. When total demand fits, each company gets its demand; when it
does not, every demand is multiplied by the same ratio available/demand and rounded to whole
tonnes by the largest-remainder method (ties: company_id order), so the plan hands out exactly
what is available. Each company's allocation is then split: for a company in the auctioned group,
floor(allocation × (10000 − share bp) / 10000) is its free allocation (its plan line) and the rest
goes to the vintage's auction pool, so the auctioned part is never below the share.

New entrants are not part of an initial plan (they are served from the new-entrant reserve by an
additional plan); an additional plan allocates to every company it is given. Hence, per vintage,
free allocation + auction pool + reserves ≤ cap always holds, and the engine checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping

from .company import CompanyInput
from .errors import AllocationInputError
from .explanation import CompanyExplanation, VintageShare
from .parameters import BP_SCALE, AllocationParameters, vintage_name
from .plan import PLAN_KINDS, AllocationPlan, PlanHeader, PlanLine, VintageTotals
from .rounding import largest_remainder

__all__ = ["compute_allocation_plan", "company_demand", "Demand", "PROGRESS_EVERY", "WARNINGS"]

PROGRESS_EVERY = 5_000  # companies between two progress reports
KG_PER_TONNE = 1_000

ProgressCallback = Callable[[int, int], None]


WARNINGS = {
    "no_history": "no emissions in any base year, so nothing allocated",
    "missing_base_years": "some base years missing, so averaged over the years the company has",
    "benchmark_fallback": "benchmark sector without activity and benchmark intensity, so grandfathered",
    "new_entrant": "new entrant, so not in an initial plan (allocate it by an additional plan from the new-entrant reserve)",
}  # warning code → text; the plan header counts companies per code, each explanation lists its own
_NAMED_IN_HEADER = 5  # company ids named per warning in the header (the header must stay small)


@dataclass(frozen=True, slots=True)
class Demand:
    """A company's demand in tonnes per vintage (before scaling) and how it was computed.

    method is "GF", "BM" or "none"; ``basis`` is one sentence for reviewers; ``warnings`` are
    codes from ``WARNINGS`` (missing data)."""

    tonnes: int
    method: str
    basis: str
    history_used: tuple[tuple[int, int], ...] = ()
    missing_base_years: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


def _years(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in years)


def _grandfathered(company: CompanyInput, base_years: tuple[int, ...]) -> Demand:
    emissions = company.emissions_by_year
    used = tuple((y, emissions[y]) for y in base_years if y in emissions)
    missing = tuple(y for y in base_years if y not in emissions)
    if not used:
        return Demand(0, "none", f"no emissions in the base years {_years(base_years)}, so nothing allocated",
                      (), missing, ("no_history",))
    total = sum(t for _, t in used)
    tonnes = total // len(used)
    basis = f"grandfathering: average of {_years(y for y, _ in used)} = {total:,} t / {len(used)} = {tonnes:,} t (rounded down)"
    if missing:
        return Demand(tonnes, "GF", f"{basis}; {_years(missing)} missing", used, missing, ("missing_base_years",))
    return Demand(tonnes, "GF", basis, used)


def company_demand(company: CompanyInput, parameters: AllocationParameters) -> Demand:
    """The tonnes per vintage a company would get before scaling, with its method and basis."""
    if parameters.method_for(company.sector, company.industry) == "BM":
        if company.activity is None or company.benchmark_intensity is None:
            fallback = _grandfathered(company, parameters.base_years)
            return replace(
                fallback,
                basis=f"benchmark sector without benchmark data; {fallback.basis}",
                warnings=("benchmark_fallback",) + fallback.warnings,
            )
        kg = company.activity * company.benchmark_intensity
        tonnes = kg // KG_PER_TONNE
        basis = (f"benchmark: {company.activity:,} units × {company.benchmark_intensity:,} kg/unit = {kg:,} kg "
                 f"= {tonnes:,} t (rounded down)")
        return Demand(tonnes, "BM", basis)
    return _grandfathered(company, parameters.base_years)


def _sorted_companies(companies: Iterable[CompanyInput]) -> list[CompanyInput]:
    records = list(companies)
    for c in records:
        if not isinstance(c, CompanyInput):
            raise AllocationInputError(f"expected CompanyInput records, got {type(c).__name__}")
    ordered = sorted(records, key=lambda c: c.company_id)
    duplicates = sorted({a.company_id for a, b in zip(ordered, ordered[1:]) if a.company_id == b.company_id})
    if duplicates:
        shown = ", ".join(repr(d) for d in duplicates[:5])
        more = f" and {len(duplicates) - 5} more" if len(duplicates) > 5 else ""
        raise AllocationInputError(
            f"{len(duplicates)} company_id(s) appear more than once: {shown}{more}; "
            "merge or rename the records so each company appears once"
        )
    return ordered


def _available(parameters: AllocationParameters, kind: str, year: int) -> int:
    reserves = parameters.reserves(year)
    if kind == "additional":
        return reserves["new_entrant"]
    return parameters.cap_of(year) - sum(reserves.values())


@dataclass(frozen=True, slots=True)
class _Entry:
    """One company in the engine: its input, demand and auctioned share (bp, 0 if not auctioned)."""

    company: CompanyInput
    demand: Demand
    share_bp: int


def _entries(ordered: list[CompanyInput], parameters: AllocationParameters, kind: str,
             progress: ProgressCallback | None) -> list[_Entry]:
    entries = []
    total = len(ordered)
    for done, company in enumerate(ordered, 1):
        if kind == "initial" and company.new_entrant:
            demand = Demand(0, "none", "new entrant: allocated from the new-entrant reserve by an additional plan",
                            warnings=("new_entrant",))
        else:
            demand = company_demand(company, parameters)
        share_bp = parameters.auction_share_for(company.sector, company.industry) if company.auctioned else 0
        entries.append(_Entry(company, demand, share_bp))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return entries


def _allocate_vintage(members: list[_Entry], available: int) -> tuple[list[int], tuple[int, int]]:
    """Each member's allocation (same order) and the scale applied: demand if it fits, else scaled."""
    demands = [e.demand.tonnes for e in members]
    total_demand = sum(demands)
    if total_demand <= available:
        return demands, (1, 1)
    return largest_remainder(demands, available, [e.company.company_id for e in members]), (available, total_demand)


def _free_part(allocated: int, share_bp: int) -> int:
    """The company's own (free) part of an allocation; the rest, never below the share, is auctioned."""
    return allocated * (BP_SCALE - share_bp) // BP_SCALE


def _header_warnings(entries: list[_Entry], scaled: list[str]) -> tuple[str, ...]:
    flagged: dict[str, list[str]] = {}
    for entry in entries:
        for code in entry.demand.warnings:
            flagged.setdefault(code, []).append(entry.company.company_id)
    out = []
    for code, text in WARNINGS.items():
        ids = flagged.get(code, [])
        if ids:
            named = ", ".join(ids[:_NAMED_IN_HEADER]) + (", …" if len(ids) > _NAMED_IN_HEADER else "")
            out.append(f"{len(ids)} {'company' if len(ids) == 1 else 'companies'}: {text} ({named})")
    return tuple(out + scaled)


def _explanation(entry: _Entry, shares: tuple[VintageShare, ...]) -> CompanyExplanation:
    company, demand = entry.company, entry.demand
    return CompanyExplanation(
        company_id=company.company_id, sector=company.sector, industry=company.industry,
        method=demand.method, basis=demand.basis, history_used=demand.history_used,
        missing_base_years=demand.missing_base_years, demand=demand.tonnes,
        auction_share_bp=entry.share_bp, shares=shares, warnings=tuple(WARNINGS[c] for c in demand.warnings),
    )


def compute_allocation_plan(
    companies: Iterable[CompanyInput],
    parameters: AllocationParameters,
    *,
    kind: str = "initial",
    inputs: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> AllocationPlan:
    """Compute an allocation plan.

    ``kind`` is "initial" (pre-allocation from the cap less reserves; new entrants left out) or
    "additional" (every company given, from the new-entrant reserve). ``inputs`` are the SHA-256
    hex digests of the input files by name (recorded in the header). ``progress(done, total)`` is
    called every ``PROGRESS_EVERY`` companies and at the end. The result does not depend on the
    order of ``companies``; a company_id appearing twice is an error.
    """
    if kind not in PLAN_KINDS:
        raise AllocationInputError(f"plan kind must be one of {', '.join(PLAN_KINDS)}, got {kind!r}")
    entries = _entries(_sorted_companies(companies), parameters, kind, progress)
    members = [e for e in entries if e.demand.tonnes]  # in company_id order
    vintages = [vintage_name(y) for y in parameters.vintages]

    shares: list[list[VintageShare]] = [[] for _ in members]
    totals: list[VintageTotals] = []
    scaled: list[str] = []
    for year, vintage in zip(parameters.vintages, vintages):
        available = _available(parameters, kind, year)
        allocated, scale = _allocate_vintage(members, available)
        free_total = handed_out = 0
        for index, (entry, amount) in enumerate(zip(members, allocated)):
            free = _free_part(amount, entry.share_bp)
            shares[index].append(VintageShare(vintage, amount, free, amount - free))
            free_total += free
            handed_out += amount
        demand = sum(e.demand.tonnes for e in members)
        if scale != (1, 1):
            scaled.append(f"{vintage}: demand of {demand:,} t exceeds the {available:,} t available, "
                          f"so every company is scaled by {available:,}/{demand:,}")
        cap, reserves = parameters.cap_of(year), sum(parameters.reserves(year).values())
        if handed_out > available or (kind == "initial" and handed_out + reserves > cap):
            raise RuntimeError(f"{vintage}: allocation {handed_out:,} t exceeds what is available ({available:,} t)")
        totals.append(VintageTotals(
            vintage=vintage, cap=cap, available=available, demand=demand, free_allocation=free_total,
            auction_pool=handed_out - free_total, unallocated=available - handed_out, scale=scale,
            companies=sum(1 for row in shares if row[-1].free),
        ))

    lines = tuple(
        PlanLine(entry.company.company_id, share.vintage, share.free)
        for entry, row in zip(members, shares) for share in row if share.free
    )
    by_id = {entry.company.company_id: tuple(row) for entry, row in zip(members, shares)}
    explanations = tuple(_explanation(e, by_id.get(e.company.company_id, ())) for e in entries)
    header = PlanHeader(
        kind=kind, parameters=parameters, inputs=tuple((inputs or {}).items()),
        totals=tuple(totals), warnings=_header_warnings(entries, scaled),
    )
    return AllocationPlan(header=header, lines=lines, explanations=explanations)
