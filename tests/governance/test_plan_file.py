"""The plan file: canonical bytes, verification on read, refusal of tampered or malformed files."""

from __future__ import annotations

import json

import pytest

from protocol.plan_format import plan_hash

from governance import AllocationPlan, PlanFileError, Reserve, compute_allocation_plan

from governance_builders import company, params

PARAMS = params({2026: 5_000, 2027: 4_000}, market_stabilisation_reserve=Reserve(tonnes=100))
COMPANIES = [company("가나(주)", {2021: 2_000, 2022: 2_100}, auctioned=True), company("B", {2023: 3_000})]


@pytest.fixture
def plan() -> AllocationPlan:
    return compute_allocation_plan(COMPANIES, PARAMS, inputs={"pre_allocation": "0" * 64})


def test_anyone_can_rehash_the_file_with_plan_format_alone(plan):
    value = json.loads(plan.to_json())
    assert plan_hash(value["header"], [tuple(l) for l in value["lines"]]) == value["plan_hash"] == plan.plan_hash


def test_file_is_canonical_json_with_a_final_newline(plan):
    data = plan.to_json()
    value = json.loads(data)
    assert data == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
    assert set(value) == {"format", "header", "lines", "plan_hash", "explanations"}
    assert value["header"]["inputs"] == {"pre_allocation": "0" * 64}


def test_explanations_are_outside_the_hash(plan):
    value = json.loads(plan.to_json())
    value["explanations"][0]["basis"] = "edited by a reviewer"
    assert AllocationPlan.from_json(json.dumps(value)).plan_hash == plan.plan_hash


def test_pretty_printed_file_still_verifies(plan):
    pretty = json.dumps(json.loads(plan.to_json()), indent=2, ensure_ascii=False)
    assert AllocationPlan.from_json(pretty) == plan


def _edited(plan, edit) -> str:
    value = json.loads(plan.to_json())
    edit(value)
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda v: v["lines"][0].__setitem__(2, v["lines"][0][2] + 1), "lines add up to"),
        (lambda v: v.__setitem__("plan_hash", "f" * 64), "plan hash mismatch"),
        (lambda v: v["header"]["warnings"].append("added later"), "plan hash mismatch"),
        (lambda v: v["header"]["inputs"].__setitem__("pre_allocation", "1" * 64), "plan hash mismatch"),
        (lambda v: v["header"]["totals"]["KAU26"].__setitem__("cap", 9_999), "cap"),
        (lambda v: v["header"]["totals"]["KAU26"].__setitem__("available", 5_000), "available"),
        (lambda v: v["header"]["parameters"]["cap"].__setitem__("2026", 4_000), "available|cap"),
        (lambda v: v["header"]["reserves"]["KAU26"].__setitem__("market_maker", 1), "not in the form"),
        (lambda v: v["header"].__setitem__("phase", 3), "not in the form"),
        (lambda v: v["lines"].reverse(), "strictly increasing"),
        (lambda v: v["lines"][0].__setitem__(1, "KAU31"), "vintage"),
        (lambda v: v.__setitem__("format", "OTHER"), "format"),
        (lambda v: v.__setitem__("extra", 1), "keys"),
        (lambda v: v["header"].__setitem__("kind", "final"), "kind"),
    ],
)
def test_tampered_files_are_refused(plan, edit, message):
    with pytest.raises(PlanFileError, match=message):
        AllocationPlan.from_json(_edited(plan, edit), source="plan.json")


@pytest.mark.parametrize(
    "text, message",
    [
        (b"\xff", "not UTF-8"),
        (b"{", "not JSON"),
        (b'{"a": 1.5}', "non-integer"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b"[]", "JSON object"),
    ],
)
def test_malformed_files_are_refused(text, message):
    with pytest.raises(PlanFileError, match=message):
        AllocationPlan.from_json(text, source="plan.json")


def test_error_names_the_file(plan):
    with pytest.raises(PlanFileError, match=r"^plan\.json: "):
        AllocationPlan.from_json(b"{", source="plan.json")


def test_header_too_large_for_the_chain_is_refused():
    many = {f"업종 {i:04d} " + "x" * 150: "GF" for i in range(500)}
    with pytest.raises(PlanFileError, match="the chain accepts at most"):
        compute_allocation_plan(COMPANIES, params({2026: 10}, methods=many))
