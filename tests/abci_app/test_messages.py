"""Stateless message validation (protocol/messages/): every type parses, every bad field is named."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from protocol.codes import Code, TxRejected
from protocol.constants import MAX_AMOUNT, ROLES
from protocol.messages import (
    MESSAGES,
    Approve,
    is_instrument,
    IssueAllowances,
    parse_message,
    Propose,
    RegisterAccount,
    Reject,
    SetValidatorPower,
    Transfer,
)
from ets.keys import Signer

NEW = Signer.from_seed(b"\x07" * 32)
OTHER = Signer.from_seed(b"\x08" * 32)
A = "ab" * 20


def _register(**overrides):
    action = {"type": "register_account", "address": NEW.address, "public_key": NEW.public_key.hex(), "role": "company", "name": "Acme"}
    action.update(overrides)
    return {k: v for k, v in action.items() if v is not ...}


VALID = [
    ({"type": "transfer", "to": A, "instrument": "KAU25", "amount": 1}, Transfer(A, "KAU25", 1)),
    ({"type": "transfer", "to": A, "instrument": "KOC30", "amount": MAX_AMOUNT}, Transfer(A, "KOC30", MAX_AMOUNT)),
    ({"type": "propose", "action": {"type": "issue_allowances", "to": A, "instrument": "KCU26", "amount": 5}},
     Propose(IssueAllowances(A, "KCU26", 5))),
    ({"type": "propose", "action": _register()}, Propose(RegisterAccount(NEW.address, NEW.public_key.hex(), "company", "Acme"))),
    ({"type": "propose", "action": _register(role="edge_device", company=A)},
     Propose(RegisterAccount(NEW.address, NEW.public_key.hex(), "edge_device", "Acme", A))),
    ({"type": "propose", "action": _register(role="government", company=None)},
     Propose(RegisterAccount(NEW.address, NEW.public_key.hex(), "government", "Acme"))),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "ab" * 32, "power": 0, "name": "retired"}},
     Propose(SetValidatorPower("ab" * 32, 0, "retired"))),
    ({"type": "approve", "proposal_id": 1}, Approve(1)),
    ({"type": "approve", "proposal_id": 2**63 - 1}, Approve(2**63 - 1)),
    ({"type": "reject", "proposal_id": 3, "reason": "double counting of site 4"}, Reject(3, "double counting of site 4")),
]


@pytest.mark.parametrize("obj, expected", VALID, ids=lambda v: getattr(v, "TYPE", None) or "")
def test_valid_messages_parse(obj, expected):
    assert parse_message(obj) == expected


def test_messages_are_frozen():
    msg = parse_message(VALID[0][0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        msg.amount = 10  # type: ignore[misc]


INVALID = [
    # (message, field the log must name)
    ({"type": "transfer", "to": A, "instrument": "KAU25"}, "amount"),
    ({"type": "transfer", "to": A, "instrument": "KAU25", "amount": 1, "memo": "x"}, "memo"),
    ({"type": "transfer", "to": A.upper(), "instrument": "KAU25", "amount": 1}, "transfer.to"),
    ({"type": "transfer", "to": A, "instrument": "KAU2025", "amount": 1}, "instrument"),
    ({"type": "transfer", "to": A, "instrument": "XYZ25", "amount": 1}, "instrument"),
    ({"type": "transfer", "to": A, "instrument": "KAU25", "amount": 0}, "amount"),
    ({"type": "transfer", "to": A, "instrument": "KAU25", "amount": -5}, "amount"),
    ({"type": "transfer", "to": A, "instrument": "KAU25", "amount": MAX_AMOUNT + 1}, "amount"),
    ({"type": "transfer", "to": A, "instrument": "KAU25", "amount": True}, "amount"),
    ({"type": "transfer", "to": A, "instrument": "KAU25", "amount": "10"}, "amount"),
    ({"type": "propose"}, "action"),
    ({"type": "propose", "action": "issue"}, "propose.action"),
    ({"type": "propose", "action": {"type": "transfer", "to": A, "instrument": "KAU25", "amount": 1}}, "propose.action"),
    ({"type": "propose", "action": {"type": ["issue_allowances"]}}, "propose.action"),  # unhashable type
    ({"type": "propose", "action": {"type": {}}}, "propose.action"),
    ({"type": "propose", "action": {"type": "issue_allowances", "to": A, "instrument": "KAU25", "amount": 0}}, "amount"),
    ({"type": "propose", "action": _register(address=OTHER.address)}, "does not belong"),
    ({"type": "propose", "action": _register(public_key=NEW.public_key.hex().upper())}, "public_key"),
    ({"type": "propose", "action": _register(public_key="00" * 31)}, "public_key"),
    ({"type": "propose", "action": _register(role="auditor")}, "role"),
    ({"type": "propose", "action": _register(role="edge_device")}, "company"),
    ({"type": "propose", "action": _register(role="edge_device", company="acme")}, "company"),
    ({"type": "propose", "action": _register(company=A)}, "company"),
    ({"type": "propose", "action": _register(name="  ")}, "name"),
    ({"type": "propose", "action": _register(name="line\nbreak")}, "name"),
    ({"type": "propose", "action": _register(name="x" * 201)}, "name"),
    ({"type": "propose", "action": _register(since=5)}, "since"),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "AB" * 32, "power": 1, "name": "v"}}, "pub_key"),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "ab" * 31, "power": 1, "name": "v"}}, "pub_key"),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "00" * 32, "power": 1, "name": "v"}}, "pub_key"),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "ab" * 32, "power": -1, "name": "v"}}, "power"),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "ab" * 32, "power": 1_000_001, "name": "v"}}, "power"),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "ab" * 32, "power": True, "name": "v"}}, "power"),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "ab" * 32, "power": 1, "name": ""}}, "name"),
    ({"type": "propose", "action": {"type": "set_validator_power", "pub_key": "ab" * 32, "power": 1}}, "name"),
    ({"type": "approve", "proposal_id": 0}, "proposal_id"),
    ({"type": "approve", "proposal_id": 2**63}, "proposal_id"),
    ({"type": "approve", "proposal_id": "1"}, "proposal_id"),
    ({"type": "approve", "proposal_id": 1, "reason": "x"}, "reason"),
    ({"type": "reject", "proposal_id": 1}, "reason"),
    ({"type": "reject", "proposal_id": 1, "reason": ""}, "reason"),
    ({"type": "reject", "proposal_id": 1, "reason": "x" * 501}, "reason"),
]


@pytest.mark.parametrize("obj, field", INVALID)
def test_invalid_fields_are_rejected_with_the_field_named(obj, field):
    with pytest.raises(TxRejected) as info:
        parse_message(obj)
    assert info.value.code == Code.INVALID_MESSAGE
    assert field in info.value.log


@pytest.mark.parametrize("kind", ["register_account", "issue_allowances", "Transfer", "", "mint"])
def test_unknown_message_types(kind):
    with pytest.raises(TxRejected) as info:
        parse_message({"type": kind})
    assert info.value.code == Code.UNKNOWN_MESSAGE
    assert "known: " + ", ".join(sorted(MESSAGES)) in info.value.log  # every registered type, sorted
    assert {"approve", "transfer", "place_order", "record_access", "channel_key", "channel_post", "surrender",
            "verification_statement", "custody_transfer", "custody_approve"} <= set(MESSAGES)


@pytest.mark.parametrize("value, ok", [("KAU25", True), ("KCU00", True), ("KOC99", True), ("KAU5", False), ("kau25", False), ("KAU25 ", False), (25, False)])
def test_is_instrument(value, ok):
    assert is_instrument(value) is ok


def test_roles_are_the_seven_of_the_architecture():
    assert set(ROLES) == {"government", "verifier", "exchange", "bank", "company", "edge_device", "validator_operator"}


json_scalars = st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.text(max_size=50) | st.sampled_from([A, NEW.address, "KAU25"])
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
field_names = st.sampled_from(["to", "instrument", "amount", "action", "proposal_id", "reason", "address", "public_key", "role", "name", "company"])
message_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["transfer", "propose", "approve", "reject", "x"])},
    optional={"action": st.fixed_dictionaries(
        {"type": st.sampled_from(["register_account", "issue_allowances"]) | json_values},
        optional={f: json_values for f in ["to", "instrument", "amount", "address", "public_key", "role", "name", "company"]})},
).flatmap(lambda base: st.dictionaries(field_names, json_values, max_size=4).map(lambda extra: {**extra, **base}))


@settings(max_examples=500, deadline=None)
@given(message_like)
@example({"type": "propose", "action": {"type": []}})
def test_parse_message_fuzz_returns_a_message_or_a_registered_rejection(obj):
    try:
        msg = parse_message(obj)
    except TxRejected as exc:
        assert exc.code in (Code.INVALID_MESSAGE, Code.UNKNOWN_MESSAGE)
        assert exc.log
    else:
        assert msg.TYPE == obj["type"]
