"""Engine time for 20,000 synthetic companies (printed for the record, not asserted)."""

from __future__ import annotations

import random
import time

from governance import compute_allocation_plan

from governance_builders import company, params


def test_twenty_thousand_companies(capsys):
    rng = random.Random(20_000)
    records = [
        company(f"(주)합성{i:05d}", {y: rng.randrange(1, 3_000_000) for y in (2021, 2022, 2023) if rng.randrange(10)},
                auctioned=rng.randrange(3) == 0)
        for i in range(20_000)
    ]
    p = params({y: 8_000_000_000 for y in range(2026, 2031)})
    started = time.perf_counter()
    plan = compute_allocation_plan(records, p)
    engine = time.perf_counter() - started
    started = time.perf_counter()
    data = plan.to_json()
    write = time.perf_counter() - started
    for t in plan.header.totals:
        assert t.free_allocation + t.auction_pool == min(t.available, t.demand)
    with capsys.disabled():
        print(f"\n[governance] 20,000 companies, {len(plan.lines):,} lines: engine {engine:.2f} s, "
              f"plan file {len(data) / 1e6:.1f} MB in {write:.2f} s")
