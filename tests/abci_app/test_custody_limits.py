"""Account security's caps: the trusted list (two people, a delay), the lowest cap wins, windows, surrender unlimited."""

from __future__ import annotations

import pytest

from abci_app.modules.custody.expiry import MAX_EXPIRIES_PER_BLOCK
from abci_app.modules.custody.limits import windows
from protocol.codes import Code, TxRejected
from protocol.compliance import kst_midnight
from protocol.messages import parse_message
from protocol.messages.custody import MAX_OPEN_TRANSFERS
from abci_harness import Actors, Node, transfer
from compliance_steps import certified_year, surrender
from custody_steps import BALANCES, CAP, CUSTODY_PARAMS, DELAY, admit, custody, ok, send, settings, trusted
from ets.keys import Signer


@pytest.fixture
def cast(tmp_path):
    """Company 1 under custody without four eyes: an initiator and an approver with rights in effect."""
    actors = Actors.make()
    node = Node.start(tmp_path / "node", actors.app_state(
        balances={c.address: dict(BALANCES) for c in actors.companies}, **CUSTODY_PARAMS))
    holder, initiator, approver = actors.companies[0], Signer.generate(), Signer.generate()
    ok(admit(node, holder, initiator, ["initiate"], "initiator"))
    ok(admit(node, holder, approver, ["approve"], "approver"))
    node.finalize([], node.time + DELAY)
    node.commit()
    return node, actors, holder, initiator, approver


def test_a_trusted_account_needs_a_second_person_and_takes_effect_after_the_delay(cast):
    node, actors, holder, initiator, approver = cast
    partner = actors.companies[1]
    assert node.run(holder, transfer(partner, CAP + 1)).code == Code.CUSTODY_LIMIT_EXCEEDED
    assert ok(trusted(node, initiator, "add", partner))["status"] == "proposed"
    assert trusted(node, initiator, "confirm", partner).code == Code.CUSTODY_NO_RIGHT
    assert trusted(node, holder, "confirm", partner).code == Code.CUSTODY_NO_RIGHT  # the holder never confirms
    assert trusted(node, initiator, "add", partner).code == Code.CUSTODY_UNCHANGED
    confirmed = ok(trusted(node, approver, "confirm", partner))
    assert confirmed["status"] == "waiting" and confirmed["from"] == node.time + DELAY
    assert node.run(holder, transfer(partner, CAP + 1), time=confirmed["from"] - 10).code == Code.CUSTODY_LIMIT_EXCEEDED
    ok(trusted(node, initiator, "cancel", partner))  # cancellable while the delay runs
    assert node.run(holder, transfer(partner, CAP + 1), time=confirmed["from"] + 1).code == Code.CUSTODY_LIMIT_EXCEEDED
    ok(trusted(node, holder, "add", partner))
    assert trusted(node, holder, "confirm", partner).code == Code.CUSTODY_NO_RIGHT
    effective = ok(trusted(node, approver, "confirm", partner))["from"]
    ok(node.run(holder, transfer(partner, 5 * CAP), time=effective))  # trusted: not capped
    assert trusted(node, initiator, "cancel", partner).code == Code.CUSTODY_UNCHANGED  # in effect: remove it
    ok(trusted(node, initiator, "remove", partner))
    assert node.run(holder, transfer(partner, CAP + 1)).code == Code.CUSTODY_LIMIT_EXCEEDED  # at once
    assert custody(node, holder)["trusted"] == []


def test_the_same_representative_cannot_add_and_confirm(cast):
    node, actors, holder, initiator, approver = cast
    both = Signer.generate()
    ok(admit(node, holder, both, ["approve", "initiate"], "both", time=node.time))
    ok(trusted(node, both, "add", actors.companies[1], time=node.time + DELAY))
    assert trusted(node, both, "confirm", actors.companies[1]).code == Code.CUSTODY_SAME_PERSON
    assert trusted(node, approver, "add", holder).code == Code.INVALID_MESSAGE  # not its own
    assert trusted(node, approver, "add", actors.gov[0]).code == Code.INVALID_RECIPIENT


def test_the_lowest_cap_wins_and_the_windows_refill(cast):
    node, actors, holder, initiator, approver = cast
    to = actors.companies[1]
    ok(settings(node, holder, False, transaction=CAP + 500))  # above the central cap: the central cap binds
    refused = node.run(holder, transfer(to, CAP + 1))
    assert refused.code == Code.CUSTODY_LIMIT_EXCEEDED and "the chain's cap" in refused.log
    ok(settings(node, holder, False, transaction=600, daily=700, weekly=1_000, monthly=1_100))
    refused = node.run(holder, transfer(to, 601))
    assert "limit per transaction" in refused.log and "at most 600 t" in refused.log
    ok(node.run(holder, transfer(to, 400)))
    refused = send(node, initiator, to, 400)
    assert refused.code == Code.CUSTODY_LIMIT_EXCEEDED and "daily limit (700 t, 400 t used)" in refused.log
    ok(send(node, initiator, to, 300))
    tuesday, next_monday = kst_midnight(2025, 6, 17) + 60, kst_midnight(2025, 6, 23) + 60  # the chain began on a Monday
    assert windows(node.time)["weekly"] == windows(tuesday)["weekly"] != windows(next_monday)["weekly"]
    refused = node.run(holder, transfer(to, 301), time=tuesday)  # a new day, the same week
    assert refused.code == Code.CUSTODY_LIMIT_EXCEEDED and "weekly limit (1,000 t, 700 t used)" in refused.log
    ok(node.run(holder, transfer(to, 300)))
    assert custody(node, holder)["usage"] == {"daily": 300, "weekly": 1_000, "monthly": 1_000}
    refused = node.run(holder, transfer(to, 101), time=next_monday)  # a new week, the same month
    assert "monthly limit (1,100 t, 1,000 t used)" in refused.log and "at most 100 t" in refused.log
    ok(node.run(holder, transfer(to, 100)))


