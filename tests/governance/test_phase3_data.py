"""The engine on the real ETRS Phase 3 pre-allocation list (781 rows) from ../shared/datasets."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from governance import AllocationPlan, compute_allocation_plan
from governance.inputs import build_company_inputs

from governance_builders import params

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
PRE_ALLOCATION = DATASETS / "kets" / "phase3_pre_allocation_2021_2025.csv"
TOTAL_CAP = DATASETS / "kets" / "phase3_total_cap.csv"

pytestmark = pytest.mark.skipif(
    not PRE_ALLOCATION.exists() or not TOTAL_CAP.exists(),
    reason=f"the real ETRS files are not in {DATASETS} (the shared datasets folder beside the repository)",
)


@pytest.fixture(scope="module")
def phase3():
    import datasets

    records = datasets.read_pre_allocation(PRE_ALLOCATION, unique=False)
    merged = build_company_inputs(pre_allocation=records, history="pre_allocation")
    return records, merged, datasets.read_total_cap(TOTAL_CAP)


def test_the_file_has_781_rows_for_780_companies(phase3):
    records, merged, _ = phase3
    assert len(records) == 781
    assert len(merged.companies) == 780  # 경원여객자동차(주) is listed twice; one company id
    assert sum(c.auctioned for c in merged.companies) == 267


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_a_plan_with_the_published_totals_reproduces_the_published_allocation(phase3, year):
    records, merged, _ = phase3
    published: dict[str, int] = {}
    for r in records:
        published[r.company] = published.get(r.company, 0) + r.allocation[year]
    cap = sum(published.values())
    plan = compute_allocation_plan(merged.companies, params({year: cap}, base_years=(year,), auction_share_bp=0))
    assert {l.company_id: l.amount for l in plan.lines} == {c: t for c, t in published.items() if t}
    assert plan.header.totals_of(f"KAU{year % 100}").unallocated == 0


def test_phase3_caps_are_respected_and_every_tonne_is_placed(phase3):
    _, merged, cap = phase3
    p = params(dict(cap.by_year), base_years=(2021, 2022, 2023), auction_share_bp=1000)
    plan = compute_allocation_plan(merged.companies, p, inputs={"pre_allocation": "0" * 64})
    for year, tonnes in cap.by_year.items():
        t = plan.header.totals_of(f"KAU{year % 100}")
        assert t.free_allocation + t.auction_pool == min(tonnes, t.demand) <= tonnes
    # the 2021-2023 average exceeds every Phase 3 yearly cap but 2024's, so those vintages are scaled
    assert [t.scale != (1, 1) for t in plan.header.totals] == [True, True, True, False, True]
    assert plan.header.totals_of("KAU21").auction_pool > 0
    shuffled = list(merged.companies)
    random.Random(3).shuffle(shuffled)
    again = compute_allocation_plan(shuffled, p, inputs={"pre_allocation": "0" * 64})
    assert again.to_json() == plan.to_json()
    assert AllocationPlan.from_json(plan.to_json()).plan_hash == plan.plan_hash
