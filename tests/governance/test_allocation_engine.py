"""The allocation engine on worked examples whose numbers were computed by hand."""

from __future__ import annotations

import pytest

from governance import (
    AllocationInputError,
    CompanyInput,
    Reserve,
    company_demand,
    compute_allocation_plan,
)

from governance_builders import company, params


def _lines(plan) -> dict[tuple[str, str], int]:
    return {(l.company_id, l.vintage): l.amount for l in plan.lines}


GF_COMPANIES = [
    company("A", {2021: 1_000, 2022: 1_100, 2023: 1_300}),  # (1,000 + 1,100 + 1,300) / 3 = 1,133.33 → 1,133
    company("B", {2021: 500, 2023: 700, 2024: 9_999}),  # 2022 missing: (500 + 700) / 2 = 600; 2024 is no base year
    company("C", {2019: 4_000}),  # no base year at all: nothing
]


def test_grandfathering_when_demand_fits():
    plan = compute_allocation_plan(GF_COMPANIES, params({2026: 10_000}))
    assert _lines(plan) == {("A", "KAU26"): 1_133, ("B", "KAU26"): 600}
    t = plan.header.totals_of("KAU26")
    assert (t.demand, t.free_allocation, t.auction_pool, t.unallocated, t.scale) == (1_733, 1_733, 0, 8_267, (1, 1))
    explained = {e.company_id: e for e in plan.explanations}
    assert explained["A"].history_used == ((2021, 1_000), (2022, 1_100), (2023, 1_300))
    assert explained["B"].missing_base_years == (2022,) and explained["B"].demand == 600
    assert explained["C"].method == "none" and explained["C"].shares == ()
    assert plan.header.warnings == (
        "1 company: no emissions in any base year, so nothing allocated (C)",
        "1 company: some base years missing, so averaged over the years the company has (B)",
    )


def test_grandfathering_scaled_to_the_cap_with_largest_remainder():
    # available 1,000 < demand 1,733: A 1,133 × 1,000 / 1,733 = 653.78, B 600 × 1,000 / 1,733 = 346.22
    # floors 653 + 346 = 999; the last tonne goes to A (larger remainder)
    plan = compute_allocation_plan(GF_COMPANIES, params({2026: 1_000, 2027: 1_733}))
    assert _lines(plan) == {("A", "KAU26"): 654, ("B", "KAU26"): 346, ("A", "KAU27"): 1_133, ("B", "KAU27"): 600}
    assert plan.header.totals_of("KAU26").scale == (1_000, 1_733)
    assert plan.header.totals_of("KAU27").scale == (1, 1)
    assert any("KAU26: demand of 1,733 t exceeds the 1,000 t available" in w for w in plan.header.warnings)


def test_tie_break_is_by_company_id():
    # three equal demands of 10 t share 20 t: 6.67 each → 6 + 6 + 6 = 18, two tonnes to the smallest ids
    plan = compute_allocation_plan([company(c, {2021: 10}) for c in ("가", "B", "A")], params({2026: 20}))
    assert _lines(plan) == {("A", "KAU26"): 7, ("B", "KAU26"): 7, ("가", "KAU26"): 6}


def test_benchmark_worked_example():
    p = params({2026: 10**8}, methods={"시멘트 제조업": "BM"})
    cement = company("시멘트", {2021: 5}, industry="시멘트 제조업", activity=1_250_000, benchmark_intensity=812)
    small = company("소형", industry="시멘트 제조업", activity=333, benchmark_intensity=1_001)
    assert company_demand(cement, p).tonnes == 1_015_000  # 1,250,000 t clinker × 812 kg/t = 1,015,000,000 kg
    assert company_demand(small, p).tonnes == 333  # 333,333 kg → 333 t (rounded down)
    assert company_demand(cement, p).method == "BM"
    plan = compute_allocation_plan([cement, small], p)
    assert _lines(plan) == {("시멘트", "KAU26"): 1_015_000, ("소형", "KAU26"): 333}


def test_benchmark_sector_without_data_is_grandfathered_and_warned():
    p = params({2026: 10**6}, methods={"산업": "BM"})
    plan = compute_allocation_plan([company("X", {2021: 90, 2022: 91, 2023: 92})], p)
    assert _lines(plan) == {("X", "KAU26"): 91}
    e = plan.explanations[0]
    assert e.method == "GF" and "without benchmark data" in e.basis
    assert plan.header.warnings == ("1 company: benchmark sector without activity and benchmark intensity, so grandfathered (X)",)


def test_a_gf_sector_ignores_benchmark_data():
    c = company("X", {2021: 50}, activity=10, benchmark_intensity=10_000)  # would be 100 t by benchmark
    assert company_demand(c, params({2026: 10**6})).tonnes == 50


def test_auctioned_share_goes_to_the_auction_pool():
    p = params({2026: 10**6}, auction_share_bp=1000, auction_share_bp_by_sector={"전기업": 5000})
    plan = compute_allocation_plan([
        company("A", {2021: 1_133}, auctioned=True),  # free = floor(1,133 × 0.9) = 1,019; auction 114 (≥ 10 %)
        company("P", {2021: 1_001}, auctioned=True, sector="전환", industry="전기업"),  # free 500, auction 501
        company("T", {2021: 800}, auctioned=False),  # trade-exposed: all free
    ], p)
    assert _lines(plan) == {("A", "KAU26"): 1_019, ("P", "KAU26"): 500, ("T", "KAU26"): 800}
    t = plan.header.totals_of("KAU26")
    assert t.auction_pool == 114 + 501 and t.free_allocation == 2_319
    shares = {e.company_id: e.shares[0] for e in plan.explanations}
    assert (shares["A"].free, shares["A"].auctioned) == (1_019, 114)
    assert {e.company_id: e.auction_share_bp for e in plan.explanations} == {"A": 1000, "P": 5000, "T": 0}