def test_week_and_month_windows_follow_the_kst_calendar():
    monday = kst_midnight(2025, 6, 16)  # a Monday
    assert windows(monday)["weekly"] == windows(monday + 7 * 86_400 - 1)["weekly"] == windows(monday - 1)["weekly"] + 1
    assert windows(kst_midnight(2025, 7, 1))["monthly"] == windows(kst_midnight(2025, 6, 30))["monthly"] + 1
    assert windows(kst_midnight(2026, 1, 1))["monthly"] == windows(kst_midnight(2025, 12, 31))["monthly"] + 1
    assert windows(kst_midnight(2025, 6, 17) - 1)["daily"] == windows(kst_midnight(2025, 6, 16))["daily"]


def test_surrender_is_never_limited(cast):
    node, actors, holder, initiator, approver = cast
    ok(settings(node, holder, True, transaction=1, daily=1, weekly=1, monthly=1))
    certified_year(node, actors, holder, 2024, 500)
    ok(surrender(node, holder, 2024, "KAU24", 500))  # four eyes and 1 t limits leave surrender alone
    assert node.balances(holder).get("KAU24", 0) == 0


@pytest.mark.parametrize("obj, field", [
    ({"type": "custody_representative", "op": "grant", "representative": "ab" * 20}, "op"),
    ({"type": "custody_representative", "op": "set", "representative": "ab" * 20, "public_key": "cd" * 32,
      "name": "x", "rights": []}, "address does not belong"),
    ({"type": "custody_settings", "four_eyes": 1}, "four_eyes"),
    ({"type": "custody_settings", "four_eyes": True, "daily": -1}, "daily"),
    ({"type": "custody_settings", "four_eyes": True, "hourly": 5}, "hourly"),
    ({"type": "custody_trusted", "op": "trust", "account": "ab" * 20}, "op"),
    ({"type": "custody_transfer", "to": "ab" * 20, "instrument": "KAU25", "amount": 0}, "amount"),
    ({"type": "custody_approve", "transfer_id": 0}, "transfer_id"),
    ({"type": "custody_cancel", "transfer_id": "1"}, "transfer_id"),
])
def test_malformed_custody_messages_are_refused_with_the_field_named(obj, field):
    with pytest.raises(TxRejected) as info:
        parse_message(obj)
    assert info.value.code == Code.INVALID_MESSAGE and field in info.value.log


@pytest.mark.parametrize("rights", [["initiate", "approve"], ["approve", "approve"], ["admin"], "approve", [1]])
def test_rights_must_be_a_sorted_list_of_known_rights(rights):
    signer = Signer.generate()
    with pytest.raises(TxRejected, match="rights"):
        parse_message({"type": "custody_representative", "op": "set", "representative": signer.address,
                       "public_key": signer.public_key.hex(), "name": "a representative", "rights": rights})


def test_expiry_is_bounded_per_block_and_resumes_where_it_stopped(tmp_path):
    actors = Actors.make(companies=12)
    node = Node.start(tmp_path / "node", actors.app_state(
        balances={c.address: dict(BALANCES) for c in actors.companies}, **CUSTODY_PARAMS))
    senders, to = actors.companies[:11], actors.companies[11]
    node.block([node.sign(c, {"type": "custody_settings", "four_eyes": True}) for c in senders])
    msg = {"type": "custody_transfer", "to": to.address, "instrument": "KAU25", "amount": 1}
    for _ in range(MAX_OPEN_TRANSFERS // 25):
        assert all(r.code == Code.OK for r in node.block([node.sign(c, msg) for c in senders for _ in range(25)]))
    ok(node.run(senders[0], {"type": "custody_cancel", "transfer_id": 3}))  # a freed slot is skipped
    held = lambda: sum(node.read(f"/holdings/{c.address}", reader=c)["KAU25"]["held"] for c in senders)  # noqa: E731
    assert held() == len(senders) * MAX_OPEN_TRANSFERS - 1
    node.finalize([], node.time + CUSTODY_PARAMS["custody_transfer_ttl_seconds"] + 120)
    node.commit()
    assert held() == len(senders) * MAX_OPEN_TRANSFERS - 1 - MAX_EXPIRIES_PER_BLOCK  # at most 1,000 in one block
    node.finalize([])
    node.commit()
    assert held() == 0 and node.app.store.scan("cust/exp") == []  # the next block did the rest; nothing is left
    assert {t["status"] for t in custody(node, senders[4])["transfers"]} == {"expired"}
