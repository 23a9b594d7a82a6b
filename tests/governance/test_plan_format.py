"""The plan hash format the chain recomputes: known answer, slicing, line validation, ordering."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.plan_format import (
    finish_plan_hash,
    fold_lines,
    header_hash,
    line_bytes,
    LINES_SEED,
    plan_hash,
    PlanFormatError,
    validate_line,
)

HEADER = {"kind": "initial", "phase": 4, "vintages": ["KAU26", "KAU27"], "totals": {"KAU26": {"cap": 10}}}
LINES = [("(주)가나", "KAU26", 5), ("(주)가나", "KAU27", 4), ("삼성전자 주식회사", "KAU26", 1_000_000)]


def _independent_plan_hash(header: dict, lines: list) -> str:
    """The specification written out once more, byte by byte, without the module under test."""
    acc = hashlib.sha256(b"ETS-PLAN-LINES-V1").digest()
    for cid, vintage, amount in lines:
        acc = hashlib.sha256(acc + json.dumps([cid, vintage, amount], ensure_ascii=False, separators=(",", ":")).encode()).digest()
    head = hashlib.sha256(json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).digest()
    return hashlib.sha256(b"ETS-PLAN-V1\x00" + head + acc + len(lines).to_bytes(8, "big")).hexdigest()


def test_plan_hash_matches_the_specification():
    assert plan_hash(HEADER, LINES) == _independent_plan_hash(HEADER, LINES)
    assert LINES_SEED == hashlib.sha256(b"ETS-PLAN-LINES-V1").digest()
    assert line_bytes("(주)가나", "KAU26", 5) == '["(주)가나","KAU26",5]'.encode()


def test_pinned_values():
    # A change to the format changes these values, and the chain would stop agreeing with the engine.
    assert plan_hash(HEADER, LINES) == "a5bab0738128955e4629b801ea8f7cf4ec0cd8f9d70eac3cbe85009f35bf8a69"
    assert plan_hash({}, []) == "29a5f1334322f614d954a57e61847774b2ba7ba16736aef1ae819e8ab2c72a58"
    assert plan_hash(dict(reversed(HEADER.items())), LINES) == plan_hash(HEADER, LINES)  # key order is irrelevant


def test_every_part_of_the_plan_changes_the_hash():
    base = plan_hash(HEADER, LINES)
    assert plan_hash({**HEADER, "phase": 5}, LINES) != base
    assert plan_hash(HEADER, LINES[:-1]) != base
    assert plan_hash(HEADER, [*LINES[:-1], ("삼성전자 주식회사", "KAU26", 1_000_001)]) != base


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.text("abc가나 ", min_size=1, max_size=5).filter(str.strip), st.integers(20, 30), st.integers(1, 10**12)),
             max_size=30, unique_by=lambda t: (t[0], t[1])),
    st.lists(st.integers(0, 30), max_size=5),
)
def test_folding_in_slices_gives_the_same_accumulator(raw, cuts):
    lines = sorted((cid, f"KAU{year}", amount) for cid, year, amount in raw)
    whole = fold_lines(LINES_SEED, lines)
    acc, start, last = LINES_SEED, 0, None
    for cut in sorted({min(c, len(lines)) for c in cuts} | {len(lines)}):
        acc = fold_lines(acc, lines[start:cut], after=last)
        if cut > start:
            last = lines[cut - 1][:2]
        start = cut
    assert acc == whole
    assert finish_plan_hash(header_hash(HEADER), acc, len(lines)) == plan_hash(HEADER, lines)


@pytest.mark.parametrize(
    "line, problem",
    [
        (("", "KAU26", 1), "company_id"),
        (("   ", "KAU26", 1), "company_id"),
        (("a\nb", "KAU26", 1), "company_id"),
        (("x" * 201, "KAU26", 1), "company_id"),
        ((7, "KAU26", 1), "company_id"),
        (("a", "KAU2026", 1), "vintage"),
        (("a", "KCU26", 1), "vintage"),
        (("a", "kau26", 1), "vintage"),
        (("a", "KAU26", 0), "amount"),
        (("a", "KAU26", -3), "amount"),
        (("a", "KAU26", 10**12 + 1), "amount"),
        (("a", "KAU26", True), "amount"),
        (("a", "KAU26", 1.0), "amount"),
    ],
)
def test_invalid_lines_are_refused(line, problem):
    with pytest.raises(PlanFormatError, match=problem):
        validate_line(*line)
    with pytest.raises(PlanFormatError):
        fold_lines(LINES_SEED, [line])


def test_limits_are_inclusive():
    validate_line("x" * 200, "KAU99", 10**12)
    validate_line("a", "KAU00", 1)


@pytest.mark.parametrize(
    "lines, after",
    [
        ([("b", "KAU26", 1), ("a", "KAU26", 1)], None),
        ([("a", "KAU27", 1), ("a", "KAU26", 1)], None),
        ([("a", "KAU26", 1), ("a", "KAU26", 2)], None),  # duplicate key
        ([("a", "KAU26", 1)], ("a", "KAU26")),  # not after the previous slice
        ([("a", "KAU26", 1)], ("b", "KAU26")),
    ],
)
def test_lines_must_be_strictly_increasing(lines, after):
    with pytest.raises(PlanFormatError, match="strictly increasing"):
        fold_lines(LINES_SEED, lines, after=after)


def test_header_must_be_integers_and_text_only():
    with pytest.raises(PlanFormatError, match="float"):
        header_hash({"totals": {"KAU26": {"scale": 0.5}}})
    with pytest.raises(PlanFormatError, match="JSON object"):
        header_hash([1, 2])  # type: ignore[arg-type]
    with pytest.raises(PlanFormatError, match="surrogate"):
        header_hash({"w": "\ud800"})


def test_accumulator_and_count_are_checked():
    with pytest.raises(PlanFormatError, match="32 bytes"):
        fold_lines(b"short", [])
    with pytest.raises(PlanFormatError, match="count"):
        finish_plan_hash(header_hash({}), LINES_SEED, -1)
