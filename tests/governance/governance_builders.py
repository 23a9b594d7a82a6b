"""Builders shared by the governance tests: small parameter sets, companies and hypothesis strategies."""

from __future__ import annotations

from hypothesis import strategies as st

from governance import AllocationParameters, CompanyInput, Reserve

NO_RESERVES = {
    "market_stabilisation_reserve": Reserve(),
    "market_maker_reserve": Reserve(),
    "new_entrant_reserve": Reserve(),
}


def params(caps: dict[int, int], base_years=(2021, 2022, 2023), **overrides) -> AllocationParameters:
    """Parameters for the given {year: cap}, without reserves unless overridden."""
    fields = {"cap": caps, "base_years": base_years, "vintages": tuple(caps), **NO_RESERVES}
    fields.update(overrides)
    return AllocationParameters(**fields)


def company(cid: str, emissions: dict[int, int] | None = None, *, sector="산업", industry="기초 화학물질 제조업",
            auctioned=False, **fields) -> CompanyInput:
    return CompanyInput(cid, sector, industry, auctioned, emissions or {}, **fields)


_NAME_CHARS = st.sampled_from(list("가나다라(주)AB 12삼성㈜"))
company_ids = st.text(_NAME_CHARS, min_size=1, max_size=8).map(lambda s: " ".join(s.split()) or "x")


@st.composite
def companies(draw, max_size: int = 25) -> list[CompanyInput]:
    ids = draw(st.lists(company_ids, min_size=0, max_size=max_size, unique=True))
    out = []
    for cid in ids:
        history = draw(st.dictionaries(st.integers(2019, 2024), st.integers(0, 5_000_000), max_size=4))
        benchmark = draw(st.none() | st.tuples(st.integers(0, 10**6), st.integers(0, 5_000)))
        out.append(CompanyInput(
            cid,
            draw(st.sampled_from(["전환", "산업", "폐기물"])),
            draw(st.sampled_from(["전기업", "1차 철강 제조업", ""])),
            draw(st.booleans()),
            history,
            activity=benchmark[0] if benchmark else None,
            benchmark_intensity=benchmark[1] if benchmark else None,
            new_entrant=draw(st.booleans()) if draw(st.integers(0, 9)) == 0 else False,
        ))
    return out


@st.composite
def parameter_sets(draw) -> AllocationParameters:
    years = draw(st.lists(st.integers(2026, 2030), min_size=1, max_size=3, unique=True))
    caps = {y: draw(st.integers(0, 40_000_000)) for y in years}
    reserves = {}
    for name in ("market_stabilisation_reserve", "market_maker_reserve", "new_entrant_reserve"):
        if draw(st.booleans()):
            reserves[name] = Reserve(bp_of_cap=draw(st.integers(0, 3000)))
        else:
            reserves[name] = Reserve(tonnes=draw(st.integers(0, min(caps.values()) // 4)))
    return AllocationParameters(
        cap=caps,
        vintages=tuple(years),
        base_years=tuple(draw(st.lists(st.integers(2019, 2024), min_size=1, max_size=3, unique=True))),
        methods=draw(st.sampled_from([{}, {"1차 철강 제조업": "BM"}, {"전환": "BM"}])),
        auction_share_bp=draw(st.integers(0, 10_000)),
        auction_share_bp_by_sector=draw(st.sampled_from([{}, {"전기업": 5000}])),
        **reserves,
    )
