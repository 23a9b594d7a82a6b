"""Properties of every plan over random companies and parameters (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from governance import AllocationPlan, compute_allocation_plan, vintage_name

from governance_builders import companies, company, parameter_sets, params

KINDS = st.sampled_from(["initial", "additional"])


@settings(max_examples=60, deadline=None)
@given(companies(), parameter_sets(), KINDS)
def test_never_more_than_the_cap_and_exactly_what_is_available(records, parameters, kind):
    plan = compute_allocation_plan(records, parameters, kind=kind)
    members = [c for c in records if kind == "additional" or not c.new_entrant]
    for year in parameters.vintages:
        vintage = vintage_name(year)
        t = plan.header.totals_of(vintage)
        reserves = parameters.reserves(year)
        line_sum = sum(l.amount for l in plan.lines if l.vintage == vintage)
        assert line_sum == t.free_allocation
        assert t.free_allocation + t.auction_pool + sum(reserves.values()) <= parameters.cap_of(year)
        if kind == "additional":
            assert t.free_allocation + t.auction_pool <= reserves["new_entrant"]
        handed_out = t.free_allocation + t.auction_pool
        assert handed_out == min(t.available, t.demand)  # rounding is exact
        shares = {e.company_id: s for e in plan.explanations for s in e.shares if s.vintage == vintage}
        assert sum(s.allocated for s in shares.values()) == handed_out
        for e in plan.explanations:
            share = shares.get(e.company_id)
            if share is None:
                continue
            assert share.allocated <= e.demand  # scaling never gives more than the demand
            if t.demand:  # within one tonne of the exact proportional share
                exact_floor = e.demand * min(t.available, t.demand) // t.demand
                assert exact_floor <= share.allocated <= exact_floor + 1
            assert share.auctioned * 10_000 >= share.allocated * e.auction_share_bp  # auctioned ≥ its share
    assert all(l.amount > 0 for l in plan.lines)
    keys = [(l.company_id, l.vintage) for l in plan.lines]
    assert keys == sorted(set(keys))
    assert {l.company_id for l in plan.lines} <= {c.company_id for c in members}


@settings(max_examples=40, deadline=None)
@given(companies(), parameter_sets(), KINDS, st.randoms(use_true_random=False))
def test_same_inputs_in_any_order_give_the_same_plan(records, parameters, kind, rnd):
    first = compute_allocation_plan(records, parameters, kind=kind, inputs={"pre_allocation": "ab" * 32})
    shuffled = list(records)
    rnd.shuffle(shuffled)
    second = compute_allocation_plan(shuffled, parameters, kind=kind, inputs={"pre_allocation": "ab" * 32})
    assert second.plan_hash == first.plan_hash
    assert second.to_json() == first.to_json()


@settings(max_examples=40, deadline=None)
@given(companies(max_size=10), parameter_sets(), KINDS)
def test_plan_file_round_trips(records, parameters, kind):
    plan = compute_allocation_plan(records, parameters, kind=kind)
    data = plan.to_json()
    again = AllocationPlan.from_json(data)
    assert again == plan and again.to_json() == data
    assert AllocationPlan.from_json(plan.to_json(explanations=False)).plan_hash == plan.plan_hash


def test_a_random_order_of_a_larger_set_gives_the_same_hash():
    rng = random.Random(7)
    records = [company(f"회사{i:04d}", {2021: rng.randrange(10**6), 2023: rng.randrange(10**6)}, auctioned=i % 3 == 0)
               for i in range(2_000)]
    p = params({2026: 300_000_000, 2027: 290_000_000})
    base = compute_allocation_plan(records, p)
    rng.shuffle(records)
    assert compute_allocation_plan(records, p).to_json() == base.to_json()
    assert sum(l.amount for l in base.lines if l.vintage == "KAU27") + base.header.totals_of("KAU27").auction_pool == 290_000_000