def test_fully_auctioned_company_has_no_line():
    p = params({2026: 10**6}, auction_share_bp=10_000)
    plan = compute_allocation_plan([company("A", {2021: 70}, auctioned=True)], p)
    assert plan.lines == () and plan.header.totals_of("KAU26").auction_pool == 70


def test_reserves_are_held_back_before_allocation():
    p = params({2026: 100_000}, market_stabilisation_reserve=Reserve(tonnes=10_000),
               market_maker_reserve=Reserve(bp_of_cap=500), new_entrant_reserve=Reserve(tonnes=2_000))
    plan = compute_allocation_plan([company("A", {2021: 60_000}), company("B", {2021: 40_000})], p)
    # available = 100,000 − 10,000 − 5,000 − 2,000 = 83,000; A 60 % = 49,800, B 40 % = 33,200
    assert _lines(plan) == {("A", "KAU26"): 49_800, ("B", "KAU26"): 33_200}
    assert plan.header.reserves("KAU26") == {"market_stabilisation": 10_000, "market_maker": 5_000, "new_entrant": 2_000}
    assert plan.header.totals_of("KAU26").available == 83_000


def test_new_entrants_come_from_the_new_entrant_reserve_in_an_additional_plan():
    p = params({2026: 100_000}, new_entrant_reserve=Reserve(tonnes=2_000))
    companies = [company("N", {2021: 3_000}, new_entrant=True), company("E", {2021: 1_000})]
    initial = compute_allocation_plan(companies, p)
    assert _lines(initial) == {("E", "KAU26"): 1_000}
    assert any("new entrant" in w and "(N)" in w for w in initial.header.warnings)
    additional = compute_allocation_plan(companies, p, kind="additional")
    # the additional plan shares the 2,000 t reserve: 3,000 : 1,000 → 1,500 and 500
    assert _lines(additional) == {("E", "KAU26"): 500, ("N", "KAU26"): 1_500}
    assert additional.header.kind == "additional" and additional.header.totals_of("KAU26").available == 2_000


def test_zero_cap_allocates_nothing():
    plan = compute_allocation_plan([company("A", {2021: 10})], params({2026: 0}))
    assert plan.lines == () and plan.header.totals_of("KAU26").scale == (0, 10)


def test_no_companies_gives_an_empty_plan():
    plan = compute_allocation_plan([], params({2026: 10}))
    assert plan.lines == () and plan.header.totals_of("KAU26").unallocated == 10


def test_duplicate_company_ids_are_refused():
    with pytest.raises(AllocationInputError, match="appear more than once: 'A'"):
        compute_allocation_plan([company("A", {2021: 1}), company("A", {2022: 1})], params({2026: 10}))


def test_unknown_plan_kind_is_refused():
    with pytest.raises(AllocationInputError, match="plan kind"):
        compute_allocation_plan([], params({2026: 10}), kind="final")


def test_progress_is_reported_every_5000_companies():
    calls = []
    companies = [company(f"c{i:05d}", {2021: 1}) for i in range(12_000)]
    compute_allocation_plan(companies, params({2026: 10**6}), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(5_000, 12_000), (10_000, 12_000), (12_000, 12_000)]


def test_header_names_at_most_five_companies_per_warning():
    companies = [company(f"c{i}", {2000: 1}) for i in range(8)]
    plan = compute_allocation_plan(companies, params({2026: 10}))
    assert plan.header.warnings == ("8 companies: no emissions in any base year, so nothing allocated (c0, c1, c2, c3, c4, …)",)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"company_id": ""}, "company_id"),
        ({"company_id": "a\tb"}, "company_id"),
        ({"emissions": {2021: -1}}, "emissions of 2021"),
        ({"emissions": {2021: 1.5}}, "emissions of 2021"),
        ({"emissions": {1800: 1}}, "year"),
        ({"emissions": [(2021, 1), (2021, 2)]}, "given twice"),
        ({"activity": 5}, "both"),
        ({"activity": -1, "benchmark_intensity": 1}, "activity"),
        ({"activity": 10**12, "benchmark_intensity": 10**4}, "units"),
        ({"auctioned": "Y"}, "auctioned"),
    ],
)
def test_invalid_company_inputs(fields, message):
    base = {"company_id": "A", "sector": "산업", "industry": "", "auctioned": False}
    with pytest.raises(AllocationInputError, match=message):
        CompanyInput(**{**base, **fields})


def test_pinned_plan_hash():
    # Same inputs → same plan hash, across versions too: a change here changes every plan's identity,
    # so it must be deliberate (a new header format), never a side effect.
    records = [company("가나(주)", {2021: 2_000, 2022: 2_101}, auctioned=True), company("B", {2023: 3_000}),
               company("C", {2019: 1})]
    p = params({2026: 5_000, 2027: 4_000}, market_stabilisation_reserve=Reserve(tonnes=100))
    plan = compute_allocation_plan(records, p, inputs={"pre_allocation": "0" * 64})
    assert plan.plan_hash == "c5de8ebe1b3597f6ac0e3722cd90213bf5a02397582a8ab66d2cf3a6ae4945c1"
