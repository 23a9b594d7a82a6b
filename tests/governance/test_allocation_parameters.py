"""Allocation parameters: DOMAIN.md defaults, validation messages, TOML and header round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance import AllocationParameters, ParametersError, Reserve, load_parameters, vintage_name
from governance.parameters import PHASE4_MSR_PER_VINTAGE

EXAMPLE = Path(__file__).resolve().parents[2] / "governance" / "params.example.toml"
CAPS = {y: 100_000_000 for y in range(2026, 2031)}


def test_defaults_come_from_the_domain():
    p = AllocationParameters(cap=CAPS, base_years=(2021, 2022, 2023))
    assert p.phase == 4
    assert p.vintages == (2026, 2027, 2028, 2029, 2030)
    assert p.default_method == "GF"
    assert p.auction_share_bp == 1000
    assert p.market_stabilisation_reserve == Reserve(tonnes=17_056_000)
    assert PHASE4_MSR_PER_VINTAGE * 5 == 85_280_000
    assert p.market_maker_reserve == Reserve() and p.new_entrant_reserve == Reserve()
    assert p.reserves(2026) == {"market_stabilisation": 17_056_000, "market_maker": 0, "new_entrant": 0}


def test_mappings_are_normalised_and_looked_up_industry_first():
    p = AllocationParameters(
        cap={2027: 10, 2026: 20}, vintages=(2027, 2026), base_years=(2023, 2021),
        market_stabilisation_reserve=Reserve(),
        methods={"산업": "BM", "전기업": "GF"}, auction_share_bp_by_sector={"전환": 3000, "전기업": 5000},
    )
    assert p.vintages == (2026, 2027) and p.base_years == (2021, 2023)
    assert p.cap == ((2026, 20), (2027, 10))
    assert p.method_for("산업", "전기업") == "GF"  # industry wins over sector
    assert p.method_for("산업", "기타") == "BM"
    assert p.method_for("전환", "") == "GF"  # default
    assert p.auction_share_for("전환", "전기업") == 5000
    assert p.auction_share_for("전환", "기타") == 3000
    assert p.auction_share_for("산업", "기타") == 1000


def test_reserve_amounts():
    assert Reserve(tonnes=7).amount(1000) == 7
    assert Reserve(bp_of_cap=250).amount(1999) == 49  # 2.5 % of 1,999 = 49.975, rounded down
    with pytest.raises(ParametersError, match="not both"):
        Reserve(tonnes=1, bp_of_cap=1)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"cap": {2026: 10}}, "missing"),
        ({"cap": {**CAPS, 2031: 5}}, "not a vintage"),
        ({"cap": {**CAPS, 2026: -1}}, "cap for 2026"),
        ({"cap": {**CAPS, 2026: 10**15 + 1}}, "cap for 2026"),
        ({"base_years": ()}, "base_years"),
        ({"base_years": (2021, 2021)}, "base_years"),
        ({"vintages": (2026, 2026), "cap": {2026: 10**9}}, "distinct"),
        ({"vintages": (2100,), "cap": {2100: 10**9}}, "vintage"),
        ({"default_method": "XX"}, "default_method"),
        ({"methods": {"전환": "auction"}}, "methods"),
        ({"methods": {"": "BM"}}, "sector key"),
        ({"auction_share_bp": 10_001}, "auction_share_bp"),
        ({"auction_share_bp": 0.1}, "basis points"),
        ({"auction_share_bp_by_sector": {"전기업": -1}}, "전기업"),
        ({"phase": 0}, "phase"),
        ({"market_maker_reserve": Reserve(tonnes=90_000_000)}, "exceed its cap"),
    ],
)
def test_invalid_parameters_say_what_is_wrong(overrides, message):
    fields = {"cap": CAPS, "base_years": (2021, 2022, 2023), **overrides}
    with pytest.raises(ParametersError, match=message):
        AllocationParameters(**fields)


def test_example_file_loads_and_round_trips():
    p = load_parameters(EXAMPLE)
    assert p.vintages == (2026, 2027, 2028, 2029, 2030)
    assert p.cap_of(2026) == 549_472_616
    assert p.reserves(2026)["new_entrant"] == 549_472_616 * 300 // 10_000
    assert AllocationParameters.from_dict(p.to_dict()) == p


def test_toml_errors_name_the_file(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text("base_years = [2021]\n[cap]\n2026 = 1.5\n")
    with pytest.raises(ParametersError, match=r"p\.toml.*vintage|p\.toml.*cap"):
        load_parameters(bad)
    bad.write_text("vintages = [2026]\nbase_years = [2021]\nauction_share_bp = 10.5\n[cap]\n2026 = 100000000\n")
    with pytest.raises(ParametersError, match=r"p\.toml: auction_share_bp .*basis points"):
        load_parameters(bad)
    bad.write_text("vintages = [2026]\nbase_years = [2021]\nunknown = 1\n[cap]\n2026 = 1\n")
    with pytest.raises(ParametersError, match="unknown key"):
        load_parameters(bad)
    bad.write_text("vintages = [2026]\n[cap]\n2026 = 1\n")
    with pytest.raises(ParametersError, match="base_years.*required"):
        load_parameters(bad)
    bad.write_text("vintages = [2026\n")
    with pytest.raises(ParametersError, match="not valid TOML"):
        load_parameters(bad)
    with pytest.raises(ParametersError, match="not found"):
        load_parameters(tmp_path / "absent.toml")


def test_vintage_names():
    assert vintage_name(2026) == "KAU26"
    assert vintage_name(2000) == "KAU00"
    with pytest.raises(ParametersError):
        vintage_name(1999)
